/**
 * Reference errors in oras's words. `@oras/spec` explains at length what is wrong with a
 * reference; oras prints oras-go's short classes instead (`"/x": invalid reference: invalid
 * registry ""`), and scripts and docs match on them. This file finds the class the way
 * `registry.ParseReference` of oras-go checks a reference (registry, then repository, then the tag
 * or digest) and builds the CLI's errors around it:
 * - an argument that is no reference: `"<arg>": invalid reference: <class>`, with oras's hint;
 * - a reference without the tag or digest the command needs: `"<arg>": no tag or digest
 *   specified`, with the usage line and `Please specify a reference in the form of ...`.
 */
import { ErrorCode, isValidRepository, isValidTag, parseReference } from '@oras/spec';
import { CliError, goQuote } from './errors.js';

/** The hint oras prints after a reference it could not parse. */
export const INVALID_REFERENCE_HINT =
  'Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]';

/** What oras's `attach` adds when it has no file and the reference is wrong or incomplete. */
export const ATTACH_SUBJECT_HINT = 'Are you missing an artifact reference to attach to?';

/** The digest algorithms go-digest knows, with the length of their hex encoding. */
const DIGEST_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest's grammar of a digest of an algorithm it does not know. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Why a digest is invalid, in go-digest's words, or `undefined` when go-digest would accept it. */
export function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon <= 0 || colon + 1 === digest.length) return 'invalid checksum digest format';
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) {
    return DIGEST_GRAMMAR.test(digest) ? 'unsupported digest algorithm' : 'invalid checksum digest format';
  }
  if (encoded.length !== length) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(encoded)) return 'invalid checksum digest format';
  return undefined;
}

/** Whether `registry` is a valid `host[:port]` (our rules, which oras's URL parsing resembles). */
function validRegistry(registry: string): boolean {
  if (registry === '') return false;
  try {
    parseReference(`${registry}/a`);
    return true;
  } catch {
    return false;
  }
}

/**
 * oras-go's class of what is wrong with a reference (`missing registry or repository`,
 * `invalid registry ""`, `invalid repository "X"`, `invalid tag "-x"`, `invalid digest "sha256:1":
 * invalid checksum digest length`), or `undefined` when oras-go would accept it.
 *
 * One difference: a tag written before a digest (`repo:tag@sha256:...`), which oras-go drops
 * unread, must be a valid tag here too.
 */
export function referenceProblem(raw: string): string | undefined {
  const slash = raw.indexOf('/');
  if (slash < 0) return 'missing registry or repository';
  const registry = raw.slice(0, slash);
  const path = raw.slice(slash + 1);
  let repository = path;
  let reference = '';
  let tag: string | undefined;
  const at = path.indexOf('@');
  if (at >= 0) {
    repository = path.slice(0, at);
    reference = path.slice(at + 1);
    const colon = repository.indexOf(':');
    if (colon >= 0) {
      tag = repository.slice(colon + 1);
      repository = repository.slice(0, colon);
    }
  } else {
    const colon = path.indexOf(':');
    if (colon >= 0) {
      repository = path.slice(0, colon);
      tag = path.slice(colon + 1);
    }
  }
  if (!validRegistry(registry)) return `invalid registry ${goQuote(registry)}`;
  if (!isValidRepository(repository)) return `invalid repository ${goQuote(repository)}`;
  if (at >= 0 && reference !== '') {
    const problem = digestProblem(reference);
    if (problem !== undefined) return `invalid digest ${goQuote(reference)}: ${problem}`;
  }
  if (tag !== undefined && tag !== '' && !isValidTag(tag)) return `invalid tag ${goQuote(tag)}`;
  return undefined;
}

/**
 * Whether `raw` ends in an empty tag or digest (`registry/repo:`, `registry/repo@`), which
 * oras-go reads as a reference to the repository alone.
 */
export function hasEmptyReference(raw: string): boolean {
  return /[:@]$/.test(raw) && raw.indexOf('/') >= 0 && referenceProblem(raw) === undefined;
}

/** The error of an argument that is no reference: `"<raw>": invalid reference: <class>`. */
export function invalidReferenceError(raw: string, cause: unknown): CliError {
  const problem = referenceProblem(raw) ?? (cause instanceof Error ? cause.message : String(cause));
  return new CliError(`${goQuote(raw)}: invalid reference: ${problem}`, {
    code: ErrorCode.InvalidReference,
    cause,
    hint: INVALID_REFERENCE_HINT,
  });
}

/**
 * A reference without the tag or digest a command needs (oras's `EnsureReferenceNotEmpty`):
 * `"<raw>": no tag or digest specified`, or `no digest specified` for a blob. The error output
 * adds the command's usage line and its `Run "oras <cmd> -h"` advice.
 */
export class MissingReferenceError extends CliError {
  /** The argument as typed. */
  readonly raw: string;
  /** Whether a tag would do (`false` for blobs, which only a digest names). */
  readonly tagAllowed: boolean;
  /** Words put before the advice (attach: {@link ATTACH_SUBJECT_HINT}). */
  readonly lead: string | undefined;

  constructor(raw: string, tagAllowed = true, lead?: string) {
    super(`${goQuote(raw)}: ${tagAllowed ? 'no tag or digest specified' : 'no digest specified'}`, {
      code: ErrorCode.InvalidReference,
    });
    this.raw = raw;
    this.tagAllowed = tagAllowed;
    this.lead = lead;
  }

  /** oras's advice for the command at `commandPath` (`oras manifest fetch`). */
  advice(commandPath: string | undefined): string {
    const form = this.tagAllowed ? '"<name>:<tag>" or "<name>@<digest>"' : '"<name>@<digest>"';
    const run = commandPath ? ` Run "${commandPath} -h" for more options and examples` : '';
    const text = `Please specify a reference in the form of ${form}.${run}`;
    return this.lead ? `${this.lead} ${text}` : text;
  }
}

/**
 * The reference error `error` with `lead` put before its advice (what `attach` says when it has
 * no file); any other error unchanged.
 */
export function withReferenceLead(error: unknown, lead: string): unknown {
  if (error instanceof MissingReferenceError)
    return new MissingReferenceError(error.raw, error.tagAllowed, lead);
  if (error instanceof CliError && error.code === ErrorCode.InvalidReference && error.hint) {
    return new CliError(error.message, {
      code: error.code,
      cause: error.cause,
      hint: `${lead} ${error.hint}`,
    });
  }
  return error;
}

/**
 * oras-go's words for a tag or digest that a repository cannot resolve because it is malformed
 * (`invalid reference: invalid tag "BAD!"`, `invalid reference: invalid digest "x:y": invalid
 * checksum digest format`), or `undefined` when it is well formed. A reference with a `:` is read
 * as a digest, as oras-go reads it.
 */
export function tagOrDigestProblem(ref: string): string | undefined {
  const at = ref.indexOf('@');
  const value = at >= 0 ? ref.slice(at + 1) : ref;
  if (at >= 0 || value.includes(':')) {
    const problem = digestProblem(value);
    return problem === undefined
      ? undefined
      : `invalid reference: invalid digest ${goQuote(value)}: ${problem}`;
  }
  return isValidTag(value) ? undefined : `invalid reference: invalid tag ${goQuote(value)}`;
}
