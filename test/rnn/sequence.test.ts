import { Matrix, ShapeError, Tensor3, rnnBackward, rnnForward, rnnStepBackward, rnnStepForward } from '../../src/index';
import { maxAbsDiff } from '../helpers/compare';
import { randMatrix, randTensor, rng } from '../helpers/numeric';

function setup(N = 3, T = 5, D = 10, H = 4, seed = 3) {
  const r = rng(seed);
  return {
    x: randTensor(N, T, D, r),
    h0: randMatrix(N, H, r),
    p: { Wx: randMatrix(D, H, r, 0.3), Wh: randMatrix(H, H, r, 0.3), b: randMatrix(1, H, r) },
    dh: randTensor(N, T, H, r),
  };
}

// Against the literal mathjs BPTT: test/reference/oracle.test.ts, for this kernel and its reference.
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
    expect(() => rnnForward(x, Matrix.zeros(3, 5), p)).toThrow(
      /rnnForward: h0 must be N×H = 2×5 \(N = 2 from x, H = 5 from Wh\), got 3×5/,
    );
  });
  test('Wx that does not match D → ShapeError naming Wx', () => {
    expect(() => rnnForward(x, h0, { ...p, Wx: Matrix.zeros(5, 5) })).toThrow(
      /rnnForward: Wx must be D×H = 4×5 \(D = 4 from x, H = 5 from Wh\), got 5×5/,
    );
  });
  test('x that is a Matrix, not a Tensor3 → TypeError naming x', () => {
    expect(() => rnnForward(Matrix.zeros(2, 4) as never, h0, p)).toThrow(TypeError);
    expect(() => rnnForward(Matrix.zeros(2, 4) as never, h0, p)).toThrow(/rnnForward: x must be a Tensor3/);
  });
  test('dh of the wrong shape → ShapeError naming dh', () => {
    const { cache } = rnnForward(x, h0, p);
    expect(() => rnnBackward(Tensor3.zeros(2, 4, 5), cache)).toThrow(
      /rnnBackward: dh must be N×T×H = 2×3×5 \(the shape of h: N = 2, T = 3 and H = 5 from the cache\), got 2×4×5/,
    );
  });
  test('a step cache passed to the sequence backward → TypeError naming rnnStepForward and rnnStepBackward', () => {
    const { cache } = rnnStepForward(x.step(0), h0, p);
    expect(() => rnnBackward(Tensor3.zeros(2, 3, 5), cache as never)).toThrow(
      new RegExp(
        /rnnBackward: cache is an rnnStepForward cache \(it has hPrev and h, no gates\); /.source +
          /pass it to rnnStepBackward — rnnBackward takes the cache of rnnForward/.source,
      ),
    );
  });
});
