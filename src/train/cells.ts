/**
 * One interface over the recurrent cells, so a training loop or an
 * experiment is written once and runs on the vanilla RNN, the LSTM, the GRU and any
 * cell registered later with registerCell.
 *
 * Docs: docs/training.md ("Cells").
 */
import { Matrix, type Tensor3 } from '../linalg/index.js';
import { gruBackward, gruForward, type GruCache } from '../gru/sequence.js';
import { lstmBackward, lstmForward, type LstmCache } from '../lstm/sequence.js';
import { rnnBackward, rnnForward, type RnnCache } from '../rnn/sequence.js';
import type { ParamRecord } from '../optim/params.js';
import { randomNormalMatrix, randomOrthogonal, type Rand } from './random.js';

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
  /** Gradients keyed exactly like the cell's params. */
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
 * Input weights N(0, 1/D) and recurrent blocks orthogonal: each unit's input
 * pre-activation then has unit variance, and W_h neither shrinks nor grows a
 * state on its own — the starting point the flow experiment scales by ρ.
 */
export function initRecurrentWeights(D: number, H: number, gateCount: number, rand: Rand): {
  /** Input weights, D×(gateCount·H). */
  Wx: Matrix;
  /** Recurrent weights, H×(gateCount·H), each H×H block orthogonal. */
  Wh: Matrix;
} {
  const Wx = randomNormalMatrix(D, gateCount * H, rand, 1 / Math.sqrt(D));
  const Wh = Matrix.zeros(H, gateCount * H);
  for (let g = 0; g < gateCount; g++) {
    const q = randomOrthogonal(H, rand);
    for (let i = 0; i < H; i++) Wh.data.set(q.data.subarray(i * H, (i + 1) * H), i * gateCount * H + g * H);
  }
  return { Wx, Wh };
}

/** h_T, the last time step of an N×T×H tensor, as a new N×H matrix. */
export function lastStep(h: Tensor3): Matrix {
  return h.step(h.dims[1] - 1);
}

/** A copy of dh (N×T×H) with `dhLast` (N×H) added at the last step; dh itself when dhLast is undefined. */
export function withLastStepAdded(dh: Tensor3, dhLast: Matrix | undefined): Tensor3 {
  if (dhLast === undefined) return dh;
  const [N, T, H] = dh.dims;
  const out = dh.clone();
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const k = (n * T + T - 1) * H + j;
      out.data[k] = (out.data[k] as number) + (dhLast.data[n * H + j] as number);
    }
  }
  return out;
}

/** The vanilla RNN: params { Wx: D×H, Wh: H×H, b: 1×H }. */
export const rnnCell: RecurrentCell = {
  name: 'rnn',
  description: 'vanilla RNN, h = tanh(h·Wh + x·Wx + b)',
  gateCount: 1,
  init(D, H, rand) {
    return { ...initRecurrentWeights(D, H, 1, rand), b: Matrix.zeros(1, H) };
  },
  forward(x, first, params) {
    const { h, cache } = rnnForward(x, first.h, params as never);
    return { h, last: { h: lastStep(h) }, cache };
  },
  backward(dh, cache, dLast) {
    const g = rnnBackward(withLastStepAdded(dh, dLast?.h), cache as RnnCache);
    return { dx: g.dx, dFirst: { h: g.dh0 }, grads: { Wx: g.dWx, Wh: g.dWh, b: g.db } };
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
  init(D, H, rand) {
    const b = Matrix.zeros(1, 4 * H);
    b.data.fill(1, 0, H);
    return { ...initRecurrentWeights(D, H, 4, rand), b };
  },
  forward(x, first, params) {
    const { h, c, cache } = lstmForward(x, first.h, params as never, first.c);
    return { h, last: { h: lastStep(h), c }, cache };
  },
  backward(dh, cache, dLast) {
    const g = lstmBackward(withLastStepAdded(dh, dLast?.h), cache as LstmCache, dLast?.c);
    return { dx: g.dx, dFirst: { h: g.dh0, c: g.dc0 }, grads: { Wx: g.dWx, Wh: g.dWh, b: g.db } };
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
  init(D, H, rand) {
    return { ...initRecurrentWeights(D, H, 3, rand), bx: Matrix.zeros(1, 3 * H), bh: Matrix.zeros(1, 3 * H) };
  },
  forward(x, first, params) {
    const { h, cache } = gruForward(x, first.h, params as never);
    return { h, last: { h: lastStep(h) }, cache };
  },
  backward(dh, cache, dLast) {
    const g = gruBackward(withLastStepAdded(dh, dLast?.h), cache as GruCache);
    return { dx: g.dx, dFirst: { h: g.dh0 }, grads: { Wx: g.dWx, Wh: g.dWh, bx: g.dbx, bh: g.dbh } };
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
  if (typeof cell !== 'object' || cell === null || typeof cell.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(cell.name)) {
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
