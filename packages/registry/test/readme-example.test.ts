/**
 * The README's example is this folder's `readme-example.ts`, word for word; it runs here against
 * the real docker-registry and the test registry.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { startTestRegistry, type TestRegistry } from '@oras-internal/test-registry';
import { pushAndPull } from './readme-example.js';

const here = (name: string) => new URL(name, import.meta.url);

describe('README example', () => {
  let distribution: Distribution;
  let testRegistry: TestRegistry;
  beforeAll(async () => {
    distribution = await startDistribution({ mode: 'plain' });
    testRegistry = await startTestRegistry();
  });
  afterAll(async () => {
    await distribution?.stop();
    await testRegistry?.close();
  });

  it('is the code in the README', () => {
    const readme = readFileSync(here('../README.md'), 'utf8');
    const example = readFileSync(here('./readme-example.ts'), 'utf8');
    const block = /<!-- example: test\/readme-example\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(example);
  });

  it('pushes and pulls an artifact on docker-registry and on the test registry', async () => {
    expect(await pushAndPull(`${distribution.host}/readme/hello`, 'hello, registry\n')).toBe(
      'hello, registry\n',
    );
    expect(await pushAndPull(`${testRegistry.host}/readme/hello`, 'hello again\n')).toBe('hello again\n');
  });
});
