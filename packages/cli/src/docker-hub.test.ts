import { describe, expect, it } from 'vitest';
import { dockerHubHint, withDockerHubHint } from './docker-hub.js';
import { CliError } from './errors.js';
import { parseTargetSpec } from './options/target.js';

describe('the Docker Hub hint', () => {
  it('suggests docker.io/library/<name> for a Docker Hub repository without a namespace', () => {
    const spec = parseTargetSpec('docker.io/hello:v1');
    expect(dockerHubHint(spec, 'oras pull docker.io/hello:v1')).toBe(
      'Namespace seems missing. Do you mean "oras pull docker.io/library/hello:v1"?',
    );
    expect(dockerHubHint(parseTargetSpec('docker.io/me/hello:v1'), 'x')).toBeUndefined();
    const denied = Object.assign(new Error('denied'), { code: 'ORAS_ERR_UNAUTHORIZED' });
    const wrapped = withDockerHubHint(denied, spec, 'oras pull docker.io/hello:v1');
    expect(wrapped).toBeInstanceOf(CliError);
    expect((wrapped as CliError).hint).toContain('docker.io/library/hello');
    const other = new Error('boom');
    expect(withDockerHubHint(other, spec, 'x')).toBe(other);
  });
});
