import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { gzip, sha256, tarOf } from './craft.js';
import { type HostileServer, startHostileServer } from './hostile-server.js';
import { cleanFailureProblems, crashProblems, successProblems } from './outcome.js';
import { useFixture, useSandbox } from './fixture.js';
import { basicSecret, leaksInFiles, leaksInTexts, secret } from './secrets.js';
import { diffTrees, pathsOutside } from './tree.js';

describe('the harness', () => {
  const box = useSandbox({ files: { 'work/seeded.txt': 'seeded\n' } });

  it('writes tarballs that GNU tar reads entry by entry, hostile names included', async () => {
    const tar = tarOf([
      { name: 'd/', type: 'dir' },
      { name: 'd/a.txt', type: 'file', data: 'hello' },
      { name: 'd/../../x', type: 'file', data: 'evil' },
      { name: 'd/up', type: 'symlink', linkname: '../../..' },
      { name: 'd/hard', type: 'hardlink', linkname: '/etc/passwd' },
    ]);
    const path = join(box.tmp, 't.tar.gz');
    await writeFile(path, gzip(tar));
    const listing = execFileSync('tar', ['-tvPzf', path], { encoding: 'utf8' });
    expect(listing).toMatch(/d\/a\.txt/);
    expect(listing).toMatch(/d\/\.\.\/\.\.\/x/);
    expect(listing).toMatch(/d\/up -> \.\.\/\.\.\/\.\./);
    expect(listing).toMatch(/d\/hard link to \/etc\/passwd/);
    expect(sha256('{}')).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('sees every write in the sandbox, links and content changes included', async () => {
    await writeFile(join(box.out, 'kept'), 'same');
    await writeFile(join(box.outside, 'canary'), 'before');
    const before = await box.snapshot();
    await writeFile(join(box.outside, 'canary'), 'after!');
    await mkdir(join(box.out, 'new'));
    await symlink('/etc', join(box.root, 'escape'));
    const diff = diffTrees(before, await box.snapshot());
    expect(diff.changed).toEqual(['outside/canary']);
    expect(diff.added.sort()).toEqual(['escape', 'out/new']);
    expect(pathsOutside(diff, ['out'])).toEqual(['escape', 'outside/canary']);
  });

  it('finds secrets in raw, base64 and URL-encoded form, in texts and in files', async () => {
    const secrets = [secret('password', 'p@ss/word+1'), basicSecret('alice', 'hunter22')];
    const basic = Buffer.from('alice:hunter22').toString('base64');
    expect(
      leaksInTexts(secrets, {
        stdout: 'nothing here',
        stderr: `Authorization: Basic ${basic}`,
        trace: `GET /x?p=${encodeURIComponent('p@ss/word+1')}`,
      }),
    ).toEqual(['basic credential of alice in stderr', 'password in trace']);
    await writeFile(join(box.tmp, 'log'), `token ${Buffer.from('p@ss/word+1').toString('base64')}`);
    await writeFile(join(box.home, '.docker', 'config.json'), 'p@ss/word+1');
    const leaks = await leaksInFiles(secrets, box.root, await box.snapshot(), (p) =>
      p.endsWith('config.json'),
    );
    expect(leaks).toEqual(['password in file tmp/log']);
  });

  describe('the lying registry', () => {
    async function ask(server: HostileServer): Promise<string> {
      try {
        const response = await fetch(`${server.url}/v2/a/manifests/v1`);
        return `${response.status} ${await response.text()}`;
      } catch {
        return 'cut';
      }
    }

    it('answers 404 for what a handler leaves alone', async () => {
      const server = await startHostileServer(() => false);
      expect(await ask(server)).toMatch(/^404 .*NAME_UNKNOWN/);
      await server.close();
    });

    it('fails the case whose handler starts an answer and returns false, and leaves the answer whole', async () => {
      const server = await startHostileServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        setTimeout(() => res.end('whole'), 20);
        return false;
      });
      expect(await ask(server)).toBe('200 whole');
      await expect(server.close()).rejects.toThrow(
        /GET \/v2\/a\/manifests\/v1 returned false after starting/,
      );
    });

    it('fails the case whose handler throws', async () => {
      const server = await startHostileServer(() => {
        throw new Error('oops');
      });
      expect(await ask(server)).toBe('cut');
      await expect(server.close()).rejects.toThrow(/threw: oops/);
    });
  });

  describe('running oras', () => {
    let server: HostileServer;
    afterEach(async () => {
      await server?.close();
    });

    it('reports a hang as a timeout, never waits for it', async () => {
      server = await startHostileServer(() => new Promise(() => {}));
      const run = await box.run(['resolve', `${server.host}/a/b:v1`, '--plain-http'], { timeoutMs: 1500 });
      expect(run.timedOut).toBe(true);
      expect(successProblems(run)).toContain('it hung (timed out)');
    });

    it('tells a clean failure from a crash', async () => {
      const run = await box.run(['resolve', 'not a reference!!'], { measureMemory: true });
      expect(cleanFailureProblems(run, /invalid reference|reference/)).toEqual([]);
      expect(run.peakRssKiB).toBeGreaterThan(1000);
      const crash = { ...run, stderr: 'TypeError: x is undefined\n    at foo (file.js:1:2)\n' };
      expect(crashProblems(crash).length).toBeGreaterThan(0);
    });
  });
});

describe('the fixture', () => {
  const seen: string[] = [];
  const box = useSandbox({ files: { 'outside/canary': 'keep\n' } });
  const counter = useFixture(
    'counter',
    async () => {
      const value = { n: 0, bump: (): number => ++value.n };
      return value;
    },
    async (value) => {
      seen.push(`stopped at ${value.n}`);
    },
  );

  it('hands each case a fresh, seeded instance through the handle', async () => {
    expect(counter.bump()).toBe(1);
    expect(await readFile(join(box.outside, 'canary'), 'utf8')).toBe('keep\n');
    expect(existsSync(box.root)).toBe(true);
  });

  it('starts again for the next case, after stopping the last one', () => {
    expect(counter.n).toBe(0);
    expect(seen).toEqual(['stopped at 1']);
  });

  afterAll(() => {
    expect(() => counter.n).toThrow(/counter: used outside the cases/);
  });
});
