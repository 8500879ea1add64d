/** The implementations of `oras repo ls` and `oras repo tags`. */
import { isTagLister } from '@oras/content';
import { RemoteRegistry } from '@oras/registry';
import { ErrorCode, isDigest, parseDigest, parseReference } from '@oras/spec';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { parseCommon } from '../options/common.js';
import { parseFormat } from '../options/format.js';
import { parseRemote } from '../options/remote.js';
import { parseTarget, type RegistryTargetSpec } from '../options/target.js';
import { printable } from '../output/escape.js';
import { writeResult } from '../output/metadata.js';
import { openReadOnlyTarget, openRepository } from '../targets.js';
import { stringArg } from './flags.js';
import { withDockerHubHint } from './run-support.js';

/** Splits `<registry>[/<namespace>]` into the registry and the namespace prefix (`ns/`, or empty). */
export function parseRepoPath(arg: string): { registry: string; namespace: string } {
  const slash = arg.indexOf('/');
  const registry = slash < 0 ? arg : arg.slice(0, slash);
  const namespace = slash < 0 ? '' : arg.slice(slash + 1).replace(/\/+$/, '');
  try {
    parseReference(`${registry}/${namespace || 'oras'}`);
  } catch (error) {
    throw new CliError(`could not parse repository path: ${(error as Error).message}`, {
      code: ErrorCode.InvalidReference,
      cause: error,
      hint: 'Please make sure the provided registry is in the form of <registry>[/<namespace>]',
    });
  }
  return { registry, namespace: namespace === '' ? '' : `${namespace}/` };
}

/** Whether a tag looks like a digest (`sha256-<hex>`), as the referrers tag schema names its indexes. */
export function isDigestTag(tag: string): boolean {
  const i = tag.indexOf('-');
  if (i <= 0) return false;
  try {
    parseDigest(`${tag.slice(0, i)}:${tag.slice(i + 1)}`);
    return true;
  } catch {
    return false;
  }
}

/** Runs `oras repo ls`. */
export async function runRepoLs(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const format = parseFormat(argv);
  const { registry: host, namespace } = parseRepoPath(String(argv.registry));
  const spec: RegistryTargetSpec = {
    kind: 'registry',
    raw: String(argv.registry),
    reference: parseReference(`${host}/${namespace.replace(/\/$/, '') || 'oras'}`),
    tags: [],
  };
  const repo = await openRepository(spec, parseRemote(argv, ctx), common, ctx);
  const registry = new RemoteRegistry({ ...repo.options, registry: host });
  const last = stringArg(argv, 'last');
  const names: string[] = [];
  for await (const page of registry.repositories(last ? { last: `${namespace}${last}` } : {})) {
    for (const name of page) {
      if (!name.startsWith(namespace)) continue;
      const sub = name.slice(namespace.length);
      names.push(sub);
      // names come from the registry: a control character must not reach the terminal raw
      if (format.type === 'text') ctx.stdout.write(`${printable(sub)}\n`);
    }
  }
  if (format.type !== 'text') writeResult(ctx, format, { repositories: names }, () => '');
}

/** Runs `oras repo tags`. */
export async function runRepoTags(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  const common = parseCommon(argv, ctx);
  const format = parseFormat(argv);
  const raw = String(argv.name);
  const spec = parseTarget(raw, argv, { form: '<registry>/<repo>[:<tag>|@<digest>]' });
  const { target } = await openReadOnlyTarget(spec, argv, common, ctx);
  if (!isTagLister(target)) throw new CliError(`${raw}: the target does not support tag listing`);
  const reference = spec.kind === 'registry' ? spec.reference.reference : spec.reference;
  const excludeDigestTags = argv['exclude-digest-tags'] === true;
  const last = stringArg(argv, 'last');
  const tags: string[] = [];
  try {
    let filter: string | undefined;
    if (reference !== undefined) {
      filter = isDigest(reference) ? reference : (await target.resolve(reference)).digest;
      ctx.stderr.write(`[Experimental] querying tags associated to ${filter}, it may take a while...\n`);
    }
    for await (const page of target.tags(last ? { last } : {})) {
      for (const tag of page) {
        if (excludeDigestTags && isDigestTag(tag)) continue;
        if (filter !== undefined && tag !== reference && (await target.resolve(tag)).digest !== filter)
          continue;
        tags.push(tag);
        if (format.type === 'text') ctx.stdout.write(`${printable(tag)}\n`);
      }
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `oras repo tags ${raw}`);
  }
  if (format.type !== 'text') writeResult(ctx, format, { tags }, () => '');
}
