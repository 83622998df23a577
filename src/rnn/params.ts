import { checkCellParams, dim, type Dim } from '../linalg/check.js';
import type { Matrix } from '../linalg/matrix.js';

/**
 * Weights of a vanilla RNN: u = h_{t−1}·W_h + x_t·W_x + b, h_t = tanh(u).
 *
 * ```text
 * Wx: D×H    Wh: H×H    b: 1×H
 * ```
 */
export interface RnnParams {
  /** Input-to-hidden weights, D×H. */
  readonly Wx: Matrix;
  /** Hidden-to-hidden weights, H×H. */
  readonly Wh: Matrix;
  /** Bias, a 1×H row added to every example. */
  readonly b: Matrix;
}

/**
 * Checks a params record: H is Wh's rows (unless given, as a cache's check
 * does), Wx is D×H, the bias 1×H. `D` and `H` are sizes or
 * {@link Dim}s naming where they were read; `at` names the record (`p`,
 * `cache.params`). Returns the record with `Matrix` fields.
 */
export function checkRnnParams(fn: string, p: unknown, D: number | Dim, H?: number | Dim, at?: string): RnnParams {
  const d = typeof D === 'number' ? dim('D', D, "Wx's rows") : D;
  const h = typeof H === 'number' ? dim('H', H, "Wh's rows") : H;
  return checkCellParams(fn, p, { record: 'RnnParams', gates: 1, biases: ['b'] }, d, h, at)
    .params as unknown as RnnParams;
}
