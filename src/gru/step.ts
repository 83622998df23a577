/**
 * One GRU step in PyTorch's formulation, forward and backward side by side.
 * The reset gate multiplies the hidden side's candidate block with its bias,
 * r ⊙ (h·W_hn + b_hn), so that product (hn) is kept for the backward:
 * dr = dA_n ⊙ hn.
 *
 * Docs: docs/gru.md (the derivation), docs/interop.md (moving weights).
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
// From their module, not the index: the CommonJS build re-exports through
// getters, and a getter call per element made the fused loops ~2.5× slower.
import { sigmoid, tanh } from '../linalg/activations.js';
import { checkGruParams, type GruParams } from './params.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link gruStepBackward} needs from the forward pass. */
export interface GruStepCache {
  /** The input x_t, N×D. */
  readonly x: Matrix;
  /** h_{t−1}, N×H. */
  readonly hPrev: Matrix;
  /** The activated gates [r | z | n], N×3H. */
  readonly gates: Matrix;
  /** hn = h_{t−1}·W_hn + b_hn, the hidden side of the candidate before the reset gate, N×H. */
  readonly hn: Matrix;
  /** The weights used. */
  readonly params: GruParams;
  /**
   * Checksums of x and the state this cache refers to, taken by the forward:
   * the backward throws a StaleCacheError naming the one edited in place
   * since. Not of the weights, which would cost a step 30–100% more (the
   * sequence caches do check theirs).
   */
  readonly stamp?: InputStamp;
}

/** Gradients of one GRU step. */
export interface GruStepGrads {
  /** dL/dx_t, N×D. */
  readonly dx: Matrix;
  /** dL/dh_{t−1}, N×H. */
  readonly dhPrev: Matrix;
  /** dL/dW_x, D×3H. */
  readonly dWx: Matrix;
  /** dL/dW_h, H×3H. */
  readonly dWh: Matrix;
  /** dL/db_x, 1×3H. */
  readonly dbx: Matrix;
  /** dL/db_h, 1×3H. */
  readonly dbh: Matrix;
}

/** Where {@link gruStepBackwardInto} writes (views, so a sequence can aim them at step t). */
export interface GruStepGradViews {
  /** Receives dL/dx_t (overwritten). */
  readonly dx: MatrixView;
  /** Receives dL/dh_{t−1} (overwritten; may be the same buffer as dh). */
  readonly dhPrev: MatrixView;
  /** dL/dW_x, added to when accumulating. */
  readonly dWx: MatrixView;
  /** dL/dW_h, added to when accumulating. */
  readonly dWh: MatrixView;
  /** dL/db_x, added to when accumulating. */
  readonly dbx: MatrixView;
  /** dL/db_h, added to when accumulating. */
  readonly dbh: MatrixView;
}

/**
 * The forward formula on views, allocating nothing. `gates` (N×3H) receives
 * the activated gates [r | z | n], `hn` (N×H) the hidden side of the
 * candidate, `h` the new state; `hidden` is N×3H scratch for h_{t−1}·W_h + b_h:
 *
 * ```text
 * X = x_t·W_x + b_x          Y = h_{t−1}·W_h + b_h          (N×3H, blocks r | z | n)
 * r  = σ(X_r + Y_r)          z = σ(X_z + Y_z)
 * hn = Y_n = h_{t−1}·W_hn + b_hn
 * n  = tanh(X_n + r ⊙ hn)
 * h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * ```
 *
 * Derivation: [GRU forward](../../docs/gru.md#forward).
 */
export function gruStepForwardInto(
  gates: MatrixView,
  hn: MatrixView,
  h: MatrixView,
  x: MatrixView,
  hPrev: MatrixView,
  p: GruParams,
  hidden: MatrixView,
): void {
  broadcastRowInto(gates, p.bx); // X  = e·b_x
  matmulInto(gates, x, p.Wx, true); // X += x_t·W_x
  broadcastRowInto(hidden, p.bh); // Y  = e·b_h
  matmulInto(hidden, hPrev, p.Wh, true); // Y += h_{t−1}·W_h
  gruCellForwardInto(gates, hn, h, hPrev, hidden);
}

