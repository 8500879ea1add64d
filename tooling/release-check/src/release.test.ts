/**
 * The release check: what `pnpm -r publish` would put on npm, published to a real npm registry on
 * loopback (verdaccio), then installed from there with plain npm into clean projects and used as a
 * user would: `@oras/registry` alone (no CLI dependencies come with it) with the package README
 * examples run against a real `docker-registry`, and `@oras/cli` with `npx oras version` and a
 * push and pull. Runs on whatever versions package.json holds, so it checks a release cut by
 * `changeset version` as well as today's tree.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerEnv, emptyProject } from './consumer.js';
import { firstTypeScriptBlock, toJavaScript } from './readme.js';
import { run } from './run.js';
import { startVerdaccio, type Verdaccio } from './verdaccio.js';
import { lockedPackages, releasedPackages, ROOT } from './workspace.js';

const released = releasedPackages();
/** Scripts that call the functions the registry and auth README examples export. */
const DRIVERS = join(import.meta.dirname, 'drivers');
const LIBRARY_EXAMPLES = ['@oras/spec', '@oras/content', '@oras/registry', '@oras/auth'] as const;

let work: string;
let env: NodeJS.ProcessEnv;
let verdaccio: Verdaccio | undefined;
let plain: Distribution | undefined;
let tls: Distribution | undefined;

/** The npm installs under way, so that the end waits for them before removing their folders. */
const installs: Promise<string>[] = [];

/** An npm install of `spec` into a fresh project, started on the first call: the two installs overlap. */
function installOnce(project: string, spec: string): () => Promise<string> {
  let started: Promise<string> | undefined;
  return () => {
    if (!started) {
      started = emptyProject(work, project).then(async (dir) => {
        await npm(['install', spec], dir);
        return dir;
      });
      started.catch(() => undefined); // reported by the step that awaits it, not as unhandled
      installs.push(started);
    }
    return started;
  };
}
const libraryProject = installOnce('registry-user', `@oras/registry@${releasedVersion('@oras/registry')}`);
const cliProject = installOnce('cli-user', `@oras/cli@${releasedVersion('@oras/cli')}`);

/** The registry and CA bundle npm is configured with on this machine: verdaccio's uplink. */
async function machineNpmRegistry(): Promise<{ uplink: string; caFile?: string }> {
  const { stdout } = await run('npm', ['config', 'get', 'registry', 'cafile'], { cwd: ROOT });
  const settings = new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
  );
  const uplink = settings.get('registry') ?? '';
  const caFile = settings.get('cafile');
  if (!/^https?:\/\//.test(uplink)) throw new Error(`npm config get registry: ${stdout}`);
  return caFile && caFile !== 'null' && caFile !== 'undefined' ? { uplink, caFile } : { uplink };
}

function releasedVersion(name: string): string {
  const pkg = released.get(name);
  if (!pkg) throw new Error(`${name} is not a package of this workspace`);
  return pkg.version;
}

const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--loglevel', 'http'], { cwd, env, timeoutMs: 300_000 });
const npx = (args: string[], cwd: string) => run('npx', ['--no', '--', ...args], { cwd, env });
const node = (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, args, { cwd, env: { ...env, ...extra } });

