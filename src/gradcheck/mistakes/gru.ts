/**
 * The GRU reference cell (src/gru/reference.ts, PyTorch's formulation) with
 * one classic slip each, and the other GRU formulation (the reset gate applied
 * to h_{t−1} before the product) written the same way.
 */
import { Matrix, Tensor3 } from '../../linalg/matrix.js';
import { GRU_GATE_ORDER, type GruParams } from '../../gru/params.js';
import {
  gruBackward,
  gruForward,
  gruStepBackward,
  gruStepForward,
  type GruCache,
  type GruStepCache,
  type GruStepGrads,
} from '../../gru/reference.js';
import { add, affine, colSum, matmulTransA, matmulTransB, setStep, sigma } from '../../reference/ops.js';
import type { KernelImplementation } from '../spec.js';
import { firstRow, inverse, rearrange, rowMean, transpose } from './ops.js';

/** A GRU gate, as named in GRU_GATE_ORDER. */
export type GruGate = (typeof GRU_GATE_ORDER)[number];

/** The slips a mutated GRU backward makes; none set is the reference. */
export interface GruSlips {
  /** db_x and db_h as row 0 of dX and dY, or their means over the batch, instead of the sums. */
  readonly bias?: 'row0' | 'mean';
  /** dW_h = h_tᵀ·dY instead of h_{t−1}ᵀ·dY. */
  readonly hNotPrev?: boolean;
  /** This weight gradient returned transposed. */
  readonly transposed?: 'dWx' | 'dWh';
  /** dh_{t−1} = dY·W_hᵀ, without the direct term dh_t ⊙ z. */
  readonly noDirect?: boolean;
  /** The sequence backward calls the step with dh_t alone, without the carried dh. */
  readonly noCarriedDh?: boolean;
}

type GruImpl = Required<KernelImplementation>;
type Step = (dh: Matrix, s: GruStepCache) => GruStepGrads;

/** One step backward of the reference, with `slips`. */
export function slippedGruStepBackward(slips: GruSlips): Step {
  return (dh, s) => {
    const [N, H] = [s.hPrev.rows, s.hPrev.cols];
    const [dX, dY] = [Matrix.zeros(N, 3 * H), Matrix.zeros(N, 3 * H)];
    const [dhDirect, hNow] = [Matrix.zeros(N, H), Matrix.zeros(N, H)];
    for (let b = 0; b < N; b++) {
      for (let j = 0; j < H; j++) {
        const [r, z, n, dht, hp] = [s.r.get(b, j), s.z.get(b, j), s.n.get(b, j), dh.get(b, j), s.hPrev.get(b, j)];
        const dAn = dht * (1 - z) * (1 - n * n);
        const dAr = dAn * s.hn.get(b, j) * r * (1 - r);
        const dAz = dht * (hp - n) * z * (1 - z);
        const a = b * 3 * H + j;
        [dX.data[a], dX.data[a + H], dX.data[a + 2 * H]] = [dAr, dAz, dAn];
        [dY.data[a], dY.data[a + H], dY.data[a + 2 * H]] = [dAr, dAz, dAn * r];
        dhDirect.data[b * H + j] = slips.noDirect === true ? 0 : dht * z;
        hNow.data[b * H + j] = (1 - z) * n + z * hp; // h_t
      }
    }
    const dWx = matmulTransA(s.x, dX);
    const dWh = matmulTransA(slips.hNotPrev === true ? hNow : s.hPrev, dY);
    const bias = (d: Matrix): Matrix =>
      slips.bias === 'row0' ? firstRow(d) : slips.bias === 'mean' ? rowMean(d) : colSum(d);
    return {
      dx: matmulTransB(dX, s.params.Wx),
      dhPrev: add(dhDirect, matmulTransB(dY, s.params.Wh)),
      dWx: slips.transposed === 'dWx' ? transpose(dWx) : dWx,
      dWh: slips.transposed === 'dWh' ? transpose(dWh) : dWh,
      dbx: bias(dX),
      dbh: bias(dY),
    };
  };
}

/** The reference's sequence backward around any step backward. */
function sequenceBackward<C extends { x: Matrix; hPrev: Matrix }>(
  step: (dh: Matrix, s: C) => GruStepGrads,
  noCarriedDh: boolean,
): (dh: Tensor3, cache: { steps: readonly C[] }) => object {
  return (dh, cache) => {
    const steps = cache.steps;
    const first = steps[0] as C;
    const [N, T, D, H] = [dh.dims[0], steps.length, first.x.cols, first.hPrev.cols];
    const dx = Tensor3.zeros(N, T, D);
    let carried = Matrix.zeros(N, H);
    let [dWx, dWh, dbx, dbh]: Matrix[] = [];
    for (let t = T - 1; t >= 0; t--) {
      const g = step(noCarriedDh ? dh.step(t) : add(dh.step(t), carried), steps[t] as C);
      setStep(dx, t, g.dx);
      carried = g.dhPrev;
      [dWx, dWh, dbx, dbh] =
        dWx === undefined
          ? [g.dWx, g.dWh, g.dbx, g.dbh]
          : [add(dWx, g.dWx), add(dWh as Matrix, g.dWh), add(dbx as Matrix, g.dbx), add(dbh as Matrix, g.dbh)];
    }
    return { dx, dh0: carried, dWx, dWh, dbx, dbh };
  };
}

