import fc from 'fast-check';
import { Matrix, ShapeError } from '../../src/index';
import { normRelError, relError } from '../../src/gradcheck/index';

describe('relError (cs231n)', () => {
  it('is max |a − n| / max(1e-8, |a| + |n|), worked by hand', () => {
    // coordinate 0: 0.1/2.1; coordinate 1: 0/4; coordinate 2: 1/3 → max 1/3
    expect(relError([1, 2, 1], [1.1, 2, 2])).toBeCloseTo(1 / 3, 15);
  });

  it('uses the 1e-8 floor on near-zero pairs, so a correct tiny coordinate can look bad', () => {
    expect(relError([1e-12], [3e-12])).toBeCloseTo(2e-4, 15);
    expect(relError([1, 2e-9], [1, 1e-9])).toBeCloseTo(1e-9 / 1e-8, 12);
  });

  it('accepts Matrix, typed and plain arrays alike', () => {
    expect(relError(Matrix.from([[1, 2]]), Float64Array.from([1, 2]))).toBe(0);
  });

  it('throws ShapeError naming b on a length mismatch', () => {
    expect(() => relError([1, 2], [1])).toThrow(ShapeError);
    expect(() => relError([1, 2], [1])).toThrow(/relError: a and b must hold as many values, got 2 and 1/);
  });

  it('throws TypeError naming a when a is not numbers', () => {
    expect(() => relError(5 as unknown as number[], [1])).toThrow(TypeError);
    expect(() => relError(5 as unknown as number[], [1])).toThrow(/relError: a must be/);
  });
});

describe('normRelError', () => {
  it('is ‖a − n‖ / (‖a‖ + ‖n‖), worked by hand', () => {
    // a = (3, 4): ‖a‖ = 5; n = (0, 0): → 5 / 5 = 1; a = (3, 4), n = (3, 0): ‖a−n‖ = 4, ‖n‖ = 3 → 4/8
    expect(normRelError([3, 4], [0, 0])).toBe(1);
    expect(normRelError([3, 4], [3, 0])).toBeCloseTo(0.5, 15);
  });

  it('does not flag a near-zero coordinate that relError flags', () => {
    const a = [1, 2e-9];
    const n = [1, 1e-9];
    expect(relError(a, n)).toBeGreaterThan(1e-2);
    expect(normRelError(a, n)).toBeLessThan(1e-9);
  });

  it('is 0 for two zero vectors (no division by zero)', () => {
    expect(normRelError([0, 0], [0, 0])).toBe(0);
  });

  it('throws ShapeError naming b on a length mismatch', () => {
    expect(() => normRelError([1], [1, 2])).toThrow(/normRelError: a and b must hold as many values/);
  });

  it('property: both errors lie in [0, 1] and vanish exactly when a = n', () => {
    const vec = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(vec, (a) => {
        const n = a.map((v, i) => (i % 2 === 0 ? v : -v + 1));
        for (const e of [relError(a, n), normRelError(a, n)]) {
          expect(e).toBeGreaterThanOrEqual(0);
          expect(e).toBeLessThanOrEqual(1 + 1e-15);
        }
        expect(relError(a, a)).toBe(0);
        expect(normRelError(a, a)).toBe(0);
      }),
    );
  });
});
