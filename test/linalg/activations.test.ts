/**
 * The rational/Padé tanh against V8's Math.tanh (fdlibm), and the Padé
 * sigmoid against the two-branch Math.exp form it replaced: fixed cases at
 * the edges of their pieces, a dense sweep, and random doubles.
 */
import fc from 'fast-check';
import { sigmoid, tanh } from '../../src/linalg/activations';

/**
 * The largest |tanh(z) − Math.tanh(z)| / |Math.tanh(z)| measured (4.08e-16
 * over 3·10^7 random z in [−4, 4]), rounded up: 2 ulp, of which Math.tanh
 * itself contributes most (it is up to 2 ulp from the correctly rounded
 * value, this tanh up to 1).
 */
const BOUND = 5e-16;

const bits = new Float64Array(1);
const word = new BigInt64Array(bits.buffer);

/** The next double after x towards +∞ (x finite, ≥ 0) — enough for stepping across the cutoffs. */
function nextUp(x: number): number {
  bits[0] = x;
  word[0] = (word[0] as bigint) + 1n;
  return bits[0] as number;
}

/** The next double after x towards 0 (x finite, > 0). */
function nextDown(x: number): number {
  bits[0] = x;
  word[0] = (word[0] as bigint) - 1n;
  return bits[0] as number;
}

function relativeError(z: number): number {
  const want = Math.tanh(z);
  const got = tanh(z);
  if (want === 0) return got === 0 ? 0 : Infinity;
  return Math.abs(got - want) / Math.abs(want);
}

describe('tanh', () => {
  test('keeps ±0 with its sign, and returns tiny and subnormal z unchanged', () => {
    expect(Object.is(tanh(0), 0)).toBe(true);
    expect(Object.is(tanh(-0), -0)).toBe(true);
    for (const z of [1e-300, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-16]) expect(tanh(z)).toBe(z);
  });

  test('saturates to exactly ±1 beyond |z| = 19.1, at ±Infinity, and keeps NaN', () => {
    for (const z of [19.1, 19.2, 20, 22, 710, 1e300, Number.MAX_VALUE, Infinity]) {
      expect(tanh(z)).toBe(1);
      expect(tanh(-z)).toBe(-1);
    }
    expect(Number.isNaN(tanh(NaN))).toBe(true);
  });

  test.each([
    ['1e-8', 1e-8],
    ['0.1', 0.1],
    ['0.5', 0.5],
    ['below the cutoff 1', nextDown(1)],
    ['two below the cutoff 1', nextDown(nextDown(1))],
    ['the cutoff 1', 1],
    ['above the cutoff 1', nextUp(1)],
    ['two above the cutoff 1', nextUp(nextUp(1))],
    ['5', 5],
    ['19', 19],
    ['below 19.1', nextDown(19.1)],
    ['the saturation cutoff 19.1', 19.1],
    ['above 19.1', nextUp(19.1)],
  ])('matches Math.tanh at %s, both signs', (_label, z) => {
    expect(relativeError(z)).toBeLessThanOrEqual(BOUND);
    expect(relativeError(-z)).toBeLessThanOrEqual(BOUND);
    expect(tanh(-z)).toBe(-tanh(z));
  });

  test(`is within ${BOUND} of Math.tanh, relatively, on a dense sweep of [−25, 25]`, () => {
    const n = 500_000;
    let worst = 0;
    let at = 0;
    for (let i = 0; i <= n; i++) {
      const z = -25 + (50 * i) / n;
      const e = relativeError(z);
      if (e > worst) {
        worst = e;
        at = z;
      }
    }
    expect(worst <= BOUND ? 'within' : `${worst} at z = ${at}`).toBe('within');
  });

  test('is odd, within [−1, 1], and within the bound of Math.tanh for any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (z) => {
        const t = tanh(z);
        return Math.abs(t) <= 1 && Object.is(tanh(-z), -t) && relativeError(z) <= BOUND;
      }),
      { numRuns: 2000 },
    );
  });

  test('is odd, within [−1, 1], and within the bound of Math.tanh where it is not saturated', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), (z) => {
        const t = tanh(z);
        return Math.abs(t) <= 1 && Object.is(tanh(-z), -t) && relativeError(z) <= BOUND;
      }),
      { numRuns: 5000 },
    );
  });
});

