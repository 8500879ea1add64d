/**
 * The live progress display in a real terminal: the built `oras` runs inside tmux (a private
 * server on a socket in the sandbox, killed after each run), 80 and 200 columns wide, pulling
 * and pushing a 64 MiB blob from the real `docker-registry` through a throttling proxy, so that
 * the transfer lasts a few seconds and the display is seen moving. The screen is captured while it moves and once it is over:
 *
 * - no line is wider than the terminal (`capture-pane -J` joins a line the terminal wrapped, so
 *   a line one column too wide shows up as one long line);
 * - a bar is on screen while the blob moves;
 * - each row shows once while it moves (a wrapped line leaves a stale copy at each redraw), and
 *   at the end only the final lines are left: no spinner, bar or ETA.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/output/width.js';
import { ORAS_BIN, type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

const run = promisify(execFile);
const MB = 1024 * 1024;
const BLOB_BYTES = 64 * MB;
/** Bytes a second per connection through the proxy: a 64 MiB blob takes about five seconds. */
const RATE = 12 * MB;
const ROWS = 30;

let registry: Distribution;
let proxy: Server;
let proxyHost: string;
let box: Sandbox;
let sessions = 0;

/** Paces one direction of a connection to `bytesPerSecond`, in 64 KiB slices. */
class Throttle extends Transform {
  #next = 0;
  constructor(readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    void (async () => {
      for (let at = 0; at < chunk.length; at += 64 * 1024) {
        const slice = chunk.subarray(at, at + 64 * 1024);
        const wait = this.#next - Date.now();
        if (wait > 0) await sleep(wait);
        this.push(slice);
        this.#next = Math.max(this.#next, Date.now()) + (slice.length * 1000) / this.bytesPerSecond;
      }
    })().then(() => done(), done);
  }
}

