/**
 * Ten processes writing one docker config file at once, as ten `oras login` to ten registries
 * do: every entry must survive. The children run the built package (`dist/`), since a lock
 * between processes can only be tested with processes; `pnpm --filter @oras/auth build` first.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
/** The modules the writers exercise, as source and as built. */
const MODULES = ['config-file', 'config-lock', 'file-store'].map((name) => ({
  source: fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url)),
  built: fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url)),
}));

/**
 * One writer: loads the package, says `ready`, waits for a line on stdin (so all of them start
 * their writes together), stores `count` entries and says `done`.
 */
const WRITER = `
import { FileCredentialStore } from ${JSON.stringify(DIST)};
const [path, id, count] = process.argv.slice(1);
const store = new FileCredentialStore(path, { allowPlaintextPut: true });
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  try {
    for (let i = 0; i < Number(count); i++) {
      await store.put(\`registry-\${id}-\${i}.example:5000\`, { username: \`user-\${id}\`, password: \`pw-\${i}\` });
    }
    process.stdout.write('done\\n');
    process.exit(0);
  } catch (err) {
    process.stderr.write(String(err && err.message) + '\\n');
    process.exit(1);
  }
});
`;

interface Writer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

function startWriter(path: string, id: number, count: number): Writer {
  const child = spawn(process.execPath, [
    '--input-type=module',
    '-e',
    WRITER,
    path,
    String(id),
    String(count),
  ]);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (stdout.includes('ready')) resolve();
    });
    child.once('close', () => reject(new Error(`writer ${id} ended before it was ready: ${stderr}`)));
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, stderr }));
  });
  return { child, ready, exit };
}

/** Runs `writers` processes of `count` writes each, released together; resolves to their exits. */
async function writeTogether(path: string, writers: number, count: number) {
  const all = Array.from({ length: writers }, (_, id) => startWriter(path, id, count));
  await Promise.all(all.map((w) => w.ready));
  for (const w of all) w.child.stdin.write('go\n');
  return Promise.all(all.map((w) => w.exit));
}

let dir: string;
beforeAll(() => {
  for (const { source, built } of MODULES) {
    if (!existsSync(built) || statSync(source).mtimeMs > statSync(built).mtimeMs) {
      throw new Error(`${built} is missing or older than its source: run pnpm --filter @oras/auth build`);
    }
  }
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oras-auth-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the config file under concurrent writers', () => {
  it('keeps every entry of ten processes logging in to ten registries at once', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, '{\n\t"credsStore": "",\n\t"currentContext": "default"\n}', { mode: 0o600 });
    const exits = await writeTogether(path, 10, 3);
    expect(exits).toEqual(Array.from({ length: 10 }, () => ({ code: 0, stderr: '' })));
    const config = JSON.parse(await readFile(path, 'utf8')) as {
      auths: Record<string, unknown>;
      currentContext: string;
    };
    const expected = Array.from({ length: 10 }, (_, id) =>
      Array.from({ length: 3 }, (_, i) => `registry-${id}-${i}.example:5000`),
    ).flat();
    expect(Object.keys(config.auths).sort()).toEqual(expected.sort());
    expect(config.currentContext).toBe('default');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // no lock file and no temporary file is left behind
    expect(await readdir(dir)).toEqual(['config.json']);
  });
});
