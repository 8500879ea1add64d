/**
 * Text from the network made safe for a terminal: the one place that decides how. Titles,
 * annotations, artifact types, tags and a registry's error text come from whoever runs the
 * registry or pushed the artifact; printed raw, a NUL, BEL, ESC or CR in them rings the bell,
 * clears the screen, writes the clipboard (OSC 52) or rewrites the line above; a newline starts a
 * fake `Error:` line of its own; a bidi control (U+202E, U+2066 to U+2069) shows `exe.txt` for
 * `txt.exe`, and a zero-width character (U+200B, U+FEFF) makes two different names look the same.
 *
 * Every character Go's `unicode.IsPrint` rejects is escaped as Go's `%q` escapes it: letters,
 * marks, numbers, punctuation, symbols and the ASCII space print, everything else (controls,
 * format characters, separators other than the space, private use, unassigned, lone surrogates)
 * becomes `\a`, `\n`, `\x1b`, `\u202e` or `\U000e0001`.
 */

/**
 * The Unicode classes below are built on first use, not when this module loads: a regular
 * expression with `\p{...}` classes costs ~0.3 ms to build, in every run of every command (this
 * module is part of the error path), and most runs print only ASCII, which never needs them.
 */
let nonPrintable: RegExp | undefined;
let nonPrintableButTab: RegExp | undefined;
let nonPrintableInJson: RegExp | undefined;

/** What Go's `unicode.IsPrint` rejects (the `u` flag makes a lone surrogate one code point). */
function nonPrintableRe(): RegExp {
  nonPrintable ??= /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu;
  return nonPrintable;
}

/** Like {@link nonPrintableRe}, but keeping the tab. */
function nonPrintableButTabRe(): RegExp {
  nonPrintableButTab ??= /[^\p{L}\p{M}\p{N}\p{P}\p{S} \t]/gu;
  return nonPrintableButTab;
}

/** What JSON text may not carry raw to a terminal (JSON already escapes C0 inside strings). */
function nonPrintableInJsonRe(): RegExp {
  nonPrintableInJson ??= /[^\p{L}\p{M}\p{N}\p{P}\p{S} \n]/gu;
  return nonPrintableInJson;
}

/**
 * Printable ASCII only (space to `~`): nothing to escape. Most text is, and this test is far
 * cheaper than the Unicode classes above (a status line per blob runs through them).
 */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** The escapes Go's `%q` writes for the usual controls. */
const NAMED: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

/** One rejected character as Go's `%q` writes it. */
function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x80) return `\\x${hex(code, 2)}`;
  if (code < 0x10000) return `\\u${hex(code, 4)}`;
  return `\\U${hex(code, 8)}`;
}

/** One rejected character as a JSON escape (`\u202e`; a pair of them above U+FFFF). */
function jsonEscape(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${hex(c.charCodeAt(i), 4)}`;
  return out;
}

/**
 * `text` with every character Go's `%q` would escape written as `%q` writes it (`\a`, `\r`,
 * `\n`, `\x00`, `\x1b`, `\u009b`, `\u202e`, `\u200b`), so it prints on one line and the terminal
 * only shows it. Text without such characters (any language, emoji) comes back unchanged.
 */
export function printable(text: string): string {
  return PLAIN_ASCII.test(text) ? text : text.replace(nonPrintableRe(), escapeOne);
}

/**
 * A message for one line of output (`Error: <message>`): like {@link printable}, but a tab stays
 * a tab. A newline is escaped: a message is one line, so text from a registry cannot start a line
 * that looks like the CLI's own.
 */
export function printableMessage(text: string): string {
  return PLAIN_ASCII.test(text) ? text : text.replace(nonPrintableButTabRe(), escapeOne);
}

/**
 * The former name of {@link printableMessage}.
 *
 * @deprecated Newlines are escaped now (a registry could print a fake `Error:` line with one):
 * use {@link printableMessage}.
 */
export const printableLines: (text: string) => string = printableMessage;

/**
 * JSON text (from `JSON.stringify`) with the characters a terminal acts on, which `JSON.stringify`
 * leaves raw (DEL, C1 controls, bidi and zero-width characters, U+2028), written as `\uXXXX`
 * escapes. The result is still JSON and decodes to the same value: those characters can only
 * appear inside strings, where the escape means the character itself.
 */
export function printableJson(json: string): string {
  return PLAIN_ASCII.test(json) ? json : json.replace(nonPrintableInJsonRe(), jsonEscape);
}