/**
 * The largest relative distance measured between sigmoid and the Math.exp
 * form below (5.79e-16 over 1.4·10^7 random z in [−745, 40]), rounded up;
 * each is within 2 ulp of the correctly rounded σ.
 */
const SIGMOID_BOUND = 6e-16;

/** σ by the two-branch form with Math.exp, relatively accurate for very negative z too. */
function sigmoidByExp(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function sigmoidRelativeError(z: number): number {
  const want = sigmoidByExp(z);
  const got = sigmoid(z);
  if (want === 0) return got === 0 ? 0 : Infinity;
  return Math.abs(got - want) / want;
}

describe('sigmoid', () => {
  test('is 1/2 at ±0, exactly 1 from 37.5 on and at Infinity, 0 at −Infinity, and keeps NaN', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-0)).toBe(0.5);
    for (const z of [37.5, nextUp(37.5), 40, 1e3, Number.MAX_VALUE, Infinity]) expect(sigmoid(z)).toBe(1);
    expect(sigmoid(-Infinity)).toBe(0);
    expect(sigmoid(-Number.MAX_VALUE)).toBe(0);
    expect(Number.isNaN(sigmoid(NaN))).toBe(true);
  });

  test('stays relatively accurate where σ(z) ≈ e^z is tiny, down to the subnormals', () => {
    // Correctly rounded (mpmath, 120 bits).
    expect(Math.abs(sigmoid(-40) / 4.248354255291589e-18 - 1)).toBeLessThanOrEqual(SIGMOID_BOUND);
    expect(Math.abs(sigmoid(-700) / 9.85967654375977e-305 - 1)).toBeLessThanOrEqual(SIGMOID_BOUND);
    expect(sigmoid(-745)).toBe(5e-324);
    expect(sigmoid(-746)).toBe(0);
  });

  test.each([
    ['37', 37],
    ['below 37.5', nextDown(37.5)],
    ['−690', -690],
    ['just above −690', -nextDown(690)],
    ['just below −690', -nextUp(690)],
    ['−708', -708],
    ['−720 (a subnormal σ)', -720],
  ])('matches the Math.exp form at %s', (_label, z) => {
    expect(sigmoidRelativeError(z)).toBeLessThanOrEqual(SIGMOID_BOUND);
  });

  test(`is within ${SIGMOID_BOUND} of the Math.exp form, relatively, on a dense sweep of [−750, 50]`, () => {
    const n = 500_000;
    let worst = 0;
    let at = 0;
    for (let i = 0; i <= n; i++) {
      const z = -750 + (800 * i) / n;
      const e = sigmoidRelativeError(z);
      if (e > worst) {
        worst = e;
        at = z;
      }
    }
    expect(worst <= SIGMOID_BOUND ? 'within' : `${worst} at z = ${at}`).toBe('within');
  });

  test('is in [0, 1] and within the bound of the Math.exp form for any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (z) => {
        const s = sigmoid(z);
        return s >= 0 && s <= 1 && sigmoidRelativeError(z) <= SIGMOID_BOUND;
      }),
      { numRuns: 2000 },
    );
  });

  test('is in [0, 1] and within the bound of the Math.exp form on [−60, 60]', () => {
    fc.assert(
      fc.property(fc.double({ min: -60, max: 60, noNaN: true }), (z) => {
        const s = sigmoid(z);
        return s >= 0 && s <= 1 && sigmoidRelativeError(z) <= SIGMOID_BOUND;
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the scalar activations refuse a Matrix', () => {
  it.each([
    ['sigmoid', sigmoid],
    ['tanh', tanh],
  ] as const)('%s(Matrix) is a TypeError pointing to the Into form', (name, f) => {
    const z = { rows: 2, cols: 3, data: new Float64Array(6) } as unknown as number;
    expect(() => f(z)).toThrow(TypeError);
    expect(() => f(z)).toThrow(new RegExp(`^${name}: z must be a number .*use ${name}Into\\(dst, z\\)`));
    expect(Number.isNaN(f(Number.NaN))).toBe(true);
  });
});
