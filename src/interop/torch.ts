/**
 * PyTorch's single-layer `nn.RNN` / `nn.LSTM` / `nn.GRU` and their `*Cell`s,
 * as plain JSON: `weight_ih` G·H×D, `weight_hh` G·H×H, `bias_ih` and
 * `bias_hh` of G·H, gate blocks stacked by rows. handgrad stacks them by
 * columns (Wx = weight_ihᵀ up to the block order).
 *
 * Docs: docs/interop.md.
 */
import { Matrix, asMatrix, expectMatrix } from '../linalg/index.js';
import { LSTM_GATE_ORDER, checkLstmParams, type LstmParams } from '../lstm/params.js';
import { checkRnnParams, type RnnParams } from '../rnn/params.js';
import { GRU_GATE_ORDER, checkGruParams, type GruParams } from '../gru/params.js';
import {
  blockHint,
  blockMap,
  blockSize,
  columnBlocksToRows,
  expectShape,
  permuteVector,
  readMatrix,
  readRecord,
  readVector,
  rowBlocksToColumns,
} from './layout.js';

/**
 * One PyTorch recurrent layer's weights in its own layout (G = 1 for the
 * RNN, 4 for the LSTM, 3 for the GRU), as `tensor.tolist()` gives them:
 *
 * ```text
 * weight_ih: G·H×D    weight_hh: G·H×H    bias_ih: G·H    bias_hh: G·H
 * ```
 *
 * For `nn.LSTM(...).state_dict()` drop the `_l0` suffix of the keys.
 */
export interface TorchWeights {
  /** Input-to-hidden weights, G·H×D, gate blocks stacked by rows. */
  weight_ih: number[][];
  /** Hidden-to-hidden weights, G·H×H. */
  weight_hh: number[][];
  /** Input-side bias, G·H. */
  bias_ih: number[];
  /** Hidden-side bias, G·H. */
  bias_hh: number[];
}

/** PyTorch's LSTM gate blocks, top to bottom in `weight_ih`: i | f | g | o. */
export const TORCH_LSTM_GATE_ORDER = ['i', 'f', 'g', 'o'] as const;

/** PyTorch's GRU gate blocks: r | z | n, the same as {@link GRU_GATE_ORDER}. */
export const TORCH_GRU_GATE_ORDER = ['r', 'z', 'n'] as const;

const LSTM_FROM_TORCH = blockMap(TORCH_LSTM_GATE_ORDER, LSTM_GATE_ORDER);
const LSTM_TO_TORCH = blockMap(LSTM_GATE_ORDER, TORCH_LSTM_GATE_ORDER);
const GRU_FROM_TORCH = blockMap(TORCH_GRU_GATE_ORDER, GRU_GATE_ORDER);
const GRU_TO_TORCH = blockMap(GRU_GATE_ORDER, TORCH_GRU_GATE_ORDER);
const SINGLE = [0];

interface TorchRead {
  readonly Wx: Matrix;
  readonly Wh: Matrix;
  readonly biasIh: Float64Array;
  readonly biasHh: Float64Array;
  readonly H: number;
}

