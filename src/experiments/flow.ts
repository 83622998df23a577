/**
 * The gradient-flow experiment: how the gradient of a loss at the last step
 * reaches the early hidden states of each cell, when W_h's eigenvalues have
 * modulus ρ below, at or above 1.
 *
 * Docs: docs/experiments.md ("Gradient flow").
 */
import { Matrix, Tensor3, checkSize } from '../linalg/index.js';
import type { ParamRecord } from '../optim/params.js';
import { cellNames, getCell, type CellState } from '../train/cells.js';
import { gaussianFrom, seededRandom } from '../train/random.js';

/** Settings of {@link measureFlow}; every field has a default. */
export interface FlowOptions {
  /** Cells to measure, by registered name; every registered cell by default. */
  readonly cells?: readonly string[];
  /** Spectral radii of W_h's blocks; [0.5, 1, 1.5] by default. */
  readonly rhos?: readonly number[];
  /** Sequence length; 50 by default. */
  readonly T?: number;
  /** Hidden size; 32 by default. */
  readonly H?: number;
  /** Input width; 8 by default. */
  readonly D?: number;
  /**
   * Standard deviation of the inputs x_t; 0.1 by default: weak drive keeps tanh near its linear range,
   * where ρ alone sets the growth or decay (at 1 the RNN saturates and every ρ vanishes).
   */
  readonly inputScale?: number;
  /** Seed for weights, inputs and the unit gradient; 1 by default. */
  readonly seed?: number;
}

/** One line of the experiment: one cell at one ρ. */
export interface FlowSeries {
  /** Cell name. */
  readonly cell: string;
  /** Spectral radius of each H×H block of W_h. */
  readonly rho: number;
  /** ‖dL/dh_t‖ for t = 1…T (index t − 1); the last is 1, the unit gradient. */
  readonly gradNorms: readonly number[];
  /** ‖h_t‖ for t = 1…T, the forward pass. */
  readonly stateNorms: readonly number[];
  /** ‖dL/dc_t‖ for t = 1…T, for cells with a cell state (the LSTM); absent otherwise. */
  readonly cellGradNorms?: readonly number[];
}

/** The outcome of {@link measureFlow}. */
export interface FlowResult {
  /** The options used, defaults filled in. */
  readonly options: Required<FlowOptions>;
  /** One series per (cell, ρ), cells outer, ρ inner. */
  readonly series: readonly FlowSeries[];
}

function norm(m: Matrix | undefined): number {
  if (m === undefined) return 0;
  let s = 0;
  for (let k = 0; k < m.data.length; k++) s += (m.data[k] as number) ** 2;
  return Math.sqrt(s);
}

/** Fills in the defaults of {@link FlowOptions}. */
export function flowDefaults(options: FlowOptions = {}): Required<FlowOptions> {
  return {
    cells: options.cells ?? cellNames(),
    rhos: options.rhos ?? [0.5, 1, 1.5],
    T: options.T ?? 50,
    H: options.H ?? 32,
    D: options.D ?? 8,
    inputScale: options.inputScale ?? 0.1,
    seed: options.seed ?? 1,
  };
}

/**
 * For each cell and ρ: weights from the cell's `init` with W_h multiplied by
 * ρ (each H×H block of W_h starts orthogonal, so its eigenvalues then all
 * have modulus ρ), inputs x_t ~ N(0, 1) for one sequence (N = 1), h_0 = 0.
 * Runs forward recording ‖h_t‖, then backpropagates L = ⟨u, h_T⟩ for a
 * random unit vector u and records the carried ‖dL/dh_t‖ for every t.
 *
 * The backward runs one step at a time — the sequence split into T
 * single-step calls of the cell's own forward/backward, state handed from
 * each to the next — which is exactly BPTT, and lets us read the carried
 * gradient between steps for any registered cell. Every (cell, ρ) sees the
 * same inputs and the same u, so the lines differ only by the cell and ρ.
 */
export function measureFlow(options: FlowOptions = {}): FlowResult {
  const o = flowDefaults(options);
  const fn = 'measureFlow';
  checkSize(fn, 'options.T', o.T);
  checkSize(fn, 'options.H', o.H);
  checkSize(fn, 'options.D', o.D);
  if (o.cells.length === 0) throw new RangeError(`${fn}: options.cells must name at least one cell`);
  for (const rho of o.rhos) {
    if (typeof rho !== 'number' || !Number.isFinite(rho) || rho <= 0) {
      throw new RangeError(`${fn}: every ρ in options.rhos must be a positive number, got ${String(rho)}`);
    }
  }
  if (typeof o.inputScale !== 'number' || !Number.isFinite(o.inputScale) || o.inputScale < 0) {
    throw new RangeError(`${fn}: options.inputScale must be a non-negative number, got ${String(o.inputScale)}`);
  }
  const cells = o.cells.map((name) => getCell(name));
  const { T, H, D } = o;
  const inputRand = seededRandom(o.seed + 7919);
  const steps: Tensor3[] = [];
  for (let t = 0; t < T; t++) {
    const xt = Tensor3.zeros(1, 1, D);
    for (let k = 0; k < D; k++) xt.data[k] = o.inputScale * gaussianFrom(inputRand);
    steps.push(xt);
  }
  const u = Matrix.zeros(1, H);
  for (let k = 0; k < H; k++) u.data[k] = gaussianFrom(inputRand);
  const uNorm = norm(u);
  for (let k = 0; k < H; k++) u.data[k] = (u.data[k] as number) / uNorm;

  const series: FlowSeries[] = [];
  for (const cell of cells) {
    for (const rho of o.rhos) {
      const base = cell.init(D, H, seededRandom(o.seed));
      const params: ParamRecord = { ...base, Wh: scaled(base.Wh as Matrix, rho) };
      let state: CellState = { h: Matrix.zeros(1, H) };
      const caches: unknown[] = [];
      const stateNorms: number[] = [];
      for (let t = 0; t < T; t++) {
        const f = cell.forward(steps[t] as Tensor3, state, params);
        caches.push(f.cache);
        state = f.last;
        stateNorms.push(norm(state.h));
      }
      const hasCell = state.c !== undefined;
      const gradNorms = new Array<number>(T).fill(0);
      const cellGradNorms = new Array<number>(T).fill(0);
      let dState: CellState = hasCell ? { h: u, c: Matrix.zeros(1, H) } : { h: u };
      for (let t = T - 1; t >= 0; t--) {
        gradNorms[t] = norm(dState.h);
        cellGradNorms[t] = norm(dState.c);
        dState = cell.backward(Tensor3.zeros(1, 1, H), caches[t], dState).dFirst;
      }
      series.push({ cell: cell.name, rho, gradNorms, stateNorms, ...(hasCell ? { cellGradNorms } : {}) });
    }
  }
  return { options: o, series };
}

function scaled(m: Matrix, factor: number): Matrix {
  const out = m.clone();
  for (let k = 0; k < out.data.length; k++) out.data[k] = (out.data[k] as number) * factor;
  return out;
}
