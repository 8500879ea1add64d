/**
 * The hint oras gives when a Docker Hub repository without a namespace fails: `docker.io/hello`
 * is `docker.io/library/hello`.
 */
import { CliError } from './errors.js';
import type { TargetSpec } from './options/target.js';

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
