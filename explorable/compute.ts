/**
 * The numbers the page shows, computed by handgrad's reference cells (the
 * derivation as code, src/<cell>/reference.ts): a seeded random case, the
 * forward of every step, and backpropagation through time one step backward
 * at a time, so the page can show what each step receives and returns. The
 * sums over t equal the library's sequence backward (test/explorable checks
 * them against the fast kernels to 1e-12).
 */
import { CELL_DESCRIPTORS } from '../src/cells.js';
import type { CellDescriptor } from '../src/descriptor.js';
import { Matrix, Tensor3 } from '../src/linalg/matrix.js';
import { getCell } from '../src/train/cells.js';
import { gaussianFrom, seededRandom } from '../src/train/random.js';

/** The sizes the page allows: small enough to read every number. */
export const LIMITS = { N: [1, 4], D: [1, 6], H: [1, 6], T: [1, 8] } as const;

/** The case's sizes. */
export interface Sizes {
  readonly N: number;
  readonly D: number;
  readonly H: number;
  readonly T: number;
}

/** A random case: inputs, initial states, weights and the upstream gradient dL/dh_t of every step. */
export interface Case {
  readonly cell: CellDescriptor;
  readonly sizes: Sizes;
  /** x, N×T×D. */
  readonly x: Tensor3;
  /** The initial states by name (`h`, and `c` for the LSTM), N×H each, random. */
  readonly first: Readonly<Record<string, Matrix>>;
  /** The weights, by the descriptor's parameter names. */
  readonly params: Readonly<Record<string, Matrix>>;
  /** The upstream dL/dh_t, N×T×H: L = Σ_t Σ h_t ⊙ dh_t. */
  readonly dh: Tensor3;
}

/** What one step received, kept and returned, forward and backward. */
export interface StepView {
  /** t, 1-based. */
  readonly t: number;
  /** The step forward's inputs x_t, h_{t−1} (c_{t−1}) by the forward's argument names. */
  readonly inputs: Readonly<Record<string, Matrix>>;
  /** The step forward's result: the new states and every matrix of its cache. */
  readonly forward: Readonly<Record<string, Matrix>>;
  /** The gradients entering the step backward: `dh` (upstream + carried), `dcNext`. */
  readonly upstream: Readonly<Record<string, Matrix>>;
  /** The step backward's result: dx, dhPrev, (dcPrev), and this step's share of each weight gradient. */
  readonly backward: Readonly<Record<string, Matrix>>;
}

/** A whole sequence, step by step, with the sequence's gradients. */
export interface Run {
  readonly case: Case;
  readonly steps: readonly StepView[];
  /** dx (N×T×D), dh0 (dc0), and each weight's gradient summed over t. */
  readonly grads: Readonly<Record<string, Matrix | Tensor3>>;
  /** h of every step, N×T×H. */
  readonly h: Tensor3;
}

/** The descriptor of a built-in cell. */
export function cellNamed(name: string): CellDescriptor {
  const cell = CELL_DESCRIPTORS.find((c) => c.name === name);
  if (cell === undefined) throw new RangeError(`explorable: no cell named ${JSON.stringify(name)}`);
  return cell;
}

/** Clamps each size into {@link LIMITS} (a non-number becomes the lower limit). */
export function clampSizes(s: Partial<Sizes>): Sizes {
  const c = (k: keyof Sizes): number => {
    const [lo, hi] = LIMITS[k];
    const v = Math.round(Number(s[k]));
    return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;
  };
  return { N: c('N'), D: c('D'), H: c('H'), T: c('T') };
}

function gaussianMatrix(rows: number, cols: number, rand: () => number, scale = 1): Matrix {
  const m = Matrix.zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = scale * gaussianFrom(rand);
  return m;
}

function gaussianTensor(N: number, T: number, D: number, rand: () => number): Tensor3 {
  const x = Tensor3.zeros(N, T, D);
  for (let k = 0; k < x.data.length; k++) x.data[k] = gaussianFrom(rand);
  return x;
}

/**
 * A seeded case: weights from the cell's training initializer (orthogonal
 * W_h blocks), x and the upstream gradients ~ N(0, 1), initial states ~ N(0, 0.5²).
 */
