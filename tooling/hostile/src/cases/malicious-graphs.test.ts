/**
 * A lying registry (`startHostileServer`) that serves what no honest registry would: a 100 MiB
 * manifest, a million tags, endless pages, referrer graphs with a cycle or 10,000 levels, an index
 * that lists itself, a descriptor of 2^53 bytes, and `Link` and `Location` headers, blob redirects
 * and token realms that point to another origin or a private address. The built `oras` must end
 * each one in success or a clean refusal that names the reason, with bounded memory, without a
 * hang, and without a request to the origin it was pointed at.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type RawDescriptor,
  EMPTY_CONFIG,
  fileLayer,
  indexOf,
  manifestOf,
  sha256,
} from '../harness/craft.js';
import { useHostileServer, useSandbox } from '../harness/fixture.js';
import { type HostileRequest, serveContent } from '../harness/hostile-server.js';
import { cleanFailureProblems, eitherProblems, successProblems } from '../harness/outcome.js';
import { diffTrees, pathsOutside } from '../harness/tree.js';

const MiB = 1024 * 1024;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
/** Peak RSS allowed for any run here: the CLI's own footprint plus far less than what it is fed. */
const MEMORY_BOUND_KIB = 200 * 1024;

const box = useSandbox();
/** The lying registry; each case sets its handler. */
const server = useHostileServer(() => false);
/** An origin the lies point to, which must never be asked for anything. */
const elsewhere = useHostileServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"tags":["stolen"],"token":"stolen"}');
});

/** Content by digest (and tag), served honestly unless a case's handler answers first. */
function world() {
  const blobs = new Map<string, { mediaType: string; bytes: Uint8Array }>();
  const tags = new Map<string, string>();
  const add = (mediaType: string, bytes: Uint8Array, tag?: string): RawDescriptor => {
    const digest = sha256(bytes);
    blobs.set(digest, { mediaType, bytes });
    if (tag) tags.set(tag, digest);
    return { mediaType, digest, size: bytes.byteLength };
  };
  add(EMPTY_CONFIG.mediaType, Buffer.from('{}'));
  return { blobs, tags, add };
}

