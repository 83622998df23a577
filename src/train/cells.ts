/**
 * One interface over the recurrent cells, so a training loop or an
 * experiment is written once and runs on the vanilla RNN, the LSTM, the GRU and any
 * cell registered later with registerCell.
 *
 * Docs: docs/training.md ("Cells").
 */
import {
  type Matrix,
  Tensor3,
  asMatrix,
  asTensor3,
  checkMemory,
  checkSize,
  dim,
  expectShape,
} from '../linalg/index.js';
import { gruBackward, gruForward, type GruCache } from '../gru/sequence.js';
import { lstmBackward, lstmForward, type LstmCache } from '../lstm/sequence.js';
import { rnnBackward, rnnForward, type RnnCache } from '../rnn/sequence.js';
import type { ParamRecord } from '../optim/params.js';
import { initGruParams, initLstmParams, initRnnParams } from './init.js';
import type { Rand } from './random.js';

export { initRecurrentWeights } from './init.js';

/**
 * The recurrent state carried between steps: h for every cell, plus the
 * cell state c for the LSTM.
 */
export interface CellState {
  /** Hidden state, N×H. */
  readonly h: Matrix;
  /** LSTM cell state, N×H; absent for cells without one (zeros when omitted). */
  readonly c?: Matrix;
}

/** What {@link RecurrentCell.forward} returns. */
export interface CellForward {
  /** Every h_t, N×T×H. */
  readonly h: Tensor3;
  /** The state after the last step (h_T, and c_T for the LSTM). */
  readonly last: CellState;
  /** Opaque; pass it to {@link RecurrentCell.backward}. */
  readonly cache: unknown;
}

/** What {@link RecurrentCell.backward} returns. */
export interface CellBackward {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/d(first state): dh_0, and dc_0 for the LSTM. */
  readonly dFirst: CellState;
  /**
   * The gradient of every param, named d + the param's name (`dWx`, `dWh`, `db`
   * for params `Wx`, `Wh`, `b`): what the optimizers read, and under
   * `withPrefix('cell', …)` the gradients of a model's `cell.*` params.
   */
  readonly grads: ParamRecord;
}

/**
 * A recurrent cell behind one interface. Params are a flat record of
 * matrices whose recurrent weight is always `Wh`, H×(gateCount·H), made of
 * gateCount H×H blocks.
 */
export interface RecurrentCell {
  /** The name used on the command line, e.g. `"lstm"`. */
  readonly name: string;
  /** A short human description, e.g. `"LSTM (gates f|i|g|o)"`. */
  readonly description: string;
  /** How many H×H blocks W_h stacks: 1 (RNN), 4 (LSTM), 3 (GRU). */
  readonly gateCount: number;
  /**
   * Fresh weights for inputs of width D and hidden size H. Each H×H block of
   * `Wh` must be orthogonal, so that scaling `Wh` by ρ sets every block's
   * spectral radius to ρ.
   */
  init(D: number, H: number, rand: Rand): ParamRecord;
  /** Runs the cell over x (N×T×D) from `first` (zeros for a missing c). */
  forward(x: Tensor3, first: CellState, params: ParamRecord): CellForward;
  /**
   * BPTT given dL/dh_t for every t and, optionally, the gradient arriving at
   * the last state from outside the sequence (added to dh_T, and dc_T).
   */
  backward(dh: Tensor3, cache: unknown, dLast?: CellState): CellBackward;
}

/**
 * h_T = h[:, T−1, :], the last time step of an N×T×H tensor, as a new N×H
 * matrix: what a read-out of the final state (a classifier, the adding
 * problem's regression) takes from rnnForward, lstmForward or gruForward.
 * Its gradient is {@link lastStepBackward}.
 */
export function lastStep(h: Tensor3): Matrix {
  const t = asTensor3('lastStep', 'h', h);
  return t.step(t.dims[1] - 1);
}

/**
 * The backward of {@link lastStep}: dh, N×T×H, zero at every step but the
 * last, which is dhT (N×H). This is the `dh` to pass to the cell's backward
 * when the loss reads only h_T.
 */
export function lastStepBackward(dhT: Matrix, T: number): Tensor3 {
  const fn = 'lastStepBackward';
  const d = asMatrix(fn, 'dhT', dhT);
  checkSize(fn, 'T', T);
  // The N×T×H result, checked here so a huge T is refused in this function's name.
  checkMemory(fn, { N: d.rows, T, H: d.cols }, { dh: d.rows * T * d.cols });
  return withLastStepAdded(Tensor3.zeros(d.rows, T, d.cols), d);
}

