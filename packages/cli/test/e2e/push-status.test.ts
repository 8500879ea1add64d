/**
 * What `oras push` and `oras attach` print and check, against oras 1.3: `Tagged` lines for extra
 * tags, a status line for every layer (one whose blob went up under another title too),
 * `--verbose=false`, every argument checked before the first upload, a file's bytes reported as
 * they are sent (`--progress json`), and attach's error without files or annotations.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256, withDistribution } from './fixture.js';

// larger than the 4 MiB that pushFile reads into memory: hashed while it uploads
const big = Buffer.alloc(5 * 1024 * 1024 + 3);
for (let i = 0; i < big.length; i += 4096) big[i] = i % 199;

const e2e = withDistribution({ files: { 'a.txt': 'same\n', 'b.txt': 'same\n', 'big.bin': big } });

const SAME = sha256('same\n').slice(7, 19);

/** Whether the registry has the blob (a `HEAD` straight to it). */
async function hasBlob(repository: string, digest: string): Promise<boolean> {
  const res = await fetch(`http://${e2e.host}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  return res.status === 200;
}

describe('oras push status lines', () => {
  it('prints Tagged for each extra tag, between Pushed and the digest', async () => {
    const res = await e2e.box.ok(['push', '--plain-http', `${e2e.host}/status:t1,t2,t3`, 'a.txt']);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.slice(-5)).toEqual([
      `Pushed [registry] ${e2e.host}/status:t1`,
      'Tagged t2',
      'Tagged t3',
      'ArtifactType: application/vnd.unknown.artifact.v1',
      expect.stringMatching(/^Digest: sha256:[0-9a-f]{64}$/),
    ]);
    const digest = lines.at(-1)?.slice('Digest: '.length);
    for (const tag of ['t1', 't2', 't3']) {
      expect((await e2e.box.ok(['resolve', '--plain-http', `${e2e.host}/status:${tag}`])).stdout.trim()).toBe(
        digest,
      );
    }
  });

  it('gives a second file with the same bytes its own line, Exists, to a registry and to an OCI layout', async () => {
    const remote = await e2e.box.ok(['push', '--plain-http', `${e2e.host}/duplicates:v1`, 'a.txt', 'b.txt']);
    // the files move at once: whichever is read first goes up, the other is reported Exists
    const sent = remote.stdout.split('\n').filter((l) => l.includes(`${SAME} `));
    const [first, second] = sent.includes(`Exists    ${SAME} b.txt`)
      ? ['a.txt', 'b.txt']
      : ['b.txt', 'a.txt'];
    expect(sent.sort()).toEqual([
      `Exists    ${SAME} ${second}`,
      `Uploaded  ${SAME} ${first}`,
      `Uploading ${SAME} ${first}`,
    ]);
    const layout = await e2e.box.ok(['push', '--oci-layout', 'layout:dup', 'a.txt', 'b.txt']);
    const lines = layout.stdout.split('\n');
    expect(lines.filter((l) => l.includes(`${SAME} `))).toEqual([
      `Uploading ${SAME} a.txt`,
      `Uploaded  ${SAME} a.txt`,
      `Exists    ${SAME} b.txt`,
    ]);
    // before the manifest's line, as oras prints it
    expect(lines.indexOf(`Exists    ${SAME} b.txt`)).toBeLessThan(
      lines.findIndex(
        (l) => l.startsWith('Uploaded ') && l.endsWith('application/vnd.oci.image.manifest.v1+json'),
      ),
    );
  });

  it('hides the lines of unnamed content with --verbose=false, after the deprecation warning', async () => {
    const quiet = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/status:quiet`,
      'a.txt',
      '--verbose=false',
    ]);
    expect(quiet.stderr).toContain('Flag --verbose has been deprecated');
    expect(quiet.stdout).toMatch(/ a\.txt$/m);
    expect(quiet.stdout).not.toContain('application/vnd.oci.empty.v1+json');
    expect(quiet.stdout).not.toContain('application/vnd.oci.image.manifest.v1+json');
    const loud = await e2e.box.ok(['push', '--plain-http', `${e2e.host}/status:loud`, 'b.txt']);
    expect(loud.stdout).toContain('application/vnd.oci.image.manifest.v1+json');
  });
});

describe('oras push checks', () => {
  it('checks the config and every file before the first upload', async () => {
    const digest = sha256(big);
    const missingConfig = await e2e.box.run([
      'push',
      '--plain-http',
      `${e2e.host}/checked:v1`,
      'big.bin',
      '--config',
      'missing.json:application/vnd.me.config',
      '--artifact-type',
      'application/vnd.me',
    ]);
    expect(missingConfig.code).toBe(1);
    expect(missingConfig.stderr).toBe(
      `Error: stat ${join(e2e.box.dir, 'missing.json')}: no such file or directory\n`,
    );
    const absolute = await e2e.box.run([
      'push',
      '--plain-http',
      `${e2e.host}/checked:v1`,
      'big.bin',
      '/etc/hosts',
      '/etc/passwd:text/plain',
    ]);
    expect(absolute.code).toBe(1);
    expect(absolute.stderr).toBe(
      "Error: absolute file path detected. If it's intentional, use --disable-path-validation flag to skip this check: /etc/hosts, /etc/passwd\n",
    );
    const missingFile = await e2e.box.run([
      'push',
      '--plain-http',
      `${e2e.host}/checked:v1`,
      'big.bin',
      'nope.txt',
    ]);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toBe(
      `Error: stat ${join(e2e.box.dir, 'nope.txt')}: no such file or directory\n`,
    );
    expect(await hasBlob('checked', digest)).toBe(false);
  });

  it('reports the bytes of a file as they are sent with --progress json: start, progress, done', async () => {
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      '--progress',
      'json',
      `${e2e.host}/progress:v1`,
      'big.bin',
    ]);
    const events = res.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; title?: string; digest?: string; offset?: number })
      .filter((e) => e.title === 'big.bin');
    expect(events[0]).toMatchObject({ event: 'start', offset: 0, size: big.length });
    expect(events[0]?.digest).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ event: 'done', digest: sha256(big), offset: big.length });
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.offset ?? -1);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(progress.at(-1)).toBe(big.length);
    expect(events.map((e) => e.event)).toEqual(['start', ...progress.map(() => 'progress'), 'done']);
  });
});

describe('oras attach checks', () => {
  it('says neither file nor annotation was given, with its usage, as oras does', async () => {
    await e2e.box.ok(['push', '--plain-http', `${e2e.host}/attach:v1`, 'a.txt']);
    const res = await e2e.box.run([
      'attach',
      '--plain-http',
      '--artifact-type',
      'doc/x',
      `${e2e.host}/attach:v1`,
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      [
        'Error: neither file nor annotation provided in the command',
        'Usage: oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]',
        'To attach to an existing artifact, please provide files via argument or annotations via flag "--annotation". Run "oras attach -h" for more options and examples',
        '',
      ].join('\n'),
    );
  });
});
