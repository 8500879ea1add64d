/** Sizes given on the command line: a number of bytes, or a number with a unit (`10GiB`, `512MB`). */
import { CliError } from '../errors.js';

/** Bytes per unit: binary units are powers of 1024, decimal units powers of 1000. */
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * The number of bytes `text` names: `1048576`, `10GiB`, `1.5MiB`, `512MB`, `64k`. Units are
 * case-insensitive; `KiB`/`MiB`/`GiB`/`TiB` (and `K`, `M`, `G`, `T`) are powers of 1024,
 * `kB`/`MB`/`GB`/`TB` powers of 1000. `flag` names the option, for the message.
 *
 * @throws CliError when `text` is not a positive size of at most 2^53 - 1 bytes.
 */
export function parseByteSize(text: string, flag: string): number {
  const match = SIZE.exec(text.trim());
  const unit = match ? UNITS[(match[2] ?? '').toLowerCase() || 'b'] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new CliError(
      `invalid ${flag} ${JSON.stringify(text)}: use a positive number of bytes, or a size such as 10GiB or 512MB`,
    );
  }
  return bytes;
}
