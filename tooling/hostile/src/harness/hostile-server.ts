/**
 * A registry that lies: a bare `node:http` server on 127.0.0.1 (port 0) whose answers each case
 * writes itself, for what the test registry is too honest to do (a 100 MiB manifest, a million
 * tags, `Link` and `Location` headers to other origins, token realms on private addresses, a
 * referrers graph with a cycle). It logs every request it gets.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request the server got. */
export interface HostileRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Over TLS: whether the client presented a certificate. */
  readonly clientCertificate: boolean;
}

/** Options of {@link startHostileServer}. */
export interface HostileServerOptions {
  /** Serve HTTPS with this certificate, asking every client for its certificate (never requiring one). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** Writes the answer to one request; returning false (or nothing written) means 404. */
export type HostileHandler = (req: HostileRequest, res: ServerResponse) => unknown | Promise<unknown>;

/** A running lying registry. */
export interface HostileServer {
  /** `http(s)://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly port: number;
  /** Every request so far. */
  readonly requests: HostileRequest[];
  /** Replaces the handler. */
  setHandler(handler: HostileHandler): void;
  /** Stops the server; rejects when a handler threw or returned false after starting an answer. */
  close(): Promise<void>;
}

/** Starts a server that answers with `handler`. */
export async function startHostileServer(
  handler: HostileHandler,
  options: HostileServerOptions = {},
): Promise<HostileServer> {
  let current = handler;
  const requests: HostileRequest[] = [];
  const mistakes: string[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', async () => {
      const request: HostileRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks),
        clientCertificate:
          options.tls !== undefined &&
          Object.keys((req.socket as TLSSocket).getPeerCertificate?.() ?? {}).length > 0,
      };
      requests.push(request);
      const what = `${request.method} ${request.url.pathname}`;
      try {
        const handled = await current(request, res);
        if (handled === false && res.headersSent) {
          // the case's mistake, not a lie it tells: answering 404 now would throw, and the
          // connection would be cut under the client at a moment that depends on the scheduler
          mistakes.push(`the handler of ${what} returned false after starting its answer`);
        } else if (!res.headersSent && !res.writableEnded) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"not here"}]}');
        }
      } catch (err) {
        mistakes.push(`the handler of ${what} threw: ${(err as Error).message}`);
        res.destroy();
      }
    });
  };
  const server = options.tls
    ? createTlsServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, listener)
    : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    setHandler(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (mistakes.length > 0) throw new Error(`hostile server: ${mistakes.join('; ')}`);
    },
  };
}

/** Content a lying registry serves honestly: by digest, and manifests also by tag. */
export interface ServedContent {
  /** digest -> media type and bytes. */
  readonly blobs: ReadonlyMap<string, { readonly mediaType: string; readonly bytes: Uint8Array }>;
  /** tag -> digest of a manifest. */
  readonly tags?: ReadonlyMap<string, string>;
}

/**
 * Answers `/v2/`, and HEAD/GET of manifests and blobs from `content` (any repository); returns
 * false for anything else, so a case's handler can answer the rest.
 */
export function serveContent(req: HostileRequest, res: ServerResponse, content: ServedContent): boolean {
  if (req.url.pathname === '/v2/' || req.url.pathname === '/v2') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
    return true;
  }
  const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(req.url.pathname);
  if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const reference = decodeURIComponent(match[3]!);
  const digest = content.tags?.get(reference) ?? reference;
  const item = content.blobs.get(digest);
  if (!item) return false;
  res.writeHead(200, {
    'content-type': match[2] === 'manifests' ? item.mediaType : 'application/octet-stream',
    'content-length': String(item.bytes.byteLength),
    'docker-content-digest': digest,
  });
  res.end(req.method === 'HEAD' ? undefined : item.bytes);
  return true;
}
