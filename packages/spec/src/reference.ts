/**
 * Artifact references: `<registry>/<repository>[:<tag>|@<digest>]`, parsed the way oras-go's
 * `registry.ParseReference` parses them, plus the comma-separated tag lists `oras push` takes.
 *
 * Why a registry is required: unlike `docker pull alpine`, oras never guesses a registry. The text
 * before the first `/` is always the registry, so `alpine:3` is refused, `docker.io/alpine` stays
 * `docker.io/alpine` (no `library/` is added) and `localhost:5000/a/b` names the registry
 * `localhost:5000`.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
import { isIPv6 } from 'node:net';
import { parseDigest } from './digest.js';
import { InvalidReferenceError } from './errors.js';

/** The form every reference error shows. */
const EXPECTED_FORM = '<registry>/<repository>[:<tag>|@<digest>]';

/**
 * A path component (`[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`) and components joined by `/`.
 * Each repetition starts with a separator, so the pattern cannot backtrack exponentially.
 */
const REPOSITORY_PATTERN =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Tags: a word character, then up to 127 word characters, dots and dashes. */
const TAG_PATTERN = /^\w[\w.-]{0,127}$/;

/** Host names: labels of letters, digits, `-` and `_`, joined by single dots (IPv4 fits too). */
const HOST_NAME_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

const PORT_PATTERN = /^[0-9]{1,5}$/;

const MAX_SHOWN = 100;

/** Quotes a value for an error message, cut short and with control characters escaped. */
function show(value: string): string {
  return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);
}

function invalid(input: string, reason: string, cause?: unknown): InvalidReferenceError {
  return new InvalidReferenceError(`invalid reference ${show(input)}: ${reason}; expected ${EXPECTED_FORM}`, {
    cause,
  });
}

/** Why a registry (`host[:port]`) is invalid, or `undefined` when it is valid. */
function registryProblem(registry: string): string | undefined {
  if (registry.length === 0) return 'missing registry';
  let host = registry;
  let port: string | undefined;
  if (registry.startsWith('[')) {
    const close = registry.indexOf(']');
    if (close < 0) return `invalid registry ${show(registry)}: missing "]" after the IPv6 address`;
    const address = registry.slice(1, close);
    if (address.includes('%') || !isIPv6(address)) {
      return `invalid registry ${show(registry)}: ${show(address)} is not an IPv6 address`;
    }
    const rest = registry.slice(close + 1);
    if (rest.length > 0) {
      if (!rest.startsWith(':')) return `invalid registry ${show(registry)}: unexpected text after "]"`;
      port = rest.slice(1);
    }
    host = '';
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) {
      port = host.slice(colon + 1);
      host = host.slice(0, colon);
      if (port.includes(':')) {
        return `invalid registry ${show(registry)}: too many colons (put an IPv6 address in brackets)`;
      }
    }
    if (!HOST_NAME_PATTERN.test(host)) {
      return `invalid registry ${show(registry)}: expected a host name, an IPv4 address or a bracketed IPv6 address, with an optional :port`;
    }
  }
  if (port !== undefined && (!PORT_PATTERN.test(port) || Number(port) > 65535)) {
    return `invalid registry ${show(registry)}: port must be a number from 0 to 65535`;
  }
  return undefined;
}

/** Whether a string is a valid repository name (path components joined by `/`). */
export function isValidRepository(repository: string): boolean {
  return typeof repository === 'string' && REPOSITORY_PATTERN.test(repository);
}

/** Whether a string is a valid tag (`[\w][\w.-]{0,127}`). */
export function isValidTag(tag: string): boolean {
  return typeof tag === 'string' && TAG_PATTERN.test(tag);
}

/** The parts of a {@link Reference}. */
export interface ReferenceParts {
  /** The registry as typed: a host name, IPv4 or bracketed IPv6 address, with an optional port. */
  readonly registry: string;
  /** The repository, e.g. `library/alpine`. */
  readonly repository: string;
  /** The tag, if any. */
  readonly tag?: string | undefined;
  /** The digest, if any. */
  readonly digest?: string | undefined;
}

/**
 * A parsed, validated artifact reference: a registry, a repository, and optionally a tag and/or a
 * digest. Immutable; {@link Reference.withReference} gives a changed copy.
 */
export class Reference {
  /** The registry as typed (`docker.io` stays `docker.io`; see {@link Reference.host}). */
  readonly registry: string;
  /** The repository. */
  readonly repository: string;
  /** The tag, if any. */
  readonly tag: string | undefined;
  /** The digest, if any. When both are present the digest is what the reference points at. */
  readonly digest: string | undefined;

