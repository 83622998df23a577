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
  type CheckRow,
  type CheckRunError,
  type Comparison,
  type GradcheckJsonReport,
  type KernelReport,
  type KernelSizes,
  type KernelSpec,
  type WorstError,
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
    return usage(new UsageError(`--kernel: ${(err as Error).message}`));
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

/** Assembles what `--json` prints (also the source of every other format). */
export function buildJsonReport(
  kernels: KernelReport[],
  impl: string | null,
  settings: GradcheckJsonReport['settings'],
  notes: readonly string[] = [],
  error: CheckRunError | null = null,
): GradcheckJsonReport {
  let worst: WorstError | null = null;
  let rows = 0;
  let failed = 0;
  for (const k of kernels) {
    for (const row of k.rows) {
      rows++;
      if (!row.ok) failed++;
      for (const cmp of [row.numeric, row.reference]) {
        if (cmp !== null && (worst === null || cmp.normRelError > worst.normRelError)) {
          worst = { kernel: k.kernel, name: row.name, relError: cmp.relError, normRelError: cmp.normRelError };
        }
      }
    }
  }
  const merged =
    notes.length === 0 ? kernels : kernels.map((k, i) => (i === 0 ? { ...k, notes: [...notes, ...k.notes] } : k));
  return {
    tool: 'handgrad check',
    formatVersion: 1,
    ok: failed === 0 && error === null,
    impl,
    settings,
    counts: { rows, failed },
    worst,
    firstFailure: kernels.find((k) => k.firstFailure !== null)?.firstFailure ?? null,
    kernels: merged,
    error,
  };
}

