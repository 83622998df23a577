/**
 * "Check my kernel": a module pasted as text, evaluated and checked exactly
 * as `handgrad check --impl` checks a file — the same kernel matching
 * (src/cli/user-kernels.ts), the same checkKernel with its mistake diagnosis,
 * the same JSON report (src/cli/check-report.ts). Runs in the page's Web
 * Worker; test/explorable compares its reports with the CLI's on the same text.
 *
 * The text is the body of a module: `export function rnnStepForward(…)`,
 * `export const …`, `export { a, b as c }`, `export default { … }`,
 * `module.exports = { … }` and `exports.name = …` all export. `import` and
 * `require` are not available (paste your helpers into the same text).
 */
import { buildJsonReport } from '../src/cli/check-report.js';
import { findUserKernels, recording } from '../src/cli/user-kernels.js';
import { UsageError } from '../src/cli/usage.js';
import {
  KernelContractError,
  builtinKernelSpecs,
  checkKernel,
  type CheckRunError,
  type GradcheckJsonReport,
  type KernelReport,
  type SourceLocation,
} from '../src/gradcheck/index.js';

/** The name the reports give the pasted text (the CLI gives the module's path). */
export const PASTED = 'pasted module';

/** The settings of a check, as in the JSON report. */
export type CheckSettings = GradcheckJsonReport['settings'];

/** The pasted text could not be turned into a module: what to say, and where. */
export class PastedModuleError extends Error {
  readonly location: SourceLocation | null;

  constructor(message: string, location: SourceLocation | null) {
    super(message);
    this.name = 'PastedModuleError';
    this.location = location;
  }
}

const IDENT = '[A-Za-z_$][\\w$]*';

/**
 * Rewrites the module text into a function body returning its exports: each
 * `export` keyword is dropped and its names remembered. Line numbers are kept
 * (every rewrite stays on its own line), so an error's line is the text's.
 */
export function moduleBody(source: string): string {
  const imports = /^\s*import\s+(?:[\w*{}\s,$]+from\s+)?['"]/m.exec(source);
  if (imports !== null) {
    const line = source.slice(0, imports.index + imports[0].length).split('\n').length;
    throw new PastedModuleError(
      `import is not available in the page (line ${line}): paste what you import into the same text`,
      { file: PASTED, line, column: 1 },
    );
  }
  const named: string[] = [];
  let body = source.replace(
    new RegExp(`^(\\s*)export\\s+((?:async\\s+)?function\\*?\\s+|class\\s+|const\\s+|let\\s+|var\\s+)(${IDENT})`, 'gm'),
    (_m, pre: string, kind: string, name: string) => {
      named.push(`${name}: ${name}`);
      return `${pre}${kind}${name}`;
    },
  );
  body = body.replace(/^(\s*)export\s*\{([^}]*)\}\s*;?/gm, (_m, pre: string, list: string) => {
    for (const item of list
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      const [local, exported] = item.split(/\s+as\s+/);
      named.push(`${JSON.stringify(exported ?? local)}: ${local}`);
    }
    return pre;
  });
  body = body.replace(/^(\s*)export\s+default\s+/gm, '$1module.exports.default = ');
  return `"use strict";${body}\n;return { named: { ${named.join(', ')} }, module: module };`;
}

/** The line and column in the pasted text of the innermost frame of `stack` inside it. */
export function pastedLocation(stack: string | undefined): SourceLocation | null {
  // V8 numbers a `new Function` body from line 3 (`function anonymous(…\n) {\n` comes first).
  const m = /<anonymous>:(\d+):(\d+)\)?/.exec(stack ?? '');
  if (m === null) return null;
  return { file: PASTED, line: Number(m[1]) - 2, column: Number(m[2]) };
}

/**
 * Evaluates the text and returns its exports, merged as the CLI merges an ES
 * module's (a default object's keys, then the named exports).
 *
 * @throws PastedModuleError when the text has a syntax error, imports, or throws while running.
 */
export function pastedExports(source: string): Record<string, unknown> {
  const body = moduleBody(source);
  let run: (module: unknown, exports: unknown, require: unknown) => unknown;
  try {
    run = new Function('module', 'exports', 'require', body) as typeof run;
  } catch (err) {
    throw new PastedModuleError(`could not load the ${PASTED}: ${firstLine(err)}`, null);
  }
  const module = { exports: {} as Record<string, unknown> };
  const require = (name: string): never => {
    throw new Error(`require(${JSON.stringify(name)}) is not available in the page: paste it into the same text`);
  };
  let out: { named: Record<string, unknown>; module: { exports: Record<string, unknown> } };
  try {
    out = run(module, module.exports, require) as typeof out;
  } catch (err) {
    const location = pastedLocation((err as Error)?.stack);
    throw new PastedModuleError(`could not load the ${PASTED}: ${firstLine(err)}${at(location)}`, location);
  }
  const merged: Record<string, unknown> = {};
  const exp = out.module.exports;
  const def = exp.default;
  if ((typeof def === 'object' && def !== null) || typeof def === 'function') Object.assign(merged, def);
  for (const [k, v] of Object.entries(exp)) if (k !== 'default') merged[k] = v;
  for (const [k, v] of Object.entries(out.named)) if (v !== undefined) merged[k] = v;
  return merged;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0] ?? text;
}

function at(location: SourceLocation | null): string {
  return location === null ? '' : `, at line ${location.line}:${location.column}`;
}

/** The result of checking a pasted module: the CLI's JSON report and the module's notes. */
export interface PastedCheck {
  readonly report: GradcheckJsonReport;
  readonly notes: string[];
}

/**
 * Checks every kernel the text exports, as `handgrad check --impl file` does
 * with the same settings: a report per kernel, or the run's error (the text
 * does not load, exports no kernel, a kernel throws or breaks the contract).
 */
export function checkPasted(
  source: string,
  settings: CheckSettings,
  onKernel: (kernel: string) => void = () => undefined,
): PastedCheck {
  const reports: KernelReport[] = [];
  let notes: string[] = [];
  const done = (error: CheckRunError | null): PastedCheck => ({
    report: buildJsonReport(reports, PASTED, settings, notes, error),
    notes,
  });
  let found: Record<string, unknown>;
  try {
    found = pastedExports(source);
  } catch (err) {
    if (!(err instanceof PastedModuleError)) throw err;
    return done({ kind: 'load', kernel: null, location: err.location, message: err.message });
  }
  let kernels: ReturnType<typeof findUserKernels>['kernels'];
  try {
    const specs = builtinKernelSpecs();
    ({ kernels, notes } = findUserKernels(PASTED, found, specs, specs, false));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return done({ kind: 'usage', kernel: null, location: null, message: err.message.replace(/^--impl: /, '') });
  }
  const { sizes, seed, eps, tolerance, samples } = settings;
  for (const job of kernels) {
    const kernel = job.spec.name;
    onKernel(kernel);
    const thrown = { error: undefined as unknown, set: false };
    try {
      reports.push(
        checkKernel(job.spec, {
          sizes,
          seed,
          eps,
          tolerance,
          ...(samples === null ? {} : { samples }),
          implementation: recording(job.implementation, thrown),
        }),
      );
    } catch (err) {
      if (!(err instanceof KernelContractError)) throw err;
      const message = err.message.split('\n')[0] ?? err.message;
      if (!thrown.set) return done({ kind: 'contract', kernel, location: null, message });
      const location = pastedLocation((thrown.error as Error)?.stack);
      return done({ kind: 'threw', kernel, location, message: `${message}${at(location)}` });
    }
  }
  return done(null);
}
