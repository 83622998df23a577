import fc from 'fast-check';
import { sampleIndices, seededUniform } from '../../src/gradcheck/random';
import { evalShape, formatShape } from '../../src/gradcheck/shapes';

const sizes = { N: 3, T: 5, D: 10, H: 4 };

describe('evalShape', () => {
  it.each([
    ['N×D', [3, 10]],
    ['D×4H', [10, 16]],
    ['1×3H', [1, 12]],
    ['N×T×D', [3, 5, 10]],
    ['H x 2H', [4, 8]],
  ])('%s → %j', (expr, shape) => {
    expect(evalShape(expr, sizes)).toEqual(shape);
  });

  it('throws RangeError naming the factor it cannot read', () => {
    expect(() => evalShape('N×K', sizes)).toThrow(RangeError);
    expect(() => evalShape('N×K', sizes)).toThrow(/evalShape: cannot read factor "K" of "N×K"/);
  });

  it('throws RangeError on a shape of other than 2 or 3 factors', () => {
    expect(() => evalShape('N', sizes)).toThrow(/evalShape: a shape has 2 or 3 factors, got "N"/);
  });

  it('formats back with ×', () => {
    expect(formatShape([10, 16])).toBe('10×16');
  });
});

describe('sampleIndices', () => {
  it('property: k distinct sorted indices in range (all of them when k ≥ length), the same for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 80 }), fc.nat(), (length, k, seed) => {
        const a = sampleIndices(length, k, seededUniform(seed));
        expect(a).toHaveLength(Math.min(k, length));
        expect(new Set(a).size).toBe(a.length);
        expect([...a].sort((x, y) => x - y)).toEqual(a);
        expect(a.every((i) => Number.isInteger(i) && i >= 0 && i < length)).toBe(true);
        expect(sampleIndices(length, k, seededUniform(seed))).toEqual(a);
      }),
    );
  });
});
