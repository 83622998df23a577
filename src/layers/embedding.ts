/**
 * Word embedding: a lookup of rows of W, whose backward scatters the
 * upstream rows back, adding up where an id repeats.
 *
 * Docs: docs/training.md ("Layers").
 */
import { describeValue, matrixLike } from '../linalg/describe.js';
import { Matrix, Tensor3, asMatrix, dim, expectCacheOfPath, expectRecord, expectShape3 } from '../linalg/index.js';
import { checkIds, type Ids } from './ids.js';
import { checkMemory } from '../linalg/budget.js';

/** What {@link wordEmbeddingBackward} needs. */
export interface WordEmbeddingCache {
  /** The ids looked up, N×T (the cache's own copy). */
  readonly ids: Ids;
  /** The vocabulary size V (rows of W). */
  readonly V: number;
  /** The embedding width D (columns of W). */
  readonly D: number;
}

/**
 * out[n, t, :] = W[ids[n][t], :].
 *
 * ```text
 * ids: N×T integers in [0, V)   W: V×D   →   out: N×T×D
 * ```
 *
 * @throws RangeError naming the position of an id that is not an integer in [0, V).
 * @throws TypeError when W is not a Matrix or ids is not an array of arrays.
 */
export function wordEmbeddingForward(
  ids: Ids,
  W: Matrix,
): {
  /** out[n, t, :] = W[ids[n][t], :], N×T×D. */
  out: Tensor3;
  /** What {@link wordEmbeddingBackward} needs. */
  cache: WordEmbeddingCache;
} {
  const fn = 'wordEmbeddingForward';
  refuseSwapped(fn, ids, W);
  const Wm = asMatrix(fn, 'W', W, { shape: 'V×D: one row per id' });
  const flipped = Wm.cols > Wm.rows ? `; W is ${Wm.rows}×${Wm.cols}, V×D with one row per id: is it transposed?` : '';
  const { N, T } = checkIds(fn, 'ids', ids, Wm.rows, "W's rows", undefined, flipped);
  const D = Wm.cols;
  checkMemory(fn, { N, T, D }, { out: N * T * D, 'cache.ids': N * T });
  const out = Tensor3.zeros(N, T, D);
  for (let n = 0; n < N; n++) {
    const row = ids[n] as readonly number[];
    for (let t = 0; t < T; t++) {
      const id = row[t] as number;
      out.data.set(Wm.data.subarray(id * D, (id + 1) * D), (n * T + t) * D);
    }
  }
  return { out, cache: { ids: ids.map((r) => [...r]), V: Wm.rows, D } };
}

/**
 * dW[v, :] = Σ_{(n,t): ids[n][t] = v} dout[n, t, :] — each upstream row goes
 * back to the row it was read from, and an id used k times gets k rows added.
 *
 * ```text
 * dout: N×T×D   →   dW: V×D
 * ```
 */
export function wordEmbeddingBackward(
  dout: Tensor3,
  cache: WordEmbeddingCache,
): {
  /** dL/dW, V×D: each dout row added to the row of its id (repeated ids add up). */
  dW: Matrix;
} {
  const fn = 'wordEmbeddingBackward';
  const c = expectRecord(fn, 'cache', cache, 'the cache returned by wordEmbeddingForward');
  expectCacheOfPath(fn, c, 'wordEmbeddingForward', 'fast');
  const V = c.V as number;
  const D = c.D as number;
  if (!Number.isInteger(V) || V < 1 || !Number.isInteger(D) || D < 1) {
    throw new TypeError(
      `${fn}: cache must be the cache returned by wordEmbeddingForward (V and D positive integers), ` +
        `got V = ${describeValue(c.V)}, D = ${describeValue(c.D)}`,
    );
  }
  const ids = c.ids as Ids;
  const { N, T } = checkIds(fn, 'cache.ids', ids, V, 'cache.V');
  const d = expectShape3(
    fn,
    'dout',
    dout,
    [dim('N', N, 'the cache'), dim('T', T, 'the cache'), dim('D', D, 'the cache')],
    'the shape of out',
  );
  checkMemory(fn, { V, D }, { dW: V * D });
  const dW = Matrix.zeros(V, D);
  for (let n = 0; n < N; n++) {
    const row = ids[n] as readonly number[];
    for (let t = 0; t < T; t++) {
      const base = (row[t] as number) * D;
      const src = (n * T + t) * D;
      for (let k = 0; k < D; k++) dW.data[base + k] = (dW.data[base + k] as number) + (d.data[src + k] as number);
    }
  }
  return { dW };
}

/** `wordEmbeddingForward(W, ids)`: the two arguments in the wrong order, said as such. */
function refuseSwapped(fn: string, ids: unknown, W: unknown): void {
  if (matrixLike(ids) !== undefined && Array.isArray(W)) {
    throw new TypeError(`${fn}: ids is ${describeValue(ids)} and W ${describeValue(W)}: the arguments are (ids, W)`);
  }
}