/** `gru-step` and `gru` with the reference forward and a slipped backward. */
export function gruWithSlips(slips: GruSlips): Record<'gru-step' | 'gru', GruImpl> {
  const step = slippedGruStepBackward(slips);
  return {
    'gru-step': { forward: gruStepForward, backward: step as GruImpl['backward'] },
    gru: { forward: gruForward, backward: sequenceBackward(step, slips.noCarriedDh === true) as GruImpl['backward'] },
  };
}

/** Weights-and-biases record with the two biases exchanged. */
function biasesSwapped(p: GruParams): GruParams {
  return { Wx: p.Wx, Wh: p.Wh, bx: p.bh, bh: p.bx };
}

/**
 * `gru-step` and `gru` of a homework that adds b_h where b_x belongs and b_x
 * where b_h belongs (so b_xn sits inside r ⊙ (…) and b_hn outside), with the
 * backward that matches it.
 */
export function gruBiasesSwapped(): Record<'gru-step' | 'gru', GruImpl> {
  const swapBack = <G extends { dbx: Matrix; dbh: Matrix }>(g: G): G => ({ ...g, dbx: g.dbh, dbh: g.dbx });
  return {
    'gru-step': {
      forward: (x: Matrix, hPrev: Matrix, p: GruParams) => gruStepForward(x, hPrev, biasesSwapped(p)),
      backward: (dh: Matrix, cache: GruStepCache) => swapBack(gruStepBackward(dh, cache)),
    },
    gru: {
      forward: (x: Tensor3, h0: Matrix, p: GruParams) => gruForward(x, h0, biasesSwapped(p)),
      backward: (dh: Tensor3, cache: GruCache) => swapBack(gruBackward(dh, cache)),
    },
  };
}

/**
 * `gru-step` and `gru` of a homework whose forward reads block k of the
 * weights and biases as gate `reads[k]`, with the backward that matches it.
 */
export function gruReadingGatesAs(reads: readonly GruGate[]): Record<'gru-step' | 'gru', GruImpl> {
  const from = GRU_GATE_ORDER.map((gate) => reads.indexOf(gate));
  const back = inverse(from);
  const asRead = (p: GruParams): GruParams => {
    const H = p.Wh.rows;
    const r = (m: Matrix): Matrix => rearrange(m, from, H);
    return { Wx: r(p.Wx), Wh: r(p.Wh), bx: r(p.bx), bh: r(p.bh) };
  };
  const gradsBack = <G extends { dWx: Matrix; dWh: Matrix; dbx: Matrix; dbh: Matrix }>(g: G): G => {
    const H = g.dWh.rows;
    const r = (m: Matrix): Matrix => rearrange(m, back, H);
    return { ...g, dWx: r(g.dWx), dWh: r(g.dWh), dbx: r(g.dbx), dbh: r(g.dbh) };
  };
  return {
    'gru-step': {
      forward: (x: Matrix, hPrev: Matrix, p: GruParams) => gruStepForward(x, hPrev, asRead(p)),
      backward: (dh: Matrix, cache: GruStepCache) => gradsBack(gruStepBackward(dh, cache)),
    },
    gru: {
      forward: (x: Tensor3, h0: Matrix, p: GruParams) => gruForward(x, h0, asRead(p)),
      backward: (dh: Tensor3, cache: GruCache) => gradsBack(gruBackward(dh, cache)),
    },
  };
}

/** A step cache of the other formulation: q = r ⊙ h_{t−1} is what W_hn multiplies. */
interface ResetBeforeCache {
  readonly x: Matrix;
  readonly hPrev: Matrix;
  readonly r: Matrix;
  readonly z: Matrix;
  readonly n: Matrix;
  readonly q: Matrix;
  readonly params: GruParams;
}

/**
 * r, z as in the reference; n = tanh(x_t·W_xn + b_xn + (r ⊙ h_{t−1})·W_hn + b_hn);
 * h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}: the original formulation, r applied to h before the product.
 */
