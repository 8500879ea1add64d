/**
 * Every `sh` block of the READMEs (the repository's and this package's), run as written, top to
 * bottom, by bash with `set -eo pipefail`: `oras` is the built CLI on `PATH`, `localhost:5000` a
 * docker-registry on a free port and `registry.example.com` a second one, the working directory a
 * sandbox holding the files the examples name. Each block must exit 0. Its stdin is empty, but
 * for a block that prompts (`# prompts` in a comment): it gets the answers `me` and `secret`.
 *
 * A block that must not run here (it installs software, or needs another shell) is preceded by a
 * line `<!-- not run by readme-blocks.test.ts: <why> -->`. Every command block of every README
 * (`README.md` and `packages/<name>/README.md`: each `sh` block, and any other block with an
 * `oras ...` line) either runs here or says why not.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type E2e, ORAS_BIN, withDistribution } from './fixture.js';
import type { Distribution } from '@oras-internal/test-registry/distribution';
import { startDistribution } from '@oras-internal/test-registry/distribution';

// A block runs the CLI up to twenty times as a child process; two shared cores make that slow.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 240_000 });

const SKIP = /^<!-- not run by readme-blocks\.test\.ts: .+ -->$/;

/** A fenced block of a README. */
interface Block {
  /** The line of its opening fence (1-based). */
  readonly line: number;
  /** Its language (`sh`, `ts`, `powershell`, or empty). */
  readonly lang: string;
  /** Its text. */
  readonly text: string;
  /** Whether a `not run` comment precedes it. */
  readonly skipped: boolean;
  /** The line before it (a marker such as `<!-- quick-start -->`). */
  readonly before: string;
}

/** The fenced blocks of a Markdown text, in order. */
function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)$/.exec(lines[i] as string);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] as string);
    const before =
      lines
        .slice(0, start)
        .reverse()
        .find((l) => l.trim() !== '') ?? '';
    blocks.push({
      line: start + 1,
      lang: fence[1] ?? '',
      text: `${body.join('\n')}\n`,
      skipped: SKIP.test(before.trim()),
      before: before.trim(),
    });
  }
  return blocks;
}

/** The `sh` blocks of a Markdown text, in order. */
function shBlocks(markdown: string): Block[] {
  return fencedBlocks(markdown).filter((b) => b.lang === 'sh');
}

/** Whether a block is a command block: `sh`, or any other with a line that runs `oras`. */
function isCommandBlock(block: Block): boolean {
  return block.lang === 'sh' || /^\s*(?:\$ )?oras\s/m.test(block.text);
}

/** Every README of the repository: its own and each package's. */
const README_ROOT = new URL('../../../../', import.meta.url);
const READMES: readonly string[] = [
  'README.md',
  ...readdirSync(new URL('packages/', README_ROOT))
    .map((name) => `packages/${name}/README.md`)
    .filter((path) => existsSync(new URL(path, README_ROOT)))
    .sort(),
];

/** The READMEs whose blocks run below; any other may hold only blocks marked not run. */
const RUN_HERE = ['README.md', 'packages/cli/README.md'];

describe('every command block of every README', () => {
  it('runs here, or says why not', () => {
    const unaccounted: string[] = [];
    for (const path of READMES) {
      for (const block of fencedBlocks(readFileSync(new URL(path, README_ROOT), 'utf8'))) {
        if (!isCommandBlock(block) || block.skipped) continue;
        if (block.lang === 'sh' && RUN_HERE.includes(path)) continue;
        unaccounted.push(`${path}:${block.line} (${block.lang || 'no language'})`);
      }
    }
    expect(unaccounted).toEqual([]);
  });

  it('finds the READMEs of the packages', () => {
    expect(READMES).toEqual(
      expect.arrayContaining(['packages/cli/README.md', 'packages/registry/README.md']),
    );
  });
});