function sci(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

function value(v: number | null): string {
  return v === null ? 'NaN/Inf' : Number(v.toPrecision(4)).toString();
}

function verdict(r: GradcheckJsonReport): string {
  const what = r.impl === null ? 'gradients' : 'checks';
  if (r.ok) {
    const worst =
      r.worst === null
        ? ''
        : `; worst norm-relative error ${sci(r.worst.normRelError)} (${r.worst.kernel} ${r.worst.name}), ` +
          `its max relative error ${sci(r.worst.relError)}`;
    return `ok: all ${r.counts.rows} ${what} pass at tolerance ${r.settings.tolerance.toExponential()}${worst}`;
  }
  const f = r.firstFailure;
  const first = f === null ? '' : `; first wrong ${f.kind === 'output' ? 'output' : 'gradient'}: ${f.message}`;
  return `FAIL: ${r.counts.failed} of ${r.counts.rows} ${what} wrong${first}`;
}

function settingsLine(r: GradcheckJsonReport): string {
  const { sizes, seed, eps, tolerance, samples } = r.settings;
  const coordinates = samples === null ? 'every coordinate' : `${samples} sampled coordinates per tensor`;
  return (
    `N=${sizes.N} T=${sizes.T} D=${sizes.D} H=${sizes.H}, seed ${seed}, eps ${eps.toExponential()}, ` +
    `tolerance ${tolerance.toExponential()} on the norm-relative error, ${coordinates}`
  );
}

const plain = { head: [], border: [] };
// One line per row: the separators between rows would double the table's height.
const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function errorCells(c: Comparison | null): [string, string] {
  return c === null ? ['—', '—'] : [sci(c.relError), sci(c.normRelError)];
}

function printLibraryReport(out: (line: string) => void, r: GradcheckJsonReport): void {
  out(`handgrad check: ${settingsLine(r)}`);
  const table = new Table({
    head: ['kernel', 'gradient', 'shape', 'rel error', 'norm rel', 'ok'],
    style: plain,
    chars: compact,
  });
  for (const k of r.kernels) {
    for (const row of k.rows) {
      const [rel, norm] = errorCells(row.numeric);
      table.push([k.kernel, row.name, `${row.shape.join('×')} (${row.shapeExpr})`, rel, norm, row.ok ? 'ok' : 'FAIL']);
    }
  }
  out(table.toString());
  printFailureDetails(out, r);
  out(verdict(r));
}

function printUserReport(out: (line: string) => void, r: GradcheckJsonReport, notes: readonly string[]): void {
  const first = r.firstFailure;
  out(
    r.ok || first === null
      ? verdict(r)
      : `FAIL: first wrong ${first.kind === 'output' ? 'output' : 'gradient'}: ${first.message}`,
  );
  out(`checked ${r.impl ?? ''}: ${r.kernels.map((k) => k.kernel).join(', ')}; ${settingsLine(r)}`);
  const table = new Table({
    head: ['kernel', 'checked', 'shape', 'vs finite diff (rel / norm)', 'vs library (norm)', 'ok'],
    style: plain,
    chars: compact,
  });
  for (const k of r.kernels) {
    for (const row of k.rows) {
      const label = row.kind === 'output' ? `${row.name} (forward)` : row.name;
      const fd = row.numeric === null ? '—' : `${sci(row.numeric.relError)} / ${sci(row.numeric.normRelError)}`;
      const lib = row.reference === null ? '—' : sci(row.reference.normRelError);
      table.push([k.kernel, label, `${row.shape.join('×')} (${row.shapeExpr})`, fd, lib, row.ok ? 'ok' : 'FAIL']);
    }
  }
  out(table.toString());
  printDiagnoses(out, r);
  printFailureDetails(out, r);
  for (const note of [...notes, ...r.kernels.flatMap((k) => k.notes.filter((n) => !notes.includes(n)))])
    out(`note: ${note}`);
  out(r.ok ? 'all checks pass' : `${r.counts.failed} of ${r.counts.rows} checks FAIL`);
}

/** For every failing row: where it is worst, and the gate blocks that are wrong. */
function printFailureDetails(out: (line: string) => void, r: GradcheckJsonReport): void {
  const failing: { kernel: string; row: CheckRow }[] = r.kernels.flatMap((k) =>
    k.rows.filter((row) => !row.ok).map((row) => ({ kernel: k.kernel, row })),
  );
  if (failing.length === 0) return;
  const mine = r.impl === null ? 'analytic' : 'yours';
  for (const { kernel, row } of failing) {
    if (explainedRows(r, kernel).has(row.name)) continue;
    const cmp = row.numeric !== null && !row.numeric.ok ? row.numeric : row.reference;
    if (cmp === null) continue;
    const against = cmp === row.numeric ? 'finite differences' : 'library';
    const nonFinite = cmp.nonFinite > 0 ? ` (${cmp.nonFinite} values are NaN or Infinity)` : '';
    const col = cmp.worst.index[cmp.worst.index.length - 1] ?? 0;
    const gate = row.gates?.find((g) => col >= g.columns[0] && col < g.columns[1]);
    const where = gate === undefined ? '' : ` (${gate.gate} gate, unit ${col - gate.columns[0]})`;
    out(
      `${kernel} ${row.name}: worst at [${cmp.worst.index.join(', ')}]${where}: ` +
        `${mine} ${value(cmp.worst.actual)}, ${against} ${value(cmp.worst.expected)}${nonFinite}`,
    );
    for (const g of row.gates ?? []) {
      const fd = g.numeric === null ? '' : `vs finite diff ${sci(g.numeric.normRelError)}`;
      const lib = g.reference === null ? '' : `vs library ${sci(g.reference.normRelError)}`;
      const columns = `(columns ${g.columns[0]}–${g.columns[1] - 1})`.padEnd(17);
      out(`  gate ${g.gate} ${columns} ${[fd, lib].filter((s) => s !== '').join('  ')}  ${g.ok ? 'ok' : '← wrong'}`);
    }
  }
}

/** One line per classic mistake the failing rows match, with the formula it breaks and where the docs derive it. */
function printDiagnoses(out: (line: string) => void, r: GradcheckJsonReport): void {
  for (const k of r.kernels) {
    for (const d of k.diagnoses) out(`${k.kernel}: ${d.sentence} (see ${d.anchor})`);
  }
}

/** The failing rows of `kernel` that diagnoses explain whole (every failing gate block), so need no breakdown. */
function explainedRows(r: GradcheckJsonReport, kernel: string): Set<string> {
  const k = r.kernels.find((x) => x.kernel === kernel);
  const explained = new Set<string>();
  for (const row of k?.rows ?? []) {
    const matches = (k?.diagnoses ?? []).flatMap((d) => d.matches.filter((m) => m.name === row.name));
    if (matches.some((m) => m.gates === null)) explained.add(row.name);
    const wrong = (row.gates ?? []).filter((g) => !g.ok).map((g) => g.gate);
    const covered = new Set(matches.flatMap((m) => m.gates ?? []));
    if (wrong.length > 0 && wrong.every((g) => covered.has(g))) explained.add(row.name);
  }
  return explained;
}
