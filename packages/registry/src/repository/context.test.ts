/** What every request shares: scheme, host, scopes, Accept, aborts, `Warning` headers. */
import { Readable } from 'node:stream';
import { AbortedError } from '@oras/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RegistryClient, RegistryRequest, RegistryResponse } from '../http.js';
import { RemoteRepository } from './remote-repository.js';
import { descOf, enc, INDEX, isA, useRepositoryFixture } from '../test-support/repository-fixture.js';

const fx = useRepositoryFixture();
const { repo, setup } = fx;

describe('warnings', () => {
  beforeEach(() => setup());

  it('surfaces a Warning header once per registry', async () => {
    fx.registry.fault = (req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(404, { warning: '299 - "this registry is deprecated"' });
        res.end();
        return true;
      }
      return false;
    };
    const seen: string[] = [];
    const handleWarning = (w: { text: string }) => seen.push(w.text);
    await repo({ handleWarning })
      .resolve('a')
      .catch(() => {});
    await repo({ handleWarning })
      .resolve('b')
      .catch(() => {});
    expect(seen).toEqual(['this registry is deprecated']);
  });
});

describe('requests', () => {
  function stub(statusCode = 404) {
    const seen: RegistryRequest[] = [];
    const client: RegistryClient = {
      async request(req) {
        seen.push(req);
        const body = Readable.from([]) as unknown as RegistryResponse['body'];
        (body as unknown as { dump: () => Promise<void> }).dump = async () => {};
        return { statusCode, headers: {}, body, url: new URL(String(req.url)) };
      },
    };
    return { client, seen };
  }

  it('uses plain HTTP for localhost only, unless told', async () => {
    const { client, seen } = stub();
    await new RemoteRepository({ reference: 'localhost:5000/a', client }).resolve('v1').catch(() => {});
    await new RemoteRepository({ reference: 'fx.registry.example/a', client }).resolve('v1').catch(() => {});
    await new RemoteRepository({ reference: 'fx.registry.example/a', client, plainHttp: true })
      .resolve('v1')
      .catch(() => {});
    expect(seen.map((r) => new URL(String(r.url)).protocol)).toEqual(['http:', 'https:', 'http:']);
  });

  it('maps docker.io to its API host', async () => {
    const { client, seen } = stub();
    await new RemoteRepository({ reference: 'docker.io/library/alpine', client })
      .resolve('3')
      .catch(() => {});
    expect(String(seen[0]?.url)).toBe('https://registry-1.docker.io/v2/library/alpine/manifests/3');
  });

  it('asks for pull, push and delete scopes as the request needs', async () => {
    const { client, seen } = stub();
    const r = new RemoteRepository({ reference: 'fx.registry.example/team/app', client });
    await r.resolve('v1').catch(() => {});
    await r.push(descOf('application/octet-stream', enc.encode('x')), enc.encode('x')).catch(() => {});
    await r.delete(descOf('application/octet-stream', enc.encode('x'))).catch(() => {});
    expect(seen.map((q) => `${q.method} ${q.scopes?.join(' ')}`)).toEqual([
      'HEAD repository:team/app:pull',
      'HEAD repository:team/app:pull',
      'POST repository:team/app:pull,push',
      'DELETE repository:team/app:delete',
    ]);
  });

  it('sends the manifestMediaTypes override as the Accept list', async () => {
    const { client, seen } = stub();
    await new RemoteRepository({ reference: 'fx.registry.example/a', client, manifestMediaTypes: [INDEX] })
      .resolve('v1')
      .catch(() => {});
    expect(seen[0]?.headers?.accept).toBe(INDEX);
  });

  it('rejects with AbortedError when the signal is aborted', async () => {
    const { client, seen } = stub();
    const controller = new AbortController();
    controller.abort();
    await expect(
      new RemoteRepository({ reference: 'fx.registry.example/a', client }).resolve('v1', {
        signal: controller.signal,
      }),
    ).rejects.toSatisfy(isA(AbortedError));
    expect(seen).toHaveLength(0);
  });
});
