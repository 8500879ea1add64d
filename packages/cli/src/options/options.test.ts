import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { captureContext } from '../test-support/capture.js';
import { common, progressMode } from './common.js';
import { flagSet } from './flag-set.js';
import { formatOptions } from './format.js';
import { platformOptions } from './platform.js';
import { type FlagPrefix, parseHeaders, readSecret, remoteOptions, usePlainHttp } from './remote.js';
import {
  annotatedReference,
  distributionSpecOptions,
  parseTargetSpec,
  requireReference,
  splitLayoutReference,
  targetOptions,
} from './target.js';

type Argv = Record<string, unknown>;
const parseCommon = (argv: Argv, ctx = captureContext()) => common.parse(argv, ctx);
const parseFormat = (argv: Argv) => formatOptions().parse(argv);
const parseRemote = (argv: Argv, ctx = captureContext(), prefix: FlagPrefix = '') =>
  remoteOptions(prefix).parse(argv, ctx);

describe('flag sets', () => {
  const set = flagSet({
    name: { type: 'string' },
    list: { type: 'string', array: true },
    count: { type: 'number', default: 3 },
    on: { type: 'boolean' },
    mode: { type: 'string', choices: ['a', 'b'], default: 'a' },
  });

  it('read each flag typed by its definition, absent ones as their default', () => {
    expect(set.read({})).toEqual({ name: undefined, list: [], count: 3, on: undefined, mode: 'a' });
    expect(set.read({ name: 'x', list: 'one', count: 7, on: false, mode: 'b' })).toEqual({
      name: 'x',
      list: ['one'],
      count: 7,
      on: false,
      mode: 'b',
    });
  });

  it('take the last of a repeated single-valued flag', () => {
    expect(set.read({ name: ['x', 'y'], list: ['p', 'q'] })).toMatchObject({ name: 'y', list: ['p', 'q'] });
  });

  it('put their prefix before every flag name', () => {
    const prefixed = flagSet({ insecure: { type: 'boolean' } }, 'to-');
    expect(Object.keys(prefixed.flags())).toEqual(['to-insecure']);
    expect(prefixed.read({ 'to-insecure': true, insecure: false })).toEqual({ insecure: true });
  });
});

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
  });

  it('refuse unknown formats and templates without go-template', () => {
    expect(() => parseFormat({ format: 'yaml' })).toThrow(/invalid format type: "yaml"/);
    expect(() => parseFormat({ format: 'go-template' })).toThrow(CliError);
    expect(() => parseFormat({ format: 'json', template: 'x' })).toThrow(
      /^--template must be used with --format go-template$/,
    );
  });

  it("refuse what oras refuses, in oras's words", () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return [(e as CliError).message, (e as CliError).hint];
      }
      return undefined;
    };
    expect(error(() => parseFormat({ template: '{{.digest}}' }))).toEqual([
      '--template must be used with --format go-template',
      undefined,
    ]);
    expect(error(() => parseFormat({ format: 'go-template=' }))).toEqual([
      '"go-template" format specified but no template given',
      'use `--format go-template=TEMPLATE` to specify the template',
    ]);
    expect(error(() => parseFormat({ format: '=' }))).toEqual([
      'invalid format type: "="',
      'supported types: json, go-template, text',
    ]);
  });

  it('fall back to a format outside the choices only when none is given, and take a stand-in', () => {
    const fetchFormats = formatOptions([{ type: 'json', describe: 'json' }]);
    expect(fetchFormats.parse({})).toEqual({ type: 'text' });
    expect(() => fetchFormats.parse({ format: 'text' })).toThrow(/invalid format type: "text"/);
    expect(fetchFormats.given({ template: 'x' })).toEqual({ format: undefined, template: 'x' });
    expect(formatOptions().parse({}, undefined, 'json')).toEqual({ type: 'json' });
    expect(formatOptions().parse({ format: 'text' }, undefined, 'json')).toEqual({ type: 'text' });
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
    // oras's CheckMutuallyExclusiveFlags words, the flags in the order oras lists them
    expect(() => parseRemote({ password: 'p', 'password-stdin': true }, ctx)).toThrow(
      /^--password, --password-stdin cannot be used at the same time$/,
    );
    expect(() => parseRemote({ username: 'u', 'identity-token': 't' }, ctx)).toThrow(
      /^--username, --identity-token cannot be used at the same time$/,
    );
    expect(() => parseRemote({ 'password-stdin': true, 'identity-token-stdin': true }, ctx)).toThrow(
      /^--identity-token-stdin, --password-stdin cannot be used at the same time$/,
    );
    expect(() => parseRemote({ 'cert-file': 'c' }, ctx)).toThrow(
      /--cert-file and --key-file must both be provided/,
    );
  });

  it('read prefixed sets for the two ends of cp, sharing the base --resolve, latest rule first', () => {
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
      resolve: ['s:2:127.0.0.1', 'r:1:127.0.0.1'],
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
    const t = parseTargetSpec('localhost:5000/hello:v1,v2', {}, { allowTags: true });
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
    expect(splitLayoutReference('dir:')).toEqual({ path: 'dir', reference: undefined });
    const t = parseTargetSpec('example.com:v1', { ociLayoutPath: 'layout' });
    expect(t).toMatchObject({ kind: 'oci-layout', path: 'layout', reference: 'example.com:v1' });
    const tagged = parseTargetSpec('layout:a,b', { ociLayout: true }, { allowTags: true });
    expect(tagged).toMatchObject({ path: 'layout', reference: 'a', tags: ['a', 'b'] });
  });

  it('word an invalid reference as oras does, with its hint', () => {
    try {
      parseTargetSpec('localhost:5000/Hello');
      expect.unreachable();
    } catch (error) {
      expect((error as CliError).code).toBe('ORAS_ERR_INVALID_REFERENCE');
      expect((error as CliError).message).toBe(
        '"localhost:5000/Hello": invalid reference: invalid repository "Hello"',
      );
      expect((error as CliError).hint).toBe(
        'Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]',
      );
    }
  });

  it('require a tag or digest, as oras does', () => {
    expect(() => requireReference(parseTargetSpec('localhost:5000/hello'))).toThrow(/no tag or digest/);
    expect(requireReference(parseTargetSpec('localhost:5000/hello:v1'))).toBe('v1');
    const required = targetOptions({ form: '<form>', requireReference: true });
    expect(() => required.parse({}, captureContext(), 'localhost:5000/hello')).toThrow(/no tag or digest/);
    expect(
      required.parse({}, captureContext(), `localhost:5000/hello@sha256:${'a'.repeat(64)}`).reference,
    ).toBe(`sha256:${'a'.repeat(64)}`);
  });

  it('parse the remote flags of a registry target only, as oras does', () => {
    const target = targetOptions();
    const ctx = captureContext();
    const registry = target.parse({ password: 'p' }, ctx, 'localhost:5000/hello:v1');
    expect(registry.remote).toMatchObject({ password: 'p' });
    expect(ctx.err()).toContain('WARNING! Using --password via the CLI is insecure');
    const quiet = captureContext();
    const layout = target.parse({ 'oci-layout': true, password: 'p' }, quiet, 'dir:v1');
    expect(layout).toMatchObject({ spec: { kind: 'oci-layout', path: 'dir' }, remote: undefined });
    expect(quiet.err()).toBe('');
    expect(() => target.parse({ 'oci-layout': true, header: ['a: b'] }, quiet, 'layout:a')).toThrow(
      /custom header flag `--header` is not supported for OCI image layout/,
    );
    expect(target.secretFromStdin({ 'password-stdin': true })).toBe(true);
  });

  it('read the two ends of cp from their prefixed flags', () => {
    const from = targetOptions({ prefix: 'from-', distributionSpec: true });
    const to = targetOptions({ prefix: 'to-', allowTags: true });
    const argv = {
      'from-oci-layout': true,
      'from-distribution-spec': 'v1.1-referrers-tag',
      'to-plain-http': true,
    };
    expect(from.parse(argv, captureContext(), 'dir:v1')).toMatchObject({
      spec: { kind: 'oci-layout' },
      referrersCapability: false,
    });
    expect(to.parse(argv, captureContext(), 'localhost:5000/a:v1,v2')).toMatchObject({
      spec: { kind: 'registry', tags: ['v1', 'v2'] },
      remote: { plainHttp: true },
    });
    expect(Object.keys(from.flags())).toContain('from-oci-layout');
    expect(Object.keys(to.flags())).not.toContain('to-password-stdin');
  });

  it('map --distribution-spec to the referrers capability', () => {
    const ctx = captureContext();
    expect(distributionSpecOptions().parse({ 'distribution-spec': 'v1.1-referrers-api' }, ctx)).toBe(true);
    expect(distributionSpecOptions('to-').parse({ 'to-distribution-spec': 'v1.1-referrers-tag' }, ctx)).toBe(
      false,
    );
    expect(distributionSpecOptions().parse({}, ctx)).toBeUndefined();
  });
});

describe('platform flag', () => {
  it('parses --platform and explains a bad one', () => {
    const platform = platformOptions();
    const ctx = captureContext();
    expect(platform.parse({ platform: 'linux/arm64/v8' }, ctx)).toMatchObject({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(platform.parse({}, ctx)).toBeUndefined();
    expect(() => platform.parse({ platform: '/' }, ctx)).toThrow(CliError);
  });
});
