/** The implementation of `oras blob delete`. */
import type { CliContext } from '../../../context.js';
import { deleteWithConfirmation, layoutDeleter } from '../../../delete-with-confirmation.js';
import { openRepository } from '../../../targets.js';
import { blobDigest } from '../digest.js';
import { resolveBlob } from '../fetch/run.js';
import type { BlobDeleteOptions } from './command.js';

/** Runs `oras blob delete`, on a registry or (`--oci-layout`) in an OCI image layout. */
export async function runBlobDelete(options: BlobDeleteOptions, ctx: CliContext): Promise<void> {
  const { common, target } = options;
  const digest = blobDigest(target.spec);
  const store =
    target.remote === undefined
      ? await layoutDeleter(target.spec, (layout, ref) => resolveBlob(layout, target.spec, ref))
      : (await openRepository(target.spec, target.remote, common, ctx)).blobs();
  await deleteWithConfirmation(ctx, options.deletion, {
    store,
    reference: digest,
    spec: target.spec,
    noun: 'blob',
    question: (desc) => `Are you sure you want to delete the blob "${desc.digest}"?`,
    command: 'oras blob delete',
  });
}
