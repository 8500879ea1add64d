/**
 * The options of a {@link RemoteRepository} and their defaults: what a user can tune, in one
 * place. Each concern reads the few it needs from `context.options`.
 */
import type { OperationOptions } from '@oras/content';
import type { Descriptor, Reference } from '@oras/spec';
import type { RegistryClient } from '../http.js';
import type { RegistryWarning } from './context.js';
import type { RemoteRepository } from './remote-repository.js';

/** Default cap on manifests, indexes, tag lists and referrer lists read into memory. */
export const DEFAULT_MAX_METADATA_BYTES = 4 * 1024 * 1024;
/**
 * Default for {@link RemoteRepositoryOptions.maxListPageBytes}: 4 MiB, room for about 300,000
 * tags on one page (the most a registry has been seen to serve), while a page that would not end
 * is refused early.
 */
export const DEFAULT_MAX_LIST_PAGE_BYTES = 4 * 1024 * 1024;
/** Default for {@link RemoteRepositoryOptions.tagListMaxPages}. */
export const DEFAULT_TAG_LIST_MAX_PAGES = 1000;
/** Default for {@link RemoteRepositoryOptions.referrerListMaxPages}. */
export const DEFAULT_REFERRER_LIST_MAX_PAGES = 1000;
/**
 * Default chunk size of uploads whose digest is not known in advance ({@link RemoteRepository.pushStream}):
 * 4 MiB, the largest PATCH that GHCR accepts, and small enough that two chunks in memory keep a
 * 1 GiB push under 120 MiB of RSS.
 */
export const DEFAULT_STREAM_CHUNK_SIZE = 4 * 1024 * 1024;
/** Blobs up to this size pushed from a stream are read into memory first, so the upload can be re-sent. */
export const DEFAULT_BUFFERED_UPLOAD_BYTES = 4 * 1024 * 1024;
/**
 * Default for {@link RemoteRepositoryOptions.metadataTimeoutMs}: two minutes, room for one long
 * `Retry-After` (up to a minute) and a slow answer, while a registry trickling bytes is cut off.
 */
export const DEFAULT_METADATA_TIMEOUT_MS = 2 * 60_000;
/** How many times one chunk upload is resynchronised with the registry before giving up. */
export const DEFAULT_MAX_UPLOAD_RESUMES = 3;

/** Options of {@link RemoteRepository.pushStream} (and, with more, {@link RemoteRepository.pushFile}). */
export interface PushStreamOptions extends OperationOptions {
  /**
   * Called as bytes go out with how many of the blob the registry has been sent so far (it can
   * go back when an upload resumes or starts over): for progress bars.
   */
  readonly onProgress?: (bytesSent: number) => void;
}

/** Options of {@link RemoteRepository.pushFile}. */
export interface PushFileOptions extends PushStreamOptions {
  /**
   * Called once the file's digest is known and the registry has been asked for the blob, with
   * the file's descriptor and the answer. `true`: the registry has the blob, so nothing more of
   * the file is sent (a large file's upload, started before its digest was known, is cancelled)
   * and `oras` reports `Exists`. `false`: the push goes on.
   */
  readonly onChecked?: (desc: Descriptor, exists: boolean) => void;
  /**
   * A digest the file probably has, such as the one it had when it was last pushed (the CLI
   * remembers them). A hint only, used for a file large enough to be hashed ahead of its upload:
   * when the registry has a blob of that digest and the file's size, the upload waits for the
   * hash instead of starting at once, so a file pushed again sends nothing at all. The file is
   * hashed all the same, and only its own digest decides: when it differs from the hint, the
   * upload starts then (a wrong hint costs the time of the hash, never a wrong blob).
   */
  readonly digestHint?: string;
}

