/**
 * LSTM layouts that, like handgrad, stack the four gate blocks by columns
 * (W is K×4H) with one merged bias, and differ only in the block order:
 * cs231n's `rnn_layers.py` (i | f | o | g) and Keras's `LSTM` (i | f | c | o,
 * c being the candidate handgrad calls g).
 *
 * Docs: docs/interop.md.
 */
import { Matrix, asMatrix } from '../linalg/index.js';
import { LSTM_GATE_ORDER, checkLstmParams, type LstmParams } from '../lstm/params.js';
import {
  blockHint,
  blockMap,
  blockSize,
  expectShape,
  permuteColumnBlocks,
  permuteVector,
  readMatrix,
  readRecord,
  readVector,
} from './layout.js';

/** cs231n's LSTM weights (`lstm_forward(x, h0, Wx, Wh, b)`), as `ndarray.tolist()` gives them. */
export interface Cs231nLstmWeights {
  /** Input-to-gates weights, D×4H, blocks i | f | o | g. */
  Wx: number[][];
  /** Hidden-to-gates weights, H×4H. */
  Wh: number[][];
  /** Bias, 4H. */
  b: number[];
}

/** Keras `LSTM` weights (`layer.get_weights()` → kernel, recurrent_kernel, bias), as lists. */
export interface KerasLstmWeights {
  /** Input-to-gates weights, D×4H, blocks i | f | c | o. */
  kernel: number[][];
  /** Hidden-to-gates weights, H×4H. */
  recurrent_kernel: number[][];
  /** Bias, 4H (`use_bias=True`, the default). */
  bias: number[];
}

/** cs231n's LSTM gate blocks, left to right in Wx: i | f | o | g. */
export const CS231N_LSTM_GATE_ORDER = ['i', 'f', 'o', 'g'] as const;

/** Keras's LSTM gate blocks, left to right in kernel: i | f | c | o (c is the candidate g). */
export const KERAS_LSTM_GATE_ORDER = ['i', 'f', 'c', 'o'] as const;

const KERAS_ALIAS = { c: 'g' };
const FROM_CS231N = blockMap(CS231N_LSTM_GATE_ORDER, LSTM_GATE_ORDER);
const TO_CS231N = blockMap(LSTM_GATE_ORDER, CS231N_LSTM_GATE_ORDER);
const FROM_KERAS = blockMap(KERAS_LSTM_GATE_ORDER, LSTM_GATE_ORDER, KERAS_ALIAS);
const TO_KERAS = blockMap(
  LSTM_GATE_ORDER,
  KERAS_LSTM_GATE_ORDER.map((g) => (g === 'c' ? 'g' : g)),
);

/** A 1×n bias row from a plain list. */
function rowMatrix(v: readonly number[]): Matrix {
  const m = new Matrix(1, v.length);
  m.data.set(v);
  return m;
}

interface FieldNames {
  readonly Wx: string;
  readonly Wh: string;
  readonly b: string;
}

function readColumns(
  fn: string,
  w: unknown,
  names: FieldNames,
  what: string,
  map: readonly number[],
  blocks: string,
): LstmParams {
  const r = readRecord(fn, 'w', w, what);
  const Wh = readMatrix(fn, names.Wh, r[names.Wh]);
  const H = Wh.rows;
  blockSize(fn, names.Wh, Wh.cols, 4, 'columns', Wh);
  expectShape(fn, names.Wh, Wh, H, 4 * H, `H×4H for H=${H} from its rows, blocks ${blocks}`, blockHint(Wh.cols, H));
  const Wx = readMatrix(fn, names.Wx, r[names.Wx]);
  blockSize(fn, names.Wx, Wx.cols, 4, 'columns', Wx);
  expectShape(
    fn,
    names.Wx,
    Wx,
    Wx.rows,
    4 * H,
    `D×4H for H=${H} from ${names.Wh}, blocks ${blocks}`,
    blockHint(Wx.cols, H),
  );
  const b = readVector(fn, names.b, r[names.b], 4 * H, `4H for H=${H} from ${names.Wh}`);
  return {
    Wx: permuteColumnBlocks(Wx, map, H),
    Wh: permuteColumnBlocks(Wh, map, H),
    b: rowMatrix(permuteVector(b, map, H)),
  };
}

