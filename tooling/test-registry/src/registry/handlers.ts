import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type Caller, type TestRegistryAuth, expiredTokenError, grants, requiredAccess } from './auth.js';
import { DistributionErrorCode, RegistryApiError } from './errors.js';
import type { FaultEngine } from './faults.js';
import type { Route } from './router.js';
import type { RegistryStorage } from './storage.js';
import { type UploadSession, type UploadSessions, rangeHeaders } from './uploads.js';
import { ManifestMediaType, digestOf, requireDigest } from './validation.js';

/** The behaviour switches of the test registry (quirks of real registries, strictness). */
export interface TestRegistryQuirks {
  /** Serve `GET /v2/<name>/referrers/<digest>` and answer pushes with `OCI-Subject` (default true). */
  readonly referrersApi?: boolean;
  /** Apply the `artifactType` filter and say so in `OCI-Filters-Applied` (default true). */
  readonly referrersFilter?: boolean;
  /** Refuse manifests whose blobs or child manifests are not in the repository (default true). */
  readonly verifyManifestReferences?: boolean;
  /** Allow DELETE of manifests, tags and blobs (default true; off answers 405 UNSUPPORTED). */
  readonly deletes?: boolean;
  /** Upload `Location`s as paths (`relative`, default) or full URLs (`absolute`, as distribution does). */
  readonly uploadLocation?: 'relative' | 'absolute';
  /** Announce `OCI-Chunk-Min-Length` and refuse smaller PATCH chunks with 416. */
  readonly chunkMinLength?: number;
  /** The most entries of a tag list, catalog or referrers page; more come through `Link` (default: all). */
  readonly pageSize?: number;
  /** The largest manifest accepted (default 4 MiB; larger answers 413). */
  readonly maxManifestBytes?: number;
}

/** The default largest manifest: 4 MiB, the size the spec says registries should accept. */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** What a handler answers; the server applies the body faults before writing it. */
export interface RegistryResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array;
  /** The body is blob or manifest content (the faults that corrupt content act on it). */
  readonly content?: boolean;
}

/** What a handler knows of the request and the registry. */
export interface HandlerContext {
  readonly route: Route;
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
  readonly caller: Caller;
  readonly auth: TestRegistryAuth | undefined;
  readonly storage: RegistryStorage;
  readonly uploads: UploadSessions;
  readonly faults: FaultEngine;
  readonly quirks: TestRegistryQuirks;
  /** The registry origin, `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** The redirect URL of a repository's blob on the storage origin. */
  readonly storageUrlFor: (repository: string, digest: string) => string;
  /** Notes that a fault acted on this request. */
  readonly noteFault: (name: string) => void;
}

const OCTET_STREAM = 'application/octet-stream';
const JSON_TYPE = 'application/json';
const PLAIN_NOT_FOUND: RegistryResponse = {
  status: 404,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: Buffer.from('404 page not found\n'),
};

function json(status: number, value: unknown, headers: Record<string, string> = {}): RegistryResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
    body: Buffer.from(JSON.stringify(value)),
  };
}

function notAllowed(method: string, allow: string): RegistryApiError {
  return new RegistryApiError(405, DistributionErrorCode.Unsupported, `${method}: method not allowed`, {
    headers: { allow },
  });
}

/** Answers one request of the distribution API. */
export async function handle(ctx: HandlerContext): Promise<RegistryResponse> {
  switch (ctx.route.kind) {
    case 'base':
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw notAllowed(ctx.method, 'GET, HEAD');
      return json(200, {});
    case 'catalog':
      if (ctx.method !== 'GET') throw notAllowed(ctx.method, 'GET');
      return catalog(ctx);
    case 'tags':
      if (ctx.method !== 'GET') throw notAllowed(ctx.method, 'GET');
      return tags(ctx);
    case 'manifest':
      return manifest(ctx);
    case 'blob':
      return blob(ctx);
    case 'upload-start':
      if (ctx.method !== 'POST') throw notAllowed(ctx.method, 'POST');
      return startUpload(ctx);
    case 'upload':
      return upload(ctx);
    case 'referrers':
      if (ctx.method !== 'GET') throw notAllowed(ctx.method, 'GET');
      return referrers(ctx);
  }
}

