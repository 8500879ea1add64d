/**
 * The values a Go template sees, as JavaScript values: what `encoding/json` decodes into `any`
 * (nil, bool, float64, string, `[]any`, `map[string]any`), plus the few Go types that template
 * functions make (`time.Time`, `time.Duration`).
 *
 * `undefined` stands for Go's invalid `reflect.Value` (a missing map key: it prints `<no value>`),
 * `null` for a nil interface. A number is an `int` when it is a safe integer and a `float64`
 * otherwise: the JSON model of oras's output has no other way to tell them apart.
 */

/** A Go `time.Time`: an instant and the zone it is shown in. */
export class GoTime {
  /**
   * @param ms - milliseconds since the Unix epoch
   * @param nanos - the nanoseconds within the millisecond (0 to 999,999)
   * @param zone - the IANA zone name, `'UTC'`, or `'Local'`
   */
  constructor(
    readonly ms: number,
    readonly nanos: number,
    readonly zone: string,
  ) {}
}

/** A Go `time.Duration`, in nanoseconds. */
export class GoDuration {
  constructor(readonly ns: bigint) {}
}

/** Whether a value is one of the template's maps (a plain object). */
export function isMap(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof GoTime) &&
    !(v instanceof GoDuration)
  );
}

/** Whether a number is a Go `int` (else a `float64`). */
export function isInt(n: number): boolean {
  return Number.isSafeInteger(n);
}

/** Go's name of a value's dynamic type, as `%T` prints it. */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return isInt(v) ? 'int' : 'float64';
    case 'bigint':
      return 'int64';
    default:
      if (Array.isArray(v)) return '[]interface {}';
      if (v instanceof GoTime) return 'time.Time';
      if (v instanceof GoDuration) return 'time.Duration';
      return 'map[string]interface {}';
  }
}

/** Go's `reflect.Kind` name of a value, as sprig's `kindOf` prints it. */
export function goKindName(v: unknown): string {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return isInt(v) ? 'int' : 'float64';
    default:
      if (Array.isArray(v)) return 'slice';
      if (v instanceof GoTime) return 'struct';
      if (v instanceof GoDuration) return 'int64';
      return 'map';
  }
}

/** text/template's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
    default:
      if (Array.isArray(v)) return v.length > 0;
      if (v instanceof GoDuration) return v.ns !== 0n;
      if (v instanceof GoTime) return true;
      return Object.keys(v as object).length > 0;
  }
}

/** The length of a string in UTF-8 bytes, as Go's `len` counts it. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
