/**
 * One step of a vanilla RNN, forward and backward side by side.
 *
 * Docs: docs/rnn.md ("One step").
 */
import {
  Matrix,
  asMatrix,
  broadcastRowInto,
  colSumInto,
  expectRecord,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  tanhInto,
  type MatrixView,
  checkStepInputs,
  expectCacheOfPath,
  dim,
  expectShape,
  expectUpstream,
  checkStamp,
  expectLiveStamp,
  stampInputs,
  type InputStamp,
} from '../linalg/index.js';
import { checkRnnParams, type RnnParams } from './params.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link rnnStepBackward} needs from the forward pass. */
export interface RnnStepCache {
  /** The step's input x_t, N×D. */
  readonly x: Matrix;
  /** The previous hidden state h_{t−1}, N×H. */
  readonly hPrev: Matrix;
  /** The new hidden state h_t = tanh(u), N×H (tanh' is read off it). */
  readonly h: Matrix;
  /** The weights used. */
  readonly params: RnnParams;
  /**
   * Checksums of x and the state this cache refers to, taken by the forward:
   * the backward throws a StaleCacheError naming the one edited in place
   * since. Not of the weights, which would cost a step 30–100% more (the
   * sequence caches do check theirs).
   */
  readonly stamp?: InputStamp;
}

/** Gradients of one RNN step. */
export interface RnnStepGrads {
  /** dL/dx_t, N×D. */
  readonly dx: Matrix;
  /** dL/dh_{t−1}, N×H. */
  readonly dhPrev: Matrix;
  /** dL/dW_x, D×H. */
  readonly dWx: Matrix;
  /** dL/dW_h, H×H. */
  readonly dWh: Matrix;
  /** dL/db, 1×H. */
  readonly db: Matrix;
}

/** Where {@link rnnStepBackwardInto} writes; views, so a sequence can point them at step t. */
export interface RnnStepGradViews {
  /** Receives dL/dx_t (overwritten). */
  readonly dx: MatrixView;
  /** Receives dL/dh_{t−1} (overwritten). */
  readonly dhPrev: MatrixView;
  /** dL/dW_x, added to when accumulating. */
  readonly dWx: MatrixView;
  /** dL/dW_h, added to when accumulating. */
  readonly dWh: MatrixView;
  /** dL/db, added to when accumulating. */
  readonly db: MatrixView;
}

/**
 * The forward formula on views, writing h and allocating nothing:
 *
 * ```text
 * u   = h_{t−1}·W_h + x_t·W_x + b
 * h_t = tanh(u)
 * ```
 *
 * Derivation: [Vanilla RNN, one step forward](../../docs/rnn.md#forward).
 */
export function rnnStepForwardInto(h: MatrixView, x: MatrixView, hPrev: MatrixView, p: RnnParams): void {
  broadcastRowInto(h, p.b); // u  = e·b
  matmulInto(h, x, p.Wx, true); // u += x_t·W_x
  matmulInto(h, hPrev, p.Wh, true); // u += h_{t−1}·W_h
  rnnCellForwardInto(h);
}

/**
 * The element-wise half of the forward step: h_t = tanh(u), in place on the
 * N×H pre-activation u.
 *
 * Derivation: [Vanilla RNN, one step forward](../../docs/rnn.md#forward).
 */
export function rnnCellForwardInto(h: MatrixView): void {
  tanhInto(h, h); // h_t = tanh(u), on the WASM tier two values per instruction
}

/**
 * The element-wise half of the backward step: dL/du = dL/dh_t ⊙ (1 − h_t²),
 * written into `du`; all three N×H.
 *
 * Derivation: [Vanilla RNN, one step backward](../../docs/rnn.md#backward).
 */
export function rnnCellBackwardInto(dh: MatrixView, h: MatrixView, du: MatrixView): void {
  const { rows: N, cols: H } = du;
  // Every array in a local: the views come in several classes, and V8
  // re-reads a polymorphic field on every iteration instead of hoisting it.
  const dhData = dh.data;
  const hData = h.data;
  const duData = du.data;
  for (let n = 0; n < N; n++) {
    const dhRow = dh.offset + n * dh.stride;
    const hRow = h.offset + n * h.stride;
    const duRow = du.offset + n * du.stride;
    for (let j = 0; j < H; j++) {
      const ht = hData[hRow + j] as number;
      duData[duRow + j] = (dhData[dhRow + j] as number) * (1 - ht * ht);
    }
  }
}

