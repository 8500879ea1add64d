/** The implementation of `oras manifest delete`. */
import type { CliContext } from '../../../context.js';
import { deleteWithConfirmation, parseDeleteFlags } from '../../../delete-with-confirmation.js';
import { CliError } from '../../../errors.js';
import { parseCommon } from '../../../options/common.js';
import { parseRemote } from '../../../options/remote.js';
import { parseTarget, referrersCapability, requireReference } from '../../../options/target.js';
import { openRepository } from '../../../targets.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** Runs `oras manifest delete`. */
export async function runManifestDelete(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const flags = parseDeleteFlags(argv);
  const spec = parseTarget(String(argv.name), argv, { form: FORM });
  if (spec.kind !== 'registry') throw new CliError('manifest delete works on registries only');
  const reference = requireReference(spec, FORM);
  const repo = await openRepository(spec, parseRemote(argv, ctx), common, ctx, {
    referrersCapability: referrersCapability(argv),
  });
  await deleteWithConfirmation(ctx, flags, {
    store: repo.manifests(),
    reference,
    spec,
    noun: 'manifest',
    question: (desc) =>
      `Are you sure you want to delete the manifest "${desc.digest}" and all tags associated with it?`,
    command: 'oras manifest delete',
  });
}
