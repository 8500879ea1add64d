/**
 * A registry's error text is the registry's to write, and a lying one writes terminal escapes
 * into it: an OSC 52 sequence that puts its text on the user's clipboard, `ESC [2J` that clears
 * the screen, and a newline followed by `Error: fake` that would start a line looking like the
 * CLI's own. Printed by the error line, by `--debug`'s cause chain and trace, none of it may
 * reach the terminal raw: every run ends in one clean error line, with or without `--debug`.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useHostileServer, useSandbox } from '../harness/fixture.js';
import type { HostileRequest } from '../harness/hostile-server.js';
import { cleanFailureProblems } from '../harness/outcome.js';

/** What the lying registry says: a clipboard write, a screen clear, a fake error line. */
const HOSTILE_TEXT = 'access denied\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u009b31m\nError: fake';

const box = useSandbox();

/** Answers every request but the version check with a 403 whose error text is hostile. */
function lyingRegistry(body: (req: HostileRequest) => { type: string; text: string }) {
  return (req: HostileRequest, res: ServerResponse) => {
    if (req.url.pathname === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    const { type, text } = body(req);
    res.writeHead(403, { 'content-type': type });
    res.end(text);
  };
}

const jsonServer = useHostileServer(
  lyingRegistry(() => ({
    type: 'application/json',
    text: JSON.stringify({ errors: [{ code: 'DENIED', message: HOSTILE_TEXT, detail: HOSTILE_TEXT }] }),
  })),
);
const textServer = useHostileServer(lyingRegistry(() => ({ type: 'text/plain', text: HOSTILE_TEXT })));

/** Nothing of the hostile text may reach the output raw, and no line may start with its fake error. */
function rawProblems(stderr: string): string[] {
  const problems: string[] = [];
  if (stderr.includes('\u001b')) problems.push('stderr holds a raw ESC');
  if (stderr.includes('\u009b')) problems.push('stderr holds a raw CSI (U+009B)');
  if (/^Error: fake/m.test(stderr)) problems.push('the registry started a line of its own ("Error: fake")');
  return problems;
}

describe('a registry error text with terminal escapes and a newline', () => {
  for (const [name, server] of [
    ['a distribution error body', jsonServer],
    ['a plain-text body', textServer],
  ] as const) {
    for (const debug of [false, true]) {
      it(`is printed escaped on one line: ${name}${debug ? ', with --debug' : ''}`, async () => {
        const args = ['manifest', 'fetch', '--plain-http', `${server.host}/evil/repo:v1`];
        const run = await box.run(debug ? [...args, '--debug'] : args);
        expect(rawProblems(run.stderr)).toEqual([]);
        expect(cleanFailureProblems(run, /403|denied|Forbidden/i)).toEqual([]);
        if (name === 'a distribution error body' && !debug) {
          expect(run.stderr.split('\n')[0]).toBe(
            `Error response from registry: denied: access denied\\x1b]52;c;cHduZWQ=\\a\\x1b[2J\\u009b31m\\nError: fake: access denied\\x1b]52;c;cHduZWQ=\\a\\x1b[2J\\u009b31m\\nError: fake`,
          );
        }
      });
    }
  }
});
