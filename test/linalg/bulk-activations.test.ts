/**
 * The bulk activations sigmoidInto / tanhInto against the scalar sigmoid /
 * tanh they apply: the same bits on each tier (the WASM loops are the JS
 * operations two values at a time), on the values where the scalar
 * functions change branch, on random doubles of every magnitude and bit
 * pattern, and on strided views with odd row lengths.
 */
import fc from 'fast-check';
import { sigmoid, sigmoidInto, tanh, tanhInto } from '../../src/linalg/activations';
import { wasmSimdAvailable } from '../../src/linalg/gemm-wasm';
import { Matrix, ShapeError, SlidingView, Tensor3, productTier, setProductTier } from '../../src/linalg/index';

const bits = new Float64Array(1);
const word = new BigUint64Array(bits.buffer);
function withBits(b: bigint): number {
  word[0] = b;
  return bits[0] as number;
}
function neighbours(x: number): number[] {
  bits[0] = x;
  const b = word[0] as bigint;
  return [withBits(b - 1n), x, withBits(b + 1n)];
}

/** Where the scalar functions change branch or meet a special value, each with its neighbouring doubles. */
const EDGES = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  -2.2250738585072014e-308,
  ...[1, 19.1, 37.5, 0.5, 1e-8, 3, 700].flatMap((x) => [...neighbours(x), ...neighbours(x).map((v) => -v)]),
  ...neighbours(-690),
  ...neighbours(-745),
  -746,
  -1e300,
  1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

/** Same bits, or both NaN (the payload of a NaN is not part of the contract). */
function sameValue(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

const cases = [
  ['sigmoidInto', sigmoidInto, sigmoid],
  ['tanhInto', tanhInto, tanh],
] as const;
const tiers = wasmSimdAvailable() ? (['ts', 'wasm', 'auto'] as const) : (['ts', 'auto'] as const);

describe.each(cases)('%s', (_name, into, scalar) => {
  const original = productTier();
  afterEach(() => setProductTier(original));

  describe.each(tiers)('on the %s tier', (tier) => {
    beforeEach(() => setProductTier(tier));

    test('gives the scalar function’s bits at every branch edge and special value, in place', () => {
      const m = new Matrix(1, EDGES.length, Float64Array.from(EDGES));
      into(m, m);
      const wrong = EDGES.filter((z, i) => !sameValue(m.data[i] as number, scalar(z)));
      expect(wrong).toEqual([]);
    });

    test('gives the scalar function’s bits for any double, any bit pattern, any row length', () => {
      const value = fc.oneof(
        fc.double(),
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(withBits),
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 70 }),
          fc.array(value, { minLength: 280, maxLength: 280 }),
          (rows, cols, values) => {
            const src = new Matrix(rows, cols, Float64Array.from(values.slice(0, rows * cols)));
            const dst = into(Matrix.zeros(rows, cols), src);
            for (let i = 0; i < rows * cols; i++)
              if (!sameValue(dst.data[i] as number, scalar(src.data[i] as number))) return false;
            return true;
          },
        ),
        { numRuns: 200 },
      );
    });

    test('reads and writes strided views (a time step of a Tensor3, odd widths) and touches nothing else', () => {
      for (const D of [1, 13, 33, 64]) {
        const x = Tensor3.zeros(3, 4, D);
        for (let i = 0; i < x.data.length; i++) x.data[i] = Math.sin(i) * 30;
        const before = x.data.slice();
        const out = Tensor3.zeros(3, 4, D);
        out.data.fill(7);
        into(SlidingView.timeStep(out, 2), SlidingView.timeStep(x, 2));
        expect(x.data).toEqual(before);
        for (let n = 0; n < 3; n++) {
          for (let t = 0; t < 4; t++) {
            for (let d = 0; d < D; d++) {
              const i = (n * 4 + t) * D + d;
              const want = t === 2 ? scalar(before[i] as number) : 7;
              expect(sameValue(out.data[i] as number, want)).toBe(true);
            }
          }
        }
      }
    });
  });

  test('throws a ShapeError naming dst when the shapes differ', () => {
    const call = (): unknown => into(Matrix.zeros(2, 3), Matrix.zeros(3, 2));
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(new RegExp(`${into.name}: dst must be 3×2 \\(the shape of src\\), got 2×3`));
  });
});