/** A copy of dh (N×T×H) with `dhLast` (N×H) added at the last step; dh itself when dhLast is undefined. */
export function withLastStepAdded(dh: Tensor3, dhLast: Matrix | undefined): Tensor3 {
  const fn = 'withLastStepAdded';
  const t = asTensor3(fn, 'dh', dh);
  if (dhLast === undefined) return t;
  const [N, T, H] = t.dims;
  const last = expectShape(fn, 'dhLast', dhLast, dim('N', N, 'dh'), dim('H', H, 'dh'), 'the shape of dh[:, T−1, :]');
  const out = t.clone();
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const k = (n * T + T - 1) * H + j;
      out.data[k] = (out.data[k] as number) + (last.data[n * H + j] as number);
    }
  }
  return out;
}

/** The vanilla RNN: params { Wx: D×H, Wh: H×H, b: 1×H }. */
export const rnnCell: RecurrentCell = {
  name: 'rnn',
  description: 'vanilla RNN, h = tanh(h·Wh + x·Wx + b)',
  gateCount: 1,
  init: (D, H, rand) => ({ ...initRnnParams(D, H, rand) }),
  forward(x, first, params) {
    const { h, cache } = rnnForward(x, first.h, params as never);
    return { h, last: { h: lastStep(h) }, cache };
  },
  backward(dh, cache, dLast) {
    const g = rnnBackward(withLastStepAdded(dh, dLast?.h), cache as RnnCache);
    return { dx: g.dx, dFirst: { h: g.dh0 }, grads: { dWx: g.dWx, dWh: g.dWh, db: g.db } };
  },
};

/**
 * The LSTM: params { Wx: D×4H, Wh: H×4H, b: 1×4H } in gate order f|i|g|o,
 * with the forget-gate bias initialised to 1 (Gers et al. 2000; Jozefowicz et
 * al. 2015) so that f ≈ σ(1) ≈ 0.73 and the cell remembers from the start.
 */
export const lstmCell: RecurrentCell = {
  name: 'lstm',
  description: 'LSTM, gates f|i|g|o, forget bias 1',
  gateCount: 4,
  init: (D, H, rand) => ({ ...initLstmParams(D, H, rand) }),
  forward(x, first, params) {
    const { h, c, cache } = lstmForward(x, first.h, params as never, first.c);
    return { h, last: { h: lastStep(h), c }, cache };
  },
  backward(dh, cache, dLast) {
    const g = lstmBackward(withLastStepAdded(dh, dLast?.h), cache as LstmCache, dLast?.c);
    return { dx: g.dx, dFirst: { h: g.dh0, c: g.dc0 }, grads: { dWx: g.dWx, dWh: g.dWh, db: g.db } };
  },
};

/**
 * The GRU (PyTorch's form): params { Wx: D×3H, Wh: H×3H, bx: 1×3H, bh: 1×3H }
 * in gate order r|z|n, biases initialised to 0.
 */
export const gruCell: RecurrentCell = {
  name: 'gru',
  description: 'GRU (PyTorch form), gates r|z|n',
  gateCount: 3,
  init: (D, H, rand) => ({ ...initGruParams(D, H, rand) }),
  forward(x, first, params) {
    const { h, cache } = gruForward(x, first.h, params as never);
    return { h, last: { h: lastStep(h) }, cache };
  },
  backward(dh, cache, dLast) {
    const g = gruBackward(withLastStepAdded(dh, dLast?.h), cache as GruCache);
    return { dx: g.dx, dFirst: { h: g.dh0 }, grads: { dWx: g.dWx, dWh: g.dWh, dbx: g.dbx, dbh: g.dbh } };
  },
};

const registry = new Map<string, RecurrentCell>([
  [rnnCell.name, rnnCell],
  [lstmCell.name, lstmCell],
  [gruCell.name, gruCell],
]);

/**
 * Makes a cell available by name to {@link getCell}, the training loops and
 * the CLI (`--cell <name>`, the lines of `handgrad flow`). Registering a
 * name again replaces the earlier cell.
 */
export function registerCell(cell: RecurrentCell): void {
  if (
    typeof cell !== 'object' ||
    cell === null ||
    typeof cell.name !== 'string' ||
    !/^[a-z][a-z0-9-]*$/.test(cell.name)
  ) {
    throw new TypeError('registerCell: cell must be a RecurrentCell with a lower-case name, e.g. "gru"');
  }
  for (const m of ['init', 'forward', 'backward'] as const) {
    if (typeof cell[m] !== 'function') throw new TypeError(`registerCell: cell "${cell.name}" has no ${m}() method`);
  }
  registry.set(cell.name, cell);
}

/** The names of the registered cells, in registration order. */
export function cellNames(): string[] {
  return [...registry.keys()];
}

/**
 * The registered cell called `name`.
 *
 * @throws RangeError naming the available cells when there is none by that name.
 */
export function getCell(name: string): RecurrentCell {
  const cell = registry.get(name);
  if (cell === undefined) {
    throw new RangeError(`getCell: no cell named ${JSON.stringify(name)}; available: ${cellNames().join(', ')}`);
  }
  return cell;
}
