/**
 * The LSTM reference cell (src/lstm/reference.ts) with one classic slip
 * each: the same loops and products, one term changed. The catalog
 * (catalog.ts) names them; the checker compares a user's gradients with them.
 */
import { Matrix, Tensor3 } from '../../linalg/matrix.js';
import { LSTM_GATE_ORDER, type LstmParams } from '../../lstm/params.js';
import {
  lstmBackward,
  lstmForward,
  lstmStepBackward,
  lstmStepForward,
  type LstmCache,
  type LstmStepCache,
  type LstmStepGrads,
} from '../../lstm/reference.js';
import { add, affine, colSum, matmulTransA, matmulTransB, setStep } from '../../reference/ops.js';
import type { KernelImplementation } from '../spec.js';
import { firstRow, inverse, rearrange, rowMean, transpose } from './ops.js';

/** An LSTM gate, as named in LSTM_GATE_ORDER. */
export type LstmGate = (typeof LSTM_GATE_ORDER)[number];

/** The slips a mutated LSTM backward makes; none set is the reference. */
export interface LstmSlips {
  /** dc_t = dh_t ⊙ o ⊙ tanh'(c_t), without dc_next. */
  readonly noDcNext?: boolean;
  /** tanh'(c_t) written 1 − c_t², the derivative taken of tanh's argument. */
  readonly cellTanhPrimeOfC?: boolean;
  /** dc_{t−1} = dc_t, without ⊙ f. */
  readonly dcPrevWithoutF?: boolean;
  /** This σ gate's σ' written σ(1 + σ). */
  readonly sigmaPlus?: 'f' | 'i' | 'o';
  /** This gate's σ' or tanh' evaluated at its pre-activation A instead of its activation. */
  readonly ofPreactivation?: LstmGate;
  /** This gate's dA with its sign flipped. */
  readonly flip?: LstmGate;
  /** db as row 0 of dA, or the mean over the batch, instead of the sum. */
  readonly bias?: 'row0' | 'mean';
  /** dW_h = h_tᵀ·dA instead of h_{t−1}ᵀ·dA. */
  readonly hNotPrev?: boolean;
  /** This weight gradient returned transposed. */
  readonly transposed?: 'dWx' | 'dWh';
  /** The sequence backward calls the step with dh_t alone, without the carried dh. */
  readonly noCarriedDh?: boolean;
}

type LstmImpl = Required<KernelImplementation>;

type StepBackward = (dh: Matrix, dcNext: Matrix, s: LstmStepCache) => LstmStepGrads;

/** One step backward of the reference, with `slips`. */
export function slippedLstmStepBackward(slips: LstmSlips): StepBackward {
  return (dh, dcNext, s) => {
    const [N, H] = [s.c.rows, s.c.cols];
    const A = add(affine(s.x, s.params.Wx, s.params.b), affine(s.hPrev, s.params.Wh)); // pre-activations
    const [dA, dcPrev, hNow] = [Matrix.zeros(N, 4 * H), Matrix.zeros(N, H), Matrix.zeros(N, H)];
    // σ'(gate) or tanh'(g), as the slip writes it; `v` the activation, `a` its pre-activation.
    const derivative = (gate: LstmGate, v: number, a: number): number => {
      const sign = slips.flip === gate ? -1 : 1;
      if (slips.ofPreactivation === gate) return sign * (gate === 'g' ? 1 - a * a : a * (1 - a));
      if (slips.sigmaPlus === gate) return sign * v * (1 + v);
      return sign * (gate === 'g' ? 1 - v * v : v * (1 - v));
    };
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const [f, i, g, o, c] = [s.f.get(n, j), s.i.get(n, j), s.g.get(n, j), s.o.get(n, j), s.c.get(n, j)];
        const tc = Math.tanh(c);
        const tanhPrime = slips.cellTanhPrimeOfC === true ? 1 - c * c : 1 - tc * tc;
        const dc = (slips.noDcNext === true ? 0 : dcNext.get(n, j)) + dh.get(n, j) * o * tanhPrime;
        dcPrev.data[n * H + j] = slips.dcPrevWithoutF === true ? dc : dc * f;
        hNow.data[n * H + j] = o * tc; // h_t
        const a = n * 4 * H + j;
        dA.data[a] = dc * s.cPrev.get(n, j) * derivative('f', f, A.get(n, j));
        dA.data[a + H] = dc * g * derivative('i', i, A.get(n, H + j));
        dA.data[a + 2 * H] = dc * i * derivative('g', g, A.get(n, 2 * H + j));
        dA.data[a + 3 * H] = dh.get(n, j) * tc * derivative('o', o, A.get(n, 3 * H + j));
      }
    }
    const dWx = matmulTransA(s.x, dA);
    const dWh = matmulTransA(slips.hNotPrev === true ? hNow : s.hPrev, dA);
    return {
      dx: matmulTransB(dA, s.params.Wx),
      dhPrev: matmulTransB(dA, s.params.Wh),
      dcPrev,
      dWx: slips.transposed === 'dWx' ? transpose(dWx) : dWx,
      dWh: slips.transposed === 'dWh' ? transpose(dWh) : dWh,
      db: slips.bias === 'row0' ? firstRow(dA) : slips.bias === 'mean' ? rowMean(dA) : colSum(dA),
    };
  };
}