/** One page of a sorted list, with the `Link` to the next one (spec "Listing Tags"). */
function paginate(
  ctx: HandlerContext,
  all: readonly string[],
  path: string,
): { items: string[]; headers: Record<string, string> } {
  const nParam = ctx.url.searchParams.get('n');
  const last = ctx.url.searchParams.get('last');
  let n = nParam === null ? Number.POSITIVE_INFINITY : Number(nParam);
  if (!Number.isInteger(n) && n !== Number.POSITIVE_INFINITY) {
    throw new RegistryApiError(
      400,
      DistributionErrorCode.PaginationNumberInvalid,
      `n=${nParam}: not an integer`,
    );
  }
  if (n < 0)
    throw new RegistryApiError(400, DistributionErrorCode.PaginationNumberInvalid, `n=${nParam}: negative`);
  if (ctx.quirks.pageSize !== undefined) n = Math.min(n, ctx.quirks.pageSize);
  const rest = last === null ? all : all.filter((item) => item > last);
  const items = rest.slice(0, n);
  const headers: Record<string, string> = {};
  if (items.length > 0 && rest.length > items.length) {
    const next = new URLSearchParams({ n: String(n), last: items[items.length - 1]! });
    headers.link = `<${path}?${next}>; rel="next"`;
  }
  return { items, headers };
}

function catalog(ctx: HandlerContext): RegistryResponse {
  const page = paginate(ctx, ctx.storage.repositories(), '/v2/_catalog');
  return json(200, { repositories: page.items }, page.headers);
}

function nameUnknown(name: string): RegistryApiError {
  return new RegistryApiError(
    404,
    DistributionErrorCode.NameUnknown,
    `${name}: repository name not known to registry`,
    {
      detail: { name },
    },
  );
}

function tags(ctx: HandlerContext): RegistryResponse {
  const { name } = ctx.route;
  const all = ctx.storage.tags(name);
  if (!all) throw nameUnknown(name);
  const page = paginate(ctx, all, `/v2/${name}/tags/list`);
  return json(200, { name, tags: page.items }, page.headers);
}

function requireDeletes(ctx: HandlerContext): void {
  if (ctx.quirks.deletes === false) {
    throw new RegistryApiError(405, DistributionErrorCode.Unsupported, 'the operation is unsupported');
  }
}

/** Whether an `Accept` header admits `mediaType` (no header admits everything). */
function accepts(header: string | undefined, mediaType: string): boolean {
  if (!header) return true;
  return header
    .split(',')
    .map((part) => part.split(';')[0]!.trim())
    .some((type) => type === mediaType || type === '*/*');
}

function manifest(ctx: HandlerContext): RegistryResponse {
  const { name, reference } = ctx.route;
  const byDigest = reference.includes(':');
  switch (ctx.method) {
    case 'GET':
    case 'HEAD': {
      if (byDigest) requireDigest(reference);
      const found = ctx.storage.getManifest(name, reference);
      if (!found || !accepts(ctx.headers.accept, found.mediaType)) {
        if (!ctx.storage.hasRepository(name)) throw nameUnknown(name);
        const why = found ? `accept header does not allow ${found.mediaType}` : 'manifest unknown';
        throw new RegistryApiError(404, DistributionErrorCode.ManifestUnknown, `${reference}: ${why}`, {
          detail: { reference },
        });
      }
      return {
        status: 200,
        headers: {
          'content-type': found.mediaType,
          'content-length': String(found.bytes.byteLength),
          'docker-content-digest': found.digest,
          etag: `"${found.digest}"`,
        },
        body: found.bytes,
        content: true,
      };
    }
    case 'PUT': {
      const max = ctx.quirks.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
      if (ctx.body.byteLength > max) {
        throw new RegistryApiError(
          413,
          DistributionErrorCode.SizeInvalid,
          `manifest of ${ctx.body.byteLength} bytes is over ${max}`,
        );
      }
      const stored = ctx.storage.putManifest(name, reference, ctx.body, ctx.headers['content-type'], {
        verifyReferences: ctx.quirks.verifyManifestReferences ?? true,
      });
      const headers: Record<string, string> = {
        location: `/v2/${name}/manifests/${stored.digest}`,
        'docker-content-digest': stored.digest,
        'content-length': '0',
      };
      const subject = stored.parsed.subject;
      if (subject && referrersApiOn(ctx)) headers['oci-subject'] = subject.digest;
      return { status: 201, headers };
    }
    case 'DELETE': {
      requireDeletes(ctx);
      if (byDigest) requireDigest(reference);
      const deleted = byDigest
        ? ctx.storage.deleteManifest(name, reference)
        : ctx.storage.deleteTag(name, reference);
      if (!deleted) {
        if (!ctx.storage.hasRepository(name)) throw nameUnknown(name);
        throw new RegistryApiError(
          404,
          DistributionErrorCode.ManifestUnknown,
          `${reference}: manifest unknown`,
          {
            detail: { reference },
          },
        );
      }
      return { status: 202, headers: { 'content-length': '0' } };
    }
    default:
      throw notAllowed(ctx.method, 'GET, HEAD, PUT, DELETE');
  }
}

