/**
 * What the command implementations share: reading the platform flag, requiring a reference, and
 * the Docker Hub hint oras gives for a repository without a namespace.
 */
import { parsePlatform, type Platform } from '@oras/spec';
import { CliError, referenceHint } from '../errors.js';
import type { TargetSpec } from '../options/target.js';
import { stringArg } from './flags.js';

/** The parsed `--platform` (or another platform flag), if given. */
export function platformArg(argv: Record<string, unknown>, key = 'platform'): Platform | undefined {
  const text = stringArg(argv, key);
  if (text === undefined || text === '') return undefined;
  try {
    return parsePlatform(text);
  } catch (error) {
    throw new CliError(`invalid --${key} "${text}": ${(error as Error).message}`, {
      cause: error,
      hint: 'use the form os[/arch][/variant][:os_version], e.g. linux/amd64',
    });
  }
}

/** The tag or digest of a target, or an error with the form the command expects. */
export function requireReference(spec: TargetSpec, form: string): string {
  const ref = spec.kind === 'registry' ? spec.reference.reference : spec.reference;
  if (ref === undefined || ref === '') {
    throw new CliError(`no tag or digest specified in "${spec.raw}"`, { hint: referenceHint(form) });
  }
  return ref;
}

/**
 * The hint oras adds when a Docker Hub repository without a namespace fails:
 * `docker.io/hello` is `docker.io/library/hello`.
 */
export function dockerHubHint(spec: TargetSpec, commandLine: string): string | undefined {
  if (spec.kind !== 'registry') return undefined;
  const { registry, repository } = spec.reference;
  if (registry !== 'docker.io' || repository.includes('/')) return undefined;
  const fixed = commandLine.replace(`docker.io/${repository}`, `docker.io/library/${repository}`);
  return `Namespace seems missing. Do you mean "${fixed}"?`;
}

/** Rethrows `error` with the Docker Hub hint when it applies and the error is an auth or not-found failure. */
export function withDockerHubHint(error: unknown, spec: TargetSpec, commandLine: string): unknown {
  const code = (error as { code?: unknown }).code;
  const hint = dockerHubHint(spec, commandLine);
  if (
    !hint ||
    (code !== 'ORAS_ERR_UNAUTHORIZED' && code !== 'ORAS_ERR_NOT_FOUND' && code !== 'ORAS_ERR_DENIED')
  ) {
    return error;
  }
  return new CliError((error as Error).message, { code: String(code), cause: error, hint });
}
