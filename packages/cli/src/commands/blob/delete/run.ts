/** The implementation of `oras blob delete`. */
import type { CliContext } from '../../../context.js';
import { deleteWithConfirmation, parseDeleteFlags } from '../../../delete-with-confirmation.js';
import { CliError } from '../../../errors.js';
import { parseCommon } from '../../../options/common.js';
import { parseRemote } from '../../../options/remote.js';
import { parseTarget } from '../../../options/target.js';
import { openRepository } from '../../../targets.js';
import { blobDigest } from '../digest.js';

/** Runs `oras blob delete`. */
export async function runBlobDelete(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const flags = parseDeleteFlags(argv);
  const spec = parseTarget(String(argv.name), argv, { form: '<registry>/<repo>@<digest>' });
  if (spec.kind !== 'registry') throw new CliError('blob delete works on registries only');
  const digest = blobDigest(spec);
  const repo = await openRepository(spec, parseRemote(argv, ctx), common, ctx);
  await deleteWithConfirmation(ctx, flags, {
    store: repo.blobs(),
    reference: digest,
    spec,
    noun: 'blob',
    question: (desc) => `Are you sure you want to delete the blob "${desc.digest}"?`,
    command: 'oras blob delete',
  });
}
