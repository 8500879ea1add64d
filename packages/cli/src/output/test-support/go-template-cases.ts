/**
 * Cases whose expected text was recorded from Go 1.19 text/template with sprig 3.2.3
 * (`template.New("format output").Funcs(sprig.TxtFuncMap())`, data decoded from JSON into `any`),
 * as oras runs them. Each is [template, data, expected output or error].
 */
export const GO_CASES: readonly (readonly [string, unknown, { out: string } | { err: string }])[] = [
  ['{{.missing.x}}', { a: 1 }, { out: '<no value>' }],
  [
    '{{.n.x}}',
    { n: null },
    { err: 'format output:1:4: executing "format output" at <.n.x>: nil pointer evaluating interface {}.x' },
  ],
  [
    '{{.s.x}}',
    { s: 'str' },
    {
      err: 'format output:1:4: executing "format output" at <.s.x>: can\'t evaluate field x in type interface {}',
    },
  ],
  [
    '{{print .missing}} {{print nil}} {{.missing}} {{printf "%v" .missing}}',
    { a: 1 },
    { out: '<nil> <nil> <no value> <nil>' },
  ],
  [
    '{{.}}',
    { a: [1, null, 'x', { b: true }], c: null, d: 1.5 },
    { out: 'map[a:[1 <nil> x map[b:true]] c:<nil> d:1.5]' },
  ],
  [
    '{{print 1 2 "a" 3 "b" "c" 4.5 true false}}|{{println 1 "a" 2}}|',
    null,
    { out: '1 2a3bc4.5 true false|1 a 2\n|' },
  ],
  [
    '{{printf "%q %x %X %5.2f %-10s| %+v %T %T %T %d %t %s %v %o %b %e %g %c %U" "hi" "hi" 255 3.14159 "left" .m .m "s" 3 42 true .l .l 8 5 1234.5678 0.000012345 65 65}}',
    { m: { a: 1 }, l: ['x', 'y'] },
    {
      out: '"hi" 6869 FF  3.14 left      | map[a:1] map[string]interface {} string int 42 true [x y] [x y] 10 101 1.234568e+03 1.2345e-05 A U+0041',
    },
  ],
  [
    '{{printf "%d %s" "x" 3}} {{printf "%d"}} {{printf "%d" 1 2}} {{printf "%!"}} {{printf "%z" 1}}',
    null,
    { out: '%!d(string=x) %!s(int=3) %!d(MISSING) 1%!(EXTRA int=2) %!!(MISSING) %!z(int=1)' },
  ],
  [
    '{{len .missing}}',
    {},
    {
      err: 'format output:1:2: executing "format output" at <len .missing>: error calling len: reflect: call of reflect.Value.Type on zero Value',
    },
  ],
  [
    '{{index .l 5}}',
    { l: [1] },
    {
      err: 'format output:1:2: executing "format output" at <index .l 5>: error calling index: index out of range: 5',
    },
  ],
  [
    '{{index .m "zz"}}|{{index .missing "a"}}',
    { m: { a: 1 } },
    {
      err: 'format output:1:20: executing "format output" at <index .missing "a">: error calling index: index of untyped nil',
    },
  ],
  [
    '{{upper 5}}',
    null,
    { err: 'format output:1:8: executing "format output" at <5>: expected string; found 5' },
  ],
  ['{{nosuch 1}}', null, { err: 'format output:1: function "nosuch" not defined' }],
  ['{{if}}{{end}}', null, { err: 'format output:1: missing value for if' }],
  ['{{$x}}', null, { err: 'format output:1: undefined variable "$x"' }],
  [
    '{{.a 1}}',
    { a: 1 },
    { err: 'format output:1:2: executing "format output" at <.a>: a is not a method but has arguments' },
  ],
  [
    '{{ 1 | .a }}',
    { a: 1 },
    { err: 'format output:1:7: executing "format output" at <.a>: a is not a method but has arguments' },
  ],
  ['a\n{{.missing.x}}', { a: 1 }, { out: 'a\n<no value>' }],
  [
    'a\n  {{ .n.x }}',
    { n: null },
    { err: 'format output:2:7: executing "format output" at <.n.x>: nil pointer evaluating interface {}.x' },
  ],
  ['{{eq .a "x" "y" 1}}', { a: 'y' }, { out: 'true' }],
  ['{{eq .missing nil}}', {}, { out: 'true' }],
  ['{{eq .n nil}}', { n: null }, { out: 'true' }],
  [
    '{{and .missing 1}}|{{or .missing 1}}|{{not .missing}}|{{and 1 .n}}|{{or 0 ""}}',
    { n: null },
    { out: '<no value>|1|true|<no value>|' },
  ],
  [
    '{{html nil}}|{{html .missing}}|{{html "<a href=\'x\'>&\\""}}|{{js "a\'b\\"c<d>&=\\n\\u00e9"}}|{{urlquery "a b&c=d/é"}}|{{html 1 2 "x"}}',
    {},
    {
      out: '&lt;no value&gt;|&lt;no value&gt;|&lt;a href=&#39;x&#39;&gt;&amp;&#34;|a\\\'b\\"c\\u003Cd\\u003E\\u0026\\u003D\\u000Aé|a+b%26c%3Dd%2F%C3%A9|1 2x',
    },
  ],
  [
    '{{.n}}|{{range .l}}[{{.}}]{{end}}|{{$x := .n}}{{$x}}|{{index .l 0}}',
    { n: null, l: [null, 1] },
    { out: '<no value>|[<no value>][1]|<no value>|<no value>' },
  ],
  [
    '{{len .n}}',
    { n: null },
    {
      err: 'format output:1:2: executing "format output" at <len .n>: error calling len: len of nil pointer',
    },
  ],
  [
    '{{len 3}}',
    {},
    { err: 'format output:1:2: executing "format output" at <len 3>: error calling len: len of type int' },
  ],
  ['{{len "héllo"}} {{len .m}} {{index "abc" 1}}', { m: { a: 1, b: 2 } }, { out: '6 2 98' }],
  [
    '{{upper .missing}}',
    {},
    { err: 'format output:1:8: executing "format output" at <.missing>: invalid value; expected string' },
  ],
  ['{{range $i, $e := .}}{{$i}}={{$e}};{{end}}', { b: 2, a: 1 }, { out: 'a=1;b=2;' }],
  ['{{range $e := .}}{{$e}};{{end}}', [3, 4], { out: '3;4;' }],
  [
    '{{range .}}x{{else}}empty{{end}}',
    'str',
    { err: 'format output:1:8: executing "format output" at <.>: range can\'t iterate over str' },
  ],
  ['{{range .m}}{{.}}{{end}}', {}, { out: '' }],
  ['{{with $x := 5}}{{$x}}{{.}}{{end}}{{with 0}}a{{else}}b{{end}}', {}, { out: '55b' }],
  ['{{if $x := 5}}{{$x}}{{else}}{{$x}}{{end}}', {}, { out: '5' }],
  ['{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{end}}{{$x}}', {}, { out: '2' }],
  [
    '{{define "T"}}<{{.}}>{{end}}{{template "T" .a}}{{template "T"}}{{block "B" .a}}b{{.}}{{end}}',
    { a: 'A' },
    { out: '<A><<no value>>bA' },
  ],
  [
    '{{template "nope"}}',
    {},
    {
      err: 'format output:1:11: executing "format output" at <{{template "nope"}}>: template "nope" not defined',
    },
  ],
  ['{{break}}', {}, { err: 'format output:1: {{break}} outside {{range}}' }],
  ['a  {{- 1 -}}  b {{- /* c */ -}} c {{/* x */}} d', {}, { out: 'a1bc  d' }],
  [
    "{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ '\\n' }} {{ 1e3 }} {{ -5 }} {{ +3 }} {{ .5 }} {{ 1.0 }}",
    {},
    { out: '31 15 15 5 1000 97 10 1000 -5 3 0.5 1' },
  ],
  ['{{ "\\x41\\u00e9\\U0001F600\\t" }}{{ `raw\\n` }}', {}, { out: 'Aé😀\traw\\n' }],
  ['{{.a.b.c}}', { a: { b: { c: 'deep' } } }, { out: 'deep' }],
  ['{{(index .l 0).x}}{{$v := .a}}{{$v.b}}', { l: [{ x: 'X' }], a: { b: 'B' } }, { out: 'XB' }],
  [
    '{{printf "%5d|%-5d|%05d|%x|%X|%#x|%o|%#o|%b|%+d|% d|%.3d" 42 42 42 255 255 255 8 8 5 5 5 7}}',
    {},
    { out: '   42|42   |00042|ff|FF|0xff|10|010|101|+5| 5|007' },
  ],
  [
    '{{printf "%s|%10s|%-10s|%.2s|%q|%+q|%#q|%x|% x|%X" "hi" "hi" "hi" "héllo" "é\\n" "é" "a`b" "hé" "hi" "hi"}}',
    {},
    { out: 'hi|        hi|hi        |hé|"é\\n"|"\\u00e9"|"a`b"|68c3a9|68 69|6869' },
  ],
  [
    '{{printf "%v|%d|%s|%q|%x" .l .l .l .l .l}}',
    { l: ['a', 'b'] },
    { out: '[a b]|[%!d(string=a) %!d(string=b)]|[a b]|["a" "b"]|[61 62]' },
  ],
  [
    '{{printf "%v %+v %#v" .m .m .m}}',
    { m: { a: 1, b: 'x', c: [true, null] } },
    {
      out: 'map[a:1 b:x c:[true <nil>]] map[a:1 b:x c:[true <nil>]] map[string]interface {}{"a":1, "b":"x", "c":[]interface {}{true, interface {}(nil)}}',
    },
  ],
  ['{{printf "%t %v %s %d" true false true true}}', {}, { out: 'true false %!s(bool=true) %!d(bool=true)' }],
  ['{{printf "%c%c %U %q" 72 105 128512 65}}', {}, { out: "Hi U+1F600 'A'" }],
  [
    '{{printf "%[2]d %[1]d" 1 2}} {{printf "%*d|%-*d" 5 1 5 2}} {{printf "%.*f" 2 3.14159}}',
    {},
    { out: '2 1     1|2     3.14' },
  ],
  [
    '{{printf "%6.2f%%" 99.5}} {{printf "%d" 3.5}} {{printf "%s" nil}} {{printf "%d" nil}}',
    {},
    { out: ' 99.50% %!d(float64=3.5) %!s(<nil>) %!d(<nil>)' },
  ],
  ['{{print "a" 1 2 "b" nil 3.5 true}}', {}, { out: 'a1 2b<nil> 3.5 true' }],
  ['{{println}}{{print}}|', {}, { out: '\n|' }],
  ['{{ .a | printf "%s-%s" "x" }}', { a: 'A' }, { out: 'x-A' }],
  [
    '{{ "x" | .a }}',
    { a: 'A' },
    { err: 'format output:1:9: executing "format output" at <.a>: a is not a method but has arguments' },
  ],
  ['{{ .a | len | printf "%d" }}', { a: 'AB' }, { out: '2' }],
  ['{{nil}}', {}, { err: 'format output:1:2: executing "format output" at <nil>: nil is not a command' }],
  [
    '{{1 2}}',
    {},
    { err: 'format output:1:2: executing "format output" at <1>: can\'t give argument to non-function 1' },
  ],
  ['{{.a | 1}}', {}, { err: 'format output:1: non executable command in pipeline stage 2' }],
  ['{{if}}', {}, { err: 'format output:1: missing value for if' }],
  ['{{range}}{{end}}', {}, { err: 'format output:1: missing value for range' }],
  ['{{end}}', {}, { err: 'format output:1: unexpected {{end}}' }],
  ['{{else}}', {}, { err: 'format output:1: unexpected {{else}}' }],
  ['{{if 1}}', {}, { err: 'format output:1: unexpected EOF' }],
  ['{{"abc}}', {}, { err: 'format output:1: unterminated quoted string' }],
  ['{{.a', {}, { err: 'format output:1: unclosed action' }],
  ['{{ (1 }}', {}, { err: 'format output:1: unclosed left paren' }],
  ['{{ 3x }}', {}, { err: 'format output:1: bad number syntax: "3x"' }],
  ['{{ .a.b.c% }}', {}, { err: "format output:1: bad character U+0025 '%'" }],
  ['{{ /* x */ }}', {}, { err: 'format output:1: unexpected "/" in command' }],
  ['{{/* x */ 1}}', {}, { err: 'format output:1: comment ends before closing delimiter' }],
  ['{{/* x ', {}, { err: 'format output:1: unclosed comment' }],
  ['{{$x, $y := 1}}', {}, { err: 'format output:1: too many declarations in command' }],
  ['{{range $x, $y, $z := 1}}{{end}}', {}, { err: 'format output:1: too many declarations in range' }],
  ['{{ "\\q" }}', {}, { err: 'format output:1: invalid syntax' }],
  ['{{ 99999999999999999999 }}', {}, { err: 'format output:1: integer overflow: "99999999999999999999"' }],
  ['{{ "a".b }}', {}, { err: 'format output:1: unexpected . after term "\\"a\\""' }],
  ['{{ template .x }}', {}, { err: 'format output:1: unexpected ".x" in template clause' }],
  [
    '{{define "a"}}x{{end}}{{define "a"}}y{{end}}',
    {},
    { err: 'format output:1: template: multiple definition of template "a"' },
  ],
  [
    'line1\n{{if true}}\n{{.a.b}}\n{{end}}',
    { a: 5 },
    {
      err: 'format output:3:4: executing "format output" at <.a.b>: can\'t evaluate field b in type interface {}',
    },
  ],
  [
    '{{ index .m 1 }}',
    { m: { a: 1 } },
    {
      err: 'format output:1:3: executing "format output" at <index .m 1>: error calling index: value has type int; should be string',
    },
  ],
  [
    '{{ index .l "a" }}',
    { l: [1] },
    {
      err: 'format output:1:3: executing "format output" at <index .l "a">: error calling index: cannot index slice/array with type string',
    },
  ],
  [
    '{{ index .l 1 }}',
    { l: [1] },
    {
      err: 'format output:1:3: executing "format output" at <index .l 1>: error calling index: reflect: slice index out of range',
    },
  ],
  [
    '{{ index .l -1 }}',
    { l: [1] },
    {
      err: 'format output:1:3: executing "format output" at <index .l -1>: error calling index: index out of range: -1',
    },
  ],
  [
    '{{ index 5 1 }}',
    {},
    {
      err: 'format output:1:3: executing "format output" at <index 5 1>: error calling index: can\'t index item of type int',
    },
  ],
  [
    '{{ eq "a" 1 }}',
    {},
    {
      err: 'format output:1:3: executing "format output" at <eq "a" 1>: error calling eq: incompatible types for comparison',
    },
  ],
  [
    '{{ lt true false }}',
    {},
    {
      err: 'format output:1:3: executing "format output" at <lt true false>: error calling lt: invalid type for comparison',
    },
  ],
  [
    '{{ eq }}',
    {},
    {
      err: 'format output:1:3: executing "format output" at <eq>: wrong number of args for eq: want at least 1 got 0',
    },
  ],
  [
    '{{ eq 1 }}',
    {},
    {
      err: 'format output:1:3: executing "format output" at <eq 1>: error calling eq: missing argument for comparison',
    },
  ],
  [
    '{{ ne 1 2 }} {{ le 2 2 }} {{ ge "b" "a" }} {{ gt 1 2 }} {{ eq true true }} {{eq "a" "a"}}',
    {},
    { out: 'true true true false true true' },
  ],
  [
    '{{ upper 1 2 }}',
    {},
    {
      err: 'format output:1:3: executing "format output" at <upper>: wrong number of args for upper: want 1 got 2',
    },
  ],
  [
    '{{ repeat "x" 3 }}',
    {},
    { err: 'format output:1:10: executing "format output" at <"x">: expected integer; found "x"' },
  ],
  ['{{ repeat 3.0 "x" }} {{ repeat 3 "x" }}', {}, { out: 'xxx xxx' }],
  [
    '{{ repeat 3.5 "x" }}',
    {},
    { err: 'format output:1:10: executing "format output" at <3.5>: expected integer; found 3.5' },
  ],
  [
    '{{ $x = 1 }}',
    {},
    { err: 'format output:1:8: executing "format output" at <1>: undefined variable: $x' },
  ],
  [
    '{{ .a 1 }}',
    { a: { b: 1 } },
    { err: 'format output:1:3: executing "format output" at <.a>: a is not a method but has arguments' },
  ],
  ['{{ $.a }} {{ $ }}', { a: 1 }, { out: '1 map[a:1]' }],
  ['{{ (.a).b }} {{ (.missing).b }}', { a: { b: 1 } }, { out: '1 <no value>' }],
  [
    '{{ (nil).b }}',
    {},
    { err: 'format output:1:4: executing "format output" at <nil>: nil is not a command' },
  ],
  [
    '{{ "hello" | upper }} {{ "HELLO" | lower }} {{ "  hi  " | trim }} {{ trimPrefix "foo" "foobar" }} {{ trimSuffix "bar" "foobar" }} {{ trimAll "$" "$5.00$" }}',
    null,
    { out: 'HELLO hello hi bar foo 5.00' },
  ],
  [
    '{{ "foobar" | hasPrefix "foo" }} {{ hasSuffix "bar" "foobar" }} {{ contains "cat" "catch" }} {{ "I Am Henry VIII" | replace " " "-" }} {{ repeat 3 "hello" }}',
    null,
    { out: 'true true true I-Am-Henry-VIII hellohellohello' },
  ],
  [
    '{{ substr 0 5 "hello world" }}|{{ substr 6 -1 "hello world" }}|{{ trunc 5 "hello world" }}|{{ trunc -5 "hello world" }}|{{ abbrev 5 "hello world" }}|{{ abbrevboth 5 10 "1234 5678 9123" }}',
    null,
    { out: 'hello|world|hello|world|he...|...5678...' },
  ],
  [
    '{{ title "hello world" }}|{{ untitle "Hello World" }}|{{ initials "First Try" }}|{{ swapcase "This Is A.Test" }}|{{ nospace "hello w o r l d" }}|{{ title "don\'t stop-me now_x" }}',
    null,
    { out: "Hello World|hello world|FT|tHIS iS a.tEST|helloworld|Don'T Stop-Me Now_x" },
  ],
  [
    '{{ snakecase "FirstName" }}|{{ snakecase "HTTPServer" }}|{{ kebabcase "FirstName" }}|{{ camelcase "http_server" }}|{{ camelcase "_complex__case_" }}|{{ snakecase "firstName lastName" }}',
    null,
    { out: 'first_name|http_server|first-name|HttpServer|_Complex_Case_|first_name_last_name' },
  ],
  [
    '{{ wrap 5 "Hello World" }}|{{ wrapWith 5 "\\t" "Hello World" }}|{{ wrap 10 "The quick brown fox jumps over" }}',
    null,
    { out: 'Hello\nWorld|Hello\tWorld|The quick\nbrown fox\njumps over' },
  ],
  [
    '{{ quote "a" 1 nil "b" }}|{{ squote "a" 1 }}|{{ cat "hello" "beautiful" "world" nil 3 }}|{{ "x\\ny" | indent 4 }}|{{ "x\\ny" | nindent 2 }}',
    null,
    { out: '"a" "1" "b"|\'a\' \'1\'|hello beautiful world 3|    x\n    y|\n  x\n  y' },
  ],
  [
    '{{ plural "one anchovy" "many anchovies" 1 }} {{ plural "one" "many" 2 }} {{ sha256sum "Hello world!" }} {{ sha1sum "Hello world!" }} {{ adler32sum "Hello world!" }}',
    null,
    {
      out: 'one anchovy many c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a d3486ae9136e7856bc42212385ea797094475802 487130206',
    },
  ],
  [
    '{{ toString 5 }} {{ toString .l }} {{ toString nil }} {{ atoi "42" }} {{ atoi "x" }} {{ int "12" }} {{ int64 3.9 }} {{ float64 "1.5" }} {{ int "0x10" }} {{ int "010" }} {{ int true }} {{ int "3.0" }}',
    { l: [1, 'a'] },
    { out: '5 [1 a] <nil> 42 0 12 3 1.5 16 8 1 3' },
  ],
  [
    '{{ split "$" "foo$bar$baz" }} {{ (split "$" "foo$bar")._1 }} {{ splitList "$" "foo$bar$baz" }} {{ splitn "$" 2 "foo$bar$baz" }} {{ join "-" .l }} {{ sortAlpha .s }} {{ toStrings .l }}',
    { l: [1, 'a', null, true], s: ['c', 'a', 'B'] },
    { out: 'map[_0:foo _1:bar _2:baz] bar [foo bar baz] map[_0:foo _1:bar$baz] 1-a-true [B a c] [1 a true]' },
  ],
  [
    '{{ until 5 }} {{ untilStep 3 6 2 }} {{ seq 5 }} {{ seq -3 }} {{ seq 0 2 10 }} {{ seq 2 -2 }} {{ seq 10 -2 0 }}',
    null,
    { out: '[0 1 2 3 4] [3 5] 1 2 3 4 5 1 0 -1 -2 -3 0 2 4 6 8 10 2 1 0 -1 -2 10 8 6 4 2 0' },
  ],
  [
    '{{ add 1 2 3 }} {{ add1 5 }} {{ sub 5 7 }} {{ div 7 2 }} {{ mod 7 3 }} {{ mul 2 3 4 }} {{ max 1 5 3 }} {{ min 4 2 8 }} {{ biggest 1 9 }} {{ add "3" 2.9 }}',
    null,
    { out: '6 6 -2 3 1 24 5 2 9 5' },
  ],
  [
    '{{ addf 1.5 2 }} {{ add1f 1.5 }} {{ subf 5 1.25 }} {{ divf 10 4 }} {{ mulf 1.5 2 }} {{ maxf 1 2.5 }} {{ minf 1 2.5 }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round 123.5555 3 0.0005 }} {{ addf 0.1 0.2 }} {{ divf 1 3 }}',
    null,
    { out: '3.5 2.5 3.75 2.5 3 2.5 1 1 2 3.14 3 123.556 0.3 0.3333333333333333' },
  ],
  [
    '{{ div 1 0 }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <div 1 0>: error calling div: runtime error: integer divide by zero',
    },
  ],
  [
    '{{ default "foo" .missing }} {{ default "foo" "" }} {{ default "foo" "bar" }} {{ default 5 0 }} {{ empty "" }} {{ empty .l }} {{ empty 0 }} {{ empty .m }} {{ coalesce 0 "" "x" }} {{ coalesce 0 }} {{ ternary "y" "n" true }} {{ all 1 "a" }} {{ any 0 "" }}',
    { l: [], m: {} },
    { out: 'foo foo bar 5 true true true true x <no value> y true false' },
  ],
  [
    '{{ toJson .m }}|{{ toPrettyJson .m }}|{{ toRawJson .m }}|{{ (fromJson "{\\"a\\":[1,2]}").a }}|{{ fromJson "bad" }}|{{ toJson "<x>&" }}',
    { m: { b: '<&>', a: [1, 2.5, null], c: {} } },
    {
      out: '{"a":[1,2.5,null],"b":"\\u003c\\u0026\\u003e","c":{}}|{\n  "a": [\n    1,\n    2.5,\n    null\n  ],\n  "b": "\\u003c\\u0026\\u003e",\n  "c": {}\n}|{"a":[1,2.5,null],"b":"<&>","c":{}}|[1 2]|<no value>|"\\u003cx\\u003e\\u0026"',
    },
  ],
  [
    '{{ first .missing }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <first .missing>: error calling first: runtime error: invalid memory address or nil pointer dereference',
    },
  ],
  [
    '{{ first "abc" }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <first "abc">: error calling first: Cannot find first on type string',
    },
  ],
  [
    '{{ first .e }}|{{ rest .e }}|{{ slice .e }}|{{ concat }}',
    { e: [] },
    { out: '<no value>|[]|<no value>|[]' },
  ],
  [
    '{{ $d := dict "name1" "value1" "name2" "value2" }}{{ $d }} {{ get $d "name1" }} {{ get $d "x" }} {{ hasKey $d "name2" }} {{ set $d "name3" 3 }} {{ unset $d "name1" }} {{ keys $d | sortAlpha }} {{ values (dict "a" 1) }} {{ pick $d "name2" }} {{ omit $d "name2" }} {{ dict "odd" }}',
    null,
    {
      out: 'map[name1:value1 name2:value2] value1  true map[name1:value1 name2:value2 name3:3] map[name2:value2 name3:3] [name2 name3] [1] map[name2:value2] map[name3:3] map[odd:]',
    },
  ],
  [
    '{{ $a := dict "k" "a" "x" 1 }}{{ $b := dict "k" "b" "y" 2 }}{{ pluck "k" $a $b }} {{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2 "b" 3) }} {{ dig "a" "b" "def" (dict "a" (dict "b" "found")) }} {{ dig "a" "z" "def" (dict "a" (dict "b" "found")) }}',
    null,
    { out: '[a b] map[a:1 b:3 n:map[x:1 y:2]] map[a:2 b:3] found def' },
  ],
  [
    '{{ typeOf 1 }} {{ typeOf "s" }} {{ typeOf .l }} {{ typeOf .m }} {{ typeOf 1.5 }} {{ typeOf nil }} {{ kindOf .l }} {{ kindOf .m }} {{ kindOf 1 }} {{ kindIs "string" "x" }} {{ typeIs "int" 1 }} {{ deepEqual .l .l }} {{ kindOf nil }}',
    { l: [1], m: { a: 1 } },
    {
      out: 'int string []interface {} map[string]interface {} float64 <nil> slice map int true true true invalid',
    },
  ],
  [
    '{{ base "/a/b/c.txt" }} {{ dir "/a/b/c.txt" }} {{ clean "a//b/../c/." }} {{ ext "x/y.tar.gz" }} {{ isAbs "/x" }} {{ base "" }} {{ dir "a" }} {{ clean "/../x" }} {{ base "/a/" }} {{ dir "/a/" }} {{ osBase "a/b" }}',
    null,
    { out: 'c.txt /a/b a/c .gz true . . /x a /a b' },
  ],
  [
    '{{ b64enc "Hello World" }} {{ b64dec "SGVsbG8gV29ybGQ=" }} {{ b64dec "!!!" }} {{ b32enc "Hello" }} {{ b32dec "JBSWY3DP" }} {{ b32enc "Hi!" }} {{ b32dec "JBUSC===" }}',
    null,
    { out: 'SGVsbG8gV29ybGQ= Hello World illegal base64 data at input byte 0 JBSWY3DP Hello JBUSC=== Hi!' },
  ],
  [
    '{{ regexMatch "^[a-z]+@example\\\\.com$" "test@example.com" }} {{ regexFindAll "[2,4,6,8]" "123456789" -1 }} {{ regexFindAll "[2,4,6,8]" "123456789" 2 }} {{ regexFind "[a-zA-Z][1-9]" "abcd1234" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }} {{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }} {{ regexQuoteMeta "1.2.3" }}',
    null,
    { out: 'true [2 4 6 8] [2 4] d1 -W-xxW- --- -${1}-${1}- [pi a] [pizza] 1\\.2\\.3' },
  ],
  [
    '{{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "${last}, $first" }} {{ regexFindAll "a*" "baaab" -1 }} {{ regexSplit "" "abc" -1 }} {{ regexReplaceAll "x*" "abc" "-" }} {{ regexMatch "(?i)HELLO" "hello" }}',
    null,
    { out: 'Smith, John [ aaa ] [a b c] -a-b-c- true' },
  ],
  [
    '{{ regexFind "(" "x" }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <regexFind "(" "x">: error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`',
    },
  ],
  [
    '{{ mustRegexFind "(" "x" }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <mustRegexFind "(" "x">: error calling mustRegexFind: error parsing regexp: missing closing ): `(`',
    },
  ],
  [
    '{{ $u := urlParse "https://user:pass@example.com:8080/p/a%20t?q=1&r=2#frag" }}{{ $u.scheme }}|{{ $u.host }}|{{ $u.hostname }}|{{ $u.path }}|{{ $u.query }}|{{ $u.fragment }}|{{ $u.userinfo }}|{{ $u.opaque }}|{{ urlJoin (dict "scheme" "https" "host" "h.com" "path" "/a b" "query" "x=1") }}',
    null,
    { out: 'https|example.com:8080|example.com|/p/a t|q=1&r=2|frag|user:pass||https://h.com/a%20b?x=1' },
  ],
  [
    '{{ fail "boom" }}',
    null,
    { err: 'format output:1:3: executing "format output" at <fail "boom">: error calling fail: boom' },
  ],
  [
    '{{ hello }} {{ toDecimal "777" }} {{ toDecimal "9" }} {{ ternary 1 2 false }} {{ "abc" | upper | repeat 2 }}',
    null,
    { out: 'Hello! 511 0 2 ABCABC' },
  ],
  [
    '{{ (toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T10:20:30+02:00").UTC }}|{{ dateModify "1.5h" (toDate "2006-01-02T15:04:05Z07:00" "2024-01-01T10:20:30Z") | date "15:04" }}|{{ dateInZone "2006-01-02 15:04 MST" 1700000000 "America/New_York" }}|{{ dateInZone "2006" 0 "Bad/Zone" }}',
    null,
    { out: '2024-01-01 08:20:30 +0000 UTC|11:50|2023-11-14 17:13 EST|1970' },
  ],
  [
    '{{ $x := list 1 2 }}{{ $y := append $x 3 }}{{ $x }} {{ $y }} {{ len $y }} {{ index $y 2 }}',
    null,
    { out: '[1 2] [1 2 3] 3 3' },
  ],
  [
    '{{ range $i, $v := splitList "," "a,b,c" }}{{ $i }}{{ $v }}{{ end }} {{ range until 3 }}{{ . }}{{ end }} {{ range $k, $v := dict "b" 2 "a" 1 }}{{ $k }}={{ $v }} {{ end }}',
    null,
    { out: '0a1b2c 012 a=1 b=2 ' },
  ],
  [
    '{{ .name | default "anon" | upper | printf "Hi %s!" }} {{ list "a" "b" | join "," }} {{ "a,b" | splitList "," | last }}',
    {},
    { out: 'Hi ANON! a,b b' },
  ],
  [
    '{{ repeat -1 "x" }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <repeat -1 "x">: error calling repeat: strings: negative Repeat count',
    },
  ],
  [
    '{{ substr 3 20 "abc" }}|{{ substr 2 1 "abcd" }}',
    null,
    {
      err: 'format output:1:27: executing "format output" at <substr 2 1 "abcd">: error calling substr: runtime error: slice bounds out of range [2:1]',
    },
  ],
  ['{{ get .missing "a" }}|{{ hasKey .missing "a" }}', null, { out: '|false' }],
  [
    '{{ set .missing "a" 1 }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <set .missing "a" 1>: error calling set: assignment to entry in nil map',
    },
  ],
  [
    '{{ dig "a" "b" }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <dig "a" "b">: error calling dig: dig needs at least three arguments',
    },
  ],
  [
    '{{ toJson 1.5 }} {{ toJson 1e21 }} {{ toJson 0.0000001 }} {{ toJson "\\u2028" }} {{ toJson (list) }} {{ toJson nil }} {{ toJson .missing }}',
    null,
    { out: '1.5 1e+21 1e-7 "\\u2028" [] null null' },
  ],
  ['{{ decryptAES "secretkey" (encryptAES "secretkey" "plaintext") }}', null, { out: 'plaintext' }],
  ['{{ len (now | date "2006") }} {{ typeOf now }} {{ kindOf now }}', null, { out: '4 time.Time struct' }],
  [
    '{{ upper }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <upper>: wrong number of args for upper: want 1 got 0',
    },
  ],
  [
    '{{ trunc "x" "y" }}',
    null,
    { err: 'format output:1:9: executing "format output" at <"x">: expected integer; found "x"' },
  ],
  [
    '{{ default }}',
    null,
    {
      err: 'format output:1:3: executing "format output" at <default>: wrong number of args for default: want at least 1 got 0',
    },
  ],
  [
    '{{define "item"}}{{.name}}={{.v}}{{end}}{{range $i, $e := .items}}{{if $i}}, {{end}}{{template "item" $e}}{{end}}',
    {
      items: [
        { name: 'a', v: 1 },
        { name: 'b', v: null },
      ],
    },
    { out: 'a=1, b=<no value>' },
  ],
  ['{{$x := "outer"}}{{with .a}}{{$x := "inner"}}{{$x}}{{end}} {{$x}}', { a: 1 }, { out: 'inner outer' }],
  ['{{$x := 0}}{{range .l}}{{$x = .}}{{end}}{{$x}}', { l: [1, 2, 3] }, { out: '3' }],
  ['line1\nline2 {{ .a\n| printf "%v" }}\n{{ if', { a: 1 }, { err: 'format output:4: unclosed action' }],
  ['a\n\n{{ nosuch }}', {}, { err: 'format output:3: function "nosuch" not defined' }],
  [
    '{{ .a }}\n{{ .b.c.d }}',
    { a: 1, b: { c: null } },
    {
      err: 'format output:2:5: executing "format output" at <.b.c.d>: nil pointer evaluating interface {}.d',
    },
  ],
  ['{{ printf "%-8s|%8s|" "héllo" "日本" }}', {}, { out: 'héllo   |      日本|' }],
  ['{{ printf "%x %X %o %b %c" -255 255 -8 -5 9731 }}', {}, { out: '-ff FF -10 -101 ☃' }],
  ['{{ printf "%q" "\\u0000\\u007f\\u00ff\\u2028😀" }}', {}, { out: '"\\x00\\x7fÿ\\u2028😀"' }],
  ['{{ printf "%5t|%-7v|%3q" true nil "x" }}', {}, { out: ' true|<nil>  |"x"' }],
  [
    '{{ printf "%.0f %.0f %.1f %.3e %g %g" 0.5 1.5 0.05 123456.789 1e-7 100000000.0 }}',
    {},
    { out: '0 2 0.1 1.235e+05 1e-07 1e+08' },
  ],
  ['{{ printf "%6.2v|%.3v|%10.3g|" 3.14159 "abcdef" 0.000123456 }}', {}, { out: '   3.1|abc|  0.000123|' }],
  ['{{ $m := dict }}{{ $_ := set $m "k" "v" }}{{ $m.k }} {{ $m }}', {}, { out: 'v map[k:v]' }],
  ['{{ range $k, $v := . }}{{ $k }}{{ end }}', { b: 1, a: 2, B: 3, _: 4, '1': 5 }, { out: '1B_ab' }],
  [
    '{{ if and .a (not .b) }}yes{{ end }} {{ or .x .y "dflt" }} {{ and 1 2 3 }}',
    { a: true, b: false },
    { out: 'yes dflt 3' },
  ],
  ['{{ index . "a.b" }} {{ index .l 0 1 }}', { 'a.b': 'dotted', l: [[1, 2]] }, { out: 'dotted 2' }],
  [
    '{{ .a.b }}',
    { a: [1] },
    {
      err: 'format output:1:5: executing "format output" at <.a.b>: can\'t evaluate field b in type interface {}',
    },
  ],
  [
    '{{ slice .l 1 5 }}',
    { l: [1, 2] },
    {
      err: 'format output:1:3: executing "format output" at <slice .l 1 5>: error calling slice: reflect.Value.Slice: slice index out of bounds',
    },
  ],
  ['{{- range .l }}\n  - {{ . }}\n{{- end }}', { l: ['x', 'y'] }, { out: '\n  - x\n  - y' }],
  ['{{ "a" | printf "%s%s" }}', {}, { out: 'a%!s(MISSING)' }],
  ['{{ len .m | eq 2 }}', { m: { a: 1, b: 2 } }, { out: 'true' }],
  ['{{ template "x" }}{{ define "x" }}X{{ end }}', {}, { out: 'X' }],
  [
    '{{ toJson . }}',
    { s: '<tag> &   é', n: [1, 2.5, -0.5, 1e300], z: null, t: true },
    { out: '{"n":[1,2.5,-0.5,1e+300],"s":"\\u003ctag\\u003e \\u0026 \\u2028 é","t":true,"z":null}' },
  ],
  [
    '{{ toPrettyJson . }}',
    { a: [], b: {}, c: [1, { d: 2 }] },
    { out: '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    {\n      "d": 2\n    }\n  ]\n}' },
  ],
  [
    '{{printf "%.2f %.2f %.2f %.1f %.0f %.0f %.3f %.1f" 0.125 0.375 1.005 0.25 2.5 3.5 1234.5675 0.95}}',
    null,
    { out: '0.12 0.38 1.00 0.2 2 4 1234.568 0.9' },
  ],
  ['{{printf "%.0e %.1e %.2g %.1g" 2.5 1.25 0.125 0.25}}', null, { out: '2e+00 1.2e+00 0.12 0.2' }],
  ['{{printf "%.2f %.2f %.10f" 0.001 0.005 0.00000000005}}', null, { out: '0.00 0.01 0.0000000001' }],
  // parenthesised pipelines followed by fields, as `oras manifest fetch` users write them
  ...(() => {
    const m = {
      content: { layers: [{ digest: 'a', annotations: { k: 'v' } }, { digest: 'b' }] },
      l: [[1, 2], [3]],
    };
    return [
      ['{{(index .content.layers 1).digest}}', m, { out: 'b' }],
      ['{{ (index .content.layers 0).digest | printf "%s!" }}', m, { out: 'a!' }],
      ['{{ (index .content.layers 0).annotations.k }}', m, { out: 'v' }],
      ['{{ ((index .content.layers 0).annotations).k }}', m, { out: 'v' }],
      ['{{ (index (index .l 0) 1) }}', m, { out: '2' }],
      ['{{ range .content.layers }}{{ (.).digest }}{{ end }}', m, { out: 'ab' }],
      ['{{ (index .content.layers 1).missing }}', m, { out: '<no value>' }],
      [
        '{{ (index .content.layers 1).digest.x }}',
        m,
        {
          err: 'format output:1:26: executing "format output" at <1>: can\'t evaluate field x in type interface {}',
        },
      ],
      ['{{ (len .l) }}-{{ (index .l 1 0) }}', m, { out: '2-3' }],
    ] as const;
  })(),
];
