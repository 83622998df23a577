/**
 * The few matrix operations the reference cells (src/rnn/reference.ts,
 * src/lstm/reference.ts, src/gru/reference.ts) are written with: each a plain
 * loop that returns a new {@link Matrix}, so a formula such as
 * dW_x = x_tᵀ·dA reads as `matmulTransA(x, dA)`. No views, no tiers, no
 * WASM: what a student would write first, and what the fast kernels are
 * tested against.
 */
import { expectCacheOfPath, expectRecord } from '../linalg/check.js';
import { Matrix, type Tensor3 } from '../linalg/matrix.js';

/** σ(z) = 1/(1 + e^(−z)), the logistic sigmoid, literally. */
export function sigma(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** A·B + e·b: the rows of A times B, the row b added to every row (b omitted: A·B). */
export function affine(A: Matrix, B: Matrix, b?: Matrix): Matrix {
  const out = Matrix.zeros(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = b === undefined ? 0 : b.get(0, j);
      for (let k = 0; k < A.cols; k++) s += A.get(i, k) * B.get(k, j);
      out.data[i * out.cols + j] = s;
    }
  }
  return out;
}

/** Aᵀ·B, without forming Aᵀ. */
export function matmulTransA(A: Matrix, B: Matrix): Matrix {
  const out = Matrix.zeros(A.cols, B.cols);
  for (let i = 0; i < A.cols; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let k = 0; k < A.rows; k++) s += A.get(k, i) * B.get(k, j);
      out.data[i * out.cols + j] = s;
    }
  }
  return out;
}

/** A·Bᵀ, without forming Bᵀ. */
export function matmulTransB(A: Matrix, B: Matrix): Matrix {
  const out = Matrix.zeros(A.rows, B.rows);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.rows; j++) {
      let s = 0;
      for (let k = 0; k < A.cols; k++) s += A.get(i, k) * B.get(j, k);
      out.data[i * out.cols + j] = s;
    }
  }
  return out;
}

/** e_Nᵀ·A, the column sums of A as a 1×cols row (a bias gradient: the sum over the batch). */
export function colSum(A: Matrix): Matrix {
  const out = Matrix.zeros(1, A.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) out.data[j] = out.get(0, j) + A.get(i, j);
  }
  return out;
}

/** A + B, element by element, as a new matrix. */
export function add(A: Matrix, B: Matrix): Matrix {
  const out = Matrix.zeros(A.rows, A.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) out.data[i * out.cols + j] = A.get(i, j) + B.get(i, j);
  }
  return out;
}

/** Writes the N×D matrix m into time step t of the N×T×D tensor X. */
export function setStep(X: Tensor3, t: number, m: Matrix): void {
  const [N, T, D] = X.dims;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) X.data[(n * T + t) * D + d] = m.get(n, d);
  }
}

/** A checked reference sequence cache: the step caches, t = 1…T, and the sizes. */
export interface Steps<S> {
  readonly steps: S[];
  readonly N: number;
  readonly T: number;
  readonly D: number;
  readonly H: number;
}

/**
 * The `steps` of a reference sequence cache, or a TypeError naming `fn`: a
 * record whose `steps` is a non-empty array (each step is the cell's to check).
 */
export function stepsOf(fn: string, cache: unknown, forward: string): unknown[] {
  const r = expectRecord(fn, 'cache', cache, `the cache returned by ${forward}`);
  expectCacheOfPath(fn, r, forward, 'reference');
  if (!Array.isArray(r.steps) || r.steps.length === 0) {
    throw new TypeError(`${fn}: cache.steps must be the non-empty array of step caches returned by ${forward}`);
  }
  return r.steps as unknown[];
}
