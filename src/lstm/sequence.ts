/**
 * An LSTM over a whole sequence: the step in a loop over time, and BPTT with
 * both carried gradients, dh and dc.
 *
 * The loops run the step's formulas split in two: the parts that do not
 * depend on the recurrence (x_t·W_x + b forward; x_tᵀ·dA_t, h_{t−1}ᵀ·dA_t,
 * dA_t·W_xᵀ, e_Nᵀ·dA_t backward) are one product each over all N·T rows,
 * outside the time loop, and only h_{t−1}·W_h and dA_t·W_hᵀ stay inside,
 * with the fused element-wise cell formulas (lstmCellForwardInto /
 * lstmCellBackwardInto). Every buffer is allocated before the loop.
 *
 * Docs: docs/lstm.md ("Over a sequence"); docs/performance-design.md.
 */
import {
  Matrix,
  SlidingView,
  Tensor3,
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
  expectState,
  expectUpstream,
  expectUpstreamSeq,
  describeValue,
  expectLiveData,
  checkStamp,
  expectLiveStamp,
  stampInputs,
  type InputStamp,
} from '../linalg/index.js';
import { checkLstmParams, type LstmParams } from './params.js';
import { lstmCellBackwardInto, lstmCellForwardInto } from './step.js';
import { bpttScratch } from '../linalg/batch-first.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link lstmBackward} needs from {@link lstmForward}. */
export interface LstmCache {
  /** The inputs, N×T×D. */
  readonly x: Tensor3;
  /** h_0, N×H. */
  readonly h0: Matrix;
  /** Every h_t, N×T×H (the cache's own copy). */
  readonly h: Tensor3;
  /** c_0 … c_T, stacked: (T+1) contiguous N×H blocks, c_0 first. */
  readonly c: Float64Array;
  /** tanh(c_1) … tanh(c_T): T contiguous N×H blocks. */
  readonly tanhC: Float64Array;
  /**
   * The activated gates [f | i | g | o] of every step, batch-first like a
   * {@link Tensor3} N×T×4H: (n, t, ·) at (n·T + t)·4H, so that all N·T rows
   * form one (N·T)×4H matrix for the products hoisted out of the time loop.
   */
  readonly gates: Float64Array;
  /** The weights used. */
  readonly params: LstmParams;
  /**
   * Checksums of the caller's arrays this cache refers to (x, the initial
   * state, the weights), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Gradients of a whole sequence. */
export interface LstmGrads {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/dh_0, N×H. */
  readonly dh0: Matrix;
  /** dL/dc_0, N×H. */
  readonly dc0: Matrix;
  /** Σ_t dL/dW_x(t), D×4H. */
  readonly dWx: Matrix;
  /** Σ_t dL/dW_h(t), H×4H. */
  readonly dWh: Matrix;
  /** Σ_t dL/db(t), 1×4H. */
  readonly db: Matrix;
}

/**
 * Runs the LSTM step for t = 1…T from (h_0, c_0); c_0 defaults to zeros.
 * The input part of every step's pre-activation is one product before the
 * loop; the loop adds the recurrent part and applies the cell:
 *
 * ```text
 * A_t = x_t·W_x + b                  for every t at once ((N·T)×D · D×4H)
 * for t = 1…T:  A_t += h_{t−1}·W_h;   f, i, g, o, c_t, h_t = cell(A_t, c_{t−1})
 *
 * x: N×T×D   h0, c0: N×H   Wx: D×4H   Wh: H×4H   b: 1×4H
 *   →   h: N×T×H (every h_t)   c: N×H (the last cell state c_T)
 * ```
 *
 * Derivation: [LSTM over a sequence](../../docs/lstm.md#over-a-sequence).
 */
export function lstmForward(
  x: Tensor3,
  h0: Matrix,
  p: LstmParams,
  c0?: Matrix,
): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** The last cell state c_T, N×H. */
  c: Matrix;
  /** What {@link lstmBackward} needs. */
  cache: LstmCache;
} {
  const fn = 'lstmForward';
  const { x: xs, h0: h0m, params, N, T, D, H } = checkSequenceInputs(fn, x, h0, p, checkLstmParams);
  checkMemory(fn, { N, T, D, H }, { 'h, c': N * T * H + N * H, cache: 7 * N * T * H + N * H, c0: N * H });
  const c0m = c0 === undefined ? Matrix.zeros(N, H) : expectState(fn, 'c0', c0, N, H);

  const hs = Tensor3.zeros(N, T, H);
  const cs = allocFloat64((T + 1) * N * H);
  cs.set(c0m.data);
  const tanhCs = allocFloat64(T * N * H);
  const gates = allocFloat64(T * N * 4 * H);

  // x_t·W_x + b does not depend on h: one product for every (n, t) row at once.
  const A = allRows(gates, N * T, 4 * H);
  broadcastRowInto(A, params.b); // A  = e·b
  matmulInto(A, allRows(xs.data, N * T, D), params.Wx, true); // A += x·W_x

  const At = stepOf(gates, N, T, 4 * H);
  const ht = SlidingView.timeStep(hs);
  const hPrev = SlidingView.timeStep(hs);
  const ct = SlidingView.stacked(cs, N, H);
  const cPrev = SlidingView.stacked(cs, N, H);
  const tanhCt = SlidingView.stacked(tanhCs, N, H);
  const release = holdOperand(params.Wh);
  try {
    for (let t = 0; t < T; t++) {
      matmulInto(At.at(t), t === 0 ? h0m : hPrev.at(t - 1), params.Wh, true); // A_t += h_{t−1}·W_h
      lstmCellForwardInto(At, ct.at(t + 1), tanhCt.at(t), ht.at(t), cPrev.at(t));
    }
  } finally {
    release();
  }
  const cT = new Matrix(N, H, cs.slice(T * N * H));
  const stamp = stampInputs(fn, { x: xs, h0: h0m, c0: c0m }, params); // checked by the backward
  return { h: hs.clone(), c: cT, cache: { x: xs, h0: h0m, h: hs, c: cs, tanhC: tanhCs, gates, params, stamp } };
}

