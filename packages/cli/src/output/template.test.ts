import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from './template.js';
import { GO_CASES } from './test-support/go-template-cases.js';

const data = {
  digest: 'sha256:abc',
  reference: 'localhost:5000/hello@sha256:abc',
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  files: [
    { path: 'a.txt', size: 1 },
    { path: 'b<c>.txt', size: 2 },
  ],
  annotations: { z: '1', a: '2' },
  empty: [],
};

const render = (tpl: string, value: unknown = data) => compileTemplate(tpl).execute(value);

/** The message of the TemplateError that rendering throws. */
function failure(tpl: string, value: unknown = data): string {
  try {
    render(tpl, value);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as Error).message;
  }
  throw new Error(`${tpl} rendered without an error`);
}

let tz: string | undefined;
beforeAll(() => {
  tz = process.env.TZ;
  process.env.TZ = 'UTC';
});
afterAll(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

describe('go templates: the language', () => {
  it('prints fields, nested fields and $', () => {
    expect(render('{{.digest}}')).toBe('sha256:abc');
    expect(render('{{ .reference }}\n')).toBe('localhost:5000/hello@sha256:abc\n');
    expect(render('{{range .files}}{{$.digest}} {{.path}};{{end}}')).toBe(
      'sha256:abc a.txt;sha256:abc b<c>.txt;',
    );
    expect(render('{{.missing}}')).toBe('<no value>');
  });

  it('ranges with variables, else, sorted map keys, integers, break and continue', () => {
    expect(render('{{range $i, $f := .files}}{{$i}}={{$f.path}} {{end}}')).toBe('0=a.txt 1=b<c>.txt ');
    expect(render('{{range $k, $v := .annotations}}{{$k}}:{{$v}},{{end}}')).toBe('a:2,z:1,');
    expect(render('{{range .empty}}x{{else}}none{{end}}')).toBe('none');
    expect(render('{{range $i := 3}}{{$i}}{{end}}')).toBe('012');
    expect(
      render('{{range until 6}}{{if eq . 1}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}'),
    ).toBe('023');
  });

  it('applies json functions and pipelines the way oras users expect', () => {
    expect(render('{{toJson .annotations}}')).toBe('{"a":"2","z":"1"}');
    expect(render('{{.files | toJson}}')).toBe(
      '[{"path":"a.txt","size":1},{"path":"b\\u003cc\\u003e.txt","size":2}]',
    );
    expect(render('{{toRawJson .files}}')).toContain('b<c>.txt');
    expect(render('{{toPrettyJson .annotations}}')).toBe('{\n  "a": "2",\n  "z": "1"\n}');
    expect(render('{{len .files}} {{index .files 1 "path"}} {{printf "%s/%d" .digest 7}}')).toBe(
      '2 b<c>.txt sha256:abc/7',
    );
  });

  it('handles if / else if / else, with / else with, comparisons, comments and trim markers', () => {
    expect(render('{{if eq .digest "x"}}x{{else if .files}}files{{else}}none{{end}}')).toBe('files');
    expect(render('{{with .annotations}}{{.a}}{{end}}')).toBe('2');
    expect(render('{{with .missing}}m{{else with .annotations}}{{.z}}{{end}}')).toBe('1');
    expect(render('a  {{- /* note */ -}}  b {{- .digest -}}  c')).toBe('absha256:abcc');
    expect(render('{{.annotations}} {{.files}}')).toBe(
      'map[a:2 z:1] [map[path:a.txt size:1] map[path:b<c>.txt size:2]]',
    );
  });

  it('defines, calls and overrides named templates', () => {
    expect(render('{{define "f"}}[{{.path}}]{{end}}{{range .files}}{{template "f" .}}{{end}}')).toBe(
      '[a.txt][b<c>.txt]',
    );
    expect(render('{{block "b" .digest}}<{{.}}>{{end}}')).toBe('<sha256:abc>');
  });

  it('follows Go for the doc examples of text/template', () => {
    // https://pkg.go.dev/text/template#hdr-Examples
    expect(render('{{"\\"output\\""}}')).toBe('"output"');
    expect(render('{{`"output"`}}')).toBe('"output"');
    expect(render('{{printf "%q" "output"}}')).toBe('"output"');
    expect(render('{{"output" | printf "%q"}}')).toBe('"output"');
    expect(render('{{printf "%q" (print "out" "put")}}')).toBe('"output"');
    expect(render('{{"put" | printf "%s%s" "out" | printf "%q"}}')).toBe('"output"');
    expect(render('{{"output" | printf "%s" | printf "%q"}}')).toBe('"output"');
    expect(render('{{with "output"}}{{printf "%q" .}}{{end}}')).toBe('"output"');
    expect(render('{{with $x := "output" | printf "%q"}}{{$x}}{{end}}')).toBe('"output"');
    expect(render('{{with $x := "output"}}{{printf "%q" $x}}{{end}}')).toBe('"output"');
    expect(render('{{with $x := "output"}}{{$x | printf "%q"}}{{end}}')).toBe('"output"');
    expect(render('{{23 -}} < {{- 45}}')).toBe('23<45');
  });
});

describe('go templates: sprig functions oras registers', () => {
  it('computes the examples of the sprig documentation', () => {
    expect(render('{{ "hello" | upper }}')).toBe('HELLO');
    expect(
      render('{{ "  hello  " | trim }}|{{ trimSuffix "-" "hello-" }}|{{ trimPrefix "-" "-hello" }}'),
    ).toBe('hello|hello|hello');
    expect(
      render('{{ "hello world" | title }}|{{ substr 0 5 "hello world" }}|{{ trunc 5 "hello world" }}'),
    ).toBe('Hello World|hello|hello');
    expect(
      render('{{ abbrev 5 "hello world" }}|{{ repeat 3 "hello" }}|{{ "I Am Henry VIII" | replace " " "-" }}'),
    ).toBe('he...|hellohellohello|I-Am-Henry-VIII');
    expect(
      render(
        '{{ list 1 2 3 4 5 | first }} {{ list 1 2 3 4 5 | last }} {{ list 1 2 3 | rest }} {{ list 1 2 3 | initial }}',
      ),
    ).toBe('1 5 [2 3] [1 2]');
    expect(
      render('{{ default "foo" .missing }} {{ coalesce 0 "" "bar" }} {{ ternary "yes" "no" true }}'),
    ).toBe('foo bar yes');
    expect(
      render(
        '{{ $d := dict "name1" "value1" }}{{ get $d "name1" }} {{ hasKey $d "name1" }} {{ keys (dict "b" 1 "a" 2) | sortAlpha }}',
      ),
    ).toBe('value1 true [a b]');
    expect(
      render(
        '{{ add 1 2 3 }} {{ sub 3 2 }} {{ div 7 2 }} {{ mod 7 3 }} {{ mul 2 3 }} {{ max 1 2 3 }} {{ min 1 2 3 }}',
      ),
    ).toBe('6 1 3 1 6 3 1');
    expect(render('{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ sha256sum "hello" }}')).toBe(
      'aGVsbG8= hello 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
    expect(
      render('{{ regexMatch "^[a-z]+$" "abc" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}'),
    ).toBe('true -W-xxW-');
    expect(render('{{ .digest | trimPrefix "sha256:" | upper }}')).toBe('ABC');
    expect(render('{{ range .files }}{{ .path | quote }} {{ end }}')).toBe('"a.txt" "b<c>.txt" ');
  });

  it('runs the typical oras templates over a manifest', () => {
    const fetched = {
      ref: 'localhost:5000/hello@sha256:abc',
      content: {
        layers: [
          { mediaType: 'text/plain', size: 12, annotations: { 'org.opencontainers.image.title': 'hi.txt' } },
          { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1000000, annotations: {} },
        ],
      },
    };
    const tpl =
      '{{ range $i, $l := .content.layers }}{{ $i }} {{ index $l.annotations "org.opencontainers.image.title" | default "-" }} {{ $l.size }}{{ "\\n" }}{{ end }}';
    expect(render(tpl, fetched)).toBe('0 hi.txt 12\n1 - 1000000\n');
    expect(render('{{ (first .content.layers).mediaType }}', fetched)).toBe('text/plain');
    expect(render('{{ len .content.layers }} {{ .ref | splitList "@" | last }}', fetched)).toBe(
      '2 sha256:abc',
    );
  });

  it('fails clearly for the sprig functions it does not provide', () => {
    expect(failure('{{ genCA "x" 365 }}')).toMatch(
      /error calling genCA: genCA is not supported by this oras/,
    );
  });
});

describe('go templates: the same output and errors as Go', () => {
  it.each(GO_CASES.map(([tpl, value, expected]) => ({ tpl, value, expected })))(
    '$tpl',
    ({ tpl, value, expected }) => {
      if ('out' in expected) expect(render(tpl, value)).toBe(expected.out);
      else expect(failure(tpl, value)).toBe(expected.err);
    },
  );
});

describe('go templates: where we differ from oras on purpose', () => {
  it('treats whole numbers as ints: no float64 vs int comparison errors, no 1e+06', () => {
    // oras sees JSON numbers as float64: `eq .n 1` fails there, and 1000000 prints as 1e+06
    expect(
      render('{{ eq .n 1 }} {{ lt .n 2 }} {{ .big }} {{ printf "%.1f" 2.0 }}', { n: 1, big: 1000000 }),
    ).toBe('true true 1000000 2.0');
    expect(render('{{ has 2 .l }}', { l: [1, 2] })).toBe('true');
    expect(render('{{ duration 90 }}')).toBe('1m30s');
  });
});

describe('go templates: errors', () => {
  it('rejects malformed templates with Go messages', () => {
    expect(() => compileTemplate('{{.digest')).toThrow(TemplateError);
    expect(() => compileTemplate('{{range .files}}')).toThrow('format output:1: unexpected EOF');
    expect(() => compileTemplate('{{nosuchfunc .x}}')).toThrow(
      'format output:1: function "nosuchfunc" not defined',
    );
    expect(() => compileTemplate('{{end}}')).toThrow('format output:1: unexpected {{end}}');
    expect(() => compileTemplate('{{ 1) }}')).toThrow('format output:1: unexpected right paren');
  });

  it('keeps what was printed before a failure', () => {
    try {
      render('ok {{ .digest }} {{ fail "stop" }}');
      expect.unreachable();
    } catch (error) {
      expect((error as TemplateError).partial).toBe('ok sha256:abc ');
      expect((error as Error).message).toBe(
        'format output:1:20: executing "format output" at <fail "stop">: error calling fail: stop',
      );
    }
  });

  it('stops runaway recursion and huge output with an error instead of crashing', () => {
    expect(failure('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}')).toMatch(
      /exceeded maximum template depth/,
    );
    expect(failure('{{ repeat 1000000000 "xxxxxxxxxx" }}')).toMatch(
      /too large|nested too deeply|Invalid string length/,
    );
    expect(failure('{{ range until 1000000000 }}x{{ end }}')).toMatch(
      /error calling until: a sequence of more than 10000000 numbers/,
    );
    expect(failure(`${'('.repeat(20000)}`.replace(/^/, '{{').concat('1', ')'.repeat(20000), '}}'))).toMatch(
      /nested too deeply|format output/,
    );
  });
});
