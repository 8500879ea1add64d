/**
 * Paginated lists (tags, the catalog, referrers): follow `Link: <...>; rel="next"` on the
 * registry's origin, at most a given number of pages, so a registry cannot keep a client
 * listing forever; each page within the metadata deadline, so it cannot trickle one either.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
import { InvalidManifestError, NotFoundError, TooManyPagesError } from '@oras/spec';
import { withDeadlineRestarting } from '../deadline.js';
import {
  discard,
  type RegistryRequest,
  type RegistryResponse,
  readCapped,
  toResponseError,
} from '../http.js';
import { parseNextLink } from '../urls.js';

/** One page as read by {@link followLinks}: what to yield, and the response whose `Link` leads on. */
export interface Page<T> {
  readonly value: T;
  readonly res: RegistryResponse;
}

/**
 * Yields each page, from `first` on, following the `Link` header of each: `readPage` requests a
 * page and reads it whole (undefined: stop here). Past `maxPages`, rejects with
 * `TooManyPagesError` (`what` names the list).
 */
export async function* followLinks<T>(
  first: URL,
  maxPages: number,
  what: string,
  readPage: (url: URL) => Promise<Page<T> | undefined>,
): AsyncGenerator<T> {
  let url: URL | undefined = first;
  for (let page = 0; url; page++) {
    if (page >= maxPages) throw new TooManyPagesError(`${what}: more than ${maxPages} pages`);
    const got: Page<T> | undefined = await readPage(url);
    if (!got) return;
    yield got.value;
    url = parseNextLink(got.res.headers.link, got.res.url);
  }
}

/**
 * Follows a paginated list of names (`tags/list` or `_catalog`), yielding each page's names;
 * each page must come whole within `deadlineMs`.
 * @internal
 */
export function paginate(
  send: (req: RegistryRequest) => Promise<RegistryResponse>,
  start: URL,
  scopes: readonly string[],
  maxPages: number,
  maxBytes: number,
  key: 'tags' | 'repositories',
  signal: AbortSignal | undefined,
  deadlineMs: number,
): AsyncGenerator<string[]> {
  const where = `${start.origin}${start.pathname}`;
  return followLinks(start, maxPages, where, (url) =>
    withDeadlineRestarting(deadlineMs, `GET ${where}`, signal ? { signal } : {}, async (o) => {
      const res = await send({ method: 'GET', url, scopes, ...(o.signal ? { signal: o.signal } : {}) });
      if (res.statusCode === 404 && key === 'tags') {
        await discard(res);
        throw new NotFoundError(`${where}: repository not found`);
      }
      if (res.statusCode !== 200) throw await toResponseError('GET', res);
      const bytes = await readCapped(res.body, maxBytes, `page of ${where}`);
      let list: unknown;
      try {
        list = (JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>)[key];
      } catch (err) {
        throw new InvalidManifestError(`${where}: answer is not JSON`, { cause: err });
      }
      const value = Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
      return { value, res };
    }),
  );
}
