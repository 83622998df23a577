import { LSTM_GATE_ORDER, Matrix, ShapeError, lstmStepBackward, lstmStepForward } from '../../src/index';
import { maxAbsDiff } from '../helpers/compare';
import { randMatrix, rng } from '../helpers/numeric';
import { lstmStepBackOracle, lstmStepOracle, toM } from '../helpers/oracle';

function setup(N = 3, D = 10, H = 4, seed = 11) {
  const r = rng(seed);
  const x = randMatrix(N, D, r);
  const hPrev = randMatrix(N, H, r);
  const cPrev = randMatrix(N, H, r);
  const p = { Wx: randMatrix(D, 4 * H, r, 0.3), Wh: randMatrix(H, 4 * H, r, 0.3), b: randMatrix(1, 4 * H, r) };
  return { x, hPrev, cPrev, p, dh: randMatrix(N, H, r), dcNext: randMatrix(N, H, r) };
}
const mparams = (p: { Wx: Matrix; Wh: Matrix; b: Matrix }) => ({ Wx: toM(p.Wx), Wh: toM(p.Wh), b: toM(p.b) });

test('the gate order is the notes’ f, i, g, o', () => {
  expect(LSTM_GATE_ORDER).toEqual(['f', 'i', 'g', 'o']);
});

describe('lstmStepForward / lstmStepBackward against the literal mathjs formulas', () => {
  test('forward h and c agree to 1e-12', () => {
    const { x, hPrev, cPrev, p } = setup();
    const { h, c } = lstmStepForward(x, hPrev, cPrev, p);
    const o = lstmStepOracle(toM(x), toM(hPrev), toM(cPrev), mparams(p));
    expect(maxAbsDiff(h, o.h)).toBeLessThan(1e-12);
    expect(maxAbsDiff(c, o.c)).toBeLessThan(1e-12);
  });

  test('every gradient agrees to 1e-12, including the carried dc_next term', () => {
    const { x, hPrev, cPrev, p, dh, dcNext } = setup();
    const { cache } = lstmStepForward(x, hPrev, cPrev, p);
    const g = lstmStepBackward(dh, dcNext, cache);
    const o = lstmStepBackOracle(toM(dh), toM(dcNext), toM(x), toM(hPrev), toM(cPrev), mparams(p));
    for (const k of ['dx', 'dhPrev', 'dcPrev', 'dWx', 'dWh', 'db'] as const) {
      expect(maxAbsDiff(g[k], o[k])).toBeLessThan(1e-12);
    }
  });

  test('the forget-gate block of b really is the first: a large b_f keeps c_{t−1}', () => {
    const H = 2;
    const b = Matrix.zeros(1, 4 * H);
    b.data.fill(-50, H, 2 * H); // i ≈ 0: nothing written
    b.data.fill(50, 0, H); // f ≈ 1: everything kept
    const p = { Wx: Matrix.zeros(1, 4 * H), Wh: Matrix.zeros(H, 4 * H), b };
    const cPrev = Matrix.from([[0.25, -0.5]]);
    const { c } = lstmStepForward(Matrix.zeros(1, 1), Matrix.zeros(1, H), cPrev, p);
    expect(maxAbsDiff(c, [[0.25, -0.5]])).toBeLessThan(1e-15);
  });
});

describe('lstmStepForward / lstmStepBackward: numerics', () => {
  test('pre-activations of ±1e3 give finite outputs and gradients', () => {
    const { x, hPrev, cPrev, p, dh, dcNext } = setup(2, 3, 2);
    const big = { Wx: p.Wx.clone(), Wh: p.Wh.clone(), b: p.b.clone() };
    for (let k = 0; k < big.b.data.length; k++) big.b.data[k] = k % 2 === 0 ? 1e3 : -1e3;
    const { h, c, cache } = lstmStepForward(x, hPrev, cPrev, big);
    expect([...h.data, ...c.data].every(Number.isFinite)).toBe(true);
    const g = lstmStepBackward(dh, dcNext, cache);
    for (const v of Object.values(g)) expect(v.data.every(Number.isFinite)).toBe(true);
  });

  test('a NaN in one example row of cPrev reaches only that row of h, c and dx', () => {
    const { x, hPrev, cPrev, p, dh, dcNext } = setup(3, 4, 2);
    cPrev.data[2 * 2 + 1] = NaN; // example n = 2
    const { h, c, cache } = lstmStepForward(x, hPrev, cPrev, p);
    const g = lstmStepBackward(dh, dcNext, cache);
    const nanRows = (m: Matrix) => m.toArray().map((row) => row.some(Number.isNaN));
    expect(nanRows(h)).toEqual([false, false, true]);
    expect(nanRows(c)).toEqual([false, false, true]);
    expect(nanRows(g.dx)).toEqual([false, false, true]);
    expect(nanRows(g.dcPrev)).toEqual([false, false, true]);
  });
});

