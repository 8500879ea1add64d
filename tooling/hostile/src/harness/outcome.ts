/**
 * The two outcomes every case may end in, checked on a run: success, or a clean failure (a
 * one-line `Error: ...` naming the reason, a non-zero exit, no stack trace). Each check returns
 * the list of what is wrong, so a failing case prints every problem at once.
 */
import type { OrasRun } from './oras.js';

/** Lines that only a stack trace or an unhandled crash prints. */
const CRASH_PATTERNS: readonly RegExp[] = [
  /^\s+at .+[(:]\d+/m,
  /node:internal/,
  /Unhandled|UnhandledPromiseRejection|uncaughtException/i,
  /\[ERR_[A-Z_]+\]/,
  /^(TypeError|RangeError|ReferenceError|SyntaxError|AssertionError)\b/m,
];

/**
 * The first line of an error, with one of oras's prefixes: `Error:`, `Error response from
 * registry:`, or `Error from source registry for "<ref>":` (and destination, and oci-layout).
 */
const ERROR_LINE =
  /^Error(?: response from registry| from (?:source|destination) (?:registry|oci-layout) for "[^"]*")?: /;

/** C0 control characters other than tab and newline (terminal escapes, NUL, carriage return). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function describe(run: OrasRun): string {
  return `oras ${run.args.join(' ')} -> code ${run.code}${run.signal ? ` signal ${run.signal}` : ''}${
    run.timedOut ? ' (timed out)' : ''
  }\n--- stdout\n${run.stdout.slice(0, 2000)}\n--- stderr\n${run.stderr.slice(0, 4000)}`;
}

/** What is wrong with a run that should have ended in a clean failure naming `reason`. */
export function cleanFailureProblems(run: OrasRun, reason: RegExp): string[] {
  const problems: string[] = [];
  if (run.timedOut) problems.push('it hung (timed out)');
  if (run.signal) problems.push(`it died of ${run.signal}`);
  if (run.code === 0) problems.push('it exited 0');
  const errorLines = run.stderr.split('\n').filter((line) => line.startsWith('Error'));
  if (errorLines.length !== 1) problems.push(`${errorLines.length} 'Error' lines on stderr, not one`);
  const first = errorLines[0] ?? '';
  if (!ERROR_LINE.test(first)) problems.push('no line of the form "Error: ..." (or an oras registry prefix)');
  if (!reason.test(first)) problems.push(`the error line does not name the reason ${reason}`);
  problems.push(...crashProblems(run));
  return problems.length > 0 ? [...problems, describe(run)] : [];
}

/** What is wrong with a run that should have succeeded. */
export function successProblems(run: OrasRun): string[] {
  const problems: string[] = [];
  if (run.timedOut) problems.push('it hung (timed out)');
  if (run.signal) problems.push(`it died of ${run.signal}`);
  if (run.code !== 0) problems.push(`it exited ${run.code}`);
  problems.push(...crashProblems(run));
  return problems.length > 0 ? [...problems, describe(run)] : [];
}

/** What is wrong with a run that may succeed or fail cleanly naming `reason`, but nothing else. */
export function eitherProblems(run: OrasRun, reason: RegExp): string[] {
  return run.code === 0 ? successProblems(run) : cleanFailureProblems(run, reason);
}

/** Stack traces, crashes and raw control characters in either output. */
export function crashProblems(run: OrasRun): string[] {
  const problems: string[] = [];
  const debug = run.args.includes('--debug') || run.args.includes('-d');
  for (const [name, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    if (!debug) {
      for (const pattern of CRASH_PATTERNS) {
        if (pattern.test(text)) problems.push(`${name} shows a crash or stack trace (${pattern})`);
      }
    }
    const control = CONTROL_CHARACTERS.exec(text);
    if (control) {
      problems.push(
        `${name} holds a raw control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    }
  }
  return problems;
}
