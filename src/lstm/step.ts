/**
 * One LSTM step, forward and backward side by side, with the carried cell
 * gradient dc_next that the original notes leave out.
 *
 * Docs: docs/lstm.md ("One step").
 */
import {
  Matrix,
  asMatrix,
  broadcastRowInto,
  colSumInto,
  columnsOf,
  expectRecord,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  sigmoidInto,
  tanhInto,
  type MatrixView,
  checkStepInputs,
  expectCacheOfPath,
  dim,
  expectShape,
  expectState,
  expectUpstream,
  checkStamp,
  expectLiveStamp,
  stampInputs,
  type InputStamp,
} from '../linalg/index.js';
import { checkLstmParams, type LstmParams } from './params.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link lstmStepBackward} needs from the forward pass. */
export interface LstmStepCache {
  /** The input x_t, N×D. */
  readonly x: Matrix;
  /** h_{t−1}, N×H. */
  readonly hPrev: Matrix;
  /** c_{t−1}, N×H. */
  readonly cPrev: Matrix;
  /** The activated gates [f | i | g | o] = [σ(A_f) | σ(A_i) | tanh(A_g) | σ(A_o)], N×4H. */
  readonly gates: Matrix;
  /** tanh(c_t), N×H. */
  readonly tanhC: Matrix;
  /** The weights used. */
  readonly params: LstmParams;
  /**
   * Checksums of x and the state this cache refers to, taken by the forward:
   * the backward throws a StaleCacheError naming the one edited in place
   * since. Not of the weights, which would cost a step 30–100% more (the
   * sequence caches do check theirs).
   */
  readonly stamp?: InputStamp;
}

/** Gradients of one LSTM step. */
export interface LstmStepGrads {
  /** dL/dx_t, N×D. */
  readonly dx: Matrix;
  /** dL/dh_{t−1}, N×H. */
  readonly dhPrev: Matrix;
  /** dL/dc_{t−1}, N×H. */
  readonly dcPrev: Matrix;
  /** dL/dW_x, D×4H. */
  readonly dWx: Matrix;
  /** dL/dW_h, H×4H. */
  readonly dWh: Matrix;
  /** dL/db, 1×4H. */
  readonly db: Matrix;
}

/** Where {@link lstmStepBackwardInto} writes (views, so a sequence can aim them at step t). */
export interface LstmStepGradViews {
  /** Receives dL/dx_t (overwritten). */
  readonly dx: MatrixView;
  /** Receives dL/dh_{t−1} (overwritten). */
  readonly dhPrev: MatrixView;
  /** Receives dL/dc_{t−1} (overwritten; may be the same buffer as dcNext). */
  readonly dcPrev: MatrixView;
  /** dL/dW_x, added to when accumulating. */
  readonly dWx: MatrixView;
  /** dL/dW_h, added to when accumulating. */
  readonly dWh: MatrixView;
  /** dL/db, added to when accumulating. */
  readonly db: MatrixView;
}

/**
 * The forward formula on views, allocating nothing. `gates` (N×4H) receives
 * the activated gates, `c` and `h` the new state, `tanhC` tanh(c_t):
 *
 * ```text
 * A   = h_{t−1}·W_h + x_t·W_x + b              (N×4H, blocks f | i | g | o)
 * f = σ(A_f)   i = σ(A_i)   g = tanh(A_g)   o = σ(A_o)
 * c_t = f ⊙ c_{t−1} + i ⊙ g                     (the cell accumulates)
 * h_t = o ⊙ tanh(c_t)
 * ```
 *
 * Derivation: [LSTM, the gates](../../docs/lstm.md#forward-the-gates).
 */
export function lstmStepForwardInto(
  gates: MatrixView,
  c: MatrixView,
  tanhC: MatrixView,
  h: MatrixView,
  x: MatrixView,
  hPrev: MatrixView,
  cPrev: MatrixView,
  p: LstmParams,
): void {
  broadcastRowInto(gates, p.b); // A  = e·b
  matmulInto(gates, x, p.Wx, true); // A += x_t·W_x
  matmulInto(gates, hPrev, p.Wh, true); // A += h_{t−1}·W_h
  lstmCellForwardInto(gates, c, tanhC, h, cPrev);
}

