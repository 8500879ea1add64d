/** The implementation of `oras repo ls`: the catalog of a registry, or of a namespace in it. */
import { RemoteRegistry } from '@oras/registry';
import { ErrorCode, parseReference } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import { CliError } from '../../../errors.js';
import { stringArg } from '../../../options/args.js';
import { parseCommon } from '../../../options/common.js';
import { parseFormat } from '../../../options/format.js';
import { parseRemote } from '../../../options/remote.js';
import type { RegistryTargetSpec } from '../../../options/target.js';
import { printable } from '../../../output/escape.js';
import { writeResult } from '../../../output/metadata.js';
import { openRepository } from '../../../targets.js';

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
