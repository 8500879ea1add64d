/** The examples of a package README, as a user copies them: the first TypeScript block. */
import ts from 'typescript';

/** The first ```ts block of `markdown`; throws when there is none. */
export function firstTypeScriptBlock(markdown: string, what: string): string {
  const match = /^```ts\n([\s\S]*?)^```$/m.exec(markdown);
  if (!match?.[1]) throw new Error(`${what}: no \`\`\`ts example block`);
  return match[1];
}

/**
 * The example as JavaScript that Node 20 runs: types removed, nothing else changed. Type errors
 * are not this check's business (the examples are type-checked where the packages are built).
 */
export function toJavaScript(source: string, fileName: string): string {
  const out = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
    },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const text = errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ');
    throw new Error(`${fileName}: does not parse: ${text}`);
  }
  return out.outputText;
}
