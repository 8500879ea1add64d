/** The implementation of `oras tag`. */
import { isValidTag } from '@oras/spec';
import type { CliContext } from '../../context.js';
import { withDockerHubHint } from '../../docker-hub.js';
import { CliError } from '../../errors.js';
import { listArg } from '../../options/args.js';
import { parseCommon } from '../../options/common.js';
import { annotatedReference, parseTarget, requireReference } from '../../options/target.js';
import { openTarget } from '../../targets.js';

const FORM = '<registry>/<repo>{:<tag>|@<digest>}';

/** Runs `oras tag`. */
export async function runTag(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const spec = parseTarget(String(argv.name), argv, { form: FORM });
  const reference = requireReference(spec, FORM);
  const tags = listArg(argv, 'tags');
  for (const tag of tags) {
    if (!isValidTag(tag))
      throw new CliError(`invalid tag "${tag}"`, {
        hint: 'a tag is up to 128 letters, digits, "_", "." and "-"',
      });
  }
  const concurrency = Math.max(1, Number(argv.concurrency ?? 5));
  const { target, name } = await openTarget(spec, argv, common, ctx, { concurrency });
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
    throw withDockerHubHint(error, spec, `oras tag ${String(argv.name)}`);
  }
}
