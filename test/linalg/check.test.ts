import { Matrix, ShapeError, Tensor3 } from '../../src/index';
import { asMatrix, asTensor3, expectMatrix, expectRecord, expectTensor3 } from '../../src/linalg/index';

describe('boundary checks', () => {
  test('a structurally equal matrix from another copy of the library is accepted without copying', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const m = asMatrix('f', 'A', { rows: 2, cols: 2, data });
    expect(m).toBeInstanceOf(Matrix);
    expect(m.data).toBe(data);
    const t = asTensor3('f', 'x', { dims: [1, 2, 2], data });
    expect(t).toBeInstanceOf(Tensor3);
  });
  test('a look-alike whose data length disagrees → ShapeError naming it', () => {
    expect(() => asMatrix('f', 'A', { rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(ShapeError);
    expect(() => asMatrix('f', 'A', { rows: 2, cols: 2, data: new Float64Array(3) })).toThrow(
      'f: A claims to be 2×2 but its data holds 3 values, not 4',
    );
    expect(() => asTensor3('f', 'x', { dims: [1, 1, 2], data: new Float64Array(3) })).toThrow(
      /f: x claims to be 1×1×2/,
    );
  });
  test('plain arrays are refused with a hint to wrap them', () => {
    expect(() => asMatrix('f', 'A', [[1]])).toThrow(
      'f: A must be a Matrix, got a plain 1×1 array of numbers; wrap it with Matrix.from(A) (a 1×1 Matrix)',
    );
    expect(() => asTensor3('f', 'x', undefined)).toThrow(
      'f: x must be a Tensor3 (N×T×D: batch × time × features), got undefined',
    );
  });
  test('expectMatrix / expectTensor3 say the expected and the actual shape', () => {
    expect(() => expectMatrix('f', 'W', Matrix.zeros(2, 3), 3, 3, 'H×H')).toThrow('f: W must be 3×3 (H×H), got 2×3');
    expect(() => expectTensor3('f', 'dh', Tensor3.zeros(1, 2, 3), 1, 2, 4)).toThrow('f: dh must be 1×2×4, got 1×2×3');
  });
  test('expectRecord refuses null, arrays and scalars', () => {
    expect(() => expectRecord('f', 'p', null, 'a record')).toThrow('f: p must be a record, got null');
    expect(() => expectRecord('f', 'p', [], 'a record')).toThrow('f: p must be a record, got an empty array');
    expect(() => expectRecord('f', 'p', 3, 'a record')).toThrow('f: p must be a record, got the number 3');
  });
});
