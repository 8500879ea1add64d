/**
 * Canonical JSON: the bytes Go's `encoding/json` writes for the image-spec structs, so a manifest
 * packed here has the same digest as the one `oras` packs from the same inputs.
 *
 * What Go does, and so what this does: struct fields in declaration order, `omitempty` fields left
 * out when empty, map keys sorted (by code point, which is UTF-8 byte order), no whitespace,
 * `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c` and so on, control characters as `\n`,
 * `\r`, `\t`, `\b`, `\f` or `\u00XX`, and everything else written as UTF-8. Unknown fields are
 * dropped, as Go drops fields its struct does not declare.
 * @see https://github.com/opencontainers/image-spec/tree/main/specs-go/v1
 */
import { InvalidArgumentError } from './errors.js';
import type { Descriptor, Index, Manifest, Platform } from './types.js';

const HEX = '0123456789abcdef';

/** Escapes a string the way Go's `encoding/json` does (with HTML escaping, its default). */
function quote(value: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x20) {
      switch (c) {
        case 0x0a:
          escaped = '\\n';
          break;
        case 0x0d:
          escaped = '\\r';
          break;
        case 0x09:
          escaped = '\\t';
          break;
        case 0x08:
          escaped = '\\b';
          break;
        case 0x0c:
          escaped = '\\f';
          break;
        default:
          escaped = `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
      }
    } else if (c === 0x22) {
      escaped = '\\"';
    } else if (c === 0x5c) {
      escaped = '\\\\';
    } else if (c === 0x3c) {
      escaped = '\\u003c';
    } else if (c === 0x3e) {
      escaped = '\\u003e';
    } else if (c === 0x26) {
      escaped = '\\u0026';
    } else if (c === 0x2028) {
      escaped = '\\u2028';
    } else if (c === 0x2029) {
      escaped = '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate pair is one character; a lone surrogate cannot be UTF-8, and Go writes
      // invalid UTF-8 as the replacement character.
      const next = value.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      escaped = '\\ufffd';
    }
    if (escaped !== undefined) {
      out += value.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return `${out + value.slice(start)}"`;
}

/** Compares strings by code point (the order of their UTF-8 bytes, which Go sorts map keys by). */
function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(`canonical json: unsupported number ${String(value)}`);
  }
  if (Object.is(value, -0)) return '-0';
  // JavaScript and Go both switch to exponent form below 1e-6 and from 1e21, with the shortest
  // digits that round-trip; Go writes the exponent as `e+21` / `e-7` as well.
  return String(value);
}

/**
 * Serializes any JSON value the way Go's `encoding/json` serializes maps and slices: object keys
 * sorted, Go's escaping, no whitespace. `undefined` members are left out (`null` in arrays), and
 * `toJSON()` is honoured, as in `JSON.stringify`. Throws {@link InvalidArgumentError} for values
 * JSON cannot hold (non-finite numbers, functions, symbols, cycles).
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      throw new InvalidArgumentError(`canonical json: unsupported value of type ${typeof value}`);
  }
  const object = value as object & { toJSON?: unknown };
  if (typeof object.toJSON === 'function') return write((object.toJSON as () => unknown)(), seen);
  if (seen.has(object)) throw new InvalidArgumentError('canonical json: cyclic value');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item) => (item === undefined ? 'null' : write(item, seen))).join(',')}]`;
    }
    const record = object as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort(compareKeys)) {
      const member = record[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
      members.push(`${quote(key)}:${write(member, seen)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}

/**
 * A struct field: its JSON name, its Go kind, and whether Go's `omitempty` applies. `struct` and
 * `list` (of structs) fields are written by the writer given for them.
 */
type Field = readonly [
  name: string,
  kind: 'string' | 'integer' | 'strings' | 'map' | 'struct' | 'list',
  omitEmpty: boolean,
];

function wrongType(name: string, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`canonical json: field ${quote(name)} must be ${expected}`);
}

/**
 * Writes `fields` of `value` in order, as Go writes a struct; `nested` writes the `struct` fields.
 * A value of the wrong type throws {@link InvalidArgumentError}: Go's static types cannot hold one,
 * and writing it anyway would give a digest `oras` never computes.
 */
