/**
 * The vanilla RNN reference cell (src/rnn/reference.ts) with one classic
 * slip each: the same loops and products, one term changed.
 */
import { Matrix, Tensor3 } from '../../linalg/matrix.js';
import { add, affine, colSum, matmulTransA, matmulTransB, setStep } from '../../reference/ops.js';
import {
  rnnForward,
  rnnStepForward,
  type RnnCache,
  type RnnStepCache,
  type RnnStepGrads,
} from '../../rnn/reference.js';
import type { KernelImplementation } from '../spec.js';
import { firstRow, rowMean, transpose } from './ops.js';

/** The slips a mutated RNN backward makes; none set is the reference. */
export interface RnnSlips {
  /** tanh'(u) written 1 − u², the derivative taken of the pre-activation u instead of read off h_t. */
  readonly tanhPrimeOfU?: boolean;
  /** db as row 0 of du, or the mean over the batch, instead of the sum. */
  readonly bias?: 'row0' | 'mean';
  /** dW_h = h_tᵀ·du instead of h_{t−1}ᵀ·du. */
  readonly hNotPrev?: boolean;
  /** This weight gradient returned transposed. */
  readonly transposed?: 'dWx' | 'dWh';
  /** dx_t = du·W_x instead of du·W_xᵀ (same shape only when D = H). */
  readonly dxWithoutTranspose?: boolean;
  /** dh_{t−1} = du·W_h instead of du·W_hᵀ. */
  readonly dhPrevWithoutTranspose?: boolean;
  /** The sequence backward calls the step with dh_t alone, without the carried dh. */
  readonly noCarriedDh?: boolean;
}

type RnnImpl = Required<KernelImplementation>;

/** One step backward of the reference, with `slips`. */
export function slippedRnnStepBackward(slips: RnnSlips): (dh: Matrix, c: RnnStepCache) => RnnStepGrads {
  return (dh, c) => {
    const [N, H] = [c.h.rows, c.h.cols];
    const u = add(affine(c.x, c.params.Wx, c.params.b), affine(c.hPrev, c.params.Wh)); // the pre-activation
    const du = Matrix.zeros(N, H);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        const tanhPrime = slips.tanhPrimeOfU === true ? 1 - u.get(n, j) ** 2 : 1 - c.h.get(n, j) ** 2;
        du.data[n * H + j] = dh.get(n, j) * tanhPrime;
      }
    }
    // W·… in place of W ᵀ·… is only possible when W is square; otherwise the slip cannot be made.
    const square = (W: Matrix): boolean => W.rows === W.cols;
    const dWx = matmulTransA(c.x, du);
    const Wx = c.params.Wx;
    const dWh = matmulTransA(slips.hNotPrev === true ? c.h : c.hPrev, du);
    return {
      dx: slips.dxWithoutTranspose === true && square(Wx) ? affine(du, Wx) : matmulTransB(du, Wx),
      dhPrev: slips.dhPrevWithoutTranspose === true ? affine(du, c.params.Wh) : matmulTransB(du, c.params.Wh),
      dWx: slips.transposed === 'dWx' ? transpose(dWx) : dWx,
      dWh: slips.transposed === 'dWh' ? transpose(dWh) : dWh,
      db: slips.bias === 'row0' ? firstRow(du) : slips.bias === 'mean' ? rowMean(du) : colSum(du),
    };
  };
}

/** The reference's sequence backward around a slipped step backward. */
function slippedRnnBackward(slips: RnnSlips): (dh: Tensor3, cache: RnnCache) => object {
  const step = slippedRnnStepBackward(slips);
  return (dh, cache) => {
    const steps = cache.steps;
    const first = steps[0] as RnnStepCache;
    const [N, T, D, H] = [dh.dims[0], steps.length, first.x.cols, first.h.cols];
    const dx = Tensor3.zeros(N, T, D);
    let carried = Matrix.zeros(N, H);
    let [dWx, dWh, db]: Matrix[] = [];
    for (let t = T - 1; t >= 0; t--) {
      const upstream = slips.noCarriedDh === true ? dh.step(t) : add(dh.step(t), carried);
      const g = step(upstream, steps[t] as RnnStepCache);
      setStep(dx, t, g.dx);
      carried = g.dhPrev;
      [dWx, dWh, db] =
        dWx === undefined
          ? [g.dWx, g.dWh, g.db]
          : [add(dWx, g.dWx), add(dWh as Matrix, g.dWh), add(db as Matrix, g.db)];
    }
    return { dx, dh0: carried, dWx, dWh, db };
  };
}

/** `rnn-step` and `rnn` with the reference forward and a slipped backward. */
export function rnnWithSlips(slips: RnnSlips): Record<'rnn-step' | 'rnn', RnnImpl> {
  return {
    'rnn-step': { forward: rnnStepForward, backward: slippedRnnStepBackward(slips) as RnnImpl['backward'] },
    rnn: { forward: rnnForward, backward: slippedRnnBackward(slips) as RnnImpl['backward'] },
  };
}
