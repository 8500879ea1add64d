#!/usr/bin/env node
// One command for every benchmark scenario: oras-ts against its baselines and a Go peer on
// oras-go v1, alternating run by run, on real docker-registry instances on loopback, all files on
// tmpfs. Prints medians and ratios and writes docs/benchmarks.md with an SVG chart
// (docs/benchmarks.svg).
//
//   node tooling/bench/run.mjs                 # 1 GiB blobs, 3 runs each
//   node tooling/bench/run.mjs --size 64M --runs 2 --no-write   # a quick look
//   node tooling/bench/run.mjs --only push,pull --memory-sizes 256M,2G
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDistribution } from '@oras-internal/test-registry/distribution';
import { barChart } from './lib/chart.mjs';
import { ensureGoPeer, goPeerVersions } from './lib/go-peer.mjs';
import { canMeasureMemory, measure, median } from './lib/measure.mjs';
import { describeAgainstFloor, pairedRatio } from './lib/paired.mjs';

const root = resolve(import.meta.dirname, '../..');
const orasBin = join(root, 'packages/cli/dist/bin.cjs');
const here = import.meta.dirname;

// `pnpm bench -- --size 64M` hands the script a leading `--`: drop it so the flags are read.
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));
const { values: args } = parseArgs({
  args: argv,
  options: {
    size: { type: 'string', default: '1G' },
    runs: { type: 'string', default: '3' },
    'small-count': { type: 'string', default: '200' },
    // the rounds of the small-blob scenarios (each under a second a tool): enough for the paired
    // interval of oras-ts against its floors (lib/paired.mjs); 9 rounds left an interval 0.2-0.45
    // wide on this shared machine, 15 narrow it to the 4th and 12th ratios (96 %)
    'small-runs': { type: 'string', default: '15' },
    only: { type: 'string' },
    'memory-sizes': { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
    'no-go-peer': { type: 'boolean', default: false },
    dir: { type: 'string' },
    // another build of the CLI (its dist/bin.cjs or dist/bin.js) to run beside this one in the small-blob
    // and resolve scenarios, alternated in the same run: a before/after on a busy machine
    baseline: { type: 'string' },
  },
});

function parseSize(text) {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw new Error(`bad size ${text}: use e.g. 64M or 1G`);
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()];
}

const size = parseSize(args.size);
const runs = Number(args.runs);
const smallCount = Number(args['small-count']);
const smallRuns = Number(args['small-runs']);
const only = args.only ? new Set(args.only.split(',')) : undefined;
const wanted = (name) => !only || only.has(name);

if (!existsSync(orasBin)) {
  console.error(`bench: ${orasBin} is missing; run \`pnpm build\` first`);
  process.exit(1);
}
if (!canMeasureMemory())
  console.warn('bench: /usr/bin/time is missing (apt-get install time): no memory figures');

// The Go peer: a client on oras-go v1 (tooling/bench/go-peer), installed and built on demand.
let goPeer;
if (!args['no-go-peer']) {
  try {
    goPeer = ensureGoPeer();
  } catch (error) {
    console.error(`bench: ${error.message}`);
    process.exit(1);
  }
}
const withPeer = (tools) => (goPeer ? tools : {});
const peer = (...argv) => [goPeer, ...argv];

// Every file (the content, the registries' storage, what the tools write and their temporary
// files) lives on tmpfs, so that no tool waits on the disk's write-back of another's output.
const base = args.dir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const work = mkdtempSync(join(base, 'oras-bench-'));
process.env.TMPDIR = work; // the registries (startDistribution) and every tool's temporary files

const loadAtStart = loadavg()[0];
let loadMax = loadAtStart;
const loadSampler = setInterval(() => {
  loadMax = Math.max(loadMax, loadavg()[0]);
}, 5000);
loadSampler.unref();
const oras = (...argv) => ['node', orasBin, ...argv];
const baseline = (...argv) => ['node', resolve(args.baseline), ...argv];
/** `tools`, when `--baseline` is given, else nothing. */
const withBaseline = (tools) => (args.baseline ? tools : {});
// the library's fastest paths (what the CLI would do with them): tooling/bench/lib/oras-lib.mjs
const orasLib = (...argv) => ['node', join(import.meta.dirname, 'lib/oras-lib.mjs'), ...argv];

// ---------------------------------------------------------------------------------------------
// Content

async function sha256File(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Writes about `bytes` of random content as a gzip stream of stored (level 0) blocks. skopeo
 * gzips every layer it finds uncompressed on the way to a registry, which would measure gzip
 * instead of transfer; a valid gzip stream goes through as it is, so every tool moves the same
 * bytes.
 */
async function makeFile(file, bytes) {
  await pipeline(
    createReadStream('/dev/urandom', { start: 0, end: bytes - 1, highWaterMark: 1 << 20 }),
    createGzip({ level: 0 }),
    createWriteStream(file),
  );
}

/** Small content as a gzip stream (see makeFile). */
const gzipped = (bytes) => gzipSync(bytes, { level: 0 });

/**
 * An OCI layout holding one image manifest whose layers are the given files (hard-linked into the
 * layout), with titles, so that skopeo (image) and oras (artifact) can both read it.
 */
async function makeLayout(dir, files) {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const layers = [];
  for (const file of files) {
    const digest = await sha256File(file);
    const target = join(dir, 'blobs/sha256', digest.slice(7));
    if (!existsSync(target)) linkSync(file, target);
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest,
      size: statSync(file).size,
      annotations: { 'org.opencontainers.image.title': file.split('/').pop() },
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    }),
  );
  const configDigest = sha256(config);
  writeFileSync(join(dir, 'blobs/sha256', configDigest.slice(7)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers,
    }),
  );
  const manifestDigest = sha256(manifest);
  writeFileSync(join(dir, 'blobs/sha256', manifestDigest.slice(7)), manifest);
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v' },
        },
      ],
    }),
  );
  return { layers, manifestDigest };
}

