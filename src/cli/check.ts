/**
 * `handgrad check`: finite-difference gradient checks of the library's
 * kernels, or of a user's own (`--impl`), as a table, a verdict and an exit
 * code (0 all pass, 1 a gradient is wrong, 2 a usage mistake).
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
  type CheckRow,
  type Comparison,
  type GradcheckJsonReport,
  type KernelImplementation,
  type KernelReport,
  type KernelSizes,
  type KernelSpec,
  type WorstError,
} from '../gradcheck/index.js';
import { findUserKernels, loadUserModule } from './impl.js';
import { UsageError, parsePositiveInt, parsePositiveNumber } from './usage.js';

interface CheckFlags {
  readonly kernel?: string[];
  readonly N?: string;
  readonly T?: string;
  readonly D?: string;
  readonly H?: string;
  readonly seed?: string;
  readonly eps?: string;
  readonly tol?: string;
  readonly samples?: string;
  readonly impl?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Registers `check` on the program. */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('check gradients against centered finite differences: the built-in kernels, or your own with --impl')
    .option('--kernel <name...>', `kernels to check: ${builtinKernelSpecs().map((s) => s.name).join(', ')} (a trailing * matches a prefix: lstm*)`)
    .option('--N <n>', `batch size (default ${DEFAULT_SIZES.N})`)
    .option('--T <n>', `time steps of sequence kernels (default ${DEFAULT_SIZES.T})`)
    .option('--D <n>', `input features (default ${DEFAULT_SIZES.D})`)
    .option('--H <n>', `hidden units (default ${DEFAULT_SIZES.H})`)
    .option('--seed <n>', `seed of the random case (default ${DEFAULT_SEED})`)
    .option('--eps <h>', `finite-difference step (default ${DEFAULT_EPS.toExponential()})`)
    .option('--tol <t>', `largest norm-relative error that passes (default ${DEFAULT_TOLERANCE.toExponential()})`)
    .option('--samples <k>', 'check k random coordinates per tensor instead of all')
    .option('--impl <module>', 'check the kernels your module exports (CommonJS or ESM .js) against finite differences and the library')
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

async function runCheck(flags: CheckFlags): Promise<number> {
  const sizes: KernelSizes = {
    N: flags.N === undefined ? DEFAULT_SIZES.N : parsePositiveInt('--N', flags.N),
    T: flags.T === undefined ? DEFAULT_SIZES.T : parsePositiveInt('--T', flags.T),
    D: flags.D === undefined ? DEFAULT_SIZES.D : parsePositiveInt('--D', flags.D),
    H: flags.H === undefined ? DEFAULT_SIZES.H : parsePositiveInt('--H', flags.H),
  };
  const seed = flags.seed === undefined ? DEFAULT_SEED : parseSeed(flags.seed);
  const eps = flags.eps === undefined ? DEFAULT_EPS : parsePositiveNumber('--eps', flags.eps);
  const tolerance = flags.tol === undefined ? DEFAULT_TOLERANCE : parsePositiveNumber('--tol', flags.tol);
  const samples = flags.samples === undefined ? undefined : parsePositiveInt('--samples', flags.samples);

  let specs: KernelSpec[];
  try {
    specs = flags.kernel === undefined ? builtinKernelSpecs() : selectKernelSpecs(flags.kernel.flatMap((k) => k.split(',')));
  } catch (err) {
    throw new UsageError(`--kernel: ${(err as Error).message}`);
  }

  let jobs: { spec: KernelSpec; implementation?: KernelImplementation }[] = specs.map((spec) => ({ spec }));
  let notes: string[] = [];
  if (flags.impl !== undefined) {
    const exports = await loadUserModule(flags.impl);
    const found = findUserKernels(flags.impl, exports, specs, builtinKernelSpecs(), flags.kernel !== undefined);
    jobs = found.kernels;
    notes = found.notes;
  }

  const showProgress = flags.json !== true && flags.quiet !== true;
  const started = Date.now();
  let bar: SingleBar | null = null;
  const reports: KernelReport[] = [];
  try {
    for (const job of jobs) {
      const report = checkKernel(job.spec, {
        sizes,
        seed,
        eps,
        tolerance,
        ...(samples === undefined ? {} : { samples }),
        ...(job.implementation === undefined ? {} : { implementation: job.implementation }),
        onProgress: (p) => {
          if (!showProgress) return;
          if (bar === null) {
            // Only runs longer than a second earn a progress line.
            if (Date.now() - started < 1000) return;
            bar = new SingleBar({ format: 'checking {kernel} {input} [{bar}] {value}/{total} coordinates', hideCursor: true, clearOnComplete: true });
            bar.start(p.total, p.done, { kernel: p.kernel, input: p.input });
          }
          bar.setTotal(p.total);
          bar.update(p.done, { kernel: p.kernel, input: p.input });
        },
      });
      reports.push(report);
    }
  } catch (err) {
    if (err instanceof KernelContractError) throw new UsageError(oneLine(err.message));
    throw err;
  } finally {
    (bar as SingleBar | null)?.stop();
  }

  const json = buildJsonReport(reports, flags.impl ?? null, { sizes, seed, eps, tolerance, samples: samples ?? null }, notes);
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  if (flags.json === true) {
    out(JSON.stringify(json, null, 2));
  } else if (flags.quiet === true) {
    out(verdict(json));
  } else if (flags.impl !== undefined) {
    printUserReport(out, json, notes);
  } else {
    printLibraryReport(out, json);
  }
  return json.ok ? 0 : 1;
}

