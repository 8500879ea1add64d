/**
 * A TCP proxy for fault-injection tests: it forwards bytes between a client and one upstream on
 * loopback, and cuts, stalls or refuses connections when told to, on the bytes coming back from
 * the upstream (downloads) or on the bytes the client sends (uploads).
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * What the proxy does to the next connections. Every field is optional; none means "forward".
 *
 * A plan is either about connections (`refuse`, `cutAfterBytes`, `stallAfterBytes`) or about
 * uploads (`cutUploadAfterBytes`), never both: `times` counts connections in the first case and
 * cuts in the second, so one plan holding both would leave it meaning two things.
 * {@link FaultProxy.setFaults} and {@link startFaultProxy} throw a `TypeError` on such a plan.
 */
export interface FaultPlan {
  /** Reset the connection once this many bytes have gone from the upstream to the client. */
  readonly cutAfterBytes?: number;
  /** Stop forwarding upstream bytes for `stallMs` once this many have gone to the client. */
  readonly stallAfterBytes?: number;
  /** How long a stall lasts (default: until the connection is closed by someone else). */
  readonly stallMs?: number;
  /** Reset new connections as soon as they are accepted. */
  readonly refuse?: boolean;
  /**
   * Reset the connection once this many bytes have gone from the client to the upstream: the
   * upstream receives exactly this many bytes on it, the client sees a reset. Every connection
   * opened while the plan is in force may be cut, but only while the plan's `times` lasts.
   */
  readonly cutUploadAfterBytes?: number;
  /**
   * How many times the plan applies before the proxy forwards normally (default: always).
   *
   * For `refuse`, `cutAfterBytes` and `stallAfterBytes` it counts connections, spent as each one
   * is accepted. For `cutUploadAfterBytes` it counts cuts, spent only when a connection reaches
   * the limit: concurrent uploads open several connections at once, some of which never send
   * that much, and `times: 1` must cut exactly one upload, the first to get there.
   */
  readonly times?: number;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Where to forward to. */
  readonly upstream: { readonly host: string; readonly port: number };
  /** The plan in force from the start. */
  readonly faults?: FaultPlan;
  /**
   * Rename the `Range` header of every request to `X-Rng` (same length) on its way upstream, on
   * every connection, whatever the plan: the upstream then answers a resume with `200` and the
   * whole body, as a server or proxy that does not support ranges does. Only a header within one
   * received chunk is seen (a request head arrives whole on loopback); {@link FaultProxy.rangeRequests}
   * counts them, so a test can tell that it happened.
   */
  readonly dropRange?: boolean;
}

/** A running proxy. */
export interface FaultProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /**
   * Connections the plan has cut, stalled or refused so far. A connection under a `refuse`,
   * `cutAfterBytes` or `stallAfterBytes` plan counts as it is accepted (even when its response
   * turns out shorter than the limit); under `cutUploadAfterBytes` it counts only once it is cut,
   * so it then equals {@link FaultProxy.uploadCuts}.
   */
  readonly faulted: number;
  /** Connections reset by `cutUploadAfterBytes` so far. */
  readonly uploadCuts: number;
  /**
   * Requests with a `Range` header (a resume, say) sent upstream so far, renamed or not
   * ({@link FaultProxyOptions.dropRange}); only a header within one received chunk is seen.
   */
  readonly rangeRequests: number;
  /**
   * Bytes forwarded from clients to the upstream so far, over every connection (the part of a
   * chunk that went through before an upload cut included, the rest not).
   */
  readonly uploadedBytes: number;
  /**
   * Replaces the plan, with a fresh `times`, for the connections that come next. Connections
   * already open keep the plan they were accepted under, and an upload cut on one of them spends
   * that plan's `times`, not the new one's. Throws a `TypeError` on a plan that mixes
   * `cutUploadAfterBytes` with the other faults (see {@link FaultPlan}).
   */
  setFaults(plan: FaultPlan): void;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/**
 * The start of a `Range` header line (never the request line), spelt `Range:` or `range:` as Node
 * and undici send it.
 */
