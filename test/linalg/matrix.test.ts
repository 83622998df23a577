import { Matrix, ShapeError, Tensor3 } from '../../src/index';
import { SlidingView } from '../../src/linalg/views';

describe('Matrix', () => {
  test('zeros, from and toArray round-trip row-major', () => {
    const m = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([m.rows, m.cols, m.stride, m.offset]).toEqual([2, 3, 3, 0]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.get(1, 0)).toBe(4);
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(Matrix.zeros(2, 2).data)).toEqual([0, 0, 0, 0]);
  });
  test('clone is independent', () => {
    const m = Matrix.from([[1, 2]]);
    const c = m.clone();
    c.data[0] = 9;
    expect(m.get(0, 0)).toBe(1);
  });
  test('from copies: later edits to the array do not reach the matrix', () => {
    const rows = [[1, 2]];
    const m = Matrix.from(rows);
    rows[0]![0] = 7;
    expect(m.get(0, 0)).toBe(1);
  });
  test('ragged rows → ShapeError naming both rows', () => {
    expect(() => Matrix.from([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => Matrix.from([[1, 2], [3]])).toThrow('Matrix.from: ragged rows: row 0 has 2 columns but row 1 has 1');
  });
  test('empty input → ShapeError', () => {
    expect(() => Matrix.from([])).toThrow(ShapeError);
    expect(() => Matrix.from([[]])).toThrow(/row 0 is empty/);
  });
  test('non-numbers → TypeError naming the element', () => {
    expect(() => Matrix.from([[1, '2' as never]])).toThrow(TypeError);
    expect(() => Matrix.from([[1, '2' as never]])).toThrow('element [0][1] must be a number, got the string "2"');
    expect(() => Matrix.from('x' as never)).toThrow(TypeError);
    expect(() => Matrix.from([1, 2] as never)).toThrow(/row 0 must be an array/);
  });
  test.each([
    [0, 'RangeError', RangeError],
    [-1, 'RangeError', RangeError],
    [1.5, 'RangeError', RangeError],
    [NaN, 'RangeError', RangeError],
    ['3', 'TypeError', TypeError],
  ])('zeros(%p, 2) → %s naming rows', (rows, _name, type) => {
    expect(() => Matrix.zeros(rows as number, 2)).toThrow(type);
    expect(() => Matrix.zeros(rows as number, 2)).toThrow(/Matrix\.zeros: rows must be a positive integer/);
  });
  test('wrapping data of the wrong length → ShapeError', () => {
    expect(() => new Matrix(2, 2, new Float64Array(3))).toThrow(ShapeError);
    expect(() => new Matrix(2, 2, [1, 2, 3, 4] as never)).toThrow(TypeError);
  });
});

describe('Tensor3', () => {
  const a = [
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
  ];
  test('from/toArray round-trip in (n, t, d) order; step(t) copies one time step', () => {
    const t = Tensor3.from(a);
    expect(t.dims).toEqual([2, 3, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(t.toArray()).toEqual(a);
    expect(t.get(1, 2, 0)).toBe(11);
    expect(t.step(1).toArray()).toEqual([
      [3, 4],
      [9, 10],
    ]);
    expect(t.clone().toArray()).toEqual(a);
  });
  test('ragged at depth 2 and 3 → ShapeError', () => {
    expect(() => Tensor3.from([[[1]], [[1], [2]]])).toThrow(/ragged array: a\[0\] has T=1 steps but a\[1\] has 2/);
    expect(() => Tensor3.from([[[1], [2, 3]]])).toThrow(/a\[0\]\[0\] has D=1 values but a\[0\]\[1\] has 2/);
  });
  test('empty at any depth → ShapeError; non-arrays → TypeError', () => {
    expect(() => Tensor3.from([])).toThrow(ShapeError);
    expect(() => Tensor3.from([[]])).toThrow(ShapeError);
    expect(() => Tensor3.from([[[]]])).toThrow(ShapeError);
    expect(() => Tensor3.from([[1]] as never)).toThrow(TypeError);
    expect(() => Tensor3.from([[[1]], 2] as never)).toThrow(TypeError);
    expect(() => Tensor3.from([[[1]], [3]] as never)).toThrow(TypeError);
    expect(() => Tensor3.from([[[null]]] as never)).toThrow(/element \[0\]\[0\]\[0\] must be a number, got null/);
    expect(() => Tensor3.from(null as never)).toThrow(TypeError);
  });
  test('bad sizes and data', () => {
    expect(() => Tensor3.zeros(1, 0, 1)).toThrow(/Tensor3\.zeros: T must be a positive integer/);
    expect(() => new Tensor3(1, 1, 2, new Float64Array(3))).toThrow(ShapeError);
    expect(() => new Tensor3(1, 1, 2, {} as never)).toThrow(TypeError);
    expect(() => Tensor3.from(a).step(3)).toThrow(RangeError);
  });
});

describe('SlidingView', () => {
  test('timeStep(t) addresses x_t of a batch-first tensor without copying', () => {
    const t = Tensor3.from([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    const v = SlidingView.timeStep(t, 1);
    expect([v.rows, v.cols, v.stride, v.offset]).toEqual([2, 2, 4, 2]);
    expect(v.data).toBe(t.data);
    expect(v.at(0).offset).toBe(0);
  });
  test('stacked(k) addresses the k-th contiguous block', () => {
    const data = new Float64Array(12);
    expect(SlidingView.stacked(data, 2, 3, 1).offset).toBe(6);
  });
});

describe('storage transferred away', () => {
  it('a Matrix over a detached buffer says it was detached, not only that it holds 0 values', () => {
    const data = new Float64Array(6);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(() => new Matrix(2, 3, data)).toThrow(
      /^Matrix: data must hold rows·cols = 6 .* got 0 \(its buffer was detached/,
    );
  });
});
