/**
 * After conversion, handgrad's forward equals each framework's forward
 * written literally from its docs in its own layout (test/interop/frameworks.ts).
 */
import { Matrix, Tensor3, gruForward, lstmForward, rnnForward } from '../../src/index';
import {
  gruParamsFromTorch,
  lstmParamsFromCs231n,
  lstmParamsFromKeras,
  lstmParamsFromTorch,
  lstmParamsToCs231n,
  lstmParamsToKeras,
  lstmParamsToTorch,
  gruParamsToTorch,
  rnnParamsFromTorch,
  rnnParamsToTorch,
} from '../../src/interop/index';
import { randMatrix, rng } from '../helpers/numeric';
import {
  cs231nLstmStep,
  kerasLstmStep,
  randRows,
  randSeq,
  randTorch,
  randVec,
  runLstm,
  runPlain,
  torchGruStep,
  torchLstmStep,
  torchRnnStep,
  type Rows,
} from './frameworks';

function maxAbsDiff(a: Float64Array, b: number[]): number {
  expect(a.length).toBe(b.length);
  return b.reduce((w, v, i) => Math.max(w, Math.abs((a[i] as number) - v)), 0);
}
const flat = (a: number[][][] | Rows): number[] => (a as unknown[]).flat(2) as number[];

const shapes = [
  { N: 3, T: 5, D: 10, H: 4 },
  { N: 1, T: 1, D: 1, H: 1 },
  { N: 2, T: 4, D: 3, H: 6 },
];

describe.each(shapes)('N=$N T=$T D=$D H=$H', ({ N, T, D, H }) => {
  const r = rng(100 + N * 7 + T * 5 + D * 3 + H);
  const xs = randSeq(N, T, D, r);
  const x = Tensor3.from(xs);
  const h0 = randRows(N, H, r);
  const c0 = randRows(N, H, r);

  test(
    'PyTorch nn.LSTM (i|f|g|o, weight_ih 4H×D, two biases) = ' +
      'lstmForward ∘ lstmParamsFromTorch, h and c_T to 1e-12',
    () => {
      const w = randTorch(4, D, H, r);
      const want = runLstm((xt, h, c) => torchLstmStep(w, xt, h, c), xs, h0, c0);
      const got = lstmForward(x, Matrix.from(h0), lstmParamsFromTorch(w), Matrix.from(c0));
      expect(maxAbsDiff(got.h.data, flat(want.h))).toBeLessThan(1e-12);
      expect(maxAbsDiff(got.c.data, flat(want.c))).toBeLessThan(1e-12);
    },
  );

  test('PyTorch nn.GRU (r|z|n, b_hn inside the reset product) = gruForward ∘ gruParamsFromTorch, to 1e-12', () => {
    const w = randTorch(3, D, H, r);
    const want = runPlain((xt, h) => torchGruStep(w, xt, h), xs, h0);
    const got = gruForward(x, Matrix.from(h0), gruParamsFromTorch(w));
    expect(maxAbsDiff(got.h.data, flat(want))).toBeLessThan(1e-12);
  });

  test('PyTorch nn.RNN (tanh) = rnnForward ∘ rnnParamsFromTorch, to 1e-12', () => {
    const w = randTorch(1, D, H, r);
    const want = runPlain((xt, h) => torchRnnStep(w, xt, h), xs, h0);
    const got = rnnForward(x, Matrix.from(h0), rnnParamsFromTorch(w));
    expect(maxAbsDiff(got.h.data, flat(want))).toBeLessThan(1e-12);
  });

  test('cs231n lstm_forward (i|f|o|g, c0 = 0) = lstmForward ∘ lstmParamsFromCs231n, default c0, to 1e-12', () => {
    const w = {
      Wx: randRows(D, 4 * H, r, 1 / Math.sqrt(D)),
      Wh: randRows(H, 4 * H, r, 1 / Math.sqrt(H)),
      b: randVec(4 * H, r, 0.5),
    };
    const zeros = randRows(N, H, r, 0);
    const want = runLstm((xt, h, c) => cs231nLstmStep(w, xt, h, c), xs, h0, zeros);
    const got = lstmForward(x, Matrix.from(h0), lstmParamsFromCs231n(w));
    expect(maxAbsDiff(got.h.data, flat(want.h))).toBeLessThan(1e-12);
  });
  test('Keras LSTM (i|f|c|o, kernel D×4H) = lstmForward ∘ lstmParamsFromKeras, to 1e-12', () => {
    const w = {
      kernel: randRows(D, 4 * H, r, 1 / Math.sqrt(D)),
      recurrent_kernel: randRows(H, 4 * H, r, 1 / Math.sqrt(H)),
      bias: randVec(4 * H, r, 0.5),
    };
    const want = runLstm((xt, h, c) => kerasLstmStep(w, xt, h, c), xs, h0, c0);
    const got = lstmForward(x, Matrix.from(h0), lstmParamsFromKeras(w), Matrix.from(c0));
    expect(maxAbsDiff(got.h.data, flat(want.h))).toBeLessThan(1e-12);
    expect(maxAbsDiff(got.c.data, flat(want.c))).toBeLessThan(1e-12);
  });
});

