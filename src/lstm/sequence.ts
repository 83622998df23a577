/**
 * An LSTM over a whole sequence: the step in a loop over time, and BPTT with
 * both carried gradients, dh and dc.
 *
 * Docs: docs/lstm.md ("Over a sequence").
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
import { checkLstmParams, type LstmParams } from './params.js';
import { lstmStepBackwardInto, lstmStepForwardInto, type LstmStepGradViews } from './step.js';

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
  /** The activated gates of every step: T contiguous N×4H blocks [f | i | g | o]. */
  readonly gates: Float64Array;
  /** The weights used. */
  readonly params: LstmParams;
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
 *
 * ```text
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
  const xs = asTensor3(fn, 'x', x);
  const [N, T, D] = xs.dims;
  const h0m = asMatrix(fn, 'h0', h0);
  const H = h0m.cols;
  expectMatrix(fn, 'h0', h0m, N, H, `N×H, N=${N} from x`);
  const c0m = c0 === undefined ? Matrix.zeros(N, H) : expectMatrix(fn, 'c0', c0, N, H, 'N×H, the shape of h0');
  const params = checkLstmParams(fn, p, D, H);

  const hs = Tensor3.zeros(N, T, H);
  const cs = allocFloat64((T + 1) * N * H);
  cs.set(c0m.data);
  const tanhCs = allocFloat64(T * N * H);
  const gates = allocFloat64(T * N * 4 * H);

  const xt = SlidingView.timeStep(xs);
  const ht = SlidingView.timeStep(hs);
  const hPrev = SlidingView.timeStep(hs);
  const ct = SlidingView.stacked(cs, N, H);
  const cPrev = SlidingView.stacked(cs, N, H);
  const tanhCt = SlidingView.stacked(tanhCs, N, H);
  const gatesT = SlidingView.stacked(gates, N, 4 * H);
  for (let t = 0; t < T; t++) {
    lstmStepForwardInto(
      gatesT.at(t),
      ct.at(t + 1),
      tanhCt.at(t),
      ht.at(t),
      xt.at(t),
      t === 0 ? h0m : hPrev.at(t - 1),
      cPrev.at(t),
      params,
    );
  }
  const cT = new Matrix(N, H, cs.slice(T * N * H));
  return { h: hs.clone(), c: cT, cache: { x: xs, h0: h0m, h: hs, c: cs, tanhC: tanhCs, gates, params } };
}

/**
 * Backpropagation through time with two carried gradients. For t = T…1:
 *
 * ```text
 * g_t = dh_t(upstream) + dh_t(carried from t+1)       (carried = 0 at t = T)
 * dc  = dc_t carried from t+1                          (dc_T given, default 0)
 * step backward(g_t, dc)  →  dx_t, carried dh_{t−1}, carried dc_{t−1}, dW(t), db(t)
 * dW_x, dW_h, db = Σ_t …      dh_0, dc_0 = what is carried out of t = 1
 *
 * dh: N×T×H   dcT: N×H  →  dx: N×T×D   dh0, dc0: N×H   dWx: D×4H   dWh: H×4H   db: 1×4H
 * ```
 *
 * Derivation: [LSTM over a sequence](../../docs/lstm.md#over-a-sequence).
 */
export function lstmBackward(dh: Tensor3, cache: LstmCache, dcT?: Matrix): LstmGrads {
  const fn = 'lstmBackward';
  const c = checkLstmCache(fn, cache);
  const [N, T, D] = c.x.dims;
  const H = c.h0.cols;
  const dhs = expectTensor3(fn, 'dh', dh, N, T, H, 'N×T×H, the shape of h');
  const dc = dcT === undefined ? Matrix.zeros(N, H) : expectMatrix(fn, 'dcT', dcT, N, H, 'N×H, the shape of c').clone();

  const dx = Tensor3.zeros(N, T, D);
  const dWx = Matrix.zeros(D, 4 * H);
  const dWh = Matrix.zeros(H, 4 * H);
  const db = Matrix.zeros(1, 4 * H);
  const carried = Matrix.zeros(N, H);
  const g = Matrix.zeros(N, H);
  const dA = Matrix.zeros(N, 4 * H);
  const dxt = SlidingView.timeStep(dx);
  // dc is both dc_next (read) and dc_{t−1} (written) of each step: the step
  // reads every element before overwriting it.
  const out: LstmStepGradViews = { dx: dxt, dhPrev: carried, dcPrev: dc, dWx, dWh, db };
  const xt = SlidingView.timeStep(c.x);
  const hPrev = SlidingView.timeStep(c.h);
  const dht = SlidingView.timeStep(dhs);
  const cPrev = SlidingView.stacked(c.c, N, H);
  const tanhCt = SlidingView.stacked(c.tanhC, N, H);
  const gatesT = SlidingView.stacked(c.gates, N, 4 * H);
  for (let t = T - 1; t >= 0; t--) {
    copyInto(g, dht.at(t));
    addInto(g, carried);
    dxt.at(t);
    lstmStepBackwardInto(
      g,
      dc,
      xt.at(t),
      t === 0 ? c.h0 : hPrev.at(t - 1),
      cPrev.at(t),
      gatesT.at(t),
      tanhCt.at(t),
      c.params,
      dA,
      out,
      true,
    );
  }
  return { dx, dh0: carried, dc0: dc, dWx, dWh, db };
}

function checkLstmCache(fn: string, cache: unknown): LstmCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by lstmForward');
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
    c: buffer('c', (T + 1) * N * H),
    tanhC: buffer('tanhC', T * N * H),
    gates: buffer('gates', T * N * 4 * H),
    params: checkLstmParams(fn, r.params, D, H),
  };
}