/** Streams `size` bytes of `{"a":"aaaa...` without holding them (a manifest that never ends). */
function streamHuge(res: ServerResponse, size: number, headers: Record<string, string>): void {
  res.writeHead(200, headers);
  const chunk = Buffer.alloc(MiB, 'a');
  let sent = 0;
  const pump = () => {
    while (sent < size) {
      const piece = sent === 0 ? Buffer.concat([Buffer.from('{"a":"'), chunk]).subarray(0, MiB) : chunk;
      sent += piece.byteLength;
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.on('error', () => {});
  pump();
}

async function run(args: readonly string[], timeoutMs = 30_000) {
  const before = await box.snapshot();
  const result = await box.run(args, { measureMemory: true, timeoutMs });
  const diff = diffTrees(before, await box.snapshot());
  const outside = pathsOutside(diff, ['out']).map((p) => `changed outside the output: ${p}`);
  return { result, outside };
}

function memoryProblems(peak: number | undefined): string[] {
  if (peak === undefined) return ['peak memory not measured'];
  return peak > MEMORY_BOUND_KIB ? [`peak RSS ${Math.round(peak / 1024)} MiB`] : [];
}

describe('sizes', () => {
  for (const [what, chunked] of [
    ['with a Content-Length', false],
    ['streamed without a length', true],
  ] as const) {
    it(`refuses a 100 MiB manifest ${what}, with bounded memory`, async () => {
      server.setHandler((req, res) => {
        if (serveContent(req, res, { blobs: new Map() })) return;
        if (/\/manifests\//.test(req.url.pathname)) {
          const headers: Record<string, string> = {
            'content-type': MANIFEST,
            'docker-content-digest': `sha256:${'ab'.repeat(32)}`,
          };
          if (!chunked) headers['content-length'] = String(100 * MiB);
          if (req.method === 'HEAD') {
            res.writeHead(200, { ...headers, 'content-length': String(100 * MiB) });
            res.end();
            return;
          }
          streamHuge(res, 100 * MiB, headers);
          return true;
        }
        return false;
      });
      const commands = [
        ['pull', `${server.host}/big/manifest:v1`, '-o', box.out, '--plain-http'],
        ['manifest', 'fetch', `${server.host}/big/manifest:v1`, '--plain-http'],
      ];
      for (const args of commands) {
        const { result, outside } = await run(args);
        expect(cleanFailureProblems(result, /size|limit|large|exceed|MiB|bytes/i)).toEqual([]);
        expect(memoryProblems(result.peakRssKiB)).toEqual([]);
        expect(outside).toEqual([]);
      }
    });
  }

  it('fails cleanly on a manifest cut mid-body by a registry that ignores Range', async () => {
    const bytes = manifestOf([], { annotations: { pad: 'p'.repeat(2000) } });
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return true;
      if (!/\/manifests\//.test(req.url.pathname)) return false;
      res.writeHead(200, { 'content-type': MANIFEST, 'content-length': String(bytes.length) });
      if (req.method === 'HEAD') res.end();
      else {
        // every answer starts from the first byte, whatever Range asked, and stops halfway
        res.write(bytes.subarray(0, bytes.length / 2));
        setTimeout(() => res.destroy(), 10);
      }
      return true;
    });
    for (const args of [
      ['pull', `${server.host}/cut/manifest:v1`, '-o', box.out, '--plain-http'],
      ['manifest', 'fetch', `${server.host}/cut/manifest:v1`, '--plain-http'],
    ]) {
      const { result, outside } = await run(args);
      expect(cleanFailureProblems(result, /connection broke .*cannot resume it/)).toEqual([]);
      expect(outside).toEqual([]);
    }
    expect(server.requests.filter((r) => r.headers.range !== undefined).length).toBeGreaterThan(0);
  });

  it('refuses a layer that claims 2^53 bytes without allocating it', async () => {
    const w = world();
    const layer = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: sha256('x'),
      size: 2 ** 53,
      annotations: { 'org.opencontainers.image.title': 'huge.bin' },
    };
    w.add('application/octet-stream', Buffer.from('x'));
    w.add(MANIFEST, manifestOf([layer]), 'v1');
    server.setHandler((req, res) => serveContent(req, res, w));
    const { result, outside } = await run([
      'pull',
      `${server.host}/big/size:v1`,
      '-o',
      box.out,
      '--plain-http',
    ]);
    expect(
      cleanFailureProblems(result, /size|invalid|integer|2\^53|9007199254740992|large|exceed|bytes/i),
    ).toEqual([]);
    expect(memoryProblems(result.peakRssKiB)).toEqual([]);
    expect(outside).toEqual([]);
    expect((await box.snapshot()).has('out/huge.bin')).toBe(false);
  });

  it('lists a million tags on one page without unbounded memory, or refuses naming the size', async () => {
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return;
      if (req.url.pathname.endsWith('/tags/list')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"name":"big/tags","tags":[');
        const batch = Array.from({ length: 1000 }, (_, i) => `"t${i}"`).join(',');
        for (let i = 0; i < 1000; i++) res.write(`${i === 0 ? '' : ','}${batch.replaceAll('"t', `"p${i}t`)}`);
        res.end(']}');
        return;
      }
      return false;
    });
    const { result, outside } = await run(['repo', 'tags', `${server.host}/big/tags`, '--plain-http']);
    expect(eitherProblems(result, /size|limit|large|exceed|MiB|bytes/i)).toEqual([]);
    expect(memoryProblems(result.peakRssKiB)).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('stops following a tag list that pages forever', async () => {
    let pages = 0;
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return;
      if (req.url.pathname.endsWith('/tags/list')) {
        pages++;
        const last = req.url.searchParams.get('last') ?? '';
        const tags = Array.from({ length: 100 }, (_, i) => `${last}x${i}`.slice(-100));
        res.writeHead(200, {
          'content-type': 'application/json',
          link: `</v2/big/pages/tags/list?n=100&last=${encodeURIComponent(tags[99]!)}>; rel="next"`,
        });
        res.end(JSON.stringify({ name: 'big/pages', tags }));
        return;
      }
      return false;
    });
    const { result, outside } = await run(
      ['repo', 'tags', `${server.host}/big/pages`, '--plain-http'],
      60_000,
    );
    expect(cleanFailureProblems(result, /page|limit|too many|exceed/i)).toEqual([]);
    expect(memoryProblems(result.peakRssKiB)).toEqual([]);
    expect(outside).toEqual([]);
    expect(pages).toBeLessThanOrEqual(10_000);
  });
});

