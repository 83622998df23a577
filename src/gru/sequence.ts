/**
 * A GRU over a whole sequence: the step in a loop over time, and BPTT with
 * the one carried gradient, dh.
 *
 * The loops run the step's formulas split in two: the parts that do not
 * depend on the recurrence (X = x_t·W_x + b_x forward; x_tᵀ·dX_t, e_Nᵀ·dX_t,
 * dX_t·W_xᵀ, h_{t−1}ᵀ·dY_t, e_Nᵀ·dY_t backward) are one product each over
 * all N·T rows, outside the time loop, and only Y_t = h_{t−1}·W_h + b_h and
 * dY_t·W_hᵀ stay inside, with the fused element-wise cell formulas
 * (gruCellForwardInto / gruCellBackwardInto). Every buffer is allocated
 * before the loop. The same pattern as src/lstm/sequence.ts.
 *
 * Docs: docs/gru.md (the derivation), docs/interop.md (moving weights),
 * docs/performance-design.md.
 */
import {
  Matrix,
  SlidingView,
  Tensor3,
  addInto,
  allRows,
  allocFloat64,
  asMatrix,
  asTensor3,
  broadcastRowInto,
  colSumInto,
  copyInto,
  expectCacheOfPath,
  expectRecord,
  holdOperand,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  chunkRows,
  chunkSteps,
  chunkTarget,
  previousStates,
  scatterChunk,
  stepOf,
  checkSequenceInputs,
  dim,
  expectShape,
  expectShape3,
  expectUpstreamSeq,
  describeValue,
  expectLiveData,
  checkStamp,
  expectLiveStamp,
  stampInputs,
  type InputStamp,
} from '../linalg/index.js';
import { checkGruParams, type GruParams } from './params.js';
import { gruCellBackwardInto, gruCellForwardInto } from './step.js';
import { bpttScratch } from '../linalg/batch-first.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link gruBackward} needs from {@link gruForward}. */
export interface GruCache {
  /** The inputs, N×T×D. */
  readonly x: Tensor3;
  /** h_0, N×H. */
  readonly h0: Matrix;
  /** Every h_t, N×T×H (the cache's own copy). */
  readonly h: Tensor3;
  /**
   * The activated gates [r | z | n] of every step, batch-first like a
   * {@link Tensor3} N×T×3H: (n, t, ·) at (n·T + t)·3H, so that all N·T rows
   * form one (N·T)×3H matrix for the product hoisted out of the time loop.
   */
  readonly gates: Float64Array;
  /** hn = h_{t−1}·W_hn + b_hn of every step: T contiguous N×H blocks. */
  readonly hn: Float64Array;
  /** The weights used. */
  readonly params: GruParams;
  /**
   * Checksums of the caller's arrays this cache refers to (x, the initial
   * state, the weights), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Gradients of a whole sequence. */
export interface GruGrads {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/dh_0, N×H. */
  readonly dh0: Matrix;
  /** Σ_t dL/dW_x(t), D×3H. */
  readonly dWx: Matrix;
  /** Σ_t dL/dW_h(t), H×3H. */
  readonly dWh: Matrix;
  /** Σ_t dL/db_x(t), 1×3H. */
  readonly dbx: Matrix;
  /** Σ_t dL/db_h(t), 1×3H. */
  readonly dbh: Matrix;
}

/**
 * Runs the GRU step for t = 1…T from h_0:
 * h_t = (1 − z) ⊙ n + z ⊙ h_{t−1} with r, z, n as in {@link gruStepForward}.
 * The input side of every step's pre-activations is one product before the
 * loop; the loop computes the hidden side and applies the cell:
 *
 * ```text
 * X_t = x_t·W_x + b_x                   for every t at once ((N·T)×D · D×3H)
 * for t = 1…T:  Y_t = h_{t−1}·W_h + b_h;   r, z, n, hn, h_t = cell(X_t, Y_t, h_{t−1})
 *
 * x: N×T×D   h0: N×H   Wx: D×3H   Wh: H×3H   bx, bh: 1×3H   →   h: N×T×H (every h_t)
 * ```
 *
 * Derivation: [GRU forward](../../docs/gru.md#forward).
 */
export function gruForward(
  x: Tensor3,
  h0: Matrix,
  p: GruParams,
): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** What {@link gruBackward} needs. */
  cache: GruCache;
} {
  const fn = 'gruForward';
  const { x: xs, h0: h0m, params, N, T, D, H } = checkSequenceInputs(fn, x, h0, p, checkGruParams);
  checkMemory(fn, { N, T, D, H }, { h: N * T * H, 'cache (h, gates, hn)': 5 * N * T * H, scratch: 3 * N * H });

  const hs = Tensor3.zeros(N, T, H);
  const gates = allocFloat64(N * T * 3 * H);
  const hns = allocFloat64(T * N * H);
  const hidden = Matrix.zeros(N, 3 * H); // Y_t, reused every step

  // x_t·W_x + b_x does not depend on h: one product for every (n, t) row at once.
  const X = allRows(gates, N * T, 3 * H);
  broadcastRowInto(X, params.bx); // X  = e·b_x
  matmulInto(X, allRows(xs.data, N * T, D), params.Wx, true); // X += x·W_x

  const Xt = stepOf(gates, N, T, 3 * H);
  const ht = SlidingView.timeStep(hs);
  const hPrev = SlidingView.timeStep(hs);
  const hnT = SlidingView.stacked(hns, N, H);
  const release = holdOperand(params.Wh);
  try {
    for (let t = 0; t < T; t++) {
      const prev = t === 0 ? h0m : hPrev.at(t - 1);
      broadcastRowInto(hidden, params.bh); // Y_t  = e·b_h
      matmulInto(hidden, prev, params.Wh, true); // Y_t += h_{t−1}·W_h
      gruCellForwardInto(Xt.at(t), hnT.at(t), ht.at(t), prev, hidden);
    }
  } finally {
    release();
  }
  const stamp = stampInputs(fn, { x: xs, h0: h0m }, params); // checked by the backward
  return { h: hs.clone(), cache: { x: xs, h0: h0m, h: hs, gates, hn: hns, params, stamp } };
}

