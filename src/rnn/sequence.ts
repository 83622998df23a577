/**
 * A vanilla RNN over a whole sequence: the step in a loop over time, and
 * backpropagation through time (BPTT).
 *
 * The step's formulas are split in two: what does not depend on the
 * recurrence (x_t·W_x + b forward; x_tᵀ·du_t, h_{t−1}ᵀ·du_t, du_t·W_xᵀ,
 * e_Nᵀ·du_t backward) is one product over all N·T rows outside the time
 * loop; only h_{t−1}·W_h and du_t·W_hᵀ stay inside, next to the element-wise
 * rnnCellForwardInto / rnnCellBackwardInto. Every buffer is allocated before
 * the loop. The same pattern as src/lstm/sequence.ts.
 *
 * Docs: docs/rnn.md ("Over a sequence"); docs/performance-design.md.
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
  expectUpstreamSeq,
  checkStamp,
  expectLiveStamp,
  stampInputs,
  type InputStamp,
} from '../linalg/index.js';
import { checkRnnParams, type RnnParams } from './params.js';
import { rnnBackwardStepsInWasm, rnnForwardStepsInWasm } from './resident.js';
import { rnnCellBackwardInto, rnnCellForwardInto } from './step.js';
import { bpttScratch } from '../linalg/batch-first.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link rnnBackward} needs from {@link rnnForward}. */
export interface RnnCache {
  /** The inputs, N×T×D. */
  readonly x: Tensor3;
  /** The initial hidden state h_0, N×H. */
  readonly h0: Matrix;
  /** The cache's own copy of every h_t, N×T×H (safe from edits to the returned h). */
  readonly h: Tensor3;
  /** The weights used. */
  readonly params: RnnParams;
  /**
   * Checksums of the caller's arrays this cache refers to (x, the initial
   * state, the weights), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Gradients of a whole sequence. */
export interface RnnGrads {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/dh_0, N×H. */
  readonly dh0: Matrix;
  /** Σ_t dL/dW_x(t), D×H. */
  readonly dWx: Matrix;
  /** Σ_t dL/dW_h(t), H×H. */
  readonly dWh: Matrix;
  /** Σ_t dL/db(t), 1×H. */
  readonly db: Matrix;
}

/**
 * Runs the RNN step for t = 1…T from h_0: h_t = tanh(h_{t−1}·W_h + x_t·W_x + b).
 * The input part is one product for every t before the loop:
 *
 * ```text
 * u_t = x_t·W_x + b                  for every t at once ((N·T)×D · D×H)
 * for t = 1…T:  u_t += h_{t−1}·W_h;   h_t = tanh(u_t)
 *
 * x: N×T×D   h0: N×H   Wx: D×H   Wh: H×H   b: 1×H   →   h: N×T×H (every h_t)
 * ```
 *
 * Derivation: [Vanilla RNN over a sequence](../../docs/rnn.md#over-a-sequence).
 */
export function rnnForward(
  x: Tensor3,
  h0: Matrix,
  p: RnnParams,
): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** What {@link rnnBackward} needs. */
  cache: RnnCache;
} {
  const fn = 'rnnForward';
  const { x: xs, h0: h0m, params, N, T, D, H } = checkSequenceInputs(fn, x, h0, p, checkRnnParams);
  checkMemory(fn, { N, T, D, H }, { h: N * T * H, 'cache.h': N * T * H });

  const hs = Tensor3.zeros(N, T, H);
  // u_t = x_t·W_x + b does not depend on h: one product for every (n, t) row,
  // written where h_t will be, then finished in place step by step.
  const u = allRows(hs.data, N * T, H);
  broadcastRowInto(u, params.b); // u  = e·b
  matmulInto(u, allRows(xs.data, N * T, D), params.Wx, true); // u += x·W_x
  const ht = SlidingView.timeStep(hs);
  const hPrev = SlidingView.timeStep(hs);
  // On the WASM tier the same loop runs on buffers kept in the kernel's
  // memory (./resident.ts), with the same bits; this one is its reference.
  if (!rnnForwardStepsInWasm(ht, h0m, params.Wh, T)) {
    const release = holdOperand(params.Wh);
    try {
      for (let t = 0; t < T; t++) {
        matmulInto(ht.at(t), t === 0 ? h0m : hPrev.at(t - 1), params.Wh, true); // u_t += h_{t−1}·W_h
        rnnCellForwardInto(ht); // h_t = tanh(u_t)
      }
    } finally {
      release();
    }
  }
  const stamp = stampInputs(fn, { x: xs, h0: h0m }, params); // checked by the backward
  return { h: hs.clone(), cache: { x: xs, h0: h0m, h: hs, params, stamp } };
}

/**
 * Backpropagation through time. For t = T…1 the gradient into h_t is the
 * upstream dh_t plus the one carried back from step t+1; the step's backward
 * turns it into du_t, and du_t·W_hᵀ is what it carries to t−1 (added straight
 * onto the upstream dh_{t−1} by the product). What does not feed the
 * recurrence — dx_t and the weight gradients, summed over t — is one
 * product each over all N·T rows after the loop (or, for large shapes, over
 * the N·T/4 rows of each quarter of the steps, so that du_t is kept for a
 * quarter of them at a time):
 *
 * ```text
 * g_T = dh_T                                          (nothing carried into t = T)
 * for t = T…1:
 *   du_t = g_t ⊙ (1 − h_t²)
 *   g_{t−1} = dh_{t−1} + du_t·W_hᵀ     (upstream + carried; at t = 1: dh_0 = du_1·W_hᵀ)
 * dx_t = du_t·W_xᵀ   dW_x = Σ_t x_tᵀ·du_t   dW_h = Σ_t h_{t−1}ᵀ·du_t   db = Σ_t e_Nᵀ·du_t
 *
 * dh: N×T×H  →  dx: N×T×D   dh0: N×H   dWx: D×H   dWh: H×H   db: 1×H
 * ```
 *
 * Derivation: [Backpropagation through time](../../docs/rnn.md#backpropagation-through-time-bptt).
 */