describe('graphs', () => {
  /** A manifest whose subject is `subject`, distinct by `n`. */
  const referrer = (w: ReturnType<typeof world>, subject: RawDescriptor, n: number) =>
    w.add(
      MANIFEST,
      manifestOf([], { subject, annotations: { n: String(n) }, artifactType: 'application/vnd.hostile.ref' }),
    );

  /** Answers the referrers API from a map subject digest -> referrer descriptors. */
  const referrersOf = (graph: Map<string, RawDescriptor[]>) => (req: HostileRequest, res: ServerResponse) => {
    const match = /\/referrers\/([^/]+)$/.exec(req.url.pathname);
    if (!match) return false;
    const body = indexOf(graph.get(decodeURIComponent(match[1]!)) ?? []);
    res.writeHead(200, { 'content-type': INDEX, 'content-length': String(body.byteLength) });
    res.end(body);
    return true;
  };

  it('ends discovery of a referrers graph with a cycle', async () => {
    const w = world();
    const root = w.add(MANIFEST, manifestOf([]), 'v1');
    const a = referrer(w, root, 1);
    const b = referrer(w, a, 2);
    // the registry claims that the root and `a` also refer to `b`: a cycle
    const graph = new Map([
      [root.digest, [{ ...a, artifactType: 'application/vnd.hostile.ref' }]],
      [a.digest, [{ ...b, artifactType: 'application/vnd.hostile.ref' }]],
      [
        b.digest,
        [
          { ...root, artifactType: 'application/vnd.hostile.ref' },
          { ...a, artifactType: 'application/vnd.hostile.ref' },
        ],
      ],
    ]);
    const answer = referrersOf(graph);
    server.setHandler((req, res) => serveContent(req, res, w) || answer(req, res));
    for (const args of [
      ['discover', `${server.host}/graph/cycle:v1`, '--plain-http'],
      ['discover', `${server.host}/graph/cycle:v1`, '--plain-http', '--format', 'json'],
    ]) {
      const { result } = await run(args);
      expect(eitherProblems(result, /cycle|loop|depth/i)).toEqual([]);
      expect(memoryProblems(result.peakRssKiB)).toEqual([]);
    }
  });

  it('copies a referrers graph with a cycle and stops', async () => {
    const w = world();
    const root = w.add(MANIFEST, manifestOf([]), 'v1');
    const a = referrer(w, root, 1);
    // the registry claims that the root refers to `a` and `a` to the root: no node is a root
    const graph = new Map([
      [root.digest, [{ ...a, artifactType: 'application/vnd.hostile.ref' }]],
      [a.digest, [{ ...root, artifactType: 'application/vnd.hostile.ref' }]],
    ]);
    const answer = referrersOf(graph);
    server.setHandler((req, res) => serveContent(req, res, w) || answer(req, res));
    const { result, outside } = await run([
      'cp',
      '-r',
      `${server.host}/graph/cycle:v1`,
      '--to-oci-layout',
      `${box.out}/layout:v1`,
      '--from-plain-http',
    ]);
    // every node of the cycle is a root: both manifests are copied, and the tag is set
    expect(successProblems(result)).toEqual([]);
    expect(outside).toEqual([]);
    const layout = join(box.out, 'layout');
    for (const node of [root, a])
      expect(existsSync(join(layout, 'blobs', 'sha256', node.digest.slice(7)))).toBe(true);
    expect(readFileSync(join(layout, 'index.json'), 'utf8')).toContain(root.digest);
  });

  it('walks 10,000 levels of referrers without a stack overflow', async () => {
    const w = world();
    const root = w.add(MANIFEST, manifestOf([]), 'v1');
    const graph = new Map<string, RawDescriptor[]>();
    let subject = root;
    for (let level = 1; level <= 10_000; level++) {
      const next = referrer(w, subject, level);
      graph.set(subject.digest, [{ ...next, artifactType: 'application/vnd.hostile.ref' }]);
      subject = next;
    }
    const answer = referrersOf(graph);
    server.setHandler((req, res) => serveContent(req, res, w) || answer(req, res));
    const { result } = await run(
      ['discover', `${server.host}/graph/deep:v1`, '--plain-http', '--format', 'json'],
      90_000,
    );
    expect(eitherProblems(result, /depth|deep|limit/i)).toEqual([]);
    expect(memoryProblems(result.peakRssKiB)).toEqual([]);
  });

  it('refuses an index that lists itself (its child answers with the index again)', async () => {
    const w = world();
    // the child claims the index's own size, so only the digest can tell them apart
    let fake = { mediaType: INDEX, digest: `sha256:${'cd'.repeat(32)}`, size: 0 };
    let self = indexOf([fake]);
    while (fake.size !== self.byteLength) {
      fake = { ...fake, size: self.byteLength };
      self = indexOf([fake]);
    }
    const selfDesc = w.add(INDEX, self, 'v1');
    // every manifest request for the child digest gets the index itself
    server.setHandler((req, res) => {
      if (req.url.pathname.endsWith(`/manifests/${fake.digest}`)) {
        res.writeHead(200, {
          'content-type': INDEX,
          'content-length': String(self.byteLength),
          'docker-content-digest': fake.digest,
        });
        res.end(req.method === 'HEAD' ? undefined : self);
        return true;
      }
      return serveContent(req, res, w);
    });
    expect(selfDesc.digest).not.toBe(fake.digest);
    for (const args of [
      ['pull', `${server.host}/graph/self:v1`, '-o', box.out, '--plain-http'],
      ['cp', `${server.host}/graph/self:v1`, '--to-oci-layout', `${box.out}/layout:v1`, '--from-plain-http'],
    ]) {
      const { result, outside } = await run(args);
      expect(cleanFailureProblems(result, /digest/i)).toEqual([]);
      expect(outside).toEqual([]);
    }
  });
});

