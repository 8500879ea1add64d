/**
 * The flags of every command that talks to a registry: credentials, TLS, transport and config,
 * with an optional `from-`/`to-` prefix for the two ends of `cp`. Parsing only: the targets are
 * built from these options by `../targets.ts` when a command runs.
 */
import type { Options } from 'yargs';
import { CliError } from '../errors.js';
import { flagSet, type OptionGroup, type ParsedArgs, refuseTogether } from './flag-set.js';

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

/** Options of {@link remoteOptions}. */
export interface RemoteFlagsOptions {
  /** Add `--password-stdin` and `--identity-token-stdin` (not for the prefixed sets of `cp`). */
  readonly stdin?: boolean;
  /**
   * Add `--resolve` (default: yes); the prefixed sets of `cp` (`--from-resolve`, `--to-resolve`)
   * apply after the shared `--resolve`, {@link sharedResolve}.
   */
  readonly resolve?: boolean;
}

/** The remote flags of one end. */
export interface RemoteGroup extends OptionGroup<RemoteOptions> {
  /** Whether `--password-stdin` or `--identity-token-stdin` was given: stdin then holds a secret. */
  secretFromStdin(argv: ParsedArgs): boolean;
  /** The `-H/--header` values as given, unchecked. */
  headers(argv: ParsedArgs): readonly string[];
}

/** The `--resolve` of `cp`, whose rules apply to both ends before their own `--from-resolve`/`--to-resolve`. */
const SHARED_RESOLVE = flagSet({
  resolve: {
    type: 'string',
    array: true,
    describe:
      'base DNS rules formatted in `host:port:address[:address_port]` for --from-resolve and --to-resolve',
  },
});

/** The base `--resolve` of `cp`, shared by its two ends. */
export const sharedResolve = { flags: () => SHARED_RESOLVE.flags() };

/**
 * The remote flags with a prefix: credentials, TLS, transport and config. Parsing checks the
 * combinations oras refuses and warns on stderr about secrets given on the command line.
 */
export function remoteOptions(prefix: FlagPrefix = '', options: RemoteFlagsOptions = {}): RemoteGroup {
  const group = prefix === '' ? 'Remote Flags:' : `${prefix === 'from-' ? 'Source' : 'Destination'} Flags:`;
  const short = prefix === '';
  // oras's words for the two ends of `cp`
  const what = prefix === 'from-' ? 'source ' : prefix === 'to-' ? 'destination ' : '';
  const FLAGS = flagSet(
    {
      username: {
        ...(short ? { alias: 'u' } : {}),
        type: 'string',
        describe: `${what}registry username`,
        group,
      },
      password: {
        ...(short ? { alias: 'p' } : {}),
        type: 'string',
        describe: `${what}registry password or identity token`,
        group,
      },
      'identity-token': { type: 'string', describe: `${what}registry identity token`, group },
      insecure: {
        type: 'boolean',
        describe: `allow connections to ${what}SSL registry without certs`,
        group,
      },
      'plain-http': {
        type: 'boolean',
        describe: `allow insecure connections to ${what}registry without SSL check`,
        group,
      },
      'ca-file': {
        type: 'string',
        describe: `server certificate authority file for the remote ${what}registry`,
        group,
      },
      'cert-file': {
        type: 'string',
        describe: `client certificate file for the remote ${what}registry`,
        group,
      },
      'key-file': {
        type: 'string',
        describe: `client private key file for the remote ${what}registry`,
        group,
      },
      'registry-config': {
        ...(short ? { alias: 'c' } : {}),
        type: 'string',
        array: true,
        describe: `\`path\` of the authentication file for ${what}registry`,
        group,
      },
      header: {
        ...(short ? { alias: 'H' } : {}),
        type: 'string',
        array: true,
        describe: `add custom headers to ${what}requests`,
        group,
      },
      resolve: {
        type: 'string',
        array: true,
        describe: `customized DNS for ${what}registry, formatted in \`host:port:address[:address_port]\``,
        group,
      },
      'password-stdin': { type: 'boolean', describe: 'read password from stdin', group },
      'identity-token-stdin': { type: 'boolean', describe: 'read identity token from stdin', group },
    },
    prefix,
  );
  const withResolve = options.resolve ?? true;
  const withStdin = options.stdin ?? prefix === '';
  const secretFromStdin = (argv: ParsedArgs): boolean => {
    const flags = FLAGS.read(argv);
    return withStdin && (flags['password-stdin'] === true || flags['identity-token-stdin'] === true);
  };
  return {
    flags() {
      const left = new Set([
        ...(withResolve ? [] : ['resolve']),
        ...(withStdin ? [] : ['password-stdin', 'identity-token-stdin']),
      ]);
      const flags: Record<string, Options> = {};
      for (const [name, definition] of Object.entries(FLAGS.definitions))
        if (!left.has(name)) flags[`${prefix}${name}`] = definition;
      return flags;
    },
    secretFromStdin,
    headers: (argv) => FLAGS.read(argv).header,
    parse(argv, ctx) {
      const flags = FLAGS.read(argv);
      const { password, username, 'identity-token': identityToken } = flags;
      const passwordStdin = withStdin && flags['password-stdin'] === true;
      const identityTokenStdin = withStdin && flags['identity-token-stdin'] === true;
      const certFile = flags['cert-file'];
      const keyFile = flags['key-file'];
      const caFile = flags['ca-file'];
      const p = `--${prefix}`;
      // oras's Remote.Parse: the username and the password each exclude an identity token, the
      // stdin flags (unprefixed, where the command has them) last in each list
      refuseTogether([
        [`${prefix}username`, username !== undefined],
        [`${prefix}identity-token`, identityToken !== undefined],
        ['identity-token-stdin', identityTokenStdin],
      ]);
      refuseTogether([
        [`${prefix}password`, password !== undefined],
        [`${prefix}identity-token`, identityToken !== undefined],
        ['identity-token-stdin', identityTokenStdin],
        ['password-stdin', passwordStdin],
      ]);
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
      // As in oras, a later rule for the same host:port wins (its dialer keeps one address per
      // host:port, the per-side rules of cp applied after the shared --resolve); the transport
      // takes the first rule that matches, so the latest comes first.
      const resolve = [
        ...(prefix === '' ? [] : SHARED_RESOLVE.read(argv).resolve),
        ...flags.resolve,
      ].reverse();
      return {
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(identityToken !== undefined ? { identityToken } : {}),
        passwordStdin,
        identityTokenStdin,
        insecure: flags.insecure === true,
        plainHttp: flags['plain-http'],
        ...(caFile !== undefined ? { caFile } : {}),
        ...(certFile !== undefined ? { certFile } : {}),
        ...(keyFile !== undefined ? { keyFile } : {}),
        registryConfig: flags['registry-config'],
        resolve,
        headers: parseHeaders(flags.header),
      };
    },
  };
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
