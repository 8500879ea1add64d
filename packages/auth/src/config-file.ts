/**
 * The docker `config.json`: reading its `auths`, `credsStore` and `credHelpers`, and writing
 * `auths` back without disturbing anything else in the file.
 *
 * How the rest of the file survives a write: we parse it, change only the `auths` entry we own,
 * and serialize it the way it was written (docker writes tab-indented JSON with no final newline
 * and Go's HTML escaping of `<`, `>` and `&`), so the bytes of every other field come out as they
 * went in. The write goes to a temporary file in the same directory that is renamed over the
 * original, with mode 0600, so a crash leaves the old file or the new one, never half of one.
 *
 * @see https://docs.docker.com/reference/cli/docker/#docker-cli-configuration-file-configjson-properties
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Credential } from './credential.js';
import { CredentialsError } from './errors.js';

/** The file name docker keeps its configuration in. */
export const DOCKER_CONFIG_FILE = 'config.json';

/**
 * The default config path: `$DOCKER_CONFIG/config.json` when `DOCKER_CONFIG` is set, otherwise
 * `~/.docker/config.json`.
 */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG;
  return dir ? join(dir, DOCKER_CONFIG_FILE) : join(homedir(), '.docker', DOCKER_CONFIG_FILE);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** How the file was written, so that a write keeps it. */
interface Format {
  readonly indent: string;
  readonly newline: boolean;
  readonly htmlEscape: boolean;
}

const DOCKER_FORMAT: Format = { indent: '\t', newline: false, htmlEscape: true };

/** One docker config file, as read from disk. */
export class DockerConfigFile {
  private constructor(
    /** The path the file was read from (and is written to). */
    readonly path: string,
    private readonly content: JsonObject,
    private readonly format: Format,
  ) {}

