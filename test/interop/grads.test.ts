/**
 * `*GradsToTorch` puts each gradient where PyTorch's autograd would: checked
 * against centered differences of the literal PyTorch forward taken with
 * respect to every entry of the PyTorch record itself (weight_ih, weight_hh,
 * bias_ih, bias_hh), so a transpose or a block swap cannot hide.
 */
import {
  Matrix,
  Tensor3,
  gruBackward,
  gruForward,
  lstmBackward,
  lstmForward,
  rnnBackward,
  rnnForward,
} from '../../src/index';
import {
  gruGradsToTorch,
  gruParamsFromTorch,
  lstmGradsToTorch,
  lstmParamsFromTorch,
  rnnGradsToTorch,
  rnnParamsFromTorch,
  type TorchWeights,
} from '../../src/interop/index';
import { normRelError, rng } from '../helpers/numeric';
import {
  randRows,
  randSeq,
  randTorch,
  runLstm,
  runPlain,
  torchGruStep,
  torchLstmStep,
  torchRnnStep,
} from './frameworks';

const FIELDS = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] as const;
const flat = (a: unknown[]): number[] => a.flat(2) as number[];

/** Centered differences of L(w) = Σ forward(w) ⊙ dout over every entry of one field of w. */
function numericTorchGrad(
  w: TorchWeights,
  field: (typeof FIELDS)[number],
  forward: () => number[],
  dout: number[],
): number[] {
  const eps = 1e-5;
  const loss = () => forward().reduce((s, v, i) => s + v * (dout[i] as number), 0);
  const value = w[field];
  const rows: number[][] = Array.isArray(value[0]) ? (value as number[][]) : [value as number[]];
  const grad: number[] = [];
  for (const row of rows) {
    for (let j = 0; j < row.length; j++) {
      const old = row[j]!;
      row[j] = old + eps;
      const plus = loss();
      row[j] = old - eps;
      const minus = loss();
      row[j] = old;
      grad.push((plus - minus) / (2 * eps));
    }
  }
  return grad;
}

function expectAutogradLayout(got: TorchWeights, w: TorchWeights, forward: () => number[], dout: number[]): void {
  for (const field of FIELDS) {
    const numeric = numericTorchGrad(w, field, forward, dout);
    const analytic = flat(got[field]);
    expect([field, analytic.length]).toEqual([field, numeric.length]);
    expect([field, normRelError(Float64Array.from(analytic), Float64Array.from(numeric)) < 1e-7]).toEqual([
      field,
      true,
    ]);
  }
}

const [N, T, D, H] = [2, 3, 3, 2];

test('lstmGradsToTorch: dweight_ih, dweight_hh, dbias_ih, dbias_hh as autograd reports them', () => {
  const r = rng(41);
  const w = randTorch(4, D, H, r);
  const xs = randSeq(N, T, D, r);
  const h0 = randRows(N, H, r);
  const c0 = randRows(N, H, r);
  const dout = randSeq(N, T, H, r);
  const { cache } = lstmForward(Tensor3.from(xs), Matrix.from(h0), lstmParamsFromTorch(w), Matrix.from(c0));
  const got = lstmGradsToTorch(lstmBackward(Tensor3.from(dout), cache));
  expectAutogradLayout(got, w, () => flat(runLstm((x, h, c) => torchLstmStep(w, x, h, c), xs, h0, c0).h), flat(dout));
  expect(got.bias_hh).toEqual(got.bias_ih); // the merged bias's gradient, once for each
  expect(got.bias_hh).not.toBe(got.bias_ih); // two arrays, not one shared
});

test('gruGradsToTorch: the two bias gradients differ (b_hn sits inside the reset product)', () => {
  const r = rng(42);
  const w = randTorch(3, D, H, r);
  const xs = randSeq(N, T, D, r);
  const h0 = randRows(N, H, r);
  const dout = randSeq(N, T, H, r);
  const { cache } = gruForward(Tensor3.from(xs), Matrix.from(h0), gruParamsFromTorch(w));
  const got = gruGradsToTorch(gruBackward(Tensor3.from(dout), cache));
  expectAutogradLayout(got, w, () => flat(runPlain((x, h) => torchGruStep(w, x, h), xs, h0)), flat(dout));
  // r and z blocks agree (both biases add before σ); the n block does not
  expect(got.bias_ih.slice(0, 2 * H)).toEqual(got.bias_hh.slice(0, 2 * H));
  expect(got.bias_ih.slice(2 * H)).not.toEqual(got.bias_hh.slice(2 * H));
});

test('rnnGradsToTorch: transposed weights, db for both biases', () => {
  const r = rng(43);
  const w = randTorch(1, D, H, r);
  const xs = randSeq(N, T, D, r);
  const h0 = randRows(N, H, r);
  const dout = randSeq(N, T, H, r);
  const { cache } = rnnForward(Tensor3.from(xs), Matrix.from(h0), rnnParamsFromTorch(w));
  const got = rnnGradsToTorch(rnnBackward(Tensor3.from(dout), cache));
  expectAutogradLayout(got, w, () => flat(runPlain((x, h) => torchRnnStep(w, x, h), xs, h0)), flat(dout));
  expect(got.bias_hh).toEqual(got.bias_ih);
});
