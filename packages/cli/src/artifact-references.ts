/**
 * What `oras backup` and `oras restore` name: a repository and some of its tags
 * (`<registry>/<repository>[:<tag>[,<tag>...]]`), every tag when none is named.
 */
import type { ReadOnlyTarget, TagLister } from '@oras/content';
import { type Descriptor, ErrorCode, parseReferenceWithTags, type Reference } from '@oras/spec';
import { CliError, referenceHint } from './errors.js';
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

/** Parses `<registry>/<repository>[:<tag>[,<tag>...]]`; digests are refused. */
export function parseArtifactReferences(arg: string): ArtifactReferences {
  const form = '<registry>/<repository>[:<tag>[,<tag>...]]';
  if (arg.includes('@')) {
    throw new CliError(`digest references are not supported: "${arg}"`, {
      code: ErrorCode.InvalidReference,
      hint: referenceHint(form),
    });
  }
  try {
    const { reference, tags } = parseReferenceWithTags(arg);
    return {
      reference: reference.withReference(),
      repository: `${reference.registry}/${reference.repository}`,
      tags,
    };
  } catch (error) {
    throw new CliError((error as Error).message, {
      code: ErrorCode.InvalidReference,
      cause: error,
      hint: referenceHint(form),
    });
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
