/**
 * Credential helpers: the `docker-credential-<name>` programs (`pass`, `secretservice`,
 * `osxkeychain`, `wincred`, `ecr-login`, ...) that keep credentials outside the config file.
 *
 * The protocol: the helper is run with one argument, `get`, `store`, `erase` or `list`. `get` and
 * `erase` read the server address on stdin; `store` reads `{"ServerURL","Username","Secret"}`;
 * `get` prints the same shape and `list` prints `{serverURL: username}`. The username `<token>`
 * marks an identity token. A helper that has nothing prints "credentials not found in native
 * keychain" and exits non-zero.
 *
 * Finding the helper: we search `PATH` ourselves and run the absolute path we found, with the rule
 * of Go's `exec.LookPath` since Go 1.19: a helper found through a relative entry (`.`, an empty
 * entry, `bin`) is refused, not run, because such an entry names whatever folder the user happens
 * to stand in, and a `docker-credential-*` planted there would be handed the user's credentials.
 * A helper name must be a plain name: `credsStore: "x/evil"` would otherwise run a program by a
 * path relative to the working folder.
 *
 * @see https://github.com/docker/docker-credential-helpers
 * @see https://pkg.go.dev/os/exec#hdr-Executables_in_the_current_directory
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { type Credential, EMPTY_CREDENTIAL } from './credential.js';
import type { CredentialStore } from './credential-store.js';
import { CredentialsError } from './errors.js';

/** The username a helper stores for an identity token. */
export const IDENTITY_TOKEN_USERNAME = '<token>';

/** The prefix of credential helper executables. */
export const CREDENTIAL_HELPER_PREFIX = 'docker-credential-';

/** Options for {@link NativeCredentialStore}. */
export interface NativeCredentialStoreOptions {
  /** The environment the helper runs in (its `PATH` finds it); `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

const NOT_FOUND = /credentials not found/i;

/** A helper name is a plain name: letters, digits and `.-_+@`, no path separator, not `.`/`..`. */
const HELPER_NAME = /^(?!\.{1,2}$)[\w.+@-]+$/;

/**
 * The absolute path of `program` on `PATH`, as Go's `exec.LookPath` finds it: the first entry
 * holding an executable regular file of that name (with a `PATHEXT` extension on Windows).
 *
 * @throws CredentialsError when it is found first through a relative entry, or not at all.
 */
async function lookPath(program: string, env: NodeJS.ProcessEnv, where: string): Promise<string> {
  const path = env.PATH ?? env.Path ?? '';
  const extensions =
    process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';')] : [''];
  for (const entry of path.split(delimiter)) {
    for (const ext of extensions) {
      const candidate = join(entry === '' ? '.' : entry, `${program}${ext}`);
      if (!(await isExecutable(candidate))) continue;
      if (!isAbsolute(candidate)) {
        throw new CredentialsError(
          `${where}: found through the relative PATH entry ${JSON.stringify(entry === '' ? '' : entry)}; refusing to run it (put the helper in a folder named by an absolute path)`,
        );
      }
      return candidate;
    }
  }
  throw new CredentialsError(`${where}: helper not found on PATH`);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    if (process.platform !== 'win32') await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Credentials kept by the credential helper `docker-credential-<helper>`. */
export class NativeCredentialStore implements CredentialStore {
  readonly #program: string;
  readonly #env: NodeJS.ProcessEnv | undefined;

  constructor(
    /** The helper's suffix, e.g. `pass` for `docker-credential-pass`. */
    readonly helper: string,
    options: NativeCredentialStoreOptions = {},
  ) {
    this.#program = `${CREDENTIAL_HELPER_PREFIX}${helper}`;
    this.#env = options.env;
  }

  /** @inheritdoc */
  async get(serverAddress: string): Promise<Credential> {
    const out = await this.#run('get', serverAddress);
    if (out === undefined) return EMPTY_CREDENTIAL;
    let parsed: { Username?: unknown; Secret?: unknown };
    try {
      parsed = JSON.parse(out) as typeof parsed;
    } catch {
      throw new CredentialsError(`${this.#program} get: ${serverAddress}: output is not JSON`);
    }
    const username = typeof parsed.Username === 'string' ? parsed.Username : '';
    const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
    if (username === IDENTITY_TOKEN_USERNAME) return secret ? { refreshToken: secret } : EMPTY_CREDENTIAL;
    return { ...(username ? { username } : {}), ...(secret ? { password: secret } : {}) };
  }

  /**
   * Stores `cred`: a username and password, or an identity token under the username `<token>`.
   *
   * @throws CredentialsError for a registry (access) token, which helpers cannot keep.
   */
  async put(serverAddress: string, cred: Credential): Promise<void> {
    if (cred.accessToken) {
      throw new CredentialsError(
        `${this.#program} store: ${serverAddress}: a registry token cannot be stored in a credential helper`,
      );
    }
    const body = cred.refreshToken
      ? { ServerURL: serverAddress, Username: IDENTITY_TOKEN_USERNAME, Secret: cred.refreshToken }
      : { ServerURL: serverAddress, Username: cred.username ?? '', Secret: cred.password ?? '' };
    await this.#run('store', JSON.stringify(body));
  }

  /** @inheritdoc */
  async delete(serverAddress: string): Promise<void> {
    await this.#run('erase', serverAddress);
  }

  /** The server addresses the helper holds, with their usernames. */
  async list(): Promise<Record<string, string>> {
    const out = await this.#run('list', '');
    if (out === undefined || out.trim() === '') return {};
    try {
      const parsed = JSON.parse(out) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    } catch {
      throw new CredentialsError(`${this.#program} list: output is not JSON`);
    }
  }

  /** Runs the helper; `undefined` means "credentials not found". */
  async #run(action: string, input: string): Promise<string | undefined> {
    const where = `${this.#program} ${action}`;
    if (!HELPER_NAME.test(this.helper)) {
      throw new CredentialsError(
        `${where}: invalid credential helper name ${JSON.stringify(this.helper)}: it must be a plain name, not a path`,
      );
    }
    const program = await lookPath(this.#program, this.#env ?? process.env, where);
    return new Promise((resolve, reject) => {
      const child = spawn(program, [action], {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(this.#env ? { env: this.#env } : {}),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ENOENT' ? 'helper not found on PATH' : 'cannot run helper';
        reject(new CredentialsError(`${where}: ${why}`, { cause: e }));
      });
      child.stdin.on('error', () => {
        // The helper exited without reading its input; its exit status tells what happened.
      });
      child.on('close', (code) => {
        const stdout = Buffer.concat(out).toString('utf8');
        if (code === 0) {
          resolve(stdout);
          return;
        }
        // Helpers print their error on stdout; never echo what we sent (it may be a secret).
        const message = `${stdout.trim()} ${Buffer.concat(err).toString('utf8').trim()}`.trim();
        if (NOT_FOUND.test(message) && action !== 'store') {
          resolve(undefined);
          return;
        }
        const detail = message.replace(/\s+/g, ' ').slice(0, 200);
        reject(new CredentialsError(`${where}: exit status ${code}${detail ? `: ${detail}` : ''}`));
      });
      child.stdin.end(input);
    });
  }
}
