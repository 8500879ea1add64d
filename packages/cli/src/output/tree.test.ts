import { describe, expect, it } from 'vitest';
import { annotationLabel, annotationsNode, renderTree, yamlScalar } from './tree.js';

/**
 * [key, value, line]: the lines oras prints for an annotation, recorded from
 * `strings.TrimSpace(yaml.Marshal(map[string]string{key: value}))` with gopkg.in/yaml.v3, as
 * oras's discover tree makes them.
 */
const YAML_CASES: readonly (readonly [string, string, string])[] = [
  ['k', 'plain value', 'k: plain value'],
  ['k', '2024-01-01T00:00:00Z', 'k: "2024-01-01T00:00:00Z"'],
  ['k', '2024-01-01', 'k: "2024-01-01"'],
  ['k', '2024-1-2 3:04:05', 'k: "2024-1-2 3:04:05"'],
  ['k', 'true', 'k: "true"'],
  ['k', 'yes', 'k: "yes"'],
  ['k', 'on', 'k: "on"'],
  ['k', 'n', 'k: "n"'],
  ['k', 'null', 'k: "null"'],
  ['k', '~', 'k: "~"'],
  ['k', '', 'k: ""'],
  ['k', '123', 'k: "123"'],
  ['k', '0x1F', 'k: "0x1F"'],
  ['k', '1_000', 'k: "1_000"'],
  ['k', '1.5', 'k: "1.5"'],
  ['k', '1e3', 'k: "1e3"'],
  ['.inf', '.inf', '".inf": ".inf"'],
  ['k', '-.5', 'k: "-.5"'],
  ['k', '12:30', 'k: "12:30"'],
  ['k', '<<', 'k: <<'],
  ['k', 'v1.0.0', 'k: v1.0.0'],
  ['k', '1.0.0', 'k: 1.0.0'],
  ['k', 'sha256:abc', 'k: sha256:abc'],
  ['k', 'a: b', "k: 'a: b'"],
  ['k', 'a:b', 'k: a:b'],
  ['k', 'a #b', "k: 'a #b'"],
  ['k', 'a#b', 'k: a#b'],
  ['k', '# c', "k: '# c'"],
  ['k', '- x', "k: '- x'"],
  ['k', '-x', 'k: -x'],
  ['k', '[x]', "k: '[x]'"],
  ['k', 'x]', 'k: x]'],
  ['k', '{a}', "k: '{a}'"],
  ['k', '*a', "k: '*a'"],
  ['k', '&a', "k: '&a'"],
  ['k', '!a', "k: '!a'"],
  ['k', '|a', "k: '|a'"],
  ['k', '>a', "k: '>a'"],
  ['k', "'a", "k: '''a'"],
  ['k', '"a', "k: '\"a'"],
  ['k', '%a', "k: '%a'"],
  ['k', '@a', "k: '@a'"],
  ['k', '`a', "k: '`a'"],
  ['k', ' lead', "k: ' lead'"],
  ['k', 'trail ', "k: 'trail '"],
  ['k', 'a\tb', 'k: "a\\tb"'],
  ['k', 'a \nb', 'k: "a \\nb"'],
  ['k', "it's", "k: it's"],
  ['k', 'é ü', 'k: é ü'],
  ['k', 'a\u0007b', 'k: "a\\ab"'],
  ['k', '?x', 'k: ?x'],
  ['k', '? x', "k: '? x'"],
  [':k', ':x', ':k: :x'],
  ['k', 'x:', "k: 'x:'"],
  ['k', 'x?', 'k: x?'],
  ['k', 'x,y', 'k: x,y'],
  ['k', '---', "k: '---'"],
  ['k', '--- a', "k: '--- a'"],
  ['k', '...', "k: '...'"],
  [
    'k',
    'a very long value that goes on and on and on past eighty columns for sure, yes it does indeed go on',
    'k: a very long value that goes on and on and on past eighty columns for sure, yes it does indeed go on',
  ],
  [
    'org.opencontainers.image.created',
    '2023-01-18T08:37:42Z',
    'org.opencontainers.image.created: "2023-01-18T08:37:42Z"',
  ],
  ['with space', 'v', 'with space: v'],
  ['k', '0', 'k: "0"'],
  ['k', '+1', 'k: "+1"'],
  ['k', '-', "k: '-'"],
  ['k', '0o17', 'k: "0o17"'],
  ['k', '0b101', 'k: "0b101"'],
  ['k', 'Yes', 'k: "Yes"'],
  ['k', 'NO', 'k: "NO"'],
  ['k', 'True', 'k: "True"'],
  ['k', ' x', 'k:  x'],
  ['k', '\\back', 'k: \\back'],
  ['k', '1e', 'k: 1e'],
  ['k', '.5', 'k: ".5"'],
  ['k', '.', 'k: .'],
  ['k', '1.2.3', 'k: 1.2.3'],
  ['k', '01:02:03', 'k: "01:02:03"'],
  ['k', '1:2', 'k: "1:2"'],
  ['k', '0.1_0', 'k: "0.1_0"'],
];

describe('discover tree annotations', () => {
  it.each(YAML_CASES.map(([key, value, line]) => ({ key, value, line })))(
    '$key: $value',
    ({ key, value, line }) => {
      expect(annotationLabel(key, value)).toBe(line);
    },
  );

  it('quotes timestamps, which YAML would read as times', () => {
    expect(annotationLabel('org.opencontainers.image.created', '2024-01-01T00:00:00Z')).toBe(
      'org.opencontainers.image.created: "2024-01-01T00:00:00Z"',
    );
    expect(yamlScalar('2024-02-30')).toBe('2024-02-30');
    expect(yamlScalar('2024-02-29')).toBe('"2024-02-29"');
  });

  it('keeps a multi-line value on one line, double-quoted (oras writes a literal block)', () => {
    expect(annotationLabel('k', 'line1\nline2\n')).toBe('k: "line1\\nline2\\n"');
    expect(annotationLabel('k', 'a\u2028b')).toBe('k: "a\\Lb"');
  });

  it('escapes control characters the YAML way, so the terminal only shows them', () => {
    expect(annotationLabel('k', 'a\u001b[2Jb\u0000')).toBe('k: "a\\e[2Jb\\0"');
    expect(annotationLabel('k', 'x\u009by')).toBe('k: "x\\x9By"');
  });

  it('puts the annotations in key order under [annotations], and hides them unless verbose', () => {
    const annotations = { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', a: 'yes', b: 'plain' };
    const node = annotationsNode(annotations);
    expect(node).toEqual({
      label: '[annotations]',
      children: [
        { label: 'a: "yes"', children: [] },
        { label: 'b: plain', children: [] },
        { label: 'org.opencontainers.image.created: "2024-01-01T00:00:00Z"', children: [] },
      ],
    });
    expect(annotationsNode(annotations, false)).toBeUndefined();
    expect(annotationsNode({})).toBeUndefined();
    expect(annotationsNode(undefined)).toBeUndefined();
    expect(
      renderTree({
        label: 'localhost:5000/hello@sha256:aaa',
        children: [
          {
            label: 'application/vnd.example',
            children: [{ label: 'sha256:bbb', children: [node as never] }],
          },
        ],
      }),
    ).toBe(
      [
        'localhost:5000/hello@sha256:aaa',
        '└── application/vnd.example',
        '    └── sha256:bbb',
        '        └── [annotations]',
        '            ├── a: "yes"',
        '            ├── b: plain',
        '            └── org.opencontainers.image.created: "2024-01-01T00:00:00Z"',
        '',
      ].join('\n'),
    );
  });
});