describe('lstmStepForward: bad input', () => {
  const { x, hPrev, cPrev, p } = setup(2, 3, 5);
  test.each([
    ['Wx', { ...p, Wx: Matrix.zeros(3, 16) }, 'Wx must be D×4H = 3×20 (D = 3 from x, H = 5 from Wh), got 3×16'],
    ['Wh', { ...p, Wh: Matrix.zeros(5, 16) }, "Wh must be H×4H = 5×20 (H = 5 from Wx's columns / 4), got 5×16"],
    ['b', { ...p, b: Matrix.zeros(1, 5) }, 'b must be 1×4H = 1×20 (H = 5 from Wh), got 1×5'],
  ])('wrong %s shape → ShapeError naming it', (_name, params, message) => {
    expect(() => lstmStepForward(x, hPrev, cPrev, params)).toThrow(ShapeError);
    expect(() => lstmStepForward(x, hPrev, cPrev, params)).toThrow(`lstmStepForward: ${message}`);
  });
  test('cPrev of the wrong shape → ShapeError naming cPrev', () => {
    expect(() => lstmStepForward(x, hPrev, Matrix.zeros(2, 4), p)).toThrow(
      /lstmStepForward: cPrev must be N×H = 2×5 \(N = 2 from x, H = 5 from Wh\), got 2×4/,
    );
  });
  test('hPrev with another batch size → ShapeError naming hPrev', () => {
    expect(() => lstmStepForward(x, Matrix.zeros(1, 5), cPrev, p)).toThrow(
      /lstmStepForward: hPrev must be N×H = 2×5 \(N = 2 from x, H = 5 from Wh\), got 1×5/,
    );
  });
  test('a number for x → TypeError naming x', () => {
    expect(() => lstmStepForward(3 as never, hPrev, cPrev, p)).toThrow(TypeError);
    expect(() => lstmStepForward(3 as never, hPrev, cPrev, p)).toThrow(/lstmStepForward: x must be a Matrix/);
  });
});

describe('lstmStepBackward: bad input', () => {
  const { x, hPrev, cPrev, p } = setup(2, 3, 5);
  const { cache } = lstmStepForward(x, hPrev, cPrev, p);
  test('dh of the wrong shape → ShapeError naming dh', () => {
    expect(() => lstmStepBackward(Matrix.zeros(5, 2), Matrix.zeros(2, 5), cache)).toThrow(
      /lstmStepBackward: dh must be N×H = 2×5 \(the shape of h: N = 2 and H = 5 from the cache\), got 5×2/,
    );
  });
  test('dcNext of the wrong shape → ShapeError naming dcNext', () => {
    expect(() => lstmStepBackward(Matrix.zeros(2, 5), Matrix.zeros(2, 6), cache)).toThrow(ShapeError);
    expect(() => lstmStepBackward(Matrix.zeros(2, 5), Matrix.zeros(2, 6), cache)).toThrow(
      /lstmStepBackward: dcNext must be N×H = 2×5 \(the shape of c: N = 2 and H = 5 from the cache\), got 2×6/,
    );
  });
  test('a cache with a wrong gates block → ShapeError naming cache.gates', () => {
    const bad = { ...cache, gates: Matrix.zeros(2, 19) };
    expect(() => lstmStepBackward(Matrix.zeros(2, 5), Matrix.zeros(2, 5), bad)).toThrow(
      /lstmStepBackward: cache\.gates must be N×4H = 2×20 \(N = 2 from cache\.x, H = 5 from cache\.hPrev\), got 2×19/,
    );
  });
});
