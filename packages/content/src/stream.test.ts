import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type Descriptor,
  InvalidArgumentError,
  MismatchedDigestError,
  MismatchedSizeError,
  SizeExceedsLimitError,
  TrailingDataError,
  digestOf,
} from '@oras/spec';
import { describe, expect, it } from 'vitest';
import type { BytesFetcher, Fetcher } from './interfaces.js';
import { MemoryStore } from './memory/index.js';
import {
  descriptorOf,
  drainVerified,
  fetchAll,
  pushBytes,
  readAll,
  toReadableStream,
  verifyStream,
  isVerified,
  markVerified,
  tapStream,
  toNodeReadable,
} from './stream.js';

const text = (s: string) => new TextEncoder().encode(s);

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function describeBytes(bytes: Uint8Array): Descriptor {
  return { mediaType: 'application/octet-stream', digest: digestOf(bytes), size: bytes.byteLength };
}

describe('toReadableStream', () => {
  it('emits the bytes of a Uint8Array', async () => {
    expect(await collect(toReadableStream(text('hello')))).toEqual(text('hello'));
  });

  it('splits large byte arrays into chunks of at most 1 MiB', async () => {
    const big = new Uint8Array(2.5 * 1024 * 1024).fill(7);
    const sizes: number[] = [];
    for await (const chunk of toReadableStream(big) as unknown as AsyncIterable<Uint8Array>)
      sizes.push(chunk.byteLength);
    expect(sizes).toEqual([1048576, 1048576, 524288]);
  });

  it('reads async iterables and Node readables', async () => {
    async function* gen() {
      yield text('a');
      yield text('bc');
    }
    expect(await collect(toReadableStream(gen()))).toEqual(text('abc'));
    expect(await collect(toReadableStream(Readable.from([Buffer.from('xy'), Buffer.from('z')])))).toEqual(
      text('xyz'),
    );
  });

  it('returns web streams unchanged', () => {
    const stream = new ReadableStream<Uint8Array>();
    expect(toReadableStream(stream)).toBe(stream);
  });

  it('rejects other values', () => {
    expect(() => toReadableStream(42 as never)).toThrow(InvalidArgumentError);
  });

  it('pulls lazily from iterables', async () => {
    let pulled = 0;
    async function* gen() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield text(String(i));
      }
    }
    const reader = toReadableStream(gen()).getReader();
    await reader.read();
    expect(pulled).toBeLessThanOrEqual(2);
    await reader.cancel();
  });
});

describe('verifyStream', () => {
  const content = text('hello world');
  const desc = describeBytes(content);

  it('passes matching content through', async () => {
    expect(await collect(verifyStream(toReadableStream(content), desc))).toEqual(content);
  });

  it('fails on a wrong digest', async () => {
    const other = text('hello WORLD');
    await expect(collect(verifyStream(toReadableStream(other), desc))).rejects.toMatchObject({
      code: MismatchedDigestError.code,
    });
  });

  it('fails on short content', async () => {
    await expect(collect(verifyStream(toReadableStream(content.subarray(0, 5)), desc))).rejects.toMatchObject(
      { code: MismatchedSizeError.code },
    );
  });

  it('fails on trailing data and cancels the source', async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(content);
        controller.enqueue(text('!'));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(collect(verifyStream(source, desc))).rejects.toMatchObject({ code: TrailingDataError.code });
    expect(cancelled).toBe(true);
  });

  it('verifies empty content', async () => {
    const empty = new Uint8Array(0);
    expect(await collect(verifyStream(toReadableStream(empty), describeBytes(empty)))).toEqual(empty);
  });

  it('propagates source errors', async () => {
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('disk on fire'));
      },
    });
    await expect(collect(verifyStream(source, desc))).rejects.toThrow('disk on fire');
  });

  it('rejects a descriptor with an invalid digest', () => {
    expect(() => verifyStream(toReadableStream(content), { ...desc, digest: 'sha256:nope' })).toThrow();
  });

  it('verifies sha512 digests', async () => {
    const d = { ...desc, digest: digestOf(content, 'sha512') };
    expect(await collect(verifyStream(toReadableStream(content), d))).toEqual(content);
  });
});

