/**
 * The errors `@oras/auth` throws. Each extends {@link OrasError} with a stable code from
 * {@link ErrorCode}, so `UnauthorizedError.is(err)` works across installed copies of the package.
 *
 * No message ever carries a password, token or `Authorization` header: they name the host, the
 * URL (redacted) and the status, never the secret.
 */
import { ErrorCode, OrasError } from '@oras/spec';

/** Authentication failed, or no credential was available for a challenge that needs one. */
export class UnauthorizedError extends OrasError {
  static override readonly code: string = ErrorCode.Unauthorized;
}

/** The credential was accepted but does not grant the access asked for (`insufficient_scope`, 403). */
export class DeniedError extends OrasError {
  static override readonly code: string = ErrorCode.Denied;
}

/** A credential store, the docker config file or a credential helper failed. */
export class CredentialsError extends OrasError {
  static override readonly code: string = ErrorCode.Credentials;
}
