// Plain ESM JavaScript (typed by certificates.d.ts) so that node can run it without a build step.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** @param {string[]} args */
async function openssl(args) {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    const e = /** @type {{ stderr?: string, message: string }} */ (error);
    throw new Error(`openssl ${args[0]}: ${(e.stderr || e.message).trim()}`, { cause: error });
  }
}

/**
 * @param {string} dir
 * @param {{ hosts?: readonly string[] }} [options]
 */
export async function createTlsCertificates(dir, options = {}) {
  const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
  const caKeyFile = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.key');
  const csrFile = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const extFile = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKeyFile,
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=oras test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl([
    'req',
    ...ec,
    '-keyout',
    keyFile,
    '-out',
    csrFile,
    '-subj',
    `/CN=${hosts[0] ?? 'localhost'}`,
  ]);
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  await writeFile(
    extFile,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  await openssl([
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    caFile,
    '-CAkey',
    caKeyFile,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    extFile,
  ]);
  return {
    caFile,
    caPem: await readFile(caFile, 'utf8'),
    certFile,
    keyFile,
    certPem: await readFile(certFile, 'utf8'),
    keyPem: await readFile(keyFile, 'utf8'),
  };
}

/** @param {string} dir */
export async function createSigningCertificate(dir) {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=oras test token issuer',
  ]);
  return {
    certFile,
    keyFile,
    certPem: await readFile(certFile, 'utf8'),
    keyPem: await readFile(keyFile, 'utf8'),
  };
}