/**
 * The element-wise half of the forward step, allocating nothing: the
 * activations a gate block at a time ({@link sigmoidInto}, {@link tanhInto}),
 * the products in passes over the rows. From the
 * pre-activations A (N×4H, overwritten in place by the activated gates) and
 * c_{t−1}, the new cell state, tanh(c_t) and h_t:
 *
 * ```text
 * f = σ(A_f)   i = σ(A_i)   g = tanh(A_g)   o = σ(A_o)
 * c_t = f ⊙ c_{t−1} + i ⊙ g      h_t = o ⊙ tanh(c_t)
 * A, gates: N×4H   cPrev, c, tanhC, h: N×H
 * ```
 *
 * Derivation: [LSTM, the gates](../../docs/lstm.md#forward-the-gates).
 */
export function lstmCellForwardInto(
  gates: MatrixView,
  c: MatrixView,
  tanhC: MatrixView,
  h: MatrixView,
  cPrev: MatrixView,
): void {
  const { rows: N, cols: H } = c;
  // The activations run a gate block at a time: on the WASM tier two values
  // per instruction, the same bits as σ and tanh one by one.
  const fiBlock = columnsOf(gates, 0, 2 * H);
  const gBlock = columnsOf(gates, 2 * H, H);
  const oBlock = columnsOf(gates, 3 * H, H);
  sigmoidInto(fiBlock, fiBlock); // f = σ(A_f), i = σ(A_i)
  tanhInto(gBlock, gBlock); // g = tanh(A_g)
  sigmoidInto(oBlock, oBlock); // o = σ(A_o)
  const G = gates.data;
  const cData = c.data;
  const cPrevData = cPrev.data;
  for (let n = 0; n < N; n++) {
    const a = gates.offset + n * gates.stride;
    const cRow = c.offset + n * c.stride;
    const cPrevRow = cPrev.offset + n * cPrev.stride;
    for (let j = 0; j < H; j++) {
      const f = G[a + j] as number;
      const i = G[a + H + j] as number;
      const g = G[a + 2 * H + j] as number;
      cData[cRow + j] = f * (cPrevData[cPrevRow + j] as number) + i * g; // c_t = f ⊙ c_{t−1} + i ⊙ g
    }
  }
  tanhInto(tanhC, c); // tanh(c_t)
  const tanhCData = tanhC.data;
  const hData = h.data;
  for (let n = 0; n < N; n++) {
    const oRow = gates.offset + n * gates.stride + 3 * H;
    const tRow = tanhC.offset + n * tanhC.stride;
    const hRow = h.offset + n * h.stride;
    for (let j = 0; j < H; j++) {
      const o = G[oRow + j] as number;
      hData[hRow + j] = o * (tanhCData[tRow + j] as number); // h_t = o ⊙ tanh(c_t)
    }
  }
}

/**
 * The backward formula on views. `dA` is N×4H scratch; weight gradients are
 * added to `out` when `accumulate`. `out.dcPrev` may alias `dcNext`: each
 * element is read before it is written.
 *
 * ```text
 * do       = dh_t ⊙ tanh(c_t)
 * dc_t     = dc_next + dh_t ⊙ o ⊙ (1 − tanh²(c_t))
 * dc_{t−1} = dc_t ⊙ f
 * df = dc_t ⊙ c_{t−1}    di = dc_t ⊙ g    dg = dc_t ⊙ i
 * dA_f = df ⊙ f(1−f)   dA_i = di ⊙ i(1−i)   dA_g = dg ⊙ (1−g²)   dA_o = do ⊙ o(1−o)
 * then, as for the vanilla RNN with dA for dL/du:
 * dW_x = x_tᵀ·dA   dW_h = h_{t−1}ᵀ·dA   db = e_Nᵀ·dA   dx_t = dA·W_xᵀ   dh_{t−1} = dA·W_hᵀ
 * ```
 *
 * Derivation: [LSTM backward, the carried cell gradient](../../docs/lstm.md#backward-the-carried-cell-gradient).
 */
export function lstmStepBackwardInto(
  dh: MatrixView,
  dcNext: MatrixView,
  x: MatrixView,
  hPrev: MatrixView,
  cPrev: MatrixView,
  gates: MatrixView,
  tanhC: MatrixView,
  p: LstmParams,
  dA: MatrixView,
  out: LstmStepGradViews,
  accumulate: boolean,
): void {
  lstmCellBackwardInto(dh, dcNext, cPrev, gates, tanhC, dA, out.dcPrev);
  matmulTransAInto(out.dWx, x, dA, accumulate);
  matmulTransAInto(out.dWh, hPrev, dA, accumulate);
  colSumInto(out.db, dA, accumulate);
  matmulTransBInto(out.dx, dA, p.Wx);
  matmulTransBInto(out.dhPrev, dA, p.Wh);
}