/**
 * The backward formula on views. `du` is N×H scratch; weight gradients are
 * added to `out` when `accumulate` (the sum over t of a sequence):
 *
 * ```text
 * dL/du       = dL/dh_t ⊙ (1 − h_t²)      tanh'(u) = 1 − tanh²(u)
 * dL/dW_x     = x_tᵀ·dL/du
 * dL/dW_h     = h_{t−1}ᵀ·dL/du
 * dL/db       = e_Nᵀ·dL/du
 * dL/dx_t     = dL/du·W_xᵀ
 * dL/dh_{t−1} = dL/du·W_hᵀ
 * ```
 *
 * Derivation: [Vanilla RNN, one step backward](../../docs/rnn.md#backward).
 */
export function rnnStepBackwardInto(
  dh: MatrixView,
  x: MatrixView,
  hPrev: MatrixView,
  h: MatrixView,
  p: RnnParams,
  du: MatrixView,
  out: RnnStepGradViews,
  accumulate: boolean,
): void {
  rnnCellBackwardInto(dh, h, du);
  matmulTransAInto(out.dWx, x, du, accumulate);
  matmulTransAInto(out.dWh, hPrev, du, accumulate);
  colSumInto(out.db, du, accumulate);
  matmulTransBInto(out.dx, du, p.Wx);
  matmulTransBInto(out.dhPrev, du, p.Wh);
}

/**
 * One vanilla-RNN step: h_t = tanh(h_{t−1}·W_h + x_t·W_x + b).
 *
 * ```text
 * x: N×D   hPrev: N×H   Wx: D×H   Wh: H×H   b: 1×H   →   h: N×H
 * ```
 *
 * Derivation: [Vanilla RNN, one step forward](../../docs/rnn.md#forward).
 *
 * @throws ShapeError when a shape disagrees with x (N×D) and hPrev (N×H).
 * @throws TypeError when an argument is not a Matrix / params record.
 */
export function rnnStepForward(
  x: Matrix,
  hPrev: Matrix,
  p: RnnParams,
): {
  /** h_t, N×H. */
  h: Matrix;
  /** What {@link rnnStepBackward} needs. */
  cache: RnnStepCache;
} {
  const fn = 'rnnStepForward';
  const { x: xm, hPrev: hm, params, N, H } = checkStepInputs(fn, x, hPrev, p, checkRnnParams);
  checkMemory(fn, { N, D: xm.cols, H }, { h: N * H, cache: N * H });
  const h = Matrix.zeros(N, H);
  rnnStepForwardInto(h, xm, hm, params);
  const stamp = stampInputs(fn, { x: xm, hPrev: hm }); // checked by the backward
  return { h, cache: { x: xm, hPrev: hm, h: h.clone(), params, stamp } };
}

/**
 * Backward of one RNN step, given dL/dh_t:
 * dL/du = dL/dh_t ⊙ (1 − h_t²); dW_x = x_tᵀ·dL/du; dW_h = h_{t−1}ᵀ·dL/du;
 * db = e_Nᵀ·dL/du; dx_t = dL/du·W_xᵀ; dh_{t−1} = dL/du·W_hᵀ.
 *
 * ```text
 * dh: N×H  →  dx: N×D   dhPrev: N×H   dWx: D×H   dWh: H×H   db: 1×H
 * ```
 *
 * Derivation: [Vanilla RNN, one step backward](../../docs/rnn.md#backward).
 */
export function rnnStepBackward(dh: Matrix, cache: RnnStepCache): RnnStepGrads {
  const fn = 'rnnStepBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkRnnStepCache(fn, cache);
  checkStamp(fn, cache);
  const N = c.x.rows;
  const D = c.x.cols;
  const H = c.h.cols;
  const dhm = expectUpstream(fn, 'dh', dh, 'h', N, H);
  checkMemory(fn, { N, D, H }, { grads: cellGrads(N, 1, D, H, 1, 1), scratch: N * H });
  const grads = {
    dx: Matrix.zeros(N, D),
    dhPrev: Matrix.zeros(N, H),
    dWx: Matrix.zeros(D, H),
    dWh: Matrix.zeros(H, H),
    db: Matrix.zeros(1, H),
  };
  rnnStepBackwardInto(dhm, c.x, c.hPrev, c.h, c.params, Matrix.zeros(N, H), grads, false);
  return grads;
}

function checkRnnStepCache(fn: string, cache: unknown): RnnStepCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by rnnStepForward');
  expectCacheOfPath(fn, r, 'rnnStepForward', 'fast');
  const x = asMatrix(fn, 'cache.x', r.x);
  const h = asMatrix(fn, 'cache.h', r.h);
  const [N, H] = [dim('N', x.rows, 'cache.x'), dim('H', h.cols, 'cache.h')];
  expectShape(fn, 'cache.h', h, N, H);
  const hPrev = expectShape(fn, 'cache.hPrev', r.hPrev, N, H);
  return { x, hPrev, h, params: checkRnnParams(fn, r.params, dim('D', x.cols, 'cache.x'), H, 'cache.params') };
}
