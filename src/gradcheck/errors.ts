/**
 * The two ways the checker scores an analytic gradient `a` against a numeric
 * one `n`. Both are 0 for a perfect match and at most 1 for finite inputs.
 */
import { describeValue } from '../linalg/describe.js';
import { ShapeError } from '../linalg/index.js';
import type { HasData } from './numeric.js';

/** Anything that holds numbers: a Matrix, a Tensor3, a typed array or a plain array. */
export type Values = ArrayLike<number> | HasData;

function valuesOf(fn: string, name: string, v: Values): ArrayLike<number> {
  if (typeof v === 'object' && v !== null) {
    if ('data' in v && typeof v.data === 'object' && v.data !== null && typeof v.data.length === 'number')
      return v.data;
    if ('length' in v && typeof v.length === 'number') return v as ArrayLike<number>;
  }
  throw new TypeError(`${fn}: ${name} must be a Matrix, a Tensor3 or an array of numbers, got ${describeValue(v)}`);
}

function pair(fn: string, a: Values, b: Values): [ArrayLike<number>, ArrayLike<number>] {
  const av = valuesOf(fn, 'a', a);
  const bv = valuesOf(fn, 'b', b);
  if (av.length !== bv.length) {
    throw new ShapeError(`${fn}: a and b must hold as many values, got ${av.length} and ${bv.length}`, 'b');
  }
  return [av, bv];
}

/**
 * The cs231n relative error, max over coordinates of
 * |a − n| / max(1e-8, |a| + |n|).
 *
 * ```text
 * a, n: same number of values  →  a number in [0, 1] (NaN if either holds NaN)
 * ```
 *
 * It is the figure coursework quotes ("below 1e-7 is good"), but one
 * coordinate whose true gradient is nearly 0 can push it up on a correct
 * kernel: finite-difference round-off (≈1e-11) over |a| + |n| ≈ 1e-8 is
 * already 1e-3. Read it next to {@link normRelError}.
 *
 * @throws ShapeError when a and b hold different numbers of values.
 */
export function relError(a: Values, b: Values): number {
  const [av, bv] = pair('relError', a, b);
  let worst = 0;
  for (let i = 0; i < av.length; i++) {
    const x = av[i] as number;
    const y = bv[i] as number;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(1e-8, Math.abs(x) + Math.abs(y)));
  }
  return worst;
}

/**
 * The norm-relative error ‖a − n‖₂ / max(‖a‖₂ + ‖n‖₂, 1e-300).
 *
 * ```text
 * a, n: same number of values  →  a number in [0, 1] (NaN if either holds NaN)
 * ```
 *
 * Near-zero coordinates weigh as little in it as they do in the gradient, so
 * round-off on them does not flag a correct kernel, while any real mistake
 * (a wrong term, a missing sum, a flipped sign) moves it far above 1e-7.
 * This is the error the checker compares with its tolerance.
 *
 * @throws ShapeError when a and b hold different numbers of values.
 */
export function normRelError(a: Values, b: Values): number {
  const [av, bv] = pair('normRelError', a, b);
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < av.length; i++) {
    const x = av[i] as number;
    const y = bv[i] as number;
    diff += (x - y) * (x - y);
    na += x * x;
    nb += y * y;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-300);
}