/** Options of {@link RemoteRepository}. Every field but `reference` has a default. */
export interface RemoteRepositoryOptions {
  /** The repository, as `registry/repository` (a tag or digest in it is ignored) or a parsed reference. */
  readonly reference: string | Reference;
  /**
   * The HTTP client, normally an `AuthClient` of `@oras/auth` with credentials and a dispatcher
   * from `createTransport`. By default, an anonymous `AuthClient` (it still fetches anonymous
   * bearer tokens) on a transport shared by every default client of the process.
   */
  readonly client?: RegistryClient;
  /** Use `http://` instead of `https://`. Defaults to true for `localhost` and `127.0.0.1` only. */
  readonly plainHttp?: boolean;
  /** The `Accept` list for resolving manifests (default `DEFAULT_MANIFEST_ACCEPT` of `@oras/spec`). */
  readonly manifestMediaTypes?: readonly string[];
  /** The `n` of tag list requests (the registry's default when absent). */
  readonly tagListPageSize?: number;
  /** The `n` of referrers requests (the registry's default when absent). */
  readonly referrerListPageSize?: number;
  /** Cap on manifests, indexes and lists read into memory (default {@link DEFAULT_MAX_METADATA_BYTES}). */
  readonly maxMetadataBytes?: number;
  /**
   * Cap on the body of one page of a tag list, catalog or referrers list read into memory
   * (default: `maxMetadataBytes` when that is given, else {@link DEFAULT_MAX_LIST_PAGE_BYTES}).
   * A bigger page is refused with `SizeExceedsLimitError` (`ORAS_ERR_SIZE_EXCEEDS_LIMIT`).
   *
   * Why a cap per page and not only a cap on the pages: the listings yield one page at a time, so
   * a caller that handles each page and lets it go (as `oras repo tags` prints it) holds one page
   * at a time, however many pages there are; `tagListMaxPages` and friends only stop a list that
   * never ends.
   */
  readonly maxListPageBytes?: number;
  /** Most tag list pages followed (default {@link DEFAULT_TAG_LIST_MAX_PAGES}). */
  readonly tagListMaxPages?: number;
  /** Most referrers pages followed (default {@link DEFAULT_REFERRER_LIST_MAX_PAGES}). */
  readonly referrerListMaxPages?: number;
  /** Keep the old tag-schema referrers index when it is replaced (default false: it is deleted). */
  readonly skipReferrersGc?: boolean;
  /**
   * The largest request body sent while uploading a blob. A blob of a known size above it is
   * uploaded in chunks (PATCH with `Content-Range`); for registries and proxies that cap request
   * sizes (GHCR: 4 MiB per PATCH, Cloudflare: 100 MB per request).
   */
  readonly maxChunkSize?: number;
  /** The chunk size of uploads of unknown digest (default {@link DEFAULT_STREAM_CHUNK_SIZE}). */
  readonly streamChunkSize?: number;
  /** Called once per registry and warning text with the `Warning` headers the registry sends. */
  readonly handleWarning?: (warning: RegistryWarning) => void;
  /** Forces the referrers API (`true`) or the tag schema (`false`) instead of detecting it. */
  readonly referrersCapability?: boolean;
  /**
   * The most time one metadata request may take, its retries and the reading of its answer
   * included: manifests, tag and referrer lists, the catalog, `HEAD`s, upload sessions, and the
   * token requests they wait for (default {@link DEFAULT_METADATA_TIMEOUT_MS}; `0` for none). The
   * transport's `timeoutMs` bounds silences only, so a registry sending a byte a second would
   * otherwise hold such a request for ever. Past it: an error with code `ORAS_ERR_TIMEOUT`. Blob
   * transfers are not bounded by it.
   */
  readonly metadataTimeoutMs?: number;
}

/** The page cap of `options`: `maxListPageBytes`, else `maxMetadataBytes`, else the default. */
export function listPageLimit(
  options: Pick<RemoteRepositoryOptions, 'maxListPageBytes' | 'maxMetadataBytes'>,
): number {
  return options.maxListPageBytes ?? options.maxMetadataBytes ?? DEFAULT_MAX_LIST_PAGE_BYTES;
}
