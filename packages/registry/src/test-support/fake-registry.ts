/**
 * A small in-memory OCI registry on node:http for this package's tests (127.0.0.1, port 0): blobs
 * with ranged GET, monolithic, streamed and chunked uploads with upload status, mounts, manifests by
 * tag and digest, tag and catalog listing with `Link`, and an optional referrers API. A `fault`
 * hook lets a test answer any request itself.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRegistryOptions {
  /** Serve `/v2/<name>/referrers/<digest>` (default false, like distribution v2.8). */
  referrersApi?: boolean;
  /** Send `OCI-Subject` on manifest pushes with a subject (default: same as referrersApi). */
  ociSubject?: boolean;
  /** Send `OCI-Chunk-Min-Length` on upload start. */
  chunkMinLength?: number;
  /** Refuse PATCH bodies larger than this (413), like proxies with request caps. */
  maxPatchBytes?: number;
  /** Leave out `Docker-Content-Digest` on manifest HEAD and GET. */
  omitDigestHeader?: boolean;
  /** Apply `artifactType` filters on the referrers API (default true). */
  filterReferrers?: boolean;
  /** Page size of the referrers API (default: no paging). */
  referrersPageSize?: number;
  /** Serve blob GETs as redirects to this function's URL. */
  blobRedirect?: (digest: string) => string | undefined;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** A test hook: return true when it answered the request itself. */
