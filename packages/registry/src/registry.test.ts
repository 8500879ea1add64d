/** `RemoteRegistry`: ping and the catalog. */
import { beforeEach, describe, expect, it } from 'vitest';
import { PlainClient } from './http.js';
import { RemoteRegistry } from './registry.js';
import { collect, descOf, enc, useRepositoryFixture } from './test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('registry', () => {
  beforeEach(() => setup());

  it('lists the catalog and pings through RemoteRegistry', async () => {
    const data = enc.encode('x');
    for (const name of ['one/a', 'two/b', 'three/c'])
      await repo({}, name).push(descOf('application/octet-stream', data), data);
    const reg = new RemoteRegistry({
      registry: fx.registry.host,
      client: new PlainClient({ dispatcher: fx.dispatcher }),
      repositoryListPageSize: 2,
    });
    await reg.ping();
    expect(await collect(reg.repositories())).toEqual(['one/a', 'three/c', 'two/b']);
    expect(await collect(reg.repositories({ last: 'one/a' }))).toEqual(['three/c', 'two/b']);
    expect(await reg.repository('one/a').exists(descOf('application/octet-stream', data))).toBe(true);
  });
});
