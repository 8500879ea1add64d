/**
 * Credential stores: where credentials for registries are kept, keyed by server address.
 * The interface and the small stores; the docker config store is in `file-store.ts`, credential
 * helpers in `native-store.ts`, and the store docker and oras use in `dynamic-store.ts`.
 */
import { type Credential, type CredentialFunc, EMPTY_CREDENTIAL, isDockerHubHost } from './credential.js';

/** The key docker uses for Docker Hub in `config.json` and credential helpers. */
export const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

/** Gets, stores and deletes credentials by server address (`host[:port]`, or Docker Hub's key). */
export interface CredentialStore {
  /** The credential for `serverAddress`, or {@link EMPTY_CREDENTIAL} when there is none. */
  get(serverAddress: string): Promise<Credential>;
  /** Stores `cred` for `serverAddress`, replacing any earlier one. */
  put(serverAddress: string, cred: Credential): Promise<void>;
  /** Deletes the credential for `serverAddress`; deleting a missing one is not an error. */
  delete(serverAddress: string): Promise<void>;
}

/**
 * The server address a registry host's credential is stored under: Docker Hub's hosts
 * (`docker.io`, `registry-1.docker.io`, `index.docker.io`) map to `https://index.docker.io/v1/`,
 * every other host is its own address.
 */
export function serverAddressFromRegistry(host: string): string {
  return isDockerHubHost(host) ? DOCKER_HUB_SERVER_ADDRESS : host;
}

/** A {@link CredentialFunc} for the auth client that looks each host up in `store`. */
export function credentialFuncFromStore(store: CredentialStore): CredentialFunc {
  return (hostport) => store.get(serverAddressFromRegistry(hostport));
}

/** A credential store in memory, for library users and tests. */
export class MemoryCredentialStore implements CredentialStore {
  readonly #creds = new Map<string, Credential>();

  /** Starts with `initial` (server address to credential), if given. */
  constructor(initial: Readonly<Record<string, Credential>> = {}) {
    for (const [address, cred] of Object.entries(initial)) this.#creds.set(address, { ...cred });
  }

  /** @inheritdoc */
  async get(serverAddress: string): Promise<Credential> {
    return this.#creds.get(serverAddress) ?? EMPTY_CREDENTIAL;
  }

  /** @inheritdoc */
  async put(serverAddress: string, cred: Credential): Promise<void> {
    this.#creds.set(serverAddress, { ...cred });
  }

  /** @inheritdoc */
  async delete(serverAddress: string): Promise<void> {
    this.#creds.delete(serverAddress);
  }
}

/**
 * A store that writes to `primary` and reads from `primary`, then each fallback in order,
 * returning the first credential found (oras-go's `NewStoreWithFallbacks`).
 */
export class CredentialStoreWithFallbacks implements CredentialStore {
  constructor(
    readonly primary: CredentialStore,
    readonly fallbacks: readonly CredentialStore[] = [],
  ) {}

  /** @inheritdoc */
  async get(serverAddress: string): Promise<Credential> {
    for (const store of [this.primary, ...this.fallbacks]) {
      const cred = await store.get(serverAddress);
      if (cred.username || cred.password || cred.refreshToken || cred.accessToken) return cred;
    }
    return EMPTY_CREDENTIAL;
  }

  /** @inheritdoc */
  async put(serverAddress: string, cred: Credential): Promise<void> {
    await this.primary.put(serverAddress, cred);
  }

  /** @inheritdoc */
  async delete(serverAddress: string): Promise<void> {
    await this.primary.delete(serverAddress);
  }
}
