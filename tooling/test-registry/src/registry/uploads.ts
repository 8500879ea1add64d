import { randomUUID } from 'node:crypto';
import { DistributionErrorCode, RegistryApiError } from './errors.js';

/** One blob upload in progress. */
export interface UploadSession {
  readonly id: string;
  readonly repository: string;
  readonly chunks: Uint8Array[];
  /** Bytes received so far. */
  size: number;
  /** The `jti` of the token that started the upload (for the token-expiry fault). */
  readonly startedWithToken?: string;
  /** Whether the token-expiry fault already fired for this session. */
  tokenExpired: boolean;
  /** Whether a chunk under the minimum length arrived (only the last one may be). */
  shortChunk: boolean;
}

/** Upload sessions by id. */
export class UploadSessions {
  readonly #sessions = new Map<string, UploadSession>();

  /** Starts a session. */
  create(repository: string, startedWithToken?: string): UploadSession {
    const session: UploadSession = {
      id: randomUUID(),
      repository,
      chunks: [],
      size: 0,
      tokenExpired: false,
      shortChunk: false,
      ...(startedWithToken === undefined ? {} : { startedWithToken }),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The session, or BLOB_UPLOAD_UNKNOWN (404). */
  get(repository: string, id: string): UploadSession {
    const session = this.#sessions.get(id);
    if (!session || session.repository !== repository) {
      throw new RegistryApiError(
        404,
        DistributionErrorCode.BlobUploadUnknown,
        `${id}: upload unknown to ${repository}`,
      );
    }
    return session;
  }

  /**
   * Appends a chunk. With a `Content-Range` (`<start>-<end>`, inclusive, as the spec writes it)
   * the range must start where the upload stands and match the chunk length, else 416.
   */
  append(session: UploadSession, chunk: Uint8Array, contentRange: string | undefined): void {
    if (contentRange !== undefined) {
      const match = /^(\d+)-(\d+)$/.exec(contentRange.trim());
      if (!match) {
        throw new RegistryApiError(
          400,
          DistributionErrorCode.BlobUploadInvalid,
          `content-range ${JSON.stringify(contentRange)}: expected <start>-<end>`,
        );
      }
      const start = Number(match[1]);
      const end = Number(match[2]);
      if (start !== session.size || end - start + 1 !== chunk.byteLength) {
        throw new RegistryApiError(
          416,
          DistributionErrorCode.RangeInvalid,
          `content-range ${contentRange}: upload is at ${session.size}, chunk has ${chunk.byteLength} bytes`,
          { headers: rangeHeaders(session) },
        );
      }
    }
    session.chunks.push(chunk);
    session.size += chunk.byteLength;
  }

  /** Ends the session and returns its content. */
  finish(session: UploadSession): Uint8Array {
    this.#sessions.delete(session.id);
    return Buffer.concat(session.chunks);
  }

  /** Cancels the session; false when unknown. */
  cancel(id: string): boolean {
    return this.#sessions.delete(id);
  }

  /** How many sessions are open. */
  get size(): number {
    return this.#sessions.size;
  }
}

/** The `Range` and `Docker-Upload-UUID` headers of an upload's status. */
export function rangeHeaders(session: UploadSession): Record<string, string> {
  return { range: `0-${Math.max(session.size - 1, 0)}`, 'docker-upload-uuid': session.id };
}
