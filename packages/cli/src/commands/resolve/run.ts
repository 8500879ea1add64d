/** The implementation of `oras resolve`. */
import { ErrorCode, OrasError } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { CliError, errorMessage } from '../../errors.js';
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
    // oras: "failed to resolve digest: <ref>: not found", with the Docker Hub hint where it applies
    const hinted = withDockerHubHint(error, spec, `oras resolve ${argument}`);
    throw new CliError(`failed to resolve digest: ${errorMessage(error)}`, {
      code: OrasError.is(error) ? error.code : ErrorCode.Unknown,
      cause: error,
      ...(hinted instanceof CliError && hinted.hint ? { hint: hinted.hint } : {}),
    });
  }
}
