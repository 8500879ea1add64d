/**
 * The plaintext credential store in a docker `config.json`'s `auths` (oras-go's `FileStore`).
 */
import { DockerConfigFile } from './config-file.js';
import { withConfigLock } from './config-lock.js';
import { type Credential, EMPTY_CREDENTIAL } from './credential.js';
import type { CredentialStore } from './credential-store.js';
import { CredentialsError } from './errors.js';

/** Options for {@link FileCredentialStore}. */
export interface FileCredentialStoreOptions {
  /** Allow `put` to write credentials in plain text (base64) into the file. Off by default. */
  readonly allowPlaintextPut?: boolean;
}

/**
 * Credentials in the `auths` of a docker config file. The file is read again for every call, so
 * the store sees changes other processes (`docker login`) make; `put` and `delete` hold the
 * file's lock (`config.json.lock`) from the read to the write, so concurrent logins in this and
 * other processes keep each other's entries.
 */
export class FileCredentialStore implements CredentialStore {
  readonly #allowPut: boolean;

  constructor(
    /** The config file's path. */
    readonly configPath: string,
    options: FileCredentialStoreOptions = {},
  ) {
    this.#allowPut = options.allowPlaintextPut ?? false;
  }

  /** @inheritdoc */
  async get(serverAddress: string): Promise<Credential> {
    const file = await DockerConfigFile.load(this.configPath);
    return file.getAuth(serverAddress) ?? EMPTY_CREDENTIAL;
  }

  /**
   * Stores `cred` under `auths[serverAddress]`.
   *
   * @throws CredentialsError when plaintext writes are not allowed.
   */
  async put(serverAddress: string, cred: Credential): Promise<void> {
    if (!this.#allowPut) {
      throw new CredentialsError(
        `${this.configPath}: ${serverAddress}: storing credentials in plain text is not allowed; configure a credential helper or allow plaintext put`,
      );
    }
    await withConfigLock(this.configPath, async () => {
      const file = await DockerConfigFile.load(this.configPath);
      file.putAuth(serverAddress, cred);
      await file.save();
    });
  }

  /** @inheritdoc */
  async delete(serverAddress: string): Promise<void> {
    // nothing to delete (tried on a copy in memory): no lock, and no folder created for one
    if (!(await DockerConfigFile.load(this.configPath)).deleteAuth(serverAddress)) return;
    await withConfigLock(this.configPath, async () => {
      const file = await DockerConfigFile.load(this.configPath);
      if (file.deleteAuth(serverAddress)) await file.save();
    });
  }
}
