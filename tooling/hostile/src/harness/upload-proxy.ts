/**
 * A TCP proxy on 127.0.0.1 that counts what the client sends and resets a connection once it has
 * sent a given number of bytes: the upload-side twin of `@oras-internal/fault-proxy` (which cuts
 * on the bytes coming back), for pushes whose connection drops in the middle of a blob.
 */
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';

/** What the proxy does to the next connections. */
export interface UploadCutPlan {
  /** Reset a connection once the client has sent this many bytes on it. */
  readonly cutAfterBytes?: number;
  /** How many connections the cut applies to (default all). */
  readonly times?: number;
}

/** A running upload-cutting proxy. */
export interface UploadProxy {
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Bytes clients have sent through the proxy so far, over every connection. */
  readonly uploadedBytes: number;
  /** Connections cut so far. */
  readonly cuts: number;
  setPlan(plan: UploadCutPlan): void;
  close(): Promise<void>;
}

/** Starts a proxy to `upstream` on a free port. */
export async function startUploadProxy(
  upstream: { readonly host: string; readonly port: number },
  initial: UploadCutPlan = {},
): Promise<UploadProxy> {
  let plan = initial;
  let remaining = plan.times ?? Number.POSITIVE_INFINITY;
  let uploadedBytes = 0;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = createServer((client) => {
    track(client);
    const cutAt = plan.cutAfterBytes;
    let armed = cutAt !== undefined;
    const server = connect(upstream.port, upstream.host);
    track(server);
    let sent = 0;
    const forward = (chunk: Buffer) => {
      sent += chunk.length;
      uploadedBytes += chunk.length;
      if (!server.write(chunk)) {
        client.pause();
        server.once('drain', () => client.resume());
      }
    };
    client.on('data', (chunk: Buffer) => {
      if (armed && cutAt !== undefined && sent + chunk.length >= cutAt) {
        armed = false;
        // the budget is checked when the cut is due, not when the connection opens: concurrent
        // uploads would otherwise all be armed by one budget of `times`
        if (remaining <= 0) {
          forward(chunk);
          return;
        }
        remaining--;
        cuts++;
        const keep = cutAt - sent;
        uploadedBytes += keep;
        server.write(chunk.subarray(0, keep), () => {
          client.resetAndDestroy();
          server.destroy();
        });
        return;
      }
      forward(chunk);
    });
    server.pipe(client);
    client.on('end', () => server.end());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host: `127.0.0.1:${port}`,
    get uploadedBytes() {
      return uploadedBytes;
    },
    get cuts() {
      return cuts;
    },
    setPlan(next) {
      plan = next;
      remaining = next.times ?? Number.POSITIVE_INFINITY;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
