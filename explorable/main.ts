/**
 * The explorable page: wires the controls to the compute module (reference
 * cells), the gradient checker, the flow experiment and the pasted-kernel
 * worker, and draws every matrix as a small heatmap beside its formula.
 */
import katex from 'katex';
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import {
  checkedLine,
  libraryTable,
  noteLines,
  printDiagnoses,
  printFailureDetails,
  settingsLine,
  userTable,
  userVerdict,
  verdict,
  buildJsonReport,
  type ReportTable,
} from '../src/cli/check-report.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../src/cli/check-options.js';
import type { CellDescriptor } from '../src/descriptor.js';
import { measureFlow } from '../src/experiments/flow.js';
import { flowChartSpec } from '../src/experiments/plots.js';
import {
  DEFAULT_EPS,
  DEFAULT_SEED,
  DEFAULT_TOLERANCE,
  type CheckRunError,
  type GradcheckJsonReport,
} from '../src/gradcheck/index.js';
import { Matrix, Tensor3 } from '../src/linalg/matrix.js';
import type { CheckSettings, PastedCheck } from './check-pasted.js';
import { LIMITS, clampSizes, makeCase, runCase, type Run, type Sizes } from './compute.js';
import { derivationOf, equationsFor, type CellDerivation, type Equation } from './formulas.js';
import { RNN_STEP_TEMPLATE } from './template.js';

declare const __REFERENCE_SOURCES__: Record<string, string>;
declare const __WORKER_SOURCE__: string;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`explorable: no #${id}`);
  return el as T;
};

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

const derivations: Record<string, CellDerivation> = {};
function derivation(cell: string): CellDerivation {
  derivations[cell] ??= derivationOf(cell, __REFERENCE_SOURCES__[cell] as string);
  return derivations[cell] as CellDerivation;
}

function tex(src: string): HTMLElement {
  const span = h('span', { class: 'formula' });
  span.innerHTML = katex.renderToString(src, { throwOnError: false, output: 'html' });
  return span;
}

/** A symbol as LaTeX, for a heading: dhPrev → dh_{t-1}. */
const SYMBOLS: Record<string, string> = {
  x: 'x_t',
  hPrev: 'h_{t-1}',
  cPrev: 'c_{t-1}',
  h: 'h_t',
  c: 'c_t',
  dh: 'dh_t',
  dcNext: 'dc_{\\text{next}}',
  dx: 'dx_t',
  dhPrev: 'dh_{t-1}',
  dcPrev: 'dc_{t-1}',
  dWx: 'dW_x',
  dWh: 'dW_h',
  dbx: 'db_x',
  dbh: 'db_h',
  dh0: 'dh_0',
  dc0: 'dc_0',
};
const symbol = (name: string): string => SYMBOLS[name] ?? name;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(1);
  return v.toFixed(3);
}

/** A matrix as a table of numbers on a diverging colour scale, gate blocks labelled. */
function heatmap(
  name: string,
  m: Matrix,
  cell: CellDescriptor,
  H: number,
  rowLabel = (i: number) => `${i + 1}`,
): HTMLElement {
  let scale = 0;
  for (const v of m.data) scale = Math.max(scale, Math.abs(v));
  const blocks = cell.gateOrder.length > 1 && m.cols === cell.gateOrder.length * H ? cell.gateOrder : null;
  const table = h('table', { class: 'heat', 'data-name': name });
  table.append(h('caption', {}, `${name}, ${m.rows}×${m.cols}`));
  if (blocks !== null) {
    const tr = h('tr', {}, h('td', { class: 'corner' }));
    for (const g of blocks) tr.append(h('th', { scope: 'colgroup', colspan: String(H), class: 'gate' }, `${g}`));
    table.append(h('thead', {}, tr));
  }
  const body = h('tbody');
  for (let i = 0; i < m.rows; i++) {
    const tr = h('tr', {}, h('th', { scope: 'row', class: 'rowlabel' }, rowLabel(i)));
    for (let j = 0; j < m.cols; j++) {
      const v = m.get(i, j);
      const a = scale === 0 ? 0 : Math.min(1, Math.abs(v) / scale) * 0.55;
      const bg = v >= 0 ? `rgba(214, 39, 40, ${a.toFixed(3)})` : `rgba(31, 119, 180, ${a.toFixed(3)})`;
      const edge = blocks !== null && j % H === 0 && j > 0 ? ' block-start' : '';
      tr.append(h('td', { style: `background:${bg}`, title: String(v), class: `v${edge}` }, fmt(v)));
    }
    body.append(tr);
  }
  table.append(body);
  return h('div', { class: 'scroll heat-box' }, table);
}

