import { expectMatrix, expectRecord } from '../linalg/check.js';
import type { Matrix } from '../linalg/matrix.js';

/**
 * The order of the three gate blocks in every stacked GRU tensor (Wx, Wh,
 * bx, bh, the pre-activations and their gradients): columns [0, H) are the
 * reset gate r, [H, 2H) the update gate z, [2H, 3H) the candidate n — the
 * same order as PyTorch's `nn.GRU`, so its weights need only a transpose.
 */
export const GRU_GATE_ORDER = ['r', 'z', 'n'] as const;

/**
 * Weights of a GRU in PyTorch's formulation, the three blocks stacked side by
 * side in {@link GRU_GATE_ORDER}. The biases stay two because the reset gate
 * multiplies the hidden side's candidate block, bias included
 * (r ⊙ (h·W_hn + b_hn)), so b_xn and b_hn cannot be merged:
 *
 * ```text
 * Wx: D×3H    Wh: H×3H    bx: 1×3H    bh: 1×3H
 * ```
 */
export interface GruParams {
  /** Input-to-gates weights, D×3H. */
  readonly Wx: Matrix;
  /** Hidden-to-gates weights, H×3H. */
  readonly Wh: Matrix;
  /** Input-side biases, 1×3H. */
  readonly bx: Matrix;
  /** Hidden-side biases, 1×3H (the n block sits inside the reset product). */
  readonly bh: Matrix;
}

/** Checks a params record against D and H; returns it with `Matrix` fields. */
export function checkGruParams(fn: string, p: unknown, D: number, H: number): GruParams {
  const r = expectRecord(fn, 'p', p, 'a GruParams record { Wx, Wh, bx, bh }');
  return {
    Wx: expectMatrix(fn, 'Wx', r.Wx, D, 3 * H, `D×3H for D=${D}, H=${H}`),
    Wh: expectMatrix(fn, 'Wh', r.Wh, H, 3 * H, `H×3H for H=${H}`),
    bx: expectMatrix(fn, 'bx', r.bx, 1, 3 * H, `1×3H for H=${H}`),
    bh: expectMatrix(fn, 'bh', r.bh, 1, 3 * H, `1×3H for H=${H}`),
  };
}
