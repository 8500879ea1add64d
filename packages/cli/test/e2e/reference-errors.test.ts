/**
 * Reference errors in oras 1.3's words, for every command that takes a reference: oras-go's
 * classes (`"/oras": invalid reference: invalid registry ""`, `invalid repository`, `invalid
 * tag`, `invalid digest "...": invalid checksum digest length`) with oras's hint, and a missing tag
 * or digest as `no tag or digest specified` with the usage line and `Please specify a reference`;
 * `attach` without a file asks `Are you missing an artifact reference to attach to?`.
 * Nothing here reaches a registry: the errors come before any request.
 */
import { describe, expect, it } from 'vitest';
import { oras } from './fixture.js';

const HINT = 'Please make sure the provided reference is in the form of <registry>/<repo>[:tag|@digest]';
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Every command line that takes one reference, with `REF` where it goes. */
const TAKES_REFERENCE: readonly (readonly string[])[] = [
  ['push', 'REF', 'f.txt'],
  ['pull', 'REF'],
  ['attach', '--artifact-type', 't/x', 'REF', 'f.txt'],
  ['discover', 'REF'],
  ['resolve', 'REF'],
  ['cp', 'REF', 'localhost:5000/dst:v1'],
  ['cp', 'localhost:5000/src:v1', 'REF'],
  ['manifest', 'fetch', 'REF'],
  ['manifest', 'fetch-config', 'REF'],
  ['manifest', 'delete', 'REF'],
  ['manifest', 'push', 'REF', 'm.json'],
  ['manifest', 'index', 'create', 'REF'],
  ['manifest', 'index', 'update', 'REF', '--add', 'v1'],
  ['blob', 'fetch', '--output', 'x', 'REF'],
  ['blob', 'delete', 'REF'],
  ['blob', 'push', 'REF', 'f.txt'],
  ['repo', 'tags', 'REF'],
];

const line = (args: readonly string[], ref: string) => args.map((a) => (a === 'REF' ? ref : a));

describe('an invalid reference', () => {
  it('is reported in oras-go words by every command that takes one', async () => {
    for (const args of TAKES_REFERENCE) {
      const res = await oras(line(args, '/oras'));
      expect({ args, code: res.code, stderr: res.stderr, stdout: res.stdout }).toEqual({
        args,
        code: 1,
        stderr: `Error: "/oras": invalid reference: invalid registry ""\n${HINT}\n`,
        stdout: '',
      });
    }
  });

  it('names each class of problem as oras-go does', async () => {
    const cases: readonly (readonly [string, string])[] = [
      ['localhost:5000', 'missing registry or repository'],
      ['', 'missing registry or repository'],
      ['localhost:5000/Hello:v1', 'invalid repository "Hello"'],
      ['localhost:5000/hello:-v1', 'invalid tag "-v1"'],
      ['localhost:5000/hello@sha256:12', 'invalid digest "sha256:12": invalid checksum digest length'],
      ['localhost:5000/hello@v1', 'invalid digest "v1": invalid checksum digest format'],
      [
        `localhost:5000/hello@md5:${'a'.repeat(32)}`,
        `invalid digest "md5:${'a'.repeat(32)}": unsupported digest algorithm`,
      ],
      [
        `localhost:5000/hello@sha256:${'A'.repeat(64)}`,
        `invalid digest "sha256:${'A'.repeat(64)}": invalid checksum digest format`,
      ],
      ['local host/hello:v1', 'invalid registry "local host"'],
    ];
    for (const [ref, problem] of cases) {
      const res = await oras(['resolve', ref]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`Error: ${JSON.stringify(ref)}: invalid reference: ${problem}\n${HINT}\n`);
    }
  });

  it('says which tag of a tag list is invalid', async () => {
    const res = await oras(['push', 'localhost:5000/hello:v1,b!', 'f.txt']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `Error: "localhost:5000/hello:v1,b!": invalid reference: invalid tag "b!"\n${HINT}\n`,
    );
  });

  it('is named by oras tag, and by backup and repo ls in their own words', async () => {
    const tag = await oras(['tag', '/oras', 'v2']);
    expect(tag.stderr).toBe(
      `Error: unable to add tag for '/oras': "/oras": invalid reference: invalid registry ""\n${HINT}\n`,
    );
    const backup = await oras(['backup', '--output', 'out', 'localhost:5000/Hello']);
    expect(backup.code).toBe(1);
    expect(backup.stderr.split('\n')[0]).toBe(
      'Error: invalid reference "localhost:5000/Hello": invalid reference: invalid repository "Hello"',
    );
    const ls = await oras(['repo', 'ls', 'local host']);
    expect(ls.code).toBe(1);
    expect(ls.stderr.split('\n')[0]).toBe(
      'Error: could not parse repository path: invalid reference: invalid registry "local host"',
    );
  });
});