function quantity(
  title: Node | string,
  eqs: readonly Equation[],
  m: Matrix | undefined,
  run: Run,
  name: string,
  note?: string,
): HTMLElement {
  const box = h('div', { class: 'quantity', 'data-quantity': name });
  box.append(h('h4', {}, title));
  const where = { doc: '', field: 'the cache field', line: 'beside the code line' } as const;
  for (const e of eqs) {
    const eq = h('div', { class: 'eq', title: e.text }, tex(e.tex));
    if (where[e.from] !== '') eq.append(h('span', { class: 'eq-source' }, where[e.from]));
    box.append(eq);
  }
  if (note !== undefined) box.append(h('p', { class: 'note' }, note));
  if (m !== undefined) box.append(heatmap(name, m, run.case.cell, run.case.sizes.H));
  return box;
}

let run: Run | null = null;
let t = 1;

function renderStep(): void {
  if (run === null) return;
  const r = run;
  const d = derivation(r.case.cell.name);
  const step = r.steps[t - 1];
  if (step === undefined) return;
  const T = r.case.sizes.T;
  $('t-out').textContent = `t = ${t} of ${T}`;
  ($('t') as HTMLInputElement).value = String(t);

  const fwd = $('forward-col');
  fwd.replaceChildren(h('h3', {}, `Forward, step ${t}`));
  for (const [name, m] of Object.entries(step.inputs)) {
    const why =
      name === 'x' ? 'the input at this step' : `carried from step ${t - 1}${t === 1 ? ' (the initial state)' : ''}`;
    fwd.append(quantity(tex(symbol(name)), [], m, r, name, why));
  }
  const shown = new Set<string>();
  for (const e of d.forward) {
    if (shown.has(e.name)) continue;
    shown.add(e.name);
    const m = step.forward[e.name];
    const eqs = equationsFor(d.forward, e.name);
    fwd.append(
      quantity(
        tex(symbol(e.name)),
        eqs,
        m,
        r,
        e.name,
        m === undefined ? 'an intermediate: not kept in the cache' : undefined,
      ),
    );
  }
  for (const [name, m] of Object.entries(step.forward)) {
    if (!shown.has(name)) fwd.append(quantity(tex(symbol(name)), [], m, r, name));
  }

  const bwd = $('backward-col');
  bwd.replaceChildren(h('h3', {}, `Backward, step ${t}`));
  bwd.append(
    h(
      'p',
      { class: 'note' },
      `${d.bptt}: what step ${t} receives is dL/dh_${t} plus the dh carried back from step ${t + 1}` +
        `${t === T ? ' (zero: this is the last step)' : ''}.`,
    ),
  );
  for (const [name, m] of Object.entries(step.upstream)) bwd.append(quantity(tex(symbol(name)), [], m, r, name));
  const seen = new Set<string>();
  for (const e of d.backward) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    const m = step.backward[e.name];
    const eqs = equationsFor(d.backward, e.name);
    bwd.append(
      quantity(tex(symbol(e.name)), eqs, m, r, e.name, m === undefined ? 'an intermediate: not returned' : undefined),
    );
  }
  for (const [name, m] of Object.entries(step.backward)) {
    if (!seen.has(name)) bwd.append(quantity(tex(symbol(name)), [], m, r, name));
  }
}

