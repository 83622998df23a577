/**
 * `handgrad check`: finite-difference gradient checks of the library's
 * kernels, or of a user's own (`--impl`), as a table, a verdict and an exit
 * code (0 every requested check ran and passed, 1 a check failed or the
 * user's module misbehaved, 2 a usage mistake). A user's module runs in a
 * child process under a time limit (sandbox.ts, check-child.ts).
 */
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import {
  DEFAULT_EPS,
  DEFAULT_SEED,
  DEFAULT_SIZES,
  DEFAULT_TOLERANCE,
  KernelContractError,
  builtinKernelSpecs,
  checkKernel,
  selectKernelSpecs,
  type CheckProgress,
  type CheckRunError,
  type GradcheckJsonReport,
  type KernelReport,
  type KernelSizes,
  type KernelSpec,
} from '../gradcheck/index.js';
import {
  DEFAULT_TIMEOUT_SECONDS,
  EPS_RANGE,
  TIMEOUT_RANGE,
  TOLERANCE_RANGE,
  checkWorkBound,
  parseInRange,
  parseSize,
} from './check-options.js';
import { isPythonModule } from './impl-python.js';
import {
  buildJsonReport,
  checkedLine,
  libraryTable,
  noteLines,
  printDiagnoses,
  printFailureDetails,
  settingsLine,
  userTable,
  userVerdict,
  verdict,
} from './check-report.js';
import { childCommandFor, runChild, type ChildRequest } from './sandbox.js';
import { UsageError, parsePositiveInt } from './usage.js';

