import fc from 'fast-check';
import { Matrix, ShapeError, Tensor3 } from '../../src/index';
import { numericGradient } from '../../src/gradcheck/index';
import { randMatrix, randTensor, rng } from '../helpers/numeric';

describe('numericGradient', () => {
  it('matches the hand-derived gradient of an element-wise square: d/dx Σ x² ⊙ dout = 2x ⊙ dout', () => {
    const x = Matrix.from([
      [1, -2, 0.5],
      [3, 0, -1],
    ]);
    const dout = Matrix.from([
      [1, 2, 3],
      [-1, 0.5, 2],
    ]);
    const square = (m: Matrix): Matrix =>
      new Matrix(
        m.rows,
        m.cols,
        m.data.map((v) => v * v),
      );
    const g = numericGradient(square, x, dout);
    expect(g).toBeInstanceOf(Matrix);
    // x² is a quadratic: the centered difference is exact up to round-off.
    const expected = [2, -8, 3, -6, 0, -4];
    for (const [k, v] of g.data.entries()) expect(v).toBeCloseTo(expected[k] as number, 8);
  });

  it('gives Aᵀ·dout for the product A·W (derived by hand: ∂/∂W_kj Σ_ij (A W)_ij dout_ij = Σ_i A_ik dout_ij)', () => {
    const rand = rng(3);
    const A = randMatrix(4, 3, rand);
    const W = randMatrix(3, 2, rand);
    const dout = randMatrix(4, 2, rand);
    const product = (w: Matrix): Matrix => {
      const out = Matrix.zeros(4, 2);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 2; j++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += A.get(i, k) * w.get(k, j);
          out.data[i * 2 + j] = s;
        }
      return out;
    };
    const g = numericGradient(product, W, dout);
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 2; j++) {
        let s = 0;
        for (let i = 0; i < 4; i++) s += A.get(i, k) * dout.get(i, j);
        expect(g.get(k, j)).toBeCloseTo(s, 8);
      }
  });

  it('differentiates a Tensor3 and adds the losses of several outputs', () => {
    const rand = rng(5);
    const x = randTensor(2, 3, 2, rand);
    const d1 = randTensor(2, 3, 2, rand);
    const d2 = randTensor(2, 3, 2, rand);
    // outputs x and 3x: the gradient is d1 + 3·d2, exactly.
    const g = numericGradient(
      (t: Tensor3) => [
        t,
        new Tensor3(
          2,
          3,
          2,
          t.data.map((v) => 3 * v),
        ),
      ],
      x,
      [d1, d2],
    );
    expect(g).toBeInstanceOf(Tensor3);
    for (const [k, v] of g.data.entries())
      expect(v).toBeCloseTo((d1.data[k] as number) + 3 * (d2.data[k] as number), 8);
  });

  it('computes only the given indices and leaves the rest 0', () => {
    const x = Matrix.from([[1, 2, 3]]);
    const g = numericGradient((m: Matrix) => m, x, Matrix.from([[4, 5, 6]]), { indices: [2] });
    expect(Array.from(g.data)).toEqual([0, 0, expect.closeTo(6, 8)]);
  });

  it('restores x when f throws midway', () => {
    const x = Matrix.from([[0.1, 0.2, 0.3]]);
    const before = x.data.slice();
    let calls = 0;
    const f = (m: Matrix): Matrix => {
      if (++calls === 3) throw new Error('boom');
      return m;
    };
    expect(() => numericGradient(f, x, Matrix.from([[1, 1, 1]]))).toThrow('boom');
    expect(Array.from(x.data)).toEqual(Array.from(before));
  });

  it('throws TypeError naming x when x is not a Matrix or Tensor3', () => {
    expect(() => numericGradient((m) => m, [[1]] as unknown as Matrix, Matrix.from([[1]]))).toThrow(TypeError);
    expect(() => numericGradient((m) => m, [[1]] as unknown as Matrix, Matrix.from([[1]]))).toThrow(
      /numericGradient: x must be/,
    );
  });

  it('throws TypeError naming f when f is not a function', () => {
    expect(() =>
      numericGradient(42 as unknown as (m: Matrix) => Matrix, Matrix.from([[1]]), Matrix.from([[1]])),
    ).toThrow(new TypeError('numericGradient: f must be a function, got the number 42'));
  });

  it('throws RangeError naming eps when eps is not positive', () => {
    expect(() => numericGradient((m: Matrix) => m, Matrix.from([[1]]), Matrix.from([[1]]), { eps: 0 })).toThrow(
      RangeError,
    );
    expect(() => numericGradient((m: Matrix) => m, Matrix.from([[1]]), Matrix.from([[1]]), { eps: -1 })).toThrow(
      /eps must be/,
    );
  });

  it('throws RangeError naming indices when an index is out of range', () => {
    expect(() =>
      numericGradient((m: Matrix) => m, Matrix.from([[1, 2]]), Matrix.from([[1, 2]]), { indices: [2] }),
    ).toThrow(/numericGradient: indices must be integers in \[0, 1\], got 2/);
  });

  it('throws ShapeError naming dout when f(x) and dout differ in size', () => {
    const call = (): unknown => numericGradient((m: Matrix) => m, Matrix.from([[1, 2]]), Matrix.from([[1, 2, 3]]));
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(/dout/);
  });

  it('property: leaves its input bit-identical, whatever the values (NaN, −0, ±∞) and even when f throws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double(), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat({ max: 30 })),
        (values, throwAt) => {
          const x = new Matrix(1, values.length, Float64Array.from(values));
          const bytesBefore = new Uint8Array(x.data.buffer.slice(0));
          let calls = 0;
          const f = (m: Matrix): Matrix => {
            if (throwAt !== null && calls++ === throwAt) throw new Error('planted');
            return new Matrix(
              1,
              m.cols,
              m.data.map((v) => Math.sin(v) * v),
            );
          };
          try {
            numericGradient(f, x, new Matrix(1, values.length, new Float64Array(values.length).fill(1)));
          } catch {
            // the planted throw; only the restoration matters here
          }
          expect(Array.from(new Uint8Array(x.data.buffer))).toEqual(Array.from(bytesBefore));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('numericGradient: dout of the same size in another shape', () => {
  it('is a ShapeError naming dout, the shape of f(x) and the one given', () => {
    const x = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => numericGradient((m: Matrix) => m, x, Matrix.zeros(3, 2))).toThrow(ShapeError);
    expect(() => numericGradient((m: Matrix) => m, x, Matrix.zeros(3, 2))).toThrow(
      /^numericGradient: dout must be 2×3 \(the shape of output 0 of f\(x\)\), got 3×2/,
    );
  });
});