  /** Reads `path`; a missing file reads as an empty config. */
  static async load(path: string): Promise<DockerConfigFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return new DockerConfigFile(path, {}, DOCKER_FORMAT);
      throw new CredentialsError(`${path}: cannot read config file`, { cause: err });
    }
    if (text.trim() === '') return new DockerConfigFile(path, {}, DOCKER_FORMAT);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // No cause: a parse error may quote the file's contents, secrets included.
      throw new CredentialsError(`${path}: config file is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CredentialsError(`${path}: config file is not a JSON object`);
    }
    return new DockerConfigFile(path, parsed as JsonObject, detectFormat(text));
  }

  /** The `credsStore` helper suffix, if set. */
  get credsStore(): string | undefined {
    const v = this.content.credsStore;
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  /**
   * The `credHelpers` helper suffix for `serverAddress`, if set. Keys are host names, as docker
   * writes them: Docker Hub's `https://index.docker.io/v1/` is looked up as `index.docker.io`.
   */
  credHelper(serverAddress: string): string | undefined {
    const helpers = this.content.credHelpers;
    if (!isObject(helpers)) return undefined;
    for (const key of [toHostname(serverAddress), serverAddress]) {
      const v = helpers[key];
      if (typeof v === 'string' && v !== '') return v;
    }
    return undefined;
  }

  /** Whether the file configures any credential: a `credsStore`, `credHelpers` or `auths`. */
  isAuthConfigured(): boolean {
    const { credHelpers, auths } = this.content;
    return (
      this.credsStore !== undefined ||
      (isObject(credHelpers) && Object.keys(credHelpers).length > 0) ||
      (isObject(auths) && Object.keys(auths).length > 0)
    );
  }

  /**
   * The credential in `auths` for `serverAddress`: the exact key, or else a legacy key with the
   * same host (`https://host/v1/`, `http://host`). `auth` (base64 `user:pass`) overrides
   * `username`/`password`; `identitytoken` is the refresh token; `registrytoken` the access token.
   */
  getAuth(serverAddress: string): Credential | undefined {
    const auths = this.content.auths;
    if (!isObject(auths)) return undefined;
    let entry = auths[serverAddress];
    if (!isObject(entry)) {
      const host = toHostname(serverAddress);
      const key = Object.keys(auths).find((k) => toHostname(k) === host);
      entry = key === undefined ? undefined : auths[key];
    }
    if (!isObject(entry)) return undefined;
    return decodeEntry(entry, serverAddress, this.path);
  }

  /**
   * Sets the `auths` entry for `serverAddress`, keeping the entry's fields we do not own (such as
   * `email`); `username` and `password` give way to `auth`.
   */
  putAuth(serverAddress: string, cred: Credential): void {
    let auths = this.content.auths;
    if (!isObject(auths)) {
      auths = {};
      this.content.auths = auths;
    }
    const old = auths[serverAddress];
    const entry: JsonObject = isObject(old) ? { ...old } : {};
    delete entry.username;
    delete entry.password;
    const set = (key: string, value: string | undefined) => {
      if (value) entry[key] = value;
      else delete entry[key];
    };
    const user = cred.username ?? '';
    const pass = cred.password ?? '';
    set('auth', user || pass ? Buffer.from(`${user}:${pass}`).toString('base64') : undefined);
    set('identitytoken', cred.refreshToken);
    set('registrytoken', cred.accessToken);
    auths[serverAddress] = entry;
  }

  /** Removes the `auths` entry for `serverAddress`; returns whether there was one. */
  deleteAuth(serverAddress: string): boolean {
    const auths = this.content.auths;
    if (!isObject(auths) || !(serverAddress in auths)) return false;
    delete auths[serverAddress];
    return true;
  }

  /** Writes the file atomically with mode 0600, creating its directory (mode 0700) if needed. */
  async save(): Promise<void> {
    let target = this.path;
    try {
      target = await realpath(this.path);
    } catch {
      // Does not exist yet: write it where it was asked for.
    }
    const dir = dirname(target);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.${DOCKER_CONFIG_FILE}.${randomBytes(6).toString('hex')}.tmp`);
    const text = serialize(this.content, this.format);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.chmod(0o600);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw new CredentialsError(`${this.path}: cannot write config file`, { cause: err });
    }
  }
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `https://host:port/v1/` -> `host:port`, as oras-go's `toHostname`. */
function toHostname(address: string): string {
  let s = address;
  if (s.startsWith('http://')) s = s.slice(7);
  else if (s.startsWith('https://')) s = s.slice(8);
  const slash = s.indexOf('/');
  return slash < 0 ? s : s.slice(0, slash);
}

function decodeEntry(entry: JsonObject, serverAddress: string, path: string): Credential {
  const str = (v: Json | undefined) => (typeof v === 'string' ? v : '');
  let username = str(entry.username);
  let password = str(entry.password);
  const auth = str(entry.auth);
  if (auth !== '') {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new CredentialsError(`${path}: ${serverAddress}: auth field is not base64 "user:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const refreshToken = str(entry.identitytoken);
  const accessToken = str(entry.registrytoken);
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(refreshToken ? { refreshToken } : {}),
    ...(accessToken ? { accessToken } : {}),
  };
}

function detectFormat(text: string): Format {
  const indent = /^\{\r?\n([ \t]+)\S/.exec(text)?.[1] ?? (text.trimStart().startsWith('{\n') ? '\t' : '');
  return {
    indent,
    newline: text.endsWith('\n'),
    // Go escapes <, > and & as \u003c, \u003e and \u0026; keep that unless the file has them raw.
    htmlEscape: !/[<>&]/.test(text),
  };
}

function serialize(content: JsonObject, format: Format): string {
  let text = JSON.stringify(content, null, format.indent);
  if (format.htmlEscape) {
    text = text
      .replaceAll('<', '\\u003c')
      .replaceAll('>', '\\u003e')
      .replaceAll('&', '\\u0026')
      .replaceAll('\u2028', '\\u2028')
      .replaceAll('\u2029', '\\u2029');
  }
  return format.newline ? `${text}\n` : text;
}
