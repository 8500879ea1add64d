/**
 * A proxy on loopback for tests: a forward proxy for `http://` requests (absolute-form request
 * lines) and a `CONNECT` tunnel for `https://` ones, with optional Basic proxy auth. Host names
 * are resolved through `hosts` (`registry.test` -> `127.0.0.1`), so a test can use a name that
 * is not loopback (which clients never proxy) and still reach a registry on 127.0.0.1: a request
 * that bypasses the proxy cannot resolve the name at all.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** One request the proxy saw. */
export interface ProxiedRequest {
  /** `CONNECT` or the forwarded method. */
  readonly method: string;
  /** `host:port` for `CONNECT`, the absolute URL otherwise. */
  readonly target: string;
  /** The `Proxy-Authorization` header as received. */
  readonly proxyAuthorization: string | undefined;
}

/** A running test proxy. */
export interface TestProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Every request, in order. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Options of {@link startTestProxy}. */
export interface TestProxyOptions {
  /** Names the proxy resolves itself (to loopback addresses); other names are refused (502). */
  readonly hosts: Readonly<Record<string, string>>;
  /** Basic credentials the proxy requires (407 without them). */
  readonly auth?: { readonly username: string; readonly password: string };
}

/** Starts a forward and `CONNECT` proxy on 127.0.0.1 with a free port. */
export async function startTestProxy(options: TestProxyOptions): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const expected =
    options.auth === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  const sockets = new Set<Socket>();
  const resolve = (host: string): string | undefined => options.hosts[host.toLowerCase()];

  const server: Server = createServer((req, res) => {
    const proxyAuthorization = req.headers['proxy-authorization'];
    requests.push({ method: req.method ?? '', target: req.url ?? '', proxyAuthorization });
    if (expected !== undefined && proxyAuthorization !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const address = resolve(target.hostname);
    if (address === undefined) {
      res.writeHead(502).end(`cannot resolve ${target.hostname}`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: address,
        port: Number(target.port) || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const proxyAuthorization = req.headers['proxy-authorization'];
    requests.push({ method: 'CONNECT', target: req.url ?? '', proxyAuthorization });
    if (expected !== undefined && proxyAuthorization !== expected) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\n\r\n',
      );
      return;
    }
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const address = resolve(host);
    if (address === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
