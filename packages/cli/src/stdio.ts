/**
 * Inputs and outputs given on the command line: a file or stdin (`-`) read with a size cap, and
 * content written to a file or stdout as it streams, without holding it in memory, its progress
 * reported as it is read.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Descriptor, SizeExceedsLimitError } from '@oras/spec';
import type { CliContext, OutputStream } from './context.js';
import type { StatusReporter } from './output/status.js';

/** Reads all of stdin, refusing more than `maxBytes`. */
export async function readStdin(ctx: CliContext, maxBytes: number, what: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of ctx.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += buf.byteLength;
    if (length > maxBytes) {
      ctx.stdin.destroy();
      throw new SizeExceedsLimitError(`${what} from stdin: more than the limit of ${maxBytes} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Reads a file (or stdin for `-`) of at most `maxBytes`. */
export async function readInput(
  ctx: CliContext,
  fileRef: string,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  if (fileRef === '-') return readStdin(ctx, maxBytes, what);
  const path = resolvePath(ctx.cwd, fileRef);
  const info = await stat(path);
  if (info.size > maxBytes) {
    throw new SizeExceedsLimitError(
      `${fileRef}: ${what} size ${info.size} exceeds the limit of ${maxBytes} bytes`,
    );
  }
  const handle = await open(path, 'r');
  try {
    const bytes = await handle.readFile();
    if (bytes.byteLength > maxBytes) {
      throw new SizeExceedsLimitError(`${fileRef}: ${what} size exceeds the limit of ${maxBytes} bytes`);
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Writes a chunk to a stream, waiting when it is full. */
async function writeChunk(out: OutputStream, chunk: Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Streams content to stdout, respecting back-pressure; stdout is left open. A reader that goes
 * away (`| head`) ends the copy quietly.
 */
export async function streamToStdout(ctx: CliContext, stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader();
  let closed = false;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closed = true;
  };
  ctx.stdout.on('error', onError);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (closed) {
        await reader.cancel();
        return;
      }
      await writeChunk(ctx.stdout, value);
    }
  } finally {
    ctx.stdout.off('error', onError);
    reader.releaseLock();
  }
}

/** Streams content into a file, removing the partial file when anything fails. */
export async function streamToFile(
  ctx: CliContext,
  path: string,
  stream: ReadableStream<Uint8Array>,
): Promise<void> {
  const target = resolvePath(ctx.cwd, path);
  try {
    await pipeline(
      Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>),
      createWriteStream(target),
    );
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
}

/** Writes bytes to the `-o` target: a file, or stdout for `-`. */
export async function writeOutput(ctx: CliContext, output: string, bytes: Uint8Array): Promise<void> {
  if (output === '-') {
    await writeChunk(ctx.stdout, bytes);
    return;
  }
  const handle = await open(resolvePath(ctx.cwd, output), 'w');
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
}

/** A stream that reports how far it has been read. */
export function tracked(
  stream: ReadableStream<Uint8Array>,
  desc: Descriptor,
  reporter: StatusReporter,
): ReadableStream<Uint8Array> {
  let offset = 0;
  reporter.start(desc);
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        offset += chunk.byteLength;
        reporter.progress(desc, offset);
        controller.enqueue(chunk);
      },
      flush() {
        reporter.done(desc);
      },
    }),
  );
}