describe('a malformed source of an index', () => {
  it('is named as oras-go names it', async () => {
    const tag = await oras(['manifest', 'index', 'create', 'localhost:5000/hello:idx', 'BAD!']);
    expect(tag.code).toBe(1);
    expect(tag.stderr.split('\n')[0]).toBe(
      'Error: could not find the manifest BAD!: invalid reference: invalid tag "BAD!"',
    );
    const digest = await oras(['manifest', 'index', 'create', 'localhost:5000/hello:idx', 'sha256:12']);
    expect(digest.stderr.split('\n')[0]).toBe(
      'Error: could not find the manifest sha256:12: invalid reference: invalid digest "sha256:12": invalid checksum digest length',
    );
  });
});

describe('a reference without a tag or digest', () => {
  /** The commands that need one, with their usage line. */
  const NEEDS_REFERENCE: readonly (readonly [readonly string[], string])[] = [
    [['pull', 'REF'], 'oras pull [flags] <name>{:<tag>|@<digest>}'],
    [['discover', 'REF'], 'oras discover [flags] <name>{:<tag>|@<digest>}'],
    [['resolve', 'REF'], 'oras resolve [flags] <name>{:<tag>|@<digest>}'],
    [['tag', 'REF', 'v2'], 'oras tag [flags] <name>{:<tag>|@<digest>} <new_tag> [...]'],
    [['manifest', 'fetch', 'REF'], 'oras manifest fetch [flags] <name>{:<tag>|@<digest>}'],
    [['manifest', 'delete', 'REF'], 'oras manifest delete [flags] <name>{:<tag>|@<digest>}'],
    [['manifest', 'fetch-config', 'REF'], ''],
    [['cp', 'REF', 'localhost:5000/dst:v1'], ''],
    [['manifest', 'index', 'update', 'REF', '--add', 'v1'], ''],
  ];

  it('is refused with the usage line and "Please specify a reference"', async () => {
    for (const [args, usage] of NEEDS_REFERENCE) {
      const res = await oras(line(args, 'localhost:5000/hello'));
      const path = ['oras', ...args.slice(0, args.indexOf('REF'))]
        .filter((a) => !a.startsWith('-'))
        .join(' ');
      const lines = res.stderr.split('\n');
      expect({ args, code: res.code, first: lines[0], last: lines[2] }).toEqual({
        args,
        code: 1,
        first: 'Error: "localhost:5000/hello": no tag or digest specified',
        last: `Please specify a reference in the form of "<name>:<tag>" or "<name>@<digest>". Run "${path} -h" for more options and examples`,
      });
      expect(lines[1]).toMatch(usage ? `Usage: ${usage}` : /^Usage: oras /);
    }
  });

  it('reads an empty tag (`repo:`) as no tag, as oras-go does', async () => {
    const res = await oras(['resolve', 'localhost:5000/hello:']);
    expect(res.stderr.split('\n')[0]).toBe('Error: "localhost:5000/hello:": no tag or digest specified');
  });

  it('asks a blob command for a digest', async () => {
    for (const args of [
      ['blob', 'fetch', '--output', 'x', 'localhost:5000/hello'],
      ['blob', 'delete', 'localhost:5000/hello'],
    ]) {
      const res = await oras(args);
      expect(res.code).toBe(1);
      const path = `oras blob ${args[1]}`;
      const lines = res.stderr.split('\n');
      expect(lines[0]).toBe('Error: "localhost:5000/hello": no digest specified');
      expect(lines[1]).toMatch(new RegExp(`^Usage: ${path} `));
      expect(lines[2]).toBe(
        `Please specify a reference in the form of "<name>@<digest>". Run "${path} -h" for more options and examples`,
      );
    }
    const layout = await oras(['blob', 'fetch', '--oci-layout', '--output', 'x', `dir@${DIGEST}`]);
    expect(layout.stderr).not.toContain('no digest specified');
  });
});

describe('attach without a file', () => {
  it('asks whether the subject reference is missing', async () => {
    const missing = await oras(['attach', '--artifact-type', 't/x', 'localhost:5000/hello']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      [
        'Error: "localhost:5000/hello": no tag or digest specified',
        'Usage: oras attach [flags] --artifact-type=<type> <name>{:<tag>|@<digest>} {<file>[:<layer_media_type>]|--annotation <key>=<value>} [...]',
        'Are you missing an artifact reference to attach to? Please specify a reference in the form of "<name>:<tag>" or "<name>@<digest>". Run "oras attach -h" for more options and examples',
        '',
      ].join('\n'),
    );
    const invalid = await oras(['attach', '--artifact-type', 't/x', 'sbom.json']);
    expect(invalid.stderr).toBe(
      `Error: "sbom.json": invalid reference: missing registry or repository\nAre you missing an artifact reference to attach to? ${HINT}\n`,
    );
  });

  it('does not ask when files are given', async () => {
    const res = await oras(['attach', '--artifact-type', 't/x', 'localhost:5000/hello', 'f.txt']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no tag or digest specified');
    expect(res.stderr).not.toContain('Are you missing');
  });
});
