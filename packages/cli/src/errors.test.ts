import { InvalidNameError, PathTraversalError } from '@oras/content/file';
import { ErrorCode, OrasError } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import {
  CliError,
  describeError,
  errorMessage,
  goQuote,
  PATH_TRAVERSAL_HINT,
  renderError,
} from './errors.js';

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

/** A registry answer, shaped as `ResponseError` of `@oras/registry`. */
function response(
  statusCode: number,
  errors: { code: string; message: string; detail?: unknown }[] = [],
  message = 'x',
) {
  return Object.assign(new OrasError(message, { code: ErrorCode.Response }), {
    method: 'GET',
    url: 'https://registry.test/v2/team/app/manifests/v1',
    statusCode,
    errors,
  });
}

function copyError(origin: 'source' | 'destination', cause: Error) {
  return Object.assign(
    new OrasError(`${origin}: push sha256:ab: ${cause.message}`, { code: ErrorCode.Copy, cause }),
    {
      origin,
      op: 'push',
    },
  );
}

describe("registry errors in oras's words", () => {
  it("reports the error codes a registry sent, after oras's registry prefix", () => {
    expect(describeError(response(404, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]))).toEqual(
      ['Error response from registry: manifest unknown: manifest unknown'],
    );
    expect(
      describeError(
        response(400, [
          { code: 'NAME_INVALID', message: 'bad name', detail: 'x' },
          { code: 'DENIED', message: '' },
        ]),
      ),
    ).toEqual(['Error response from registry: name invalid: bad name: x; denied']);
  });

  it('reports the status text when the registry sent no error codes', () => {
    expect(describeError(response(401), { credentialHosts: new Set() })).toEqual([
      'Error response from registry: GET "https://registry.test/v2/team/app/manifests/v1": response status code 401: Unauthorized',
      'No credential was sent to registry.test: run "oras login registry.test" or pass --username.',
    ]);
    expect(
      describeError(response(401), {
        credentialHosts: new Set(['registry.test']),
        configPath: '/h/config.json',
      }),
    ).toEqual([
      'Error response from registry: GET "https://registry.test/v2/team/app/manifests/v1": response status code 401: Unauthorized',
      'The registry rejected the credentials for registry.test.',
      'Please check whether the registry credential stored in the authentication file at "/h/config.json" is correct',
    ]);
    expect(describeError(response(403))[1]).toBe(
      'Access denied to the repository registry.test/team/app: the credentials in use are not allowed to do this.',
    );
  });

  it('says "not an OCI registry" for an HTML answer instead of printing it', () => {
    expect(
      describeError(response(404, [], 'GET x: 404: <!DOCTYPE html><html><body>nope</body></html>')),
    ).toEqual([
      'Error response from registry: GET "https://registry.test/v2/team/app/manifests/v1": response status code 404: Not Found: not an OCI registry',
    ]);
  });

  it("escapes a registry's error text, newlines included, so it cannot start a line of its own", () => {
    const lines = describeError(
      response(403, [{ code: 'DENIED', message: 'no\u001b]52;c;eA==\u0007\nError: fake' }]),
    );
    expect(lines[0]).toBe('Error response from registry: denied: no\\x1b]52;c;eA==\\a\\nError: fake');
    const debug = renderError(
      response(403, [{ code: 'DENIED', message: 'x' }], 'evil\nError: fake\u001b[2J'),
      true,
    );
    expect(debug).not.toMatch(/^Error: fake/m);
    expect(debug).not.toContain('\u001b');
  });

  it('names the side of a copy that failed, by its reference as typed', () => {
    const context = {
      from: { type: 'registry' as const, reference: 'localhost:5000/a:v1' },
      to: { type: 'oci-layout' as const, reference: 'out:v1' },
    };
    const notFound = Object.assign(
      new OrasError('localhost:5000/a:v1: not found', { code: ErrorCode.NotFound }),
    );
    expect(describeError(copyError('source', notFound), context)).toEqual([
      'Error from source registry for "localhost:5000/a:v1": localhost:5000/a:v1: not found',
    ]);
    expect(describeError(copyError('destination', new Error('disk full')), context)).toEqual([
      'Error from destination oci-layout for "out:v1": disk full',
    ]);
    // without the sides (a pull), the inner error alone: no "destination: push sha256:..."
    expect(describeError(copyError('destination', new Error('disk full')))).toEqual(['Error: disk full']);
  });

  it('puts a source reference that names nothing as oras.Copy does, with the registry prefix', () => {
    const context = {
      from: { type: 'registry' as const, reference: 'localhost:5000/a:v1' },
      to: { type: 'oci-layout' as const, reference: 'out:v1' },
    };
    const notFound = new OrasError('localhost:5000/a:v1: not found', { code: ErrorCode.NotFound });
    const unresolved = Object.assign(
      new OrasError(`source: resolve v1: ${notFound.message}`, { code: ErrorCode.Copy, cause: notFound }),
      { origin: 'source', op: 'resolve' },
    );
    expect(describeError(unresolved, context)).toEqual([
      'Error response from registry: failed to resolve v1: localhost:5000/a:v1: not found',
    ]);
    const layout = { ...context, from: { type: 'oci-layout' as const, reference: 'dir:v1' } };
    expect(describeError(unresolved, layout)).toEqual([
      'Error: failed to resolve v1: localhost:5000/a:v1: not found',
    ]);
  });

  it('names the authentication file after "basic credential not found"', () => {
    const err = new OrasError('registry.test: basic credential not found', { code: ErrorCode.Unauthorized });
    expect(describeError(err, { configPath: '/home/u/.docker/config.json' })).toEqual([
      'Error: basic credential not found',
      'Please check whether the registry credential stored in the authentication file at "/home/u/.docker/config.json" is correct',
      'To log in, run "oras login registry.test"',
    ]);
  });

  it('puts a refused connection as Go does', () => {
    const err = new OrasError('HEAD http://127.0.0.1:1/v2/a/manifests/b: connect ECONNREFUSED 127.0.0.1:1', {
      code: ErrorCode.Network,
    });
    expect(describeError(err)).toEqual([
      'Error: Head "http://127.0.0.1:1/v2/a/manifests/b": dial tcp 127.0.0.1:1: connect: connection refused',
    ]);
  });

  it("quotes as Go's %q", () => {
    expect(goQuote('a"b\\c\u001b')).toBe('"a\\"b\\\\c\\x1b"');
  });
});

describe('an auth error that keeps the registry answer', () => {
  it('reads as the registry answer, with the rejected-credentials hint', () => {
    const err = Object.assign(
      new OrasError('HEAD https://registry.test/v2/a/manifests/v1: the credentials were rejected (401)', {
        code: ErrorCode.Unauthorized,
      }),
      { statusCode: 401, errors: [] },
    );
    expect(describeError(err, { credentialHosts: new Set(['registry.test']) })).toEqual([
      'Error response from registry: HEAD "https://registry.test/v2/a/manifests/v1": response status code 401: Unauthorized',
      'The registry rejected the credentials for registry.test.',
    ]);
  });
});
