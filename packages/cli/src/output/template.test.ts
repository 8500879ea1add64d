import { describe, expect, it } from 'vitest';
import { TemplateError, compileTemplate } from './template.js';

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

describe('go templates', () => {
  it('prints fields, nested fields and $', () => {
    expect(render('{{.digest}}')).toBe('sha256:abc');
    expect(render('{{ .reference }}\n')).toBe('localhost:5000/hello@sha256:abc\n');
    expect(render('{{range .files}}{{$.digest}} {{.path}};{{end}}')).toBe(
      'sha256:abc a.txt;sha256:abc b<c>.txt;',
    );
    expect(render('{{.missing}}')).toBe('<no value>');
  });

  it('ranges with variables, else, and sorted map keys', () => {
    expect(render('{{range $i, $f := .files}}{{$i}}={{$f.path}} {{end}}')).toBe('0=a.txt 1=b<c>.txt ');
    expect(render('{{range $k, $v := .annotations}}{{$k}}:{{$v}},{{end}}')).toBe('a:2,z:1,');
    expect(render('{{range .empty}}x{{else}}none{{end}}')).toBe('none');
  });

  it('applies json functions and pipelines the way oras users expect', () => {
    expect(render('{{json .annotations}}')).toBe('{"a":"2","z":"1"}');
    expect(render('{{.files | toJson}}')).toBe(
      '[{"path":"a.txt","size":1},{"path":"b\\u003cc\\u003e.txt","size":2}]',
    );
    expect(render('{{toRawJson .files}}')).toContain('b<c>.txt');
    expect(render('{{toPrettyJson .annotations}}')).toBe('{\n  "a": "2",\n  "z": "1"\n}');
    expect(render('{{len .files}} {{index .files 1 "path"}} {{printf "%s/%d" .digest 7}}')).toBe(
      '2 b<c>.txt sha256:abc/7',
    );
  });

  it('handles if / else if / else, with, comparisons and trim markers', () => {
    expect(render('{{if eq .digest "x"}}x{{else if .files}}files{{else}}none{{end}}')).toBe('files');
    expect(render('{{with .annotations}}{{.a}}{{end}}')).toBe('2');
    expect(render('a  {{- /* note */ -}}  b {{- .digest -}}  c')).toBe('absha256:abcc');
    expect(render('{{.annotations}} {{.files}}')).toBe(
      'map[a:2 z:1] [map[path:a.txt size:1] map[path:b<c>.txt size:2]]',
    );
  });

  it('rejects malformed templates with the offset', () => {
    expect(() => compileTemplate('{{.digest')).toThrow(TemplateError);
    expect(() => compileTemplate('{{range .files}}')).toThrow(/missing \{\{end\}\}/);
    expect(() => compileTemplate('{{nosuchfunc .x}}')).toThrow(/function "nosuchfunc" not defined/);
    expect(() => compileTemplate('{{end}}')).toThrow(/unexpected/);
  });
});
