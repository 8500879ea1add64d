/**
 * The credential store docker and oras use: per server address, `credHelpers[address]`, else the
 * `credsStore` helper, else the plaintext `auths` of the config file (oras-go's `DynamicStore`).
 */
import { DockerConfigFile, defaultConfigPath } from './config-file.js';
import type { Credential } from './credential.js';
import { type CredentialStore, CredentialStoreWithFallbacks } from './credential-store.js';
import { FileCredentialStore } from './file-store.js';
import { NativeCredentialStore } from './native-store.js';

/** Options for {@link createCredentialStore}. */
export interface CredentialStoreOptions {
  /**
   * Config files to use: the first receives writes, the others are read-only fallbacks.
   * By default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
   */
  readonly configPaths?: readonly string[];
  /** Allow plaintext writes to `auths` when no helper is configured (the oras CLI allows them). */
  readonly allowPlaintextPut?: boolean;
  /** The environment for `DOCKER_CONFIG` and the credential helpers; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The store for one config file: helper or plaintext, decided per server address. */
export class DockerConfigCredentialStore implements CredentialStore {
  readonly #file: FileCredentialStore;
  readonly #env: NodeJS.ProcessEnv | undefined;

  constructor(
    /** The config file's path. */
    readonly configPath: string,
    options: Omit<CredentialStoreOptions, 'configPaths'> = {},
  ) {
    this.#env = options.env;
    this.#file = new FileCredentialStore(configPath, {
      allowPlaintextPut: options.allowPlaintextPut ?? false,
    });
  }

  /** Whether the file configures any credential (a `credsStore`, `credHelpers` or `auths`). */
  async isAuthConfigured(): Promise<boolean> {
    return (await DockerConfigFile.load(this.configPath)).isAuthConfigured();
  }

  async #storeFor(serverAddress: string): Promise<CredentialStore> {
    const file = await DockerConfigFile.load(this.configPath);
    const helper = file.credHelper(serverAddress) ?? file.credsStore;
    return helper === undefined
      ? this.#file
      : new NativeCredentialStore(helper, this.#env ? { env: this.#env } : {});
  }

  /** @inheritdoc */
  async get(serverAddress: string): Promise<Credential> {
    return (await this.#storeFor(serverAddress)).get(serverAddress);
  }

  /** @inheritdoc */
  async put(serverAddress: string, cred: Credential): Promise<void> {
    await (await this.#storeFor(serverAddress)).put(serverAddress, cred);
  }

  /** @inheritdoc */
  async delete(serverAddress: string): Promise<void> {
    await (await this.#storeFor(serverAddress)).delete(serverAddress);
  }
}

/** The store {@link createCredentialStore} returns. */
export interface DynamicCredentialStore extends CredentialStore {
  /** The config file that receives writes. */
  readonly configPath: string;
  /** Whether any of the config files configures a credential. */
  isAuthConfigured(): Promise<boolean>;
}

class DynamicStore extends CredentialStoreWithFallbacks implements DynamicCredentialStore {
  constructor(
    readonly configPath: string,
    readonly stores: readonly DockerConfigCredentialStore[],
  ) {
    super(stores[0] as DockerConfigCredentialStore, stores.slice(1));
  }

  async isAuthConfigured(): Promise<boolean> {
    for (const store of this.stores) if (await store.isAuthConfigured()) return true;
    return false;
  }
}

/**
 * The credential store for the docker config files in `options` (or the default one): reads go
 * through each file in order (helper or `auths`), writes go to the first file only.
 */
export function createCredentialStore(options: CredentialStoreOptions = {}): DynamicCredentialStore {
  const paths =
    options.configPaths && options.configPaths.length > 0
      ? options.configPaths
      : [defaultConfigPath(options.env ?? process.env)];
  const stores = paths.map(
    (p, i) =>
      new DockerConfigCredentialStore(p, i === 0 ? options : { ...options, allowPlaintextPut: false }),
  );
  return new DynamicStore(paths[0] as string, stores);
}
