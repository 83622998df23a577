/**
 * The cs231n notebook convention end to end: weights laid out i|f|o|g as in
 * `rnn_layers.py`, c0 = 0, through lstmParamsFromCs231n + lstmForward. The
 * expected values are the ones printed in cs231n assignment 3's
 * LSTM_Captioning notebook (computed by the course's reference numpy code,
 * printed to 8 decimals), for its linspace inputs.
 */
import { Matrix, Tensor3, lstmBackward, lstmForward, lstmStepForward } from '../../src/index';
import { lstmParamsFromCs231n, lstmParamsToCs231n } from '../../src/interop/index';
import { normRelError, rng } from '../helpers/numeric';
import { cs231nLstmStep, linspace, randRows, randSeq, randVec, reshape2, reshape3, runLstm } from './frameworks';

const maxAbsDiff = (a: Float64Array, b: number[]): number =>
  b.reduce((w, v, i) => Math.max(w, Math.abs((a[i] as number) - v)), 0);

test('lstm_step_forward check of the notebook: next_h and next_c to the 8 printed decimals', () => {
  const [N, D, H] = [3, 4, 5];
  const x = reshape2(linspace(-0.4, 1.2, N * D), N, D);
  const prevH = reshape2(linspace(-0.3, 0.7, N * H), N, H);
  const prevC = reshape2(linspace(-0.4, 0.9, N * H), N, H);
  const w = {
    Wx: reshape2(linspace(-2.1, 1.3, 4 * D * H), D, 4 * H),
    Wh: reshape2(linspace(-0.7, 2.2, 4 * H * H), H, 4 * H),
    b: linspace(0.3, 0.7, 4 * H),
  };
  const { h, c } = lstmStepForward(Matrix.from(x), Matrix.from(prevH), Matrix.from(prevC), lstmParamsFromCs231n(w));
  const expectedH = [
    [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
    [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
    [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299],
  ];
  const expectedC = [
    [0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
    [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
    [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676],
  ];
  expect(maxAbsDiff(h.data, expectedH.flat())).toBeLessThan(1e-8);
  expect(maxAbsDiff(c.data, expectedC.flat())).toBeLessThan(1e-8);
});

test('lstm_forward check of the notebook (h0 given, c0 = 0 by default): every h_t to the 8 printed decimals', () => {
  const [N, D, H, T] = [2, 5, 4, 3];
  const x = reshape3(linspace(-0.4, 0.6, N * T * D), N, T, D);
  const h0 = reshape2(linspace(-0.4, 0.8, N * H), N, H);
  const w = {
    Wx: reshape2(linspace(-0.2, 0.9, 4 * D * H), D, 4 * H),
    Wh: reshape2(linspace(-0.3, 0.6, 4 * H * H), H, 4 * H),
    b: linspace(0.2, 0.7, 4 * H),
  };
  const { h } = lstmForward(Tensor3.from(x), Matrix.from(h0), lstmParamsFromCs231n(w));
  const expectedH = [
    [
      [0.01764008, 0.01823233, 0.01882671, 0.0194232],
      [0.11287491, 0.12146228, 0.13018446, 0.13902939],
      [0.31358768, 0.33338627, 0.35304453, 0.37250975],
    ],
    [
      [0.45767879, 0.4761092, 0.4936887, 0.51041945],
      [0.6704845, 0.69350089, 0.71486014, 0.7346449],
      [0.81733511, 0.83677871, 0.85403753, 0.86935314],
    ],
  ];
  expect(maxAbsDiff(h.data, expectedH.flat(2))).toBeLessThan(1e-8);
});

test(
  'lstm_backward in cs231n layout: gradients permuted back with lstmParamsToCs231n ' +
    'match centered differences of the cs231n forward',
  () => {
    const r = rng(231);
    const [N, D, T, H] = [2, 3, 4, 3];
    const xs = randSeq(N, T, D, r);
    const h0 = randRows(N, H, r);
    const w = { Wx: randRows(D, 4 * H, r), Wh: randRows(H, 4 * H, r), b: randVec(4 * H, r) };
    const doutSeq = randSeq(N, T, H, r);
    const dout = doutSeq.flat(2);
    const { cache } = lstmForward(Tensor3.from(xs), Matrix.from(h0), lstmParamsFromCs231n(w));
    const g = lstmBackward(Tensor3.from(doutSeq), cache);
    // the gradient of a weight has that weight's layout, so the same permutation applies
    const inCs231n = lstmParamsToCs231n({ Wx: g.dWx, Wh: g.dWh, b: g.db });
    const zeros = randRows(N, H, r, 0);
    const loss = () =>
      runLstm((x, h, c) => cs231nLstmStep(w, x, h, c), xs, h0, zeros)
        .h.flat(2)
        .reduce((s, v, i) => s + v * dout[i]!, 0);
    const numeric = (rows: number[][]): number[] =>
      rows.flatMap((row) =>
        row.map((old, j) => {
          row[j] = old + 1e-5;
          const plus = loss();
          row[j] = old - 1e-5;
          const minus = loss();
          row[j] = old;
          return (plus - minus) / 2e-5;
        }),
      );
    expect(normRelError(Float64Array.from(inCs231n.Wx.flat()), Float64Array.from(numeric(w.Wx)))).toBeLessThan(1e-7);
    expect(normRelError(Float64Array.from(inCs231n.Wh.flat()), Float64Array.from(numeric(w.Wh)))).toBeLessThan(1e-7);
    expect(normRelError(Float64Array.from(inCs231n.b), Float64Array.from(numeric([w.b])))).toBeLessThan(1e-7);
  },
);
