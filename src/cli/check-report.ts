/**
 * What `handgrad check` prints, built from its JSON report: the report itself
 * ({@link buildJsonReport}), the verdict, the table's rows, the diagnoses and
 * the per-gate breakdown of failing rows. Pure (no Node APIs, no terminal
 * table): the CLI lays the rows out with cli-table3, the explorable page as an
 * HTML table, from the same cells and lines.
 */
import type {
  CheckRow,
  CheckRunError,
  Comparison,
  GradcheckJsonReport,
  KernelReport,
  WorstError,
} from '../gradcheck/index.js';

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

export function sci(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

export function value(v: number | null): string {
  return v === null ? 'NaN/Inf' : Number(v.toPrecision(4)).toString();
}

export function verdict(r: GradcheckJsonReport): string {
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

export function settingsLine(r: GradcheckJsonReport): string {
  const { sizes, seed, eps, tolerance, samples } = r.settings;
  const coordinates = samples === null ? 'every coordinate' : `${samples} sampled coordinates per tensor`;
  return (
    `N=${sizes.N} T=${sizes.T} D=${sizes.D} H=${sizes.H}, seed ${seed}, eps ${eps.toExponential()}, ` +
    `tolerance ${tolerance.toExponential()} on the norm-relative error, ${coordinates}`
  );
}

function errorCells(c: Comparison | null): [string, string] {
  return c === null ? ['—', '—'] : [sci(c.relError), sci(c.normRelError)];
}

/** A table's header and rows of cells, as the CLI prints it. */
export interface ReportTable {
  readonly head: string[];
  readonly rows: string[][];
}

/** The table of a check of the library's own kernels. */
export function libraryTable(r: GradcheckJsonReport): ReportTable {
  const rows: string[][] = [];
  for (const k of r.kernels) {
    for (const row of k.rows) {
      const [rel, norm] = errorCells(row.numeric);
      rows.push([k.kernel, row.name, `${row.shape.join('×')} (${row.shapeExpr})`, rel, norm, row.ok ? 'ok' : 'FAIL']);
    }
  }
  return { head: ['kernel', 'gradient', 'shape', 'rel error', 'norm rel', 'ok'], rows };
}

/** The table of a check of a user's kernels: outputs and gradients against finite differences and the library. */
export function userTable(r: GradcheckJsonReport): ReportTable {
  const rows: string[][] = [];
  for (const k of r.kernels) {
    for (const row of k.rows) {
      const label = row.kind === 'output' ? `${row.name} (forward)` : row.name;
      const fd = row.numeric === null ? '—' : `${sci(row.numeric.relError)} / ${sci(row.numeric.normRelError)}`;
      const lib = row.reference === null ? '—' : sci(row.reference.normRelError);
      rows.push([k.kernel, label, `${row.shape.join('×')} (${row.shapeExpr})`, fd, lib, row.ok ? 'ok' : 'FAIL']);
    }
  }
  return { head: ['kernel', 'checked', 'shape', 'vs finite diff (rel / norm)', 'vs library (norm)', 'ok'], rows };
}

/** The second line of a user's report: which module, which kernels, at which settings. */
export function checkedLine(r: GradcheckJsonReport): string {
  return `checked ${r.impl ?? ''}: ${r.kernels.map((k) => k.kernel).join(', ')}; ${settingsLine(r)}`;
}

/** The first line of a user's report: the verdict, or the first wrong row. */
export function userVerdict(r: GradcheckJsonReport): string {
  const first = r.firstFailure;
  return r.ok || first === null
    ? verdict(r)
    : `FAIL: first wrong ${first.kind === 'output' ? 'output' : 'gradient'}: ${first.message}`;
}

/** The notes of a run (the module's, then each kernel's not already said), one `note:` line each. */
export function noteLines(r: GradcheckJsonReport, notes: readonly string[]): string[] {
  return [...notes, ...r.kernels.flatMap((k) => k.notes.filter((n) => !notes.includes(n)))].map((n) => `note: ${n}`);
}

/** For every failing row: where it is worst, and the gate blocks that are wrong. */
export function printFailureDetails(out: (line: string) => void, r: GradcheckJsonReport): void {
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
export function printDiagnoses(out: (line: string) => void, r: GradcheckJsonReport): void {
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
