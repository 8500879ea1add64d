/** The implementation of `oras manifest delete`. */
import { Annotation, isDigest } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { deleteWithConfirmation, layoutDeleter } from '../../../delete-with-confirmation.js';
import { openRepository } from '../../../targets.js';
import type { ManifestDeleteOptions } from './command.js';

/** Runs `oras manifest delete`, on a registry or (`--oci-layout`) in an OCI image layout. */
export async function runManifestDelete(options: ManifestDeleteOptions, ctx: CliContext): Promise<void> {
  const { common, target, deletion } = options;
  const { reference } = target;
  const store =
    target.remote === undefined
      ? // a layout's index.json names its tagged manifests; oras prints that name with the descriptor
        await layoutDeleter(target.spec, async (layout, ref) => {
          const desc = await layout.resolve(ref);
          return isDigest(ref)
            ? desc
            : { ...desc, annotations: { ...desc.annotations, [Annotation.RefName]: ref } };
        })
      : (
          await openRepository(target.spec, target.remote, common, ctx, {
            referrersCapability: target.referrersCapability,
          })
        ).manifests();
  await deleteWithConfirmation(ctx, deletion, {
    store,
    reference,
    spec: target.spec,
    noun: 'manifest',
    question: (desc) =>
      `Are you sure you want to delete the manifest "${desc.digest}" and all tags associated with it?`,
    command: 'oras manifest delete',
  });
}
