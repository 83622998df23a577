/**
 * A temporal affine layer: the same x·W + b at every time step, as the
 * read-out from hidden states to vocabulary scores.
 *
 * Docs: docs/training.md ("Layers").
 */
import {
  Matrix,
  Tensor3,
  asMatrix,
  asTensor3,
  broadcastRowInto,
  colSumInto,
  dim,
  expectCacheOfPath,
  expectShape,
  expectShape3,
  expectRecord,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  checkStamp,
  expectLiveStamp,
  stampInputs,
  type InputStamp,
} from '../linalg/index.js';
import { checkMemory } from '../linalg/budget.js';

/** What {@link temporalAffineBackward} needs. */
export interface TemporalAffineCache {
  /** The input, N×T×D. */
  readonly x: Tensor3;
  /** D×M weights. */
  readonly W: Matrix;
  /** 1×M bias. */
  readonly b: Matrix;
  /**
   * Checksums of the caller's arrays this cache refers to (x, W and b), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Views an N×T×K tensor as the (N·T)×K matrix it is in memory (no copy). */
function flat(x: Tensor3): Matrix {
  const [N, T, K] = x.dims;
  return new Matrix(N * T, K, x.data);
}

/**
 * out[n, t, :] = x[n, t, :]·W + b, one product for all N·T rows at once (the
 * batch-first layout makes the N×T×D tensor an (N·T)×D matrix as it stands).
 *
 * ```text
 * x: N×T×D   W: D×M   b: 1×M   →   out: N×T×M
 * ```
 *
 * @throws ShapeError when W's rows differ from D or b is not 1×M.
 */
export function temporalAffineForward(
  x: Tensor3,
  W: Matrix,
  b: Matrix,
): {
  /** x·W + b at every (n, t), N×T×M. */
  out: Tensor3;
  /** What {@link temporalAffineBackward} needs. */
  cache: TemporalAffineCache;
} {
  const fn = 'temporalAffineForward';
  const xs = asTensor3(fn, 'x', x);
  const [N, T, D] = xs.dims;
  const M = dim('M', asMatrix(fn, 'W', W, { shape: 'D×M' }).cols, "W's columns");
  const Wm = expectShape(fn, 'W', W, dim('D', D, 'x'), M);
  const bm = expectShape(fn, 'b', b, 1, dim('M', M.size, 'W'));
  checkMemory(fn, { N, T, D, M: M.size }, { out: N * T * M.size });
  const out = Tensor3.zeros(N, T, M.size);
  const o = flat(out);
  broadcastRowInto(o, bm); // out  = e·b
  matmulInto(o, flat(xs), Wm, true); // out += x·W
  const stamp = stampInputs(fn, { x: xs }, { W: Wm, b: bm }); // checked by the backward
  return { out, cache: { x: xs, W: Wm, b: bm, stamp } };
}

/**
 * ```text
 * dx_t = dout_t·Wᵀ     dW = Σ_t x_tᵀ·dout_t     db = Σ_{n,t} dout[n, t, :]
 *
 * dout: N×T×M   →   dx: N×T×D   dW: D×M   db: 1×M
 * ```
 */
export function temporalAffineBackward(
  dout: Tensor3,
  cache: TemporalAffineCache,
): {
  /** dL/dx = dout·Wᵀ at every (n, t), N×T×D. */
  dx: Tensor3;
  /** dL/dW = Σ_{n,t} x[n,t]ᵀ dout[n,t], D×M. */
  dW: Matrix;
  /** dL/db = Σ_{n,t} dout[n,t], 1×M. */
  db: Matrix;
} {
  const fn = 'temporalAffineBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = expectRecord(fn, 'cache', cache, 'the cache returned by temporalAffineForward');
  expectCacheOfPath(fn, c, 'temporalAffineForward', 'fast');
  const x = asTensor3(fn, 'cache.x', c.x);
  const [N, T, D] = x.dims;
  const W = expectShape(
    fn,
    'cache.W',
    c.W,
    dim('D', D, 'cache.x'),
    dim('M', asMatrix(fn, 'cache.W', c.W).cols, 'cache.W'),
  );
  const M = W.cols;
  expectShape(fn, 'cache.b', c.b, 1, dim('M', M, 'cache.W'));
  const sizes = [dim('N', N, 'the cache'), dim('T', T, 'the cache'), dim('M', M, 'the cache')] as const;
  const d = expectShape3(fn, 'dout', dout, sizes, 'the shape of out');
  checkMemory(fn, { N, T, D, M }, { grads: N * T * D + D * M + M });
  checkStamp(fn, cache);
  const dx = Tensor3.zeros(N, T, D);
  const dW = Matrix.zeros(D, M);
  const db = Matrix.zeros(1, M);
  matmulTransBInto(flat(dx), flat(d), W);
  matmulTransAInto(dW, flat(x), flat(d));
  colSumInto(db, flat(d));
  return { dx, dW, db };
}
