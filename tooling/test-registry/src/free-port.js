// Plain ESM JavaScript (typed by free-port.d.ts) so that node can run it without a build step.
import { createServer } from 'node:net';

/** The address every test server listens on. */
export const LOOPBACK = '127.0.0.1';

/** @param {string} [host] @returns {Promise<number>} */
export function findFreePort(host = LOOPBACK) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error(`${host}: no free port found`))));
    });
  });
}
