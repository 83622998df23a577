/**
 * Examples never rot: every ```ts block of README.md and docs/*.md is
 * type-checked against src/ (strict, as the library itself is) and run, and
 * when the page shows its output (a ```text block marked `<!-- output -->`)
 * the printed lines must be exactly that. `from 'handgrad'` (and each
 * `handgrad/…` subpath) means this checkout's entry file in src/, as
 * package.json's exports map it. A fragment not meant to run is fenced ```ts-norun.
 */
import { join } from 'node:path';
import { format } from 'node:util';
import * as ts from 'typescript';
import { SUBPATH_SOURCES, loadSubpath } from '../helpers/subpaths';
import { docFiles, examples, root, type Example } from './markdown';

const all: Example[] = docFiles().flatMap((f) => examples(f));

function virtualPath(e: Example): string {
  return join(root, '.doc-examples', `${e.file.replace(/[/.]/g, '_')}_L${e.line}.ts`);
}

test('the pages have examples to run', () => {
  // Each derivation page carries at least one runnable example.
  for (const page of ['docs/rnn.md', 'docs/lstm.md', 'docs/gradient-checking.md', 'docs/shapes.md']) {
    expect(all.filter((e) => e.file === page).length).toBeGreaterThan(0);
  }
});

test('every example type-checks against src/ under the library’s strict settings', () => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    baseUrl: root,
    paths: Object.fromEntries(Object.entries(SUBPATH_SOURCES).map(([name, file]) => [name, [file]])),
  };
  const sources = new Map(all.map((e) => [virtualPath(e), e.code]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = sources.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang) : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const example = all.find((e) => d.file && virtualPath(e) === d.file.fileName);
    if (!example || !d.file || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${example.file}:${example.line + 1 + line}: ${message}`;
  });
  expect(problems).toEqual([]);
}, 60_000);

describe.each(all.map((e) => [`${e.file}:${e.line}`, e] as const))('example %s', (_where, example) => {
  test(example.expectedOutput === undefined ? 'runs' : 'runs and prints what the page shows', () => {
    const js = ts.transpileModule(example.code, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const printed: string[] = [];
    const console = { log: (...args: unknown[]) => printed.push(format(...args)) };
    const requireShim = (spec: string): unknown => {
      const entry = loadSubpath(spec);
      if (entry !== undefined) return entry;
      if (spec.startsWith('node:')) return require(spec) as unknown;
      throw new Error(
        `${example.file}:${example.line}: examples may import handgrad's subpaths and node: built-ins, not '${spec}'`,
      );
    };
    const run = new Function('require', 'exports', 'module', 'console', js);
    const module = { exports: {} };
    run(requireShim, module.exports, module, console);
    if (example.expectedOutput !== undefined) {
      expect(printed.join('\n')).toBe(example.expectedOutput.trimEnd());
    }
  });
});
