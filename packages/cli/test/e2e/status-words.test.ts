/**
 * The status words of oras 1.3 (cmd/oras/internal/display/status), command by command, in text
 * mode (`--no-tty`) against docker-registry: push and attach say `Preparing <name>` for each file
 * before anything moves (`--verbose=false` hides it), then `Uploading`/`Uploaded `/`Exists   `;
 * pull says `Downloading`/`Processing `/`Downloaded `; cp says `Copying`/`Copied `/`Exists `;
 * backup `Pulling  `/`Pulled   ` and restore `Pushing  `/`Pushed   `. On a terminal a pulled row
 * ends `✓ Pulled` (checked by pty.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { withDistribution } from './fixture.js';

const e2e = withDistribution({ files: { 'a.txt': 'a\n', 'docs/b.md': 'b\n' } });

/** The status words of a run's stdout, with the name each is about: `[word, name]`. */
function words(stdout: string): [string, string][] {
  return stdout
    .split('\n')
    .map((l) =>
      /^(Preparing|Uploading|Uploaded|Exists|Skipped|Copying|Copied|Mounted|Downloading|Downloaded|Processing|Restored) +(?:[0-9a-f]{12} )?(.*)$/.exec(
        l,
      ),
    )
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, m[2] as string]);
}

describe('push and attach', () => {
  it('say Preparing for each file, by its cleaned path, before the first upload', async () => {
    const ref = `${e2e.host}/words:v1`;
    const res = await e2e.box.ok(['push', '--no-tty', '--plain-http', ref, './a.txt', 'docs/']);
    const seen = words(res.stdout);
    expect(seen.slice(0, 2)).toEqual([
      ['Preparing', 'a.txt'],
      ['Preparing', 'docs'],
    ]);
    expect(seen.filter(([w]) => w === 'Preparing')).toHaveLength(2);
    expect(res.stdout).toMatch(/^Preparing a\.txt\n/);
    for (const name of ['a.txt', 'docs']) {
      expect(seen).toContainEqual(['Uploaded', name]);
    }

    const again = await e2e.box.ok(['push', '--no-tty', '--plain-http', `${e2e.host}/words:v2`, 'a.txt']);
    const seenAgain = words(again.stdout);
    expect(seenAgain[0]).toEqual(['Preparing', 'a.txt']);
    expect(seenAgain).toContainEqual(['Exists', 'a.txt']);
    expect(again.stdout).toMatch(/^Exists {4}[0-9a-f]{12} a\.txt$/m);

    const attach = await e2e.box.ok([
      'attach',
      '--no-tty',
      '--plain-http',
      '--artifact-type',
      'doc/example',
      ref,
      'a.txt',
    ]);
    expect(words(attach.stdout)[0]).toEqual(['Preparing', 'a.txt']);
  });

  it('leave Preparing out with --verbose=false and on JSON output', async () => {
    const quiet = await e2e.box.ok([
      'push',
      '--no-tty',
      '--plain-http',
      '--verbose=false',
      `${e2e.host}/words:quiet`,
      'a.txt',
    ]);
    expect(quiet.stdout).not.toContain('Preparing');
    const json = await e2e.box.ok([
      'push',
      '--plain-http',
      '--format',
      'json',
      `${e2e.host}/words:json`,
      'a.txt',
    ]);
    expect(json.stdout).not.toContain('Preparing');
  });
});

describe('pull and cp', () => {
  it('use oras words for each step', async () => {
    const ref = `${e2e.host}/words:pulled`;
    await e2e.box.ok(['push', '--no-tty', '--plain-http', ref, 'a.txt']);
    const pull = await e2e.box.ok(['pull', '--no-tty', '--plain-http', '-o', 'pulled', ref]);
    const pulled = words(pull.stdout);
    expect(pulled[0]).toEqual(['Downloading', 'application/vnd.oci.image.manifest.v1+json']);
    expect(pulled).toContainEqual(['Processing', 'application/vnd.oci.image.manifest.v1+json']);
    expect(pulled).toContainEqual(['Downloaded', 'a.txt']);
    expect(pull.stdout).toMatch(/^Downloaded {2}[0-9a-f]{12} a\.txt$/m);

    const cp = await e2e.box.ok([
      'cp',
      '--no-tty',
      '--from-plain-http',
      '--to-plain-http',
      ref,
      `${e2e.host}/words-copy:v1`,
    ]);
    const copied = words(cp.stdout);
    // within one registry the blob is mounted: `Mounted` alone, no Copying/Copied around it
    expect(copied.filter(([, name]) => name === 'a.txt')).toEqual([['Mounted', 'a.txt']]);
    expect(copied).toContainEqual(['Copying', 'application/vnd.oci.image.manifest.v1+json']);
    expect(cp.stdout).toMatch(/^Copied {2}[0-9a-f]{12} application\/vnd\.oci\.image\.manifest\.v1\+json$/m);
    const again = await e2e.box.ok([
      'cp',
      '--no-tty',
      '--from-plain-http',
      '--to-plain-http',
      ref,
      `${e2e.host}/words-copy:v2`,
    ]);
    // the destination has the manifest already: nothing below it is looked at
    expect(again.stdout).toMatch(
      /^Exists {2}[0-9a-f]{12} application\/vnd\.oci\.image\.manifest\.v1\+json$/m,
    );
  });
});

describe('backup and restore', () => {
  it('pad their prompts to 9 columns, as oras 1.3 pads backupPrompt*: Pulling, Pulled, Pushing, Pushed, Exists', async () => {
    const ref = `${e2e.host}/words-backup:v1`;
    await e2e.box.ok(['push', '--no-tty', '--plain-http', ref, 'a.txt']);
    const backup = await e2e.box.ok(['backup', '--no-tty', '--plain-http', '--output', 'words-backup', ref]);
    expect(backup.stdout).toMatch(/^Pulling {3}[0-9a-f]{12} a\.txt$/m);
    expect(backup.stdout).toMatch(/^Pulled {4}[0-9a-f]{12} a\.txt$/m);
    expect(backup.stdout).toMatch(
      /^Pulled {4}[0-9a-f]{12} application\/vnd\.oci\.image\.manifest\.v1\+json$/m,
    );
    const target = `${e2e.host}/words-restored:v1`;
    const restore = await e2e.box.ok([
      'restore',
      '--no-tty',
      '--plain-http',
      '--input',
      'words-backup',
      target,
    ]);
    expect(restore.stdout).toMatch(/^Pushing {3}[0-9a-f]{12} a\.txt$/m);
    expect(restore.stdout).toMatch(/^Pushed {4}[0-9a-f]{12} a\.txt$/m);
    const again = await e2e.box.ok([
      'restore',
      '--no-tty',
      '--plain-http',
      '--input',
      'words-backup',
      target,
    ]);
    expect(again.stdout).toMatch(
      /^Exists {4}[0-9a-f]{12} application\/vnd\.oci\.image\.manifest\.v1\+json$/m,
    );
  });
});