const skopeo = (from, to) => [
  'skopeo',
  'copy',
  '--quiet',
  '--src-tls-verify=false',
  '--dest-tls-verify=false',
  from,
  to,
];

// ---------------------------------------------------------------------------------------------
// Running

/** @type {{ scenario: string, goal: string, verdict: string, results: { tool: string, seconds: number, maxRssMiB: number, runs: number[], stdout: string }[] }[]} */
const report = [];

/** The median seconds of `tool` in `results`. */
const secondsOf = (results, tool) => results.find((r) => r.tool === tool)?.seconds ?? Number.NaN;

/** The last run's standard output of `tool` in `results`. */
const stdoutOf = (results, tool) => results.find((r) => r.tool === tool)?.stdout ?? '';

/** A verdict line: whether `value` (a ratio) is within `limit`. */
function within(label, value, limit) {
  return `${value <= limit ? 'met' : 'NOT met'}: ${label} ${value.toFixed(2)} (goal <= ${limit})`;
}

/**
 * The alternatives to hashing ahead (what pushFile does) for a large file, as library tools:
 * hash the file first, then upload; or hash it while it uploads, in one pass (issue 18).
 */
function strategies(make) {
  return {
    'library: hash first, then upload': make('hash-first'),
    'library: single pass (hash while uploading)': make('single-pass'),
  };
}

/** The verdict of `ours` against the Go peer's `theirs` (none when the run has no Go peer). */
function againstPeer(results, ours, theirs, limit) {
  if (!goPeer) return ['no Go peer in this run (--no-go-peer)'];
  return [within('oras-ts / oras-go v1', secondsOf(results, ours) / secondsOf(results, theirs), limit)];
}

/** The Node floor of the small-blob scenarios (tooling/bench/lib/node-small.mjs), on `node:http`. */
const nodeSmall = (...argv) => ['node', join(import.meta.dirname, 'lib/node-small.mjs'), ...argv];
/** The same floor on undici, oras-ts's HTTP stack, with oras-ts's WebAssembly setting. */
const undiciSmall = (...argv) => [
  'node',
  '--liftoff-only',
  join(import.meta.dirname, 'lib/node-small.mjs'),
  '--undici',
  ...argv,
];

/**
 * Where a goal against the Go peer meets the Node floors: oras-ts against the floor on `node:http`
 * and against the floor on undici (the HTTP stack oras-ts is built on), each as the median of the
 * per-round ratios with its interval (lib/paired.mjs: above, below, or not told apart from the
 * floor), and the floors' own ratios (a floor the peer beats marks a goal no Node client reaches
 * on this machine).
 */
function floorNote(results, ours, floor, undiciFloor, theirs) {
  const ratio = (a, b) => (secondsOf(results, a) / secondsOf(results, b)).toFixed(2);
  const runsOf = (tool) => results.find((r) => r.tool === tool)?.runs ?? [];
  const paired = (floorTool) => describeAgainstFloor(pairedRatio(runsOf(ours), runsOf(floorTool)));
  const notes = [
    `oras-ts / Node floor, paired ${paired(floor)}`,
    `oras-ts / undici floor, paired ${paired(undiciFloor)}`,
    `undici floor / Node floor ${ratio(undiciFloor, floor)}`,
  ];
  if (goPeer) notes.push(`Node floor / oras-go v1 ${ratio(floor, theirs)}`);
  return notes;
}

/** What a push's status lines say of the file `name`: `Exists`, `Uploaded`, or neither. */
function blobStatus(stdout, name) {
  const line = stdout
    .split('\n')
    .find((l) => /^(Exists|Uploaded)\s/.test(l) && l.trim().endsWith(` ${name}`));
  return line?.split(/\s+/)[0] ?? 'no status line';
}

/** Flushes every file system's dirty pages (`sync`), so no write-back lands in the next timing. */
async function sync() {
  await new Promise((done, reject) =>
    spawn('sync', { stdio: 'ignore' }).on('error', reject).on('close', done),
  );
}

/**
 * Runs each tool once per round, `rounds` times, and records the medians. The order alternates:
 * first to last in even rounds, last to first in odd ones, so that no tool always runs after the
 * same neighbour. `sync` runs before each timed command.
 * Before the first round, the last tool runs once untimed (a warm-up): in the push of 1 GiB the
 * first run of the scenario was its tool's slowest whichever tool it was (6.6 s against 3.2-4.2 for
 * the CLI when it ran first, 5.3 against 4.0 for the library when it did), and the first tool is
 * always oras-ts. The last tool is a baseline or a library path, never the CLI, so the warm-up
 * leaves no state (such as the CLI's digest hints) behind for the tools measured.
 * `tools` maps a tool name to a function of the round number and `fresh` that returns (or
 * resolves to) { argv, cwd?, cleanup? }. `fresh()` starts an empty registry for that one run and
 * resolves to its host; it is stopped (and its storage removed) after the run, outside the timing.
 * Uploads go to fresh registries so that no tool finds what another (or its own last run) left
 * there: skopeo remembers where it saw each blob and mounts it from there instead of uploading.
 * `check(results)` returns the verdict; each result also holds the last run's standard output.
 */
