/** The implementation of `oras repo ls`: the catalog of a registry, or of a namespace in it. */
import { RemoteRegistry } from '@oras/registry';
import { parseReference } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import type { RegistryTargetSpec } from '../../../options/target.js';
import { printable } from '../../../output/escape.js';
import { writeResult } from '../../../output/metadata.js';
import { openRepository } from '../../../targets.js';
import type { RepoLsOptions } from './command.js';

/** Runs `oras repo ls`. */
export async function runRepoLs(options: RepoLsOptions, ctx: CliContext): Promise<void> {
  const { common, format, host, namespace, last } = options;
  const spec: RegistryTargetSpec = {
    kind: 'registry',
    raw: options.registry,
    reference: parseReference(`${host}/${namespace.replace(/\/$/, '') || 'oras'}`),
    tags: [],
  };
  const repo = await openRepository(spec, options.remote, common, ctx);
  const registry = new RemoteRegistry({ ...repo.options, registry: host });
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
  if (format.type !== 'text') writeResult(ctx, format, { registry: host, repositories: names }, () => '');
}
