/**
 * The live progress display, end to end: the built `oras` runs under a pseudo-terminal (util-linux
 * `script`), so stderr is a terminal, as when a user types the command.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
import { ORAS_BIN, withDistribution } from './fixture.js';

const e2e = withDistribution({ files: { 'big.bin': randomBytes(3 * 1024 * 1024), 'hi.txt': 'tty\n' } });

/** Runs oras under a 120-column pseudo-terminal; returns what the terminal showed, colours removed. */
async function onTerminal(args: string): Promise<string> {
  const { stdout } = await run(
    'script',
    ['-qec', `stty cols 120 rows 40; ${process.execPath} ${ORAS_BIN} ${args}`, '/dev/null'],
    { cwd: e2e.box.dir, env: e2e.env() },
  );
  return stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
}

describe('on a terminal', () => {
  it('shows done marks, sizes, percent and digests for every blob instead of status lines', async () => {
    const screen = await onTerminal(`push --plain-http ${e2e.registry.host}/tty:v1 big.bin hi.txt`);
    expect(screen).toMatch(/^✓ Uploaded {2}big\.bin +3\/3 MB 100\.00% +\S+$/m);
    expect(screen).toMatch(/^✓ Uploaded {2}hi\.txt +4\/4 +B 100\.00% +\S+$/m);
    expect(screen).toMatch(/^ {2}└─ sha256:[0-9a-f]{64}$/m);
    expect(screen).not.toMatch(/^Uploading [0-9a-f]{12} /m);
    expect(screen).toContain(`Pushed [registry] ${e2e.registry.host}/tty:v1\n`);
  });

  it('prints plain status lines with --no-tty, and none of the display', async () => {
    const screen = await onTerminal(`pull --no-tty --plain-http ${e2e.registry.host}/tty:v1 -o out`);
    expect(screen).toMatch(/^Downloaded {2}[0-9a-f]{12} big\.bin$/m);
    expect(screen).not.toContain('✓');
  });
});

describe('login on a terminal', () => {
  it('echoes the username and hides the password', async () => {
    const config = join(e2e.box.dir, 'tty-login.json');
    const child = spawn(
      'script',
      [
        '-qec',
        `${process.execPath} ${ORAS_BIN} login --plain-http --registry-config ${config} ${e2e.registry.host}`,
        '/dev/null',
      ],
      { cwd: e2e.box.dir, env: { PATH: process.env.PATH ?? '', HOME: e2e.box.dir } },
    );
    let screen = '';
    const answered = new Set<string>();
    child.stdout.on('data', (chunk) => {
      screen += chunk.toString();
      if (screen.includes('Username: ') && !answered.has('u')) {
        answered.add('u');
        child.stdin.write('alice\r');
      }
      if (screen.includes('Password: ') && !answered.has('p')) {
        answered.add('p');
        child.stdin.write('s3cretpw\r');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(screen).toContain('alice');
    expect(screen).toContain('Login Succeeded');
    expect(screen).not.toContain('s3cretpw');
    const stored = JSON.parse(await readFile(config, 'utf8'));
    expect(Buffer.from(stored.auths[e2e.registry.host].auth, 'base64').toString()).toBe('alice:s3cretpw');
  });
});