/**
 * The element-wise half of the backward step, fused into one pass: from
 * dh_t and dc_next, the pre-activation gradient dA (N×4H, overwritten) and
 * dc_{t−1} (may be the same buffer as dcNext: each element is read before it
 * is written):
 *
 * ```text
 * do       = dh_t ⊙ tanh(c_t)
 * dc_t     = dc_next + dh_t ⊙ o ⊙ (1 − tanh²(c_t))
 * dc_{t−1} = dc_t ⊙ f
 * dA_f = dc_t ⊙ c_{t−1} ⊙ f(1−f)   dA_i = dc_t ⊙ g ⊙ i(1−i)
 * dA_g = dc_t ⊙ i ⊙ (1−g²)         dA_o = do ⊙ o(1−o)
 * dh, dcNext, cPrev, tanhC, dcPrev: N×H   gates, dA: N×4H
 * ```
 *
 * Derivation: [LSTM backward, the carried cell gradient](../../docs/lstm.md#backward-the-carried-cell-gradient).
 */
export function lstmCellBackwardInto(
  dh: MatrixView,
  dcNext: MatrixView,
  cPrev: MatrixView,
  gates: MatrixView,
  tanhC: MatrixView,
  dA: MatrixView,
  dcPrev: MatrixView,
): void {
  const { rows: N, cols: H } = tanhC;
  // Every array in a local: the views come in several classes, and V8
  // re-reads a polymorphic field on every iteration instead of hoisting it.
  const G = gates.data;
  const dAData = dA.data;
  const dhData = dh.data;
  const dcNextData = dcNext.data;
  const cPrevData = cPrev.data;
  const tanhCData = tanhC.data;
  const dcPrevData = dcPrev.data;
  for (let n = 0; n < N; n++) {
    const a = gates.offset + n * gates.stride;
    const da = dA.offset + n * dA.stride;
    const dhRow = dh.offset + n * dh.stride;
    const dcRow = dcNext.offset + n * dcNext.stride;
    const cPrevRow = cPrev.offset + n * cPrev.stride;
    const tRow = tanhC.offset + n * tanhC.stride;
    const dcPrevRow = dcPrev.offset + n * dcPrev.stride;
    for (let j = 0; j < H; j++) {
      const f = G[a + j] as number;
      const i = G[a + H + j] as number;
      const g = G[a + 2 * H + j] as number;
      const o = G[a + 3 * H + j] as number;
      const tc = tanhCData[tRow + j] as number;
      const dht = dhData[dhRow + j] as number;
      const dO = dht * tc;
      const dc = (dcNextData[dcRow + j] as number) + dht * o * (1 - tc * tc);
      const df = dc * (cPrevData[cPrevRow + j] as number);
      const di = dc * g;
      const dg = dc * i;
      dcPrevData[dcPrevRow + j] = dc * f;
      dAData[da + j] = df * f * (1 - f);
      dAData[da + H + j] = di * i * (1 - i);
      dAData[da + 2 * H + j] = dg * (1 - g * g);
      dAData[da + 3 * H + j] = dO * o * (1 - o);
    }
  }
}

/**
 * One LSTM step: A = h_{t−1}·W_h + x_t·W_x + b; f, i, o = σ(A_f, A_i, A_o),
 * g = tanh(A_g); c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ tanh(c_t).
 *
 * ```text
 * x: N×D   hPrev, cPrev: N×H   Wx: D×4H   Wh: H×4H   b: 1×4H   →   h, c: N×H
 * ```
 *
 * $$
 * \begin{aligned}
 * A &= h_{t-1} W_h + x_t W_x + b = [A_f \mid A_i \mid A_g \mid A_o] \\
 * c_t &= \sigma(A_f) \odot c_{t-1} + \sigma(A_i) \odot \tanh(A_g) \\
 * h_t &= \sigma(A_o) \odot \tanh(c_t)
 * \end{aligned}
 * $$
 *
 * Derivation: [LSTM, the gates](../../docs/lstm.md#forward-the-gates).
 *
 * @throws ShapeError when a shape disagrees with x (N×D) and hPrev (N×H).
 * @throws TypeError when an argument is not a Matrix / params record.
 */
