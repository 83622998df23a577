import { Matrix, ShapeError, Tensor3, rnnBackward, rnnForward, rnnStepBackward, rnnStepForward } from '../../src/index';
import { maxAbsDiff } from '../helpers/compare';
import { randMatrix, randTensor, rng } from '../helpers/numeric';
import { math, rnnStepBackOracle, rnnStepOracle, stackTime, stepOf, toM } from '../helpers/oracle';

function setup(N = 3, T = 5, D = 10, H = 4, seed = 3) {
  const r = rng(seed);
  return {
    x: randTensor(N, T, D, r),
    h0: randMatrix(N, H, r),
    p: { Wx: randMatrix(D, H, r, 0.3), Wh: randMatrix(H, H, r, 0.3), b: randMatrix(1, H, r) },
    dh: randTensor(N, T, H, r),
  };
}

describe('rnnForward / rnnBackward against literal mathjs BPTT', () => {
  test('forward and every gradient agree to 1e-12', () => {
    const { x, h0, p, dh } = setup();
    const [, T] = x.dims;
    const mp = { Wx: toM(p.Wx), Wh: toM(p.Wh), b: toM(p.b) };
    const hs: math.Matrix[] = [];
    let hPrev = toM(h0);
    for (let t = 0; t < T; t++) hs.push((hPrev = rnnStepOracle(stepOf(x, t), hPrev, mp)));
    const { h, cache } = rnnForward(x, h0, p);
    expect(maxAbsDiff(h, stackTime(hs).toArray())).toBeLessThan(1e-12);

    let carried = math.zeros(h0.rows, h0.cols) as math.Matrix;
    let dWx = math.zeros(p.Wx.rows, p.Wx.cols) as math.Matrix;
    let dWh = math.zeros(p.Wh.rows, p.Wh.cols) as math.Matrix;
    let db = math.zeros(1, p.b.cols) as math.Matrix;
    const dxs: math.Matrix[] = [];
    for (let t = T - 1; t >= 0; t--) {
      const g = math.add(stepOf(dh, t), carried) as math.Matrix;
      const o = rnnStepBackOracle(g, stepOf(x, t), t === 0 ? toM(h0) : hs[t - 1]!, hs[t]!, mp);
      dxs.unshift(o.dx);
      carried = o.dhPrev;
      dWx = math.add(dWx, o.dWx) as math.Matrix;
      dWh = math.add(dWh, o.dWh) as math.Matrix;
      db = math.add(db, o.db) as math.Matrix;
    }
    const grads = rnnBackward(dh, cache);
    expect(maxAbsDiff(grads.dx, stackTime(dxs).toArray())).toBeLessThan(1e-12);
    expect(maxAbsDiff(grads.dh0, carried)).toBeLessThan(1e-12);
    expect(maxAbsDiff(grads.dWx, dWx)).toBeLessThan(1e-12);
    expect(maxAbsDiff(grads.dWh, dWh)).toBeLessThan(1e-12);
    expect(maxAbsDiff(grads.db, db)).toBeLessThan(1e-12);
  });
});

describe('rnnForward / rnnBackward are the step in a loop', () => {
  test('T = 1 equals one step, forward and backward (to rounding: the sequence sums x·W_x + b before h·W_h)', () => {
    const { x, h0, p, dh } = setup(2, 1, 3, 4);
    const seq = rnnForward(x, h0, p);
    const step = rnnStepForward(x.step(0), h0, p);
    expect(maxAbsDiff(seq.h, step.h.toArray())).toBeLessThan(1e-14);
    const gs = rnnBackward(dh, seq.cache);
    const g1 = rnnStepBackward(dh.step(0), step.cache);
    expect(maxAbsDiff(gs.dx, g1.dx.toArray())).toBeLessThan(1e-14);
    expect(maxAbsDiff(gs.dh0, g1.dhPrev.toArray())).toBeLessThan(1e-14);
    for (const k of ['dWx', 'dWh', 'db'] as const) expect(maxAbsDiff(gs[k], g1[k].toArray())).toBeLessThan(1e-14);
  });

  test('editing the returned h does not change the backward pass', () => {
    const { x, h0, p, dh } = setup(2, 3, 2, 3);
    const { h, cache } = rnnForward(x, h0, p);
    const before = rnnBackward(dh, cache);
    h.data.fill(123);
    expect(Array.from(rnnBackward(dh, cache).dWh.data)).toEqual(Array.from(before.dWh.data));
  });
});

describe('rnnForward / rnnBackward: bad input', () => {
  const { x, h0, p } = setup(2, 3, 4, 5);
  test('h0 with the wrong batch size → ShapeError naming h0', () => {
    expect(() => rnnForward(x, Matrix.zeros(3, 5), p)).toThrow(ShapeError);
    expect(() => rnnForward(x, Matrix.zeros(3, 5), p)).toThrow(/rnnForward: h0 must be 2×5 \(N×H, N=2 from x\), got 3×5/);
  });
  test('Wx that does not match D → ShapeError naming Wx', () => {
    expect(() => rnnForward(x, h0, { ...p, Wx: Matrix.zeros(5, 5) })).toThrow(/rnnForward: Wx must be 4×5/);
  });
  test('x that is a Matrix, not a Tensor3 → TypeError naming x', () => {
    expect(() => rnnForward(Matrix.zeros(2, 4) as never, h0, p)).toThrow(TypeError);
    expect(() => rnnForward(Matrix.zeros(2, 4) as never, h0, p)).toThrow(/rnnForward: x must be a Tensor3/);
  });
  test('dh of the wrong shape → ShapeError naming dh', () => {
    const { cache } = rnnForward(x, h0, p);
    expect(() => rnnBackward(Tensor3.zeros(2, 4, 5), cache)).toThrow(/rnnBackward: dh must be 2×3×5/);
  });
  test('a step cache passed to the sequence backward → TypeError naming cache.x', () => {
    const { cache } = rnnStepForward(x.step(0), h0, p);
    expect(() => rnnBackward(Tensor3.zeros(2, 3, 5), cache as never)).toThrow(/rnnBackward: cache\.x must be a Tensor3/);
  });
});