describe('drainVerified', () => {
  it('resolves for matching content and rejects otherwise', async () => {
    const content = text('abc');
    await drainVerified(content, describeBytes(content));
    await expect(drainVerified(text('abd'), describeBytes(content))).rejects.toMatchObject({
      code: MismatchedDigestError.code,
    });
  });
});

describe('readAll and fetchAll', () => {
  it('reads verified content', async () => {
    const content = text('manifest bytes');
    expect(await readAll(toReadableStream(content), describeBytes(content))).toEqual(content);
  });

  it('refuses content over the cap before reading it', async () => {
    let pulled = false;
    const source = new ReadableStream<Uint8Array>({
      pull() {
        pulled = true;
      },
    });
    const desc = { mediaType: 'x/y', digest: digestOf('x'), size: 10 };
    await expect(readAll(source, desc, { maxBytes: 5 })).rejects.toMatchObject({
      code: SizeExceedsLimitError.code,
    });
    expect(pulled).toBe(false);
  });

  it('does not trust a forged size: the first allocation is capped and short content fails', async () => {
    const content = text('tiny');
    const desc = { mediaType: 'x/y', digest: digestOf(content), size: 2 ** 40 };
    await expect(readAll(toReadableStream(content), desc, { maxBytes: 2 ** 41 })).rejects.toMatchObject({
      code: MismatchedSizeError.code,
    });
  });

  it('rejects when aborted mid-read instead of returning part of the content', async () => {
    const controller = new AbortController();
    const content = text('abcdef');
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(content.subarray(0, 3));
      },
      pull() {
        controller.abort(new Error('stop'));
      },
    });
    await expect(readAll(source, describeBytes(content), { signal: controller.signal })).rejects.toThrow(
      'stop',
    );
  });

  it('uses embedded data without fetching', async () => {
    const fetcher: Fetcher = {
      fetch: () => Promise.reject(new Error('should not fetch')),
    };
    const content = text('{}');
    const desc = { ...describeBytes(content), data: Buffer.from(content).toString('base64') };
    expect(await fetchAll(fetcher, desc)).toEqual(content);
  });

  it('rejects embedded data that does not match', async () => {
    const fetcher: Fetcher = { fetch: () => Promise.reject(new Error('should not fetch')) };
    const desc = { ...describeBytes(text('{}')), data: Buffer.from('[]').toString('base64') };
    await expect(fetchAll(fetcher, desc)).rejects.toMatchObject({ code: MismatchedDigestError.code });
  });

  it('fetches from a store and enforces the default 4 MiB cap', async () => {
    const store = new MemoryStore();
    const desc = await pushBytes(store, 'application/vnd.test', text('payload'));
    expect(await fetchAll(store, desc)).toEqual(text('payload'));
    await expect(fetchAll(store, { ...desc, size: 4 * 1024 * 1024 + 1 })).rejects.toMatchObject({
      code: SizeExceedsLimitError.code,
    });
  });
});

describe('fetchAll with a BytesFetcher', () => {
  const notStreamed = () => Promise.reject(new Error('should not stream'));

  it('asks fetchBytes with the cap and trusts bytes it marked verified', async () => {
    const content = text('payload');
    const desc = describeBytes(content);
    const asked: (number | undefined)[] = [];
    const fetcher: Fetcher & BytesFetcher = {
      fetch: notStreamed,
      fetchBytes: async (target, options) => {
        asked.push(options?.maxBytes);
        return markVerified(content, target);
      },
    };
    expect(await fetchAll(fetcher, desc, { maxBytes: 100 })).toBe(content);
    expect(asked).toEqual([100]);
  });

  it('checks bytes it did not mark: other digest, too long, too short', async () => {
    const desc = describeBytes(text('payload'));
    const answering = (bytes: Uint8Array): Fetcher & BytesFetcher => ({
      fetch: notStreamed,
      fetchBytes: async () => bytes,
    });
    await expect(
      fetchAll(answering(text('paylоad')), { ...desc, size: text('paylоad').byteLength }),
    ).rejects.toMatchObject({
      code: MismatchedDigestError.code,
    });
    await expect(fetchAll(answering(text('payloadX')), desc)).rejects.toMatchObject({
      code: TrailingDataError.code,
    });
    await expect(fetchAll(answering(text('pay')), desc)).rejects.toMatchObject({
      code: MismatchedSizeError.code,
    });
    // bytes marked for another descriptor are checked too
    const other = text('other!!');
    await expect(fetchAll(answering(markVerified(other, describeBytes(other))), desc)).rejects.toMatchObject({
      code: MismatchedDigestError.code,
    });
  });

  it('does not ask over the cap', async () => {
    const fetcher: Fetcher & BytesFetcher = { fetch: notStreamed, fetchBytes: notStreamed };
    await expect(
      fetchAll(fetcher, { ...describeBytes(text('x')), size: 10 }, { maxBytes: 5 }),
    ).rejects.toMatchObject({ code: SizeExceedsLimitError.code });
  });
});

