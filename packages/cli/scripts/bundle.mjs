#!/usr/bin/env node
/**
 * Bundles the `oras` binary with esbuild: `src/bin.ts` with everything it loads (our libraries,
 * yargs, undici, tar) into `dist/bin.js` and chunks under `dist/chunks/`. Runs after `tsc -b`,
 * which builds the package's library entry (`dist/index.js` and its declarations); the binary
 * never loads those files.
 *
 * Why a bundle: an unbundled `oras resolve` loaded ~170 ES modules and ~60 CommonJS files of
 * undici, and Node spent most of its start-up resolving, reading and compiling them one by one.
 *
 * Why chunks: every `import()` of the sources stays a split point, so `oras version` and
 * `oras --help` evaluate only the entry and a small chunk, a command's `--help` adds yargs and
 * the command's flags, and only a running command loads the network stack.
 *
 * The same sources are also bundled into one CommonJS file, `dist/oras.cjs`, which the entry of
 * the package's `oras` (`dist/bin.cjs`, from `src/bin-commonjs.ts`) compiles with a V8 code cache
 * for every command line but help and version (those it sends to `dist/bin.js`, which evaluates
 * less): with the cache, V8 neither parses nor compiles the bundle's functions again (see
 * `src/compile-cache.ts` and docs/benchmarks.notes.md).
 *
 * `dist/bundle-meta.json` (not published) records which sources each chunk holds; the start-up
 * test reads it to tell what a run loaded.
 */
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dist = join(pkg, 'dist');

/**
 * Our libraries load a few CommonJS files through `createRequire(import.meta.url)` (parts of
 * undici, one by one; package.json files for versions). esbuild cannot see through such a
 * `require`, and in a bundle `import.meta.url` is the chunk's, not the library's. So in each
 * library module that does it, `createRequire(import.meta.url)` becomes a function that returns
 * the bundled module for each specifier found in that file, and throws for any other.
 */
