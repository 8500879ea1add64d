/** The implementation of `oras manifest delete`. */
import type { CliContext } from '../../../context.js';
import { deleteWithConfirmation } from '../../../delete-with-confirmation.js';
import { CliError } from '../../../errors.js';
import { openRepository } from '../../../targets.js';
import type { ManifestDeleteOptions } from './command.js';

/** Runs `oras manifest delete`. */
export async function runManifestDelete(options: ManifestDeleteOptions, ctx: CliContext): Promise<void> {
  const { common, target } = options;
  if (target.remote === undefined) throw new CliError('manifest delete works on registries only');
  const { spec, reference } = target;
  const repo = await openRepository(spec, target.remote, common, ctx, {
    referrersCapability: target.referrersCapability,
  });
  await deleteWithConfirmation(ctx, options.deletion, {
    store: repo.manifests(),
    reference,
    spec,
    noun: 'manifest',
    question: (desc) =>
      `Are you sure you want to delete the manifest "${desc.digest}" and all tags associated with it?`,
    command: 'oras manifest delete',
  });
}
