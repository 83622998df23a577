/**
 * A GRU over a whole sequence: the step in a loop over time, and BPTT with
 * the one carried gradient, dh.
 *
 * Docs: docs/gru.md (the derivation), docs/interop.md (moving weights).
 */
import {
  Matrix,
  SlidingView,
  Tensor3,
  addInto,
  allocFloat64,
  asMatrix,
  asTensor3,
  copyInto,
  expectMatrix,
  expectRecord,
  expectTensor3,
} from '../linalg/index.js';
import { checkGruParams, type GruParams } from './params.js';
import { gruStepBackwardInto, gruStepForwardInto, type GruStepGradViews } from './step.js';

/** What {@link gruBackward} needs from {@link gruForward}. */
export interface GruCache {
  /** The inputs, N×T×D. */
  readonly x: Tensor3;
  /** h_0, N×H. */
  readonly h0: Matrix;
  /** Every h_t, N×T×H (the cache's own copy). */
  readonly h: Tensor3;
  /** The activated gates of every step: T contiguous N×3H blocks [r | z | n]. */
  readonly gates: Float64Array;
  /** hn = h_{t−1}·W_hn + b_hn of every step: T contiguous N×H blocks. */
  readonly hn: Float64Array;
  /** The weights used. */
  readonly params: GruParams;
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
 *
 * ```text
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
  const xs = asTensor3(fn, 'x', x);
  const [N, T, D] = xs.dims;
  const h0m = asMatrix(fn, 'h0', h0);
  const H = h0m.cols;
  expectMatrix(fn, 'h0', h0m, N, H, `N×H, N=${N} from x`);
  const params = checkGruParams(fn, p, D, H);

  const hs = Tensor3.zeros(N, T, H);
  const gates = allocFloat64(T * N * 3 * H);
  const hns = allocFloat64(T * N * H);
  const hidden = Matrix.zeros(N, 3 * H);

  const xt = SlidingView.timeStep(xs);
  const ht = SlidingView.timeStep(hs);
  const hPrev = SlidingView.timeStep(hs);
  const gatesT = SlidingView.stacked(gates, N, 3 * H);
  const hnT = SlidingView.stacked(hns, N, H);
  for (let t = 0; t < T; t++) {
    gruStepForwardInto(gatesT.at(t), hnT.at(t), ht.at(t), xt.at(t), t === 0 ? h0m : hPrev.at(t - 1), params, hidden);
  }
  return { h: hs.clone(), cache: { x: xs, h0: h0m, h: hs, gates, hn: hns, params } };
}

/**
 * Backpropagation through time. For t = T…1:
 *
 * ```text
 * g_t = dh_t(upstream) + dh_t(carried from t+1)       (carried = 0 at t = T)
 * step backward(g_t)  →  dx_t, carried dh_{t−1}, dW_x(t), dW_h(t), db_x(t), db_h(t)
 * dW_x, dW_h, db_x, db_h = Σ_t …      dh_0 = what is carried out of t = 1
 *
 * dh: N×T×H  →  dx: N×T×D   dh0: N×H   dWx: D×3H   dWh: H×3H   dbx, dbh: 1×3H
 * ```
 *
 * Derivation: [GRU backward, over a sequence](../../docs/gru.md#backward).
 */
export function gruBackward(dh: Tensor3, cache: GruCache): GruGrads {
  const fn = 'gruBackward';
  const c = checkGruCache(fn, cache);
  const [N, T, D] = c.x.dims;
  const H = c.h0.cols;
  const dhs = expectTensor3(fn, 'dh', dh, N, T, H, 'N×T×H, the shape of h');

  const dx = Tensor3.zeros(N, T, D);
  const dWx = Matrix.zeros(D, 3 * H);
  const dWh = Matrix.zeros(H, 3 * H);
  const dbx = Matrix.zeros(1, 3 * H);
  const dbh = Matrix.zeros(1, 3 * H);
  const carried = Matrix.zeros(N, H);
  const g = Matrix.zeros(N, H);
  const dX = Matrix.zeros(N, 3 * H);
  const dY = Matrix.zeros(N, 3 * H);
  const dxt = SlidingView.timeStep(dx);
  const out: GruStepGradViews = { dx: dxt, dhPrev: carried, dWx, dWh, dbx, dbh };
  const xt = SlidingView.timeStep(c.x);
  const hPrev = SlidingView.timeStep(c.h);
  const dht = SlidingView.timeStep(dhs);
  const gatesT = SlidingView.stacked(c.gates, N, 3 * H);
  const hnT = SlidingView.stacked(c.hn, N, H);
  for (let t = T - 1; t >= 0; t--) {
    copyInto(g, dht.at(t));
    addInto(g, carried);
    dxt.at(t);
    gruStepBackwardInto(g, xt.at(t), t === 0 ? c.h0 : hPrev.at(t - 1), gatesT.at(t), hnT.at(t), c.params, dX, dY, out, true);
  }
  return { dx, dh0: carried, dWx, dWh, dbx, dbh };
}

function checkGruCache(fn: string, cache: unknown): GruCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by gruForward');
  const x = asTensor3(fn, 'cache.x', r.x);
  const [N, T, D] = x.dims;
  const h0 = asMatrix(fn, 'cache.h0', r.h0);
  const H = h0.cols;
  expectMatrix(fn, 'cache.h0', h0, N, H);
  const h = expectTensor3(fn, 'cache.h', r.h, N, T, H);
  const buffer = (name: string, length: number): Float64Array => {
    const v = r[name];
    if (!(v instanceof Float64Array)) throw new TypeError(`${fn}: cache.${name} must be a Float64Array, got ${typeof v}`);
    if (v.length !== length) {
      throw new RangeError(`${fn}: cache.${name} must hold ${length} values for N=${N}, T=${T}, H=${H}, got ${v.length}`);
    }
    return v;
  };
  return {
    x,
    h0,
    h,
    gates: buffer('gates', T * N * 3 * H),
    hn: buffer('hn', T * N * H),
    params: checkGruParams(fn, r.params, D, H),
  };
}
