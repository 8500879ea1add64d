/** The implementation of `oras resolve`. */
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { resolvePlatform } from '../../graph.js';
import { parseCommon } from '../../options/common.js';
import { platformArg } from '../../options/platform.js';
import { parseTarget, requireReference } from '../../options/target.js';
import { openReadOnlyTarget } from '../../targets.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** Runs `oras resolve`. */
export async function runResolve(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const spec = parseTarget(String(argv.name), argv, { form: FORM });
  const reference = requireReference(spec, FORM);
  const platform = platformArg(argv);
  const { target, name } = await openReadOnlyTarget(spec, argv, common, ctx);
  try {
    const desc = await resolvePlatform(target, reference, platform);
    ctx.stdout.write(argv['full-reference'] === true ? `${name}@${desc.digest}\n` : `${desc.digest}\n`);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras resolve ${String(argv.name)}`);
  }
}
