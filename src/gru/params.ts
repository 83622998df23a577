import { checkCellParams, dim, type Dim } from '../linalg/check.js';
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

/**
 * Checks a params record: H is Wh's rows (unless given, as a cache's check
 * does), Wx is D×3H, the biases 1×3H. `D` and `H` are sizes or
 * {@link Dim}s naming where they were read; `at` names the record (`p`,
 * `cache.params`). Returns the record with `Matrix` fields.
 */
export function checkGruParams(fn: string, p: unknown, D: number | Dim, H?: number | Dim, at?: string): GruParams {
  const d = typeof D === 'number' ? dim('D', D, "Wx's rows") : D;
  const h = typeof H === 'number' ? dim('H', H, "Wh's rows") : H;
  return checkCellParams(fn, p, { record: 'GruParams', gates: 3, biases: ['bx', 'bh'] }, d, h, at)
    .params as unknown as GruParams;
}
