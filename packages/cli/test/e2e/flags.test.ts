/**
 * Flags end to end: OCI layouts (directory, `--oci-layout-path`, a tar for reading), packing
 * options (annotation file, config, image spec, export, escaped names, empty artifacts), the early
 * ORAS syntax, progress modes, custom headers, `--resolve` and redacted debug traces.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { digestLine, sha256, skopeo, withDistribution } from './fixture.js';

const e2e = withDistribution({
  files: { 'a.txt': 'aaa\n', 'b.txt': 'bbb\n', 'hi:txt': 'colon\n', 'config.json': '{"name":"cfg"}' },
});

async function raw(
  ref: string,
): Promise<
  Record<string, unknown> & { layers: { mediaType: string; annotations?: Record<string, string> }[] }
> {
  return JSON.parse(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]));
}

describe('OCI image layouts', () => {
  it('push, tag, resolve, attach, discover and pull in a layout; read a layout tar', async () => {
    const pushed = await e2e.box.ok(['push', '--oci-layout', 'lay:v1', 'a.txt']);
    expect(pushed.stdout).toContain('Pushed [oci-layout] lay:v1\n');
    const digest = digestLine(pushed.stdout);
    await e2e.box.ok(['tag', '--oci-layout', 'lay:v1', 'v2']);
    expect((await e2e.box.ok(['resolve', '--oci-layout', 'lay:v2'])).stdout).toBe(`${digest}\n`);
    expect((await e2e.box.ok(['resolve', '--oci-layout-path', 'lay', 'v2'])).stdout).toBe(`${digest}\n`);
    const att = await e2e.box.ok(['attach', '--oci-layout', '--artifact-type', 'doc/x', 'lay:v1', 'b.txt']);
    const disc = JSON.parse(
      (await e2e.box.ok(['discover', '--oci-layout', '--format', 'json', 'lay:v1'])).stdout,
    );
    expect(disc.referrers.map((r: { digest: string }) => r.digest)).toEqual([digestLine(att.stdout)]);
    const index = JSON.parse(await readFile(join(e2e.box.dir, 'lay', 'index.json'), 'utf8'));
    expect(index.manifests.some((m: { digest: string }) => m.digest === digest)).toBe(true);

    await promisify(execFile)('tar', [
      '-cf',
      join(e2e.box.dir, 'lay.tar'),
      '-C',
      join(e2e.box.dir, 'lay'),
      '.',
    ]);
    const pulled = await e2e.box.ok(['pull', '--oci-layout', 'lay.tar:v2', '-o', 'from-tar']);
    expect(digestLine(pulled.stdout)).toBe(digest);
    expect(await readFile(join(e2e.box.dir, 'from-tar', 'a.txt'), 'utf8')).toBe('aaa\n');
  });
});

describe('packing options', () => {
  it('applies an annotation file to the manifest, config and files, and exports the manifest bytes', async () => {
    await writeFile(
      join(e2e.box.dir, 'ann.json'),
      JSON.stringify({ $manifest: { m: '1' }, $config: { c: '2' }, 'a.txt': { f: '3' } }),
    );
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/pack:ann`,
      'a.txt',
      '--annotation-file',
      'ann.json',
      '--export-manifest',
      'exported.json',
    ]);
    const exported = await readFile(join(e2e.box.dir, 'exported.json'));
    expect(sha256(exported)).toBe(digestLine(res.stdout));
    const m = await raw(`${e2e.host}/pack:ann`);
    expect(m.annotations).toMatchObject({ m: '1' });
    expect((m.config as { annotations: Record<string, string> }).annotations).toEqual({ c: '2' });
    expect(m.layers[0]?.annotations).toMatchObject({ f: '3', 'org.opencontainers.image.title': 'a.txt' });
    const both = await e2e.box.run([
      'push',
      '--plain-http',
      `${e2e.host}/pack:x`,
      'a.txt',
      '--annotation-file',
      'ann.json',
      '-a',
      'k=v',
    ]);
    expect(both.code).toBe(1);
  });

  it('packs image-spec v1.0 with a config, v1.1 with an artifact type, media types and escaped names', async () => {
    const v10 = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/pack:v10`,
      '--config',
      'config.json:application/vnd.me.config',
      'a.txt:text/plain',
    ]);
    expect(v10.stdout).toContain('ArtifactType: application/vnd.me.config\n');
    const m10 = await raw(`${e2e.host}/pack:v10`);
    expect(m10.artifactType).toBeUndefined();
    expect((m10.config as { mediaType: string }).mediaType).toBe('application/vnd.me.config');
    expect(m10.layers[0]?.mediaType).toBe('text/plain');

    const refused = await e2e.box.run([
      'push',
      '--plain-http',
      '--image-spec',
      'v1.1',
      `${e2e.host}/pack:no`,
      '--config',
      'config.json',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Error: missing artifact type');

    const v11 = await e2e.box.ok([
      'push',
      '--plain-http',
      '--artifact-type',
      'application/vnd.me.art',
      `${e2e.host}/pack:v11`,
      'hi:txt:',
    ]);
    expect(v11.stdout).toContain('ArtifactType: application/vnd.me.art\n');
    const m11 = await raw(`${e2e.host}/pack:v11`);
    expect(m11.artifactType).toBe('application/vnd.me.art');
    expect(m11.layers[0]?.annotations?.['org.opencontainers.image.title']).toBe('hi:txt');
    expect(m11.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
  });

  it('pushes an empty artifact with the empty layer', async () => {
    const res = await e2e.box.ok(['push', '--plain-http', '--no-tty', `${e2e.host}/pack:empty`]);
    expect(res.stdout).toContain('Uploading empty artifact\n');
    const m = await raw(`${e2e.host}/pack:empty`);
    expect(m.layers).toEqual([
      { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2, data: 'e30=' },
    ]);
  });
});

describe('the early ORAS syntax', () => {
  it('takes --manifest-config, --manifest-annotations, --manifest-export, pull -a and -t', async () => {
    await writeFile(join(e2e.box.dir, 'legacy.json'), JSON.stringify({ $manifest: { legacy: 'yes' } }));
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      `${e2e.host}/legacy:v1`,
      '--manifest-config',
      'config.json:application/vnd.legacy.config',
      '--manifest-annotations',
      'legacy.json',
      '--manifest-export',
      'legacy-manifest.json',
      'a.txt:text/a',
      'b.txt:text/b',
    ]);
    const m = await raw(`${e2e.host}/legacy:v1`);
    expect((m.config as { mediaType: string }).mediaType).toBe('application/vnd.legacy.config');
    expect(m.annotations).toMatchObject({ legacy: 'yes' });
    expect(sha256(await readFile(join(e2e.box.dir, 'legacy-manifest.json')))).toBe(digestLine(res.stdout));
    await e2e.box.ok(['pull', '--plain-http', `${e2e.host}/legacy:v1`, '-a', '-o', 'all']);
    expect(await readFile(join(e2e.box.dir, 'all', 'b.txt'), 'utf8')).toBe('bbb\n');
    await e2e.box.ok(['pull', '--plain-http', `${e2e.host}/legacy:v1`, '-t', 'text/a', '-o', 'only-a']);
    expect(await readFile(join(e2e.box.dir, 'only-a', 'a.txt'), 'utf8')).toBe('aaa\n');
    await expect(readFile(join(e2e.box.dir, 'only-a', 'b.txt'))).rejects.toThrow();
  });
});

describe('progress, headers, --resolve and --debug', () => {
  it('writes JSON progress events on stderr with --progress json', async () => {
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      '--progress',
      'json',
      `${e2e.host}/prog:v1`,
      'a.txt',
    ]);
    const events = res.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.find((e) => e.event === 'done' && e.title === 'a.txt')).toMatchObject({
      prompt: 'Uploaded',
      digest: sha256('aaa\n'),
      size: 4,
    });
    expect(events.some((e) => e.event === 'start')).toBe(true);
  });

  it('reaches a registry by another name with --resolve, sending custom headers, with redacted traces', async () => {
    const port = e2e.host.split(':')[1];
    const res = await e2e.box.ok([
      'push',
      '--plain-http',
      '--resolve',
      `e2e.registry.invalid:${port}:127.0.0.1`,
      '-H',
      'X-Custom: yes',
      '-d',
      `e2e.registry.invalid:${port}/resolved:v1`,
      'a.txt',
    ]);
    expect(res.stdout).toContain(`Pushed [registry] e2e.registry.invalid:${port}/resolved:v1`);
    // a custom header's value may be a secret: the trace names it and masks its value
    expect(res.stderr).toContain('   "X-Custom": "<redacted>"');
    expect(
      sha256(await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${e2e.host}/resolved:v1`])),
    ).toBe(digestLine(res.stdout));
    const withPassword = await e2e.box.run([
      'resolve',
      '--plain-http',
      '-d',
      '-u',
      'user',
      '-p',
      'hunter2secret',
      `${e2e.host}/resolved:v1`,
    ]);
    expect(withPassword.code).toBe(0);
    expect(withPassword.stderr).not.toContain('hunter2secret');
    expect(withPassword.stderr).not.toContain(Buffer.from('user:hunter2secret').toString('base64'));
  });
});