async function scenario(name, goal, tools, { rounds = runs, check } = {}) {
  const times = new Map(Object.keys(tools).map((t) => [t, []]));
  const rss = new Map(Object.keys(tools).map((t) => [t, []]));
  const stdout = new Map();
  // one run of `make`, its registries stopped after it; `round` is `rounds` for the warm-up
  const runOnce = async (make, round) => {
    const started = [];
    const fresh = async () => {
      const registry = await startDistribution({ mode: 'plain', logLevel: 'error' });
      started.push(registry);
      return registry.host;
    };
    try {
      const step = await make(round, fresh);
      await sync();
      const result = await measure(step.argv, { cwd: step.cwd ?? work, env: step.env });
      step.cleanup?.();
      return result;
    } finally {
      for (const registry of started) await registry.stop();
    }
  };
  const entries = Object.entries(tools);
  const [warmUpTool, warmUp] = entries[entries.length - 1];
  if (/^oras-ts (?!library)/.test(warmUpTool)) {
    throw new Error(`${name}: the last tool (${warmUpTool}) warms up the scenario: it must not be the CLI`);
  }
  await runOnce(warmUp, rounds);
  for (let round = 0; round < rounds; round++) {
    const order = [...entries];
    if (round % 2 === 1) order.reverse();
    for (const [tool, make] of order) {
      const result = await runOnce(make, round);
      times.get(tool).push(result.seconds);
      rss.get(tool).push(result.maxRssMiB);
      stdout.set(tool, result.stdout);
    }
  }
  const results = [...times].map(([tool, list]) => ({
    tool,
    seconds: median(list),
    maxRssMiB: Math.max(...rss.get(tool)),
    runs: list,
    stdout: stdout.get(tool) ?? '',
  }));
  const verdict = check ? check(results) : '';
  report.push({ scenario: name, goal, verdict, results });
  const base = results[0].seconds;
  console.log(`\n${name}  (${goal})${verdict ? `\n  -> ${verdict}` : ''}`);
  for (const r of results) {
    const ratio = r.seconds / base;
    console.log(
      `  ${r.tool.padEnd(38)} ${r.seconds.toFixed(3).padStart(8)} s  ${Number.isNaN(r.maxRssMiB) ? '' : `${r.maxRssMiB.toFixed(0).padStart(5)} MiB`}  oras-ts/tool ${(1 / ratio).toFixed(2)}`,
    );
    // each run's seconds, in round order: an outlier, or a drift through the scenario, shows here
    console.log(`      runs: ${r.runs.map((s) => s.toFixed(3)).join(' ')}`);
  }
}