/** Reads and checks a record, then turns rows into handgrad's columns in handgrad's block order. */
function readTorch(fn: string, w: unknown, map: readonly number[], blocks: string): TorchRead {
  const G = map.length;
  const r = readRecord(fn, 'w', w, 'a PyTorch weights record { weight_ih, weight_hh, bias_ih, bias_hh }');
  const weightHh = readMatrix(fn, 'weight_hh', r.weight_hh);
  const H = weightHh.cols;
  const gh = G === 1 ? 'H' : `${G}H`;
  blockSize(fn, 'weight_hh', weightHh.rows, G, 'rows', weightHh);
  expectShape(
    fn,
    'weight_hh',
    weightHh,
    G * H,
    H,
    `${gh}×H for H=${H} from its columns, ${blocks}`,
    blockHint(weightHh.rows, H),
  );
  const weightIh = readMatrix(fn, 'weight_ih', r.weight_ih);
  blockSize(fn, 'weight_ih', weightIh.rows, G, 'rows', weightIh);
  expectShape(
    fn,
    'weight_ih',
    weightIh,
    G * H,
    weightIh.cols,
    `${gh}×D for H=${H} from weight_hh, ${blocks}`,
    blockHint(weightIh.rows, H),
  );
  const why = `${gh} for H=${H} from weight_hh`;
  const biasIh = readVector(fn, 'bias_ih', r.bias_ih, G * H, why);
  const biasHh = readVector(fn, 'bias_hh', r.bias_hh, G * H, why);
  return { Wx: rowBlocksToColumns(weightIh, map, H), Wh: rowBlocksToColumns(weightHh, map, H), biasIh, biasHh, H };
}

/**
 * handgrad's one bias b = bias_ih + bias_hh, in handgrad's block order.
 * An exact zero in bias_hh leaves bias_ih's value untouched (even −0), so
 * {@link lstmParamsToTorch} → from gives back b bit for bit.
 */
