import { Matrix, Tensor3 } from '../../src/index';
import { KernelContractError } from '../../src/gradcheck/index';
import { toCheckable } from '../../src/gradcheck/coerce';

const read = (v: unknown, shape: number[], expr = '?'): Matrix | Tensor3 => toCheckable('k', 'v', v, shape, expr);

describe('toCheckable accepts what a user module may return', () => {
  it.each([
    [
      'a library Matrix',
      Matrix.from([
        [1, 2],
        [3, 4],
      ]),
    ],
    ['{ rows, cols, data: number[] }', { rows: 2, cols: 2, data: [1, 2, 3, 4] }],
    ['{ rows, cols, data: Float32Array }', { rows: 2, cols: 2, data: Float32Array.from([1, 2, 3, 4]) }],
    ['{ shape: [2, 2], data }', { shape: [2, 2], data: [1, 2, 3, 4] }],
    [
      'a nested array',
      [
        [1, 2],
        [3, 4],
      ],
    ],
  ])('%s as a 2×2 Matrix', (_what, value) => {
    const m = read(value, [2, 2]);
    expect(m).toBeInstanceOf(Matrix);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    ['a library Tensor3', Tensor3.from([[[1], [2]]])],
    ['{ dims, data }', { dims: [1, 2, 1], data: [1, 2] }],
    ['{ shape, data: Float64Array }', { shape: [1, 2, 1], data: Float64Array.from([1, 2]) }],
    ['a nested array', [[[1], [2]]]],
  ])('%s as a 1×2×1 Tensor3', (_what, value) => {
    const t = read(value, [1, 2, 1]);
    expect(t).toBeInstanceOf(Tensor3);
    expect(Array.from(t.data)).toEqual([1, 2]);
  });

  it('copies: the result does not share the user array', () => {
    const data = [1, 2];
    const m = read({ rows: 1, cols: 2, data }, [1, 2]);
    data[0] = 99;
    expect(m.data[0]).toBe(1);
  });
});

describe('toCheckable refuses, with a KernelContractError naming the value', () => {
  it.each([
    ['the wrong shape', { rows: 2, cols: 1, data: [1, 2] }, /k: v must be 1×2 \(N×H\), got 2×1/],
    ['no shape', { data: [1, 2] }, /k: v has no shape/],
    ['non-numeric data', { rows: 1, cols: 2, data: ['a', 'b'] }, /k: v\.data must be an array of numbers/],
    ['data of the wrong length', { rows: 1, cols: 2, data: [1, 2, 3] }, /claims to be 1×2 but its data holds 3 values/],
    ['a ragged nested array', [[1, 2], [3]], /not a 2-level nested array/],
    ['null', null, /k: v must be 1×2 \(N×H\), got null/],
    ['a BigInt64Array', { rows: 1, cols: 2, data: new BigInt64Array(2) }, /data must be an array of numbers/],
  ])('%s', (_what, value, message) => {
    expect(() => read(value, [1, 2], 'N×H')).toThrow(KernelContractError);
    expect(() => read(value, [1, 2], 'N×H')).toThrow(message);
  });
});