/**
 * Backpropagation through time. For t = T…1 the gradient into h_t is the
 * upstream dh_t plus the one carried back from step t+1; the step's backward
 * turns it into dX_t, dY_t and the direct path g_t ⊙ z (through z ⊙ h_{t−1}),
 * and what it carries to t−1 is that direct path plus dY_t·W_hᵀ — the
 * product added straight onto the upstream dh_{t−1} plus the direct path, as
 * the RNN and LSTM add theirs onto dh_{t−1}. What does not feed the
 * recurrence — dx_t and the weight and bias gradients, summed over t — is
 * one product each over all N·T rows after the loop (or, for large shapes,
 * over the N·T/4 rows of each quarter of the steps, so that dX_t and dY_t
 * are kept for a quarter of them at a time):
 *
 * ```text
 * g_T = dh_T                                          (nothing carried into t = T)
 * for t = T…1:
 *   dX_t = [dA_r | dA_z | dA_n],  dY_t = [dA_r | dA_z | dhn],  g_t ⊙ z  = cell backward(g_t)
 *   g_{t−1} = dh_{t−1} + g_t ⊙ z + dY_t·W_hᵀ   (upstream + carried; at t = 1: dh_0 = g_1 ⊙ z + dY_1·W_hᵀ)
 * dx_t = dX_t·W_xᵀ   dW_x = Σ_t x_tᵀ·dX_t   db_x = Σ_t e_Nᵀ·dX_t
 * dW_h = Σ_t h_{t−1}ᵀ·dY_t   db_h = Σ_t e_Nᵀ·dY_t
 *
 * dh: N×T×H  →  dx: N×T×D   dh0: N×H   dWx: D×3H   dWh: H×3H   dbx, dbh: 1×3H
 * ```
 *
 * Derivation: [GRU backward, over a sequence](../../docs/gru.md#backward).
 */