function writeColumns(fn: string, p: unknown, map: readonly number[]): { Wx: number[][]; Wh: number[][]; b: number[] } {
  const r = readRecord(fn, 'p', p, 'an LstmParams record { Wx, Wh, b }');
  const D = asMatrix(fn, 'Wx', r.Wx).rows;
  const H = asMatrix(fn, 'Wh', r.Wh).rows;
  const q = checkLstmParams(fn, p, D);
  return {
    Wx: permuteColumnBlocks(q.Wx, map, H).toArray(),
    Wh: permuteColumnBlocks(q.Wh, map, H).toArray(),
    b: permuteVector(q.b.data, map, H),
  };
}

/**
 * cs231n LSTM weights as {@link LstmParams}: the same shapes, blocks
 * reordered i|f|o|g → f|i|g|o. cs231n starts from c0 = 0, which is
 * `lstmForward`'s default too.
 *
 * ```text
 * Wx: D×4H   Wh: H×4H   b: 4H   →   Wx: D×4H   Wh: H×4H   b: 1×4H
 * ```
 *
 * @throws TypeError when a field is missing or not (arrays of) numbers.
 * @throws ShapeError when a field is ragged, 4 does not divide its columns, or
 *   its shape disagrees with H (from Wh's rows); the message names the field.
 */
export function lstmParamsFromCs231n(w: Cs231nLstmWeights): LstmParams {
  return readColumns(
    'lstmParamsFromCs231n',
    w,
    { Wx: 'Wx', Wh: 'Wh', b: 'b' },
    'a cs231n weights record { Wx, Wh, b }',
    FROM_CS231N,
    'i|f|o|g',
  );
}

/** {@link LstmParams} as cs231n weights: blocks reordered f|i|g|o → i|f|o|g, b as a flat 4H list. */
export function lstmParamsToCs231n(p: LstmParams): Cs231nLstmWeights {
  return writeColumns('lstmParamsToCs231n', p, TO_CS231N);
}

/**
 * Keras `LSTM` weights as {@link LstmParams}: the same shapes, blocks
 * reordered i|f|c|o → f|i|g|o. Equivalent only with Keras's default
 * activations (`activation='tanh'`, `recurrent_activation='sigmoid'`; Keras
 * before 2.3 defaulted to `hard_sigmoid`).
 *
 * ```text
 * kernel: D×4H   recurrent_kernel: H×4H   bias: 4H   →   Wx: D×4H   Wh: H×4H   b: 1×4H
 * ```
 *
 * @throws TypeError when a field is missing or not (arrays of) numbers.
 * @throws ShapeError when a field is ragged, 4 does not divide its columns, or
 *   its shape disagrees with H (from recurrent_kernel's rows); the message names the field.
 */
export function lstmParamsFromKeras(w: KerasLstmWeights): LstmParams {
  return readColumns(
    'lstmParamsFromKeras',
    w,
    { Wx: 'kernel', Wh: 'recurrent_kernel', b: 'bias' },
    'a Keras weights record { kernel, recurrent_kernel, bias }',
    FROM_KERAS,
    'i|f|c|o',
  );
}

/** {@link LstmParams} as Keras weights: blocks reordered f|i|g|o → i|f|c|o. */
export function lstmParamsToKeras(p: LstmParams): KerasLstmWeights {
  const { Wx, Wh, b } = writeColumns('lstmParamsToKeras', p, TO_KERAS);
  return { kernel: Wx, recurrent_kernel: Wh, bias: b };
}
