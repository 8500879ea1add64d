import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { annotatedReference } from '../../options/target.js';
import { openTarget } from '../../targets.js';
import type { TagOptions } from './command.js';

/** Runs `oras tag`. */
export async function runTag(options: TagOptions, ctx: CliContext): Promise<void> {
  const { common, tags, concurrency } = options;
  const { spec, reference, argument } = options.target;
  const { target, name } = await openTarget(options.target, common, ctx, { concurrency });
  // Re-tagging a referrer must not rewrite the tag-schema index of its subject (oras PR #1435).
  if (target.referrersCapability === undefined) target.setReferrersCapability?.(true);
  try {
    const desc = await target.resolve(reference);
    ctx.stdout.write(`Tagging ${annotatedReference(spec, `${name}@${desc.digest}`)}\n`);
    const queue = [...tags];
    const worker = async () => {
      for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
        await target.tag(desc, tag);
        ctx.stdout.write(`Tagged ${tag}\n`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras tag ${argument}`);
  }
}
