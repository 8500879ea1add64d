/**
 * Status lines read the way oras's own e2e suite reads them (`test/e2e/internal/utils/match`):
 * a line of three fields `<State> <digest12> <name>` moves the content `<digest12> <name>` along a
 * path of states, and each piece of content a test names must end a whole path of its command.
 */
import { expect } from 'vitest';

/** The paths a piece of content may take through the status lines, per command (oras's state machine). */
const PATHS = {
  push: [['Uploading', 'Uploaded'], ['Exists'], ['Skipped']],
  pull: [
    ['Downloading', 'Downloaded'],
    ['Downloading', 'Processing', 'Downloaded'],
    ['Skipped'],
    ['Restored'],
  ],
  cp: [['Copying', 'Copied'], ['Skipped'], ['Exists'], ['Mounted']],
  // oras 1.3's backup and restore status handlers (`display/status`): copy's shape, pull's or push's words
  backup: [['Pulling', 'Pulled'], ['Skipped'], ['Exists']],
  restore: [['Pushing', 'Pushed'], ['Skipped'], ['Exists']],
} as const;

/** A command whose status lines oras's suite checks. */
export type StatusCommand = keyof typeof PATHS;

/** Content named by its first 12 hex digits and its status name (title, media type or config name). */
export type StatusKey = readonly [digest12: string, name: string];

/** The states each piece of content went through, in order, keyed `<digest12> <name>`. */
export function statusStates(stdout: string): Map<string, string[]> {
  const states = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [state, digest, name] = fields;
    if (fields.length !== 3 || !state || !name || !/^[0-9a-f]{12}$/.test(digest ?? '')) continue;
    const key = `${digest} ${name}`;
    states.set(key, [...(states.get(key) ?? []), state]);
  }
  return states;
}

/** Expects every key to have gone through exactly one whole path of `command`'s state machine. */
export function expectStatus(stdout: string, command: StatusCommand, keys: readonly StatusKey[]): void {
  const states = statusStates(stdout);
  for (const [digest, name] of keys) {
    const seen = states.get(`${digest} ${name}`);
    expect(seen, `no status of ${digest} ${name} in:\n${stdout}`).toBeDefined();
    expect(PATHS[command], `status of ${digest} ${name} in:\n${stdout}`).toContainEqual(seen);
  }
}

/** The first 12 hex digits of a `sha256:` digest, as status lines show it. */
export function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Expects an argument error as oras words it: `Error: ...`, the usage line and the `-h` hint. */
export function expectUsageError(res: { code: number; stderr: string }, command: string): void {
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/^Error: /);
  expect(res.stderr).toContain(`\nUsage: oras ${command} `);
  expect(res.stderr).toContain(`Run "oras ${command} -h" for more options and examples`);
}
