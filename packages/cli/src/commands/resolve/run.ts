/** The implementation of `oras resolve`. */
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { resolvePlatform } from '../../graph.js';
import { openReadOnlyTarget } from '../../targets.js';
import type { ResolveOptions } from './command.js';

/** Runs `oras resolve`. */
export async function runResolve(options: ResolveOptions, ctx: CliContext): Promise<void> {
  const { common, platform } = options;
  const { spec, reference, argument } = options.target;
  const { target, name } = await openReadOnlyTarget(options.target, common, ctx);
  try {
    const desc = await resolvePlatform(target, reference, platform);
    ctx.stdout.write(options.fullReference ? `${name}@${desc.digest}\n` : `${desc.digest}\n`);
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras resolve ${argument}`);
  }
}
