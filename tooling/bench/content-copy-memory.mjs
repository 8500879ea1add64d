#!/usr/bin/env node
// Memory benchmark: copies one large blob (2 GiB by default) between two OCI layouts with the
// built package (`pnpm --filter @oras/content... build` first) and reports the copying process's
// peak RSS. The source layout is written by a separate process so that only the copy is measured.
//
//   node tooling/bench/content-copy-memory.mjs [sizeMiB=2048] [workDir=<tmp>]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const [phase, ...args] = process.argv.slice(2);

async function setup(root, sizeMiB) {
  const { OciLayoutStore } = await import('@oras/content/oci');
  const { createDigester, MediaType } = await import('@oras/spec');
  const { pushBytes } = await import('@oras/content');
  const chunk = new Uint8Array(MiB);
  const fill = (i) => {
    for (let j = 0; j < chunk.length; j += 4) chunk[j] = (i * 31 + j) & 0xff;
    chunk[0] = i & 0xff;
    chunk[1] = (i >> 8) & 0xff;
  };
  const digester = createDigester();
  for (let i = 0; i < sizeMiB; i++) {
    fill(i);
    digester.update(chunk);
  }
  const blob = { mediaType: MediaType.ImageLayer, digest: digester.digest(), size: sizeMiB * MiB };
  async function* content() {
    for (let i = 0; i < sizeMiB; i++) {
      fill(i);
      yield chunk;
    }
  }
  const store = await OciLayoutStore.open(root);
  await store.push(blob, content());
  const encoder = new TextEncoder();
  const config = await pushBytes(store, MediaType.Empty, encoder.encode('{}'));
  const manifest = await pushBytes(
    store,
    MediaType.ImageManifest,
    encoder.encode(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [blob] }),
    ),
  );
  await store.tag(manifest, 'big');
}

async function measure(from, to) {
  const { OciLayoutStore } = await import('@oras/content/oci');
  const { copy } = await import('@oras/content');
  const src = await OciLayoutStore.open(from);
  const dst = await OciLayoutStore.open(to);
  const started = process.hrtime.bigint();
  const root = await copy(src, 'big', dst, 'big');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { maxRSS } = process.resourceUsage();
  process.stdout.write(`${JSON.stringify({ root: root.digest, seconds, maxRssMiB: maxRSS / 1024 })}\n`);
}

if (phase === 'setup') await setup(args[0], Number(args[1]));
else if (phase === 'measure') await measure(args[0], args[1]);
else {
  const sizeMiB = Number(phase ?? 2048);
  const work = args[0] ?? mkdtempSync(join(tmpdir(), 'oras-bench-copy-'));
  const self = fileURLToPath(import.meta.url);
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  try {
    const s = spawnSync(process.execPath, [self, 'setup', join(work, 'src'), String(sizeMiB)], {
      cwd,
      stdio: 'inherit',
    });
    if (s.status !== 0) throw new Error('setup failed');
    const m = spawnSync(process.execPath, [self, 'measure', join(work, 'src'), join(work, 'dst')], {
      cwd,
      encoding: 'utf8',
    });
    if (m.status !== 0) throw new Error(`copy failed: ${m.stderr}`);
    const result = JSON.parse(m.stdout.trim());
    console.log(
      `copied a ${sizeMiB} MiB blob between two OCI layouts in ${result.seconds.toFixed(1)} s; ` +
        `peak RSS of the copying process: ${result.maxRssMiB.toFixed(1)} MiB`,
    );
  } finally {
    if (args[0] === undefined) rmSync(work, { recursive: true, force: true });
  }
}
