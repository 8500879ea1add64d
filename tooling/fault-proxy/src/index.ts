/**
 * A TCP proxy for fault-injection tests: it forwards bytes between a client and one upstream on
 * loopback, and cuts, stalls or refuses connections when told to.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** What the proxy does to the next connections. Every field is optional; none means "forward". */
export interface FaultPlan {
  /** Reset the connection once this many bytes have gone from the upstream to the client. */
  readonly cutAfterBytes?: number;
  /** Stop forwarding upstream bytes for `stallMs` once this many have gone to the client. */
  readonly stallAfterBytes?: number;
  /** How long a stall lasts (default: until the connection is closed by someone else). */
  readonly stallMs?: number;
  /** Reset new connections as soon as they are accepted. */
  readonly refuse?: boolean;
  /** How many connections the plan applies to before the proxy forwards normally (default: all). */
  readonly times?: number;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward to. */
  readonly upstream: { readonly host: string; readonly port: number };
  /** The plan in force from the start. */
  readonly faults?: FaultPlan;
}

/** A running proxy. */
export interface FaultProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections the plan has cut, stalled or refused so far. */
  readonly faulted: number;
  /** Replaces the plan for the connections that come next. */
  setFaults(plan: FaultPlan): void;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 with a free port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let plan: FaultPlan = options.faults ?? {};
  let remaining = plan.times ?? Number.POSITIVE_INFINITY;
  let connections = 0;
  let faulted = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };

  const server: Server = createServer((client) => {
    connections++;
    track(client);
    const active =
      remaining > 0 &&
      (plan.refuse || plan.cutAfterBytes !== undefined || plan.stallAfterBytes !== undefined);
    const current = active ? plan : {};
    if (active) {
      remaining--;
      faulted++;
    }
    if (current.refuse) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(options.upstream.port, options.upstream.host);
    track(upstream);
    client.pipe(upstream);
    let sent = 0;
    let stalled = false;
    /** Bytes held back by a stall, until it ends (never, for a stall for good). */
    let holding = false;
    let upstreamEnded = false;
    upstream.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (current.cutAfterBytes !== undefined && sent + data.length >= current.cutAfterBytes) {
        const keep = Math.max(0, current.cutAfterBytes - sent);
        client.write(data.subarray(0, keep), () => {
          client.resetAndDestroy();
          upstream.destroy();
        });
        sent += keep;
        upstream.pause();
        return;
      }
      if (
        !stalled &&
        current.stallAfterBytes !== undefined &&
        sent + data.length >= current.stallAfterBytes
      ) {
        stalled = true;
        const keep = Math.max(0, current.stallAfterBytes - sent);
        client.write(data.subarray(0, keep));
        sent += keep;
        data = data.subarray(keep);
        upstream.pause();
        holding = true;
        if (current.stallMs !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            holding = false;
            if (client.destroyed) return;
            client.write(data);
            sent += data.length;
            if (upstreamEnded) client.end();
            else upstream.resume();
          }, current.stallMs);
          timers.add(timer);
        }
        return;
      }
      sent += data.length;
      if (!client.write(data)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => {
      upstreamEnded = true;
      // a stalled client keeps waiting, even when the registry has closed its side meanwhile
      if (!holding) client.end();
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    host: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    get faulted() {
      return faulted;
    },
    setFaults(next: FaultPlan) {
      plan = next;
      remaining = next.times ?? Number.POSITIVE_INFINITY;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
