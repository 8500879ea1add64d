import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { parseTarget } from '../options/target.js';
import { dockerHubHint, platformArg, requireReference, withDockerHubHint } from './run-support.js';

describe('command support', () => {
  it('suggests docker.io/library/<name> for a Docker Hub repository without a namespace', () => {
    const spec = parseTarget('docker.io/hello:v1', {});
    expect(dockerHubHint(spec, 'oras pull docker.io/hello:v1')).toBe(
      'Namespace seems missing. Do you mean "oras pull docker.io/library/hello:v1"?',
    );
    expect(dockerHubHint(parseTarget('docker.io/me/hello:v1', {}), 'x')).toBeUndefined();
    const denied = Object.assign(new Error('denied'), { code: 'ORAS_ERR_UNAUTHORIZED' });
    const wrapped = withDockerHubHint(denied, spec, 'oras pull docker.io/hello:v1');
    expect(wrapped).toBeInstanceOf(CliError);
    expect((wrapped as CliError).hint).toContain('docker.io/library/hello');
    const other = new Error('boom');
    expect(withDockerHubHint(other, spec, 'x')).toBe(other);
  });

  it('requires a tag or digest with the expected form in the hint', () => {
    expect(() => requireReference(parseTarget('localhost:5000/hello', {}), '<form>')).toThrow(
      /no tag or digest/,
    );
    expect(requireReference(parseTarget('localhost:5000/hello:v1', {}), '<form>')).toBe('v1');
  });

  it('parses --platform and explains a bad one', () => {
    expect(platformArg({ platform: 'linux/arm64/v8' })).toMatchObject({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(platformArg({})).toBeUndefined();
    expect(() => platformArg({ platform: '/' })).toThrow(CliError);
  });
});