export function lstmStepForward(
  x: Matrix,
  hPrev: Matrix,
  cPrev: Matrix,
  p: LstmParams,
): {
  /** h_t, N×H. */
  h: Matrix;
  /** c_t, N×H. */
  c: Matrix;
  /** What {@link lstmStepBackward} needs. */
  cache: LstmStepCache;
} {
  const fn = 'lstmStepForward';
  const { x: xm, hPrev: hm, params, N, H } = checkStepInputs(fn, x, hPrev, p, checkLstmParams);
  const cm = expectState(fn, 'cPrev', cPrev, N, H);
  checkMemory(fn, { N, D: xm.cols, H }, { 'h, c': 2 * N * H, cache: 5 * N * H });
  const gates = Matrix.zeros(N, 4 * H);
  const c = Matrix.zeros(N, H);
  const tanhC = Matrix.zeros(N, H);
  const h = Matrix.zeros(N, H);
  lstmStepForwardInto(gates, c, tanhC, h, xm, hm, cm, params);
  const stamp = stampInputs(fn, { x: xm, hPrev: hm, cPrev: cm }); // checked by the backward
  return { h, c, cache: { x: xm, hPrev: hm, cPrev: cm, gates, tanhC, params, stamp } };
}

/**
 * Backward of one LSTM step, given dL/dh_t and the cell gradient dc_next
 * carried from step t+1 (zeros for a lone step):
 * dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh²(c_t)), dc_{t−1} = dc_t ⊙ f, the gate
 * gradients, then the vanilla-RNN products with dA in place of dL/du.
 *
 * ```text
 * dh, dcNext: N×H  →  dx: N×D   dhPrev, dcPrev: N×H   dWx: D×4H   dWh: H×4H   db: 1×4H
 * ```
 *
 * Derivation: [LSTM backward, the carried cell gradient](../../docs/lstm.md#backward-the-carried-cell-gradient).
 */
export function lstmStepBackward(dh: Matrix, dcNext: Matrix, cache: LstmStepCache): LstmStepGrads {
  const fn = 'lstmStepBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkLstmStepCache(fn, cache);
  checkStamp(fn, cache);
  const N = c.x.rows;
  const D = c.x.cols;
  const H = c.hPrev.cols;
  const dhm = expectUpstream(fn, 'dh', dh, 'h', N, H);
  const dcm = expectUpstream(fn, 'dcNext', dcNext, 'c', N, H);
  checkMemory(fn, { N, D, H }, { grads: cellGrads(N, 1, D, H, 4, 2), scratch: 4 * N * H });
  const grads = {
    dx: Matrix.zeros(N, D),
    dhPrev: Matrix.zeros(N, H),
    dcPrev: Matrix.zeros(N, H),
    dWx: Matrix.zeros(D, 4 * H),
    dWh: Matrix.zeros(H, 4 * H),
    db: Matrix.zeros(1, 4 * H),
  };
  lstmStepBackwardInto(
    dhm,
    dcm,
    c.x,
    c.hPrev,
    c.cPrev,
    c.gates,
    c.tanhC,
    c.params,
    Matrix.zeros(N, 4 * H),
    grads,
    false,
  );
  return grads;
}

function checkLstmStepCache(fn: string, cache: unknown): LstmStepCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by lstmStepForward');
  expectCacheOfPath(fn, r, 'lstmStepForward', 'fast');
  const x = asMatrix(fn, 'cache.x', r.x);
  const hPrev = asMatrix(fn, 'cache.hPrev', r.hPrev);
  const [N, H] = [dim('N', x.rows, 'cache.x'), dim('H', hPrev.cols, 'cache.hPrev')];
  expectShape(fn, 'cache.hPrev', hPrev, N, H);
  return {
    x,
    hPrev,
    cPrev: expectShape(fn, 'cache.cPrev', r.cPrev, N, H),
    gates: expectShape(fn, 'cache.gates', r.gates, N, [4, H]),
    tanhC: expectShape(fn, 'cache.tanhC', r.tanhC, N, H),
    params: checkLstmParams(fn, r.params, dim('D', x.cols, 'cache.x'), H, 'cache.params'),
  };
}
