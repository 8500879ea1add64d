import type { IncomingHttpHeaders } from 'node:http';
import type { TokenClaims, TokenIssuer } from '../token-issuer.js';
import { DistributionErrorCode, RegistryApiError } from './errors.js';
import type { Route } from './router.js';

/**
 * How the test registry authenticates: not at all (unset), HTTP basic against a user table, or
 * bearer tokens signed by a {@link TokenIssuer} (started with `registryLeewaySeconds: 0`).
 */
export type TestRegistryAuth =
  | { readonly basic: Readonly<Record<string, string>> }
  | { readonly token: TokenIssuer };

/** One access a request needs, as in a scope `type:name:actions`. */
export interface RequiredAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** Who sent a request, once authenticated. */
export interface Caller {
  /** The user name (`''` with auth off). */
  readonly account: string;
  /** The token's claims (bearer auth). */
  readonly claims?: TokenClaims;
}

export const BASIC_REALM = 'oras-test-registry';

/** The access an endpoint needs, the way distribution asks for it. */
export function requiredAccess(route: Route, method: string): RequiredAccess[] {
  const repo = (actions: string[]) => [{ type: 'repository', name: route.name, actions }];
  switch (route.kind) {
    case 'base':
      return [];
    case 'catalog':
      return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    case 'upload-start':
    case 'upload':
      return repo(['pull', 'push']);
    default:
      if (method === 'GET' || method === 'HEAD') return repo(['pull']);
      if (method === 'DELETE') return repo(['delete']);
      return repo(['pull', 'push']);
  }
}

function scopeOf(access: readonly RequiredAccess[]): string {
  return access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' ');
}

/** Whether the token grants every action of `access`. */
export function grants(claims: TokenClaims | undefined, access: RequiredAccess): boolean {
  if (!claims) return true;
  return access.actions.every((action) =>
    claims.access.some(
      (a) =>
        a.type === access.type &&
        a.name === access.name &&
        (a.actions.includes(action) || a.actions.includes('*')),
    ),
  );
}

/**
 * Authenticates a request and checks it may do what the endpoint needs; throws 401 with the
 * challenge otherwise (distribution answers 401 `insufficient_scope` rather than 403).
 */
export function authorize(
  auth: TestRegistryAuth | undefined,
  headers: IncomingHttpHeaders,
  access: readonly RequiredAccess[],
): Caller {
  if (!auth) return { account: '' };
  const header = headers.authorization ?? '';
  if ('basic' in auth) {
    const challenge = { 'www-authenticate': `Basic realm="${BASIC_REALM}"` };
    const match = /^basic\s+(.+)$/i.exec(header);
    const text = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = text.indexOf(':');
    const user = text.slice(0, colon);
    if (!match || colon < 0 || auth.basic[user] === undefined || auth.basic[user] !== text.slice(colon + 1)) {
      throw new RegistryApiError(401, DistributionErrorCode.Unauthorized, 'authentication required', {
        headers: challenge,
      });
    }
    return { account: user };
  }
  const issuer = auth.token;
  const scope = scopeOf(access);
  const challenge = (error?: string) => ({
    'www-authenticate': `Bearer realm="${issuer.realm}",service="${issuer.service}"${scope ? `,scope="${scope}"` : ''}${error ? `,error="${error}"` : ''}`,
  });
  const match = /^bearer\s+(.+)$/i.exec(header);
  if (!match) {
    throw new RegistryApiError(401, DistributionErrorCode.Unauthorized, 'authentication required', {
      headers: challenge(),
    });
  }
  let claims: TokenClaims;
  try {
    claims = issuer.verify(match[1]!.trim());
  } catch (error) {
    throw new RegistryApiError(401, DistributionErrorCode.Unauthorized, (error as Error).message, {
      headers: challenge('invalid_token'),
    });
  }
  for (const needed of access) {
    if (!grants(claims, needed)) {
      throw new RegistryApiError(401, DistributionErrorCode.Unauthorized, 'insufficient scope', {
        headers: challenge('insufficient_scope'),
        detail: [{ Type: needed.type, Name: needed.name, Action: needed.actions.join(',') }],
      });
    }
  }
  return { account: claims.sub, claims };
}

/** The 401 of a token that expired mid-upload. */
export function expiredTokenError(
  auth: TestRegistryAuth,
  access: readonly RequiredAccess[],
): RegistryApiError {
  const issuer = 'token' in auth ? auth.token : undefined;
  const header = issuer
    ? `Bearer realm="${issuer.realm}",service="${issuer.service}",scope="${scopeOf(access)}",error="invalid_token"`
    : `Basic realm="${BASIC_REALM}"`;
  return new RegistryApiError(401, DistributionErrorCode.Unauthorized, 'token expired', {
    headers: { 'www-authenticate': header },
  });
}