test('the witnesses can tell gate orders apart: the wrong converter gives a different forward', () => {
  const r = rng(77);
  const [N, T, D, H] = [2, 3, 4, 3];
  const xs = randSeq(N, T, D, r);
  const h0 = randRows(N, H, r);
  const c0 = randRows(N, H, r, 0);
  const w = { Wx: randRows(D, 4 * H, r), Wh: randRows(H, 4 * H, r), b: randVec(4 * H, r) };
  const cs231n = runLstm((xt, h, c) => cs231nLstmStep(w, xt, h, c), xs, h0, c0);
  // the same arrays read as Keras weights (i|f|c|o): o and g swapped
  const asKeras = lstmForward(
    Tensor3.from(xs),
    Matrix.from(h0),
    lstmParamsFromKeras({ kernel: w.Wx, recurrent_kernel: w.Wh, bias: w.b }),
  );
  expect(maxAbsDiff(asKeras.h.data, flat(cs231n.h))).toBeGreaterThan(1e-3);
});

test(
  'the other direction: handgrad params exported with *ParamsTo* ' +
    "drive each framework's equations to the same outputs",
  () => {
    const r = rng(78);
    const [N, T, D, H] = [2, 4, 3, 5];
    const xs = randSeq(N, T, D, r);
    const x = Tensor3.from(xs);
    const h0 = randRows(N, H, r);
    const c0 = randRows(N, H, r);
    const zeros = randRows(N, H, r, 0);
    const lstmP = { Wx: randMatrix(D, 4 * H, r), Wh: randMatrix(H, 4 * H, r), b: randMatrix(1, 4 * H, r) };
    const gruP = {
      Wx: randMatrix(D, 3 * H, r),
      Wh: randMatrix(H, 3 * H, r),
      bx: randMatrix(1, 3 * H, r),
      bh: randMatrix(1, 3 * H, r),
    };
    const rnnP = { Wx: randMatrix(D, H, r), Wh: randMatrix(H, H, r), b: randMatrix(1, H, r) };
    const lstmOut = lstmForward(x, Matrix.from(h0), lstmP, Matrix.from(c0));
    const torchW = lstmParamsToTorch(lstmP);
    expect(
      maxAbsDiff(lstmOut.h.data, flat(runLstm((xt, h, c) => torchLstmStep(torchW, xt, h, c), xs, h0, c0).h)),
    ).toBeLessThan(1e-12);
    const kerasW = lstmParamsToKeras(lstmP);
    expect(
      maxAbsDiff(lstmOut.h.data, flat(runLstm((xt, h, c) => kerasLstmStep(kerasW, xt, h, c), xs, h0, c0).h)),
    ).toBeLessThan(1e-12);
    const csW = lstmParamsToCs231n(lstmP);
    const lstmFromZero = lstmForward(x, Matrix.from(h0), lstmP);
    expect(
      maxAbsDiff(lstmFromZero.h.data, flat(runLstm((xt, h, c) => cs231nLstmStep(csW, xt, h, c), xs, h0, zeros).h)),
    ).toBeLessThan(1e-12);
    const gruW = gruParamsToTorch(gruP);
    expect(
      maxAbsDiff(
        gruForward(x, Matrix.from(h0), gruP).h.data,
        flat(runPlain((xt, h) => torchGruStep(gruW, xt, h), xs, h0)),
      ),
    ).toBeLessThan(1e-12);
    const rnnW = rnnParamsToTorch(rnnP);
    expect(
      maxAbsDiff(
        rnnForward(x, Matrix.from(h0), rnnP).h.data,
        flat(runPlain((xt, h) => torchRnnStep(rnnW, xt, h), xs, h0)),
      ),
    ).toBeLessThan(1e-12);
  },
);
