import { expectMatrix, expectRecord } from '../linalg/check.js';
import type { Matrix } from '../linalg/matrix.js';

/**
 * The order of the four gate blocks in every stacked LSTM tensor
 * (Wx, Wh, b, the pre-activations A and their gradients): columns
 * [0, H) are f, [H, 2H) are i, [2H, 3H) are g, [3H, 4H) are o — the order
 * of the original notes. PyTorch uses i|f|g|o, cs231n i|f|o|g, Keras i|f|c|o.
 */
export const LSTM_GATE_ORDER = ['f', 'i', 'g', 'o'] as const;

/**
 * Weights of an LSTM, the four gates stacked side by side in
 * {@link LSTM_GATE_ORDER}:
 *
 * ```text
 * Wx: D×4H    Wh: H×4H    b: 1×4H
 * ```
 */
export interface LstmParams {
  /** Input-to-gates weights, D×4H. */
  readonly Wx: Matrix;
  /** Hidden-to-gates weights, H×4H. */
  readonly Wh: Matrix;
  /** Gate biases, 1×4H. */
  readonly b: Matrix;
}

/** Checks a params record against D and H; returns it with `Matrix` fields. */
export function checkLstmParams(fn: string, p: unknown, D: number, H: number): LstmParams {
  const r = expectRecord(fn, 'p', p, 'an LstmParams record { Wx, Wh, b }');
  return {
    Wx: expectMatrix(fn, 'Wx', r.Wx, D, 4 * H, `D×4H for D=${D}, H=${H}`),
    Wh: expectMatrix(fn, 'Wh', r.Wh, H, 4 * H, `H×4H for H=${H}`),
    b: expectMatrix(fn, 'b', r.b, 1, 4 * H, `1×4H for H=${H}`),
  };
}