/**
 * The element-wise half of the forward step, fused into one pass: from the
 * input-side pre-activations X (in `gates`, N×3H, overwritten in place by the
 * activated gates [r | z | n]), the hidden-side Y (N×3H, read only) and
 * h_{t−1}, the kept hn and the new state h_t:
 *
 * ```text
 * r  = σ(X_r + Y_r)     z = σ(X_z + Y_z)     hn = Y_n
 * n  = tanh(X_n + r ⊙ hn)
 * h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 * X, gates, Y: N×3H   hPrev, hn, h: N×H
 * ```
 *
 * Derivation: [GRU forward](../../docs/gru.md#forward).
 */
export function gruCellForwardInto(
  gates: MatrixView,
  hn: MatrixView,
  h: MatrixView,
  hPrev: MatrixView,
  hidden: MatrixView,
): void {
  const G = gates.data;
  const Y = hidden.data;
  const { rows: N, cols: H } = h;
  for (let n = 0; n < N; n++) {
    const a = gates.offset + n * gates.stride;
    const y = hidden.offset + n * hidden.stride;
    const hnRow = hn.offset + n * hn.stride;
    const hRow = h.offset + n * h.stride;
    const hPrevRow = hPrev.offset + n * hPrev.stride;
    for (let j = 0; j < H; j++) {
      const r = sigmoid((G[a + j] as number) + (Y[y + j] as number));
      const z = sigmoid((G[a + H + j] as number) + (Y[y + H + j] as number));
      const hnj = Y[y + 2 * H + j] as number;
      const cand = tanh((G[a + 2 * H + j] as number) + r * hnj);
      G[a + j] = r;
      G[a + H + j] = z;
      G[a + 2 * H + j] = cand;
      hn.data[hnRow + j] = hnj;
      h.data[hRow + j] = (1 - z) * cand + z * (hPrev.data[hPrevRow + j] as number);
    }
  }
}

/**
 * The backward formula on views. `dX` and `dY` are N×3H scratch for the
 * input-side and hidden-side pre-activation gradients; weight and bias
 * gradients are added to `out` when `accumulate`. `out.dhPrev` may alias
 * `dh`: each element is read before it is written.
 *
 * ```text
 * dn = dh_t ⊙ (1 − z)     dz = dh_t ⊙ (h_{t−1} − n)     dh_{t−1} (direct) = dh_t ⊙ z
 * dA_n = dn ⊙ (1 − n²)    dhn = dA_n ⊙ r               dr = dA_n ⊙ hn
 * dA_r = dr ⊙ r(1−r)      dA_z = dz ⊙ z(1−z)
 * dX = [dA_r | dA_z | dA_n]:  dW_x = x_tᵀ·dX       db_x = e_Nᵀ·dX   dx_t = dX·W_xᵀ
 * dY = [dA_r | dA_z | dhn ]:  dW_h = h_{t−1}ᵀ·dY   db_h = e_Nᵀ·dY   dh_{t−1} += dY·W_hᵀ
 * ```
 *
 * Derivation: [GRU backward](../../docs/gru.md#backward).
 */
export function gruStepBackwardInto(
  dh: MatrixView,
  x: MatrixView,
  hPrev: MatrixView,
  gates: MatrixView,
  hn: MatrixView,
  p: GruParams,
  dX: MatrixView,
  dY: MatrixView,
  out: GruStepGradViews,
  accumulate: boolean,
): void {
  gruCellBackwardInto(dh, hPrev, gates, hn, dX, dY, out.dhPrev);
  matmulTransAInto(out.dWx, x, dX, accumulate);
  colSumInto(out.dbx, dX, accumulate);
  matmulTransAInto(out.dWh, hPrev, dY, accumulate);
  colSumInto(out.dbh, dY, accumulate);
  matmulTransBInto(out.dx, dX, p.Wx);
  matmulTransBInto(out.dhPrev, dY, p.Wh, true); // the paths through the three gates
}