/** A TCP proxy to the registry that paces both directions of every connection. */
async function startThrottlingProxy(port: number): Promise<Server> {
  const server = createServer((client: Socket) => {
    const upstream = connect(port, '127.0.0.1');
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(new Throttle(RATE)).pipe(upstream);
    upstream.pipe(new Throttle(RATE)).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  proxy = await startThrottlingProxy(registry.port);
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  proxyHost = `127.0.0.1:${address.port}`;
  box = await sandbox('oras-pty-');
  await writeFile(join(box.dir, 'big.bin'), randomBytes(BLOB_BYTES));
  await writeFile(join(box.dir, 'hi.txt'), 'hello\n');
  // straight to the registry, without a terminal: the content the pulls fetch
  await box.ok(['push', '--plain-http', `${registry.host}/pty:src`, 'big.bin', 'hi.txt']);
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await registry?.stop();
  await box?.remove();
});

/** What a run in the terminal showed. */
interface TerminalRun {
  /** The exit code. */
  readonly code: number;
  /** Each screen captured while `oras` ran (wrapped lines joined, trailing spaces removed). */
  readonly frames: string[][];
  /** The whole pane once `oras` exited, scrollback included. */
  readonly final: string[];
}

/** Runs a tmux command on the server of `socket` (a socket file in the sandbox: private to the test). */
async function tmux(socket: string, args: string[]): Promise<string> {
  const { stdout } = await run('tmux', ['-S', socket, '-f', '/dev/null', ...args]);
  return stdout;
}

async function capture(socket: string, history: boolean): Promise<string[]> {
  const text = await tmux(socket, [
    'capture-pane',
    '-p',
    '-J',
    ...(history ? ['-S', '-'] : []),
    '-t',
    'oras',
  ]);
  const lines = text.split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Runs `oras <args>` in a fresh tmux server `columns` wide, capturing the screen as it goes. */
async function inTerminal(columns: number, args: string): Promise<TerminalRun> {
  const name = `tmux-${++sessions}`;
  const socket = join(box.dir, `${name}.sock`);
  const rcFile = join(box.dir, `${name}.rc`);
  const script = join(box.dir, `${name}.sh`);
  await writeFile(
    script,
    [
      `cd '${box.dir}'`,
      `export HOME='${box.dir}' DOCKER_CONFIG='${box.dockerConfig}' PATH='${process.env.PATH ?? ''}'`,
      `'${process.execPath}' '${ORAS_BIN}' ${args}`,
      `echo $? > '${rcFile}'`,
      'exec sleep 600',
      '',
    ].join('\n'),
  );
  const frames: string[][] = [];
  try {
    await tmux(socket, [
      'new-session',
      '-d',
      '-s',
      'oras',
      '-x',
      String(columns),
      '-y',
      String(ROWS),
      `sh '${script}'`,
    ]);
    for (let i = 0; !existsSync(rcFile); i++) {
      if (i > 1200) throw new Error(`oras ${args} did not finish in the terminal`);
      frames.push(await capture(socket, false));
      await sleep(150);
    }
    const code = Number((await readFile(rcFile, 'utf8')).trim());
    return { code, frames, final: await capture(socket, true) };
  } finally {
    await tmux(socket, ['kill-server']).catch(() => undefined);
  }
}

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const BAR = /\[[ .]{10,20}\]/;
/** What only a live (unfinished) progress line shows. */
const LIVE = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|\[[ .]{10,20}\]|ETA|Downloading|Uploading|Packing/;

/** The checks every run in the terminal passes, pull or push. */
function expectCleanScreen(result: TerminalRun, columns: number, done: RegExp): void {
  expect(result.code).toBe(0);
  for (const frame of result.frames) {
    for (const line of frame) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
    // one live row per blob: a stale copy left by a redraw would be a second one
    expect(frame.filter((l) => l.includes('big.bin')).length, frame.join('\n')).toBeLessThanOrEqual(1);
  }
  for (const line of result.final) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
  expect(
    result.final.filter((l) => LIVE.test(l)),
    result.final.join('\n'),
  ).toEqual([]);
  expect(
    result.final.filter((l) => done.test(l)),
    result.final.join('\n'),
  ).toHaveLength(1);
}

/** The frames that show a moving bar on the line of `big.bin`. */
function barFrames(result: TerminalRun, prompt: string): string[] {
  return result.frames
    .flat()
    .filter((l) => l.includes('big.bin') && l.includes(prompt) && SPINNER.test(l) && BAR.test(l));
}

describe.each([80, 200])('in a terminal %i columns wide', (columns) => {
  it('pull shows a bar while the blob moves, never a line wider than the terminal, and ends with only final lines', async () => {
    const result = await inTerminal(columns, `pull --plain-http ${proxyHost}/pty:src -o out-${columns}`);
    expectCleanScreen(result, columns, /^✓ Pulled {6}big\.bin .*64\/64 MB 100\.00%/);
    expect(barFrames(result, 'Downloading').length, result.frames.flat().join('\n')).toBeGreaterThan(0);
    expect(result.final.some((l) => l.startsWith(`Pulled [registry] ${proxyHost}/pty:src`))).toBe(true);
  });

  // one push, looked at by the two tests below, to a repository of its own: in `pty`, which has
  // the blob, the push would find it and say Exists instead of uploading
  let pushed: Promise<TerminalRun> | undefined;
  const push = () => {
    pushed ??= inTerminal(columns, `push --plain-http ${proxyHost}/pty-push-${columns}:v big.bin`);
    return pushed;
  };

  it('push never draws a line wider than the terminal, and ends with only final lines', async () => {
    const result = await push();
    expectCleanScreen(result, columns, /^✓ Uploaded {2}big\.bin .*64\/64 MB 100\.00%/);
    expect(
      result.final.some((l) => l.startsWith(`Pushed [registry] ${proxyHost}/pty-push-${columns}:v`)),
    ).toBe(true);
  });

  // The push reports a file's bytes as they are sent (src/packing/push-files.ts, through the
  // Transfer API of src/output/status.ts), so its bar moves while the upload lasts.
  it('push shows a bar while the file uploads', async () => {
    const result = await push();
    expect(result.code).toBe(0);
    expect(barFrames(result, 'Uploading').length, result.frames.flat().join('\n')).toBeGreaterThan(0);
  });
});
