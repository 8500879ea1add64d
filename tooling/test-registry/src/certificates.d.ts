/** PEM files and text of a CA made for one run and of a server certificate it signed. */
export interface TlsCertificates {
  /** The CA certificate file (PEM): what clients trust. */
  readonly caFile: string;
  /** The CA certificate (PEM text). */
  readonly caPem: string;
  /** The server certificate file, with subjectAltName for each host. */
  readonly certFile: string;
  /** The server's private key file (unencrypted). */
  readonly keyFile: string;
  /** The server certificate (PEM text). */
  readonly certPem: string;
  /** The server's private key (PEM text). */
  readonly keyPem: string;
}

/** Options of {@link createTlsCertificates}. */
export interface TlsCertificatesOptions {
  /** Names in subjectAltName; IP literals become `IP:` entries (default `127.0.0.1`, `localhost`). */
  readonly hosts?: readonly string[];
}

/**
 * Makes, with `openssl`, a P-256 CA valid for two days and a server certificate it signs for
 * `hosts`, writing them into `dir` (which the caller owns and removes).
 */
export declare function createTlsCertificates(
  dir: string,
  options?: TlsCertificatesOptions,
): Promise<TlsCertificates>;

/** A self-signed RSA certificate and key that sign tokens. */
export interface SigningCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Makes, with `openssl`, a self-signed RSA-2048 certificate in `dir` for a token issuer: the
 * registry trusts it as its `rootcertbundle`, and each token carries it in its `x5c` header.
 */
export declare function createSigningCertificate(dir: string): Promise<SigningCertificate>;