describe('headers and realms that point elsewhere', () => {
  it('refuses a Link header to another origin, and never asks it', async () => {
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return;
      if (req.url.pathname.endsWith('/tags/list')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          link: `<${elsewhere.url}/v2/a/b/tags/list?last=v1>; rel="next"`,
        });
        res.end('{"name":"a/b","tags":["v1"]}');
        return;
      }
      return false;
    });
    const { result } = await run(['repo', 'tags', `${server.host}/a/b`, '--plain-http']);
    expect(cleanFailureProblems(result, /origin|link|host/i)).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
    expect(result.stdout).not.toContain('stolen');
  });

  it('refuses a Link header to a private address without waiting on it', async () => {
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return;
      if (req.url.pathname.endsWith('/tags/list')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          link: '<http://169.254.169.254/latest/meta-data/?last=v1>; rel="next"',
        });
        res.end('{"name":"a/b","tags":["v1"]}');
        return;
      }
      return false;
    });
    const { result } = await run(['repo', 'tags', `${server.host}/a/b`, '--plain-http'], 20_000);
    expect(cleanFailureProblems(result, /origin|link|host|private/i)).toEqual([]);
  });

  it('refuses a blob redirect to the cloud metadata address at once, naming the reason', async () => {
    const w = world();
    const layer = fileLayer('file.txt', 'content\n');
    w.add(MANIFEST, manifestOf([layer.descriptor]), 'v1');
    server.setHandler((req, res) => {
      if (req.url.pathname.includes('/blobs/') && !req.url.pathname.endsWith(EMPTY_CONFIG.digest)) {
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' });
        res.end();
        return true;
      }
      return serveContent(req, res, w);
    });
    const { result, outside } = await run(
      ['pull', `${server.host}/a/b:v1`, '-o', box.out, '--plain-http'],
      20_000,
    );
    expect(cleanFailureProblems(result, /redirect|private|link-local|metadata|address|refused/i)).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('refuses an upload Location on another origin, and sends it nothing', async () => {
    await import('node:fs/promises').then((fs) => fs.writeFile(`${box.work}/a.txt`, 'hello'));
    server.setHandler((req, res) => {
      if (serveContent(req, res, { blobs: new Map() })) return;
      if (req.method === 'HEAD') return false;
      if (req.method === 'POST' && req.url.pathname.endsWith('/blobs/uploads/')) {
        res.writeHead(202, { location: `${elsewhere.url}/upload/here?_state=x`, 'content-length': '0' });
        res.end();
        return;
      }
      return false;
    });
    const { result } = await run([
      'push',
      `${server.host}/a/b:v1`,
      'a.txt',
      '--plain-http',
      '-u',
      'u',
      '-p',
      'location-secret-77',
    ]);
    expect(cleanFailureProblems(result, /location|origin|host/i)).toEqual([]);
    expect(elsewhere.requests).toEqual([]);
  });

  for (const realm of [
    'http://169.254.169.254/latest/meta-data/token',
    'http://10.11.12.13/token',
    // the red team's finds: shared address space (carrier NAT, overlay networks) and NAT64, whose
    // 64:ff9b::a9fe:a9fe a NAT64 gateway turns into 169.254.169.254
    'http://100.64.0.1/token',
    'http://[64:ff9b::a9fe:a9fe]/token',
    // 6to4 (2002::/16) and Teredo (2001::/32, the client's address with its bits flipped), both
    // carrying 169.254.169.254
    'http://[2002:a9fe:a9fe::1]/token',
    'http://[2001:0:4136:e378:8000:63bf:5601:5601]/token',
  ]) {
    it(`refuses a token realm on a private address (${realm}) without waiting on it`, async () => {
      server.setHandler((_req, res) => {
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="${realm}",service="s",scope="repository:a/b:pull"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}');
        return true;
      });
      const { result } = await run(
        ['manifest', 'fetch', `${server.host}/a/b:v1`, '--plain-http', '-u', 'u', '-p', 'realm-secret-42'],
        20_000,
      );
      expect(cleanFailureProblems(result, /realm.*(private|link-local|internal) address/i)).toEqual([]);
    });
  }

  it('accepts a token realm on 127.0.0.1 for a registry named localhost', async () => {
    // a false positive the red team found: a loopback realm for a loopback registry is no SSRF
    const w = world();
    const layer = fileLayer('file.txt', 'content\n');
    w.add(MANIFEST, manifestOf([layer.descriptor]), 'v1');
    server.setHandler((req, res) => {
      if (req.url.pathname === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"token":"localhost-token-61"}');
        return true;
      }
      if (req.headers.authorization !== 'Bearer localhost-token-61') {
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="http://127.0.0.1:${server.port}/token",service="s"`,
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"auth"}]}');
        return true;
      }
      return serveContent(req, res, w);
    });
    const { result } = await run(['manifest', 'fetch', `localhost:${server.port}/a/b:v1`, '--plain-http']);
    expect(successProblems(result)).toEqual([]);
    expect(result.stdout).toContain(layer.descriptor.digest);
    expect(server.requests.some((r) => r.url.pathname === '/token')).toBe(true);
  });
});
