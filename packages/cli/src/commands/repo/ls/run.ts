/** The implementation of `oras repo ls`: the catalog of a registry, or of a namespace in it. */
import { RemoteRegistry } from '@oras/registry';
import { parseReference } from '@oras/spec';
import type { CliContext } from '../../../context.js';
import type { RegistryTargetSpec } from '../../../options/target.js';
import { writeListPages } from '../../../output/list.js';
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
  async function* names(): AsyncGenerator<string[]> {
    for await (const page of registry.repositories(last ? { last: `${namespace}${last}` } : {})) {
      yield page.filter((name) => name.startsWith(namespace)).map((name) => name.slice(namespace.length));
    }
  }
  // printed page by page; names from the registry are escaped in text (no raw control character)
  await writeListPages(ctx, format, { registry: host }, 'repositories', names());
}
