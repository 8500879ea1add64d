/** The digest that names a blob: `<registry>/<repo>@<digest>`, or `<layout>@<digest>`. */
import { ErrorCode, isDigest } from '@oras/spec';
import { CliError } from '../../errors.js';
import type { TargetSpec } from '../../options/target.js';

const FORM = '<registry>/<repo>@<digest>';

/** The digest a blob command names, or a CLI error with the form it expects. */
export function blobDigest(spec: TargetSpec, form = FORM): string {
  const ref = spec.kind === 'registry' ? spec.reference.digest : spec.reference;
  if (ref === undefined || !isDigest(ref)) {
    throw new CliError(`"${spec.raw}": no digest specified`, {
      code: ErrorCode.InvalidReference,
      hint: `Please make sure the provided reference is in the form of ${form}`,
    });
  }
  return ref;
}
