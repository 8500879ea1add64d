/**
 * `oras pull -t/--media-type` (the early ORAS syntax) as a user runs it: only the layers of those
 * types are written, and a type that matches nothing says so (oras's "Downloaded empty artifact",
 * and a warning naming the type) instead of a silent success.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDistribution } from '../../../test/e2e/fixture.js';

const e2e = withDistribution({ files: { 'a.txt': 'a\n', 'b.md': 'b\n' } });

describe('oras pull -t', () => {
  it('writes only the layers of the type, and says so when none has it', async () => {
    const ref = `${e2e.host}/typed:v1`;
    await e2e.box.ok(['push', '--plain-http', ref, 'a.txt:text/plain', 'b.md:text/markdown']);

    const some = await e2e.box.ok(['pull', '--plain-http', '-t', 'text/markdown', '-o', 'some', ref]);
    expect(some.stderr).toBe('');
    expect(readdirSync(join(e2e.box.dir, 'some'))).toEqual(['b.md']);
    expect(some.stdout).not.toContain('Downloaded empty artifact');

    const none = await e2e.box.run(['pull', '--plain-http', '-t', 'application/x-none', '-o', 'none', ref]);
    expect(none.code).toBe(0);
    expect(none.stderr).toBe(
      'Warning: no layer with a file name has the media type "application/x-none": nothing was pulled\n',
    );
    expect(none.stdout).toContain(`Downloaded empty artifact\nPulled [registry] ${ref}\nDigest: sha256:`);
    expect(existsSync(join(e2e.box.dir, 'none')) ? readdirSync(join(e2e.box.dir, 'none')) : []).toEqual([]);

    const json = await e2e.box.run([
      'pull',
      '--plain-http',
      '-t',
      'application/x-none',
      '--format',
      'json',
      ref,
    ]);
    expect(json.code).toBe(0);
    expect(json.stderr).toContain(
      'Warning: no layer with a file name has the media type "application/x-none"',
    );
    expect(JSON.parse(json.stdout).files).toEqual([]);
  });
});
