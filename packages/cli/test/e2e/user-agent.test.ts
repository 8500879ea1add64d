/**
 * Every request the CLI sends, push and pull alike, names the client: `User-Agent: oras-ts/<version>`.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, sandbox } from '../../src/test-support/oras-process.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
let box: Sandbox;
let registry: TestRegistry;

beforeAll(async () => {
  box = await sandbox();
  registry = await startTestRegistry();
});

afterAll(async () => {
  await registry?.close();
  await box?.remove();
});

describe('user agent', () => {
  it('is oras-ts/<version> on every request of a push and a pull', async () => {
    await writeFile(join(box.dir, 'a.txt'), 'agent');
    await box.ok(['push', '--plain-http', `${registry.host}/ua:v1`, 'a.txt']);
    await box.ok(['pull', '--plain-http', `${registry.host}/ua:v1`, '-o', 'out']);
    const agents = new Set(registry.requests.map((r) => r.headers['user-agent']));
    expect(registry.requests.length).toBeGreaterThan(3);
    expect([...agents]).toEqual([`oras-ts/${version}`]);
  });
});