describe('pushBytes', () => {
  it('pushes and returns the descriptor', async () => {
    const store = new MemoryStore();
    const desc = await pushBytes(store, '', text('abc'));
    expect(desc).toEqual(descriptorOf('application/octet-stream', text('abc')));
    expect(await store.exists(desc)).toBe(true);
  });
});

describe('verified marks', () => {
  const bytes = new TextEncoder().encode('marked content');
  const desc = {
    mediaType: 'application/octet-stream',
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
  };

  it('marks what verifyStream returns, for its digest only, and does not wrap it twice', () => {
    const verified = verifyStream(toReadableStream(bytes), desc);
    expect(isVerified(verified, desc)).toBe(true);
    expect(isVerified(verified, { ...desc, digest: `sha256:${'0'.repeat(64)}` })).toBe(false);
    expect(verifyStream(verified, desc)).toBe(verified);
    expect(isVerified(toReadableStream(bytes), desc)).toBe(false);
    expect(isVerified(bytes, desc)).toBe(false);
  });

  it('tapStream passes every chunk on, reports each, and keeps the mark', async () => {
    const seen: number[] = [];
    const tapped = tapStream(markVerified(toReadableStream(bytes), desc), (c) => seen.push(c.byteLength));
    expect(isVerified(tapped, desc)).toBe(true);
    const chunks: Uint8Array[] = [];
    for await (const c of tapped as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
    expect(seen).toEqual([bytes.length]);
    expect(
      isVerified(
        tapStream(toReadableStream(bytes), () => {}),
        desc,
      ),
    ).toBe(false);
  });

  it('tapStream passes the source error on', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('broken source'));
      },
    });
    const reader = tapStream(failing, () => {}).getReader();
    await expect(reader.read()).rejects.toThrow('broken source');
  });
});

describe('toNodeReadable', () => {
  it('turns a web stream into a Node readable that pulls only as it is read', async () => {
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new Uint8Array(64 * 1024).fill(pulls % 256));
        },
      },
      { highWaterMark: 0 },
    );
    const readable = toNodeReadable(endless, { highWaterMark: 64 * 1024 });
    expect(readable).toBeInstanceOf(Readable);
    let read = 0;
    for await (const chunk of readable) {
      read += (chunk as Buffer).byteLength;
      if (read >= 10 * 64 * 1024) break;
    }
    // what was read, and at most a few chunks of read-ahead
    expect(pulls).toBeLessThanOrEqual(10 + 3);
  });

  it('delivers the bytes of a fetched stream, errors included', async () => {
    const store = new MemoryStore();
    const bytes = new TextEncoder().encode('hello node streams');
    const desc = await pushBytes(store, 'text/plain', bytes);
    const chunks: Buffer[] = [];
    for await (const chunk of toNodeReadable(await store.fetch(desc))) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello node streams');
    const lying = verifyStream(toReadableStream(new TextEncoder().encode('hello NODE streams')), desc);
    await expect(
      (async () => {
        for await (const _ of toNodeReadable(lying)) {
          // drain
        }
      })(),
    ).rejects.toBeInstanceOf(MismatchedDigestError);
  });
});
