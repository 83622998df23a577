import fc from 'fast-check';
import * as math from 'mathjs';
import { Matrix, Tensor3 } from '../../src/index';
import { temporalAffineBackward, temporalAffineForward } from '../../src/layers/index';
import { normRelError, numericGrad, randMatrix, randTensor, relError, rng } from '../helpers/numeric';

describe('temporalAffineForward / temporalAffineBackward', () => {
  it('applies x·W + b at every step (fixed case)', () => {
    const x = Tensor3.from([
      [
        [1, 2],
        [0, 1],
      ],
    ]);
    const W = Matrix.from([
      [1, 0, 2],
      [0, 1, 1],
    ]);
    const b = Matrix.from([[10, 20, 30]]);
    expect(temporalAffineForward(x, W, b).out.toArray()).toEqual([
      [
        [11, 22, 34],
        [10, 21, 31],
      ],
    ]);
  });

  it('agrees with a literal mathjs x_t·W + b per step', () => {
    const rand = rng(3);
    const x = randTensor(2, 3, 4, rand);
    const W = randMatrix(4, 5, rand);
    const b = randMatrix(1, 5, rand);
    const { out } = temporalAffineForward(x, W, b);
    for (let n = 0; n < 2; n++) {
      for (let t = 0; t < 3; t++) {
        const want = math.add(math.multiply([x.toArray()[n]![t]!], W.toArray()), b.toArray()) as number[][];
        expect(normRelError(Float64Array.from(out.toArray()[n]![t]!), Float64Array.from(want[0]!))).toBeLessThan(1e-14);
      }
    }
  });

  it('matches centered differences for dx, dW, db', () => {
    const rand = rng(5);
    const x = randTensor(3, 4, 5, rand);
    const W = randMatrix(5, 6, rand);
    const b = randMatrix(1, 6, rand);
    const dout = randTensor(3, 4, 6, rand);
    const f = (): Float64Array => temporalAffineForward(x, W, b).out.data;
    const { dx, dW, db } = temporalAffineBackward(dout, temporalAffineForward(x, W, b).cache);
    expect(relError(dx.data, numericGrad(f, x.data, dout.data))).toBeLessThan(1e-7);
    expect(relError(dW.data, numericGrad(f, W.data, dout.data))).toBeLessThan(1e-7);
    expect(relError(db.data, numericGrad(f, b.data, dout.data))).toBeLessThan(1e-7);
  });

  it('property: gradients match finite differences over random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (N, T, D, M, seed) => {
          const rand = rng(seed);
          const x = randTensor(N, T, D, rand);
          const W = randMatrix(D, M, rand);
          const b = randMatrix(1, M, rand);
          const dout = randTensor(N, T, M, rand);
          const f = (): Float64Array => temporalAffineForward(x, W, b).out.data;
          const g = temporalAffineBackward(dout, temporalAffineForward(x, W, b).cache);
          return (
            normRelError(g.dx.data, numericGrad(f, x.data, dout.data)) < 1e-8 &&
            normRelError(g.dW.data, numericGrad(f, W.data, dout.data)) < 1e-8 &&
            normRelError(g.db.data, numericGrad(f, b.data, dout.data)) < 1e-8
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('does not mutate its inputs', () => {
    const rand = rng(8);
    const x = randTensor(2, 2, 3, rand);
    const W = randMatrix(3, 2, rand);
    const b = randMatrix(1, 2, rand);
    const dout = randTensor(2, 2, 2, rand);
    const before = [x.data.slice(), W.data.slice(), b.data.slice(), dout.data.slice()];
    temporalAffineBackward(dout, temporalAffineForward(x, W, b).cache);
    expect([x.data, W.data, b.data, dout.data]).toEqual(before);
  });

  it('rejects a W whose rows differ from D', () => {
    expect(() => temporalAffineForward(Tensor3.zeros(1, 2, 3), Matrix.zeros(4, 2), Matrix.zeros(1, 2))).toThrow(
      /temporalAffineForward: W must be D×M = 3×2 \(D = 3 from x, M = 2 from W's columns\), got 4×2/,
    );
  });

  it('rejects a b that is not 1×M', () => {
    expect(() => temporalAffineForward(Tensor3.zeros(1, 2, 3), Matrix.zeros(3, 2), Matrix.zeros(1, 3))).toThrow(
      /temporalAffineForward: b must be 1×M = 1×2 \(M = 2 from W\), got 1×3/,
    );
  });

  it('rejects an x that is not a Tensor3', () => {
    expect(() => temporalAffineForward(Matrix.zeros(2, 3) as never, Matrix.zeros(3, 2), Matrix.zeros(1, 2))).toThrow(
      /x must be a Tensor3/,
    );
  });

  it('rejects a dout of the wrong shape', () => {
    const { cache } = temporalAffineForward(Tensor3.zeros(1, 2, 3), Matrix.zeros(3, 2), Matrix.zeros(1, 2));
    expect(() => temporalAffineBackward(Tensor3.zeros(1, 2, 3), cache)).toThrow(
      new RegExp(
        /temporalAffineBackward: dout must be N×T×M = 1×2×2 \(the shape of out: N = 1, /.source +
          /T = 2 and M = 2 from the cache\), got 1×2×3/.source,
      ),
    );
  });

  it('rejects a cache that is not one', () => {
    expect(() => temporalAffineBackward(Tensor3.zeros(1, 1, 1), 42 as never)).toThrow(/cache must be/);
  });
});
