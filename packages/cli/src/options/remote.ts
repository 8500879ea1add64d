/**
 * The flags of every command that talks to a registry: credentials, TLS, transport and config,
 * with an optional `from-`/`to-` prefix for the two ends of `cp`. Parsing only: the targets are
 * built from these options by `../targets.ts` when a command runs.
 */
import type { Options } from 'yargs';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';

/** The prefix of a flag set: none, or one end of `cp`. */
export type FlagPrefix = '' | 'from-' | 'to-';

/** The parsed remote flags of one end. */
export interface RemoteOptions {
  /** `-u/--username`. */
  readonly username?: string;
  /** `-p/--password`, or the secret read by `--password-stdin`. */
  readonly password?: string;
  /** `--identity-token`, or the token read by `--identity-token-stdin`. */
  readonly identityToken?: string;
  /** `--password-stdin` was given: the password is to be read from stdin. */
  readonly passwordStdin: boolean;
  /** `--identity-token-stdin` was given: the token is to be read from stdin. */
  readonly identityTokenStdin: boolean;
  /** `--insecure`: skip TLS verification. */
  readonly insecure: boolean;
  /** `--plain-http` as given; `undefined` means "plain HTTP for localhost only". */
  readonly plainHttp: boolean | undefined;
  /** `--ca-file`. */
  readonly caFile?: string;
  /** `--cert-file` (with `keyFile`). */
  readonly certFile?: string;
  /** `--key-file` (with `certFile`). */
  readonly keyFile?: string;
  /** `--registry-config` paths, the first receiving writes. */
  readonly registryConfig: readonly string[];
  /** `--resolve host:port:address[:port]` rules. */
  readonly resolve: readonly string[];
  /** `-H/--header` values by header name (lower case), in the order given. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
}

/** Options of {@link remoteFlags}. */
export interface RemoteFlagsOptions {
  /** Add `--password-stdin` and `--identity-token-stdin` (not for the prefixed sets of `cp`). */
  readonly stdin?: boolean;
  /** Add `--resolve` (the prefixed sets of `cp` share the unprefixed one). */
  readonly resolve?: boolean;
}

function flag(prefix: FlagPrefix, name: string): string {
  return `${prefix}${name}`;
}

/** The yargs definitions of the remote flags with a prefix. */
export function remoteFlags(
  prefix: FlagPrefix = '',
  options: RemoteFlagsOptions = {},
): Record<string, Options> {
  const group = prefix === '' ? 'Remote Flags:' : `${prefix === 'from-' ? 'Source' : 'Destination'} Flags:`;
  const short = prefix === '';
  const what = prefix === 'from-' ? 'source ' : prefix === 'to-' ? 'target ' : '';
  const flags: Record<string, Options> = {
    [flag(prefix, 'username')]: {
      ...(short ? { alias: 'u' } : {}),
      type: 'string',
      describe: `${what}registry username`,
      group,
    },
    [flag(prefix, 'password')]: {
      ...(short ? { alias: 'p' } : {}),
      type: 'string',
      describe: `${what}registry password or identity token`,
      group,
    },
    [flag(prefix, 'identity-token')]: { type: 'string', describe: `${what}registry identity token`, group },
    [flag(prefix, 'insecure')]: {
      type: 'boolean',
      describe: `allow connections to ${what}SSL registry without certs`,
      group,
    },
    [flag(prefix, 'plain-http')]: {
      type: 'boolean',
      describe: `allow insecure connections to ${what}registry without SSL check (default for localhost)`,
      group,
    },
    [flag(prefix, 'ca-file')]: {
      type: 'string',
      describe: `${what}server certificate authority file`,
      group,
    },
    [flag(prefix, 'cert-file')]: {
      type: 'string',
      describe: `[Preview] client certificate file for the ${what}remote registry`,
      group,
    },
    [flag(prefix, 'key-file')]: {
      type: 'string',
      describe: `[Preview] client private key file for the ${what}remote registry`,
      group,
    },
    [flag(prefix, 'registry-config')]: {
      ...(short ? { alias: 'c' } : {}),
      type: 'string',
      array: true,
      describe: `[Preview] ${what}registry authentication config path (repeatable; the first receives writes)`,
      group,
    },
    [flag(prefix, 'header')]: {
      ...(short ? { alias: 'H' } : {}),
      type: 'string',
      array: true,
      describe: `add custom headers to ${what}requests ("name: value", repeatable)`,
      group,
    },
  };
  if (options.resolve ?? prefix === '') {
    flags[flag(prefix, 'resolve')] = {
      type: 'string',
      array: true,
      describe: '[Preview] customized DNS for registry, formatted in `host:port:address[:address_port]`',
      group,
    };
  }
  if (options.stdin ?? prefix === '') {
    flags['password-stdin'] = { type: 'boolean', describe: 'read password from stdin', group };
    flags['identity-token-stdin'] = { type: 'boolean', describe: 'read identity token from stdin', group };
  }
  return flags;
}

function str(argv: Record<string, unknown>, key: string): string | undefined {
  const v = argv[key];
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function list(argv: Record<string, unknown>, key: string): string[] {
  const v = argv[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Parses `-H` values: `name: value` (or `name:value`), an empty name being an error. */
export function parseHeaders(values: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const h of values) {
    const i = h.indexOf(':');
    const name = i < 0 ? '' : h.slice(0, i).trim();
    if (i < 0 || name === '') throw new CliError(`invalid header: "${h}"`, { hint: 'use "name: value"' });
    const key = name.toLowerCase();
    headers[key] = [...(headers[key] ?? []), h.slice(i + 1).trim()];
  }
  return headers;
}

/**
 * Reads one end's remote flags, checking the combinations oras refuses and warning on stderr
 * about secrets given on the command line.
 */
export function parseRemote(
  argv: Record<string, unknown>,
  ctx: CliContext,
  prefix: FlagPrefix = '',
): RemoteOptions {
  const password = str(argv, flag(prefix, 'password'));
  const identityToken = str(argv, flag(prefix, 'identity-token'));
  const username = str(argv, flag(prefix, 'username'));
  const passwordStdin = prefix === '' && argv['password-stdin'] === true;
  const identityTokenStdin = prefix === '' && argv['identity-token-stdin'] === true;
  const certFile = str(argv, flag(prefix, 'cert-file'));
  const keyFile = str(argv, flag(prefix, 'key-file'));
  const p = `--${prefix}`;
  if (password !== undefined && passwordStdin) {
    throw new CliError(`${p}password and --password-stdin cannot both be provided`);
  }
  if (identityToken !== undefined && identityTokenStdin) {
    throw new CliError(`${p}identity-token and --identity-token-stdin cannot both be provided`);
  }
  if (passwordStdin && identityTokenStdin) {
    throw new CliError('--password-stdin and --identity-token-stdin cannot both be provided');
  }
  if (username !== undefined && (identityToken !== undefined || identityTokenStdin)) {
    throw new CliError(`${p}username and ${p}identity-token cannot both be provided`);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new CliError(`${p}cert-file and ${p}key-file must both be provided`);
  }
  if (password !== undefined) {
    ctx.stderr.write(`WARNING! Using ${p}password via the CLI is insecure. Use --password-stdin.\n`);
  }
  if (identityToken !== undefined) {
    ctx.stderr.write(
      `WARNING! Using ${p}identity-token via the CLI is insecure. Use --identity-token-stdin.\n`,
    );
  }
  const plain = argv[flag(prefix, 'plain-http')];
  const resolve = [...list(argv, 'resolve'), ...(prefix === '' ? [] : list(argv, flag(prefix, 'resolve')))];
  return {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(identityToken !== undefined ? { identityToken } : {}),
    passwordStdin,
    identityTokenStdin,
    insecure: argv[flag(prefix, 'insecure')] === true,
    plainHttp: typeof plain === 'boolean' ? plain : undefined,
    ...(str(argv, flag(prefix, 'ca-file')) !== undefined
      ? { caFile: str(argv, flag(prefix, 'ca-file')) }
      : {}),
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    registryConfig: list(argv, flag(prefix, 'registry-config')),
    resolve,
    headers: parseHeaders(list(argv, flag(prefix, 'header'))),
  };
}

/** Whether plain HTTP is used for a registry host: the flag when given, else only for `localhost`. */
export function usePlainHttp(opts: RemoteOptions, host: string): boolean {
  if (opts.plainHttp !== undefined) return opts.plainHttp;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === 'localhost';
}

/** Reads a secret from a stream the way oras does: all of it, without a trailing `\n` or `\r\n`. */
export async function readSecret(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
    .replace(/\r$/, '');
}