/**
 * Backpropagation through time with two carried gradients. The loop runs
 * only what feeds the recurrence; the products that the step would do for
 * dx_t and the weight gradients are summed over t afterwards, one product
 * each over all N·T rows (or, for large shapes, over the N·T/4 rows of each
 * quarter of the steps, so that dA_t is kept for a quarter of them at a time):
 *
 * ```text
 * g_T = dh_T                                         (nothing carried into t = T)
 * for t = T…1:
 *   dA_t, dc_{t−1} = cell backward(g_t, dc_t)         (dc_T given, default 0)
 *   g_{t−1} = dh_{t−1} + dA_t·W_hᵀ     (upstream + carried; at t = 1: dh_0 = dA_1·W_hᵀ)
 * dx_t = dA_t·W_xᵀ   dW_x = Σ_t x_tᵀ·dA_t   dW_h = Σ_t h_{t−1}ᵀ·dA_t   db = Σ_t e_Nᵀ·dA_t
 * dc_0 = what is carried out of t = 1
 *
 * dh: N×T×H   dcT: N×H  →  dx: N×T×D   dh0, dc0: N×H   dWx: D×4H   dWh: H×4H   db: 1×4H
 * ```
 *
 * Derivation: [LSTM over a sequence](../../docs/lstm.md#over-a-sequence).
 */
