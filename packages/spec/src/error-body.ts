/**
 * The error body of the distribution spec, `{"errors":[{"code","message","detail"}]}`, read
 * leniently: both `@oras/auth` (a rejected credential) and `@oras/registry` (every other error
 * answer) keep the codes a registry sent.
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */

/** One entry of a distribution-spec error body: `{"errors":[{"code","message","detail"}]}`. */
export interface DistributionErrorEntry {
  /** The error code, e.g. `MANIFEST_UNKNOWN`, `DENIED`, `UNAUTHORIZED`, `TOOMANYREQUESTS`. */
  readonly code: string;
  /** The registry's message. */
  readonly message: string;
  /** Free-form detail, as sent. */
  readonly detail?: unknown;
}

const MAX_SNIPPET = 200;

/**
 * Parses an error body leniently: the distribution-spec JSON when it is one, otherwise a printable
 * snippet of the text (at most 200 characters; Docker Hub's anti-abuse 429 answers plain text).
 */
export function parseErrorBody(body: Uint8Array): {
  errors: DistributionErrorEntry[];
  bodySnippet?: string;
} {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body).trim();
  if (text.length === 0) return { errors: [] };
  try {
    const parsed = JSON.parse(text) as unknown;
    const list = (parsed as { errors?: unknown })?.errors;
    if (Array.isArray(list)) {
      const errors: DistributionErrorEntry[] = [];
      for (const item of list) {
        if (typeof item !== 'object' || item === null) continue;
        const { code, message, detail } = item as Record<string, unknown>;
        errors.push({
          code: typeof code === 'string' ? code : 'UNKNOWN',
          message: typeof message === 'string' ? message : '',
          ...(detail === undefined ? {} : { detail }),
        });
      }
      return { errors };
    }
  } catch {
    // not JSON: fall through to the snippet
  }
  const printable = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return {
    errors: [],
    bodySnippet: printable.length > MAX_SNIPPET ? `${printable.slice(0, MAX_SNIPPET)}...` : printable,
  };
}

/** The entries as one lower-case phrase: `manifest unknown: the manifest is unknown; denied`. */
export function describeErrorEntries(errors: readonly DistributionErrorEntry[]): string {
  return errors
    .map((entry) => {
      const code = entry.code.toLowerCase().replaceAll('_', ' ');
      return entry.message ? `${code}: ${entry.message}` : code;
    })
    .join('; ');
}
