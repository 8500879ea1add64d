/** The implementation of `oras manifest delete`. */
import type { RemoteRepository } from '@oras/registry';
import { type Descriptor, NotFoundError } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parseCommon } from '../options/common.js';
import { parseRemote } from '../options/remote.js';
import { annotatedReference, parseTarget, referrersCapability } from '../options/target.js';
import { openRepository } from '../targets.js';
import { confirm, writeDescriptor } from './manifest-support.js';
import { requireReference, withDockerHubHint } from './run-support.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** Runs `oras manifest delete`. */
export async function runManifestDelete(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const force = argv.force === true;
  const descriptorOnly = argv.descriptor === true;
  if (descriptorOnly && !force)
    throw new CliError('must apply --force to confirm the deletion if the descriptor is outputted');
  const raw = String(argv.name);
  const spec = parseTarget(raw, argv, { form: FORM });
  if (spec.kind !== 'registry') throw new CliError('manifest delete works on registries only');
  const reference = requireReference(spec, FORM);
  const repo: RemoteRepository = await openRepository(spec, parseRemote(argv, ctx), common, ctx, {
    referrersCapability: referrersCapability(argv),
  });
  const manifests = repo.manifests();
  let desc: Descriptor;
  try {
    try {
      desc = await manifests.resolve(reference);
    } catch (error) {
      if (!NotFoundError.is(error)) throw error;
      if (force && !descriptorOnly) {
        ctx.stdout.write(`Missing ${raw}\n`);
        return;
      }
      throw new CliError(`${raw}: the specified manifest does not exist`, {
        code: 'ORAS_ERR_NOT_FOUND',
        cause: error,
      });
    }
    const prompt = `Are you sure you want to delete the manifest "${desc.digest}" and all tags associated with it?`;
    if (!(await confirm(ctx, prompt, force))) return;
    try {
      await manifests.delete(desc);
    } catch (error) {
      throw new CliError(`failed to delete ${raw}: ${(error as Error).message}`, {
        code: (error as { code?: string }).code ?? 'ORAS_ERR_UNKNOWN',
        cause: error,
      });
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras manifest delete ${raw}`);
  }
  if (descriptorOnly) {
    writeDescriptor(ctx, desc, argv.pretty === true);
    return;
  }
  ctx.stdout.write(`Deleted ${annotatedReference(spec)}\n`);
}