/** The reference's sequence backward around a slipped step backward. */
function slippedLstmBackward(slips: LstmSlips): (dh: Tensor3, cache: LstmCache, dcT: Matrix) => object {
  const step = slippedLstmStepBackward(slips);
  return (dh, cache, dcT) => {
    const steps = cache.steps;
    const [N, T, D] = [dh.dims[0], steps.length, (steps[0] as LstmStepCache).x.cols];
    const H = dcT.cols;
    const dx = Tensor3.zeros(N, T, D);
    let [carried, dc] = [Matrix.zeros(N, H), dcT];
    let [dWx, dWh, db]: Matrix[] = [];
    for (let t = T - 1; t >= 0; t--) {
      const upstream = slips.noCarriedDh === true ? dh.step(t) : add(dh.step(t), carried);
      const g = step(upstream, dc, steps[t] as LstmStepCache);
      setStep(dx, t, g.dx);
      [carried, dc] = [g.dhPrev, g.dcPrev];
      [dWx, dWh, db] =
        dWx === undefined
          ? [g.dWx, g.dWh, g.db]
          : [add(dWx, g.dWx), add(dWh as Matrix, g.dWh), add(db as Matrix, g.db)];
    }
    return { dx, dh0: carried, dc0: dc, dWx, dWh, db };
  };
}

/** `lstm-step` and `lstm` with the reference forward and a slipped backward. */
export function lstmWithSlips(slips: LstmSlips): Record<'lstm-step' | 'lstm', LstmImpl> {
  return {
    'lstm-step': { forward: lstmStepForward, backward: slippedLstmStepBackward(slips) as LstmImpl['backward'] },
    lstm: { forward: lstmForward, backward: slippedLstmBackward(slips) as LstmImpl['backward'] },
  };
}

/**
 * `lstm-step` and `lstm` of a homework whose forward reads block k of the
 * weights as gate `reads[k]` (the weights being laid out in LSTM_GATE_ORDER),
 * with the backward that matches that forward: the reference run on weights
 * whose blocks are rearranged, its weight gradients rearranged back.
 */
export function lstmReadingGatesAs(reads: readonly LstmGate[]): Record<'lstm-step' | 'lstm', LstmImpl> {
  const H = (p: LstmParams): number => p.Wh.rows;
  // Gate LSTM_GATE_ORDER[j] is read from block reads.indexOf(LSTM_GATE_ORDER[j]).
  const from = LSTM_GATE_ORDER.map((gate) => reads.indexOf(gate));
  const back = inverse(from);
  const asRead = (p: LstmParams): LstmParams => ({
    Wx: rearrange(p.Wx, from, H(p)),
    Wh: rearrange(p.Wh, from, H(p)),
    b: rearrange(p.b, from, H(p)),
  });
  const gradsBack = <G extends { dWx: Matrix; dWh: Matrix; db: Matrix }>(g: G, h: number): G => ({
    ...g,
    dWx: rearrange(g.dWx, back, h),
    dWh: rearrange(g.dWh, back, h),
    db: rearrange(g.db, back, h),
  });
  return {
    'lstm-step': {
      forward: (x: Matrix, hPrev: Matrix, cPrev: Matrix, p: LstmParams) => lstmStepForward(x, hPrev, cPrev, asRead(p)),
      backward: (dh: Matrix, dcNext: Matrix, cache: LstmStepCache) =>
        gradsBack(lstmStepBackward(dh, dcNext, cache), cache.c.cols),
    },
    lstm: {
      forward: (x: Tensor3, h0: Matrix, p: LstmParams, c0: Matrix) => lstmForward(x, h0, asRead(p), c0),
      backward: (dh: Tensor3, cache: LstmCache, dcT: Matrix) => gradsBack(lstmBackward(dh, cache, dcT), dcT.cols),
    },
  };
}
