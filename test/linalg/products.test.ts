import fc from 'fast-check';
import { Matrix, ShapeError, Tensor3 } from '../../src/index';
import { SlidingView } from '../../src/linalg/views';
import {
  addInto,
  addRowInto,
  broadcastRowInto,
  colSum,
  colSumInto,
  copyInto,
  matmul,
  matmulInto,
  matmulTransA,
  matmulTransAInto,
  matmulTransB,
  matmulTransBInto,
  sigmoid,
  sigmoidInto,
  tanhInto,
} from '../../src/linalg/public';
import { maxAbsDiff } from '../helpers/compare';
import { randMatrix, rng } from '../helpers/numeric';
import { math, toM } from '../helpers/oracle';

const dim = fc.integer({ min: 1, max: 9 });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('products agree with mathjs on random shapes', () => {
  test('A·B, Aᵀ·B, A·Bᵀ, eᵀA', () => {
    fc.assert(
      fc.property(dim, dim, dim, seed, (M, K, N, s) => {
        const r = rng(s);
        const A = randMatrix(M, K, r);
        const B = randMatrix(K, N, r);
        const At = randMatrix(K, M, r);
        const Bt = randMatrix(N, K, r);
        return (
          maxAbsDiff(matmul(A, B), math.multiply(toM(A), toM(B))) < 1e-12 &&
          maxAbsDiff(matmulTransA(At, B), math.multiply(math.transpose(toM(At)), toM(B))) < 1e-12 &&
          maxAbsDiff(matmulTransB(A, Bt), math.multiply(toM(A), math.transpose(toM(Bt)))) < 1e-12 &&
          maxAbsDiff(colSum(A), math.multiply(math.ones(1, M), toM(A)) as math.Matrix) < 1e-12
        );
      }),
      { numRuns: 60 },
    );
  });

  test('accumulate adds to C; without it C is overwritten', () => {
    const r = rng(1);
    const A = randMatrix(3, 4, r);
    const B = randMatrix(4, 2, r);
    const C = Matrix.from([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    const AB = matmul(A, B);
    matmulInto(C, A, B, true);
    expect(
      maxAbsDiff(
        C,
        AB.toArray().map((row) => row.map((v) => v + 1)),
      ),
    ).toBeLessThan(1e-15);
    matmulInto(C, A, B);
    expect(maxAbsDiff(C, AB.toArray())).toBe(0);
    const D = Matrix.from([[5, 5, 5, 5]]);
    matmulTransAInto(D, Matrix.from([[2]]), Matrix.from([[1, 2, 3, 4]]), true);
    expect(D.toArray()).toEqual([[7, 9, 11, 13]]);
    const E = Matrix.from([[1]]);
    matmulTransBInto(E, Matrix.from([[1, 2]]), Matrix.from([[3, 4]]), true);
    expect(E.toArray()).toEqual([[12]]);
    const s = Matrix.from([[1, 1]]);
    colSumInto(
      s,
      Matrix.from([
        [1, 2],
        [3, 4],
      ]),
      true,
    );
    expect(s.toArray()).toEqual([[5, 7]]);
  });

  test('products read and write strided views (a time step of a Tensor3)', () => {
    const x = Tensor3.from([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    const out = Tensor3.zeros(2, 2, 1);
    matmulInto(SlidingView.timeStep(out, 1), SlidingView.timeStep(x, 1), Matrix.from([[1], [1]]));
    expect(out.toArray()).toEqual([
      [[0], [7]],
      [[0], [15]],
    ]);
  });

  test('addRowInto, addInto and copyInto', () => {
    const C = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    addRowInto(C, Matrix.from([[10, 20]]));
    expect(C.toArray()).toEqual([
      [11, 22],
      [13, 24],
    ]);
    addInto(
      C,
      Matrix.from([
        [1, 1],
        [1, 1],
      ]),
    );
    expect(C.toArray()).toEqual([
      [12, 23],
      [14, 25],
    ]);
    const D = Matrix.zeros(2, 1);
    copyInto(D, Matrix.from([[1], [2]]));
    expect(D.toArray()).toEqual([[1], [2]]);
  });

  test('broadcastRowInto overwrites every row of a strided view with the row, and nothing else', () => {
    const x = Tensor3.from([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [
        [7, 8],
        [9, 10],
        [11, 12],
      ],
    ]);
    // The row is itself a view into a longer buffer: only its own columns are copied.
    const bias = new SlidingView(new Float64Array([-1, 10, 20, -1]), 1, 2, 4, 1);
    broadcastRowInto(SlidingView.timeStep(x, 1), bias);
    expect(x.toArray()).toEqual([
      [
        [1, 2],
        [10, 20],
        [5, 6],
      ],
      [
        [7, 8],
        [10, 20],
        [11, 12],
      ],
    ]);
  });

  test('colSumInto sums any number of rows (the four-row passes and the rest)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }), dim, seed, (M, N, s) => {
        const A = randMatrix(M, N, rng(s));
        const start = Matrix.from([Array.from({ length: N }, (_, j) => j)]);
        const sum = start.clone();
        colSumInto(sum, A, true);
        const expected = math.add(toM(start), math.multiply(math.ones(1, M), toM(A)) as math.Matrix) as math.Matrix;
        return maxAbsDiff(sum, expected) < 1e-12;
      }),
      { numRuns: 60 },
    );
  });
});

