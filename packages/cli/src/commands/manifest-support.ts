/**
 * What the manifest, blob, repo, backup and restore commands share: the `--descriptor` and
 * `--pretty` flags and how they print, the `[y/N]` confirmation of the delete commands, reading a
 * file or stdin, and writing content to a file or stdout without holding it in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fetchAll, type ReadOnlyTarget, readAll } from '@oras/content';
import { type Descriptor, type Platform, SizeExceedsLimitError, serializeDescriptor } from '@oras/spec';
import type { CliContext, OutputStream } from '../context.js';
import { CliError } from '../errors.js';
import { resolvePlatform } from '../graph.js';
import { LinePrompter } from './prompt.js';

/** The most bytes of a manifest read from a file or stdin (4 MiB, as oras). */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Indents JSON text the way Go's `json.Indent` does (two spaces, `": "` after keys, empty objects
 * and arrays kept as `{}` and `[]`), without re-encoding anything: strings, numbers and key order
 * stay exactly as they were.
 */
export function indentJson(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let needIndent = false;
  const newline = () => `\n${indent.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      depth++;
      out += newline();
      needIndent = false;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case '}':
      case ']':
        if (needIndent) needIndent = false;
        else {
          depth--;
          out += newline();
        }
        out += c;
        break;
      case ',':
        out += `,${newline()}`;
        break;
      case ':':
        out += ': ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** JSON bytes as oras prints them: as they are, or indented with a final newline when `pretty`. */
export function jsonOutput(bytes: Uint8Array, pretty: boolean): Uint8Array {
  if (!pretty) return bytes;
  return Buffer.from(`${indentJson(Buffer.from(bytes).toString('utf8'))}\n`);
}

/** Prints a descriptor as JSON in Go field order (`--descriptor`). */
export function writeDescriptor(ctx: CliContext, desc: Descriptor, pretty: boolean): void {
  ctx.stdout.write(jsonOutput(serializeDescriptor(desc), pretty));
}

/**
 * Asks `<prompt> [y/N] ` on stdout and reads one line from stdin, as oras does; only `y` or `yes`
 * confirm. When stdin ends without an answer (no terminal, nothing piped in), nothing is assumed:
 * the operation is cancelled and stderr says to use `--force`.
 */
export async function confirm(ctx: CliContext, prompt: string, force: boolean): Promise<boolean> {
  if (force) return true;
  ctx.stdout.write(`${prompt} [y/N] `);
  const prompter = new LinePrompter(ctx);
  let answer: string;
  try {
    answer = await prompter.ask('');
  } finally {
    prompter.close();
  }
  const word = answer.trim().toLowerCase();
  if (word === 'y' || word === 'yes') return true;
  ctx.stdout.write('Operation cancelled.\n');
  if (answer === '' && ctx.stdin.isTTY !== true) {
    ctx.stderr.write('no confirmation was read from stdin: use --force to skip the prompt\n');
  }
  return false;
}

/**
 * A file argument where `-` means stdin. yargs parses a lone `-` positional as `true`, so that is
 * turned back into `-`.
 */
export function fileArg(argv: Record<string, unknown>, key: string): string {
  const v = argv[key];
  return v === true || v === '' ? '-' : String(v);
}

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

/** Throws the usage error oras gives for two flags that cannot be used together. */
export function exclusive(argv: Record<string, unknown>, a: string, b: string): void {
  if (argv[a] !== undefined && argv[b] !== undefined && argv[a] !== false && argv[b] !== false) {
    throw new CliError(
      `if any flags in the group [${a} ${b}] are set none of the others can be; [${a} ${b}] were all set`,
    );
  }
}

/** A target that can fetch a manifest by reference in one round trip (a remote repository). */
interface ReferenceFetcher {
  fetchReference(reference: string): Promise<{ descriptor: Descriptor; stream: ReadableStream<Uint8Array> }>;
}

function isReferenceFetcher(value: unknown): value is ReferenceFetcher {
  return typeof (value as Partial<ReferenceFetcher>).fetchReference === 'function';
}

/**
 * Fetches a manifest by tag or digest, verified and capped at 4 MiB, as oras's `FetchBytes`: one
 * `GET` on a registry, or the manifest for `platform` when given.
 */
export async function fetchManifest(
  target: ReadOnlyTarget,
  reference: string,
  platform?: Platform,
): Promise<{ desc: Descriptor; bytes: Uint8Array }> {
  if (!platform && isReferenceFetcher(target)) {
    const { descriptor, stream } = await target.fetchReference(reference);
    const bytes = await readAll(stream, descriptor, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES });
    return { desc: descriptor, bytes };
  }
  const desc = await resolvePlatform(target, reference, platform);
  return { desc, bytes: await fetchAll(target, desc, { maxBytes: DEFAULT_MAX_MANIFEST_BYTES }) };
}

/** Parses JSON bytes (a manifest or config) as an object, or throws a CLI error naming `what`. */
export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new CliError(`${what}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}
