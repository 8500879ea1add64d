/**
 * The user's own machine, as an attacker or a busy CI job leaves it: a `docker-credential-*`
 * planted in the working folder and found through `.`, an empty or a relative `PATH` entry, a
 * config file that names its helper by a path, and ten `oras login` at once sharing one config
 * file. A planted helper never runs (the run fails with one line naming the reason), and every
 * login's entry survives.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { startTestRegistry } from '@oras-internal/test-registry';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestOf, sha256 } from '../harness/craft.js';
import { useFixture, useSandbox, useTestRegistry } from '../harness/fixture.js';
import { cleanFailureProblems, successProblems } from '../harness/outcome.js';
import { basicSecret, leaksInTexts, secret } from '../harness/secrets.js';
import { diffTrees, pathsOutside } from '../harness/tree.js';

const USER = 'alice';
const PASSWORD = 'helper-secret-0b7e';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SYSTEM_PATH = process.env.PATH ?? '/usr/bin:/bin';
/** What a refusal of a helper must name. */
const HELPER_REASON = /credential helper|docker-credential|PATH/i;

const box = useSandbox();
const registry = useTestRegistry({ auth: { basic: { [USER]: PASSWORD } } }, 'file');
beforeAll(() => {
  const config = Buffer.from('{}');
  registry.storage.putBlob('env/helper', sha256(config), config);
  registry.storage.putManifest('env/helper', 'v1', manifestOf([]), MANIFEST);
});

/** The marker a planted helper leaves when it runs. */
const ranMarker = () => join(box.outside, 'helper-ran');

/** Writes an executable `docker-credential-<name>` into `dir` that leaves a marker and answers. */
async function plantHelper(dir: string, name: string): Promise<void> {
  const file = join(dir, `docker-credential-${name}`);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(
    file,
    `#!/bin/sh\necho "$1" >> '${ranMarker()}'\nprintf '{"Username":"${USER}","Secret":"${PASSWORD}"}'\n`,
  );
  await chmod(file, 0o755);
}

async function writeConfig(config: object): Promise<void> {
  await writeFile(join(box.home, '.docker', 'config.json'), JSON.stringify(config), { mode: 0o600 });
}

/** Lists the tags of the registry (which asks for credentials) with `PATH` set to `path`. */
async function listTags(path: string) {
  const before = await box.snapshot();
  const run = await box.run(['repo', 'tags', `${registry.host}/env/helper`, '--plain-http'], {
    env: { PATH: path },
    timeoutMs: 30_000,
  });
  const changed = pathsOutside(diffTrees(before, await box.snapshot()), ['home', 'tmp']);
  return { run, changed };
}

describe('credential helpers planted where the user stands', () => {
  const paths: ReadonlyArray<readonly [string, string]> = [
    ['"." in PATH', `.${delimiter}${SYSTEM_PATH}`],
    ['an empty entry first in PATH', `${delimiter}${SYSTEM_PATH}`],
    ['an empty entry last in PATH', `${SYSTEM_PATH}${delimiter}`],
    ['a relative folder in PATH', `bin${delimiter}${SYSTEM_PATH}`],
  ];
  for (const [what, path] of paths) {
    it(`never runs a helper found through ${what}`, async () => {
      await plantHelper(box.work, 'evil');
      await plantHelper(join(box.work, 'bin'), 'evil');
      await writeConfig({ credsStore: 'evil' });
      const { run, changed } = await listTags(path);
      expect(existsSync(ranMarker())).toBe(false);
      expect(cleanFailureProblems(run, HELPER_REASON)).toEqual([]);
      expect(changed).toEqual([]);
    });
  }

  it('never runs a helper named by a path (credsStore "x/evil" runs ./docker-credential-x/evil)', async () => {
    await plantHelper(box.work, 'x/evil');
    await writeConfig({ credsStore: 'x/evil' });
    const { run } = await listTags(SYSTEM_PATH);
    expect(existsSync(ranMarker())).toBe(false);
    expect(cleanFailureProblems(run, HELPER_REASON)).toEqual([]);
  });

  it('never runs a per-registry helper named by a path (credHelpers)', async () => {
    await plantHelper(box.work, 'x/evil');
    await writeConfig({ credHelpers: { [registry.host]: 'x/evil' } });
    const { run } = await listTags(SYSTEM_PATH);
    expect(existsSync(ranMarker())).toBe(false);
    expect(cleanFailureProblems(run, HELPER_REASON)).toEqual([]);
  });

  it('still runs a helper found in an absolute PATH entry', async () => {
    const tools = join(box.root, 'tools');
    await plantHelper(tools, 'good');
    await writeConfig({ credsStore: 'good' });
    const { run } = await listTags(`.${delimiter}${tools}${delimiter}${SYSTEM_PATH}`);
    expect(successProblems(run)).toEqual([]);
    expect(run.stdout).toBe('v1\n');
    expect((await readFile(ranMarker(), 'utf8')).trim()).toBe('get');
  });
});

describe('ten logins at once', () => {
  const registries = useFixture(
    'ten registries',
    async () => ({
      list: await Promise.all(
        Array.from({ length: 10 }, () => startTestRegistry({ auth: { basic: { [USER]: PASSWORD } } })),
      ),
    }),
    async ({ list }) => Promise.all(list.map((r) => r.close())),
  );

  it('keep the entry of every registry in the one config file', async () => {
    await writeConfig({ currentContext: 'default' });
    const runs = await Promise.all(
      registries.list.map((r) =>
        box.run(['login', r.host, '-u', USER, '--password-stdin', '--plain-http'], {
          stdin: `${PASSWORD}\n`,
          timeoutMs: 90_000,
        }),
      ),
    );
    for (const run of runs) expect(successProblems(run)).toEqual([]);
    const config = JSON.parse(await readFile(join(box.home, '.docker', 'config.json'), 'utf8')) as {
      auths?: Record<string, unknown>;
      currentContext?: string;
    };
    expect(Object.keys(config.auths ?? {}).sort()).toEqual(registries.list.map((r) => r.host).sort());
    expect(config.currentContext).toBe('default');
    const texts = Object.fromEntries(runs.map((r, i) => [`output of login ${i}`, r.stdout + r.stderr]));
    expect(leaksInTexts([secret('password', PASSWORD), basicSecret(USER, PASSWORD)], texts)).toEqual([]);
  });
});
