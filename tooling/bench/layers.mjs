#!/usr/bin/env node
// Where the CPU of fetching many small blobs goes, layer by layer: the same blobs fetched through
// undici alone, then through each layer of oras-ts on top (lib/layer.mjs), each in a fresh process
// with the V8 flags the CLI sets, alternated run by run. Only the fetches are timed (start-up is
// left out), so the difference between two rows is what one layer adds.
//
//   node tooling/bench/layers.mjs [--count 200] [--runs 9]
//
// Needs the built packages (`pnpm build`) and Debian's docker-registry; starts its own registry
// on 127.0.0.1 and stops it at the end. Prints a Markdown table; timings are for reading, no test
// asserts them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDistribution } from '@oras-internal/test-registry/distribution';
import { median } from './lib/measure.mjs';

const { values: args } = parseArgs({
  options: { count: { type: 'string', default: '200' }, runs: { type: 'string', default: '9' } },
});
const count = Number(args.count);
const runs = Number(args.runs);
const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'packages/cli/dist/bin.cjs');
const layerScript = join(import.meta.dirname, 'lib/layer.mjs');
const LAYERS = ['undici', 'transport', 'dispatch', 'auth', 'repository', 'copy-memory', 'copy-file'];
// the CLI's V8 flags (packages/cli/src/v8-tuning.ts)
const V8_FLAGS = ['--liftoff-only', '--semi-space-growth-factor=1'];

const work = mkdtempSync(
  join(process.env.BENCH_TMP ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), 'oras-layers-'),
);
process.env.TMPDIR = work;
const registry = await startDistribution({ mode: 'plain', logLevel: 'error' });
try {
  const files = join(work, 'files');
  mkdirSync(files);
  const names = [];
  for (let n = 0; n < count; n++) {
    const name = `f${String(n).padStart(4, '0')}.bin`;
    writeFileSync(join(files, name), createHash('sha256').update(`${n}`).digest('hex').repeat(64));
    names.push(name);
  }
  const push = spawnSync('node', [cli, 'push', '--plain-http', `${registry.host}/small:v`, ...names], {
    cwd: files,
    encoding: 'utf8',
  });
  if (push.status !== 0) throw new Error(`push failed: ${push.stderr}`);

  const results = new Map(LAYERS.map((l) => [l, []]));
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? LAYERS : [...LAYERS].reverse();
    for (const layer of order) {
      const out = join(work, `out-${layer}`);
      spawnSync('sync');
      const res = spawnSync('node', [...V8_FLAGS, layerScript, layer, registry.host, 'small:v', out, '2'], {
        encoding: 'utf8',
      });
      if (res.status !== 0) throw new Error(`${layer}: ${res.stderr}`);
      results.get(layer).push(JSON.parse(res.stdout));
      rmSync(out, { recursive: true, force: true });
    }
  }

  console.log(`${count} blobs of 4 KiB, ${runs} runs a layer, medians of the fetches alone`);
  console.log('first pass: cold, compiling as a CLI run does; second pass: the same code warm');
  console.log('');
  console.log('| layer | wall ms | CPU ms | CPU added | CPU ms, warm | added, warm | per blob, warm |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const signed = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(0)}`;
  let before;
  for (const layer of LAYERS) {
    const pass = (n, key) => median(results.get(layer).map((r) => r.rounds[n][key]));
    const now = { wall: pass(0, 'wallMs'), cpu: pass(0, 'cpuMs'), warm: pass(1, 'cpuMs') };
    console.log(
      `| ${layer} | ${now.wall.toFixed(0)} | ${now.cpu.toFixed(0)} | ${before ? signed(now.cpu - before.cpu) : ''} | ${now.warm.toFixed(0)} | ${before ? signed(now.warm - before.warm) : ''} | ${((now.warm / count) * 1000).toFixed(0)} us |`,
    );
    before = now;
  }
} finally {
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}
