/** The implementation of `oras blob delete`. */
import { type Descriptor, NotFoundError } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parseCommon } from '../options/common.js';
import { parseRemote } from '../options/remote.js';
import { annotatedReference, parseTarget } from '../options/target.js';
import { openRepository } from '../targets.js';
import { blobDigest } from './blob-fetch-run.js';
import { confirm, writeDescriptor } from './manifest-support.js';
import { withDockerHubHint } from './run-support.js';

/** Runs `oras blob delete`. */
export async function runBlobDelete(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const force = argv.force === true;
  const descriptorOnly = argv.descriptor === true;
  if (descriptorOnly && !force)
    throw new CliError('must apply --force to confirm the deletion if the descriptor is outputted');
  const raw = String(argv.name);
  const spec = parseTarget(raw, argv, { form: '<registry>/<repo>@<digest>' });
  if (spec.kind !== 'registry') throw new CliError('blob delete works on registries only');
  const digest = blobDigest(spec);
  const repo = await openRepository(spec, parseRemote(argv, ctx), common, ctx);
  const blobs = repo.blobs();
  let desc: Descriptor;
  try {
    try {
      desc = await blobs.resolve(digest);
    } catch (error) {
      if (!NotFoundError.is(error)) throw error;
      if (force && !descriptorOnly) {
        ctx.stdout.write(`Missing ${raw}\n`);
        return;
      }
      throw new CliError(`${raw}: the specified blob does not exist`, {
        code: 'ORAS_ERR_NOT_FOUND',
        cause: error,
      });
    }
    if (!(await confirm(ctx, `Are you sure you want to delete the blob "${desc.digest}"?`, force))) return;
    try {
      await blobs.delete(desc);
    } catch (error) {
      throw new CliError(`failed to delete ${raw}: ${(error as Error).message}`, {
        code: (error as { code?: string }).code ?? 'ORAS_ERR_UNKNOWN',
        cause: error,
      });
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras blob delete ${raw}`);
  }
  if (descriptorOnly) {
    writeDescriptor(ctx, desc, argv.pretty === true);
    return;
  }
  ctx.stdout.write(`Deleted ${annotatedReference(spec)}\n`);
}
