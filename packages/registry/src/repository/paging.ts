/**
 * Paginated lists (tags, the catalog, referrers): follow `Link: <...>; rel="next"` on the
 * registry's origin, at most a given number of pages, so a registry cannot keep a client
 * listing forever.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
import { InvalidManifestError, NotFoundError, TooManyPagesError } from '@oras/spec';
import {
  discard,
  type RegistryRequest,
  type RegistryResponse,
  readCapped,
  toResponseError,
} from '../http.js';
import { parseNextLink } from '../urls.js';

/**
 * Yields the response of each page, from `first` on, following the `Link` header of each; the
 * caller reads or discards a response before asking for the next. Past `maxPages`, rejects with
 * `TooManyPagesError` (`what` names the list).
 */
export async function* followLinks(
  first: URL,
  maxPages: number,
  what: string,
  get: (url: URL) => Promise<RegistryResponse>,
): AsyncGenerator<RegistryResponse> {
  let url: URL | undefined = first;
  for (let page = 0; url; page++) {
    if (page >= maxPages) throw new TooManyPagesError(`${what}: more than ${maxPages} pages`);
    const res: RegistryResponse = await get(url);
    yield res;
    url = parseNextLink(res.headers.link, res.url);
  }
}

/**
 * Follows a paginated list of names (`tags/list` or `_catalog`), yielding each page's names.
 * @internal
 */
export async function* paginate(
  send: (req: RegistryRequest) => Promise<RegistryResponse>,
  start: URL,
  scopes: readonly string[],
  maxPages: number,
  maxBytes: number,
  key: 'tags' | 'repositories',
  signal: AbortSignal | undefined,
): AsyncGenerator<string[]> {
  const where = `${start.origin}${start.pathname}`;
  const pages = followLinks(start, maxPages, where, (url) =>
    send({ method: 'GET', url, scopes, ...(signal ? { signal } : {}) }),
  );
  for await (const res of pages) {
    if (res.statusCode === 404 && key === 'tags') {
      await discard(res);
      throw new NotFoundError(`${where}: repository not found`);
    }
    if (res.statusCode !== 200) throw await toResponseError('GET', res);
    const bytes = await readCapped(res.body, maxBytes, `${start.pathname}`);
    let list: unknown;
    try {
      list = (JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>)[key];
    } catch (err) {
      throw new InvalidManifestError(`${where}: answer is not JSON`, { cause: err });
    }
    yield Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
  }
}
