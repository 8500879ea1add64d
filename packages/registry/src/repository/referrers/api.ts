/**
 * The referrers API (`GET /v2/<name>/referrers/<digest>`): its pages, and finding out whether a
 * registry has it. A 404, or a 200 that is not an image index (some registries answer any path),
 * means it has not, except a 404 `NAME_UNKNOWN` (the repository does not exist), which leaves the
 * question open and fails the request; the answer is kept in the context.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
import type { OperationOptions } from '@oras/content';
import { type Descriptor, MediaType } from '@oras/spec';
import { discard, header, type RegistryResponse, readCapped, toResponseError } from '../../http.js';
import type { ReferrersOptions } from '../../interfaces.js';
import { mediaTypeOf, type RepositoryContext, signalOf } from '../context.js';
import { DEFAULT_REFERRER_LIST_MAX_PAGES } from '../options.js';
import { followLinks } from '../paging.js';
import { filterByArtifactType, parseIndexLoose } from './documents.js';

/** The zero sha256 digest, used to probe for the referrers API. */
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

/**
 * Yields the referrers of `subject` from the API in pages, filtered by artifact type (by the
 * registry, or here when it did not say it filtered), following `Link` pages. Yields nothing, and
 * notes that the API is missing, when the first answer says so.
 */
export async function* referrersFromApi(
  ctx: RepositoryContext,
  subject: Descriptor,
  options: ReferrersOptions,
): AsyncGenerator<Descriptor[]> {
  const url = ctx.url(`referrers/${subject.digest}`);
  if (options.artifactType) url.searchParams.set('artifactType', options.artifactType);
  if (ctx.options.referrerListPageSize) url.searchParams.set('n', String(ctx.options.referrerListPageSize));
  const maxPages = ctx.options.referrerListMaxPages ?? DEFAULT_REFERRER_LIST_MAX_PAGES;
  const what = `${ctx.host}/${ctx.name}: referrers of ${subject.digest}`;
  let first = true;
  yield* followLinks(url, maxPages, what, (page) =>
    ctx.metadata('GET', page, options, async (o) => {
      const res = await ctx.send({
        method: 'GET',
        url: page,
        headers: { accept: MediaType.ImageIndex },
        scopes: ctx.scopes('pull'),
        ...signalOf(o),
      });
      if (first && ctx.referrersCapability !== true) {
        // a plain 404, or a false 200 that is not an index: no referrers API
        if (res.statusCode === 404) {
          await noApiOr404(res);
          ctx.referrersCapability = false;
          return undefined;
        }
        if (res.statusCode === 200 && mediaTypeOf(res) !== MediaType.ImageIndex) {
          await discard(res);
          ctx.referrersCapability = false;
          return undefined;
        }
      }
      first = false;
      if (res.statusCode !== 200) throw await toResponseError('GET', res);
      const bytes = await readCapped(res.body, ctx.maxListPageBytes, `page of ${what}`);
      const index = parseIndexLoose(bytes, `referrers of ${subject.digest}`);
      ctx.referrersCapability = true;
      const filtered = /\bartifactType\b/.test(header(res.headers, 'oci-filters-applied') ?? '');
      const value = filtered ? index.manifests : filterByArtifactType(index.manifests, options.artifactType);
      return { value, res };
    }),
  );
}

/**
 * Reads a 404 of the referrers endpoint: a registry that has the API answers `NAME_UNKNOWN` for a
 * repository that does not exist (yet), which says nothing about the API, so that answer is
 * thrown as the {@link ResponseError} it is, as oras-go does. Any other 404 (a plain page, or
 * another error code) means the registry has no such endpoint.
 */
async function noApiOr404(res: RegistryResponse): Promise<void> {
  const error = await toResponseError('GET', res);
  if (error.errors.some((e) => e.code === 'NAME_UNKNOWN')) throw error;
}

/** Probes the referrers API once (`GET referrers/<zero digest>`) and keeps the answer. */
export async function probeReferrers(ctx: RepositoryContext, options: OperationOptions): Promise<boolean> {
  if (ctx.referrersCapability !== undefined) return ctx.referrersCapability;
  const url = ctx.url(`referrers/${ZERO_DIGEST}`);
  const res = await ctx.metadata('GET', url, options, async (o) => {
    const answer = await ctx.send({
      method: 'GET',
      url,
      headers: { accept: MediaType.ImageIndex },
      scopes: ctx.scopes('pull'),
      ...signalOf(o),
    });
    if (answer.statusCode === 404) await noApiOr404(answer);
    else if (answer.statusCode === 200) await discard(answer);
    else throw await toResponseError('GET', answer);
    return answer;
  });
  ctx.referrersCapability = res.statusCode === 200 && mediaTypeOf(res) === MediaType.ImageIndex;
  return ctx.referrersCapability;
}