const human = (bytes) => (bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${bytes / 1024 ** 2} MiB`);

const registryA = await startDistribution({ mode: 'plain', logLevel: 'error' });
const A = registryA.host;

try {
  // Start-up first, before the large transfers: measured after them, at the end of session 6's
  // full run (load rising to 4), `oras version` was 1.53x `node -e 0`; in a run of its own, 1.22x.
  // A command's start-up is a few tens of milliseconds over Node's: whatever else the machine is
  // doing weighs on it more than on the transfers.
  if (wanted('resolve')) {
    writeFileSync(join(work, 'tiny.txt'), 'hello\n');
    await measure(oras('push', '--plain-http', `${A}/tiny:v`, 'tiny.txt'), { cwd: work });
    await scenario(
      'resolve a tag (start-up of a real command)',
      'oras resolve at most 2.0x node -e 0',
      {
        'oras-ts resolve': () => ({ argv: oras('resolve', '--plain-http', `${A}/tiny:v`) }),
        ...withBaseline({
          'oras-ts resolve (baseline)': () => ({
            argv: baseline('resolve', '--plain-http', `${A}/tiny:v`),
          }),
        }),
        ...withPeer({ 'oras-go v1 resolve': () => ({ argv: peer('resolve', `${A}/tiny:v`) }) }),
        'node -e 0': () => ({ argv: ['node', '-e', '0'] }),
      },
      {
        rounds: Math.max(10, runs * 4),
        check: (r) =>
          within('resolve / node', secondsOf(r, 'oras-ts resolve') / secondsOf(r, 'node -e 0'), 2),
      },
    );
  }

  if (wanted('startup')) {
    await scenario(
      'start-up',
      'oras version and oras --help at most 1.5x node -e 0',
      {
        'oras-ts version': () => ({ argv: oras('version') }),
        'oras-ts --help': () => ({ argv: oras('--help') }),
        'node -e 0': () => ({ argv: ['node', '-e', '0'] }),
      },
      {
        rounds: Math.max(10, runs * 4),
        check: (r) =>
          [
            within('version / node', secondsOf(r, 'oras-ts version') / secondsOf(r, 'node -e 0'), 1.5),
            within('--help / node', secondsOf(r, 'oras-ts --help') / secondsOf(r, 'node -e 0'), 1.5),
          ].join('; '),
      },
    );
  }

  const big = join(work, 'big.bin');
  const needsBig = wanted('push') || wanted('pull') || wanted('copy') || wanted('repush');
  if (needsBig) {
    console.log(`bench: writing a ${human(size)} file`);
    await makeFile(big, size);
  }
  const bigLayout = join(work, 'big-layout');
  const bigInfo = needsBig ? await makeLayout(bigLayout, [big]) : undefined;

  if (wanted('push')) {
    await scenario(
      `push one ${human(size)} file`,
      'oras-ts at most 0.9x the wire limit',
      {
        'oras-ts push': async (_, fresh) => ({
          argv: oras('push', '--plain-http', `${await fresh()}/push:v`, 'big.bin'),
        }),
        ...withPeer({
          'oras-go v1 push': async (_, fresh) => ({
            argv: peer('push', `${await fresh()}/push:v`, 'big.bin'),
          }),
        }),
        'wire limit (openssl + curl)': async (_, fresh) => ({
          argv: ['bash', join(here, 'lib/curl-push.sh'), `http://${await fresh()}`, 'push', big],
        }),
        // the digest known beforehand: no hash, only the registry taking the bytes
        'registry ingest (curl, digest known)': async (_, fresh) => ({
          argv: [
            'bash',
            join(here, 'lib/curl-push.sh'),
            `http://${await fresh()}`,
            'push',
            big,
            bigInfo.layers[0].digest,
          ],
        }),
        'skopeo copy (oci layout)': async (_, fresh) => ({
          argv: skopeo(`oci:${bigLayout}:v`, `docker://${await fresh()}/push:v`),
        }),
        'oras-ts library (pushFile)': async (_, fresh) => ({
          argv: orasLib('push', `${await fresh()}/push:v`, big),
        }),
        ...strategies((strategy) => async (_, fresh) => ({
          argv: orasLib('push-with', strategy, `${await fresh()}/push:v`, big),
        })),
      },
      {
        check: (r) => {
          const wire = secondsOf(r, 'wire limit (openssl + curl)');
          return [
            within('CLI / wire', secondsOf(r, 'oras-ts push') / wire, 0.9),
            within('library / wire', secondsOf(r, 'oras-ts library (pushFile)') / wire, 0.9),
            `CLI / registry ingest ${(secondsOf(r, 'oras-ts push') / secondsOf(r, 'registry ingest (curl, digest known)')).toFixed(2)}`,
            ...Object.keys(strategies(() => 0)).map(
              (tool) => `${tool.replace('library: ', '')} / wire ${(secondsOf(r, tool) / wire).toFixed(2)}`,
            ),
          ].join('; ');
        },
      },
    );
  }

  if (wanted('pull') || wanted('copy') || wanted('repush')) {
    // Seed the registry once with the big image, for pulls, copies and pushes of what it has.
    await measure(skopeo(`oci:${bigLayout}:v`, `docker://${A}/big:v`));
  }

  if (wanted('pull')) {
    const layer = bigInfo.layers[0];
    await scenario(
      `pull one ${human(size)} blob to a verified file`,
      'at most 1.15x the Node floor, 2x faster than skopeo',
      {
        'oras-ts pull': (i) => {
          const out = join(work, `pull-ours-${i}`);
          return {
            argv: oras('pull', '--plain-http', `${A}/big:v`, '-o', out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        ...withPeer({
          'oras-go v1 pull': (i) => {
            const out = join(work, `pull-go-${i}`);
            return {
              argv: peer('pull', `${A}/big:v`, out),
              cleanup: () => rmSync(out, { recursive: true, force: true }),
            };
          },
        }),
        'Node floor (node:http, hash, rename)': (i) => {
          const out = join(work, `pull-node-${i}.bin`);
          return {
            argv: [
              'node',
              join(here, 'lib/node-download.mjs'),
              `http://${A}/v2/big/blobs/${layer.digest}`,
              layer.digest,
              String(layer.size),
              out,
            ],
            cleanup: () => rmSync(out, { force: true }),
          };
        },
        'skopeo copy (to oci layout)': (i) => {
          const out = join(work, `pull-skopeo-${i}`);
          return {
            argv: skopeo(`docker://${A}/big:v`, `oci:${out}:v`),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        'oras-ts library (fetch)': (i) => {
          const out = join(work, `pull-lib-${i}`);
          return {
            argv: orasLib('pull', `${A}/big:v`, out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        'experiment: 4 parallel ranges': (i) => {
          const out = join(work, `pull-ranged-${i}`);
          return {
            argv: orasLib('pull-ranged', '4', `${A}/big:v`, out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
      },
      {
        check: (r) => {
          const floor = secondsOf(r, 'Node floor (node:http, hash, rename)');
          const skopeoPull = secondsOf(r, 'skopeo copy (to oci layout)');
          return [
            within('CLI / floor', secondsOf(r, 'oras-ts pull') / floor, 1.15),
            within('library / floor', secondsOf(r, 'oras-ts library (fetch)') / floor, 1.15),
            within('CLI / skopeo', secondsOf(r, 'oras-ts pull') / skopeoPull, 0.5),
          ].join('; ');
        },
      },
    );
  }

  if (wanted('copy')) {
    await scenario(
      `copy ${human(size)} between two repositories of one registry`,
      'mounted, not moved',
      {
        'oras-ts cp (mount)': (i) => ({
          argv: oras('cp', '--from-plain-http', '--to-plain-http', `${A}/big:v`, `${A}/mount-ours-${i}:v`),
        }),
        'skopeo copy': (i) => ({ argv: skopeo(`docker://${A}/big:v`, `docker://${A}/mount-skopeo-${i}:v`) }),
      },
      {
        // a mount moves no bytes: well under a second whatever the size
        check: (r) => within('oras-ts cp seconds', secondsOf(r, 'oras-ts cp (mount)'), 1.5),
      },
    );
    await scenario(
      `copy ${human(size)} between two registries`,
      'streamed: at most 1.2x a pull plus a push',
      {
        'oras-ts cp': async (_, fresh) => ({
          argv: oras('cp', '--from-plain-http', '--to-plain-http', `${A}/big:v`, `${await fresh()}/cp:v`),
        }),
        'skopeo copy': async (_, fresh) => ({
          argv: skopeo(`docker://${A}/big:v`, `docker://${await fresh()}/cp:v`),
        }),
      },
      {
        check: (r) => {
          const push = report.find((g) => g.scenario.startsWith('push one'));
          const pull = report.find((g) => g.scenario.startsWith('pull one'));
          if (!push || !pull) return 'needs the push and pull scenarios in the same run';
          const both = secondsOf(push.results, 'oras-ts push') + secondsOf(pull.results, 'oras-ts pull');
          return within('cp / (CLI pull + CLI push)', secondsOf(r, 'oras-ts cp') / both, 1.2);
        },
      },
    );
  }

  if (wanted('repush')) {
    // The registry has the blob (seeded above, in the same repository): a push should find that
    // out (hash, HEAD) and send nothing. Each run pushes a new tag, so the manifest is new.
    // `oras push` remembers the digests of large files it pushed (a hint: it asks the registry
    // for that blob before hashing, and sends nothing while it hashes). One untimed push from
    // this machine first, as a user who pushed the file before; the timed runs without the hint
    // are the push of a file this machine never pushed.
    await measure(oras('push', '--plain-http', `${A}/big:again-seed`, 'big.bin'), { cwd: work });
    await scenario(
      `push again an unchanged ${human(size)} file the registry has`,
      'oras-ts at most 0.5x the Go peer, and no upload',
      {
        'oras-ts push': (i) => ({
          argv: oras('push', '--plain-http', `${A}/big:again-ours-${i}`, 'big.bin'),
        }),
        'oras-ts push (no digest hint)': (i) => ({
          argv: oras('push', '--plain-http', `${A}/big:again-nohint-${i}`, 'big.bin'),
          env: { ORAS_NO_DIGEST_HINTS: '1' },
        }),
        ...withPeer({
          'oras-go v1 push': (i) => ({ argv: peer('push', `${A}/big:again-go-${i}`, 'big.bin') }),
        }),
        'oras-ts library (pushFile)': (i) => ({
          argv: orasLib('push', `${A}/big:again-lib-${i}`, big),
        }),
        ...strategies((strategy) => (i) => ({
          argv: orasLib('push-with', strategy, `${A}/big:again-${strategy}-${i}`, big),
        })),
      },
      {
        check: (r) => {
          const ours = blobStatus(stdoutOf(r, 'oras-ts push'), 'big.bin');
          const noHint = blobStatus(stdoutOf(r, 'oras-ts push (no digest hint)'), 'big.bin');
          return [
            ...againstPeer(r, 'oras-ts push', 'oras-go v1 push', 0.5),
            ...(goPeer
              ? [
                  `without the digest hint oras-ts / oras-go v1 ${(secondsOf(r, 'oras-ts push (no digest hint)') / secondsOf(r, 'oras-go v1 push')).toFixed(2)} (${noHint})`,
                ]
              : []),
            `${ours === 'Exists' ? 'met' : 'NOT met'}: oras-ts ${ours === 'Exists' ? 'skips the blob (Exists)' : `says ${ours}: it sends the blob again`}`,
            ...(goPeer ? [`oras-go v1 says ${blobStatus(stdoutOf(r, 'oras-go v1 push'), 'big.bin')}`] : []),
          ].join('; ');
        },
      },
    );
  }

  if (wanted('small')) {
    const smallDir = join(work, 'small');
    mkdirSync(smallDir, { recursive: true });
    const names = [];
    for (let n = 0; n < smallCount; n++) {
      const name = `f${String(n).padStart(4, '0')}.bin`;
      writeFileSync(
        join(smallDir, name),
        gzipped(Buffer.from(createHash('sha256').update(`${n}`).digest('hex').repeat(64))),
      );
      names.push(name);
    }
    const smallLayout = join(work, 'small-layout');
    await makeLayout(
      smallLayout,
      names.map((n) => join(smallDir, n)),
    );
    await scenario(
      `push ${smallCount} files of 4 KiB`,
      'faster than skopeo; at most 1.0x the Go peer',
      {
        'oras-ts push': async (_, fresh) => ({
          argv: oras('push', '--plain-http', `${await fresh()}/small:v`, ...names),
          cwd: smallDir,
        }),
        ...withPeer({
          'oras-go v1 push': async (_, fresh) => ({
            argv: peer('push', `${await fresh()}/small:v`, ...names),
            cwd: smallDir,
          }),
        }),
        'skopeo copy (oci layout)': async (_, fresh) => ({
          argv: skopeo(`oci:${smallLayout}:v`, `docker://${await fresh()}/small:v`),
        }),
        'Node floor (node:http)': async (_, fresh) => ({
          argv: nodeSmall('push', `${await fresh()}/small:v`, ...names),
          cwd: smallDir,
        }),
        'Node floor on undici': async (_, fresh) => ({
          argv: undiciSmall('push', `${await fresh()}/small:v`, ...names),
          cwd: smallDir,
        }),
      },
      {
        rounds: smallRuns,
        check: (r) =>
          [
            within(
              'oras-ts / skopeo',
              secondsOf(r, 'oras-ts push') / secondsOf(r, 'skopeo copy (oci layout)'),
              1,
            ),
            ...againstPeer(r, 'oras-ts push', 'oras-go v1 push', 1),
            ...floorNote(
              r,
              'oras-ts push',
              'Node floor (node:http)',
              'Node floor on undici',
              'oras-go v1 push',
            ),
          ].join('; '),
      },
    );
    await measure(skopeo(`oci:${smallLayout}:v`, `docker://${A}/small:v`));
    await scenario(
      `pull ${smallCount} files of 4 KiB`,
      'faster than skopeo; at most 1.0x the Go peer',
      {
        'oras-ts pull': (i) => {
          const out = join(work, `small-pull-ours-${i}`);
          return {
            argv: oras('pull', '--plain-http', `${A}/small:v`, '-o', out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        ...withBaseline({
          'oras-ts pull (baseline)': (i) => {
            const out = join(work, `small-pull-base-${i}`);
            return {
              argv: baseline('pull', '--plain-http', `${A}/small:v`, '-o', out),
              cleanup: () => rmSync(out, { recursive: true, force: true }),
            };
          },
        }),
        ...withPeer({
          'oras-go v1 pull': (i) => {
            const out = join(work, `small-pull-go-${i}`);
            return {
              argv: peer('pull', `${A}/small:v`, out),
              cleanup: () => rmSync(out, { recursive: true, force: true }),
            };
          },
        }),
        'skopeo copy (to oci layout)': (i) => {
          const out = join(work, `small-pull-skopeo-${i}`);
          return {
            argv: skopeo(`docker://${A}/small:v`, `oci:${out}:v`),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        'Node floor (node:http)': (i) => {
          const out = join(work, `small-pull-floor-${i}`);
          mkdirSync(out, { recursive: true });
          return {
            argv: nodeSmall('pull', `${A}/small:v`, out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        'Node floor on undici': (i) => {
          const out = join(work, `small-pull-undici-floor-${i}`);
          mkdirSync(out, { recursive: true });
          return {
            argv: undiciSmall('pull', `${A}/small:v`, out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
      },
      {
        rounds: smallRuns,
        check: (r) =>
          [
            within(
              'oras-ts / skopeo',
              secondsOf(r, 'oras-ts pull') / secondsOf(r, 'skopeo copy (to oci layout)'),
              1,
            ),
            ...againstPeer(r, 'oras-ts pull', 'oras-go v1 pull', 1),
            ...floorNote(
              r,
              'oras-ts pull',
              'Node floor (node:http)',
              'Node floor on undici',
              'oras-go v1 pull',
            ),
          ].join('; '),
      },
    );
    await scenario(
      `copy an artifact of ${smallCount} small layers between registries`,
      'faster than skopeo',
      {
        'oras-ts cp': async (_, fresh) => ({
          argv: oras(
            'cp',
            '--from-plain-http',
            '--to-plain-http',
            `${A}/small:v`,
            `${await fresh()}/small:v`,
          ),
        }),
        ...withBaseline({
          'oras-ts cp (baseline)': async (_, fresh) => ({
            argv: baseline(
              'cp',
              '--from-plain-http',
              '--to-plain-http',
              `${A}/small:v`,
              `${await fresh()}/small:v`,
            ),
          }),
        }),
        ...(goPeer
          ? {
              'oras-go v1 cp': async (_, fresh) => ({
                argv: peer('cp', `${A}/small:v`, `${await fresh()}/small:v`),
              }),
            }
          : {}),
        'skopeo copy': async (_, fresh) => ({
          argv: skopeo(`docker://${A}/small:v`, `docker://${await fresh()}/small:v`),
        }),
      },
      {
        rounds: smallRuns,
        check: (r) =>
          [
            within('oras-ts / skopeo', r[0].seconds / r[r.length - 1].seconds, 1),
            // no goal against the peer here: for reading beside the push and pull
            ...(goPeer
              ? [`oras-ts / oras-go v1 ${(r[0].seconds / secondsOf(r, 'oras-go v1 cp')).toFixed(2)}`]
              : []),
          ].join('; '),
      },
    );
  }

  for (const text of (args['memory-sizes'] || '').split(',').filter(Boolean)) {
    const bytes = parseSize(text);
    const file = join(work, `mem-${text}.bin`);
    await makeFile(file, bytes);
    await scenario(
      `memory: push and pull ${human(bytes)}`,
      'peak memory at most 120 MiB',
      {
        'oras-ts push': (i) => ({
          argv: oras('push', '--plain-http', `${A}/mem-${text.toLowerCase()}-${i}:v`, file.split('/').pop()),
        }),
        'oras-ts pull': (i) => {
          const out = join(work, `mem-pull-${i}`);
          return {
            argv: oras('pull', '--plain-http', `${A}/mem-${text.toLowerCase()}-${i}:v`, '-o', out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
        'oras-ts library push': (i) => ({
          argv: orasLib('push', `${A}/mem-lib-${text.toLowerCase()}-${i}:v`, file),
        }),
        'oras-ts library pull': (i) => {
          const out = join(work, `mem-lib-pull-${i}`);
          return {
            argv: orasLib('pull', `${A}/mem-lib-${text.toLowerCase()}-${i}:v`, out),
            cleanup: () => rmSync(out, { recursive: true, force: true }),
          };
        },
      },
      {
        // one round, run first to last: each pull reads what the push before it in the round wrote
        rounds: 1,
        check: (r) => within('largest peak MiB', Math.max(...r.map((x) => x.maxRssMiB)), 120),
      },
    );
    rmSync(file, { force: true });
  }
} finally {
  await registryA.stop();
  rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Report

function version(argv) {
  const res = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return `${res.stdout}${res.stderr}`.split('\n').find((l) => l.trim()) ?? 'unknown';
}

clearInterval(loadSampler);
const loadAtEnd = loadavg()[0];
loadMax = Math.max(loadMax, loadAtEnd);
const busy = loadMax > cpus().length;

const machine = [
  `- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; memory ${(totalmem() / 1024 ** 3).toFixed(0)} GiB`,
  `- Node.js ${process.version}; ${version(['docker-registry', '--version'])}; ${version(['skopeo', '--version'])}; ${version(['curl', '--version'])}`,
  `- Go peer: ${goPeer ? goPeerVersions() : 'not in this run (--no-go-peer)'}`,
  `- Files (content, registry storage, pulled files, temporary files) on ${base}${base === '/dev/shm' ? ' (tmpfs)' : ''}; \`sync\` before each timed command`,
  `- Date: ${new Date().toISOString()}; blob size ${human(size)}; ${runs} runs per tool (resolve and start-up: ${Math.max(10, runs * 4)}; the small-blob scenarios: ${smallRuns}), the order reversed every other run; medians`,
  `- Load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end, ${loadMax.toFixed(1)} at most (sampled every 5 s). ${
    busy
      ? `**The machine was busy**: more runnable processes than its ${cpus().length} cores at some point (the benchmark's own registries and tools count, and so does any other work at the same time), so the seconds are inflated and the ratios noisier than on a quiet machine. Compare ratios within this run only, and re-run on a quiet machine before drawing fine conclusions.`
      : 'The machine is shared, so compare ratios within one run, not seconds across runs.'
  }`,
  `- Command: \`node tooling/bench/run.mjs ${argv.join(' ')}\``,
];

// ours against the Go peer, one row per scenario that has both, in the order of issue 18's table
const issueOrder = [/^resolve/, /^push \d+ files/, /^pull \d+ files/, /^push again/];
const rank = (group) => {
  const n = issueOrder.findIndex((re) => re.test(group.scenario));
  return n === -1 ? issueOrder.length : n;
};
const peerRows = [...report]
  .sort((a, b) => rank(a) - rank(b))
  .flatMap((group) => {
    const ours = group.results[0];
    const theirs = group.results.find((r) => r.tool.startsWith('oras-go v1'));
    if (!theirs) return [];
    const mem = (r) => (Number.isNaN(r.maxRssMiB) ? 'n/a' : r.maxRssMiB.toFixed(0));
    return [
      `| ${group.scenario} | ${ours.seconds.toFixed(3)} | ${theirs.seconds.toFixed(3)} | ${(ours.seconds / theirs.seconds).toFixed(2)} | ${mem(ours)} | ${mem(theirs)} | ${group.goal}${group.verdict ? `<br>**${group.verdict}**` : ''} |`,
    ];
  });

const notesFile = join(root, 'docs/benchmarks.notes.md');
const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';

const rows = report.flatMap((group) =>
  group.results.map((r, n) => {
    const ours = group.results[0].seconds;
    const ratio = n === 0 ? '1.00' : (ours / r.seconds).toFixed(2);
    const mem = Number.isNaN(r.maxRssMiB) ? 'n/a' : r.maxRssMiB.toFixed(0);
    const goal = n === 0 ? `${group.goal}${group.verdict ? `<br>**${group.verdict}**` : ''}` : '';
    return `| ${n === 0 ? group.scenario : ''} | ${r.tool} | ${r.seconds.toFixed(3)} | ${ratio} | ${mem} | ${goal} |`;
  }),
);

const markdown = [
  '# Benchmarks',
  '',
  'oras-ts against its baselines and a Go peer (a client on oras-go v1) on one machine, in one run,',
  "alternating tool by tool, against Debian's `docker-registry` on loopback. Regenerate with `pnpm bench`",
  '(add `-- --size 64M --runs 2` for a quick run; `-- --only push,pull` for some scenarios;',
  '`-- --memory-sizes 256M,2G` for the memory runs; `-- --no-go-peer` without the Go peer). Every upload',
  'goes to a registry started for that one run, so no tool finds what another left, except the push of',
  'a file the registry already has, which is the point of that scenario. All files are on tmpfs and',
  "`sync` runs before each timed command, so the disk's write-back of one tool's output does not stall",
  'the next. Each scenario starts with one untimed run of its last tool (never the CLI): in the push',
  "of 1 GiB, the first run of the scenario was its tool's slowest, whichever tool ran first.",
  '',
  '![benchmark chart](benchmarks.svg)',
  '',
  '## Machine',
  '',
  ...machine,
  '',
  ...(peerRows.length
    ? [
        '## Against the Go peer',
        '',
        'The goals of issue 18, where users spend their time, against the Go peer: a small client on',
        "oras-go v1 (Debian's `golang-oras-oras-go-dev`, tooling/bench/go-peer) that pushes and pulls files",
        'as the oras v0.9 CLI did. Ratio below 1.00: oras-ts is faster. Peak memory: GNU time. The peer is a',
        "native binary (no runtime to start), walks all of a manifest's blobs at once (`oras.Copy` sets no",
        'concurrency limit), prints one line per blob, and `fsync`s each pulled file; the push of a file the',
        'registry has hashes it, sends one `HEAD`, and skips it.',
        '',
        '| scenario | oras-ts s | oras-go v1 s | oras-ts / oras-go v1 | oras-ts peak MiB | oras-go v1 peak MiB | goal |',
        '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
        ...peerRows,
        '',
      ]
    : []),
  '## Results',
  '',
  "Ratio: the `oras` CLI's time divided by the tool's time (below 1.00: the CLI is faster). Memory:",
  'peak RSS (GNU time). The goal column says whether each goal of issues 9 and 18 is met in this run.',
  '',
  '| scenario | tool | median s | oras-ts / tool | peak MiB | goal |',
  '| --- | --- | ---: | ---: | ---: | --- |',
  ...rows,
  '',
  '## Commands',
  '',
  '- oras-ts: `node packages/cli/dist/bin.cjs push|pull|cp --plain-http ...`',
  '- oras-ts library: tooling/bench/lib/oras-lib.mjs: `push` is `RemoteRepository.pushFile` (the file read once, hashed while streamed in one `PATCH`) then the manifest; `pull` is `RemoteRepository.fetch` (verified as read) piped to a temporary file, renamed',
  '- experiment: `oras-lib.mjs pull-ranged 4`: four parallel `Range` requests written in place, then hashed in order',
  '- wire limit: `openssl dgst -sha256`, then `curl -X POST` and one `curl -T file` `PUT ?digest=` (tooling/bench/lib/curl-push.sh)',
  '- registry ingest: the same `curl` upload with the digest known beforehand (no hash): the time the registry takes to receive and store the bytes, the floor of any push',
  '- Node floor: tooling/bench/lib/node-download.mjs (GET, hash while writing a temporary file, check, rename)',
  '- Node floor of the small-blob scenarios: tooling/bench/lib/node-small.mjs, the least a Node client does with `node:http` (keep-alive, 24 sockets): pull GETs the manifest then every layer at once, checks sha256 and size, writes each to a temporary name and renames it; push reads and hashes each file, `HEAD`, then `POST` and one `PUT ?digest=` when absent, then the empty config and the manifest. No auth, redirects, retries, path checks or status lines',
  "- Node floor on undici: the same client on undici (`node --liftoff-only node-small.mjs --undici`): an `Agent` of 24 connections (kept after a `HEAD`, as oras-ts keeps them), each body collected by a dispatch handler (as oras-ts reads the answers it reads whole, without undici's `request` stream), loading only undici's agent, as the oras-ts bundle does; the HTTP stack oras-ts is built on, with nothing of oras-ts above it",
  '- skopeo: `skopeo copy --src-tls-verify=false --dest-tls-verify=false` between an OCI layout and the registry',
  "- oras-go v1: tooling/bench/go-peer (`oras-go-peer resolve|push|pull|cp`), built offline in GOPATH mode against Debian's /usr/share/gocode. `push`: oras-go's file store hashes each file, then `oras.Copy` to the registry, whose containerd pusher sends a `HEAD` per blob and skips what exists, else `POST` and one streamed `PUT`; `pull`: `oras.Copy` into the file store (each titled layer to its file, `fsync`ed); `cp`: `oras.Copy` from one registry to the other, each blob streamed through. `oras.Copy` walks the manifest's blobs with no concurrency limit",
  "- push of a file the registry has: the registry is seeded (skopeo) with the 1 GiB layer in repository `big`; each run pushes the same file to a new tag of `big`; the verdict reads `Exists`/`Uploaded` from the tool's status lines. `oras-ts push` runs after one untimed `oras push` of the file from this machine, so it has the file's digest as a hint (`~/.cache/oras/pushed-digests.json`: it asks the registry for that blob first and sends nothing while it hashes); `oras-ts push (no digest hint)` runs with `ORAS_NO_DIGEST_HINTS=1`, as the push of a file this machine never pushed",
  '- content: random bytes as a gzip stream of stored blocks, so skopeo sends the layers as they are (it gzips uncompressed layers on the way to a registry)',
  '',
  ...(notes
    ? [
        '_The sections below are hand-written (docs/benchmarks.notes.md): the figures they quote come from',
        'the sessions that wrote them, not necessarily from the run above._',
        '',
        notes,
        '',
      ]
    : []),
].join('\n');

if (!args['no-write']) {
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs/benchmarks.md'), markdown);
  writeFileSync(
    join(root, 'docs/benchmarks.svg'),
    barChart(
      report.map((g) => ({ scenario: g.scenario, verdict: g.verdict, results: g.results })),
      'oras-ts against its baselines and the Go peer (oras-go v1)',
    ),
  );
  console.log('\nbench: wrote docs/benchmarks.md and docs/benchmarks.svg');
}