const libraryRequire = {
  name: 'library-require',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('createRequire(import.meta.url)')) return undefined;
      const specifiers = new Set();
      // require('x') through the local require, and createRequire(import.meta.url)('x').
      for (const m of source.matchAll(/(?:\brequire|\))\((['"])([^'"\n]+)\1\)/g)) specifiers.add(m[2]);
      // part('lib/...', pick): undici's files, required as `undici/${path}`. Its fallback to
      // undici's root module (for an undici that moved a file) would bundle all of undici, with
      // fetch, WebSocket and caches; in a bundle a moved file fails the build instead.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the library's source text
      if (source.includes('require(`undici/${path}`)')) {
        specifiers.delete('undici');
        for (const m of source.matchAll(/\bpart\((['"])([^'"\n]+)\1/g)) specifiers.add(`undici/${m[2]}`);
      }
      if (specifiers.size === 0) throw new Error(`${args.path}: createRequire with no specifier found`);
      const cases = [...specifiers]
        .map((s) => `    case ${JSON.stringify(s)}: return require(${JSON.stringify(s)});`)
        .join('\n');
      const shim = [
        `function __bundleRequire() {`,
        `  return (id) => {`,
        `    switch (id) {`,
        cases,
        `    }`,
        `    throw new Error(\`\${id} is not in the oras bundle\`);`,
        `  };`,
        `}`,
      ].join('\n');
      // The shim's `require` is esbuild's (the file's own `const require` is renamed away).
      const contents = `${source
        .replaceAll('createRequire(import.meta.url)', '__bundleRequire()')
        .replace(/\bconst require = /g, 'const __libRequire = ')
        .replace(/\brequire(?=\(`|\(['"])/g, '__libRequire')}\n${shim}\n`;
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * `string-width` (yargs' help layout measures every line with it) builds an `Intl.Segmenter` and
 * Unicode-property regular expressions when it is imported: ~0.1 s of start-up for every command
 * that loads yargs, even one that prints no help. In the bundle each such module-level constant
 * is created on first use instead. Nothing else changes: same objects, built later.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      const decl = /^const (\w+) = (new Intl\.Segmenter\(\)|\/.*\\p\{.*\/[a-z]*);$/gm;
      const names = [];
      source = source.replace(decl, (_, name, init) => {
        names.push(name);
        return `let ${name}$lazy;\nconst ${name}$get = () => (${name}$lazy ??= ${init});`;
      });
      if (names.length === 0)
        throw new Error(`${args.path}: no module-level Segmenter or Unicode regex found`);
      for (const name of names) {
        source = source.replace(new RegExp(`(?<![.\\w$])${name}(?![\\w$])`, 'g'), `${name}$get()`);
      }
      return { contents: source, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * undici's client loads its HTTP/2 half, and with it `node:http2` (~10 ms), when it is imported;
 * our clients speak HTTP/1.1 only (ALPN h2 is never offered). In the bundle that half loads on
 * first use instead.
 */
const lazyHttp2 = {
  name: 'lazy-http2',
  setup(b) {
    b.onLoad({ filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = "const connectH2 = require('./client-h2.js')";
      if (!source.includes(eager)) throw new Error(`${args.path}: the require of client-h2.js moved`);
      const lazy = "const connectH2 = (...args) => require('./client-h2.js')(...args)";
      return { contents: source.replace(eager, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Node's built-in modules are `require`d, not imported. An `import ... from 'node:crypto'` makes
 * Node build an ES module facade of the built-in, which reads every export, and so loads every
 * lazily loaded part of it: web crypto (with its key, cipher and WebIDL modules), the block
 * list and socket address of `node:net`, `fs.ReadStream` ... A `require` gives the module object
 * and loads nothing more. Each built-in becomes a tiny CommonJS module of the bundle that
 * requires it, with the `require` the banner defines.
 *
 * One such module per importing file (`node:fs (for src/stdio.ts)`), not one per built-in: a module
 * shared by files of different chunks gets a chunk of its own, and each chunk costs a command
 * about 0.7 ms to resolve, read, compile and link (thirteen of them for `oras resolve`).
 *
 * For the ES module build only. The CommonJS bundle (`oras.cjs`) has no facades to avoid: esbuild
 * turns a named import of a built-in into a plain `require`. These wrappers would only cost it:
 * each importer's `__toESM` copy of the built-in's exports as getters (~90 wrappers, 1.4 MB of
 * the 8.9 MB a pull of one file allocates) and a getter call for each use.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z][a-z0-9_/]*$/ }, (args) => {
      const id = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      if (!isBuiltin(id)) return undefined;
      if (args.namespace === 'node-builtin') return { path: id, external: true };
      const importer = relative(pkg, args.importer).replaceAll('\\', '/');
      // (not ending in the importer's name: a `.mjs` there would make esbuild read it as ESM)
      return { path: `${id} (for ${importer})`, namespace: 'node-builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path.split(' ')[0])});`,
      loader: 'js',
    }));
  },
};

/**
 * esbuild's `keepNames` gives every function and class of a minified bundle its source name back,
 * when the bundle is evaluated, with a helper call (`__name(fn, "name")`: a property definition)
 * for each: ~1,900 functions in `oras.cjs`, and each redefined `name` turns its function object
 * into a dictionary-mode object (~375 KB allocated, and ~6 ms of every command's start here:
 * `oras resolve` and a pull of one file 3 % less CPU, 20 alternated runs each). Only classes
 * need their names: `OrasError` names each error after its class (`new.target.name`) and
 * `--debug` prints the cause chain with those names. So the static block esbuild gives each class
 * defines its `name` itself, and the helper returns the function unchanged (a function keeps its
 * minified name, as without `keepNames`; nothing of ours reads a function's name). The build
 * fails when esbuild's output does not look as expected.
 */
function keepClassNamesOnly(code) {
  const helpers = [
    ...code.matchAll(
      /var ([\w$]+)=\(([\w$]+),([\w$]+)\)=>([\w$]+)\(\2,"name",\{value:\3,configurable:!0\}\);/g,
    ),
  ];
  if (helpers.length !== 1) {
    throw new Error(`keepClassNamesOnly: esbuild's name helper found ${helpers.length} times, not once`);
  }
  const [definition, helper, target, , defineProperty] = helpers[0];
  const escaped = helper.replaceAll('$', '\\$');
  let classes = 0;
  const out = code
    .replace(definition, () => `var ${helper}=${target}=>${target};`)
    .replace(new RegExp(`static\\{${escaped}\\(this,("[\\w$]+")\\)\\}`, 'g'), (_, quoted) => {
      classes++;
      return `static{${defineProperty}(this,"name",{value:${quoted},configurable:!0})}`;
    });
  if (classes === 0 || out.includes(`static{${helper}(this,`)) {
    throw new Error(`keepClassNamesOnly: ${classes} class names kept, and some left to the helper`);
  }
  return out;
}

const BANNER =
  "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

rmSync(join(dist, 'chunks'), { recursive: true, force: true });
const result = await build({
  entryPoints: { bin: join(pkg, 'src', 'bin.ts') },
  outdir: dist,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // yargs and our libraries are ES modules; undici is CommonJS and its requires are bundled.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  plugins: [builtinsByRequire, libraryRequire, lazyStringWidth, lazyHttp2],
  // undici's CommonJS requires Node's built-in modules; an ES module has no `require` of its own.
  banner: { js: BANNER },
});

// Only esbuild's `__require` helper uses that `require`: the other files drop the banner (a
// `createRequire` per chunk is measurable in a command that loads twenty of them).
for (const file of Object.keys(result.metafile.outputs)) {
  const path = join(pkg, file);
  const code = readFileSync(path, 'utf8');
  if (code.includes('var __require = ')) continue;
  if (!code.includes(BANNER)) throw new Error(`${path}: no banner`);
  writeFileSync(path, code.replace(`${BANNER}\n`, ''));
}

const binPath = join(dist, 'bin.js');
if (!readFileSync(binPath, 'utf8').startsWith('#!/usr/bin/env node\n'))
  throw new Error(`${binPath}: no shebang`);
chmodSync(binPath, 0o755);

const chunks = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  chunks[relative(dist, join(pkg, file)).replaceAll('\\', '/')] = Object.keys(output.inputs);
}
writeFileSync(join(dist, 'bundle-meta.json'), `${JSON.stringify(chunks, null, 1)}\n`);

// The CommonJS bundle: everything a command runs, in one file that V8 can cache as a whole.
const ORAS_CJS = join(dist, 'oras.cjs');
await build({
  entryPoints: [join(pkg, 'src', 'run-commonjs.ts')],
  outfile: ORAS_CJS,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  // version-info.ts finds package.json from its own URL: here the bundle's, in the same `dist`.
  define: { 'import.meta.url': '__oras_import_meta_url' },
  // Every run reads and compiles this file (with the code cache, V8 still needs the source):
  // minified it is half the bytes, and `oras resolve` spends ~8 ms less CPU reading it (1.8 MB
  // read as a string cost ~20 ms here). keepNames: error names (`OrasError` takes its subclass's
  // `name`) and `--debug`'s cause chain stay readable; kept for classes only (keepClassNamesOnly).
  minify: true,
  keepNames: true,
  banner: { js: "var __oras_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  // built-ins stay external (platform node): a named import becomes a plain `require`
  plugins: [libraryRequire, lazyStringWidth, lazyHttp2],
});
// Written wrapped as src/compile-cache.ts compiles it: so it compiles the file's text as it is,
// without making a copy of 1 MB to wrap (still valid JavaScript: a function expression).
const { COMMONJS_WRAPPER_HEAD, COMMONJS_WRAPPER_TAIL } = await import(
  pathToFileURL(join(dist, 'compile-cache.js')).href
);
writeFileSync(
  ORAS_CJS,
  `${COMMONJS_WRAPPER_HEAD}${keepClassNamesOnly(readFileSync(ORAS_CJS, 'latin1'))}${COMMONJS_WRAPPER_TAIL}`,
  'latin1',
);
const orasCjs = readFileSync(ORAS_CJS);
// src/compile-cache.ts reads the bundle as latin1, which is the same text only for ASCII
if (orasCjs.some((byte) => byte > 0x7f)) throw new Error(`${ORAS_CJS}: not ASCII`);
const bundleHash = createHash('sha256').update(orasCjs).digest('hex');

// The entry: small, CommonJS, with the bundle's hash (part of the cache key) written in.
const BIN_CJS = join(dist, 'bin.cjs');
await build({
  entryPoints: [join(pkg, 'src', 'bin-commonjs.ts')],
  outfile: BIN_CJS,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  define: { __ORAS_BUNDLE_HASH__: JSON.stringify(bundleHash), 'import.meta.url': '__filename' },
  banner: { js: '#!/usr/bin/env node' },
  plugins: [
    {
      name: 'es-module-entry',
      setup(b) {
        // help and version: `import('./bin.js')` stays an import of the ES module bundle
        b.onResolve({ filter: /^\.\/bin\.js$/ }, () => ({ path: './bin.js', external: true }));
      },
    },
  ],
});
const entry = readFileSync(BIN_CJS, 'utf8');
if (!entry.startsWith('#!/usr/bin/env node\n')) throw new Error(`${BIN_CJS}: no shebang`);
if (!entry.includes('import("./bin.js")')) throw new Error(`${BIN_CJS}: no import() of ./bin.js`);
chmodSync(BIN_CJS, 0o755);