function renderSequence(): void {
  if (run === null) return;
  const r = run;
  const body = $('sequence-body');
  body.replaceChildren();
  body.append(
    h(
      'p',
      {},
      `The ${r.case.cell.title} over T = ${r.case.sizes.T} steps, with L = Σ_t Σ h_t ⊙ G_t for random G_t ` +
        "(the dL/dh_t above). Each weight gradient is the sum of the steps' shares.",
    ),
  );
  const grid = h('div', { class: 'grid' });
  for (const [name, g] of Object.entries(r.grads)) {
    if (g instanceof Tensor3) {
      const [N, T, D] = g.dims;
      const m = new Matrix(N * T, D, g.data.slice());
      const box = h('div', { class: 'quantity', 'data-quantity': name });
      box.append(h('h4', {}, tex(`${name.replace(/^d/, 'd')}_{1\\dots T}`)));
      box.append(h('p', { class: 'note' }, `N×T×D, one row per (n, t)`));
      box.append(heatmap(name, m, r.case.cell, r.case.sizes.H, (i) => `n${Math.floor(i / T) + 1} t${(i % T) + 1}`));
      grid.append(box);
    } else {
      const sum = /^dW|^db/.test(name) ? `Σ_t ${name}` : undefined;
      grid.append(quantity(tex(symbol(name)), [], g, r, name, sum));
    }
  }
  body.append(grid);
}

function sizes(): Sizes {
  const read = (k: keyof Sizes): number => Number(($(`size-${k}`) as HTMLInputElement).value);
  return clampSizes({ N: read('N'), D: read('D'), H: read('H'), T: read('T') });
}

function cellName(): string {
  return ($('cell') as HTMLSelectElement).value;
}

function seed(): number {
  const v = Math.round(Number(($('seed') as HTMLInputElement).value));
  return Number.isFinite(v) && v >= 1 ? v : 1;
}

function recompute(): void {
  const s = sizes();
  for (const k of ['N', 'D', 'H', 'T'] as const) {
    const input = $(`size-${k}`) as HTMLInputElement;
    if (input.value !== String(s[k]) && document.activeElement !== input) input.value = String(s[k]);
  }
  run = runCase(makeCase(cellName(), s, seed()));
  const range = $('t') as HTMLInputElement;
  range.max = String(s.T);
  t = Math.min(t, s.T);
  $('case-note').textContent =
    `${run.case.cell.title}: N=${s.N} D=${s.D} H=${s.H} T=${s.T}, seed ${seed()}` +
    (run.case.cell.gateOrder.length > 1 ? `; gate blocks ${run.case.cell.gateOrder.join(' | ')}` : '') +
    `. Limits: N ≤ ${LIMITS.N[1]}, D ≤ ${LIMITS.D[1]}, H ≤ ${LIMITS.H[1]}, T ≤ ${LIMITS.T[1]}.`;
  renderStep();
  renderSequence();
  scheduleCheck();
}

function setT(next: number): void {
  if (run === null) return;
  t = Math.min(run.case.sizes.T, Math.max(1, next));
  renderStep();
}

// ——— the gradient check of the library's kernels ———

function checkSettings(): CheckSettings {
  return { sizes: sizes(), seed: DEFAULT_SEED, eps: DEFAULT_EPS, tolerance: DEFAULT_TOLERANCE, samples: null };
}

function tableOf(t: ReportTable, cls: string): HTMLElement {
  const table = h('table', { class: `report ${cls}` });
  table.append(h('thead', {}, h('tr', {}, ...t.head.map((c) => h('th', { scope: 'col' }, c)))));
  const body = h('tbody');
  for (const row of t.rows) {
    const tr = h('tr', { class: row[row.length - 1] === 'ok' ? 'pass' : 'fail' });
    for (const c of row) tr.append(h('td', {}, c));
    body.append(tr);
  }
  table.append(body);
  return table;
}

let checkTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleCheck(): void {
  if (checkTimer !== null) clearTimeout(checkTimer);
  checkTimer = setTimeout(runLibraryCheck, 120);
}

let worker: Worker | null = null;
let workerUrl: string | null = null;
let libraryWorker: Worker | null = null;

/** A fresh worker running the bundled worker code, from a Blob URL (a file URL cannot start a worker from a file). */
function startWorker(): Worker {
  if (workerUrl === null) workerUrl = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
  return new Worker(workerUrl);
}

