/**
 * JSON the way oras prints it: as the bytes came, or indented like Go's `json.Indent`; descriptors
 * in Go field order (`--descriptor`); and JSON documents read as objects.
 */
import { type Descriptor, serializeDescriptor } from '@oras/spec';
import type { CliContext } from './context.js';
import { CliError } from './errors.js';

/**
 * Indents JSON text the way Go's `json.Indent` does (two spaces, `": "` after keys, empty objects
 * and arrays kept as `{}` and `[]`), without re-encoding anything: strings, numbers and key order
 * stay exactly as they were.
 */
export function indentJson(text: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let needIndent = false;
  const newline = () => `\n${indent.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      depth++;
      out += newline();
      needIndent = false;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case '}':
      case ']':
        if (needIndent) needIndent = false;
        else {
          depth--;
          out += newline();
        }
        out += c;
        break;
      case ',':
        out += `,${newline()}`;
        break;
      case ':':
        out += ': ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** JSON bytes as oras prints them: as they are, or indented with a final newline when `pretty`. */
export function jsonOutput(bytes: Uint8Array, pretty: boolean): Uint8Array {
  if (!pretty) return bytes;
  return Buffer.from(`${indentJson(Buffer.from(bytes).toString('utf8'))}\n`);
}

/** Prints a descriptor as JSON in Go field order (`--descriptor`). */
export function writeDescriptor(ctx: CliContext, desc: Descriptor, pretty: boolean): void {
  ctx.stdout.write(jsonOutput(serializeDescriptor(desc), pretty));
}

/** Parses JSON bytes (a manifest or config) as an object, or throws a CLI error naming `what`. */
export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new CliError(`${what}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}