/**
 * The element-wise half of the backward step, fused into one pass: from
 * dh_t, the input-side gradient dX (N×3H, overwritten), the hidden-side dY
 * (N×3H, overwritten) and the direct part of dh_{t−1} (overwritten; may be
 * the same buffer as dh: each element is read before it is written):
 *
 * ```text
 * dn = dh_t ⊙ (1 − z)     dz = dh_t ⊙ (h_{t−1} − n)     dh_{t−1} (direct) = dh_t ⊙ z
 * dA_n = dn ⊙ (1 − n²)    dhn = dA_n ⊙ r               dr = dA_n ⊙ hn
 * dA_r = dr ⊙ r(1−r)      dA_z = dz ⊙ z(1−z)
 * dX = [dA_r | dA_z | dA_n]     dY = [dA_r | dA_z | dhn]
 * dh, hPrev, hn, dhPrev: N×H   gates, dX, dY: N×3H
 * ```
 *
 * Derivation: [GRU backward](../../docs/gru.md#backward).
 */
export function gruCellBackwardInto(
  dh: MatrixView,
  hPrev: MatrixView,
  gates: MatrixView,
  hn: MatrixView,
  dX: MatrixView,
  dY: MatrixView,
  dhPrev: MatrixView,
): void {
  const { rows: N, cols: H } = hn;
  // Every array in a local: the views come in several classes, and V8
  // re-reads a polymorphic field on every iteration instead of hoisting it.
  const G = gates.data;
  const dXData = dX.data;
  const dYData = dY.data;
  const dhData = dh.data;
  const hPrevData = hPrev.data;
  const hnData = hn.data;
  const dhPrevData = dhPrev.data;
  for (let n = 0; n < N; n++) {
    const a = gates.offset + n * gates.stride;
    const dxRow = dX.offset + n * dX.stride;
    const dyRow = dY.offset + n * dY.stride;
    const dhRow = dh.offset + n * dh.stride;
    const hPrevRow = hPrev.offset + n * hPrev.stride;
    const hnRow = hn.offset + n * hn.stride;
    const dhPrevRow = dhPrev.offset + n * dhPrev.stride;
    for (let j = 0; j < H; j++) {
      const r = G[a + j] as number;
      const z = G[a + H + j] as number;
      const cand = G[a + 2 * H + j] as number;
      const dht = dhData[dhRow + j] as number;
      const dn = dht * (1 - z);
      const dz = dht * ((hPrevData[hPrevRow + j] as number) - cand);
      const dAn = dn * (1 - cand * cand);
      const dr = dAn * (hnData[hnRow + j] as number);
      const dAr = dr * r * (1 - r);
      const dAz = dz * z * (1 - z);
      dXData[dxRow + j] = dAr;
      dXData[dxRow + H + j] = dAz;
      dXData[dxRow + 2 * H + j] = dAn;
      dYData[dyRow + j] = dAr;
      dYData[dyRow + H + j] = dAz;
      dYData[dyRow + 2 * H + j] = dAn * r; // dhn
      dhPrevData[dhPrevRow + j] = dht * z; // the direct path through z ⊙ h_{t−1}
    }
  }
}

/**
 * One GRU step: r = σ(x_t·W_xr + b_xr + h_{t−1}·W_hr + b_hr),
 * z = σ(x_t·W_xz + b_xz + h_{t−1}·W_hz + b_hz),
 * n = tanh(x_t·W_xn + b_xn + r ⊙ (h_{t−1}·W_hn + b_hn)),
 * h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
 *
 * ```text
 * x: N×D   hPrev: N×H   Wx: D×3H   Wh: H×3H   bx, bh: 1×3H   →   h: N×H
 * ```
 *
 * Derivation: [GRU forward](../../docs/gru.md#forward).
 *
 * @throws ShapeError when a shape disagrees with x (N×D) and hPrev (N×H).
 * @throws TypeError when an argument is not a Matrix / params record.
 */
