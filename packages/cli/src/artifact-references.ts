/**
 * What `oras backup` and `oras restore` name: a repository and some of its tags
 * (`<registry>/<repository>[:<tag>[,<tag>...]]`), every tag when none is named.
 */
import type { ReadOnlyTarget, TagLister } from '@oras/content';
import { type Descriptor, ErrorCode, isValidTag, parseReferenceWithTags, type Reference } from '@oras/spec';
import { CliError, goQuote } from './errors.js';
import { referenceProblem } from './reference-errors.js';
import type { RegistryTargetSpec } from './options/target.js';

/** A repository and the tags named after it (`registry/repo:a,b`), as backup and restore take them. */
export interface ArtifactReferences {
  /** The repository, without a tag. */
  readonly reference: Reference;
  /** `registry/repository`. */
  readonly repository: string;
  /** The tags named; empty for "all of them". */
  readonly tags: readonly string[];
}

/**
 * Parses `<registry>/<repository>[:<tag>[,<tag>...]]`, with oras's errors; digests are refused.
 * oras 1.3 prints these errors bare, without the reference hint its other commands give.
 */
export function parseArtifactReferences(arg: string): ArtifactReferences {
  const fail = (message: string, cause?: unknown): never => {
    throw new CliError(message, { code: ErrorCode.InvalidReference, cause, hint: '' });
  };
  if (arg === '') fail('artifact reference cannot be empty');
  if (arg.includes('@')) fail(`digest references are not supported: ${goQuote(arg)}`);
  const [main = '', ...extra] = arg.split(',');
  const problem = referenceProblem(main);
  if (problem !== undefined) fail(`invalid reference ${goQuote(main)}: invalid reference: ${problem}`);
  const named = main.slice(main.indexOf('/') + 1).includes(':');
  if (named || extra.length > 0) {
    const mainTag = named ? main.slice(main.lastIndexOf(':') + 1) : '';
    for (const tag of [mainTag, ...extra]) {
      if (tag === '') fail(`empty tag in reference ${goQuote(arg)}`);
      if (!isValidTag(tag)) {
        fail(
          `invalid tag ${goQuote(tag)} in reference ${goQuote(arg)}: invalid reference: invalid tag ${goQuote(tag)}`,
        );
      }
    }
  }
  try {
    const { reference, tags } = parseReferenceWithTags(arg);
    return {
      reference: reference.withReference(),
      repository: `${reference.registry}/${reference.repository}`,
      tags,
    };
  } catch (error) {
    return fail(`invalid reference ${goQuote(main)}: ${(error as Error).message}`, error);
  }
}

/** The registry target of a repository. */
export function repositorySpec(refs: ArtifactReferences): RegistryTargetSpec {
  return { kind: 'registry', raw: refs.repository, reference: refs.reference, tags: [] };
}

/** Resolves the named tags, or every tag of the target when none is named. */
export async function resolveTags(
  target: ReadOnlyTarget & Partial<TagLister>,
  named: readonly string[],
): Promise<{ tags: string[]; roots: Descriptor[] }> {
  const tags = [...named];
  if (tags.length === 0) {
    if (typeof target.tags !== 'function') throw new CliError('the target does not support tag listing');
    for await (const page of target.tags()) tags.push(...page);
  }
  const roots: Descriptor[] = [];
  for (const tag of tags) {
    try {
      roots.push(await target.resolve(tag));
    } catch (error) {
      throw new CliError(`failed to resolve tag "${tag}": ${(error as Error).message}`, {
        code: (error as { code?: string }).code ?? ErrorCode.NotFound,
        cause: error,
      });
    }
  }
  return { tags, roots };
}
