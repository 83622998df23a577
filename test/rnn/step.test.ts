import { Matrix, ShapeError, rnnStepBackward, rnnStepForward } from '../../src/index';
import { maxAbsDiff } from '../helpers/compare';
import { randMatrix, rng } from '../helpers/numeric';
import { rnnStepBackOracle, rnnStepOracle, toM } from '../helpers/oracle';

function setup(N = 3, D = 10, H = 4, seed = 7) {
  const r = rng(seed);
  const x = randMatrix(N, D, r);
  const hPrev = randMatrix(N, H, r);
  const p = { Wx: randMatrix(D, H, r, 0.3), Wh: randMatrix(H, H, r, 0.3), b: randMatrix(1, H, r) };
  return { x, hPrev, p, dh: randMatrix(N, H, r) };
}

describe('rnnStepForward / rnnStepBackward against the literal mathjs formulas', () => {
  test('forward h = tanh(h_{t−1}W_h + x_tW_x + e_N b) agrees to 1e-12', () => {
    const { x, hPrev, p } = setup();
    const { h } = rnnStepForward(x, hPrev, p);
    const mp = { Wx: toM(p.Wx), Wh: toM(p.Wh), b: toM(p.b) };
    expect(maxAbsDiff(h, rnnStepOracle(toM(x), toM(hPrev), mp))).toBeLessThan(1e-12);
  });

  test('every gradient agrees to 1e-12', () => {
    const { x, hPrev, p, dh } = setup();
    const { h, cache } = rnnStepForward(x, hPrev, p);
    const g = rnnStepBackward(dh, cache);
    const mp = { Wx: toM(p.Wx), Wh: toM(p.Wh), b: toM(p.b) };
    const o = rnnStepBackOracle(toM(dh), toM(x), toM(hPrev), toM(h), mp);
    expect(maxAbsDiff(g.dx, o.dx)).toBeLessThan(1e-12);
    expect(maxAbsDiff(g.dhPrev, o.dhPrev)).toBeLessThan(1e-12);
    expect(maxAbsDiff(g.dWx, o.dWx)).toBeLessThan(1e-12);
    expect(maxAbsDiff(g.dWh, o.dWh)).toBeLessThan(1e-12);
    expect(maxAbsDiff(g.db, o.db)).toBeLessThan(1e-12);
  });
});

describe('rnnStepForward / rnnStepBackward: numerics', () => {
  test('pre-activations of ±1e3 give h = ±1 and finite gradients', () => {
    const x = Matrix.from([[1], [-1]]);
    const p = { Wx: Matrix.from([[1e3]]), Wh: Matrix.from([[0]]), b: Matrix.from([[0]]) };
    const { h, cache } = rnnStepForward(x, Matrix.zeros(2, 1), p);
    expect(h.toArray()).toEqual([[1], [-1]]);
    const g = rnnStepBackward(Matrix.from([[1], [1]]), cache);
    for (const v of [g.dx, g.dhPrev, g.dWx, g.dWh, g.db]) expect(v.data.every(Number.isFinite)).toBe(true);
  });

  test('a NaN in one example row reaches only that row of h and dx', () => {
    const { x, hPrev, p, dh } = setup(3, 4, 2);
    x.data[1 * 4 + 2] = NaN; // example n = 1
    const { h, cache } = rnnStepForward(x, hPrev, p);
    const g = rnnStepBackward(dh, cache);
    const rowHasNaN = (m: Matrix, i: number) => m.toArray()[i]!.some(Number.isNaN);
    expect([0, 1, 2].map((i) => rowHasNaN(h, i))).toEqual([false, true, false]);
    expect([0, 1, 2].map((i) => rowHasNaN(g.dx, i))).toEqual([false, true, false]);
    expect([0, 1, 2].map((i) => rowHasNaN(g.dhPrev, i))).toEqual([false, true, false]);
  });
});

describe('rnnStepForward: bad input', () => {
  const { x, hPrev, p } = setup(2, 3, 5);
  test.each([
    ['Wx', { ...p, Wx: Matrix.zeros(4, 5) }, 'Wx must be D×H = 3×5 (D = 3 from x, H = 5 from Wh), got 4×5'],
    ['Wh', { ...p, Wh: Matrix.zeros(5, 4) }, "Wh must be H×H = 5×5 (H = 5 from Wx's columns), got 5×4"],
    ['b', { ...p, b: Matrix.zeros(5, 1) }, 'b must be 1×H = 1×5 (H = 5 from Wh), got 5×1'],
  ])('wrong %s shape → ShapeError naming it', (_name, params, message) => {
    expect(() => rnnStepForward(x, hPrev, params)).toThrow(ShapeError);
    expect(() => rnnStepForward(x, hPrev, params)).toThrow(`rnnStepForward: ${message}`);
  });
  test('hPrev with another batch size → ShapeError naming hPrev', () => {
    expect(() => rnnStepForward(x, Matrix.zeros(3, 5), p)).toThrow(
      /rnnStepForward: hPrev must be N×H = 2×5 \(N = 2 from x, H = 5 from Wh\), got 3×5/,
    );
  });
  test('a plain array for x → TypeError naming x', () => {
    expect(() => rnnStepForward([[1, 2, 3]] as unknown as Matrix, hPrev, p)).toThrow(TypeError);
    expect(() => rnnStepForward([[1, 2, 3]] as unknown as Matrix, hPrev, p)).toThrow(/x must be a Matrix/);
  });
  test('missing params → TypeError naming p', () => {
    expect(() => rnnStepForward(x, hPrev, undefined as never)).toThrow(/rnnStepForward: p must be an RnnParams/);
  });
});

describe('rnnStepBackward: bad input', () => {
  const { x, hPrev, p } = setup(2, 3, 5);
  const { cache } = rnnStepForward(x, hPrev, p);
  test('dh of the wrong shape → ShapeError naming dh', () => {
    expect(() => rnnStepBackward(Matrix.zeros(2, 4), cache)).toThrow(ShapeError);
    expect(() => rnnStepBackward(Matrix.zeros(2, 4), cache)).toThrow(
      'rnnStepBackward: dh must be N×H = 2×5 (the shape of h: N = 2 and H = 5 from the cache), got 2×4',
    );
  });
  test('something that is not a cache → TypeError naming cache', () => {
    expect(() => rnnStepBackward(Matrix.zeros(2, 5), null as never)).toThrow(/rnnStepBackward: cache must be/);
    expect(() => rnnStepBackward(Matrix.zeros(2, 5), {} as never)).toThrow(/cache\.x must be a Matrix/);
  });
});
