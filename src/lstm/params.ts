import { checkCellParams, dim, type Dim } from '../linalg/check.js';
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

/**
 * Checks a params record: H is Wh's rows (unless given, as a cache's check
 * does), Wx is D×4H, the bias 1×4H. `D` and `H` are sizes or
 * {@link Dim}s naming where they were read; `at` names the record (`p`,
 * `cache.params`). Returns the record with `Matrix` fields.
 */
export function checkLstmParams(fn: string, p: unknown, D: number | Dim, H?: number | Dim, at?: string): LstmParams {
  const d = typeof D === 'number' ? dim('D', D, "Wx's rows") : D;
  const h = typeof H === 'number' ? dim('H', H, "Wh's rows") : H;
  return checkCellParams(fn, p, { record: 'LstmParams', gates: 4, biases: ['b'] }, d, h, at)
    .params as unknown as LstmParams;
}
