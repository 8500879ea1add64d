import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { captureContext } from '../test-support/capture.js';
import { parseCommon, progressMode } from './common.js';
import { parseFormat } from './format.js';
import { platformArg } from './platform.js';
import { parseHeaders, parseRemote, readSecret, usePlainHttp } from './remote.js';
import {
  annotatedReference,
  parseTarget,
  referrersCapability,
  requireReference,
  splitLayoutReference,
} from './target.js';

describe('common flags', () => {
  it('show live progress only on a terminal, never with --debug, --no-tty or output to stdout', () => {
    const tty = captureContext({ tty: true });
    const plain = captureContext();
    const mode = (argv: Record<string, unknown>, ctx = tty, toStdout = false) =>
      progressMode(parseCommon(argv, ctx), ctx, toStdout);
    expect(mode({})).toBe('tty');
    expect(mode({}, plain)).toBe('plain');
    expect(mode({ debug: true })).toBe('plain');
    expect(mode({ 'no-tty': true })).toBe('plain');
    expect(mode({}, tty, true)).toBe('plain');
    expect(mode({ 'no-tty': false }, tty, true)).toBe('tty');
    expect(mode({ progress: 'json' })).toBe('json');
  });

  it('warn about the deprecated --verbose', () => {
    const ctx = captureContext();
    parseCommon({ verbose: true }, ctx);
    expect(ctx.err()).toBe('Flag --verbose has been deprecated, and will be removed in a future release.\n');
  });
});

describe('format flags', () => {
  it('read text, json and go templates in both spellings', () => {
    expect(parseFormat({})).toEqual({ type: 'text' });
    expect(parseFormat({ format: 'json' })).toEqual({ type: 'json' });
    expect(parseFormat({ format: 'go-template={{.digest}}' })).toEqual({
      type: 'go-template',
      template: '{{.digest}}',
    });
    expect(parseFormat({ format: 'go-template', template: '{{.digest}}' })).toEqual({
      type: 'go-template',
      template: '{{.digest}}',
    });
    expect(parseFormat({ template: '{{.digest}}' })).toEqual({
      type: 'go-template',
      template: '{{.digest}}',
    });
  });

  it('refuse unknown formats and templates without go-template', () => {
    expect(() => parseFormat({ format: 'yaml' })).toThrow(/invalid format type: "yaml"/);
    expect(() => parseFormat({ format: 'go-template' })).toThrow(CliError);
    expect(() => parseFormat({ format: 'json', template: 'x' })).toThrow(
      /--template must be used with --format go-template/,
    );
  });
});

