/** The implementation of `oras blob push`. */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentSource, Storage } from '@oras/content';
import { RemoteRepository } from '@oras/registry';
import { createDigester, type Descriptor, digestOfStream, isDigest, parseDigest } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { withDockerHubHint } from '../../../docker-hub.js';
import { CliError } from '../../../errors.js';
import { writeDescriptor } from '../../../json.js';
import { progressMode } from '../../../options/common.js';
import { annotatedReference, type TargetSpec } from '../../../options/target.js';
import { createReporter } from '../../../output/reporter.js';
import { DiscardStatusReporter, PUSH_PROMPTS, type StatusReporter } from '../../../output/status.js';
import { openTarget } from '../../../targets.js';
import type { BlobPushOptions } from './command.js';

const FORM = '<registry>/<repo>[@<digest>]';

/** The digest a blob push names (`name@digest`), if any. */
function expectedDigest(spec: TargetSpec): string | undefined {
  const ref = spec.kind === 'registry' ? (spec.reference.digest ?? spec.reference.tag) : spec.reference;
  if (ref === undefined) return undefined;
  if (!isDigest(ref))
    throw new CliError(`"${spec.raw}": a blob is named by a digest, not a tag`, {
      hint: `use the form ${FORM}`,
    });
  return ref;
}

/** A Node readable as an async iterable of bytes that counts what passes, for progress. */
function counted(
  source: AsyncIterable<Uint8Array>,
  desc: () => Descriptor,
  reporter: StatusReporter,
): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      let offset = 0;
      for await (const chunk of source) {
        offset += chunk.byteLength;
        reporter.progress(desc(), offset);
        yield chunk;
      }
    },
  };
}

/** Copies stdin to a temporary file while hashing it; for stores that need the digest first. */
async function spool(
  ctx: CliContext,
  dir: string,
  algorithm: string,
): Promise<{ path: string; digest: string; size: number }> {
  const path = join(dir, 'blob');
  const digester = createDigester(algorithm as 'sha256');
  let size = 0;
  await pipeline(
    ctx.stdin,
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        digester.update(chunk);
        size += chunk.byteLength;
        cb(null, chunk);
      },
    }),
    createWriteStream(path),
  );
  return { path, digest: digester.digest(), size };
}

/** Runs `oras blob push`. */
export async function runBlobPush(options: BlobPushOptions, ctx: CliContext): Promise<void> {
  const { common, file, size, mediaType } = options;
  const descriptorOnly = options.descriptor.descriptor;
  const { spec, argument: raw } = options.target;
  const expected = expectedDigest(spec);
  const { target } = await openTarget(options.target, common, ctx);
  const store: Storage = target instanceof RemoteRepository ? target.blobs() : target;
  const reporter: StatusReporter = descriptorOnly
    ? new DiscardStatusReporter()
    : createReporter(progressMode(common, ctx), 'text', ctx, PUSH_PROMPTS);
  let temp: string | undefined;
  let desc: Descriptor;
  try {
    // Where the bytes come from, and the descriptor once it is known.
    let known: Descriptor | undefined;
    let source: () => ContentSource;
    if (file === '-') {
      if (expected !== undefined && size >= 0) {
        known = { mediaType, digest: expected, size };
        source = () => ctx.stdin as AsyncIterable<Uint8Array>;
      } else if (target instanceof RemoteRepository) {
        source = () => ctx.stdin as AsyncIterable<Uint8Array>;
      } else {
        temp = await mkdtemp(join(tmpdir(), 'oras-blob-'));
        const spooled = await spool(ctx, temp, expected ? parseDigest(expected).algorithm : 'sha256');
        known = { mediaType, digest: spooled.digest, size: spooled.size };
        const path = spooled.path;
        source = () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
      }
    } else {
      const path = resolvePath(ctx.cwd, file);
      const info = await stat(path);
      if (!info.isFile()) throw new CliError(`${file}: not a regular file`);
      if (size >= 0 && size !== info.size) {
        throw new CliError(`input size ${size} does not match the actual content size ${info.size}`);
      }
      const algorithm = expected ? parseDigest(expected).algorithm : 'sha256';
      const { digest } = await digestOfStream(
        createReadStream(path) as AsyncIterable<Uint8Array>,
        algorithm as 'sha256',
      );
      known = { mediaType, digest, size: info.size };
      source = () => createReadStream(path) as AsyncIterable<Uint8Array>;
    }
    if (known !== undefined) {
      if (expected !== undefined && known.digest !== expected) {
        throw new CliError(`${raw}: the content has digest ${known.digest}`, {
          code: 'ORAS_ERR_MISMATCHED_DIGEST',
        });
      }
      desc = known;
      if (await store.exists(desc)) {
        reporter.mark(desc, PUSH_PROMPTS.exists);
      } else {
        const current = desc;
        reporter.start(current);
        await store.push(
          current,
          counted(source() as AsyncIterable<Uint8Array>, () => current, reporter),
        );
        reporter.done(current);
      }
    } else {
      // stdin of unknown size or digest: streamed in chunks while hashed
      const repo = target as RemoteRepository;
      // No progress while the size is unknown; the blob is reported once committed.
      desc = await repo.pushStream(mediaType, source());
      if (size >= 0 && desc.size !== size) {
        throw new CliError(`input size ${size} does not match the actual content size ${desc.size}`);
      }
      reporter.mark(desc, PUSH_PROMPTS.done);
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras blob push ${raw}`);
  } finally {
    reporter.close();
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  }
  if (descriptorOnly) {
    writeDescriptor(ctx, desc, options.descriptor.pretty);
    return;
  }
  ctx.stdout.write(`Pushed ${annotatedReference(spec)}\n`);
  ctx.stdout.write(`Digest: ${desc.digest}\n`);
}
