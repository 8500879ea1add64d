/**
 * A tiny HTTP client for the registries' own tests: node:http(s), no redirects followed, the whole
 * body in memory. Our real client does not exist yet, and these tests must not depend on it.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash } from 'node:crypto';

/** One answer, body read to the end. */
export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body as text. */
  readonly text: string;
}

/** Options of {@link http}. */
export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: Uint8Array | string;
  /** CA to trust for https. */
  readonly ca?: string;
}

/** Sends one request and reads the answer; rejects when the connection fails or breaks. */
export function http(url: string | URL, options: HttpOptions = {}): Promise<HttpResult> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'GET', headers: { ...options.headers }, ca: options.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          if (!res.complete) return reject(new Error('response ended early'));
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The sha256 digest of some bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Resolves a `Location` header against the URL that answered. */
export function resolveLocation(base: string, location: string | string[] | undefined): string {
  if (typeof location !== 'string') throw new Error(`no Location header (${String(location)})`);
  return new URL(location, base).toString();
}

/** What a push or pull needs: the registry URL, extra headers, the CA. */
export interface Endpoint {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly ca?: string;
}

/** Pushes a blob monolithically (POST, then PUT with the digest); returns the digest. */
export async function pushBlob(ep: Endpoint, repo: string, bytes: Uint8Array | string): Promise<string> {
  const digest = sha256(bytes);
  const start = await http(`${ep.url}/v2/${repo}/blobs/uploads/`, {
    method: 'POST',
    headers: { ...ep.headers },
    ca: ep.ca,
  });
  if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${start.text}`);
  const location = new URL(resolveLocation(ep.url, start.headers.location));
  location.searchParams.set('digest', digest);
  const put = await http(location, {
    method: 'PUT',
    headers: {
      ...ep.headers,
      'content-type': 'application/octet-stream',
      'content-length': Buffer.byteLength(bytes),
    },
    body: bytes,
    ca: ep.ca,
  });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${put.text}`);
  return digest;
}

/** An OCI image manifest for these blobs, as bytes. */
export function imageManifest(
  config: { digest: string; size: number },
  layers: readonly { digest: string; size: number }[],
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
    ...extra,
  });
}