describe('products: shape errors name the argument', () => {
  const A = Matrix.zeros(2, 3);
  test.each([
    ['matmul B', () => matmul(A, Matrix.zeros(2, 2)), /matmul: B must be 3×2/],
    ['matmulInto C', () => matmulInto(Matrix.zeros(2, 5), A, Matrix.zeros(3, 4)), /matmulInto: C must be 2×4/],
    ['matmulInto B', () => matmulInto(Matrix.zeros(2, 4), A, Matrix.zeros(2, 4)), /matmulInto: B must be 3×4/],
    ['matmulTransA B', () => matmulTransA(A, Matrix.zeros(3, 2)), /matmulTransA: B must be 2×2/],
    ['matmulTransAInto B', () => matmulTransAInto(Matrix.zeros(3, 2), A, Matrix.zeros(3, 2)), /matmulTransAInto: B/],
    [
      'matmulTransAInto C',
      () => matmulTransAInto(Matrix.zeros(2, 2), A, Matrix.zeros(2, 2)),
      /matmulTransAInto: C must be 3×2/,
    ],
    ['matmulTransB B', () => matmulTransB(A, Matrix.zeros(2, 2)), /matmulTransB: B must be 2×3/],
    ['matmulTransBInto B', () => matmulTransBInto(Matrix.zeros(2, 2), A, Matrix.zeros(2, 2)), /matmulTransBInto: B/],
    [
      'matmulTransBInto C',
      () => matmulTransBInto(Matrix.zeros(2, 3), A, Matrix.zeros(2, 3)),
      /matmulTransBInto: C must be 2×2/,
    ],
    [
      'addRowInto row',
      () => addRowInto(A, Matrix.zeros(1, 2)),
      /addRowInto: row must be 1×3 \(one value per column of C, 2×3\), got 1×2/,
    ],
    [
      'broadcastRowInto row',
      () => broadcastRowInto(A, Matrix.zeros(2, 3)),
      /broadcastRowInto: row must be 1×3 \(one value per column of C, 2×3\), got 2×3/,
    ],
    ['colSumInto dst', () => colSumInto(Matrix.zeros(1, 2), A), /colSumInto: dst must be 1×3/],
    ['addInto A', () => addInto(A, Matrix.zeros(3, 2)), /addInto: A must be 2×3 \(the shape of C\), got 3×2/],
    ['copyInto src', () => copyInto(A, Matrix.zeros(3, 2)), /copyInto: src must be 2×3 \(the shape of dst\), got 3×2/],
  ])('%s', (_label, call, message) => {
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(message);
  });
});

describe('block operations: an argument that is not a matrix view is named, before any arithmetic', () => {
  const M23 = Matrix.zeros(2, 3);
  const plain = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const ragged = [[1, 2, 3], [4]];
  const longView = { data: new Float64Array(6), offset: 2, stride: 3, rows: 2, cols: 3 };
  test.each([
    [
      'sigmoidInto, a plain array as src',
      () => sigmoidInto(M23, plain as never),
      TypeError,
      new RegExp(
        /sigmoidInto: src must be a Matrix or matrix view \(Float64Array data, offset, stride, rows, /.source +
          /cols\), got a plain 2×3 array of numbers; wrap it with Matrix\.from\(src\) \(a 2×3 Matrix\)/.source,
      ),
    ],
    [
      'tanhInto, a ragged array as dst',
      () => tanhInto(ragged as never, M23),
      TypeError,
      new RegExp(
        /tanhInto: dst must be a Matrix or matrix view \(Float64Array data, offset, stride, rows, /.source +
          /cols\), got a ragged array \(\[1\] holds 1 value, \[0\] holds 3\); every row must hold the same /.source +
          /number of values$/.source,
      ),
    ],
    [
      'broadcastRowInto, null as row',
      () => broadcastRowInto(M23, null as never),
      TypeError,
      /broadcastRowInto: row must be a Matrix or matrix view .*got null/,
    ],
    [
      'matmulInto, a record with fractional rows as A',
      () => matmulInto(M23, { ...longView, offset: 0, rows: 1.5 } as never, Matrix.zeros(3, 3)),
      TypeError,
      /matmulInto: A must have whole-number offset ≥ 0, rows ≥ 1, cols ≥ 1 and stride ≥ cols, got offset 0, rows 1\.5/,
    ],
    [
      'colSumInto, a view past the end of its data as A',
      () => colSumInto(Matrix.zeros(1, 3), longView),
      RangeError,
      /colSumInto: A is a 2×3 view at offset 2 with stride 3, which reaches value 8, but its data holds 6/,
    ],
  ])('%s', (_label, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  test('a NaN is not an argument error: sigmoidInto and tanhInto keep it where it is', () => {
    const z = Matrix.from([[NaN, 0, -1]]);
    expect(Array.from(sigmoidInto(Matrix.zeros(1, 3), z).data)).toEqual([NaN, 0.5, sigmoid(-1)]);
    const t = tanhInto(Matrix.zeros(1, 3), z).data;
    expect(Number.isNaN(t[0])).toBe(true);
    expect(t[1]).toBe(0);
  });
});

describe('sigmoid', () => {
  test('is 1/(1+e^−z), finite and in [0, 1] even at ±1e3, and keeps NaN', () => {
    // Correctly rounded σ(z) (mpmath, 120 bits); 1/(1 + Math.exp(−3)) is itself an ulp off.
    const exact: [number, number][] = [
      [-3, 0.04742587317756678],
      [-0.5, 0.37754066879814546],
      [0, 0.5],
      [0.5, 0.6224593312018546],
      [3, 0.9525741268224333],
    ];
    for (const [z, s] of exact) expect(Math.abs(sigmoid(z) - s)).toBeLessThan(1e-16);
    expect(sigmoid(1e3)).toBe(1);
    expect(sigmoid(-1e3)).toBe(0);
    expect(sigmoid(-800) * (1 - sigmoid(-800))).toBe(0);
    expect(Number.isNaN(sigmoid(NaN))).toBe(true);
  });
});