/** Parses `Range: bytes=a-b` against a size; undefined when there is no header. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  let start: number;
  let end: number;
  if (match && match[1] !== '') {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  } else if (match && match[2] !== '') {
    start = Math.max(size - Number(match[2]), 0);
    end = size - 1;
  } else {
    start = Number.NaN;
    end = Number.NaN;
  }
  if (!(start <= end) || start >= size) {
    throw new RegistryApiError(416, DistributionErrorCode.RangeInvalid, `range ${header}: not satisfiable`, {
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  return { start, end };
}

/** Answers a blob GET or HEAD from bytes, honouring `Range` (used by both origins). */
export function blobResponse(
  method: string,
  digest: string,
  bytes: Uint8Array,
  rangeHeader?: string,
): RegistryResponse {
  const headers: Record<string, string> = {
    'content-type': OCTET_STREAM,
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
  };
  const range = method === 'GET' ? parseRange(rangeHeader, bytes.byteLength) : undefined;
  if (range) {
    const part = bytes.subarray(range.start, range.end + 1);
    headers['content-range'] = `bytes ${range.start}-${range.end}/${bytes.byteLength}`;
    headers['content-length'] = String(part.byteLength);
    return { status: 206, headers, body: part, content: true };
  }
  headers['content-length'] = String(bytes.byteLength);
  return { status: 200, headers, body: bytes, content: true };
}

function blob(ctx: HandlerContext): RegistryResponse {
  const { name, reference: digest } = ctx.route;
  requireDigest(digest);
  if (ctx.method === 'DELETE') {
    requireDeletes(ctx);
    if (!ctx.storage.deleteBlob(name, digest)) throw blobUnknown(digest);
    return { status: 202, headers: { 'content-length': '0' } };
  }
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw notAllowed(ctx.method, 'GET, HEAD, DELETE');
  const bytes = ctx.storage.getBlob(name, digest);
  if (!bytes) throw blobUnknown(digest);
  const redirect = ctx.faults.take('redirectBlobs', { method: ctx.method, route: 'blob', repository: name });
  if (redirect) {
    ctx.noteFault('redirectBlobs');
    return {
      status: redirect.status ?? 307,
      headers: { location: ctx.storageUrlFor(name, digest), 'content-length': '0' },
    };
  }
  return blobResponse(ctx.method, digest, bytes, ctx.headers.range);
}

function blobUnknown(digest: string): RegistryApiError {
  return new RegistryApiError(404, DistributionErrorCode.BlobUnknown, `${digest}: blob unknown to registry`, {
    detail: { digest },
  });
}

/** Upload state: a fresh opaque `_state` on every step, so clients must follow each `Location`. */
const states = new WeakMap<UploadSession, string>();

function uploadLocation(ctx: HandlerContext, session: UploadSession): string {
  const state = randomBytes(8).toString('hex');
  states.set(session, state);
  const path = `/v2/${session.repository}/blobs/uploads/${session.id}?_state=${state}`;
  return ctx.quirks.uploadLocation === 'absolute' ? `${ctx.baseUrl}${path}` : path;
}

