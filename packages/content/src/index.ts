/**
 * `@oras/content`: the content model (role interfaces and nouns), verified streams, graph
 * operations (copy, extendedCopy) and packing. Stores live in subpath exports:
 * `@oras/content/memory`, `@oras/content/oci`, `@oras/content/file`.
 * @packageDocumentation
 */
export {
  isDeleter,
  isFetcher,
  isGraphStorage,
  isGraphTarget,
  isPredecessorFinder,
  isPusher,
  isReadOnlyGraphTarget,
  isReadOnlyStorage,
  isReadOnlyTarget,
  isResolver,
  isStorage,
  isTagLister,
  isTagResolver,
  isTagger,
  isTarget,
  isUntagger,
} from './interfaces.js';
export type {
  ContentSource,
  Deleter,
  ExistenceChecker,
  Fetcher,
  GraphStorage,
  GraphTarget,
  OperationOptions,
  PredecessorFinder,
  Pusher,
  ReadOnlyGraphStorage,
  ReadOnlyGraphTarget,
  ReadOnlyStorage,
  ReadOnlyTarget,
  Resolver,
  Storage,
  TagLister,
  TagResolver,
  Tagger,
  Target,
  Untagger,
} from './interfaces.js';

/** The package's name, for diagnostics. */
export const PACKAGE_NAME = '@oras/content';