/** Checks what npm installed into `project`: all from verdaccio, each @oras package once, at its released version. */
async function expectCleanInstall(project: string): Promise<string[]> {
  const installed = lockedPackages(project);
  for (const pkg of installed) expect(pkg.resolved, pkg.path).toMatch(new RegExp(`^${verdaccio?.url}`));
  const ours = installed.filter((p) => p.name.startsWith('@oras/'));
  for (const pkg of ours) {
    expect(pkg.path, `${pkg.name} installed more than once`).toBe(`node_modules/${pkg.name}`);
    expect(pkg.version, pkg.name).toBe(releasedVersion(pkg.name));
    const workspaceChangelog = join(released.get(pkg.name)?.dir ?? '', 'CHANGELOG.md');
    expect(existsSync(join(project, pkg.path, 'CHANGELOG.md')), `${pkg.name} CHANGELOG.md`).toBe(
      existsSync(workspaceChangelog),
    );
  }
  return installed.map((p) => p.name);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'oras-release-check-'));
  const { uplink, caFile } = await machineNpmRegistry();
  const started = await Promise.allSettled([
    startVerdaccio({ uplink, ...(caFile ? { uplinkCaFile: caFile } : {}) }),
    startDistribution({ mode: 'plain' }),
    startDistribution({ mode: 'basic-tls' }),
  ] as const);
  verdaccio = started[0].status === 'fulfilled' ? started[0].value : undefined;
  plain = started[1].status === 'fulfilled' ? started[1].value : undefined;
  tls = started[2].status === 'fulfilled' ? started[2].value : undefined;
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  env = await consumerEnv(work, verdaccio?.url ?? '');
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(installs);
  await Promise.allSettled([verdaccio?.stop(), plain?.stop(), tls?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('release check', () => {
  it('publishes every package with `pnpm -r publish`, workspace ranges turned into released versions', async () => {
    const registry = verdaccio?.url ?? '';
    const authFile = join(work, 'publish-npmrc');
    await writeFile(authFile, `//${new URL(registry).host}/:_authToken=${verdaccio?.token}\n`);
    // `--config.@oras:registry`: a scoped registry in someone's npmrc would win over `--registry`.
    const publish = (...extra: string[]) =>
      run(
        'pnpm',
        [
          '-r',
          'publish',
          '--registry',
          registry,
          `--config.@oras:registry=${registry}`,
          '--npmrc-auth-file',
          authFile,
          '--no-git-checks',
          ...extra,
        ],
        { cwd: ROOT, timeoutMs: 300_000 },
      );
    const expectTargets = ({ stdout, stderr }: { stdout: string; stderr: string }) => {
      const targets = [...`${stdout}\n${stderr}`.matchAll(/📦 (\S+) → (\S+)/g)].map((m) => [m[1], m[2]]);
      expect(targets.map(([id]) => id).sort()).toEqual(
        [...released.values()].map((p) => `${p.name}@${p.version}`).sort(),
      );
      for (const [id, target] of targets) expect(target, id).toBe(registry);
    };
    // A dry run first: where each package would go is checked before anything is uploaded, so the
    // check can never publish to a real registry, whatever credentials the machine holds.
    expectTargets(await publish('--dry-run'));
    expectTargets(await publish());

    for (const pkg of released.values()) {
      const res = await fetch(new URL(pkg.name.replace('/', '%2f'), registry));
      expect(res.status, pkg.name).toBe(200);
      const packument = (await res.json()) as {
        'dist-tags': Record<string, string>;
        versions: Record<string, { dependencies?: Record<string, string> }>;
      };
      expect(packument['dist-tags'].latest, pkg.name).toBe(pkg.version);
      const dependencies = packument.versions[pkg.version]?.dependencies ?? {};
      for (const [name, range] of Object.entries(dependencies)) {
        expect(range, `${pkg.name} -> ${name}`).not.toMatch(/^workspace:/);
        if (name.startsWith('@oras/')) {
          // `workspace:^` becomes `^<released version>`: the dependency's release satisfies it
          expect([`^${releasedVersion(name)}`, `~${releasedVersion(name)}`, releasedVersion(name)]).toContain(
            range,
          );
        }
      }
    }
    // The two user projects install concurrently from here on (network-bound, ~half the run).
    libraryProject();
    cliProject();
  });

  it('installs @oras/registry alone with npm: released versions, once each, and no CLI dependencies', async () => {
    const names = await expectCleanInstall(await libraryProject());
    expect(names).toEqual(
      expect.arrayContaining(['@oras/registry', '@oras/auth', '@oras/content', '@oras/spec']),
    );
    expect(names).not.toContain('@oras/cli');
    expect(names).not.toContain('yargs');
    expect(names).not.toContain('vitest');
    // TODO(issue 17): also `tar`, once the file store's tar support no longer comes with @oras/registry.
  });

  it('runs the README examples of the libraries as published', async () => {
    const project = await libraryProject();
    for (const name of LIBRARY_EXAMPLES) {
      const readme = await readFile(join(project, 'node_modules', name, 'README.md'), 'utf8');
      const base = `${name.slice('@oras/'.length)}-example`;
      const js = toJavaScript(firstTypeScriptBlock(readme, name), `${base}.mts`);
      await writeFile(join(project, `${base}.mjs`), js);
    }
    // spec and content: self-checking scripts (they assert what they show)
    await node(['spec-example.mjs'], project);
    await node(['content-example.mjs'], project);

    // registry: pushAndPull(repository, text) against the real registry, plain HTTP on loopback
    await copyFile(join(DRIVERS, 'registry-driver.mjs'), join(project, 'registry-driver.mjs'));
    const text = 'hello from the release check\n';
    const pulled = await node(['registry-driver.mjs', `${plain?.host}/readme/registry`, text], project);
    expect(pulled.stdout).toBe(text);

    // auth: listTags(registry, repository, username, password) logs in to the TLS registry with
    // htpasswd users (storing the credential in $DOCKER_CONFIG, a temporary folder) and lists tags
    await copyFile(join(DRIVERS, 'auth-driver.mjs'), join(project, 'auth-driver.mjs'));
    const password = tls?.users?.oras ?? '';
    const listed = await node(['auth-driver.mjs', tls?.url ?? '', 'readme/auth', 'oras', password], project, {
      NODE_EXTRA_CA_CERTS: tls?.caFile ?? '',
    });
    expect(JSON.parse(listed.stdout)).toEqual({ name: 'readme/auth', tags: ['v1'] });
    const dockerConfig = await readFile(join(env.DOCKER_CONFIG ?? '', 'config.json'), 'utf8');
    expect(dockerConfig).toContain(tls?.host);
    expect(`${pulled.stderr}${listed.stderr}`).not.toContain(password);
  });

  it('installs @oras/cli with npm, and `npx oras version` prints the released version', async () => {
    const project = await cliProject();
    const names = await expectCleanInstall(project);
    expect(names).toEqual(expect.arrayContaining([...released.keys()]));

    const installed = JSON.parse(
      await readFile(join(project, 'node_modules', '@oras', 'cli', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(installed.version).toBe(releasedVersion('@oras/cli'));
    const { stdout } = await npx(['oras', 'version'], project);
    expect(stdout).toMatch(new RegExp(`^Version: +${installed.version.replace(/\./g, '\\.')}\n`));
  });

  it('pushes a file with the installed oras to a loopback registry and pulls it back', async () => {
    const project = await cliProject();
    const oras = (args: string[]) =>
      run(join(project, 'node_modules', '.bin', 'oras'), args, { cwd: project, env });
    const reference = `${plain?.host}/release-check/hello:v1`;
    await writeFile(join(project, 'hi.txt'), 'hello world\n');
    // `--plain-http`: like oras, the CLI talks plain HTTP by default to `localhost` only
    const pushed = await oras(['push', '--plain-http', reference, 'hi.txt']);
    expect(pushed.stdout).toContain(`Pushed [registry] ${reference}`);
    await oras(['pull', '--plain-http', reference, '-o', 'pulled']);
    expect(await readFile(join(project, 'pulled', 'hi.txt'), 'utf8')).toBe('hello world\n');
  });
});
