/**
 * The tags of a repository, in pages (`GET tags/list?n=&last=`).
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags
 */
import type { OperationOptions } from '@oras/content';
import type { RepositoryContext } from './context.js';
import { DEFAULT_TAG_LIST_MAX_PAGES } from './options.js';
import { paginate } from './paging.js';

/**
 * Yields the tags in pages, following `Link` headers on the same origin, at most
 * `tagListMaxPages` pages, starting after `last` when given.
 */
export function listTags(
  ctx: RepositoryContext,
  options: OperationOptions & { readonly last?: string },
): AsyncGenerator<string[]> {
  const url = ctx.url('tags/list');
  if (ctx.options.tagListPageSize) url.searchParams.set('n', String(ctx.options.tagListPageSize));
  if (options.last) url.searchParams.set('last', options.last);
  return paginate(
    (req) => ctx.send(req),
    url,
    ctx.scopes('pull'),
    ctx.options.tagListMaxPages ?? DEFAULT_TAG_LIST_MAX_PAGES,
    ctx.maxListPageBytes,
    'tags',
    options.signal,
    ctx.metadataTimeoutMs,
  );
}
