/**
 * `oras push` remembers the digests of the large files it pushed (`~/.cache/oras/pushed-digests.json`,
 * src/packing/digest-hints.ts). Pushing such a file again asks the registry for that blob first:
 * when it is there, nothing of the file is sent (no upload session at all) while the file is
 * hashed, and only the file's own digest decides `Exists`: a file changed since is uploaded.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256, withTestRegistry } from './fixture.js';

const MiB = 1024 * 1024;
// larger than the 4 MiB a push reads into memory: hashed ahead of its upload
const big = Buffer.alloc(6 * MiB);
for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i + 11, i);

const e2e = withTestRegistry({ files: { 'big.bin': big } });

/** The requests of the registry's log from index `from` on, as `METHOD path`. */
const since = (from: number) => e2e.registry.requests.slice(from).map((r) => `${r.method} ${r.path}`);

const hintsFile = () => join(e2e.box.dir, '.cache', 'oras', 'pushed-digests.json');

describe('oras push with the digests of files pushed before', () => {
  it('pushes a file it pushed before without sending any of it, and says Exists', async () => {
    const digest = sha256(big);
    await e2e.box.ok(['push', '--plain-http', `${e2e.registry.host}/hints:v1`, 'big.bin']);
    // remembered, in a file only the user may read
    const { mode } = await stat(hintsFile());
    expect(mode & 0o777).toBe(0o600);

    const from = e2e.registry.requests.length;
    const again = await e2e.box.ok(['push', '--plain-http', `${e2e.registry.host}/hints:v2`, 'big.bin']);
    expect(again.stdout.split('\n')).toContain(`Exists    ${digest.slice(7, 19)} big.bin`);
    const requests = since(from);
    // the blob asked for by the remembered digest, and no upload session opened
    expect(requests).toContain(`HEAD /v2/hints/blobs/${digest}`);
    expect(requests.filter((r) => /\/blobs\/uploads\//.test(r))).toEqual([]);
  });

  it('uploads a file changed since it was pushed (the hint is stale) and pushes its new digest', async () => {
    const changed = Buffer.from(big);
    changed.writeUInt32BE(0xfeedface, changed.length - 4);
    await writeFile(join(e2e.box.dir, 'big.bin'), changed);
    const from = e2e.registry.requests.length;
    const res = await e2e.box.ok(['push', '--plain-http', `${e2e.registry.host}/hints:v3`, 'big.bin']);
    expect(res.stdout.split('\n')).toContain(`Uploaded  ${sha256(changed).slice(7, 19)} big.bin`);
    expect(since(from).some((r) => r.startsWith('PUT /v2/hints/blobs/uploads/'))).toBe(true);
    await e2e.box.ok(['pull', '--plain-http', `${e2e.registry.host}/hints:v3`, '-o', 'out']);
    expect(sha256(await readFile(join(e2e.box.dir, 'out', 'big.bin')))).toBe(sha256(changed));
  });

  it('pushes without hints when ORAS_NO_DIGEST_HINTS=1: the upload starts before the digest is known', async () => {
    await writeFile(join(e2e.box.dir, 'big.bin'), big);
    await e2e.box.ok(['push', '--plain-http', `${e2e.registry.host}/hints:v4`, 'big.bin']);
    const from = e2e.registry.requests.length;
    const res = await e2e.box.run(['push', '--plain-http', `${e2e.registry.host}/hints:v5`, 'big.bin'], {
      env: { ORAS_NO_DIGEST_HINTS: '1' },
    });
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')).toContain(`Exists    ${sha256(big).slice(7, 19)} big.bin`);
    // hashed ahead: a session was opened (and cancelled) before the registry was asked
    expect(since(from).some((r) => r.startsWith('POST /v2/hints/blobs/uploads/'))).toBe(true);
  });
});