export type Fault = (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean | Promise<boolean>;

interface Upload {
  repo: string;
  chunks: Buffer[];
  size: number;
}

interface StoredManifest {
  mediaType: string;
  bytes: Buffer;
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface FakeRegistry {
  url: string;
  host: string;
  requests: RecordedRequest[];
  blobs: Map<string, Buffer>;
  repoBlobs: Map<string, Set<string>>;
  manifests: Map<string, Map<string, StoredManifest>>;
  tags: Map<string, Map<string, string>>;
  uploads: Map<string, Upload>;
  options: FakeRegistryOptions;
  fault: Fault | undefined;
  close(): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number> = {},
  body?: Buffer | string,
): void {
  res.writeHead(status, headers);
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify({ errors: [{ code, message }] }));
}

function page<T>(items: T[], url: URL, base: string, key: (t: T) => string): { items: T[]; link?: string } {
  const n = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  let list = items;
  if (last) list = list.filter((t) => key(t) > last);
  if (n === null) return { items: list };
  const size = Number(n);
  const out = list.slice(0, size);
  if (list.length > size && out.length > 0) {
    const next = new URL(base, url);
    next.searchParams.set('n', String(size));
    next.searchParams.set('last', key(out[out.length - 1]!));
    return { items: out, link: `<${next.pathname}${next.search}>; rel="next"` };
  }
  return { items: out };
}

/** Starts the fake registry. */
export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const registry: FakeRegistry = {
    url: '',
    host: '',
    requests: [],
    blobs: new Map(),
    repoBlobs: new Map(),
    manifests: new Map(),
    tags: new Map(),
    uploads: new Map(),
    options,
    fault: undefined,
    close: async () => {},
  };
  const repoSet = <T>(map: Map<string, T>, repo: string, make: () => T): T => {
    let v = map.get(repo);
    if (!v) {
      v = make();
      map.set(repo, v);
    }
    return v;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/v2/' || path === '/v2')
      return send(res, 200, { 'content-type': 'application/json' }, '{}');
    if (path === '/v2/_catalog') {
      const names = [...new Set([...registry.manifests.keys(), ...registry.repoBlobs.keys()])].sort();
      const p = page(names, url, '/v2/_catalog', (s) => s);
      return send(
        res,
        200,
        { 'content-type': 'application/json', ...(p.link ? { link: p.link } : {}) },
        JSON.stringify({ repositories: p.items }),
      );
    }
    let m = /^\/v2\/(.+)\/tags\/list$/.exec(path);
    if (m) {
      const repo = m[1]!;
      const tags = registry.tags.get(repo);
      if (!tags) return error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
      const p = page([...tags.keys()].sort(), url, `/v2/${repo}/tags/list`, (s) => s);
      return send(
        res,
        200,
        { 'content-type': 'application/json', ...(p.link ? { link: p.link } : {}) },
        JSON.stringify({ name: repo, tags: p.items }),
      );
    }
    m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path);
    if (m && options.referrersApi) {
      const [, repo, subject] = m as unknown as [string, string, string];
      const manifests = registry.manifests.get(repo) ?? new Map<string, StoredManifest>();
      let list: Record<string, unknown>[] = [];
      for (const [digest, stored] of manifests) {
        const doc = JSON.parse(stored.bytes.toString()) as Record<string, unknown>;
        const subj = doc.subject as { digest?: string } | undefined;
        if (subj?.digest !== subject) continue;
        const config = doc.config as { mediaType?: string } | undefined;
        list.push({
          mediaType: stored.mediaType,
          digest,
          size: stored.bytes.length,
          artifactType: (doc.artifactType as string | undefined) ?? config?.mediaType,
          ...(doc.annotations ? { annotations: doc.annotations } : {}),
        });
      }
      list.sort((a, b) => String(a.digest).localeCompare(String(b.digest)));
      const filter = url.searchParams.get('artifactType');
      const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
      if (filter && options.filterReferrers !== false) {
        list = list.filter((d) => d.artifactType === filter);
        headers['oci-filters-applied'] = 'artifactType';
      }
      const size = options.referrersPageSize;
      if (size !== undefined) {
        const start = Number(url.searchParams.get('cursor') ?? '0');
        const next = start + size;
        if (next < list.length) {
          const nextUrl = new URL(`http://x${path}`);
          if (filter) nextUrl.searchParams.set('artifactType', filter);
          nextUrl.searchParams.set('cursor', String(next));
          headers.link = `<${nextUrl.pathname}${nextUrl.search}>; rel="next"`;
        }
        list = list.slice(start, next);
      }
      return send(
        res,
        200,
        headers,
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: list,
        }),
      );
    }
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m) {
      const [, repo, ref] = m as unknown as [string, string, string];
      const manifests = repoSet(registry.manifests, repo, () => new Map<string, StoredManifest>());
      const tags = repoSet(registry.tags, repo, () => new Map<string, string>());
      if (method === 'PUT') {
        const mediaType = req.headers['content-type'] ?? '';
        const digest = sha256(body);
        if (ref.includes(':') && ref !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        manifests.set(digest, { mediaType, bytes: body });
        if (!ref.includes(':')) tags.set(ref, digest);
        const headers: Record<string, string> = {
          'docker-content-digest': digest,
          location: `/v2/${repo}/manifests/${digest}`,
        };
        const doc = JSON.parse(body.toString()) as { subject?: { digest: string } };
        if (doc.subject && (options.ociSubject ?? options.referrersApi))
          headers['oci-subject'] = doc.subject.digest;
        return send(res, 201, headers);
      }
      const digest = ref.includes(':') ? ref : tags.get(ref);
      const stored = digest === undefined ? undefined : manifests.get(digest);
      if (method === 'DELETE') {
        if (!digest || !stored) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        manifests.delete(digest);
        for (const [tag, d] of tags) if (d === digest) tags.delete(tag);
        return send(res, 202);
      }
      if (!digest || !stored) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      const headers: Record<string, string | number> = {
        'content-type': stored.mediaType,
        'content-length': stored.bytes.length,
      };
      if (!options.omitDigestHeader) headers['docker-content-digest'] = digest;
      return send(res, 200, headers, method === 'HEAD' ? undefined : stored.bytes);
    }
    m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path);
    if (m) {
      const [, repo, id] = m as unknown as [string, string, string];
      if (method === 'POST') {
        const mount = url.searchParams.get('mount');
        const from = url.searchParams.get('from');
        if (mount && from && registry.repoBlobs.get(from)?.has(mount)) {
          repoSet(registry.repoBlobs, repo, () => new Set()).add(mount);
          return send(res, 201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount });
        }
        const digest = url.searchParams.get('digest');
        if (digest) {
          if (sha256(body) !== digest) return error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
          registry.blobs.set(digest, body);
          repoSet(registry.repoBlobs, repo, () => new Set()).add(digest);
          return send(res, 201, { location: `/v2/${repo}/blobs/${digest}` });
        }
        const uid = randomUUID();
        registry.uploads.set(uid, { repo, chunks: [], size: 0 });
        const headers: Record<string, string | number> = {
          location: `/v2/${repo}/blobs/uploads/${uid}?_state=s${uid}`,
          range: '0-0',
        };
        if (options.chunkMinLength) headers['oci-chunk-min-length'] = options.chunkMinLength;
        return send(res, 202, headers);
      }
      const upload = registry.uploads.get(id);
      if (!upload) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown');
      const location = `/v2/${repo}/blobs/uploads/${id}?_state=s${id}-${upload.size}`;
      const range = (): string => `0-${Math.max(0, upload.size - 1)}`;
      if (method === 'GET') return send(res, 204, { location, range: range() });
      if (method === 'DELETE') {
        registry.uploads.delete(id);
        return send(res, 204);
      }
      if (method === 'PATCH') {
        if (options.maxPatchBytes !== undefined && body.length > options.maxPatchBytes) {
          return error(res, 413, 'SIZE_INVALID', 'request entity too large');
        }
        const cr = req.headers['content-range'];
        if (cr !== undefined) {
          const mm = /^(\d+)-(\d+)$/.exec(cr);
          if (!mm || Number(mm[1]) !== upload.size || Number(mm[2]) - Number(mm[1]) + 1 !== body.length) {
            return send(res, 416, { location, range: range() });
          }
        }
        upload.chunks.push(body);
        upload.size += body.length;
        return send(res, 202, {
          location: `/v2/${repo}/blobs/uploads/${id}?_state=s${id}-${upload.size}`,
          range: range(),
        });
      }
      if (method === 'PUT') {
        if (body.length > 0) {
          upload.chunks.push(body);
          upload.size += body.length;
        }
        const all = Buffer.concat(upload.chunks);
        const digest = url.searchParams.get('digest') ?? '';
        registry.uploads.delete(id);
        if (sha256(all) !== digest)
          return error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
        registry.blobs.set(digest, all);
        repoSet(registry.repoBlobs, repo, () => new Set()).add(digest);
        return send(res, 201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
      }
    }
    m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path);
    if (m) {
      const [, repo, digest] = m as unknown as [string, string, string];
      const has = registry.repoBlobs.get(repo)?.has(digest) ?? false;
      const blob = registry.blobs.get(digest);
      if (!has || !blob) return error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
      if (method === 'DELETE') {
        registry.repoBlobs.get(repo)?.delete(digest);
        return send(res, 202);
      }
      const redirect = options.blobRedirect?.(digest);
      if (redirect && method === 'GET') return send(res, 307, { location: redirect });
      const rangeHeader = req.headers.range;
      const rm = rangeHeader ? /^bytes=(\d+)-(\d*)$/.exec(rangeHeader) : null;
      if (rm) {
        const start = Number(rm[1]);
        const end = rm[2] ? Number(rm[2]) : blob.length - 1;
        if (start >= blob.length) return send(res, 416, { 'content-range': `bytes */${blob.length}` });
        const part = blob.subarray(start, end + 1);
        return send(
          res,
          206,
          {
            'content-length': part.length,
            'content-range': `bytes ${start}-${end}/${blob.length}`,
            'docker-content-digest': digest,
          },
          method === 'HEAD' ? undefined : part,
        );
      }
      return send(
        res,
        200,
        {
          'content-length': blob.length,
          'content-type': 'application/octet-stream',
          'docker-content-digest': digest,
          'accept-ranges': 'bytes',
        },
        method === 'HEAD' ? undefined : blob,
      );
    }
    error(res, 404, 'NOT_FOUND', 'no route');
  };

  const server = createServer((req, res) => {
    registry.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void (async () => {
        try {
          if (registry.fault && (await registry.fault(req, res, body))) return;
          await handle(req, res, body);
        } catch (err) {
          if (!res.headersSent) error(res, 500, 'UNKNOWN', String(err));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  registry.host = `127.0.0.1:${port}`;
  registry.url = `http://${registry.host}`;
  registry.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return registry;
}