function writeStruct(
  value: Record<string, unknown>,
  fields: readonly Field[],
  nested: Readonly<Record<string, (v: never) => string>> = {},
): string {
  const members: string[] = [];
  for (const [name, kind, omitEmpty] of fields) {
    const member = value[name] ?? undefined;
    const key = quote(name);
    switch (kind) {
      case 'struct': {
        // Go writes a zero struct for a missing struct field and leaves out a nil pointer.
        if (member === undefined && omitEmpty) continue;
        if (member !== undefined && (typeof member !== 'object' || Array.isArray(member))) {
          throw wrongType(name, 'an object');
        }
        members.push(`${key}:${nested[name]!(member as never)}`);
        break;
      }
      case 'list': {
        if (member !== undefined && !Array.isArray(member)) throw wrongType(name, 'an array');
        members.push(`${key}:${nested[name]!(member as never)}`);
        break;
      }
      case 'string': {
        if (member !== undefined && typeof member !== 'string') throw wrongType(name, 'a string');
        const text = member ?? '';
        if (omitEmpty && text === '') continue;
        members.push(`${key}:${quote(text)}`);
        break;
      }
      case 'integer': {
        if (member !== undefined && (typeof member !== 'number' || !Number.isSafeInteger(member))) {
          throw wrongType(name, 'a safe integer');
        }
        const number = member ?? 0;
        if (omitEmpty && number === 0) continue;
        members.push(`${key}:${formatNumber(number)}`);
        break;
      }
      case 'strings': {
        if (member !== undefined && (!Array.isArray(member) || !member.every((s) => typeof s === 'string'))) {
          throw wrongType(name, 'an array of strings');
        }
        const list = member as string[] | undefined;
        if (omitEmpty && (list === undefined || list.length === 0)) continue;
        members.push(`${key}:${list === undefined ? 'null' : `[${list.map(quote).join(',')}]`}`);
        break;
      }
      case 'map': {
        if (member !== undefined && (typeof member !== 'object' || Array.isArray(member))) {
          throw wrongType(name, 'an object of strings');
        }
        const map = member as Record<string, unknown> | undefined;
        const keys = map === undefined ? [] : Object.keys(map).filter((k) => map[k] !== undefined);
        if (omitEmpty && keys.length === 0) continue;
        if (map === undefined) {
          members.push(`${key}:null`);
          continue;
        }
        const entries = keys.sort(compareKeys).map((k) => {
          const item = map[k];
          if (typeof item !== 'string') throw wrongType(`${name}.${k}`, 'a string');
          return `${quote(k)}:${quote(item)}`;
        });
        members.push(`${key}:{${entries.join(',')}}`);
        break;
      }
    }
  }
  return `{${members.join(',')}}`;
}

const PLATFORM_FIELDS: readonly Field[] = [
  ['architecture', 'string', false],
  ['os', 'string', false],
  ['os.version', 'string', true],
  ['os.features', 'strings', true],
  ['variant', 'string', true],
  ['features', 'strings', true],
];

const DESCRIPTOR_FIELDS: readonly Field[] = [
  ['mediaType', 'string', false],
  ['digest', 'string', false],
  ['size', 'integer', false],
  ['urls', 'strings', true],
  ['annotations', 'map', true],
  ['data', 'string', true],
  ['platform', 'struct', true],
  ['artifactType', 'string', true],
];

const MANIFEST_FIELDS: readonly Field[] = [
  ['schemaVersion', 'integer', false],
  ['mediaType', 'string', true],
  ['artifactType', 'string', true],
  ['config', 'struct', false],
  ['layers', 'list', false],
  ['subject', 'struct', true],
  ['annotations', 'map', true],
];

const INDEX_FIELDS: readonly Field[] = [
  ['schemaVersion', 'integer', false],
  ['mediaType', 'string', true],
  ['artifactType', 'string', true],
  ['manifests', 'list', false],
  ['subject', 'struct', true],
  ['annotations', 'map', true],
];

function platformText(platform: Platform | undefined): string {
  return writeStruct((platform ?? {}) as unknown as Record<string, unknown>, PLATFORM_FIELDS);
}

function descriptorText(descriptor: Descriptor | undefined): string {
  return writeStruct((descriptor ?? {}) as unknown as Record<string, unknown>, DESCRIPTOR_FIELDS, {
    platform: platformText,
  });
}

/** A list of descriptors; a missing list is written `[]`, as oras-go fills it, never `null`. */
function descriptorsText(list: readonly Descriptor[] | undefined): string {
  return `[${(list ?? []).map((d) => descriptorText(d)).join(',')}]`;
}

const ENCODER = new TextEncoder();

/**
 * The canonical JSON bytes of a descriptor, in the field order of the image-spec Go struct:
 * `mediaType, digest, size, urls, annotations, data, platform, artifactType`.
 */
export function serializeDescriptor(descriptor: Descriptor): Uint8Array {
  return ENCODER.encode(descriptorText(descriptor));
}

/**
 * The canonical JSON bytes of an image manifest, in Go field order:
 * `schemaVersion, mediaType, artifactType, config, layers, subject, annotations`.
 * Missing `layers` are written as `[]`. These are the bytes to digest and push.
 */
export function serializeManifest(manifest: Manifest): Uint8Array {
  return ENCODER.encode(
    writeStruct(manifest as unknown as Record<string, unknown>, MANIFEST_FIELDS, {
      config: descriptorText,
      layers: descriptorsText,
      subject: descriptorText,
    }),
  );
}

/**
 * The canonical JSON bytes of an image index, in Go field order:
 * `schemaVersion, mediaType, artifactType, manifests, subject, annotations`.
 * Missing `manifests` are written as `[]`.
 */
export function serializeIndex(index: Index): Uint8Array {
  return ENCODER.encode(
    writeStruct(index as unknown as Record<string, unknown>, INDEX_FIELDS, {
      manifests: descriptorsText,
      subject: descriptorText,
    }),
  );
}