/** Checks the chosen cell's library kernels in a worker; a newer request stops an older one still running. */
function runLibraryCheck(): void {
  const settings = checkSettings();
  const pattern = `${cellName()}*`;
  $('check-kernel-name').textContent = pattern;
  libraryWorker?.terminate();
  const w = startWorker();
  libraryWorker = w;
  const v = $('check-verdict');
  v.textContent = `checking ${pattern} …`;
  v.className = 'verdict';
  $('check-table').setAttribute('aria-busy', 'true');
  w.onmessage = (e: MessageEvent<{ type: string; report?: GradcheckJsonReport; message?: string }>) => {
    w.terminate();
    if (libraryWorker === w) libraryWorker = null;
    $('check-table').removeAttribute('aria-busy');
    const report = e.data.report;
    if (report === undefined) {
      v.textContent = `the check failed: ${e.data.message ?? ''}`;
      v.className = 'verdict fail';
      return;
    }
    $('check-settings').textContent = `handgrad check: ${settingsLine(report)}`;
    $('check-table').replaceChildren(tableOf(libraryTable(report), 'library'));
    v.textContent = verdict(report);
    v.className = `verdict ${report.ok ? 'pass' : 'fail'}`;
  };
  w.postMessage({ type: 'library', pattern, settings });
}

// ——— gradient flow ———

let flowView: View | null = null;
let flowTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleFlow(): void {
  $('rho-out').textContent = Number(($('rho') as HTMLInputElement).value).toFixed(2);
  $('flow-T-out').textContent = ($('flow-T') as HTMLInputElement).value;
  if (flowTimer !== null) clearTimeout(flowTimer);
  flowTimer = setTimeout(() => void renderFlow(), 60);
}

async function renderFlow(): Promise<void> {
  const rho = Number(($('rho') as HTMLInputElement).value);
  const T = Number(($('flow-T') as HTMLInputElement).value);
  const result = measureFlow({ rhos: [rho], T });
  const spec = flowChartSpec(result) as { vconcat?: { width: number }[] };
  const box = $('flow-plot');
  const width = Math.max(220, Math.min(520, box.clientWidth - (box.clientWidth < 560 ? 80 : 190)));
  for (const v of spec.vconcat ?? []) v.width = width;
  // On a phone the legend goes under the plot, not beside it.
  if (box.clientWidth < 560)
    (spec as Record<string, unknown>).config = { legend: { orient: 'bottom', direction: 'vertical' } };
  const compiled = compile(spec as Parameters<typeof compile>[0]).spec;
  flowView?.finalize();
  const host = h('div');
  box.replaceChildren(host);
  flowView = new View(parse(compiled), { renderer: 'svg', container: host, hover: false });
  await flowView.runAsync();
  const first = result.series.map((s) => `${s.cell} ${(s.gradNorms[0] as number).toExponential(2)}`);
  box.dataset.gradFirst = first.join('; ');
  box.setAttribute('aria-label', `gradient flow at ρ = ${rho}, T = ${T}: ‖dL/dh_1‖ is ${first.join(', ')}`);
  $('flow-summary').textContent = `‖dL/dh_1‖ at ρ = ${rho.toFixed(2)}, T = ${T}: ${first.join(', ')} (‖dL/dh_T‖ = 1).`;
}

// ——— check my kernel ———

function lines(f: (out: (line: string) => void) => void): string[] {
  const out: string[] = [];
  f((l) => out.push(l));
  return out;
}