export function makeCase(cellName: string, sizes: Partial<Sizes>, seed = 1): Case {
  const cell = cellNamed(cellName);
  const s = clampSizes(sizes);
  const rand = seededRandom(seed);
  const params = getCell(cell.name).init(s.D, s.H, rand) as Record<string, Matrix>;
  const x = gaussianTensor(s.N, s.T, s.D, rand);
  const first = Object.fromEntries(cell.states.map((st) => [st, gaussianMatrix(s.N, s.H, rand, 0.5)]));
  const dh = gaussianTensor(s.N, s.T, s.H, rand);
  return { cell, sizes: s, x, first, params, dh };
}

function plus(a: Matrix, b: Matrix): Matrix {
  const out = a.clone();
  for (let k = 0; k < out.data.length; k++) out.data[k] = (out.data[k] as number) + (b.data[k] as number);
  return out;
}

function stepOf(x: Tensor3, t: number): Matrix {
  return x.step(t);
}

function setStep(x: Tensor3, t: number, m: Matrix): void {
  const [N, T, D] = x.dims;
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) x.data[(n * T + t) * D + d] = m.data[n * D + d] as number;
}

/** The matrices of a record (a cache's gates and states, a result's gradients), params left out. */
function matricesOf(r: Record<string, unknown>): Record<string, Matrix> {
  const out: Record<string, Matrix> = {};
  for (const [k, v] of Object.entries(r)) if (v instanceof Matrix) out[k] = v;
  return out;
}

/**
 * Runs the case through the cell's reference step forward for t = 1…T, then
 * its reference step backward for t = T…1, each receiving dL/dh_t plus the dh
 * carried back from step t+1 (and the carried dc), as the reference sequence
 * backward does; the weight gradients are summed over t.
 */
export function runCase(c: Case): Run {
  const { cell, sizes } = c;
  const ref = cell.reference;
  const [, ...others] = cell.states;
  const { N, T, D, H } = sizes;
  const forwards: { inputs: Record<string, Matrix>; out: Record<string, unknown> }[] = [];
  let state: Record<string, Matrix> = { ...c.first };
  const h = Tensor3.zeros(N, T, H);
  for (let t = 0; t < T; t++) {
    const inputs: Record<string, Matrix> = { x: stepOf(c.x, t) };
    for (const s of cell.states) inputs[`${s}Prev`] = state[s] as Matrix;
    const out = ref.stepForward(inputs.x, ...cell.states.map((s) => state[s]), c.params) as Record<string, unknown>;
    forwards.push({ inputs, out });
    state = Object.fromEntries(cell.states.map((s) => [s, out[s] as Matrix]));
    setStep(h, t, out.h as Matrix);
  }
  const steps: StepView[] = new Array(T);
  const dx = Tensor3.zeros(N, T, D);
  const sums: Record<string, Matrix> = {};
  let carried: Record<string, Matrix> = Object.fromEntries(cell.states.map((s) => [s, Matrix.zeros(N, H)]));
  for (let t = T - 1; t >= 0; t--) {
    const f = forwards[t] as (typeof forwards)[number];
    const upstream: Record<string, Matrix> = { dh: plus(stepOf(c.dh, t), carried.h as Matrix) };
    for (const s of others) upstream[`d${s}Next`] = carried[s] as Matrix;
    const g = ref.stepBackward(upstream.dh, ...others.map((s) => upstream[`d${s}Next`]), f.out.cache) as Record<
      string,
      Matrix
    >;
    setStep(dx, t, g.dx as Matrix);
    for (const p of cell.params) {
      const dp = g[`d${p.name}`] as Matrix;
      sums[`d${p.name}`] = sums[`d${p.name}`] === undefined ? dp.clone() : plus(sums[`d${p.name}`] as Matrix, dp);
    }
    carried = Object.fromEntries(cell.states.map((s) => [s, g[`d${s}Prev`] as Matrix]));
    const forward = { ...matricesOf(f.out.cache as Record<string, unknown>), ...matricesOf(f.out) };
    for (const k of Object.keys(f.inputs)) delete forward[k];
    steps[t] = { t: t + 1, inputs: f.inputs, forward, upstream, backward: matricesOf(g) };
  }
  const grads: Record<string, Matrix | Tensor3> = { dx };
  for (const s of cell.states) grads[`d${s}0`] = carried[s] as Matrix;
  Object.assign(grads, sums);
  return { case: c, steps, grads, h };
}
