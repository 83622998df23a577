import {
  Matrix,
  ShapeError,
  Tensor3,
  lstmBackward,
  lstmForward,
  lstmStepBackward,
  lstmStepForward,
} from '../../src/index';
import { maxAbsDiff } from '../helpers/compare';
import { randMatrix, randTensor, rng } from '../helpers/numeric';

function setup(N = 3, T = 5, D = 10, H = 4, seed = 5) {
  const r = rng(seed);
  return {
    x: randTensor(N, T, D, r),
    h0: randMatrix(N, H, r),
    c0: randMatrix(N, H, r),
    p: { Wx: randMatrix(D, 4 * H, r, 0.3), Wh: randMatrix(H, 4 * H, r, 0.3), b: randMatrix(1, 4 * H, r) },
    dh: randTensor(N, T, H, r),
    dcT: randMatrix(N, H, r),
  };
}

// Against the literal mathjs BPTT: test/reference/oracle.test.ts, for this kernel and its reference.
describe('lstmForward / lstmBackward are the step in a loop', () => {
  test('c0 and dcT default to zeros', () => {
    const { x, h0, p, dh } = setup(2, 3, 2, 3);
    const zeros = Matrix.zeros(2, 3);
    const a = lstmForward(x, h0, p);
    const b = lstmForward(x, h0, p, zeros);
    expect(maxAbsDiff(a.h, b.h.toArray())).toBeLessThan(1e-14);
    expect(Array.from(lstmBackward(dh, a.cache).dWh.data)).toEqual(
      Array.from(lstmBackward(dh, b.cache, zeros).dWh.data),
    );
  });

  test('T = 1 equals one step, forward and backward (to rounding: the sequence sums x·W_x + b before h·W_h)', () => {
    const { x, h0, c0, p, dh, dcT } = setup(2, 1, 3, 4);
    const seq = lstmForward(x, h0, p, c0);
    const step = lstmStepForward(x.step(0), h0, c0, p);
    expect(maxAbsDiff(seq.h, step.h.toArray())).toBeLessThan(1e-14);
    expect(maxAbsDiff(seq.c, step.c.toArray())).toBeLessThan(1e-14);
    const gs = lstmBackward(dh, seq.cache, dcT);
    const g1 = lstmStepBackward(dh.step(0), dcT, step.cache);
    expect(maxAbsDiff(gs.dx, g1.dx.toArray())).toBeLessThan(1e-14);
    expect(maxAbsDiff(gs.dh0, g1.dhPrev.toArray())).toBeLessThan(1e-14);
    expect(maxAbsDiff(gs.dc0, g1.dcPrev.toArray())).toBeLessThan(1e-14);
    for (const k of ['dWx', 'dWh', 'db'] as const) expect(maxAbsDiff(gs[k], g1[k].toArray())).toBeLessThan(1e-14);
  });

  test('dcT is not mutated by the backward pass', () => {
    const { x, h0, p, dh, dcT } = setup(2, 3, 2, 3);
    const before = dcT.data.slice();
    lstmBackward(dh, lstmForward(x, h0, p).cache, dcT);
    expect(Array.from(dcT.data)).toEqual(Array.from(before));
  });
});

describe('lstmForward / lstmBackward: bad input', () => {
  const { x, h0, p } = setup(2, 3, 4, 5);
  test('c0 of the wrong shape → ShapeError naming c0', () => {
    expect(() => lstmForward(x, h0, p, Matrix.zeros(2, 4))).toThrow(ShapeError);
    expect(() => lstmForward(x, h0, p, Matrix.zeros(2, 4))).toThrow(
      /lstmForward: c0 must be N×H = 2×5 \(N = 2 from x, H = 5 from Wh\), got 2×4/,
    );
  });
  test('Wh of the wrong shape → ShapeError naming Wh with the H×4H hint', () => {
    expect(() => lstmForward(x, h0, { ...p, Wh: Matrix.zeros(5, 16) })).toThrow(
      "lstmForward: Wh must be H×4H = 5×20 (H = 5 from Wx's columns / 4), got 5×16",
    );
  });
  test('h0 with the wrong batch size → ShapeError naming h0', () => {
    expect(() => lstmForward(x, Matrix.zeros(1, 5), p)).toThrow(
      /lstmForward: h0 must be N×H = 2×5 \(N = 2 from x, H = 5 from Wh\), got 1×5/,
    );
  });
  test('dh of the wrong shape → ShapeError naming dh', () => {
    const { cache } = lstmForward(x, h0, p);
    expect(() => lstmBackward(Tensor3.zeros(2, 3, 4), cache)).toThrow(
      /lstmBackward: dh must be N×T×H = 2×3×5 \(the shape of h: N = 2, T = 3 and H = 5 from the cache\), got 2×3×4/,
    );
  });
  test('dcT of the wrong shape → ShapeError naming dcT', () => {
    const { cache } = lstmForward(x, h0, p);
    expect(() => lstmBackward(Tensor3.zeros(2, 3, 5), cache, Matrix.zeros(3, 5))).toThrow(
      /lstmBackward: dcT must be N×H = 2×5 \(the shape of c: N = 2 and H = 5 from the cache\), got 3×5/,
    );
  });
  test('a cache with a truncated gates buffer → RangeError naming cache.gates', () => {
    const { cache } = lstmForward(x, h0, p);
    const bad = { ...cache, gates: new Float64Array(3) };
    expect(() => lstmBackward(Tensor3.zeros(2, 3, 5), bad)).toThrow(RangeError);
    expect(() => lstmBackward(Tensor3.zeros(2, 3, 5), bad)).toThrow(/cache\.gates must hold 120 values/);
  });
});
