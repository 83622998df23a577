import fc from 'fast-check';
import { Matrix, Tensor3 } from '../../src/index';
import { wordEmbeddingBackward, wordEmbeddingForward } from '../../src/layers/index';
import { normRelError, numericGrad, randMatrix, randTensor, relError, rng } from '../helpers/numeric';

describe('wordEmbeddingForward / wordEmbeddingBackward', () => {
  it('looks up rows of W (fixed case)', () => {
    const W = Matrix.from([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const { out } = wordEmbeddingForward(
      [
        [2, 0],
        [1, 1],
      ],
      W,
    );
    expect(out.toArray()).toEqual([
      [
        [5, 6],
        [1, 2],
      ],
      [
        [3, 4],
        [3, 4],
      ],
    ]);
  });

  it('adds up the rows of a repeated id, leaves unused rows at zero', () => {
    const W = Matrix.zeros(4, 2);
    const { cache } = wordEmbeddingForward([[1, 1, 3]], W);
    const dout = Tensor3.from([
      [
        [1, 10],
        [2, 20],
        [5, 50],
      ],
    ]);
    const { dW } = wordEmbeddingBackward(dout, cache);
    expect(dW.toArray()).toEqual([
      [0, 0],
      [3, 30],
      [0, 0],
      [5, 50],
    ]);
  });

  it('matches centered differences of Σ out ⊙ dout', () => {
    const rand = rng(11);
    const W = randMatrix(5, 3, rand);
    const ids = [
      [0, 4, 4, 2],
      [1, 0, 3, 4],
    ];
    const dout = randTensor(2, 4, 3, rand);
    const { cache } = wordEmbeddingForward(ids, W);
    const { dW } = wordEmbeddingBackward(dout, cache);
    const num = numericGrad(() => wordEmbeddingForward(ids, W).out.data, W.data, dout.data);
    expect(relError(dW.data, num)).toBeLessThan(1e-8);
  });

  it('property: dW sums to the sum of dout, row by row of the ids (random shapes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (V, N, T, D, seed) => {
          const rand = rng(seed);
          const ids = Array.from({ length: N }, () => Array.from({ length: T }, () => Math.floor(rand() * V)));
          const W = randMatrix(V, D, rand);
          const dout = randTensor(N, T, D, rand);
          const { cache } = wordEmbeddingForward(ids, W);
          const { dW } = wordEmbeddingBackward(dout, cache);
          const num = numericGrad(() => wordEmbeddingForward(ids, W).out.data, W.data, dout.data);
          return normRelError(dW.data, num) < 1e-8;
        },
      ),
      { numRuns: 30 },
    );
  });

  it('does not mutate its inputs', () => {
    const W = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const ids = [[0, 1]];
    const { out, cache } = wordEmbeddingForward(ids, W);
    out.data[0] = 99;
    ids[0]![0] = 1;
    expect(W.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const dout = Tensor3.from([
      [
        [1, 1],
        [1, 1],
      ],
    ]);
    wordEmbeddingBackward(dout, cache);
    expect(dout.toArray()).toEqual([
      [
        [1, 1],
        [1, 1],
      ],
    ]);
    // The cache kept its own copy of the ids: dW still goes to row 0 and row 1.
    expect(wordEmbeddingBackward(dout, cache).dW.toArray()).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it('rejects an out-of-range id, naming its position', () => {
    expect(() =>
      wordEmbeddingForward(
        [
          [0, 1],
          [2, 3],
        ],
        Matrix.zeros(3, 2),
      ),
    ).toThrow(RangeError);
    expect(() =>
      wordEmbeddingForward(
        [
          [0, 1],
          [2, 3],
        ],
        Matrix.zeros(3, 2),
      ),
    ).toThrow(
      new RegExp(
        /wordEmbeddingForward: ids\[1\]\[1\] is 3, past the last id 2; /.source +
          /ids must be integers in \[0, 3\) \(V = 3 from W's rows\)/.source,
      ),
    );
  });

  it('rejects a non-integer id, naming its position', () => {
    expect(() => wordEmbeddingForward([[0, 1.5]], Matrix.zeros(3, 2))).toThrow(
      new RegExp(
        /wordEmbeddingForward: ids\[0\]\[1\] is 1\.5, not an integer; /.source +
          /ids must be integers in \[0, 3\) \(V = 3 from W's rows\)/.source,
      ),
    );
  });

  it('rejects a negative id', () => {
    expect(() => wordEmbeddingForward([[-1]], Matrix.zeros(3, 2))).toThrow(
      /wordEmbeddingForward: ids\[0\]\[0\] is -1, below 0; ids must be integers in \[0, 3\) \(V = 3 from W's rows\)/,
    );
  });

  it('rejects ragged ids', () => {
    expect(() => wordEmbeddingForward([[0, 1], [0]], Matrix.zeros(3, 2))).toThrow(/ids is ragged/);
  });

  it('rejects ids that are not an array', () => {
    expect(() => wordEmbeddingForward('abc' as never, Matrix.zeros(3, 2))).toThrow(TypeError);
  });

  it('rejects a W that is not a Matrix', () => {
    expect(() => wordEmbeddingForward([[0]], [[1, 2]] as never)).toThrow(/W must be a Matrix/);
  });

  it('rejects a dout of the wrong shape', () => {
    const { cache } = wordEmbeddingForward([[0, 1]], Matrix.zeros(3, 2));
    expect(() => wordEmbeddingBackward(Tensor3.zeros(1, 2, 3), cache)).toThrow(
      new RegExp(
        /wordEmbeddingBackward: dout must be N×T×D = 1×2×2 \(the shape of out: N = 1, /.source +
          /T = 2 and D = 2 from the cache\), got 1×2×3/.source,
      ),
    );
  });

  it('rejects a cache that is not one', () => {
    expect(() => wordEmbeddingBackward(Tensor3.zeros(1, 1, 1), null as never)).toThrow(/cache must be/);
  });
});
