import { Matrix } from '../../src/index';
import { meanSquaredError } from '../../src/layers/index';
import { numericGrad, randMatrix, relError, rng } from '../helpers/numeric';

describe('meanSquaredError', () => {
  it('is the mean of the squared differences (fixed case)', () => {
    const { loss, dpred } = meanSquaredError(
      Matrix.from([
        [1, 2],
        [3, 4],
      ]),
      Matrix.from([
        [1, 0],
        [0, 4],
      ]),
    );
    expect(loss).toBe((0 + 4 + 9 + 0) / 4);
    expect(dpred.toArray()).toEqual([
      [0, 1],
      [1.5, 0],
    ]);
  });

  it('predicting 1 for the sum of two U(0,1) draws costs about 1/6 (the adding baseline)', () => {
    const rand = rng(4);
    const N = 20000;
    const target = Matrix.zeros(N, 1);
    for (let n = 0; n < N; n++) target.data[n] = rand() + rand();
    const pred = Matrix.zeros(N, 1);
    pred.data.fill(1);
    expect(meanSquaredError(pred, target).loss).toBeCloseTo(1 / 6, 2);
  });

  it('matches centered differences', () => {
    const rand = rng(6);
    const pred = randMatrix(4, 3, rand);
    const target = randMatrix(4, 3, rand);
    const { dpred } = meanSquaredError(pred, target);
    const num = numericGrad(() => Float64Array.of(meanSquaredError(pred, target).loss), pred.data, Float64Array.of(1));
    expect(relError(dpred.data, num)).toBeLessThan(1e-7);
  });

  it('does not mutate its inputs', () => {
    const pred = Matrix.from([[1, 2]]);
    const target = Matrix.from([[0, 0]]);
    meanSquaredError(pred, target);
    expect(pred.toArray()).toEqual([[1, 2]]);
    expect(target.toArray()).toEqual([[0, 0]]);
  });

  it('rejects a target of another shape', () => {
    expect(() => meanSquaredError(Matrix.zeros(2, 1), Matrix.zeros(1, 2))).toThrow(
      /target must be 2×1 \(the shape of pred\), got 1×2/,
    );
  });

  it('rejects a pred that is not a Matrix', () => {
    expect(() => meanSquaredError([[1]] as never, Matrix.zeros(1, 1))).toThrow(/pred must be a Matrix/);
  });
});