interface CheckFlags {
  readonly kernel?: string[];
  readonly N?: string;
  readonly T?: string;
  readonly D?: string;
  readonly H?: string;
  readonly seed?: string;
  readonly eps?: string;
  readonly tol?: string;
  readonly tolerance?: string;
  readonly samples?: string;
  readonly impl?: string;
  readonly timeout?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export { buildJsonReport } from './check-report.js';

/** Registers `check` on the program. */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('check gradients against centered finite differences: the built-in kernels, or your own with --impl')
    .option(
      '--kernel <name...>',
      `kernels to check: ${builtinKernelSpecs()
        .map((s) => s.name)
        .join(', ')} (a trailing * matches a prefix: lstm*)`,
    )
    .option('--N <n>', `batch size (default ${DEFAULT_SIZES.N})`)
    .option('--T <n>', `time steps of sequence kernels (default ${DEFAULT_SIZES.T})`)
    .option('--D <n>', `input features (default ${DEFAULT_SIZES.D})`)
    .option('--H <n>', `hidden units (default ${DEFAULT_SIZES.H})`)
    .option('--seed <n>', `seed of the random case (default ${DEFAULT_SEED})`)
    .option('--eps <h>', `finite-difference step (default ${DEFAULT_EPS.toExponential()})`)
    .option('--tol <t>', `largest norm-relative error that passes (default ${DEFAULT_TOLERANCE.toExponential()})`)
    .option('--tolerance <t>', 'the same as --tol')
    .option('--samples <k>', 'check k random coordinates per tensor instead of all')
    .option(
      '--impl <module>',
      'check the kernels your module exports (CommonJS or ESM .js, or a numpy .py) ' +
        'against finite differences and the library',
    )
    .option(
      '--timeout <seconds>',
      'time limit of your module in an --impl run, from loading it to the last check ' +
        `(default ${DEFAULT_TIMEOUT_SECONDS})`,
    )
    .option('--json', 'print the report as JSON (see docs/gradient-checking-cli.md)')
    .option('--quiet', 'print only the verdict line')
    .action(async (flags: CheckFlags) => {
      process.exitCode = await runCheck(flags);
    });
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--seed must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

function oneLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

type Settings = GradcheckJsonReport['settings'];

/**
 * Reads every option; a bad one leaves its default in `settings` (so a
 * `--json` error report still has all its fields) and the first is `problem`.
 */
function readSettings(flags: CheckFlags): { settings: Settings; timeoutMs: number; problem: UsageError | null } {
  let problem: UsageError | null = null;
  const read = <T>(value: string | undefined, fallback: T, parse: (v: string) => T): T => {
    if (value === undefined) return fallback;
    try {
      return parse(value);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problem ??= err;
      return fallback;
    }
  };
  const sizes: KernelSizes = {
    N: read(flags.N, DEFAULT_SIZES.N, (v) => parseSize('--N', v)),
    T: read(flags.T, DEFAULT_SIZES.T, (v) => parseSize('--T', v)),
    D: read(flags.D, DEFAULT_SIZES.D, (v) => parseSize('--D', v)),
    H: read(flags.H, DEFAULT_SIZES.H, (v) => parseSize('--H', v)),
  };
  const settings: Settings = {
    sizes,
    seed: read(flags.seed, DEFAULT_SEED, parseSeed),
    eps: read(flags.eps, DEFAULT_EPS, (v) => parseInRange('--eps', v, EPS_RANGE)),
    tolerance:
      flags.tolerance !== undefined && flags.tol === undefined
        ? read(flags.tolerance, DEFAULT_TOLERANCE, (v) => parseInRange('--tolerance', v, TOLERANCE_RANGE))
        : read(flags.tol, DEFAULT_TOLERANCE, (v) => parseInRange('--tol', v, TOLERANCE_RANGE)),
    samples: read<number | null>(flags.samples, null, (v) => parsePositiveInt('--samples', v)),
  };
  const timeout = read(flags.timeout, DEFAULT_TIMEOUT_SECONDS, (v) => parseInRange('--timeout', v, TIMEOUT_RANGE));
  const timeoutMs = 1000 * timeout;
  if (problem === null) {
    try {
      checkWorkBound(sizes, settings.samples);
    } catch (err) {
      problem = err as UsageError;
    }
  }
  return { settings, timeoutMs, problem };
}

function printJson(report: GradcheckJsonReport): void {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

async function runCheck(flags: CheckFlags): Promise<number> {
  const { settings, timeoutMs, problem } = readSettings(flags);
  const impl = flags.impl ?? null;
  const usage = (err: UsageError): never => {
    if (flags.json === true) {
      const error: CheckRunError = { kind: 'usage', message: err.message, kernel: null, location: null };
      printJson(buildJsonReport([], impl, settings, [], error));
    }
    throw err;
  };
  if (problem !== null) return usage(problem);
  const patterns = flags.kernel?.flatMap((k) => k.split(',')) ?? null;
  let specs: KernelSpec[];
  try {
    // A numpy module's kernels are other specs, selected in its child (numpy-specs.ts).
    specs = patterns === null || isPythonModule(flags.impl ?? '') ? builtinKernelSpecs() : selectKernelSpecs(patterns);
  } catch (err) {
    return usage(new UsageError(`--kernel: ${(err as Error).message.replace(/^selectKernelSpecs: /, '')}`));
  }

  const showProgress = flags.json !== true && flags.quiet !== true;
  const started = Date.now();
  let bar: SingleBar | null = null;
  const onProgress = (p: CheckProgress): void => {
    if (!showProgress) return;
    if (bar === null) {
      // Only runs longer than a second earn a progress line.
      if (Date.now() - started < 1000) return;
      bar = new SingleBar({
        format: 'checking {kernel} {input} [{bar}] {value}/{total} coordinates',
        hideCursor: true,
        clearOnComplete: true,
      });
      bar.start(p.total, p.done, { kernel: p.kernel, input: p.input });
    }
    bar.setTotal(p.total);
    bar.update(p.done, { kernel: p.kernel, input: p.input });
  };

  let reports: KernelReport[] = [];
  let notes: string[] = [];
  let error: CheckRunError | null = null;
  try {
    if (flags.impl !== undefined) {
      // The user's code runs in a child process: see sandbox.ts.
      const request: ChildRequest = { impl: flags.impl, cwd: process.cwd(), kernels: patterns, settings };
      ({ reports, notes, error } = await runChild(childCommandFor(flags.impl), request, { timeoutMs, onProgress }));
    } else {
      reports = checkLibrary(specs, settings, onProgress);
    }
  } finally {
    (bar as SingleBar | null)?.stop();
  }

  const json = buildJsonReport(reports, impl, settings, notes, error);
  if (error !== null) {
    if (flags.json === true) printJson(json);
    if (error.kind === 'usage') throw new UsageError(error.message);
    process.stderr.write(`handgrad: ${error.message}\n`);
    return 1;
  }
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  if (flags.json === true) {
    printJson(json);
  } else if (flags.quiet === true) {
    out(verdict(json));
  } else if (flags.impl !== undefined) {
    printUserReport(out, json, notes);
  } else {
    printLibraryReport(out, json);
  }
  return json.ok ? 0 : 1;
}

/** The library's own kernels, checked in this process (their code is trusted). */
function checkLibrary(
  specs: readonly KernelSpec[],
  settings: Settings,
  onProgress: (p: CheckProgress) => void,
): KernelReport[] {
  const { sizes, seed, eps, tolerance, samples } = settings;
  try {
    return specs.map((spec) =>
      checkKernel(spec, { sizes, seed, eps, tolerance, ...(samples === null ? {} : { samples }), onProgress }),
    );
  } catch (err) {
    if (err instanceof KernelContractError) throw new UsageError(oneLine(err.message));
    throw err;
  }
}

const plain = { head: [], border: [] };
// One line per row: the separators between rows would double the table's height.
const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function printLibraryReport(out: (line: string) => void, r: GradcheckJsonReport): void {
  out(`handgrad check: ${settingsLine(r)}`);
  const { head, rows } = libraryTable(r);
  const table = new Table({ head, style: plain, chars: compact });
  table.push(...rows);
  out(table.toString());
  printFailureDetails(out, r);
  out(verdict(r));
}

function printUserReport(out: (line: string) => void, r: GradcheckJsonReport, notes: readonly string[]): void {
  out(userVerdict(r));
  out(checkedLine(r));
  const { head, rows } = userTable(r);
  const table = new Table({ head, style: plain, chars: compact });
  table.push(...rows);
  out(table.toString());
  printDiagnoses(out, r);
  printFailureDetails(out, r);
  for (const note of noteLines(r, notes)) out(note);
  out(r.ok ? 'all checks pass' : `${r.counts.failed} of ${r.counts.rows} checks FAIL`);
}