/** What a block printed and how it ended. */
interface BlockRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The files the README examples name, as a user would have them. */
const FILES: Record<string, string> = {
  'hi.txt': 'hello world\n',
  'docs/index.md': '# Docs\n',
  'docs/guide/start.md': 'Start here.\n',
  'site/index.html': '<h1>hello</h1>\n',
  'my:file': 'a file name with a colon\n',
  'sig.json': '{"signature":"example"}\n',
  'sbom.json': '{"sbom":"example"}\n',
  'doc.md': '# A document\n',
  'config.json': '{"example":true}\n',
  'annotations.json': '{"$manifest":{"key":"value"},"hi.txt":{"note":"a greeting"}}\n',
  'password.txt': 'secret\n',
  'token.txt': 'an-identity-token\n',
};

/**
 * One README's run: its own two registries and sandbox, so it reads top to bottom as a new user
 * runs it.
 */
function readmeSuite(name: string, path: URL, expected: { skipped: number }): void {
  const blocks = shBlocks(readFileSync(path, 'utf8'));
  describe(name, () => {
    const e2e: E2e<Distribution> = withDistribution({ files: FILES });
    let other: Distribution;
    let binDir: string;

    beforeAll(async () => {
      other = await startDistribution({ mode: 'plain' });
      binDir = join(e2e.box.dir, '.bin');
      mkdirSync(binDir);
      const oras = join(binDir, 'oras');
      writeFileSync(oras, `#!/bin/sh\nexec "${process.execPath}" "${ORAS_BIN}" "$@"\n`);
      chmodSync(oras, 0o755);
      await run(
        'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout .ca.key -out ca.pem -days 1 -subj /CN=readme-ca 2>/dev/null',
      );
    });
    afterAll(async () => {
      await other?.stop();
    });

    /** Runs a script in the sandbox with `oras` on PATH, and `stdin` on its stdin. */
    function run(script: string, stdin = ''): Promise<BlockRun> {
      const env = e2e.env();
      return new Promise((resolve, reject) => {
        const child = spawn('bash', ['-c', script], {
          cwd: e2e.box.dir,
          env: { ...env, PATH: `${binDir}:${env.PATH}` },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end(stdin);
      });
    }

    /** The block with the addresses of this run's registries. */
    function localized(text: string): string {
      return text
        .replaceAll('localhost:5000', `localhost:${e2e.registry.port}`)
        .replaceAll('registry.example.com', `localhost:${other.port}`);
    }

    it('has sh blocks, and runs all but the ones that install software', () => {
      expect(blocks.length).toBeGreaterThan(0);
      expect(blocks.filter((b) => b.skipped)).toHaveLength(expected.skipped);
    });

    for (const block of blocks.filter((b) => !b.skipped)) {
      const first = block.text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
      it(`line ${block.line}: ${first.slice(0, 60)}`, async () => {
        const script = [
          'set -eo pipefail',
          `trap 'echo "README block failed at its line $((LINENO - 2)): $BASH_COMMAND" >&2' ERR`,
          localized(block.text),
        ].join('\n');
        const res = await run(script, block.text.includes('# prompts') ? 'me\nsecret\n' : '');
        if (res.code !== 0) {
          throw new Error(
            `README block at line ${block.line} exited ${res.code}\n--- block\n${block.text}--- stdout\n${res.stdout}--- stderr\n${res.stderr}`,
          );
        }
        if (block.before === '<!-- quick-start -->') {
          const host = `localhost:${e2e.registry.port}`;
          expect(res.stdout).toContain(`Pushed [registry] ${host}/hello:v1\n`);
          expect(res.stdout).toContain(`Pulled [registry] ${host}/hello:v1\n`);
          expect(res.stdout.endsWith('hello world\n')).toBe(true);
        }
      });
    }
  });
}

readmeSuite('README.md (the repository)', new URL('../../../../README.md', import.meta.url), { skipped: 2 });
readmeSuite('packages/cli/README.md', new URL('../../README.md', import.meta.url), { skipped: 0 });
