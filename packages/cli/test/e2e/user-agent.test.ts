/**
 * Every request the CLI sends, push and pull alike, names the client: `User-Agent: oras-ts/<version>`.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
import { withTestRegistry } from './fixture.js';

const e2e = withTestRegistry();

describe('user agent', () => {
  it('is oras-ts/<version> on every request of a push and a pull', async () => {
    await writeFile(join(e2e.box.dir, 'a.txt'), 'agent');
    await e2e.box.ok(['push', '--plain-http', `${e2e.registry.host}/ua:v1`, 'a.txt']);
    await e2e.box.ok(['pull', '--plain-http', `${e2e.registry.host}/ua:v1`, '-o', 'out']);
    const agents = new Set(e2e.registry.requests.map((r) => r.headers['user-agent']));
    expect(e2e.registry.requests.length).toBeGreaterThan(3);
    expect([...agents]).toEqual([`oras-ts/${version}`]);
  });
});
