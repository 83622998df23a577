/**
 * The few operations the mistakes need beyond src/reference/ops.ts: a
 * transpose, the first row, the mean over the batch, and gate blocks put in
 * another order. Plain loops, like the reference cells they mutate.
 */
import { Matrix } from '../../linalg/matrix.js';

/** Aᵀ as a new matrix (cols×rows). */
export function transpose(A: Matrix): Matrix {
  const out = Matrix.zeros(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) out.data[j * A.rows + i] = A.get(i, j);
  }
  return out;
}

/** Row 0 of A as a 1×cols matrix: a bias gradient that forgot the sum over the batch. */
export function firstRow(A: Matrix): Matrix {
  const out = Matrix.zeros(1, A.cols);
  for (let j = 0; j < A.cols; j++) out.data[j] = A.get(0, j);
  return out;
}

/** (1/N)·e_Nᵀ·A, the mean over the batch as a 1×cols row: a bias gradient divided by N. */
export function rowMean(A: Matrix): Matrix {
  const out = Matrix.zeros(1, A.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) out.data[j] = out.get(0, j) + A.get(i, j) / A.rows;
  }
  return out;
}

/**
 * The column blocks of A (each `width` wide) rearranged: block k of the result
 * is block `from[k]` of A. With `from` a permutation, `rearrange(rearrange(A,
 * from), inverse(from))` is A.
 */
export function rearrange(A: Matrix, from: readonly number[], width: number): Matrix {
  const out = Matrix.zeros(A.rows, A.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let k = 0; k < from.length; k++) {
      const src = from[k] as number;
      for (let j = 0; j < width; j++) out.data[i * A.cols + k * width + j] = A.get(i, src * width + j);
    }
  }
  return out;
}

/** The inverse of a permutation of 0…n−1. */
export function inverse(perm: readonly number[]): number[] {
  const out = new Array<number>(perm.length);
  perm.forEach((p, k) => {
    out[p] = k;
  });
  return out;
}

/** Every permutation of `items`, the identity first, in lexicographic order of positions. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((item, k) => {
    const rest = [...items.slice(0, k), ...items.slice(k + 1)];
    for (const tail of permutations(rest)) out.push([item, ...tail]);
  });
  return out;
}
