/** The implementation of `oras blob delete`. */
import type { CliContext } from '../../../context.js';
import { deleteWithConfirmation } from '../../../delete-with-confirmation.js';
import { CliError } from '../../../errors.js';
import { openRepository } from '../../../targets.js';
import { blobDigest } from '../digest.js';
import type { BlobDeleteOptions } from './command.js';

/** Runs `oras blob delete`. */
export async function runBlobDelete(options: BlobDeleteOptions, ctx: CliContext): Promise<void> {
  const { common, target } = options;
  if (target.remote === undefined) throw new CliError('blob delete works on registries only');
  const { spec } = target;
  const digest = blobDigest(spec);
  const repo = await openRepository(spec, target.remote, common, ctx);
  await deleteWithConfirmation(ctx, options.deletion, {
    store: repo.blobs(),
    reference: digest,
    spec,
    noun: 'blob',
    question: (desc) => `Are you sure you want to delete the blob "${desc.digest}"?`,
    command: 'oras blob delete',
  });
}