describe('remote flags', () => {
  it('warn about a password or token on the command line', () => {
    const ctx = captureContext();
    const opts = parseRemote({ username: 'u', password: 'p' }, ctx);
    expect(opts).toMatchObject({ username: 'u', password: 'p', passwordStdin: false });
    expect(ctx.err()).toBe('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    const token = captureContext();
    parseRemote({ 'identity-token': 't' }, token);
    expect(token.err()).toContain('Using --identity-token via the CLI is insecure');
  });

  it('refuse the combinations oras refuses', () => {
    const ctx = captureContext();
    expect(() => parseRemote({ password: 'p', 'password-stdin': true }, ctx)).toThrow(
      /cannot both be provided/,
    );
    expect(() => parseRemote({ username: 'u', 'identity-token': 't' }, ctx)).toThrow(
      /--username and --identity-token/,
    );
    expect(() => parseRemote({ 'cert-file': 'c' }, ctx)).toThrow(
      /--cert-file and --key-file must both be provided/,
    );
  });

  it('read prefixed sets for the two ends of cp, sharing the base --resolve', () => {
    const ctx = captureContext();
    const argv = {
      'from-username': 'a',
      'to-plain-http': true,
      resolve: ['r:1:127.0.0.1'],
      'to-resolve': ['s:2:127.0.0.1'],
    };
    expect(parseRemote(argv, ctx, 'from-')).toMatchObject({
      username: 'a',
      plainHttp: undefined,
      resolve: ['r:1:127.0.0.1'],
    });
    expect(parseRemote(argv, ctx, 'to-')).toMatchObject({
      plainHttp: true,
      resolve: ['r:1:127.0.0.1', 's:2:127.0.0.1'],
    });
  });

  it('parse headers and reject an empty name', () => {
    expect(parseHeaders(['X-A: 1', 'x-a:2', 'B:c: d'])).toEqual({ 'x-a': ['1', '2'], b: ['c: d'] });
    expect(() => parseHeaders([': v'])).toThrow(/invalid header/);
    expect(() => parseHeaders(['novalue'])).toThrow(/invalid header/);
  });

  it('use plain HTTP for localhost unless told otherwise', () => {
    const ctx = captureContext();
    const none = parseRemote({}, ctx);
    expect(usePlainHttp(none, 'localhost:5000')).toBe(true);
    expect(usePlainHttp(none, 'localhost')).toBe(true);
    expect(usePlainHttp(none, '127.0.0.1:5000')).toBe(false);
    expect(usePlainHttp(none, 'registry.example')).toBe(false);
    expect(usePlainHttp(parseRemote({ 'plain-http': false }, ctx), 'localhost:5000')).toBe(false);
    expect(usePlainHttp(parseRemote({ 'plain-http': true }, ctx), '127.0.0.1:5000')).toBe(true);
  });

  it('read secrets from stdin without the trailing line break', async () => {
    expect(await readSecret(Readable.from([Buffer.from('s3cret\r\n')]))).toBe('s3cret');
    expect(await readSecret(Readable.from([Buffer.from('a\nb\n')]))).toBe('a\nb');
  });
});

describe('targets', () => {
  it('parse registry references with extra tags', () => {
    const t = parseTarget('localhost:5000/hello:v1,v2', {}, { allowTags: true });
    expect(t.kind).toBe('registry');
    expect(t.tags).toEqual(['v1', 'v2']);
    expect(t.raw).toBe('localhost:5000/hello:v1');
    expect(annotatedReference(t)).toBe('[registry] localhost:5000/hello:v1');
  });

  it('parse OCI layout references, with the path flag letting a tag hold a colon', () => {
    expect(splitLayoutReference('dir/sub:v1')).toEqual({ path: 'dir/sub', reference: 'v1' });
    expect(splitLayoutReference(`dir@sha256:${'a'.repeat(64)}`)).toEqual({
      path: 'dir',
      reference: `sha256:${'a'.repeat(64)}`,
    });
    expect(splitLayoutReference('dir')).toEqual({ path: 'dir', reference: undefined });
    const t = parseTarget('example.com:v1', { 'oci-layout-path': 'layout' });
    expect(t).toMatchObject({ kind: 'oci-layout', path: 'layout', reference: 'example.com:v1' });
    const tagged = parseTarget('layout:a,b', { 'oci-layout': true }, { allowTags: true });
    expect(tagged).toMatchObject({ path: 'layout', reference: 'a', tags: ['a', 'b'] });
    expect(() => parseTarget('layout:a', { 'oci-layout': true, header: ['a: b'] })).toThrow(
      /not supported for OCI image layout/,
    );
  });

  it('hint the expected form for an invalid reference', () => {
    try {
      parseTarget('localhost:5000/Hello', {}, { form: '<registry>/<repo>{:<tag>|@<digest>}' });
      expect.unreachable();
    } catch (error) {
      expect((error as CliError).code).toBe('ORAS_ERR_INVALID_REFERENCE');
      expect((error as CliError).hint).toContain('<registry>/<repo>{:<tag>|@<digest>}');
    }
  });

  it('require a tag or digest with the expected form in the hint', () => {
    expect(() => requireReference(parseTarget('localhost:5000/hello', {}), '<form>')).toThrow(
      /no tag or digest/,
    );
    expect(requireReference(parseTarget('localhost:5000/hello:v1', {}), '<form>')).toBe('v1');
  });

  it('map --distribution-spec to the referrers capability', () => {
    expect(referrersCapability({ 'distribution-spec': 'v1.1-referrers-api' })).toBe(true);
    expect(referrersCapability({ 'to-distribution-spec': 'v1.1-referrers-tag' }, 'to-')).toBe(false);
    expect(referrersCapability({})).toBeUndefined();
  });
});

describe('platform flag', () => {
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
