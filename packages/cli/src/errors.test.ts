import { InvalidNameError, PathTraversalError } from '@oras/content/file';
import { ErrorCode, OrasError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { CliError, describeError, errorMessage, PATH_TRAVERSAL_HINT, renderError } from './errors.js';

describe('error output', () => {
  it('is one Error line, with the hint oras gives for the code on the next line', () => {
    expect(
      describeError(new OrasError('x: path traversal disallowed', { code: ErrorCode.PathTraversal })),
    ).toEqual(['Error: x: path traversal disallowed', PATH_TRAVERSAL_HINT]);
    expect(describeError(new CliError('bad', { usage: 'oras pull <name>', hint: 'try this' }))).toEqual([
      'Error: bad',
      'Usage: oras pull <name>',
      'try this',
    ]);
    expect(renderError(new Error('plain'))).toBe('Error: plain\n');
  });

  it('escapes the control characters a message carries from the network', () => {
    expect(describeError(new OrasError('registry says: bell\u0007\u001b[2Jgone\r\u0000x'))).toEqual([
      'Error: registry says: bell\\a\\x1b[2Jgone\\r\\x00x',
    ]);
  });

  it('puts Node system errors the Go way', () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, open 'a.txt'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: 'a.txt',
    });
    expect(errorMessage(err)).toBe('open a.txt: no such file or directory');
  });

  it('adds the stack and cause chain with debug only', () => {
    const err = new OrasError('outer', { cause: new Error('inner') });
    expect(renderError(err)).toBe('Error: outer\n');
    const debug = renderError(err, true);
    expect(debug).toContain('OrasError [ORAS_ERR_UNKNOWN]: outer');
    expect(debug).toContain('caused by: Error: inner');
  });
});

describe('hints through the cause chain', () => {
  it('finds the path traversal hint under a copy error', () => {
    const inner = new OrasError('name "/x": is outside the output directory', {
      code: ErrorCode.PathTraversal,
    });
    const outer = new OrasError('destination: push sha256:ab: name "/x"', {
      code: ErrorCode.Copy,
      cause: inner,
    });
    expect(describeError(outer)).toEqual([
      'Error: destination: push sha256:ab: name "/x"',
      PATH_TRAVERSAL_HINT,
    ]);
  });

  it('suggests --allow-path-traversal for a real traversal only, never for an invalid name', () => {
    const copy = (cause: Error) =>
      new OrasError(`destination: push sha256:ab: ${cause.message}`, { code: ErrorCode.Copy, cause });
    expect(
      describeError(copy(new PathTraversalError('name "../x": is outside the output directory'))),
    ).toEqual([
      'Error: destination: push sha256:ab: name "../x": is outside the output directory',
      PATH_TRAVERSAL_HINT,
    ]);
    expect(
      describeError(copy(new InvalidNameError('name "evil\\u0000name": contains a NUL character'))),
    ).toEqual(['Error: destination: push sha256:ab: name "evil\\u0000name": contains a NUL character']);
  });
});
