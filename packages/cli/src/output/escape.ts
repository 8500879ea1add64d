/**
 * Text from the network made safe for a terminal. Titles, annotations and artifact types come
 * from whoever pushed the artifact; printed raw, a NUL, BEL, ESC or CR in them rings the bell,
 * clears the screen, rewrites the line above or hides what follows.
 */

/** C0 controls, DEL and C1 controls (U+0080 to U+009F, which some terminals act on too). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Controls except tab and newline: what a message may not carry to the terminal. */
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

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

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return (
    NAMED[c] ??
    (code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/**
 * `text` with every control character written as Go's `%q` writes it (`\a`, `\r`, `\x00`,
 * `\x1b`, `\u009b`), so it prints on one line and the terminal only shows it. Text without
 * control characters comes back unchanged.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/**
 * Like {@link printable}, but keeps tab and newline: for messages whose lines are laid out
 * on purpose (error messages and hints).
 */
export function printableLines(text: string): string {
  return text.replace(CONTROL_BUT_LAYOUT, escapeOne);
}
