/**
 * Test-side witnesses: a seeded random source, a centered-difference
 * gradient written independently of src/gradcheck, and the two error measures.
 */
import { Matrix, Tensor3 } from '../../src/index';

/** mulberry32: tiny, seedable, good enough to draw test inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller). */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

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
 * Centered differences of L(x) = Σ f() ⊙ dout over each coordinate of `x`
 * (perturbed in place and restored), h = 1e-5 as in math.md. The subtraction
 * is done output by output before the dot product, and the dot is summed with
 * Neumaier compensation: the same quotient as (L(x+h) − L(x−h)) / 2h without
 * cancelling two large sums, whose round-off alone reaches ~1e-7 relative on
 * small weight-gradient entries at the cs231n-sized case.
 */
export function numericGrad(f: () => Float64Array, x: Float64Array, dout: Float64Array, eps = 1e-5): Float64Array {
  const grad = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const old = x[k] as number;
    x[k] = old + eps;
    const plus = f().slice();
    x[k] = old - eps;
    const minus = f();
    x[k] = old;
    let sum = 0;
    let compensation = 0;
    for (let i = 0; i < plus.length; i++) {
      const term = ((plus[i] as number) - (minus[i] as number)) * (dout[i] as number);
      const next = sum + term;
      compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
      sum = next;
    }
    grad[k] = (sum + compensation) / (2 * eps);
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