export function lstmBackward(dh: Tensor3, cache: LstmCache, dcT?: Matrix): LstmGrads {
  const fn = 'lstmBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkLstmCache(fn, cache);
  checkStamp(fn, cache);
  const [N, T, D] = c.x.dims;
  const H = c.h0.cols;
  const dhs = expectUpstreamSeq(fn, 'dh', dh, 'h', N, T, H);
  checkMemory(fn, { N, T, D, H }, { grads: cellGrads(N, T, D, H, 4, 3), scratch: bpttScratch(N, T, D, H, 4, 4) });
  const dc = dcT === undefined ? Matrix.zeros(N, H) : expectUpstream(fn, 'dcT', dcT, 'c', N, H).clone();

  // g holds dL/dh_t in full: the upstream dh_t plus what step t+1 carries
  // back. Nothing is carried into t = T.
  const g = copyInto(Matrix.zeros(N, H), SlidingView.timeStep(dhs, T - 1));
  const dh0 = Matrix.zeros(N, H);
  // dA_t is kept for Tc steps at a time (all T unless the shapes are large).
  const Tc = chunkSteps(N, T, 4 * H);
  const dAs = allocFloat64(N * Tc * 4 * H); // dA_t of the chunk's steps, batch-first N×Tc×4H
  const xScratch = allocFloat64(Tc < T ? N * Tc * D : 0);
  const dxScratch = allocFloat64(Tc < T ? N * Tc * D : 0);
  const hPrevScratch = allocFloat64(N * Tc * H);
  const dht = SlidingView.timeStep(dhs);
  const cPrev = SlidingView.stacked(c.c, N, H);
  const tanhCt = SlidingView.stacked(c.tanhC, N, H);
  const gatesT = stepOf(c.gates, N, T, 4 * H);
  const dx = Tensor3.zeros(N, T, D);
  const dWx = Matrix.zeros(D, 4 * H);
  const dWh = Matrix.zeros(H, 4 * H);
  const db = Matrix.zeros(1, 4 * H);
  // Steps t0 … t1−1, latest chunk first.
  for (let t1 = T; t1 > 0; t1 -= Tc) {
    const t0 = Math.max(0, t1 - Tc);
    const len = t1 - t0;
    const dAt = stepOf(dAs, N, len, 4 * H);
    // W_h is packed once per chunk; releasing it before the chunk's products
    // lets them reuse that space.
    const release = holdOperand(c.params.Wh);
    try {
      for (let t = t1 - 1; t >= t0; t--) {
        // dc is both dc_next (read) and dc_{t−1} (written): read before written.
        lstmCellBackwardInto(g, dc, cPrev.at(t), gatesT.at(t), tanhCt.at(t), dAt.at(t - t0), dc);
        if (t > 0) {
          copyInto(g, dht.at(t - 1));
          matmulTransBInto(g, dAt, c.params.Wh, true); // g_{t−1} = dh_{t−1} + dA_t·W_hᵀ
        } else {
          matmulTransBInto(dh0, dAt, c.params.Wh); // dh_0 = dA_1·W_hᵀ
        }
      }
    } finally {
      release();
    }

    // The rest of each step's backward does not feed the recurrence, so it
    // is summed over the chunk's steps as one product over its N·len rows.
    // The latest chunk writes the weight gradients (nothing to copy in); earlier chunks add to them.
    const add = t1 < T;
    const dA = allRows(dAs, N * len, 4 * H);
    const dxRows = chunkTarget(dx.data, N, T, D, t0, len, dxScratch);
    matmulTransBInto(dxRows, dA, c.params.Wx); // dx_t = dA_t·W_xᵀ
    scatterChunk(dxRows, dx.data, N, T, t0, len);
    matmulTransAInto(dWx, chunkRows(c.x.data, N, T, D, t0, len, xScratch), dA, add); // dW_x += Σ_t x_tᵀ·dA_t
    matmulTransAInto(dWh, previousStates(c.h0, c.h, t0, len, hPrevScratch), dA, add); // dW_h += Σ_t h_{t−1}ᵀ·dA_t
    colSumInto(db, dA, add); // db += Σ_t e_Nᵀ·dA_t
  }
  return { dx, dh0, dc0: dc, dWx, dWh, db };
}

function checkLstmCache(fn: string, cache: unknown): LstmCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by lstmForward');
  expectCacheOfPath(fn, r, 'lstmForward', 'fast');
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
    c: buffer('c', (T + 1) * N * H),
    tanhC: buffer('tanhC', T * N * H),
    gates: buffer('gates', T * N * 4 * H),
    params: checkLstmParams(fn, r.params, dim('D', D, 'cache.x'), h0H, 'cache.params'),
  };
}