/** Assembles what `--json` prints (also the source of every other format). */
export function buildJsonReport(
  kernels: KernelReport[],
  impl: string | null,
  settings: GradcheckJsonReport['settings'],
  notes: readonly string[] = [],
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
  const merged = notes.length === 0 ? kernels : kernels.map((k, i) => (i === 0 ? { ...k, notes: [...notes, ...k.notes] } : k));
  return {
    tool: 'handgrad check',
    formatVersion: 1,
    ok: failed === 0,
    impl,
    settings,
    counts: { rows, failed },
    worst,
    firstFailure: kernels.find((k) => k.firstFailure !== null)?.firstFailure ?? null,
    kernels: merged,
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
    const worst = r.worst === null ? '' : `; worst norm-relative error ${sci(r.worst.normRelError)} (${r.worst.kernel} ${r.worst.name}), its max relative error ${sci(r.worst.relError)}`;
    return `ok: all ${r.counts.rows} ${what} pass at tolerance ${r.settings.tolerance.toExponential()}${worst}`;
  }
  const f = r.firstFailure;
  const first = f === null ? '' : `; first wrong ${f.kind === 'output' ? 'output' : 'gradient'}: ${f.message}`;
  return `FAIL: ${r.counts.failed} of ${r.counts.rows} ${what} wrong${first}`;
}

function settingsLine(r: GradcheckJsonReport): string {
  const { sizes, seed, eps, tolerance, samples } = r.settings;
  return `N=${sizes.N} T=${sizes.T} D=${sizes.D} H=${sizes.H}, seed ${seed}, eps ${eps.toExponential()}, tolerance ${tolerance.toExponential()} on the norm-relative error, ${samples === null ? 'every coordinate' : `${samples} sampled coordinates per tensor`}`;
}

const plain = { head: [], border: [] };
// One line per row: the separators between rows would double the table's height.
const compact = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function errorCells(c: Comparison | null): [string, string] {
  return c === null ? ['—', '—'] : [sci(c.relError), sci(c.normRelError)];
}

function printLibraryReport(out: (line: string) => void, r: GradcheckJsonReport): void {
  out(`handgrad check: ${settingsLine(r)}`);
  const table = new Table({ head: ['kernel', 'gradient', 'shape', 'rel error', 'norm rel', 'ok'], style: plain, chars: compact });
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
  out(r.ok || first === null ? verdict(r) : `FAIL: first wrong ${first.kind === 'output' ? 'output' : 'gradient'}: ${first.message}`);
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
  printFailureDetails(out, r);
  for (const note of [...notes, ...r.kernels.flatMap((k) => k.notes.filter((n) => !notes.includes(n)))]) out(`note: ${note}`);
  out(r.ok ? 'all checks pass' : `${r.counts.failed} of ${r.counts.rows} checks FAIL`);
}

/** For every failing row: where it is worst, and the gate blocks that are wrong. */
function printFailureDetails(out: (line: string) => void, r: GradcheckJsonReport): void {
  const failing: { kernel: string; row: CheckRow }[] = r.kernels.flatMap((k) => k.rows.filter((row) => !row.ok).map((row) => ({ kernel: k.kernel, row })));
  if (failing.length === 0) return;
  const mine = r.impl === null ? 'analytic' : 'yours';
  for (const { kernel, row } of failing) {
    const cmp = row.numeric !== null && !row.numeric.ok ? row.numeric : row.reference;
    if (cmp === null) continue;
    const against = cmp === row.numeric ? 'finite differences' : 'library';
    const nonFinite = cmp.nonFinite > 0 ? ` (${cmp.nonFinite} values are NaN or Infinity)` : '';
    const col = cmp.worst.index[cmp.worst.index.length - 1] ?? 0;
    const gate = row.gates?.find((g) => col >= g.columns[0] && col < g.columns[1]);
    const where = gate === undefined ? '' : ` (${gate.gate} gate, unit ${col - gate.columns[0]})`;
    out(`${kernel} ${row.name}: worst at [${cmp.worst.index.join(', ')}]${where}: ${mine} ${value(cmp.worst.actual)}, ${against} ${value(cmp.worst.expected)}${nonFinite}`);
    for (const g of row.gates ?? []) {
      const fd = g.numeric === null ? '' : `vs finite diff ${sci(g.numeric.normRelError)}`;
      const lib = g.reference === null ? '' : `vs library ${sci(g.reference.normRelError)}`;
      const columns = `(columns ${g.columns[0]}–${g.columns[1] - 1})`.padEnd(17);
      out(`  gate ${g.gate} ${columns} ${[fd, lib].filter((s) => s !== '').join('  ')}  ${g.ok ? 'ok' : '← wrong'}`);
    }
  }
}