export function gruBackward(dh: Tensor3, cache: GruCache): GruGrads {
  const fn = 'gruBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkGruCache(fn, cache);
  checkStamp(fn, cache);
  const [N, T, D] = c.x.dims;
  const H = c.h0.cols;
  const dhs = expectUpstreamSeq(fn, 'dh', dh, 'h', N, T, H);
  checkMemory(fn, { N, T, D, H }, { grads: cellGrads(N, T, D, H, 3, 1, 2), scratch: bpttScratch(N, T, D, H, 3, 6) });

  // g holds dL/dh_t in full: the upstream dh_t plus what step t+1 carries
  // back. Nothing is carried into t = T; after the last step it holds dh_0.
  const g = Matrix.zeros(N, H);
  copyInto(g, SlidingView.timeStep(dhs, T - 1));
  // dX_t and dY_t are kept for Tc steps at a time (all T unless the shapes are large).
  const Tc = chunkSteps(N, T, 3 * H);
  const dXs = allocFloat64(N * Tc * 3 * H); // dX_t of the chunk's steps, batch-first N×Tc×3H
  const dYs = allocFloat64(N * Tc * 3 * H); // dY_t of the chunk's steps, batch-first N×Tc×3H
  const xScratch = allocFloat64(Tc < T ? N * Tc * D : 0);
  const dxScratch = allocFloat64(Tc < T ? N * Tc * D : 0);
  const hPrevScratch = allocFloat64(N * Tc * H);
  const dht = SlidingView.timeStep(dhs);
  const hPrev = SlidingView.timeStep(c.h);
  const gatesT = stepOf(c.gates, N, T, 3 * H);
  const hnT = SlidingView.stacked(c.hn, N, H);
  const dx = Tensor3.zeros(N, T, D);
  const dWx = Matrix.zeros(D, 3 * H);
  const dWh = Matrix.zeros(H, 3 * H);
  const dbx = Matrix.zeros(1, 3 * H);
  const dbh = Matrix.zeros(1, 3 * H);
  // Steps t0 … t1−1, latest chunk first.
  for (let t1 = T; t1 > 0; t1 -= Tc) {
    const t0 = Math.max(0, t1 - Tc);
    const len = t1 - t0;
    const dXt = stepOf(dXs, N, len, 3 * H);
    const dYt = stepOf(dYs, N, len, 3 * H);
    // W_h is packed once per chunk; releasing it before the chunk's products
    // lets them reuse that space.
    const release = holdOperand(c.params.Wh);
    try {
      for (let t = t1 - 1; t >= t0; t--) {
        const prev = t === 0 ? c.h0 : hPrev.at(t - 1);
        // g is both g_t (read) and the direct path g_t ⊙ z (written): each element is read before written.
        gruCellBackwardInto(g, prev, gatesT.at(t), hnT.at(t), dXt.at(t - t0), dYt.at(t - t0), g);
        if (t > 0) addInto(g, dht.at(t - 1)); // + the upstream dh_{t−1}
        matmulTransBInto(g, dYt, c.params.Wh, true); // g_{t−1} = dh_{t−1} + g_t ⊙ z + dY_t·W_hᵀ (dh_0 at t = 0)
      }
    } finally {
      release();
    }

    // The rest of each step's backward does not feed the recurrence, so it
    // is summed over the chunk's steps as one product over its N·len rows.
    // The latest chunk writes the weight gradients (nothing to copy in); earlier chunks add to them.
    const add = t1 < T;
    const dX = allRows(dXs, N * len, 3 * H);
    const dY = allRows(dYs, N * len, 3 * H);
    const dxRows = chunkTarget(dx.data, N, T, D, t0, len, dxScratch);
    matmulTransBInto(dxRows, dX, c.params.Wx); // dx_t = dX_t·W_xᵀ
    scatterChunk(dxRows, dx.data, N, T, t0, len);
    matmulTransAInto(dWx, chunkRows(c.x.data, N, T, D, t0, len, xScratch), dX, add); // dW_x += Σ_t x_tᵀ·dX_t
    colSumInto(dbx, dX, add); // db_x += Σ_t e_Nᵀ·dX_t
    matmulTransAInto(dWh, previousStates(c.h0, c.h, t0, len, hPrevScratch), dY, add); // dW_h += Σ_t h_{t−1}ᵀ·dY_t
    colSumInto(dbh, dY, add); // db_h += Σ_t e_Nᵀ·dY_t
  }
  return { dx, dh0: g, dWx, dWh, dbx, dbh };
}

function checkGruCache(fn: string, cache: unknown): GruCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by gruForward');
  expectCacheOfPath(fn, r, 'gruForward', 'fast');
  const x = asTensor3(fn, 'cache.x', r.x);
  const [N, T, D] = x.dims;
  const h0 = asMatrix(fn, 'cache.h0', r.h0);
  const H = h0.cols;
  const [n, h0H] = [dim('N', N, 'cache.x'), dim('H', H, 'cache.h0')];
  expectShape(fn, 'cache.h0', h0, n, h0H);
  const h = expectShape3(fn, 'cache.h', r.h, [n, dim('T', T, 'cache.x'), h0H]);
  const buffer = (name: string, length: number): Float64Array => {
    const v = r[name];
    if (!(v instanceof Float64Array))
      throw new TypeError(`${fn}: cache.${name} must be a Float64Array, got ${describeValue(v)}`);
    if (v.length !== length) {
      expectLiveData(fn, `cache.${name}`, v, length, `layout for N=${N}, T=${T}, H=${H}`);
      throw new RangeError(
        `${fn}: cache.${name} must hold ${length} values for N=${N}, T=${T}, H=${H}, got ${v.length}`,
      );
    }
    return v;
  };
  return {
    x,
    h0,
    h,
    gates: buffer('gates', T * N * 3 * H),
    hn: buffer('hn', T * N * H),
    params: checkGruParams(fn, r.params, dim('D', D, 'cache.x'), h0H, 'cache.params'),
  };
}
