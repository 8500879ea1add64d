/**
 * `oras backup` and `oras restore`, end to end against docker-registry (no referrers API: the
 * tag-schema fallback): a repository with tags, an index and nested referrers is backed up to a
 * folder and to a tar, deleted from the registry, restored, and comes back with the same tags,
 * digests and referrers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { oras, scratch, sh } from '../../test-support/oras-process.js';

// Each case runs the CLI many times as a child process; two shared cores make that slow.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 };

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

let registry: Distribution;
let repo: string;
const work = scratch();

async function run(args: string[], stdin?: string): Promise<string> {
  const res = await oras([...args, '--plain-http'], stdin === undefined ? {} : { stdin });
  if (res.code !== 0) throw new Error(`oras ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}

async function pushManifest(ref: string, doc: object): Promise<Desc> {
  return JSON.parse(await run(['manifest', 'push', '--descriptor', ref, '-'], JSON.stringify(doc))) as Desc;
}

function referrer(subject: Desc, artifactType: string): object {
  return {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType,
    config: EMPTY,
    layers: [EMPTY],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  };
}

/** Every tag of `name` with the digest it points at; empty when the repository has none. */
async function snapshot(name: string): Promise<Record<string, string>> {
  const tags = await oras(['repo', 'tags', '--plain-http', name]);
  const out: Record<string, string> = {};
  if (tags.code !== 0) return out;
  for (const tag of tags.stdout.split('\n').filter(Boolean).sort()) {
    out[tag] = JSON.parse(await run(['manifest', 'fetch', '--descriptor', `${name}:${tag}`])).digest;
  }
  return out;
}

/** The referrers the tag-schema index of `subject` lists, sorted. */
async function referrersOf(name: string, subject: Desc): Promise<string[]> {
  const res = await oras(['manifest', 'fetch', '--plain-http', `${name}:sha256-${subject.digest.slice(7)}`]);
  if (res.code !== 0) return [];
  return (JSON.parse(res.stdout) as { manifests: Desc[] }).manifests.map((m) => m.digest).sort();
}

let v1: Desc;
let v2: Desc;
let index: Desc;
let sig: Desc;
let sigOfSig: Desc;
let sbom: Desc;
let before: Record<string, string>;

beforeAll(async () => {
  registry = await startDistribution({ mode: 'plain' });
  repo = `${registry.host}/app`;
  await run(['blob', 'push', '--size', '2', repo, '-'], '{}');
  const image = async (os: string, arch: string, tag: string) => {
    const config = JSON.parse(
      await run(
        [
          'blob',
          'push',
          '--descriptor',
          '--media-type',
          'application/vnd.oci.image.config.v1+json',
          '--size',
          String(JSON.stringify({ os, architecture: arch }).length),
          repo,
          '-',
        ],
        JSON.stringify({ os, architecture: arch }),
      ),
    ) as Desc;
    const layer = JSON.parse(
      await run(
        ['blob', 'push', '--descriptor', '--size', String(`layer ${os}/${arch}`.length), repo, '-'],
        `layer ${os}/${arch}`,
      ),
    ) as Desc;
    return pushManifest(`${repo}:${tag}`, { schemaVersion: 2, mediaType: MANIFEST, config, layers: [layer] });
  };
  v1 = await image('linux', 'amd64', 'v1');
  v2 = await image('linux', 'arm64', 'v2');
  await run(['manifest', 'index', 'create', `${repo}:multi`, 'v1', 'v2']);
  index = JSON.parse(await run(['manifest', 'fetch', '--descriptor', `${repo}:multi`])) as Desc;
  sig = await pushManifest(repo, referrer(v1, 'application/vnd.example.sig'));
  sigOfSig = await pushManifest(repo, referrer(sig, 'application/vnd.example.countersig'));
  sbom = await pushManifest(repo, referrer(v2, 'application/vnd.example.sbom'));
  before = await snapshot(repo);
});

afterAll(async () => {
  await registry?.stop();
  work.remove();
});