export function rnnBackward(dh: Tensor3, cache: RnnCache): RnnGrads {
  const fn = 'rnnBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkRnnCache(fn, cache);
  checkStamp(fn, cache);
  const [N, T, D] = c.x.dims;
  const H = c.h0.cols;
  const dhs = expectUpstreamSeq(fn, 'dh', dh, 'h', N, T, H);
  checkMemory(fn, { N, T, D, H }, { grads: cellGrads(N, T, D, H, 1, 2), scratch: bpttScratch(N, T, D, H, 1, 1) });

  // g holds dL/dh_t in full: the upstream dh_t plus what step t+1 carries
  // back. Nothing is carried into t = T.
  const g = copyInto(Matrix.zeros(N, H), SlidingView.timeStep(dhs, T - 1));
  const dh0 = Matrix.zeros(N, H);
  // du_t is kept for Tc steps at a time (all T unless the shapes are large).
  const Tc = chunkSteps(N, T, H);
  const dus = allocFloat64(N * Tc * H); // du_t of the chunk's steps, batch-first N×Tc×H
  const xScratch = allocFloat64(Tc < T ? N * Tc * D : 0);
  const dxScratch = allocFloat64(Tc < T ? N * Tc * D : 0);
  const hPrevScratch = allocFloat64(N * Tc * H);
  const ht = SlidingView.timeStep(c.h);
  const dht = SlidingView.timeStep(dhs);
  const dx = Tensor3.zeros(N, T, D);
  const dWx = Matrix.zeros(D, H);
  const dWh = Matrix.zeros(H, H);
  const db = Matrix.zeros(1, H);
  // Steps t0 … t1−1, latest chunk first.
  for (let t1 = T; t1 > 0; t1 -= Tc) {
    const t0 = Math.max(0, t1 - Tc);
    const len = t1 - t0;
    const dut = stepOf(dus, N, len, H);
    // As in rnnForward: on the WASM tier ./resident.ts runs this loop with the same bits.
    if (!rnnBackwardStepsInWasm(g, dh0, ht, dht, dut, c.params.Wh, t0, t1)) {
      // W_h is packed once per chunk; releasing it before the chunk's products
      // lets them reuse that space.
      const release = holdOperand(c.params.Wh);
      try {
        for (let t = t1 - 1; t >= t0; t--) {
          rnnCellBackwardInto(g, ht.at(t), dut.at(t - t0)); // du_t = g_t ⊙ (1 − h_t²)
          if (t > 0) {
            copyInto(g, dht.at(t - 1));
            matmulTransBInto(g, dut, c.params.Wh, true); // g_{t−1} = dh_{t−1} + du_t·W_hᵀ
          } else {
            matmulTransBInto(dh0, dut, c.params.Wh); // dh_0 = du_1·W_hᵀ
          }
        }
      } finally {
        release();
      }
    }

    // The rest of each step's backward does not feed the recurrence, so it
    // is summed over the chunk's steps as one product over its N·len rows.
    // The latest chunk writes the weight gradients (nothing to copy in); earlier chunks add to them.
    const add = t1 < T;
    const du = allRows(dus, N * len, H);
    const dxRows = chunkTarget(dx.data, N, T, D, t0, len, dxScratch);
    matmulTransBInto(dxRows, du, c.params.Wx); // dx_t = du_t·W_xᵀ
    scatterChunk(dxRows, dx.data, N, T, t0, len);
    matmulTransAInto(dWx, chunkRows(c.x.data, N, T, D, t0, len, xScratch), du, add); // dW_x += Σ_t x_tᵀ·du_t
    matmulTransAInto(dWh, previousStates(c.h0, c.h, t0, len, hPrevScratch), du, add); // dW_h += Σ_t h_{t−1}ᵀ·du_t
    colSumInto(db, du, add); // db += Σ_t e_Nᵀ·du_t
  }
  return { dx, dh0, dWx, dWh, db };
}

function checkRnnCache(fn: string, cache: unknown): RnnCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by rnnForward');
  expectCacheOfPath(fn, r, 'rnnForward', 'fast');
  const x = asTensor3(fn, 'cache.x', r.x);
  const [N, T, D] = [dim('N', x.dims[0], 'cache.x'), dim('T', x.dims[1], 'cache.x'), dim('D', x.dims[2], 'cache.x')];
  const h0 = asMatrix(fn, 'cache.h0', r.h0);
  const H = dim('H', h0.cols, 'cache.h0');
  expectShape(fn, 'cache.h0', h0, N, H);
  const h = expectShape3(fn, 'cache.h', r.h, [N, T, H]);
  return { x, h0, h, params: checkRnnParams(fn, r.params, D, H, 'cache.params') };
}
