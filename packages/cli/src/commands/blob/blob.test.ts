/**
 * `oras blob push|fetch|delete`, end to end: the built CLI against docker-registry (distribution
 * v2.8) and OCI layouts, with stdin and stdout in shell pipelines and the delete prompt answered
 * `y`, `n` and not at all.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureContext } from '../../test-support/capture.js';
import { oras, scratch, sh } from '../../test-support/oras-process.js';

let registry: Distribution;
let repo: string;
const work = scratch();

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  repo = `${registry.host}/blobs`;
});

afterAll(async () => {
  await registry?.stop();
  work.remove();
});

describe('oras blob push', () => {
  it('pushes a file and prints the reference and digest', async () => {
    writeFileSync(join(work.dir, 'hi.txt'), 'hello world\n');
    const res = await oras(['blob', 'push', '--plain-http', repo, 'hi.txt'], { cwd: work.dir });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const digest = sha256('hello world\n');
    expect(res.stdout).toBe(
      `Uploading ${digest.slice(7, 19)} application/vnd.oci.image.layer.v1.tar\n` +
        `Uploaded  ${digest.slice(7, 19)} application/vnd.oci.image.layer.v1.tar\n` +
        `Pushed [registry] ${repo}\nDigest: ${digest}\n`,
    );
    const again = await oras(['blob', 'push', '--plain-http', repo, 'hi.txt'], { cwd: work.dir });
    expect(again.stdout).toContain(`Exists    ${digest.slice(7, 19)}`);
  });

  it('streams stdin without a digest through a chunked upload, and refuses stdin without --size', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const unsized = await sh(`cat | $ORAS blob push --plain-http ${repo} -`, { stdin: data });
    expect(unsized.code).toBe(1);
    expect(unsized.stderr).toBe('Error: `--size` must be provided if the blob is read from stdin\n');
    const res = await sh(
      `cat | $ORAS blob push --plain-http --descriptor --size ${data.byteLength} ${repo} -`,
      {
        stdin: data,
      },
    );
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: sha256(data),
      size: data.byteLength,
    });
    const back = await sh(`$ORAS blob fetch --plain-http -o - ${repo}@${sha256(data)} | sha256sum`);
    expect(back.stdout.split(' ')[0]).toBe(sha256(data).slice(7));
  });

  it('pushes stdin with --size and a digest, and refuses a size that does not match', async () => {
    const data = Buffer.from('sized content');
    const ok = await oras(
      [
        'blob',
        'push',
        '--plain-http',
        '--size',
        String(data.length),
        '--media-type',
        'application/vnd.me',
        '--descriptor',
        `${repo}@${sha256(data)}`,
        '-',
      ],
      {
        stdin: data,
      },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      `{"mediaType":"application/vnd.me","digest":"${sha256(data)}","size":${data.length}}`,
    );
    const wrong = await oras(['blob', 'push', '--plain-http', '--size', '3', repo, '-'], { stdin: data });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('input size 3 does not match the actual content size 13');
  });

  it('refuses a file whose digest differs from the one named', async () => {
    writeFileSync(join(work.dir, 'other.txt'), 'other');
    const res = await oras(['blob', 'push', '--plain-http', `${repo}@${sha256('not it')}`, 'other.txt'], {
      cwd: work.dir,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`the content has digest ${sha256('other')}`);
  });

  it('pushes into and fetches from an OCI image layout', async () => {
    writeFileSync(join(work.dir, 'layer.bin'), 'layout blob');
    const push = await oras(['blob', 'push', '--oci-layout', 'layout', 'layer.bin'], { cwd: work.dir });
    expect(push.code).toBe(0);
    expect(push.stdout).toContain('Pushed [oci-layout] layout');
    const digest = sha256('layout blob');
    expect(readFileSync(join(work.dir, 'layout', 'blobs', 'sha256', digest.slice(7)), 'utf8')).toBe(
      'layout blob',
    );
    const fetched = await oras(['blob', 'fetch', '--oci-layout', '-o', '-', `layout@${digest}`], {
      cwd: work.dir,
    });
    expect(fetched.stdout).toBe('layout blob');
    const piped = await sh(`cat layer.bin | $ORAS blob push --oci-layout --descriptor --size 11 layout -`, {
      cwd: work.dir,
      stdin: '',
    });
    expect(JSON.parse(piped.stdout).digest).toBe(digest);
  });
});

describe('oras blob fetch', () => {
  const content = 'fetch me\n';

  beforeAll(async () => {
    await oras(
      ['blob', 'push', '--plain-http', repo, '-', '--size', String(content.length), '--descriptor'],
      { stdin: content },
    );
  });

  it('writes a blob to a file and prints its descriptor', async () => {
    const res = await oras(
      ['blob', 'fetch', '--plain-http', '-o', 'out.txt', '--descriptor', `${repo}@${sha256(content)}`],
      {
        cwd: work.dir,
      },
    );
    expect(res.code).toBe(0);
    expect(readFileSync(join(work.dir, 'out.txt'), 'utf8')).toBe(content);
    expect(JSON.parse(res.stdout)).toEqual({
      mediaType: 'application/octet-stream',
      digest: sha256(content),
      size: content.length,
    });
  });

  it('writes a blob to stdout in a pipeline', async () => {
    const res = await sh(`$ORAS blob fetch --plain-http --output - ${repo}@${sha256(content)} | tr a-z A-Z`);
    expect(res.stdout).toBe('FETCH ME\n');
  });

  it('shows live progress on stderr when it is a terminal, and nothing on stdout', async () => {
    const ctx = captureContext({ tty: true, cwd: work.dir, env: { DOCKER_CONFIG: work.dir } });
    const code = await main(
      ['blob', 'fetch', '--plain-http', '-o', 'tty.txt', `${repo}@${sha256(content)}`],
      ctx,
    );
    expect(ctx.err()).toContain('Downloaded');
    expect(ctx.err()).toContain(`└─ ${sha256(content)}`);
    expect(code).toBe(0);
    expect(ctx.out()).toBe('');
    expect(readFileSync(join(work.dir, 'tty.txt'), 'utf8')).toBe(content);
  });

  it('needs --output or --descriptor, and a digest', async () => {
    const none = await oras(['blob', 'fetch', '--plain-http', `${repo}@${sha256(content)}`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('either `--output` or `--descriptor` must be provided');
    const tag = await oras(['blob', 'fetch', '--plain-http', '-o', '-', `${repo}:v1`]);
    expect(tag.code).toBe(1);
    expect(tag.stderr).toContain('no digest specified');
  });

  it('fails for a blob the registry does not have', async () => {
    const res = await oras(['blob', 'fetch', '--plain-http', '--descriptor', `${repo}@${sha256('missing')}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^Error response from registry: failed to resolve sha256:[0-9a-f]{64}: .*not found/,
    );
  });
});

describe('oras blob delete', () => {
  async function pushBlob(text: string): Promise<string> {
    const res = await oras(
      ['blob', 'push', '--plain-http', '--size', String(Buffer.byteLength(text)), repo, '-'],
      {
        stdin: text,
      },
    );
    expect(res.code).toBe(0);
    return sha256(text);
  }

  async function exists(digest: string): Promise<boolean> {
    return (await oras(['blob', 'fetch', '--plain-http', '--descriptor', `${repo}@${digest}`])).code === 0;
  }

  it('deletes when the prompt is answered y', async () => {
    const digest = await pushBlob('delete me: yes');
    const res = await oras(['blob', 'delete', '--plain-http', `${repo}@${digest}`], { stdin: 'y\n' });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      `Are you sure you want to delete the blob "${digest}"? [y/N] Deleted [registry] ${repo}@${digest}\n`,
    );
    expect(await exists(digest)).toBe(false);
  });

  it('keeps the blob when the prompt is answered n', async () => {
    const digest = await pushBlob('delete me: no');
    const res = await oras(['blob', 'delete', '--plain-http', `${repo}@${digest}`], { stdin: 'n\n' });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Operation cancelled.');
    expect(await exists(digest)).toBe(true);
  });

  it('keeps the blob and says to use --force when there is no terminal to answer', async () => {
    const digest = await pushBlob('delete me: nobody answers');
    const res = await oras(['blob', 'delete', '--plain-http', `${repo}@${digest}`]);
    expect(res.stdout).toContain('Operation cancelled.');
    expect(res.stderr).toContain('use --force');
    expect(await exists(digest)).toBe(true);
  });

  it('deletes without asking with --force, prints the descriptor, and ignores a missing blob', async () => {
    const digest = await pushBlob('delete me: forced');
    const res = await oras([
      'blob',
      'delete',
      '--plain-http',
      '--force',
      '--descriptor',
      `${repo}@${digest}`,
    ]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ digest, size: 'delete me: forced'.length });
    expect(await exists(digest)).toBe(false);
    const missing = await oras(['blob', 'delete', '--plain-http', '-f', `${repo}@${digest}`]);
    expect(missing.code).toBe(0);
    expect(missing.stdout).toBe(`Missing ${repo}@${digest}\n`);
    const strict = await oras(['blob', 'delete', '--plain-http', `${repo}@${digest}`]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('the specified blob does not exist');
    const noForce = await oras(['blob', 'delete', '--plain-http', '--descriptor', `${repo}@${digest}`]);
    expect(noForce.stderr).toContain(
      'must apply --force to confirm the deletion if the descriptor is outputted',
    );
  });
});
