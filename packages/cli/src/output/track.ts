/**
 * Byte progress for the status display: wraps a fetcher so that every stream it returns reports
 * how many bytes have gone through, the way oras tracks the readers of a copy.
 */
import { type CopyGraphOptions, tapStream } from '@oras/content';
import type { Descriptor } from '@oras/spec';
import type { Prompts, StatusReporter } from './status.js';

/** Something with `fetch`, as every store has. */
interface Fetching {
  fetch(desc: Descriptor, options?: object): Promise<ReadableStream<Uint8Array>>;
}

/** Something that can also fetch content into memory in one call (`BytesFetcher`). */
interface FetchingBytes {
  fetchBytes(desc: Descriptor, options?: object): Promise<Uint8Array>;
}

/**
 * A stream that reports its running byte count to `onBytes`: one pass-through layer, which keeps a
 * registry download's own verification visible to the store it is written to (no second hash).
 */
export function countingStream(
  stream: ReadableStream<Uint8Array>,
  onBytes: (total: number) => void,
): ReadableStream<Uint8Array> {
  let total = 0;
  return tapStream(stream, (chunk) => {
    total += chunk.byteLength;
    onBytes(total);
  });
}

/**
 * A view of `target` whose `fetch` streams (and `fetchBytes` results) report progress to
 * `reporter`; every other member is the target's own (bound), so capability checks (`isReferencePusher` ...) still see them. The
 * target itself when the reporter shows no progress (plain lines, JSON output, `--progress none`).
 */
export function trackFetches<T extends Fetching>(target: T, reporter: StatusReporter): T {
  if (!reporter.showsProgress) return target;
  return new Proxy(target, {
    get(obj, prop) {
      if (prop === 'fetch') {
        return async (desc: Descriptor, options?: object) =>
          countingStream(await obj.fetch(desc, options), (n) => reporter.progress(desc, n));
      }
      if (prop === 'fetchBytes' && typeof (obj as Partial<FetchingBytes>).fetchBytes === 'function') {
        // content read whole in one call (small blobs): all its bytes arrive at once
        return async (desc: Descriptor, options?: object) => {
          const bytes = await (obj as unknown as FetchingBytes).fetchBytes(desc, options);
          reporter.progress(desc, bytes.byteLength);
          return bytes;
        };
      }
      const value = Reflect.get(obj, prop, obj);
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}

/**
 * Copy hooks that report each node on `reporter`: the start and end of its transfer, or
 * `prompts.exists` for a node the destination already has.
 */
export function reportingHooks(
  reporter: StatusReporter,
  prompts: Prompts,
): Pick<CopyGraphOptions, 'preCopy' | 'postCopy' | 'onCopySkipped'> {
  return {
    preCopy: (desc) => {
      reporter.start(desc);
      return undefined;
    },
    postCopy: (desc) => reporter.done(desc),
    onCopySkipped: (desc) => reporter.mark(desc, prompts.exists),
  };
}
