/** The digest that names a blob: `<registry>/<repo>@<digest>`, or `<layout>@<digest>`. */
import { isDigest } from '@oras/spec';
import type { TargetSpec } from '../../options/target.js';
import { MissingReferenceError } from '../../reference-errors.js';

/** The digest a blob command names, or oras's `no digest specified` error. */
export function blobDigest(spec: TargetSpec): string {
  const ref = spec.kind === 'registry' ? spec.reference.digest : spec.reference;
  if (ref === undefined || !isDigest(ref)) throw new MissingReferenceError(spec.raw, false);
  return ref;
}