function resetBeforeStepForward(x: Matrix, hPrev: Matrix, p: GruParams): { h: Matrix; cache: ResetBeforeCache } {
  const [N, H] = [hPrev.rows, hPrev.cols];
  const X = affine(x, p.Wx, p.bx);
  const Y = affine(hPrev, p.Wh, p.bh); // only its r and z blocks are used
  const zeros = (): Matrix => Matrix.zeros(N, H);
  const [r, z, n, q, h] = [zeros(), zeros(), zeros(), zeros(), zeros()];
  for (let b = 0; b < N; b++) {
    for (let j = 0; j < H; j++) {
      r.data[b * H + j] = sigma(X.get(b, j) + Y.get(b, j));
      z.data[b * H + j] = sigma(X.get(b, H + j) + Y.get(b, H + j));
      q.data[b * H + j] = r.get(b, j) * hPrev.get(b, j); // q = r ⊙ h_{t−1}
    }
  }
  for (let b = 0; b < N; b++) {
    for (let j = 0; j < H; j++) {
      let hn = p.bh.get(0, 2 * H + j);
      for (let k = 0; k < H; k++) hn += q.get(b, k) * p.Wh.get(k, 2 * H + j); // (r ⊙ h)·W_hn + b_hn
      n.data[b * H + j] = Math.tanh(X.get(b, 2 * H + j) + hn);
      h.data[b * H + j] = (1 - z.get(b, j)) * n.get(b, j) + z.get(b, j) * hPrev.get(b, j);
    }
  }
  return { h, cache: { x, hPrev, r, z, n, q, params: p } };
}

/**
 * dA_n = dh ⊙ (1 − z) ⊙ (1 − n²), dq = dA_n·W_hnᵀ, dA_r = dq ⊙ h_{t−1} ⊙ r(1 − r),
 * dA_z = dh ⊙ (h_{t−1} − n) ⊙ z(1 − z); dW_h = [h_{t−1}ᵀ·dA_r | h_{t−1}ᵀ·dA_z | qᵀ·dA_n];
 * dh_{t−1} = dh ⊙ z + [dA_r | dA_z]·W_{h,rz}ᵀ + dq ⊙ r.
 */
function resetBeforeStepBackward(dh: Matrix, s: ResetBeforeCache): GruStepGrads {
  const [N, H] = [s.hPrev.rows, s.hPrev.cols];
  const Wh = s.params.Wh;
  const [dX, dYrz, dhPrev] = [Matrix.zeros(N, 3 * H), Matrix.zeros(N, 3 * H), Matrix.zeros(N, H)];
  for (let b = 0; b < N; b++) {
    for (let j = 0; j < H; j++) {
      const [z, n, dht] = [s.z.get(b, j), s.n.get(b, j), dh.get(b, j)];
      dX.data[b * 3 * H + 2 * H + j] = dht * (1 - z) * (1 - n * n); // dA_n
      dX.data[b * 3 * H + H + j] = dht * (s.hPrev.get(b, j) - n) * z * (1 - z); // dA_z
    }
  }
  for (let b = 0; b < N; b++) {
    for (let k = 0; k < H; k++) {
      let dq = 0;
      for (let j = 0; j < H; j++) dq += dX.get(b, 2 * H + j) * Wh.get(k, 2 * H + j); // dq = dA_n·W_hnᵀ
      const r = s.r.get(b, k);
      dX.data[b * 3 * H + k] = dq * s.hPrev.get(b, k) * r * (1 - r); // dA_r
      dhPrev.data[b * H + k] = dh.get(b, k) * s.z.get(b, k) + dq * r;
    }
  }
  for (let b = 0; b < N; b++) {
    for (let j = 0; j < 2 * H; j++) dYrz.data[b * 3 * H + j] = dX.get(b, j); // [dA_r | dA_z | 0]
  }
  const dWh = matmulTransA(s.hPrev, dYrz);
  const dAn = Matrix.zeros(N, 3 * H);
  for (let b = 0; b < N; b++) for (let j = 0; j < H; j++) dAn.data[b * 3 * H + 2 * H + j] = dX.get(b, 2 * H + j);
  const dWhn = matmulTransA(s.q, dAn); // qᵀ·dA_n, in the n block only
  return {
    dx: matmulTransB(dX, s.params.Wx),
    dhPrev: add(dhPrev, matmulTransB(dYrz, Wh)),
    dWx: matmulTransA(s.x, dX),
    dWh: add(dWh, dWhn),
    dbx: colSum(dX),
    dbh: colSum(dX),
  };
}

/** `gru-step` and `gru` written in the other formulation: r ⊙ h_{t−1} before the product with W_hn. */
export function gruResetBeforeProduct(): Record<'gru-step' | 'gru', GruImpl> {
  const forward = (x: Tensor3, h0: Matrix, p: GruParams): { h: Tensor3; cache: { steps: ResetBeforeCache[] } } => {
    const [N, T] = x.dims;
    const h = Tensor3.zeros(N, T, h0.cols);
    const steps: ResetBeforeCache[] = [];
    let hPrev = h0;
    for (let t = 0; t < T; t++) {
      const step = resetBeforeStepForward(x.step(t), hPrev, p);
      setStep(h, t, step.h);
      steps.push(step.cache);
      hPrev = step.h;
    }
    return { h, cache: { steps } };
  };
  return {
    'gru-step': { forward: resetBeforeStepForward, backward: resetBeforeStepBackward as GruImpl['backward'] },
    gru: { forward, backward: sequenceBackward(resetBeforeStepBackward, false) as GruImpl['backward'] },
  };
}
