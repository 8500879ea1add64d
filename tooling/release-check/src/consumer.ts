/**
 * A clean place to be an npm user in: a home folder, an npm cache and an npm config of its own,
 * so the check never reads or writes the machine's `~/.npmrc`, `~/.docker` or npm cache, and
 * every package comes from the registry under test.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The environment of the npm user: `PATH`, a temporary `HOME`, and npm pointed at `registry` only. */
export async function consumerEnv(work: string, registry: string): Promise<NodeJS.ProcessEnv> {
  const home = join(work, 'home');
  await mkdir(join(home, '.docker'), { recursive: true });
  const userconfig = join(work, 'npmrc');
  const globalconfig = join(work, 'npmrc-global');
  await writeFile(userconfig, `registry=${registry}\n`);
  await writeFile(globalconfig, '');
  const env: NodeJS.ProcessEnv = {};
  // Inherit nothing npm, pnpm or proxy related from whoever runs the check (pnpm and turbo export
  // npm_config_* to scripts): the user below has only the settings written here.
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|turbo_|node_options$|docker_config$|(https?|all|no)_proxy$)/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    NO_PROXY: '127.0.0.1,localhost',
    npm_config_userconfig: userconfig,
    npm_config_globalconfig: globalconfig,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_registry: registry,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** Makes an empty ESM project folder `name` under `work`, as `npm init` would. */
export async function emptyProject(work: string, name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}