function mergedBias(t: TorchRead, map: readonly number[]): Matrix {
  const ih = permuteVector(t.biasIh, map, t.H);
  const hh = permuteVector(t.biasHh, map, t.H);
  const b = new Matrix(1, ih.length);
  for (let j = 0; j < ih.length; j++) {
    const extra = hh[j] as number;
    b.data[j] = extra === 0 ? (ih[j] as number) : (ih[j] as number) + extra;
  }
  return b;
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

function torchRecord(
  Wx: Matrix,
  Wh: Matrix,
  biasIh: ArrayLike<number>,
  biasHh: ArrayLike<number>,
  map: readonly number[],
  H: number,
): TorchWeights {
  return {
    weight_ih: columnBlocksToRows(Wx, map, H),
    weight_hh: columnBlocksToRows(Wh, map, H),
    bias_ih: permuteVector(biasIh, map, H),
    bias_hh: permuteVector(biasHh, map, H),
  };
}

/** D and H of handgrad weights, read off Wx's rows and Wh's rows. */
function dims(fn: string, p: unknown, what: string): { D: number; H: number } {
  const r = readRecord(fn, 'p', p, what);
  return { D: asMatrix(fn, 'Wx', r.Wx).rows, H: asMatrix(fn, 'Wh', r.Wh).rows };
}
function gradDims(fn: string, g: unknown, what: string): { D: number; H: number; r: Record<string, unknown> } {
  const r = readRecord(fn, 'g', g, what);
  return { D: asMatrix(fn, 'dWx', r.dWx).rows, H: asMatrix(fn, 'dWh', r.dWh).rows, r };
}

/**
 * A PyTorch `nn.RNN` (tanh, one layer) or `nn.RNNCell` as {@link RnnParams}:
 * Wx = weight_ihᵀ, Wh = weight_hhᵀ, b = bias_ih + bias_hh.
 *
 * ```text
 * weight_ih: H×D   weight_hh: H×H   bias_ih, bias_hh: H   →   Wx: D×H   Wh: H×H   b: 1×H
 * ```
 *
 * @throws TypeError when a field is missing or not (arrays of) numbers.
 * @throws ShapeError when a field is ragged or its shape disagrees; the message names the field.
 */
export function rnnParamsFromTorch(w: TorchWeights): RnnParams {
  const t = readTorch('rnnParamsFromTorch', w, SINGLE, 'no gate blocks');
  return { Wx: t.Wx, Wh: t.Wh, b: mergedBias(t, SINGLE) };
}

/**
 * {@link RnnParams} as a PyTorch record: weight_ih = Wxᵀ, weight_hh = Whᵀ,
 * all of b in bias_ih and zeros in bias_hh (only their sum matters, and this
 * split makes the round trip exact).
 */
export function rnnParamsToTorch(p: RnnParams): TorchWeights {
  const fn = 'rnnParamsToTorch';
  const { D, H } = dims(fn, p, 'an RnnParams record { Wx, Wh, b }');
  const q = checkRnnParams(fn, p, D);
  return torchRecord(q.Wx, q.Wh, q.b.data, zeros(H), SINGLE, H);
}

/**
 * RNN gradients in PyTorch's layout, as autograd reports them: dweight_ih =
 * dWxᵀ, dweight_hh = dWhᵀ, and db for both bias_ih and bias_hh (each enters
 * the sum b = bias_ih + bias_hh with coefficient 1).
 *
 * ```text
 * dWx: D×H   dWh: H×H   db: 1×H   →   weight_ih: H×D   weight_hh: H×H   bias_ih, bias_hh: H
 * ```
 */
export function rnnGradsToTorch(g: { readonly dWx: Matrix; readonly dWh: Matrix; readonly db: Matrix }): TorchWeights {
  const fn = 'rnnGradsToTorch';
  const { D, H, r } = gradDims(fn, g, 'RNN gradients { dWx, dWh, db }');
  const dWx = expectMatrix(fn, 'dWx', r.dWx, D, H, `D×H for H=${H} from dWh`);
  const dWh = expectMatrix(fn, 'dWh', r.dWh, H, H, 'H×H');
  const db = expectMatrix(fn, 'db', r.db, 1, H, `1×H for H=${H}`);
  return torchRecord(dWx, dWh, db.data, db.data, SINGLE, H);
}

/**
 * A PyTorch `nn.LSTM` (one layer) or `nn.LSTMCell` as {@link LstmParams}:
 * the i | f | g | o row blocks of weight_ih and weight_hh become the
 * f | i | g | o column blocks of Wx and Wh, and b = bias_ih + bias_hh.
 *
 * ```text
 * weight_ih: 4H×D   weight_hh: 4H×H   bias_ih, bias_hh: 4H   →   Wx: D×4H   Wh: H×4H   b: 1×4H
 * ```
 *
 * @throws TypeError when a field is missing or not (arrays of) numbers.
 * @throws ShapeError when a field is ragged, 4 does not divide its rows, or
 *   its shape disagrees with H (from weight_hh's columns); the message names the field.
 */
export function lstmParamsFromTorch(w: TorchWeights): LstmParams {
  const t = readTorch('lstmParamsFromTorch', w, LSTM_FROM_TORCH, 'blocks i|f|g|o');
  return { Wx: t.Wx, Wh: t.Wh, b: mergedBias(t, LSTM_FROM_TORCH) };
}

/**
 * {@link LstmParams} as a PyTorch record (blocks reordered f|i|g|o → i|f|g|o,
 * transposed), with all of b in bias_ih and zeros in bias_hh: PyTorch only
 * ever uses their sum, and this split makes from → to → from exact.
 */
export function lstmParamsToTorch(p: LstmParams): TorchWeights {
  const fn = 'lstmParamsToTorch';
  const { D, H } = dims(fn, p, 'an LstmParams record { Wx, Wh, b }');
  const q = checkLstmParams(fn, p, D);
  return torchRecord(q.Wx, q.Wh, q.b.data, zeros(4 * H), LSTM_TO_TORCH, H);
}

/**
 * LSTM gradients (from `lstmStepBackward` or `lstmBackward`) in
 * PyTorch's layout, as autograd reports them: blocks reordered to i|f|g|o,
 * transposed, and db given to both bias_ih and bias_hh.
 *
 * ```text
 * dWx: D×4H   dWh: H×4H   db: 1×4H   →   weight_ih: 4H×D   weight_hh: 4H×H   bias_ih, bias_hh: 4H
 * ```
 */
export function lstmGradsToTorch(g: { readonly dWx: Matrix; readonly dWh: Matrix; readonly db: Matrix }): TorchWeights {
  const fn = 'lstmGradsToTorch';
  const { D, H, r } = gradDims(fn, g, 'LSTM gradients { dWx, dWh, db }');
  const dWx = expectMatrix(fn, 'dWx', r.dWx, D, 4 * H, `D×4H for H=${H} from dWh`);
  const dWh = expectMatrix(fn, 'dWh', r.dWh, H, 4 * H, `H×4H for H=${H}`);
  const db = expectMatrix(fn, 'db', r.db, 1, 4 * H, `1×4H for H=${H}`);
  return torchRecord(dWx, dWh, db.data, db.data, LSTM_TO_TORCH, H);
}

/**
 * A PyTorch `nn.GRU` (one layer) or `nn.GRUCell` as {@link GruParams}: the
 * blocks are already r | z | n, so Wx = weight_ihᵀ, Wh = weight_hhᵀ, and the
 * two biases stay apart (bias_hh's n block sits inside the reset product).
 *
 * ```text
 * weight_ih: 3H×D   weight_hh: 3H×H   bias_ih, bias_hh: 3H   →   Wx: D×3H   Wh: H×3H   bx, bh: 1×3H
 * ```
 *
 * @throws TypeError when a field is missing or not (arrays of) numbers.
 * @throws ShapeError when a field is ragged, 3 does not divide its rows, or
 *   its shape disagrees with H (from weight_hh's columns); the message names the field.
 */
export function gruParamsFromTorch(w: TorchWeights): GruParams {
  const t = readTorch('gruParamsFromTorch', w, GRU_FROM_TORCH, 'blocks r|z|n');
  const bx = new Matrix(1, 3 * t.H);
  bx.data.set(permuteVector(t.biasIh, GRU_FROM_TORCH, t.H));
  const bh = new Matrix(1, 3 * t.H);
  bh.data.set(permuteVector(t.biasHh, GRU_FROM_TORCH, t.H));
  return { Wx: t.Wx, Wh: t.Wh, bx, bh };
}

/** {@link GruParams} as a PyTorch record: transposed, bx → bias_ih, bh → bias_hh. */
export function gruParamsToTorch(p: GruParams): TorchWeights {
  const fn = 'gruParamsToTorch';
  const { D, H } = dims(fn, p, 'a GruParams record { Wx, Wh, bx, bh }');
  const q = checkGruParams(fn, p, D);
  return torchRecord(q.Wx, q.Wh, q.bx.data, q.bh.data, GRU_TO_TORCH, H);
}

/**
 * GRU gradients (from `gruStepBackward` or `gruBackward`) in
 * PyTorch's layout: transposed, dbx → bias_ih and dbh → bias_hh (two
 * different gradients, since the reset gate scales only the hidden side's n block).
 *
 * ```text
 * dWx: D×3H   dWh: H×3H   dbx, dbh: 1×3H   →   weight_ih: 3H×D   weight_hh: 3H×H   bias_ih, bias_hh: 3H
 * ```
 */
export function gruGradsToTorch(g: {
  readonly dWx: Matrix;
  readonly dWh: Matrix;
  readonly dbx: Matrix;
  readonly dbh: Matrix;
}): TorchWeights {
  const fn = 'gruGradsToTorch';
  const { D, H, r } = gradDims(fn, g, 'GRU gradients { dWx, dWh, dbx, dbh }');
  const dWx = expectMatrix(fn, 'dWx', r.dWx, D, 3 * H, `D×3H for H=${H} from dWh`);
  const dWh = expectMatrix(fn, 'dWh', r.dWh, H, 3 * H, `H×3H for H=${H}`);
  const dbx = expectMatrix(fn, 'dbx', r.dbx, 1, 3 * H, `1×3H for H=${H}`);
  const dbh = expectMatrix(fn, 'dbh', r.dbh, 1, 3 * H, `1×3H for H=${H}`);
  return torchRecord(dWx, dWh, dbx.data, dbh.data, GRU_TO_TORCH, H);
}