function showMine(report: GradcheckJsonReport, notes: readonly string[]): void {
  const box = $('mine-report');
  box.replaceChildren();
  if (report.error !== null) {
    box.append(
      h('p', { class: 'verdict fail', 'data-error-kind': report.error.kind }, `handgrad: ${report.error.message}`),
    );
  } else {
    box.append(h('p', { class: `verdict ${report.ok ? 'pass' : 'fail'}` }, userVerdict(report)));
  }
  // The named mistakes first (the CLI prints them under its table): on a page they are the news.
  const diagnoses = lines((out) => printDiagnoses(out, report));
  if (diagnoses.length > 0) {
    box.append(h('ul', { class: 'diagnoses' }, ...diagnoses.map((l) => h('li', { class: 'diagnosis' }, l))));
  }
  if (report.kernels.length > 0) {
    box.append(h('p', { class: 'mono' }, checkedLine(report)));
    box.append(h('div', { class: 'scroll' }, tableOf(userTable(report), 'user')));
  }
  const details = lines((out) => printFailureDetails(out, report));
  if (details.length > 0) box.append(h('pre', { class: 'scroll details' }, details.join('\n')));
  const more = noteLines(report, notes);
  if (report.error === null)
    more.push(report.ok ? 'all checks pass' : `${report.counts.failed} of ${report.counts.rows} checks FAIL`);
  for (const l of more) box.append(h('p', { class: 'note' }, l));
}

function runMine(): void {
  const source = ($('editor') as HTMLTextAreaElement).value;
  const settings = checkSettings();
  worker?.terminate();
  const w = startWorker();
  worker = w;
  const status = $('mine-status');
  status.textContent = 'checking…';
  let kernel: string | null = null;
  const limitMs = DEFAULT_TIMEOUT_SECONDS * 1000;
  const finish = (report: GradcheckJsonReport, notes: readonly string[], text: string): void => {
    clearTimeout(timer);
    w.terminate();
    if (worker === w) worker = null;
    status.textContent = text;
    showMine(report, notes);
  };
  const timer = setTimeout(() => {
    const error: CheckRunError = {
      kind: 'timeout',
      kernel,
      location: null,
      message:
        `${kernel === null ? 'your module' : `${kernel}: your kernels`} did not finish within ` +
        `${DEFAULT_TIMEOUT_SECONDS} s (an infinite loop?); the check was stopped`,
    };
    finish(buildJsonReport([], 'pasted module', settings, [], error), [], 'stopped: time limit');
  }, limitMs);
  w.onmessage = (e: MessageEvent<{ type: string; kernel?: string; message?: string } & Partial<PastedCheck>>) => {
    const msg = e.data;
    if (msg.type === 'phase') {
      kernel = msg.kernel ?? null;
      status.textContent = `checking ${kernel ?? ''}…`;
    } else if (msg.type === 'done' && msg.report !== undefined) {
      finish(msg.report, msg.notes ?? [], msg.report.ok ? 'done: all checks pass' : 'done: see the report');
    } else if (msg.type === 'crash') {
      const error: CheckRunError = {
        kind: 'crash',
        kernel,
        location: null,
        message: `internal error of the checker: ${msg.message ?? ''}`,
      };
      finish(buildJsonReport([], 'pasted module', settings, [], error), [], 'failed');
    }
  };
  w.onerror = (e) => {
    e.preventDefault();
    const error: CheckRunError = { kind: 'crash', kernel, location: null, message: `the worker failed: ${e.message}` };
    finish(buildJsonReport([], 'pasted module', settings, [], error), [], 'failed');
  };
  w.postMessage({ type: 'pasted', source, settings });
}

