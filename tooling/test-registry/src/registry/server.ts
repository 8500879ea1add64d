import { createHmac, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { LOOPBACK } from '../free-port.js';
import { type TestRegistryAuth, authorize, requiredAccess } from './auth.js';
import { DistributionErrorCode, RegistryApiError } from './errors.js';
import { FaultEngine, type TestRegistryFaults } from './faults.js';
import { type RegistryResponse, type TestRegistryQuirks, blobResponse, handle } from './handlers.js';
import { type RequestLog, RequestLog as Log, type RequestOrigin, type RequestRecord } from './request-log.js';
import { type Route, matchRoute } from './router.js';
import { RegistryStorage } from './storage.js';
import { UploadSessions } from './uploads.js';
import { isSupportedDigest } from './validation.js';

/** Options of {@link startTestRegistry}: auth, faults from the start, and the quirk switches. */
export interface TestRegistryOptions extends TestRegistryQuirks {
  /** Authentication (default none). */
  readonly auth?: TestRegistryAuth;
  /** Faults in force from the start (see {@link TestRegistry.setFaults}). */
  readonly faults?: TestRegistryFaults;
}

/** A running in-process registry. */
export interface TestRegistry {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`: the registry part of a reference. */
  readonly host: string;
  readonly port: number;
  /** The storage origin that blob redirects point to (another port). */
  readonly storageUrl: string;
  /** Every request to either origin, in arrival order (a live array). */
  readonly requests: RequestRecord[];
  /** Forgets the logged requests. */
  clearRequests(): void;
  /** Replaces the faults in force (`{}` turns them all off) and resets their counters. */
  setFaults(faults: TestRegistryFaults): void;
  /** How many requests a fault has acted on since the last {@link setFaults}. */
  faultCount(name: keyof TestRegistryFaults): number;
  /** Changes quirk switches; unnamed ones keep their value. */
  setQuirks(quirks: TestRegistryQuirks): void;
  /** The content, for tests that seed or inspect it without HTTP. */
  readonly storage: RegistryStorage;
  /** How many uploads are open. */
  openUploads(): number;
  /** Stops both origins and drops every connection. */
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 512 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        req.destroy(new Error('request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/** Reads `afterBytes` of the request body (or all of a shorter one), then destroys the socket. */
function receiveThenDrop(req: IncomingMessage, afterBytes: number): Promise<number> {
  return new Promise((resolve) => {
    let received = 0;
    const drop = () => {
      req.socket.destroy();
      resolve(received);
    };
    if (afterBytes <= 0) return drop();
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= afterBytes) drop();
    });
    req.on('end', drop);
    req.on('error', () => resolve(received));
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts an in-memory registry of the OCI distribution spec v1.1 on 127.0.0.1 (port 0), with the
 * referrers API, chunked and monolithic uploads, mounts, deletes, `Link` pagination, strict
 * validation of what it receives, switchable faults and quirks, and a request log.
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md
 */
export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const { auth, faults: initialFaults, ...initialQuirks } = options;
  let quirks: TestRegistryQuirks = initialQuirks;
  const storage = new RegistryStorage();
  const uploads = new UploadSessions();
  const faults = new FaultEngine();
  faults.set(initialFaults ?? {});
  const log: RequestLog = new Log();
  const signingKey = randomBytes(16);
  const registry = createServer();
  const blobStore = createServer();
  const port = await listen(registry);
  let storagePort: number;
  try {
    storagePort = await listen(blobStore);
  } catch (error) {
    await shut(registry);
    throw error;
  }
  const baseUrl = `http://${LOOPBACK}:${port}`;
  const storageUrl = `http://${LOOPBACK}:${storagePort}`;
  const sign = (digest: string) => createHmac('sha256', signingKey).update(digest).digest('hex');

  function record(origin: RequestOrigin, req: IncomingMessage, url: URL): RequestRecord {
    return log.add({
      origin,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      query: url.searchParams,
      headers: { ...req.headers },
      bodyBytes: 0,
      status: 0,
      faults: [],
    });
  }

  function errorResponse(error: unknown): RegistryResponse {
    const e =
      error instanceof RegistryApiError
        ? error
        : new RegistryApiError(
            500,
            DistributionErrorCode.Unknown,
            `internal error: ${(error as Error)?.message ?? error}`,
          );
    const body = e.body();
    return {
      status: e.status,
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.byteLength),
        ...e.headers,
      },
      body,
    };
  }

  async function write(
    req: IncomingMessage,
    res: ServerResponse,
    rec: RequestRecord,
    response: RegistryResponse,
    route: Route | undefined,
    bodyDelayMs = 0,
  ): Promise<void> {
    const headers: Record<string, string> = { ...response.headers };
    let body = response.body;
    const target = { method: rec.method, route: route?.kind, repository: route?.name };
    const contentGet = response.content && rec.method === 'GET' && body !== undefined;
    let dropAfter: number | undefined;
    if (contentGet && body) {
      const corrupt = faults.take('corruptBlob', target);
      if (corrupt && body.byteLength > 0) {
        rec.faults.push('corruptBlob');
        const copy = Buffer.from(body);
        const at = Math.min(corrupt.offset ?? Math.floor(copy.byteLength / 2), copy.byteLength - 1);
        copy[at] = copy[at]! ^ 0xff;
        body = copy;
      }
      const truncate = faults.take('truncateBody', target);
      if (truncate) {
        rec.faults.push('truncateBody');
        body = body.subarray(0, Math.min(truncate.bytes, body.byteLength));
        headers['content-length'] = String(body.byteLength);
      }
      const drop = faults.take('dropConnection', target);
      if (drop) {
        rec.faults.push('dropConnection');
        dropAfter = Math.min(drop.afterBytes, body.byteLength);
      }
    }
    if (body && headers['content-length'] === undefined) headers['content-length'] = String(body.byteLength);
    headers['docker-distribution-api-version'] = 'registry/2.0';
    rec.status = response.status;
    res.writeHead(response.status, headers);
    if (bodyDelayMs > 0 && req.method !== 'HEAD' && body) {
      res.flushHeaders();
      await sleep(bodyDelayMs);
    }
    if (req.method === 'HEAD' || !body) {
      res.end();
      return;
    }
    if (dropAfter !== undefined) {
      const part = body.subarray(0, dropAfter);
      res.flushHeaders();
      res.write(part, () => setImmediate(() => res.socket?.destroy()));
      return;
    }
    res.end(body);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const rec = record('registry', req, url);
    let route: Route | undefined;
    try {
      route = matchRoute(url.pathname);
    } catch (error) {
      await readBody(req);
      return write(req, res, rec, errorResponse(error), undefined);
    }
    if (route) {
      rec.route = route.kind;
      if (route.name) rec.repository = route.name;
    }
    const target = { method: rec.method, route: route?.kind, repository: route?.name };
    // On requests that carry a body, dropConnection cuts the upload: nothing of it is stored.
    const cut = BODY_METHODS.has(rec.method) ? faults.take('dropConnection', target) : undefined;
    if (cut) {
      rec.faults.push('dropConnection');
      rec.bodyBytes = await receiveThenDrop(req, cut.afterBytes);
      return;
    }
    const body = await readBody(req);
    rec.bodyBytes = body.byteLength;
    const slow = faults.take('slow', target);
    if (slow) {
      rec.faults.push('slow');
      await sleep(slow.delayMs);
    }
    const respond = (response: RegistryResponse) => write(req, res, rec, response, route, slow?.bodyDelayMs);
    const throttle = faults.take('tooManyRequests', target);
    if (throttle) {
      rec.faults.push('tooManyRequests');
      return respond(
        errorResponse(
          new RegistryApiError(429, DistributionErrorCode.TooManyRequests, 'too many requests', {
            headers: { 'retry-after': String(throttle.retryAfter ?? 1) },
          }),
        ),
      );
    }
    const failure = faults.take('serverError', target);
    if (failure) {
      rec.faults.push('serverError');
      return respond(
        errorResponse(
          new RegistryApiError(failure.status ?? 500, DistributionErrorCode.Unknown, 'injected server error'),
        ),
      );
    }
    if (!route) {
      return respond({
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: Buffer.from('404 page not found\n'),
      });
    }
    try {
      const caller = authorize(auth, req.headers, requiredAccess(route, rec.method));
      const response = await handle({
        route,
        method: rec.method,
        url,
        headers: req.headers,
        body,
        caller,
        auth,
        storage,
        uploads,
        faults,
        quirks,
        baseUrl,
        storageUrlFor: (repository, digest) =>
          `${storageUrl}/blobs/${digest}?${new URLSearchParams({ repo: repository, sig: sign(`${repository}@${digest}`) })}`,
        noteFault: (name) => rec.faults.push(name),
      });
      return respond(response);
    } catch (error) {
      return respond(errorResponse(error));
    }
  }

  /** The storage origin: serves redirected blobs, refuses `Authorization` as S3 and Azure do. */
  async function serveStorage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', storageUrl);
    const rec = record('storage', req, url);
    await readBody(req);
    const send = (status: number, type: string, text: string) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const match = /^\/blobs\/([^/]+)$/.exec(url.pathname);
    if (!match || (req.method !== 'GET' && req.method !== 'HEAD'))
      return send(404, 'text/plain', 'not found\n');
    if (req.headers.authorization !== undefined) {
      return send(
        400,
        'application/xml',
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>',
      );
    }
    const digest = match[1]!;
    const repository = url.searchParams.get('repo') ?? '';
    rec.route = 'blob';
    rec.repository = repository;
    const bytes = isSupportedDigest(digest) ? storage.getBlob(repository, digest) : undefined;
    if (!bytes || url.searchParams.get('sig') !== sign(`${repository}@${digest}`)) {
      return send(403, 'application/xml', '<Error><Code>AccessDenied</Code></Error>');
    }
    try {
      const response = blobResponse(req.method, digest, bytes, req.headers.range);
      delete response.headers['docker-content-digest'];
      return write(req, res, rec, response, { kind: 'blob', name: repository, reference: digest });
    } catch (error) {
      return write(req, res, rec, errorResponse(error), undefined);
    }
  }

  const guard =
    (fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      fn(req, res).catch(() => res.destroy());
    };
  registry.on('request', guard(serve));
  blobStore.on('request', guard(serveStorage));

  return {
    url: baseUrl,
    host: `${LOOPBACK}:${port}`,
    port,
    storageUrl,
    requests: log.records,
    clearRequests: () => log.clear(),
    setFaults: (next) => faults.set(next),
    faultCount: (name) => faults.fired(name),
    setQuirks: (next) => {
      quirks = { ...quirks, ...next };
    },
    storage,
    openUploads: () => uploads.size,
    async close() {
      await Promise.all([shut(registry), shut(blobStore)]);
    },
  };
}
