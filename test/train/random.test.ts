import { gaussianFrom, randomNormalMatrix, sampleIndex, seededRandom } from '../../src/train/random';

describe('seededRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => seededRandom(Number.NaN)).toThrow(/seed must be a finite number/);
  });
});

describe('gaussianFrom / randomNormalMatrix', () => {
  it('has mean ≈ 0 and variance ≈ scale² (20 000 draws: standard error of the mean 0.007)', () => {
    const m = randomNormalMatrix(200, 100, seededRandom(1), 2);
    let s = 0;
    let s2 = 0;
    for (const v of m.data) {
      s += v;
      s2 += v * v;
    }
    const n = m.data.length;
    expect(Math.abs(s / n)).toBeLessThan(0.05);
    expect(s2 / n).toBeCloseTo(4, 0);
    expect(Number.isFinite(gaussianFrom(() => 0))).toBe(true);
  });
});

describe('sampleIndex', () => {
  it('never draws a zero-weight index and follows the weights', () => {
    const rand = seededRandom(3);
    const counts = [0, 0, 0];
    for (let k = 0; k < 10000; k++) counts[sampleIndex([1, 0, 3], rand)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / 10000).toBeCloseTo(0.75, 1);
  });
});

describe('sampleIndex and randomNormalMatrix refuse what has no distribution', () => {
  const rand = seededRandom(1);
  it('sampleIndex refuses an empty weights array', () => {
    expect(() => sampleIndex([], rand)).toThrow(
      /^sampleIndex: weights must hold at least one weight, got an empty array/,
    );
  });
  it.each([
    [[1, -0.5, 2], 'weights\\[1\\] = -0\\.5'],
    [[1, Number.NaN], 'weights\\[1\\] = NaN'],
  ])('sampleIndex refuses %p, naming the weight', (weights, at) => {
    expect(() => sampleIndex(weights, rand)).toThrow(RangeError);
    expect(() => sampleIndex(weights, rand)).toThrow(
      new RegExp(`^sampleIndex: weights must be finite numbers ≥ 0, got ${at}`),
    );
  });
  it('sampleIndex refuses weights that are all zero', () => {
    expect(() => sampleIndex([0, 0, 0], rand)).toThrow(
      /^sampleIndex: weights must have a positive, finite sum, got 0 over 3/,
    );
  });
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])('randomNormalMatrix refuses scale = %p', (scale) => {
    expect(() => randomNormalMatrix(2, 2, rand, scale)).toThrow(RangeError);
    expect(() => randomNormalMatrix(2, 2, rand, scale)).toThrow(
      new RegExp(`^randomNormalMatrix: scale must be a finite number ≥ 0 \\(a standard deviation\\), got ${scale}`),
    );
  });
  it('randomNormalMatrix refuses a matrix past the memory limits in its own name', () => {
    expect(() => randomNormalMatrix(1e6, 1e6, rand)).toThrow(
      /^randomNormalMatrix: rows = 1000000, cols = 1000000 needs/,
    );
  });
});