describe('oras backup and restore', () => {
  it('backs up a repository with its referrers, and restores it after it was deleted', async () => {
    expect(Object.keys(before).sort()).toEqual(
      [
        'multi',
        `sha256-${sig.digest.slice(7)}`,
        `sha256-${v1.digest.slice(7)}`,
        `sha256-${v2.digest.slice(7)}`,
        'v1',
        'v2',
      ].sort(),
    );
    const dir = await oras(['backup', '--plain-http', '--include-referrers', '--output', 'backup', repo], {
      cwd: work.dir,
    });
    expect(dir.stderr).toBe('');
    expect(dir.code).toBe(0);
    expect(dir.stdout).toContain(`Found 6 tag(s) in ${repo}: `);
    expect(dir.stdout).toContain('Pulled tag v1 and 2 referrer(s)\n');
    expect(dir.stdout).toContain('Pulled tag multi and 3 referrer(s)\n');
    expect(dir.stdout).toMatch(new RegExp(`Successfully backed up 6 tag\\(s\\) from ${repo} to backup in `));
    expect(existsSync(join(work.dir, 'backup', 'ingest'))).toBe(false);
    const layoutIndex = JSON.parse(readFileSync(join(work.dir, 'backup', 'index.json'), 'utf8')) as {
      manifests: Desc[];
    };
    for (const d of [v1, v2, index, sig, sigOfSig, sbom])
      expect(layoutIndex.manifests.map((m) => m.digest)).toContain(d.digest);

    const tar = await oras(['backup', '--plain-http', '--include-referrers', '-o', 'backup.tar', repo], {
      cwd: work.dir,
    });
    expect(tar.code).toBe(0);
    expect(tar.stdout).toContain('Exporting to backup.tar\nExported to backup.tar (');
    const listing = await sh('tar tf backup.tar', { cwd: work.dir });
    expect(listing.stdout.split('\n')).toEqual(
      expect.arrayContaining(['oci-layout', 'index.json', `blobs/sha256/${sigOfSig.digest.slice(7)}`]),
    );

    // Delete everything: the tag-schema indexes, the referrers, the index, the images.
    for (const tag of Object.keys(before).filter((t) => t.startsWith('sha256-'))) {
      await run(['manifest', 'delete', '--force', `${repo}:${tag}`]);
    }
    for (const d of [sigOfSig, sig, sbom, index, v1, v2])
      await run(['manifest', 'delete', '--force', `${repo}@${d.digest}`]);
    expect(await snapshot(repo)).toEqual({});

    const dry = await oras(['restore', '--plain-http', '--input', 'backup.tar', '--dry-run', repo], {
      cwd: work.dir,
    });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: would push tag v1 with 2 referrer(s)');
    expect(await snapshot(repo)).toEqual({});

    const restored = await oras(['restore', '--plain-http', '--input', 'backup.tar', repo], {
      cwd: work.dir,
    });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('Loaded backup archive: backup.tar (');
    expect(restored.stdout).toContain('Pushed tag v1 with 2 referrer(s)\n');
    // more than 5 tags: one per line, as oras's restore text handler prints them
    expect(restored.stdout).toContain('Found 6 tag(s) in the backup:\n');
    expect(restored.stdout).toMatch(new RegExp(`Successfully restored 6 tag\\(s\\) to "${repo}" in `));
    expect(await snapshot(repo)).toEqual(before);
    expect(await referrersOf(repo, v1)).toEqual([sig.digest]);
    expect(await referrersOf(repo, sig)).toEqual([sigOfSig.digest]);
    expect(await referrersOf(repo, v2)).toEqual([sbom.digest]);
  });

  it('restores chosen tags from a folder, with or without referrers', async () => {
    const copy = `${registry.host}/app-copy`;
    const with_ = await oras(['restore', '--plain-http', '--input', 'backup', `${copy}:v1`], {
      cwd: work.dir,
    });
    expect(with_.code).toBe(0);
    expect(with_.stdout).toContain('Found 1 tag(s) in the backup: v1\n');
    expect(await referrersOf(copy, v1)).toEqual([sig.digest]);
    expect(await referrersOf(copy, sig)).toEqual([sigOfSig.digest]);

    const bare = `${registry.host}/app-bare`;
    const without = await oras(
      ['restore', '--plain-http', '--input', 'backup', '--exclude-referrers', `${bare}:v2,multi`],
      { cwd: work.dir },
    );
    expect(without.code).toBe(0);
    expect(await snapshot(bare)).toEqual({ multi: index.digest, v2: v2.digest });
    expect(await referrersOf(bare, v2)).toEqual([]);
  });

  it('refuses digests, a tar path that is a folder, and tags the source lacks', async () => {
    const digest = await oras(['backup', '--plain-http', '-o', 'x', `${repo}@${v1.digest}`], {
      cwd: work.dir,
    });
    expect(digest.stderr).toContain('digest references are not supported');
    await sh('mkdir -p folder.tar', { cwd: work.dir });
    const folder = await oras(['backup', '--plain-http', '-o', 'folder.tar', `${repo}:v1`], {
      cwd: work.dir,
    });
    expect(folder.stderr).toContain('the output path "folder.tar" already exists and is a directory');
    const missing = await oras(['restore', '--plain-http', '--input', 'backup', `${repo}:nope`], {
      cwd: work.dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('failed to resolve tag "nope"');
    const noOutput = await oras(['backup', '--plain-http', `${repo}:v1`], { cwd: work.dir });
    expect(noOutput.stderr).toContain('required flag(s) "output" not set');
  });
});

describe('oras backup of a repository with leftovers', () => {
  it('skips (and names) a referrers tag whose subject is gone, and backs up the rest', async () => {
    const name = `${registry.host}/orphans`;
    await run(['blob', 'push', '--size', '2', name, '-'], '{}');
    const subject = await pushManifest(`${name}:v1`, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: EMPTY,
      layers: [EMPTY],
    });
    const keep = await pushManifest(`${name}:v2`, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: EMPTY,
      layers: [EMPTY],
      annotations: { keep: 'yes' },
    });
    const sigOfSubject = await pushManifest(name, referrer(subject, 'application/vnd.example.sig'));
    await run(['manifest', 'delete', '--force', `${name}@${subject.digest}`]);
    const orphan = `sha256-${subject.digest.slice(7)}`;
    expect(Object.keys(await snapshot(name)).sort()).toEqual([orphan, 'v2'].sort());

    for (const flags of [[], ['--include-referrers']]) {
      const out = `orphans-${flags.length}`;
      const res = await oras(['backup', '--plain-http', ...flags, '-o', out, name], { cwd: work.dir });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(
        `Skipped tag ${orphan}: a referrers index whose subject ${subject.digest} is no longer in the repository\n`,
      );
      expect(res.stdout).toContain('Pulled tag v2 and 0 referrer(s)\n');
      expect(res.stdout).toMatch(
        new RegExp(`Successfully backed up 1 tag\\(s\\) from ${name} to ${out} in `),
      );
      const layout = JSON.parse(readFileSync(join(work.dir, out, 'index.json'), 'utf8')) as {
        manifests: (Desc & { annotations?: Record<string, string> })[];
      };
      expect(layout.manifests.map((m) => m.digest)).toEqual([keep.digest]);
      expect(layout.manifests.map((m) => m.digest)).not.toContain(sigOfSubject.digest);
    }
  });

  it('removes the folder it created when the backup fails, and leaves one that was there', async () => {
    const name = `${registry.host}/broken`;
    await run(['blob', 'push', '--size', '2', name, '-'], '{}');
    const layer = JSON.parse(
      await run(['blob', 'push', '--descriptor', '--size', '9', name, '-'], 'soon gone'),
    ) as Desc;
    await pushManifest(`${name}:v1`, {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: EMPTY,
      layers: [layer],
    });
    await run(['blob', 'delete', '--force', `${name}@${layer.digest}`]);

    const res = await oras(['backup', '--plain-http', '-o', 'broken', name], { cwd: work.dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^Error( response from registry)?: failed to back up tag "v1" from .*: not found\n/,
    );
    expect(existsSync(join(work.dir, 'broken'))).toBe(false);

    await sh('mkdir -p kept && echo mine > kept/note.txt', { cwd: work.dir });
    const into = await oras(['backup', '--plain-http', '-o', 'kept', name], { cwd: work.dir });
    expect(into.code).toBe(1);
    expect(readFileSync(join(work.dir, 'kept', 'note.txt'), 'utf8')).toBe('mine\n');

    const tar = await oras(['backup', '--plain-http', '-o', 'broken.tar', name], { cwd: work.dir });
    expect(tar.code).toBe(1);
    expect(existsSync(join(work.dir, 'broken.tar'))).toBe(false);
  });

  it('prints tags with control characters escaped', async () => {
    const backup = await oras(['backup', '--plain-http', '-o', 'escape', `${repo}:v1`], { cwd: work.dir });
    expect(backup.code).toBe(0);
    const indexPath = join(work.dir, 'escape', 'index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as {
      manifests: { annotations: Record<string, string> }[];
    };
    for (const m of index.manifests) m.annotations['org.opencontainers.image.ref.name'] = 'v1\u001b[31mred';
    writeFileSync(indexPath, JSON.stringify(index));
    const res = await oras(
      ['restore', '--plain-http', '--dry-run', '--input', 'escape', `${registry.host}/escaped`],
      {
        cwd: work.dir,
      },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Found 1 tag(s) in the backup: v1\\x1b[31mred\n');
    expect(res.stdout).toContain('Dry run: would push tag v1\\x1b[31mred with 0 referrer(s)\n');
    expect(res.stdout).not.toContain('\u001b');
  });
});
