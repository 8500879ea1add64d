// A Node module hook for child processes started by tests: runs this repository's TypeScript
// sources directly (transpiled with the workspace's `typescript`), mapping `@oras/*` imports to
// the packages' sources as vitest.shared.ts does. Test support only; never published.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packages = fileURLToPath(new URL('../../../', import.meta.url));
let ts;

export async function resolve(specifier, context, next) {
  const sub = /^@oras\/content\/(memory|oci|file|testing)$/.exec(specifier);
  if (sub)
    return { url: pathToFileURL(`${packages}content/src/${sub[1]}/index.ts`).href, shortCircuit: true };
  const pkg = /^@oras\/(spec|auth|content|registry|cli)$/.exec(specifier);
  if (pkg) return { url: pathToFileURL(`${packages}${pkg[1]}/src/index.ts`).href, shortCircuit: true };
  if (
    (specifier.startsWith('.') || specifier.startsWith('/')) &&
    specifier.endsWith('.js') &&
    context.parentURL
  ) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  ts ??= (await import('typescript')).default;
  const source = readFileSync(fileURLToPath(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
    fileName: fileURLToPath(url),
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