const RANGE_LINE = /\r\n[Rr]ange:/g;
/** What both spellings end with, looked for before anything else. */
const HEADER_TAIL = Buffer.from('ange:', 'latin1');

/**
 * How many `Range` headers `chunk` holds, and the chunk to send on: with each of them renamed to
 * `X-Rng` when `rename`, else (or when there is none) the chunk itself. Read as latin1, which maps
 * each byte to one character and back.
 */
function rangeHeaders(chunk: Buffer, rename: boolean): { data: Buffer; found: number } {
  // an upload body rarely holds even this much of the header: most chunks stop here, without
  // being copied into a string
  if (!chunk.includes(HEADER_TAIL)) return { data: chunk, found: 0 };
  const text = chunk.toString('latin1');
  const found = text.match(RANGE_LINE)?.length ?? 0;
  if (found === 0 || !rename) return { data: chunk, found };
  return { data: Buffer.from(text.replace(RANGE_LINE, '\r\nx-rng:'), 'latin1'), found };
}

/** A plan and what is left of its `times`, shared by every connection accepted under it. */
interface Budget {
  readonly plan: FaultPlan;
  remaining: number;
}

/** The plan with a fresh budget, once it is known not to mix connection and upload faults. */
function budgetFor(plan: FaultPlan): Budget {
  const connectionFault =
    plan.refuse === true || plan.cutAfterBytes !== undefined || plan.stallAfterBytes !== undefined;
  if (connectionFault && plan.cutUploadAfterBytes !== undefined) {
    throw new TypeError(
      'a fault plan with cutUploadAfterBytes cannot also refuse, cut or stall: times would count both cuts and connections',
    );
  }
  return { plan, remaining: plan.times ?? Number.POSITIVE_INFINITY };
}

/** Starts a proxy on 127.0.0.1 with a free port. Throws a `TypeError` on a mixed plan. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let budget = budgetFor(options.faults ?? {});
  let connections = 0;
  let faulted = 0;
  let uploadCuts = 0;
  let uploadedBytes = 0;
  let rangeRequests = 0;
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
    // the budget in force now: an upload cut on this connection spends it, even after setFaults
    const accepted = budget;
    const { plan } = accepted;
    const active =
      accepted.remaining > 0 &&
      (plan.refuse || plan.cutAfterBytes !== undefined || plan.stallAfterBytes !== undefined);
    const current = active ? plan : {};
    if (active) {
      accepted.remaining--;
      faulted++;
    }
    if (current.refuse) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(options.upstream.port, options.upstream.host);
    track(upstream);

    // client -> upstream, by hand rather than with pipe() so that bytes can be counted and cut
    let uploaded = 0;
    /** Where this connection is to be cut; undefined once it no longer can be. */
    let uploadCutAt = plan.cutUploadAfterBytes;
    let uploadCut = false;
    const cutUpload = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('data', (received: Buffer) => {
      // chunks already read when the cut was decided must not reach the upstream after it
      if (uploadCut) return;
      const { data: chunk, found } = rangeHeaders(received, options.dropRange === true);
      rangeRequests += found;
      if (uploadCutAt !== undefined && uploaded + chunk.length >= uploadCutAt) {
        const keep = uploadCutAt - uploaded;
        uploadCutAt = undefined;
        // the budget is spent here, when the cut is due, not when the connection opens
        if (accepted.remaining > 0) {
          accepted.remaining--;
          faulted++;
          uploadCuts++;
          uploadCut = true;
          client.pause();
          uploaded += keep;
          uploadedBytes += keep;
          // reset only once the kept bytes have left for the upstream, so it gets exactly those
          if (keep === 0) cutUpload();
          else upstream.write(chunk.subarray(0, keep), cutUpload);
          return;
        }
      }
      uploaded += chunk.length;
      uploadedBytes += chunk.length;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => upstream.end());

    // upstream -> client
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
    get uploadCuts() {
      return uploadCuts;
    },
    get uploadedBytes() {
      return uploadedBytes;
    },
    get rangeRequests() {
      return rangeRequests;
    },
    setFaults(next: FaultPlan) {
      budget = budgetFor(next);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
