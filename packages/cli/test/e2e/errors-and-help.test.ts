/**
 * What oras prints when something is wrong, end to end, checked against what oras's own e2e suite
 * (test/e2e/suite/command) asserts: argument errors with the usage line and the `Run "oras cp
 * -h"` hint, unknown commands with `Did you mean this?`, unknown flags in cobra's words, registry
 * errors with oras's prefixes (`Error response from registry:`, `Error from source registry for
 * "<ref>":`), credential errors naming the authentication file, a web server that is no
 * registry; then `--help` in cobra's layout, the `--debug` trace format and nested completion.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Distribution, startDistribution } from '@oras-internal/test-registry/distribution';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORAS_BIN, type Sandbox, sandbox, sh } from '../../src/test-support/oras-process.js';

let plain: Distribution;
let basic: Distribution;
let box: Sandbox;
let web: Server;
let webHost: string;

beforeAll(async () => {
  [plain, basic] = await Promise.all([
    startDistribution({ mode: 'plain' }),
    startDistribution({ mode: 'basic-tls' }),
  ]);
  box = await sandbox();
  await box.ok(['push', '--plain-http', `${plain.host}/errs:v1`]);
  // a web server that is no registry: an HTML page for everything, 501 for what it cannot do
  web = createServer((req, res) => {
    const status = req.method === 'GET' || req.method === 'HEAD' ? 404 : 501;
    res.writeHead(req.url?.startsWith('/v2/') && req.url !== '/v2/' ? 501 : status, {
      'content-type': 'text/html',
    });
    res.end('<!DOCTYPE html>\n<html><head><title>Error</title></head><body>Unsupported</body></html>\n');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webHost = `127.0.0.1:${(web.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([plain?.stop(), basic?.stop(), box?.remove()]);
  await new Promise((resolve) => web?.close(resolve));
});

describe('argument errors, as oras words them', () => {
  it('reports a wrong number of arguments with the usage line and the -h hint', async () => {
    const res = await box.run(['cp', 'foo', 'bar', 'buz']);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      [
        'Error: "oras cp" requires exactly 2 argument but got 3',
        'Usage: oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]',
        'Please specify exactly 2 argument as the source and destination for copying. Run "oras cp -h" for more options and examples',
        '',
      ].join('\n'),
    );
    const none = await box.run(['tag']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /^Error: "oras tag" requires at least 1 argument but got 0\nUsage: oras tag /,
    );
    expect(none.stderr).toContain('Run "oras tag -h" for more options and examples');
  });

  it('points "oras tag list" to "oras repo tags"', async () => {
    const repo = await box.run(['tag', 'list']);
    expect(repo.code).toBe(1);
    expect(repo.stderr.split('\n')[0]).toBe('Error: there is no "list" sub-command for "oras tag" command');
    expect(repo.stderr).toContain('If you want to list available tags in a repository, use "oras repo tags"');
    const layout = await box.run(['tag', 'list', '--oci-layout']);
    expect(layout.stderr).toContain('in an OCI image layout, use "oras repo tags"');
  });

  it('suggests the closest command for a mistyped command or sub-command', async () => {
    const top = await box.run(['pussh']);
    expect(top.code).toBe(1);
    expect(top.stderr).toBe(
      'Error: unknown command "pussh" for "oras"\n\nDid you mean this?\n\tpush\n\nRun \'oras --help\' for usage.\n',
    );
    const sub = await box.run(['manifest', 'fetc', 'x']);
    expect(sub.code).toBe(1);
    expect(sub.stderr).toBe(
      'Error: unknown command "fetc" for "oras manifest"\n\nDid you mean this?\n\tfetch\n\tfetch-config\n\nRun \'oras manifest --help\' for usage.\n',
    );
  });

  it('names an unknown flag as cobra does, never a camelCase alias', async () => {
    const long = await box.run(['push', '--plain-htp', 'localhost:5000/a:b']);
    expect(long.code).toBe(1);
    expect(long.stderr).toBe('Error: unknown flag: --plain-htp\n');
    const camel = await box.run(['push', '--plainHttp', 'localhost:5000/a:b']);
    expect(camel.stderr).toBe('Error: unknown flag: --plainHttp\n');
    const short = await box.run(['manifest', 'fetch', '-x', 'localhost:5000/a:b']);
    expect(short.stderr).toBe("Error: unknown shorthand flag: 'x' in -x\n");
    const value = await box.run(['pull', 'localhost:5000/a:b', '--output']);
    expect(value.stderr).toBe('Error: flag needs an argument: --output\n');
  });

  it('shows the help of a command group given no sub-command', async () => {
    for (const group of ['manifest', 'blob', 'repo']) {
      const res = await box.run([group]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`Usage:\n  oras ${group} [command]\n`);
      expect(res.stdout).toContain('\nAvailable Commands:\n');
      expect(res.stdout).toContain(
        `Use "oras ${group} [command] --help" for more information about a command.`,
      );
    }
  });
});

describe("invalid flag combinations, refused in oras's words", () => {
  const ref = () => `${plain.host}/errs:v1`;
  const cases: [string, () => string[], string[]][] = [
    [
      '--format with the deprecated --output',
      () => ['discover', '--plain-http', ref(), '--format', 'json', '-o', 'json'],
      ['Error: --format, --output cannot be used at the same time'],
    ],
    [
      '--depth 0',
      () => ['discover', '--plain-http', ref(), '--depth', '0'],
      ['Error: depth value should be at least 1'],
    ],
    [
      '--template without --format go-template',
      () => ['manifest', 'fetch', '--plain-http', ref(), '--format', 'json', '--template', '{{.digest}}'],
      ['Error: --template must be used with --format go-template'],
    ],
    [
      '--format =',
      () => ['push', '--plain-http', ref(), '--format', '='],
      ['Error: invalid format type: "="', 'supported types: json, go-template, text'],
    ],
    [
      'an empty --format go-template=',
      () => ['push', '--plain-http', ref(), '--format', 'go-template='],
      [
        'Error: "go-template" format specified but no template given',
        'use `--format go-template=TEMPLATE` to specify the template',
      ],
    ],
    [
      'an unknown --image-spec',
      () => ['push', '--plain-http', ref(), '--image-spec', 'v9'],
      [
        'Error: invalid argument "v9" for "--image-spec" flag: unknown image specification flag: v9',
        'Available options: v1.1, v1.0',
      ],
    ],
    [
      'an unknown --from-distribution-spec',
      () => ['cp', '--from-distribution-spec', 'v2', ref(), `${plain.host}/errs-copy:v1`],
      [
        'Error: invalid argument "v2" for "--from-distribution-spec" flag: unknown distribution specification flag: v2',
        'Available options: v1.1-referrers-tag, v1.1-referrers-api',
      ],
    ],
  ];
  for (const [what, args, lines] of cases) {
    it(`refuses ${what}`, async () => {
      const res = await box.run(args());
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`${lines.join('\n')}\n`);
    });
  }

  it('marks deprecated flags [Deprecated] in help', async () => {
    const res = await box.ok(['discover', '--help']);
    expect(res.stdout).toMatch(/ {2}-o, --output string\s+\[Deprecated\] /);
    // oras 1.3 deprecates push's -v with pflag's MarkDeprecated, which hides it from help
    const push = await box.ok(['push', '--help']);
    expect(push.stdout).not.toMatch(/--verbose/);
  });
});

describe('registry errors, with oras prefixes', () => {
  it('prefixes what a registry answered with "Error response from registry:"', async () => {
    const missing = await box.run(['manifest', 'fetch', '--plain-http', `${plain.host}/errs:nope`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error response from registry: .*errs:nope.*not found\n$/);
    const tags = await box.run(['pull', '--plain-http', `${plain.host}/errs:nope`, '-o', 'out']);
    expect(tags.stderr).toMatch(/^Error response from registry: .*not found\n$/);
  });

  it('says which side of a copy failed', async () => {
    const src = `${plain.host}/errs:nope`;
    const source = await box.run(['cp', '--from-plain-http', '--to-plain-http', src, `${plain.host}/dst:v1`]);
    expect(source.code).toBe(1);
    // a source that names nothing is a missing manifest to oras, not a failure of one side
    expect(source.stderr).toBe(`Error response from registry: failed to resolve nope: ${src}: not found\n`);
    const dst = `${basic.host}/errs-dst:v1`;
    const destination = await box.run([
      'cp',
      '--from-plain-http',
      '--to-ca-file',
      basic.caFile ?? '',
      `${plain.host}/errs:v1`,
      `${dst},extra`,
    ]);
    expect(destination.code).toBe(1);
    expect(destination.stderr).toBe(
      [
        `Error from destination registry for "${dst}": basic credential not found`,
        `Please check whether the registry credential stored in the authentication file at "${join(box.dockerConfig, 'config.json')}" is correct`,
        `To log in, run "oras login ${basic.host}"`,
        '',
      ].join('\n'),
    );
  });

  it('reports rejected credentials with the status text oras prints', async () => {
    const res = await box.run([
      'resolve',
      '--ca-file',
      basic.caFile ?? '',
      '-u',
      'oras',
      '-p',
      'wrong-password',
      `${basic.host}/errs:v1`,
    ]);
    expect(res.code).toBe(1);
    const lines = res.stderr.split('\n');
    expect(lines).toContain(
      `Error response from registry: HEAD "https://${basic.host}/v2/errs/manifests/v1": response status code 401: Unauthorized`,
    );
    expect(lines).toContain(`The registry rejected the credentials for ${basic.host}.`);
    expect(res.stderr).not.toContain('wrong-password');
  });

  it('puts a refused connection as oras does', async () => {
    const res = await box.run(['resolve', '--plain-http', '127.0.0.1:1/x:y']);
    expect(res.code).toBe(1);
    // one line, in Go's words (`connection refused`), naming where it went
    expect(res.stderr).toMatch(/^Error: [^\n]*127\.0\.0\.1:1[^\n]*connection refused\n$/);
  });

  it('tells to use --plain-http when HTTPS reaches a plain-HTTP server', async () => {
    const res = await box.run(['manifest', 'fetch', `${webHost}/x:v1`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^Error: [^\n]*the registry at 127\.0\.0\.1:\d+ speaks plain HTTP: use --plain-http\n$/,
    );
  });

  it('says "not an OCI registry" for a web server, never its HTML', async () => {
    const res = await box.run(['manifest', 'fetch', '--plain-http', `${webHost}/x:v1`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `Error response from registry: GET "http://${webHost}/v2/x/manifests/v1": response status code 501: Not Implemented: not an OCI registry\n`,
    );
    const debug = await box.run(['manifest', 'fetch', '--plain-http', '-d', `${webHost}/x:v1`]);
    expect(debug.stderr).not.toContain('<html>\n');
  });
});

describe('--help, as cobra lays it out for oras', () => {
  it('shows every flag with its type and default, in one sorted Flags block', async () => {
    const res = await box.ok(['cp', '--help']);
    const out = res.stdout;
    expect(out).toMatch(/^Copy artifacts from one target to another/);
    expect(out).toContain('\nUsage:\n  oras cp [flags] <from>{:<tag>|@<digest>} <to>[:<tag>[,<tag>][...]]\n');
    expect(out).toContain('\nAliases:\n  cp, copy\n');
    // oras's e2e: "--from-distribution-spec string\s+[Preview]" and "-r, --recursive\s+[Preview]"
    expect(out).toMatch(/--from-distribution-spec string\s+\[Preview\]/);
    expect(out).toMatch(/-r, --recursive\s+\[Preview\]/);
    expect(out).toMatch(/--to-distribution-spec string\s+\[Preview\]/);
    expect(out).toMatch(/ {6}--concurrency int\s+concurrency level \(default 3\)\n/);
    expect(out).toMatch(/ {2}-h, --help\s+help for cp\n/);
    expect(out).not.toMatch(/\[string\]|\[boolean\]|\[array\]|^Positionals:|^Options:/m);
    const names = [...out.matchAll(/^ {2}(?:-\w, | {4})--([\w-]+)/gm)].map((m) => m[1]);
    expect(names).toEqual([...names].sort());
  });

  it('marks --no-tty as [Preview] with oras words', async () => {
    const res = await box.ok(['push', '-h']);
    // oras 1.3's option.Terminal words
    expect(res.stdout).toMatch(/ {6}--no-tty\s+\[Preview\] disable progress bars\n/);
  });
});

describe('--debug', () => {
  it("prints oras's request and response trace, numbered once each, secrets masked", async () => {
    const res = await box.run([
      'resolve',
      '--ca-file',
      basic.caFile ?? '',
      '-u',
      'oras',
      '-p',
      basic.users?.oras ?? '',
      '-H',
      'X-Api-Key: s3cret-header',
      '-d',
      `${basic.host}/errs:v1`,
    ]);
    const err = res.stderr;
    expect(err).toMatch(
      /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\]\[DEBUG\]: Request #0\n> Request URL: "https:\/\/[^"]+\/v2\/errs\/manifests\/v1"\n> Request method: "HEAD"\n> Request headers:\n/m,
    );
    expect(err).toMatch(
      /\]\[DEBUG\]: Response #0\n< Response Status: "401 Unauthorized"\n< Response headers:\n/,
    );
    expect(err.match(/: Request #0\n/g)).toHaveLength(1);
    expect(err).toContain('   "X-Api-Key": "<redacted>"');
    expect(err).toContain('   "Authorization": "Basic <redacted>"');
    expect(err).not.toContain('s3cret-header');
    expect(err).not.toContain(basic.users?.oras ?? '<none>');
  });

  it('names each error of the cause chain after its class (the minified bundle keeps class names)', async () => {
    const res = await box.run(['manifest', 'fetch', '--plain-http', '-d', `${plain.host}/errs:nope`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^CliError \[ORAS_ERR_NOT_FOUND\]: failed to fetch the content of /m);
    expect(res.stderr).toMatch(/^caused by: NotFoundError \[ORAS_ERR_NOT_FOUND\]: .*errs:nope: not found$/m);
  });
});

describe('shell completion', () => {
  const bash = async (words: string[], cword: number) => {
    const script = join(box.dir, 'complete.bash');
    await writeFile(
      script,
      `oras() { '${process.execPath}' '${ORAS_BIN}' "$@"; }
source <(oras completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${cword}
_oras; printf '%s\\n' "\${COMPREPLY[@]}"
`,
    );
    return sh(`bash ${script}`, { cwd: box.dir });
  };

  it('completes nested sub-commands and their flags', async () => {
    const sub = await bash(['oras', 'manifest', 'fe'], 2);
    expect(sub.stdout.trim().split('\n')).toEqual(['fetch', 'fetch-config']);
    const flag = await bash(['oras', 'manifest', 'fetch', '--pre'], 3);
    expect(flag.stdout.trim().split('\n')).toEqual(['--pretty']);
    const top = await bash(['oras', 'pu'], 1);
    expect(top.stdout.trim().split('\n')).toEqual(['pull', 'push']);
    const index = await bash(['oras', 'manifest', 'index', 'c'], 3);
    expect(index.stdout.trim().split('\n')).toEqual(['create']);
  });
});