export function gruStepForward(
  x: Matrix,
  hPrev: Matrix,
  p: GruParams,
): {
  /** The new hidden state h_t, N×H. */
  h: Matrix;
  /** What {@link gruStepBackward} needs. */
  cache: GruStepCache;
} {
  const fn = 'gruStepForward';
  const { x: xm, hPrev: hm, params, N, H } = checkStepInputs(fn, x, hPrev, p, checkGruParams);
  checkMemory(fn, { N, D: xm.cols, H }, { h: N * H, cache: 4 * N * H, scratch: 3 * N * H });
  const gates = Matrix.zeros(N, 3 * H);
  const hn = Matrix.zeros(N, H);
  const h = Matrix.zeros(N, H);
  gruStepForwardInto(gates, hn, h, xm, hm, params, Matrix.zeros(N, 3 * H));
  const stamp = stampInputs(fn, { x: xm, hPrev: hm }); // checked by the backward
  return { h, cache: { x: xm, hPrev: hm, gates, hn, params, stamp } };
}

/**
 * Backward of one GRU step, given dL/dh_t: the gate gradients
 * dA_r, dA_z, dA_n and dhn = dA_n ⊙ r, then the input-side products with
 * [dA_r | dA_z | dA_n] and the hidden-side products with [dA_r | dA_z | dhn],
 * plus the direct path dh_t ⊙ z into dh_{t−1}.
 *
 * ```text
 * dh: N×H  →  dx: N×D   dhPrev: N×H   dWx: D×3H   dWh: H×3H   dbx, dbh: 1×3H
 * ```
 *
 * Derivation: [GRU backward](../../docs/gru.md#backward).
 */
export function gruStepBackward(dh: Matrix, cache: GruStepCache): GruStepGrads {
  const fn = 'gruStepBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkGruStepCache(fn, cache);
  checkStamp(fn, cache);
  const N = c.x.rows;
  const D = c.x.cols;
  const H = c.hPrev.cols;
  const dhm = expectUpstream(fn, 'dh', dh, 'h', N, H);
  checkMemory(fn, { N, D, H }, { grads: cellGrads(N, 1, D, H, 3, 1, 2), scratch: 6 * N * H });
  const grads = {
    dx: Matrix.zeros(N, D),
    dhPrev: Matrix.zeros(N, H),
    dWx: Matrix.zeros(D, 3 * H),
    dWh: Matrix.zeros(H, 3 * H),
    dbx: Matrix.zeros(1, 3 * H),
    dbh: Matrix.zeros(1, 3 * H),
  };
  gruStepBackwardInto(
    dhm,
    c.x,
    c.hPrev,
    c.gates,
    c.hn,
    c.params,
    Matrix.zeros(N, 3 * H),
    Matrix.zeros(N, 3 * H),
    grads,
    false,
  );
  return grads;
}

function checkGruStepCache(fn: string, cache: unknown): GruStepCache {
  const r = expectRecord(fn, 'cache', cache, 'the cache returned by gruStepForward');
  expectCacheOfPath(fn, r, 'gruStepForward', 'fast');
  const x = asMatrix(fn, 'cache.x', r.x);
  const hPrev = asMatrix(fn, 'cache.hPrev', r.hPrev);
  const [N, H] = [dim('N', x.rows, 'cache.x'), dim('H', hPrev.cols, 'cache.hPrev')];
  expectShape(fn, 'cache.hPrev', hPrev, N, H);
  return {
    x,
    hPrev,
    gates: expectShape(fn, 'cache.gates', r.gates, N, [3, H]),
    hn: expectShape(fn, 'cache.hn', r.hn, N, H),
    params: checkGruParams(fn, r.params, dim('D', x.cols, 'cache.x'), H, 'cache.params'),
  };
}
