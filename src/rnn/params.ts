import { expectMatrix, expectRecord } from '../linalg/check.js';
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

/** Checks a params record against D and H; returns it with `Matrix` fields. */
export function checkRnnParams(fn: string, p: unknown, D: number, H: number): RnnParams {
  const r = expectRecord(fn, 'p', p, 'an RnnParams record { Wx, Wh, b }');
  return {
    Wx: expectMatrix(fn, 'Wx', r.Wx, D, H, `D×H for D=${D}, H=${H}`),
    Wh: expectMatrix(fn, 'Wh', r.Wh, H, H, `H×H for H=${H}`),
    b: expectMatrix(fn, 'b', r.b, 1, H, `1×H for H=${H}`),
  };
}
