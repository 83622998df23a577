import fc from 'fast-check';
import { Tensor3 } from '../../src/index';
import { temporalSoftmaxLoss } from '../../src/layers/index';
import { normRelError, numericGrad, randTensor, relError, rng } from '../helpers/numeric';

/** The loss as a number, for centered differences (dout = 1). */
function lossOf(scores: Tensor3, targets: number[][], mask?: boolean[][]): Float64Array {
  return Float64Array.of(temporalSoftmaxLoss(scores, targets, mask).loss);
}

describe('temporalSoftmaxLoss', () => {
  it('equal scores give T·ln V (the sum over time of −ln(1/V), averaged over N)', () => {
    const { loss, dscores } = temporalSoftmaxLoss(Tensor3.zeros(2, 3, 4), [
      [0, 1, 2],
      [3, 3, 0],
    ]);
    expect(loss).toBeCloseTo(3 * Math.log(4), 12);
    // p = 1/4 everywhere, so dscores = (1/4 − [y]) / N.
    expect(dscores.get(0, 0, 0)).toBeCloseTo((0.25 - 1) / 2, 14);
    expect(dscores.get(0, 0, 1)).toBeCloseTo(0.25 / 2, 14);
  });

  it('matches a direct −log softmax for a fixed case', () => {
    const scores = Tensor3.from([[[1, 2, 3]]]);
    const want = -Math.log(Math.exp(2) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    expect(temporalSoftmaxLoss(scores, [[1]]).loss).toBeCloseTo(want, 12);
  });

  it('matches centered differences', () => {
    const rand = rng(21);
    const scores = randTensor(3, 4, 5, rand);
    const targets = [
      [0, 1, 2, 3],
      [4, 4, 0, 1],
      [2, 2, 2, 2],
    ];
    const { dscores } = temporalSoftmaxLoss(scores, targets);
    const num = numericGrad(() => lossOf(scores, targets), scores.data, Float64Array.of(1));
    expect(relError(dscores.data, num)).toBeLessThan(1e-7);
  });

  it('a mask drops positions from loss and gradient', () => {
    const rand = rng(22);
    const scores = randTensor(2, 3, 4, rand);
    const targets = [
      [0, 1, 2],
      [3, 0, 1],
    ];
    const mask = [
      [true, false, true],
      [false, false, true],
    ];
    const { loss, dscores } = temporalSoftmaxLoss(scores, targets, mask);
    for (let v = 0; v < 4; v++) {
      expect(dscores.get(0, 1, v)).toBe(0);
      expect(dscores.get(1, 0, v)).toBe(0);
    }
    // The masked loss equals the sum of the unmasked positions' single-step losses (each /N).
    let want = 0;
    for (const [n, t] of [
      [0, 0],
      [0, 2],
      [1, 2],
    ] as const) {
      const one = Tensor3.from([[scores.toArray()[n]![t]!]]);
      want += temporalSoftmaxLoss(one, [[targets[n]![t]!]]).loss / 2;
    }
    expect(loss).toBeCloseTo(want, 12);
    const num = numericGrad(() => lossOf(scores, targets, mask), scores.data, Float64Array.of(1));
    expect(relError(dscores.data, num)).toBeLessThan(1e-7);
  });

  it('is stable for scores of ±1e4', () => {
    const scores = Tensor3.from([
      [
        [1e4, -1e4, 0],
        [-1e4, 1e4, 1e4],
      ],
    ]);
    const { loss, dscores } = temporalSoftmaxLoss(scores, [[1, 0]]);
    // Step 1: log p_1 = −1e4 − 1e4 − log(1 + e^−2e4 + e^−1e4) = −2e4. Step 2: log p_0 = −2e4 − log 2.
    expect(loss).toBeCloseTo(2e4 + 2e4 + Math.log(2), 6);
    expect(Array.from(dscores.data).every(Number.isFinite)).toBe(true);
    expect(dscores.get(0, 0, 0)).toBeCloseTo(1, 12);
    expect(dscores.get(0, 0, 1)).toBeCloseTo(-1, 12);
    expect(dscores.get(0, 1, 1)).toBeCloseTo(0.5, 12);
  });

  it('property: the gradient of each row sums to zero and matches finite differences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer(),
        (N, T, V, seed) => {
          const rand = rng(seed);
          const scores = randTensor(N, T, V, rand, 3);
          const targets = Array.from({ length: N }, () => Array.from({ length: T }, () => Math.floor(rand() * V)));
          const { dscores } = temporalSoftmaxLoss(scores, targets);
          for (let r = 0; r < N * T; r++) {
            let s = 0;
            for (let v = 0; v < V; v++) s += dscores.data[r * V + v]!;
            if (Math.abs(s) > 1e-12) return false;
          }
          const num = numericGrad(() => lossOf(scores, targets), scores.data, Float64Array.of(1));
          return normRelError(dscores.data, num) < 1e-7;
        },
      ),
      { numRuns: 30 },
    );
  });

  it('does not mutate its inputs', () => {
    const rand = rng(23);
    const scores = randTensor(1, 2, 3, rand);
    const before = scores.data.slice();
    const targets = [[0, 2]];
    temporalSoftmaxLoss(scores, targets, [[true, true]]);
    expect(scores.data).toEqual(before);
    expect(targets).toEqual([[0, 2]]);
  });

  it('rejects an out-of-range target, naming its position', () => {
    expect(() =>
      temporalSoftmaxLoss(Tensor3.zeros(2, 2, 3), [
        [0, 1],
        [3, 0],
      ]),
    ).toThrow(
      new RegExp(
        /temporalSoftmaxLoss: targets\[1\]\[0\] is 3, past the last id 2; /.source +
          /targets must be integers in \[0, 3\) \(V = 3 from scores\)/.source,
      ),
    );
  });

  it('rejects a non-integer target', () => {
    expect(() => temporalSoftmaxLoss(Tensor3.zeros(1, 2, 3), [[0, 0.5]])).toThrow(
      new RegExp(
        /temporalSoftmaxLoss: targets\[0\]\[1\] is 0\.5, not an integer; /.source +
          /targets must be integers in \[0, 3\) \(V = 3 from scores\)/.source,
      ),
    );
  });

  it('rejects targets whose N×T differs from the scores', () => {
    expect(() => temporalSoftmaxLoss(Tensor3.zeros(2, 2, 3), [[0, 1]])).toThrow(
      /temporalSoftmaxLoss: targets must be N×T = 2×2 \(N = 2 and T = 2 from scores\), got 1×2/,
    );
  });

  it('rejects a mask of the wrong shape', () => {
    expect(() => temporalSoftmaxLoss(Tensor3.zeros(1, 2, 3), [[0, 1]], [[true]])).toThrow(
      /mask\[0\] must be an array of 2 booleans/,
    );
  });

  it('rejects a mask with a non-boolean entry', () => {
    expect(() => temporalSoftmaxLoss(Tensor3.zeros(1, 1, 3), [[0]], [[1 as never]])).toThrow(
      /mask\[0\]\[0\] must be a boolean/,
    );
  });

  it('rejects scores that are not a Tensor3', () => {
    expect(() => temporalSoftmaxLoss([[[0]]] as never, [[0]])).toThrow(/scores must be a Tensor3/);
  });
});
