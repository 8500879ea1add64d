/**
 * `oras completion <shell>` in the real shells: the script each prints is loaded into bash, zsh
 * and fish (Debian's, installed by `tooling/scripts/bootstrap.sh`), with the built `oras` on
 * `PATH`, and asked to complete nested commands (`oras manifest fe<TAB>`) and their flags
 * (`oras manifest fetch --pre<TAB>`):
 *
 * - bash and zsh through their completion functions called as the shell calls them (`COMP_WORDS`
 *   and `COMP_CWORD`; `words` and `CURRENT` with zsh's `compadd` recording), then typed with a
 *   real Tab in an interactive shell inside tmux (a private server, killed after each run);
 * - zsh also from `$fpath`, the way `oras completion zsh > "${fpath[1]}/_oras"` installs it;
 * - fish with `complete -C`, its own way of asking for completions.
 *
 * There is no PowerShell in Debian: its script is checked by its text only (balanced brackets,
 * the native argument completer for `oras`, the call of `oras __complete`).
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORAS_BIN, oras, type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

const run = promisify(execFile);

let box: Sandbox;
let env: NodeJS.ProcessEnv;
let sessions = 0;

beforeAll(async () => {
  box = await sandbox('oras-cli-completion-');
  // `oras` on PATH, as the scripts call it
  const bin = join(box.dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'oras'), `#!/bin/sh\nexec '${process.execPath}' '${ORAS_BIN}' "$@"\n`);
  await chmod(join(bin, 'oras'), 0o755);
  // a file that a file-name fallback would offer
  await writeFile(join(box.dir, 'fetched.json'), '{}');
  env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: box.dir,
    ZDOTDIR: box.dir,
    XDG_CONFIG_HOME: join(box.dir, '.config'),
    XDG_DATA_HOME: join(box.dir, '.local'),
    TERM: 'xterm',
  };
});

afterAll(async () => {
  await box?.remove();
});

/** Runs a shell with a script, in the sandbox. */
async function shell(command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(command, args, { cwd: box.dir, env, timeout: 60_000 });
  return stdout;
}

