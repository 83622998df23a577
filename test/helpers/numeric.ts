/**
 * Test-side witnesses: a seeded random source, a centered-difference
 * gradient written independently of src/gradcheck, and the two error measures.
 */
import { gaussianSource, seededUniform } from '../../src/gradcheck/random';
import { Matrix, Tensor3 } from '../../src/index';

/** The library's seeded mulberry32: drawing inputs needs no independence from it, only a seed. */
export const rng = seededUniform;

/** Standard normal draws (Box–Muller). */
export const gaussian = gaussianSource;

export function randMatrix(rows: number, cols: number, rand: () => number, scale = 1): Matrix {
  const g = gaussian(rand);
  const m = Matrix.zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = scale * g();
  return m;
}

export function randTensor(N: number, T: number, D: number, rand: () => number, scale = 1): Tensor3 {
  const g = gaussian(rand);
  const t = Tensor3.zeros(N, T, D);
  for (let i = 0; i < t.data.length; i++) t.data[i] = scale * g();
  return t;
}

/**
 * Fourth-order centered differences of L(x) = Σ f() ⊙ dout over each
 * coordinate of `x` (perturbed in place and restored):
 *
 * ```text
 * ∂L/∂x_k ≈ (L(x − 2h) − 8·L(x − h) + 8·L(x + h) − L(x + 2h)) / 12h,   h = 2e-4
 * ```
 *
 * Why not the two-point (L(x+h) − L(x−h))/2h with h = 1e-5 of math.md (what
 * `handgrad check` uses): its rounding noise, ≈ 1e-16·|L|/h ≈ 1e-11 absolute
 * here, exceeds 1e-7 of a small gradient — a property run drew N = H = 1,
 * T = 6 with dh0 = 2.4e-5 and failed at 2.1e-7 relative on a correct LSTM.
 * This stencil's noise is ≈ 1.5e-16·|L|/h ≈ 1e-12 and its truncation error
 * O(h⁴): h = 2e-4 balances the two (h = 1e-3 left 1.2e-6 on an RNN with
 * W_h = −2.1 over 6 steps, whose high derivatives are large). Measured on
 * 400 random cases per kernel (shapes 1…6): worst norm-relative error
 * 5e-10; the two cases above: LSTM 4.8e-9, RNN 1.9e-9.
 * The differences are taken output by output before the dot product, which
 * is summed with Neumaier compensation: the same quotient without cancelling
 * large sums, whose round-off alone reaches ~1e-7 relative on small
 * weight-gradient entries at the cs231n-sized case.
 */
export function numericGrad(f: () => Float64Array, x: Float64Array, dout: Float64Array, h = 2e-4): Float64Array {
  const grad = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const old = x[k] as number;
    x[k] = old + 2 * h;
    const plus2 = f().slice();
    x[k] = old + h;
    const plus1 = f().slice();
    x[k] = old - h;
    const minus1 = f().slice();
    x[k] = old - 2 * h;
    const minus2 = f();
    x[k] = old;
    let sum = 0;
    let compensation = 0;
    for (let i = 0; i < plus1.length; i++) {
      const difference =
        8 * ((plus1[i] as number) - (minus1[i] as number)) - ((plus2[i] as number) - (minus2[i] as number));
      const term = difference * (dout[i] as number);
      const next = sum + term;
      compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
      sum = next;
    }
    grad[k] = (sum + compensation) / (12 * h);
  }
  return grad;
}

export function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new Error(`dot: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** cs231n: max |a − n| / max(1e-8, |a| + |n|). */
export function relError(a: Float64Array, n: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] as number;
    const ni = n[i] as number;
    worst = Math.max(worst, Math.abs(ai - ni) / Math.max(1e-8, Math.abs(ai) + Math.abs(ni)));
  }
  return worst;
}

/** ‖a − n‖ / max(‖a‖ + ‖n‖, tiny): not fooled by near-zero coordinates. */
export function normRelError(a: Float64Array, n: Float64Array): number {
  let diff = 0;
  let na = 0;
  let nn = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] as number;
    const ni = n[i] as number;
    diff += (ai - ni) ** 2;
    na += ai * ai;
    nn += ni * ni;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nn), 1e-300);
}