  /** Validates the parts and builds a reference; throws {@link InvalidReferenceError}. */
  constructor(parts: ReferenceParts) {
    const problem = partsProblem(parts);
    if (problem !== undefined) throw invalid(formatParts(parts), problem.reason, problem.cause);
    const { registry, repository, tag, digest } = parts;
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /** What the reference points at: the digest if there is one, else the tag, else `undefined`. */
  get reference(): string | undefined {
    return this.digest ?? this.tag;
  }

  /** The host to send API requests to: `registry-1.docker.io` for `docker.io`, else the registry. */
  get host(): string {
    return this.registry === 'docker.io' ? 'registry-1.docker.io' : this.registry;
  }

  /**
   * The same repository pointing at another tag or digest (a string with a `:` is a digest), or at
   * nothing when `ref` is `undefined` or empty. Throws {@link InvalidReferenceError}.
   */
  withReference(ref?: string): Reference {
    const base = { registry: this.registry, repository: this.repository };
    if (ref === undefined || ref === '') return new Reference(base);
    return new Reference(ref.includes(':') ? { ...base, digest: ref } : { ...base, tag: ref });
  }

  /** The reference as text: `registry/repository[:tag][@digest]`. Parsing it gives it back. */
  toString(): string {
    return formatParts(this);
  }
}

/** Why the parts do not make a valid reference, or `undefined` when they do. */
function partsProblem(parts: ReferenceParts): { reason: string; cause?: unknown } | undefined {
  const { registry, repository, tag, digest } = parts;
  const registryReason = registryProblem(registry);
  if (registryReason !== undefined) return { reason: registryReason };
  if (!isValidRepository(repository)) {
    return {
      reason:
        repository === ''
          ? 'missing repository'
          : `invalid repository ${show(repository)}: use lower-case letters and digits, with ".", "_", "__" or "-" between them and "/" between components`,
    };
  }
  if (tag !== undefined && !isValidTag(tag)) {
    return {
      reason:
        tag === ''
          ? 'empty tag after ":"'
          : `invalid tag ${show(tag)}: use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`,
    };
  }
  if (digest !== undefined) {
    try {
      parseDigest(digest);
    } catch (error) {
      return { reason: (error as Error).message, cause: error };
    }
  }
  return undefined;
}

function formatParts(parts: ReferenceParts): string {
  let text = `${parts.registry}/${parts.repository}`;
  if (parts.tag !== undefined) text += `:${parts.tag}`;
  if (parts.digest !== undefined) text += `@${parts.digest}`;
  return text;
}

/**
 * Parses `<registry>/<repository>[:<tag>][@<digest>]`. The registry is the text before the first
 * `/`; a `@` starts the digest, else the first `:` after the registry starts the tag. Throws
 * {@link InvalidReferenceError} saying what was wrong.
 *
 * Unlike oras-go, a tag written before a digest (`repo:tag@sha256:...`) is kept and validated
 * rather than dropped; {@link Reference.reference} still points at the digest.
 */
export function parseReference(input: string): Reference {
  if (typeof input !== 'string' || input.length === 0) {
    throw invalid(typeof input === 'string' ? input : String(input), 'empty reference');
  }
  const slash = input.indexOf('/');
  if (slash < 0) throw invalid(input, 'missing registry or repository');
  const registry = input.slice(0, slash);
  const path = input.slice(slash + 1);
  let repository = path;
  let tag: string | undefined;
  let digest: string | undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    repository = path.slice(0, at);
    digest = path.slice(at + 1);
    if (digest === '') throw invalid(input, 'empty digest after "@"');
  }
  const colon = repository.indexOf(':');
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
  }
  const parts = { registry, repository, tag, digest };
  const problem = partsProblem(parts);
  if (problem !== undefined) throw invalid(input, problem.reason, problem.cause);
  return new Reference(parts);
}

/** A reference and the tags a comma-separated tag list names. */
export interface ReferenceWithTags {
  /** The reference, with the first tag (or the digest) of the list. */
  readonly reference: Reference;
  /** Every tag named, first the reference's own, in order, without duplicates. */
  readonly tags: string[];
}

/**
 * Parses a reference followed by extra tags, as `oras push`, `oras cp` and `oras manifest push`
 * take them: `registry/repo:a,b,c` tags the pushed content `a`, `b` and `c`;
 * `registry/repo@sha256:...,b` pushes by digest and tags it `b`. Throws
 * {@link InvalidReferenceError} for an invalid reference or tag, or an empty list entry.
 */
export function parseReferenceWithTags(input: string): ReferenceWithTags {
  if (typeof input !== 'string') throw invalid(String(input), 'empty reference');
  const [first = '', ...extra] = input.split(',');
  const reference = parseReference(first);
  const tags: string[] = reference.tag === undefined ? [] : [reference.tag];
  for (const tag of extra) {
    if (tag === '') throw invalid(input, 'empty tag in the comma-separated tag list');
    if (!isValidTag(tag)) {
      throw invalid(input, `invalid tag ${show(tag)} in the comma-separated tag list`);
    }
    if (!tags.includes(tag)) tags.push(tag);
  }
  return { reference, tags };
}