/** The script of `oras completion <name>`. */
async function script(name: string): Promise<string> {
  const res = await oras(['completion', name]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res.stdout;
}

/**
 * Types `keys` into an interactive shell inside tmux, then Tab, and waits for the command line to
 * read `expected`; resolves to the last screen seen.
 */
async function typeTab(command: string, setup: string, keys: string, expected: RegExp): Promise<string> {
  const socket = join(box.dir, `tmux-${++sessions}`);
  const tmux = (...args: string[]) => run('tmux', ['-S', socket, ...args], { cwd: box.dir, env });
  const screen = async () => (await tmux('capture-pane', '-p', '-t', 'c')).stdout;
  const waitFor = async (pattern: RegExp) => {
    let last = '';
    for (let i = 0; i < 300 && !pattern.test(last); i++) {
      await sleep(100);
      last = await screen();
    }
    return last;
  };
  await tmux('new-session', '-d', '-s', 'c', '-x', '160', '-y', '30', command);
  try {
    await tmux('send-keys', '-t', 'c', setup, 'Enter');
    await tmux('send-keys', '-t', 'c', 'echo ready-$((6*7))', 'Enter');
    await waitFor(/^ready-42$/m);
    await tmux('send-keys', '-t', 'c', keys);
    await waitFor(new RegExp(`${keys.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\s*$`, 'm'));
    await tmux('send-keys', '-t', 'c', 'Tab');
    return await waitFor(expected);
  } finally {
    await tmux('kill-server').catch(() => undefined);
  }
}

describe('bash', () => {
  const complete = async (words: string[]) => {
    const file = join(box.dir, 'oras.bash');
    await writeFile(file, await script('bash'));
    const cword = words.length - 1;
    const out = await shell('bash', [
      '--norc',
      '-c',
      `source '${file}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${cword}; _oras; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ]);
    return out.split('\n').filter((l) => l !== '');
  };

  it('completes nested sub-commands and their flags', async () => {
    expect(await complete(['oras', 'manifest', 'fe'])).toEqual(['fetch', 'fetch-config']);
    expect(await complete(['oras', 'manifest', 'fetch', '--pre'])).toEqual(['--pretty']);
    expect(await complete(['oras', 'completion', 'z'])).toEqual(['zsh']);
  });

  it('leaves a file name to the shell where a value goes', async () => {
    expect(await complete(['oras', 'manifest', 'fetch', '--output', 'fe'])).toEqual([]);
  });

  it('completes with a real Tab in an interactive bash', async () => {
    const file = join(box.dir, 'oras.bash');
    await writeFile(file, await script('bash'));
    const setup = `PS1='$ '; source '${file}'`;
    const sub = await typeTab('bash --norc -i', setup, 'oras manifest fe', /^\$ oras manifest fetch$/m);
    expect(sub).toMatch(/^\$ oras manifest fetch$/m);
    const flag = await typeTab(
      'bash --norc -i',
      setup,
      'oras manifest fetch --pre',
      /^\$ oras manifest fetch --pretty ?$/m,
    );
    // (tmux drops the space the shell adds after a sole candidate)
    expect(flag).toMatch(/^\$ oras manifest fetch --pretty ?$/m);
  });
});

describe('zsh', () => {
  /** Calls `_oras` as the completion system would, recording what it hands `compadd`. */
  const complete = async (words: string[], load: 'source' | 'fpath' = 'source') => {
    const dir = join(box.dir, 'zfunc');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '_oras'), await script('zsh'));
    const loading =
      load === 'source'
        ? `autoload -U compinit; compinit -u -d '${box.dir}/.zcompdump'; source '${dir}/_oras'`
        : `fpath=('${dir}' $fpath); autoload -U compinit; compinit -u -d '${box.dir}/.zcompdump-fpath'`;
    const out = await shell('zsh', [
      '-f',
      '-c',
      `${loading}
[[ $_comps[oras] == _oras ]] || { print 'oras has no completion function'; exit 1; }
compadd() { local i=\${@[(i)--]}; print -l -- "\${@[i+1,-1]}"; }
_files() { print '<files>'; }
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}
_oras`,
    ]);
    return out.split('\n').filter((l) => l !== '');
  };

  it('completes nested sub-commands and their flags', async () => {
    expect(await complete(['oras', 'manifest', 'fe'])).toEqual(['fetch', 'fetch-config']);
    expect(await complete(['oras', 'manifest', 'fetch', '--pre'])).toEqual(['--pretty']);
  });

  it('falls back to file names where a value goes', async () => {
    expect(await complete(['oras', 'manifest', 'fetch', '--output', 'fe'])).toEqual(['<files>']);
  });

  it('completes when installed in $fpath', async () => {
    expect(await complete(['oras', 'manifest', 'fe'], 'fpath')).toEqual(['fetch', 'fetch-config']);
  });

  it('completes with a real Tab in an interactive zsh', async () => {
    const file = join(box.dir, 'oras.zsh');
    await writeFile(file, await script('zsh'));
    const setup = `PS1='%% '; autoload -U compinit; compinit -u -d '${box.dir}/.zcompdump-tty'; source '${file}'`;
    const sub = await typeTab('zsh -f -i', setup, 'oras manifest fe', /^% oras manifest fetch$/m);
    expect(sub).toMatch(/^% oras manifest fetch$/m);
    const flag = await typeTab(
      'zsh -f -i',
      setup,
      'oras manifest fetch --pre',
      /^% oras manifest fetch --pretty ?$/m,
    );
    expect(flag).toMatch(/^% oras manifest fetch --pretty ?$/m);
  });
});

describe('fish', () => {
  const complete = async (line: string) => {
    const file = join(box.dir, 'oras.fish');
    await writeFile(file, await script('fish'));
    const out = await shell('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`]);
    return out.split('\n').filter((l) => l !== '');
  };

  it('completes nested sub-commands and their flags', async () => {
    expect(await complete('oras manifest fe')).toEqual(['fetch', 'fetch-config']);
    expect(await complete('oras manifest fetch --pre')).toEqual(['--pretty']);
    expect(await complete('oras pu')).toEqual(['pull', 'push']);
  });

  it('completes file names where a value goes, and only there', async () => {
    expect(await complete('oras manifest fetch --output fe')).toEqual(['fetched.json']);
  });
});

describe('powershell (no pwsh in Debian: the text only)', () => {
  it('registers a native argument completer for oras that asks oras __complete', async () => {
    const text = await script('powershell');
    expect(text).toContain('Register-ArgumentCompleter -Native -CommandName oras -ScriptBlock {');
    expect(text).toContain('param($wordToComplete, $commandAst, $cursorPosition)');
    expect(text).toMatch(/oras __complete @words/);
    expect(text).toContain('[System.Management.Automation.CompletionResult]::new(');
    // brackets balance, outside strings
    const code = text.replace(/'[^']*'/g, "''");
    for (const [open, close] of [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      expect(code.split(open).length, `${open}${close}`).toBe(code.split(close).length);
    }
  });
});

describe('oras completion', () => {
  it('shows its shells as sub-commands, and refuses another', async () => {
    const res = await oras(['completion']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      'Available Commands:\n  bash        Generate the autocompletion script for bash\n',
    );
    const bad = await oras(['completion', 'tcsh']);
    expect(bad.code).toBe(1);
    // cobra's suggestions: names within two edits
    expect(bad.stderr).toBe(
      'Error: unknown command "tcsh" for "oras completion"\n\nDid you mean this?\n\tbash\n\tfish\n\tzsh\n\nRun \'oras completion --help\' for usage.\n',
    );
  });

  it('takes --no-descriptions', async () => {
    const res = await oras(['completion', 'bash', '--no-descriptions']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(await script('bash'));
  });
});