function contract(): HTMLElement {
  const rows: [string, string, string][] = [
    [
      'rnn-step',
      'rnnStepForward(x, hPrev, { Wx, Wh, b }) → { h, cache }',
      'rnnStepBackward(dh, cache) → { dx, dhPrev, dWx, dWh, db }',
    ],
    ['rnn', 'rnnForward(x, h0, { Wx, Wh, b }) → { h, cache }', 'rnnBackward(dh, cache) → { dx, dh0, dWx, dWh, db }'],
    [
      'lstm-step',
      'lstmStepForward(x, hPrev, cPrev, { Wx, Wh, b }) → { h, c, cache }',
      'lstmStepBackward(dh, dcNext, cache) → { dx, dhPrev, dcPrev, dWx, dWh, db }',
    ],
    [
      'lstm',
      'lstmForward(x, h0, { Wx, Wh, b }, c0) → { h, c, cache }',
      'lstmBackward(dh, cache, dcT) → { dx, dh0, dc0, dWx, dWh, db }',
    ],
    [
      'gru-step',
      'gruStepForward(x, hPrev, { Wx, Wh, bx, bh }) → { h, cache }',
      'gruStepBackward(dh, cache) → { dx, dhPrev, dWx, dWh, dbx, dbh }',
    ],
    [
      'gru',
      'gruForward(x, h0, { Wx, Wh, bx, bh }) → { h, cache }',
      'gruBackward(dh, cache) → { dx, dh0, dWx, dWh, dbx, dbh }',
    ],
  ];
  const box = h('div');
  box.append(
    h(
      'p',
      {},
      'The text is the body of one JavaScript module, as the file you would pass to handgrad check --impl. ' +
        'Export functions under these names (export function …, export const …, export { … }, ' +
        'export default { … }, or ' +
        'module.exports = { … }); every kernel whose forward is exported is checked. import and require are not ' +
        'available here: paste your helpers into the same text.',
    ),
  );
  box.append(
    h(
      'div',
      { class: 'scroll' },
      tableOf(
        { head: ['kernel', 'forward → returns', 'backward → returns'], rows: rows.map((r) => [...r]) },
        'contract',
      ),
    ),
  );
  box.append(
    h(
      'p',
      {},
      'A matrix arrives as { rows, cols, data } with data a Float64Array, row-major; a sequence as ' +
        '{ dims: [N, T, D], data }, element (n, t, d) at data[(n·T + t)·D + d]. Return the same shapes as ' +
        '{ rows, cols, data } (plain arrays are fine), { dims, data }, or nested arrays. ' +
        'Gate blocks: LSTM f | i | g | o, ' +
        'GRU r | z | n. The cache is yours: it goes from your forward to your backward untouched.',
    ),
  );
  return box;
}

function init(): void {
  for (const id of ['cell', 'size-N', 'size-D', 'size-H', 'size-T', 'seed']) $(id).addEventListener('input', recompute);
  for (const id of ['size-N', 'size-D', 'size-H', 'size-T']) {
    $(id).addEventListener('change', () => {
      const input = $(id) as HTMLInputElement;
      const k = id.slice(-1) as keyof Sizes;
      input.value = String(sizes()[k]);
    });
  }
  $('t').addEventListener('input', () => setT(Number(($('t') as HTMLInputElement).value)));
  $('t-prev').addEventListener('click', () => setT(t - 1));
  $('t-next').addEventListener('click', () => setT(t + 1));
  $('t-first').addEventListener('click', () => setT(1));
  $('t-last').addEventListener('click', () => setT(run?.case.sizes.T ?? 1));
  const keys = (e: KeyboardEvent): void => {
    const moves: Record<string, () => number> = {
      ArrowLeft: () => t - 1,
      ArrowRight: () => t + 1,
      Home: () => 1,
      End: () => run?.case.sizes.T ?? 1,
    };
    const move = moves[e.key];
    if (move === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    setT(move());
  };
  $('stepper').addEventListener('keydown', keys);
  document.addEventListener('keydown', (e) => {
    if (e.target === document.body) keys(e);
  });
  $('rho').addEventListener('input', scheduleFlow);
  $('flow-T').addEventListener('input', scheduleFlow);
  $('limit').textContent = String(DEFAULT_TIMEOUT_SECONDS);
  $('contract').replaceChildren(contract());
  const editor = $('editor') as HTMLTextAreaElement;
  editor.value = RNN_STEP_TEMPLATE;
  editor.addEventListener('keydown', (e) => {
    // Tab indents in the editor; Escape then Tab leaves it (the focus order stays usable).
    if (e.key === 'Tab' && !e.shiftKey && editor.dataset.escaped !== '1') {
      e.preventDefault();
      const { selectionStart: a, selectionEnd: b } = editor;
      editor.setRangeText('  ', a, b, 'end');
    }
    editor.dataset.escaped = e.key === 'Escape' ? '1' : '';
  });
  $('run-mine').addEventListener('click', runMine);
  $('reset-mine').addEventListener('click', () => {
    editor.value = RNN_STEP_TEMPLATE;
    $('mine-report').replaceChildren();
    $('mine-status').textContent = '';
  });
  recompute();
  scheduleFlow();
}

init();