function currentLocation(ctx: HandlerContext, session: UploadSession): string {
  const path = `/v2/${session.repository}/blobs/uploads/${session.id}?_state=${states.get(session)}`;
  return ctx.quirks.uploadLocation === 'absolute' ? `${ctx.baseUrl}${path}` : path;
}

function storeBlob(ctx: HandlerContext, digest: string, bytes: Uint8Array): RegistryResponse {
  const actual = digestOf(bytes, digest);
  if (actual !== digest) {
    throw new RegistryApiError(
      400,
      DistributionErrorCode.DigestInvalid,
      `${digest}: content digests to ${actual}`,
      {
        detail: { digest },
      },
    );
  }
  ctx.storage.putBlob(ctx.route.name, digest, bytes);
  return {
    status: 201,
    headers: {
      location: `/v2/${ctx.route.name}/blobs/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
    },
  };
}

function startUpload(ctx: HandlerContext): RegistryResponse {
  const { name } = ctx.route;
  const query = ctx.url.searchParams;
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount !== null) {
    requireDigest(mount);
    const mayPull =
      from !== null && grants(ctx.caller.claims, { type: 'repository', name: from, actions: ['pull'] });
    if (from !== null && mayPull && ctx.storage.mountBlob(name, from, mount)) {
      return {
        status: 201,
        headers: {
          location: `/v2/${name}/blobs/${mount}`,
          'docker-content-digest': mount,
          'content-length': '0',
        },
      };
    }
  }
  const digest = query.get('digest');
  if (digest !== null) {
    requireDigest(digest);
    return storeBlob(ctx, digest, ctx.body);
  }
  const session = ctx.uploads.create(name, ctx.caller.claims?.jti);
  const headers: Record<string, string> = {
    location: uploadLocation(ctx, session),
    ...rangeHeaders(session),
    'content-length': '0',
  };
  if (ctx.quirks.chunkMinLength !== undefined)
    headers['oci-chunk-min-length'] = String(ctx.quirks.chunkMinLength);
  return { status: 202, headers };
}

function upload(ctx: HandlerContext): RegistryResponse {
  const { name, reference: id } = ctx.route;
  const session = ctx.uploads.get(name, id);
  if (ctx.method === 'DELETE') {
    ctx.uploads.cancel(id);
    return { status: 204, headers: {} };
  }
  if (ctx.url.searchParams.get('_state') !== states.get(session)) {
    throw new RegistryApiError(
      400,
      DistributionErrorCode.BlobUploadInvalid,
      `${id}: stale or missing _state (use the Location of the last answer)`,
    );
  }
  if (ctx.method === 'GET') {
    return { status: 204, headers: { location: uploadLocation(ctx, session), ...rangeHeaders(session) } };
  }
  if (ctx.method !== 'PATCH' && ctx.method !== 'PUT') throw notAllowed(ctx.method, 'GET, PATCH, PUT, DELETE');
  if (
    expiresNow(ctx.faults.current.expireTokensMidUpload, ctx.faults.fired('expireTokensMidUpload')) &&
    ctx.auth &&
    session.startedWithToken !== undefined &&
    !session.tokenExpired &&
    ctx.caller.claims?.jti === session.startedWithToken
  ) {
    session.tokenExpired = true;
    ctx.faults.count('expireTokensMidUpload');
    ctx.noteFault('expireTokensMidUpload');
    throw expiredTokenError(ctx.auth, requiredAccess(ctx.route, ctx.method));
  }
  const range = ctx.headers['content-range'];
  const withLocation = (error: unknown) => {
    if (error instanceof RegistryApiError && error.status === 416) {
      return new RegistryApiError(error.status, error.errorCode, error.message, {
        headers: { ...error.headers, location: currentLocation(ctx, session) },
      });
    }
    return error;
  };
  if (ctx.method === 'PATCH') {
    const max = ctx.faults.current.maxChunkSize;
    if (max !== undefined && ctx.body.byteLength > max) {
      ctx.faults.count('maxChunkSize');
      ctx.noteFault('maxChunkSize');
      throw withLocation(
        new RegistryApiError(
          416,
          DistributionErrorCode.SizeInvalid,
          `chunk of ${ctx.body.byteLength} bytes exceeds the maximum of ${max}`,
          {
            headers: rangeHeaders(session),
          },
        ),
      );
    }
    // Only the final chunk may be under OCI-Chunk-Min-Length: a chunk after a short one proves
    // the short one was not final.
    const min = ctx.quirks.chunkMinLength;
    if (min !== undefined && session.shortChunk) {
      throw withLocation(
        new RegistryApiError(
          416,
          DistributionErrorCode.SizeInvalid,
          `an earlier chunk was under the minimum of ${min} bytes and not the last`,
          { headers: rangeHeaders(session) },
        ),
      );
    }
    try {
      ctx.uploads.append(session, ctx.body, range);
    } catch (error) {
      throw withLocation(error);
    }
    if (min !== undefined && ctx.body.byteLength < min) session.shortChunk = true;
    return {
      status: 202,
      headers: { location: uploadLocation(ctx, session), ...rangeHeaders(session), 'content-length': '0' },
    };
  }
  const digest = ctx.url.searchParams.get('digest');
  if (digest === null) {
    throw new RegistryApiError(400, DistributionErrorCode.DigestInvalid, `${id}: PUT needs ?digest=`);
  }
  requireDigest(digest);
  if (ctx.body.byteLength > 0 || range !== undefined) {
    try {
      ctx.uploads.append(session, ctx.body, range);
    } catch (error) {
      throw withLocation(error);
    }
  }
  const bytes = ctx.uploads.finish(session);
  return storeBlob(ctx, digest, bytes);
}

function referrersApiOn(ctx: HandlerContext): boolean {
  return (ctx.quirks.referrersApi ?? true) && !ctx.faults.current.falseReferrers;
}

function referrers(ctx: HandlerContext): RegistryResponse {
  const { name, reference: digest } = ctx.route;
  const falseOk = ctx.faults.take('falseReferrers', {
    method: ctx.method,
    route: 'referrers',
    repository: name,
  });
  if (falseOk) {
    ctx.noteFault('falseReferrers');
    return {
      status: 200,
      headers: { 'content-type': falseOk.contentType ?? 'text/html; charset=utf-8' },
      body: Buffer.from(falseOk.body ?? '<!doctype html><html><body>registry</body></html>\n'),
    };
  }
  if (!referrersApiOn(ctx)) return PLAIN_NOT_FOUND;
  requireDigest(digest);
  // A registry with the API never answers 404 here, not even for an unknown repository.
  let list = ctx.storage.referrers(name, digest);
  const headers: Record<string, string> = { 'content-type': ManifestMediaType.OciIndex };
  const wanted = ctx.url.searchParams.getAll('artifactType');
  if (wanted.length > 0 && (ctx.quirks.referrersFilter ?? true)) {
    list = list.filter((d) => d.artifactType !== undefined && wanted.includes(d.artifactType));
    headers['oci-filters-applied'] = 'artifactType';
  }
  const pageSize = ctx.quirks.pageSize;
  const after = ctx.url.searchParams.get('last');
  if (after !== null) list = list.slice(list.findIndex((d) => d.digest === after) + 1);
  if (pageSize !== undefined && list.length > pageSize) {
    list = list.slice(0, pageSize);
    const next = new URLSearchParams(wanted.map((w): [string, string] => ['artifactType', w]));
    next.set('last', list[list.length - 1]!.digest);
    headers.link = `</v2/${name}/referrers/${digest}?${next}>; rel="next"`;
  }
  const index = { schemaVersion: 2, mediaType: ManifestMediaType.OciIndex, manifests: list };
  return { status: 200, headers, body: Buffer.from(JSON.stringify(index)) };
}

/** Whether the token-expiry fault still acts, after it has acted `fired` times. */
function expiresNow(setting: boolean | { readonly times: number } | undefined, fired: number): boolean {
  if (setting === undefined || setting === false) return false;
  return setting === true || fired < setting.times;
}
