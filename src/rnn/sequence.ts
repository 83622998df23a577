/**
 * A vanilla RNN over a whole sequence: the step in a loop over time, and
 * backpropagation through time (BPTT).
 *
 * Docs: docs/rnn.md ("Over a sequence").
 */
import {
  Matrix,
  SlidingView,
  Tensor3,
  addInto,
  asMatrix,
  asTensor3,
  copyInto,
  expectMatrix,
  expectRecord,
  expectTensor3,
} from '../linalg/index.js';
import { checkRnnParams, type RnnParams } from './params.js';
import { rnnStepBackwardInto, rnnStepForwardInto, type RnnStepGradViews } from './step.js';

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
 *
 * ```text
 * x: N×T×D   h0: N×H   Wx: D×H   Wh: H×H   b: 1×H   →   h: N×T×H (every h_t)
 * ```
 *
 * Derivation: [Vanilla RNN over a sequence](../../docs/rnn.md#over-a-sequence).
 */
export function rnnForward(x: Tensor3, h0: Matrix, p: RnnParams): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** What {@link rnnBackward} needs. */
  cache: RnnCache;
} {
  const fn = 'rnnForward';
  const xs = asTensor3(fn, 'x', x);
  const [N, T, D] = xs.dims;
  const h0m = asMatrix(fn, 'h0', h0);
  const H = h0m.cols;
  expectMatrix(fn, 'h0', h0m, N, H, `N×H, N=${N} from x`);
  const params = checkRnnParams(fn, p, D, H);

  const hs = Tensor3.zeros(N, T, H);
  const xt = SlidingView.timeStep(xs);
  const ht = SlidingView.timeStep(hs);
  const hPrev = SlidingView.timeStep(hs);
  for (let t = 0; t < T; t++) {
    rnnStepForwardInto(ht.at(t), xt.at(t), t === 0 ? h0m : hPrev.at(t - 1), params);
  }
  return { h: hs.clone(), cache: { x: xs, h0: h0m, h: hs, params } };
}

/**
 * Backpropagation through time. For t = T…1 the gradient into h_t is the
 * upstream dh_t plus the one carried back from step t+1; the step's backward
 * turns it into dx_t and the carried dh_{t−1}, and the weight gradients add
 * up over t:
 *
 * ```text
 * g_t  = dh_t(upstream) + dh_t(carried from t+1)       (carried = 0 at t = T)
 * step backward(g_t)  →  dx_t, carried dh_{t−1}, dW_x(t), dW_h(t), db(t)
 * dW_x = Σ_t dW_x(t)   dW_h = Σ_t dW_h(t)   db = Σ_t db(t)   dh_0 = carried dh_0
 *
 * dh: N×T×H  →  dx: N×T×D   dh0: N×H   dWx: D×H   dWh: H×H   db: 1×H
 * ```
 *
 * Derivation: [Backpropagation through time](../../docs/rnn.md#backpropagation-through-time-bptt).
 */
export function rnnBackward(dh: Tensor3, cache: RnnCache): RnnGrads {
  const fn = 'rnnBackward';
  const c = checkRnnCache(fn, cache);
  const [N, T, D] = c.x.dims;
  const H = c.h0.cols;
  const dhs = expectTensor3(fn, 'dh', dh, N, T, H, 'N×T×H, the shape of h');

  const dx = Tensor3.zeros(N, T, D);
  const dWx = Matrix.zeros(D, H);
  const dWh = Matrix.zeros(H, H);
  const db = Matrix.zeros(1, H);
  const carried = Matrix.zeros(N, H); // dL/dh_t arriving from step t+1
  const g = Matrix.zeros(N, H);
  const du = Matrix.zeros(N, H);
  const dxt = SlidingView.timeStep(dx);
  const out: RnnStepGradViews = { dx: dxt, dhPrev: carried, dWx, dWh, db };
  const xt = SlidingView.timeStep(c.x);
  const ht = SlidingView.timeStep(c.h);
  const hPrev = SlidingView.timeStep(c.h);
  const dht = SlidingView.timeStep(dhs);
  for (let t = T - 1; t >= 0; t--) {
    copyInto(g, dht.at(t));
    addInto(g, carried);
    dxt.at(t);
    rnnStepBackwardInto(g, xt.at(t), t === 0 ? c.h0 : hPrev.at(t - 1), ht.at(t), c.params, du, out, true);
  }
  return { dx, dh0: carried, dWx, dWh, db };
}

function checkRnnCache(fn: string, cache: unknown): RnnCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by rnnForward');
  const x = asTensor3(fn, 'cache.x', r.x);
  const [N, T, D] = x.dims;
  const h0 = asMatrix(fn, 'cache.h0', r.h0);
  const H = h0.cols;
  expectMatrix(fn, 'cache.h0', h0, N, H);
  const h = expectTensor3(fn, 'cache.h', r.h, N, T, H);
  return { x, h0, h, params: checkRnnParams(fn, r.params, D, H) };
}
