import { DistributionErrorCode, RegistryApiError } from './errors.js';
import { NAME_PATTERN } from './validation.js';

/** The kinds of endpoint of the distribution API (spec "Endpoints" table). */
export type RouteKind =
  | 'base'
  | 'catalog'
  | 'tags'
  | 'manifest'
  | 'blob'
  | 'upload-start'
  | 'upload'
  | 'referrers';

/** A request path matched to an endpoint. */
export interface Route {
  readonly kind: RouteKind;
  /** The repository name (every kind but `base` and `catalog`). */
  readonly name: string;
  /** The tag or digest (`manifest`), digest (`blob`, `referrers`) or upload id (`upload`). */
  readonly reference: string;
}

const PATTERNS: readonly [RegExp, RouteKind][] = [
  [/^\/v2\/(.+)\/tags\/list$/, 'tags'],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, 'manifest'],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, 'upload-start'],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, 'upload'],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, 'blob'],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, 'referrers'],
];

/**
 * Matches a path to an endpoint; undefined for paths outside the API. A repository name that
 * breaks the spec's grammar answers NAME_INVALID.
 */
export function matchRoute(pathname: string): Route | undefined {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'base', name: '', reference: '' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog', name: '', reference: '' };
  for (const [pattern, kind] of PATTERNS) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const name = match[1]!;
    if (!NAME_PATTERN.test(name)) {
      throw new RegistryApiError(400, DistributionErrorCode.NameInvalid, `${name}: invalid repository name`, {
        detail: { name },
      });
    }
    let reference: string;
    try {
      reference = decodeURIComponent(match[2] ?? '');
    } catch {
      throw new RegistryApiError(
        400,
        DistributionErrorCode.Unsupported,
        `${match[2]}: malformed percent-encoding`,
      );
    }
    return { kind, name, reference };
  }
  return undefined;
}
