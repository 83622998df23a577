/**
 * One test per thrown error of the argument checks, with its exact text: a
 * wrong call is told what is actually wrong — the kind of value given and how
 * to make the right one, where each expected size was read (N, T, D from x,
 * H from Wh), which forward made a wrong cache, what a bad id is. Each cell
 * case runs on both paths (`handgrad` and `handgrad/reference`, which share
 * the checks) and must give the same text; run the file under
 * HANDGRAD_TIER=ts and =wasm for both tiers (the checks come before any
 * arithmetic, so the tier must not change a word).
 */
import * as fast from '../../src/index';
import { Matrix, ShapeError, Tensor3 } from '../../src/index';
import * as reference from '../../src/reference';
import { numericGradient } from '../../src/gradcheck/index';
import { matmul, tanhInto } from '../../src/linalg/public';
import {
  adam,
  initGruParams,
  initRecurrentWeights,
  randomOrthogonal,
  sampleIndex,
  seededRandom,
  temporalAffineBackward,
  temporalAffineForward,
  temporalSoftmaxLoss,
  wordEmbeddingBackward,
  wordEmbeddingForward,
} from '../../src/train/index';

type ErrorType = typeof TypeError | typeof RangeError | typeof ShapeError;

/** The error `f` throws: its class and its whole message. */
function thrown(f: () => unknown): { type: string; message: string } {
  try {
    f();
  } catch (e) {
    return { type: (e as Error).constructor.name, message: (e as Error).message };
  }
  return { type: 'nothing', message: '' };
}

const rnnP = (D: number, H: number) => ({ Wx: Matrix.zeros(D, H), Wh: Matrix.zeros(H, H), b: Matrix.zeros(1, H) });
const lstmP = (D: number, H: number) => ({
  Wx: Matrix.zeros(D, 4 * H),
  Wh: Matrix.zeros(H, 4 * H),
  b: Matrix.zeros(1, 4 * H),
});
const gruP = (D: number, H: number) => ({
  Wx: Matrix.zeros(D, 3 * H),
  Wh: Matrix.zeros(H, 3 * H),
  bx: Matrix.zeros(1, 3 * H),
  bh: Matrix.zeros(1, 3 * H),
});

type Api = typeof fast | typeof reference;
type Case = [label: string, call: (api: Api) => unknown, type: ErrorType, message: string];

const [N, T, D, H] = [2, 3, 4, 5];
const x = () => Tensor3.zeros(N, T, D);
const xt = () => Matrix.zeros(N, D);
const state = () => Matrix.zeros(N, H);

/** Cell cases: the same call on both paths, the same exact message. */
const cellCases: Case[] = [
  // The kind of value.
  [
    'a Matrix where a sequence x goes',
    (api) => api.rnnForward(Matrix.zeros(2, 3) as never, state(), rnnP(3, H)),
    TypeError,
    'rnnForward: x must be a Tensor3 (N×T×D: batch × time × features), got a Matrix (2×3); ' +
      'a sequence x is N×T×D — use Tensor3 (or rnnStepForward for one step)',
  ],
  [
    "a Tensor3 where one step's x goes",
    (api) => api.gruStepForward(x() as never, state(), gruP(D, H)),
    TypeError,
    'gruStepForward: x must be a Matrix (N×D: batch × features), got a Tensor3 (2×3×4); ' +
      "one step's x is N×D — pass x.step(t) (or gruForward for a sequence)",
  ],
  [
    'a Tensor3 where h0 goes',
    (api) => api.lstmForward(x(), Tensor3.zeros(N, T, H) as never, lstmP(D, H)),
    TypeError,
    'lstmForward: h0 must be a Matrix (N×H = 2×5), got a Tensor3 (2×3×5); ' +
      'a Tensor3 holds a sequence — take one time step with h0.step(t)',
  ],
  [
    'a plain N×T×D array as x',
    (api) => api.rnnForward([[[1, 2, 3, 4]], [[5, 6, 7, 8]]] as never, state(), rnnP(D, H)),
    TypeError,
    'rnnForward: x must be a Tensor3 (N×T×D: batch × time × features), got a plain 2×1×4 array of numbers; ' +
      'wrap it with Tensor3.from(x) (a 2×1×4 Tensor3)',
  ],
  [
    'a plain 2-level array as a sequence x',
    (api) => api.rnnForward([[1, 2, 3, 4]] as never, state(), rnnP(D, H)),
    TypeError,
    'rnnForward: x must be a Tensor3 (N×T×D: batch × time × features), got a plain 1×4 array of numbers; ' +
      'Tensor3.from takes a[n][t][d] (number[][][]), this has 2 levels',
  ],
  [
    'a ragged array as x (one row shorter than the first)',
    (api) => api.rnnForward([[[1, 2, 3, 4]], [[5, 6, 7]]] as never, state(), rnnP(D, H)),
    TypeError,
    'rnnForward: x must be a Tensor3 (N×T×D: batch × time × features), got a ragged array ' +
      '([1][0] holds 3 values, [0][0] holds 4); every row must hold the same number of values',
  ],
  [
    'a ragged array as hPrev (a number where a row goes)',
    (api) => api.rnnStepForward(xt(), [[0, 0, 0, 0, 0], 0] as never, rnnP(D, H)),
    TypeError,
    'rnnStepForward: hPrev must be a Matrix (N×H = 2×5), got a ragged array ([1] is the number 0, [0] an array ' +
      'of 5); every row must hold the same number of values',
  ],
  [
    'a plain 2-level array as hPrev',
    (api) => api.rnnStepForward(xt(), [[0, 0, 0, 0, 0]] as never, rnnP(D, H)),
    TypeError,
    'rnnStepForward: hPrev must be a Matrix (N×H = 2×5), got a plain 1×5 array of numbers; ' +
      'wrap it with Matrix.from(hPrev) (a 1×5 Matrix)',
  ],
  [
    'a flat array as the bias',
    (api) => api.rnnStepForward(xt(), state(), { ...rnnP(D, H), b: [0, 0, 0, 0, 0] as never }),
    TypeError,
    'rnnStepForward: b must be a Matrix (1×H = 1×5), got a plain array of 5 numbers; ' +
      'Matrix.from takes rows (number[][]): Matrix.from([b]) is 1×5',
  ],
  [
    'a Float32Array as h0',
    (api) => api.gruForward(x(), new Float32Array(N * H) as never, gruP(D, H)),
    TypeError,
    'gruForward: h0 must be a Matrix (N×H = 2×5), got a Float32Array of 10 values; ' +
      'handgrad computes in float64: new Matrix(rows, cols, Float64Array.from(h0))',
  ],
  [
    'a bare Float64Array as h0',
    (api) => api.gruForward(x(), new Float64Array(N * H) as never, gruP(D, H)),
    TypeError,
    'gruForward: h0 must be a Matrix (N×H = 2×5), got a Float64Array of 10 values; ' +
      'wrap it: new Matrix(rows, cols, h0)',
  ],
  [
    'a matrix-like Wx holding a Float32Array',
    (api) =>
      api.lstmStepForward(xt(), state(), state(), {
        ...lstmP(D, H),
        Wx: { rows: D, cols: 20, data: new Float32Array(80) } as never,
      }),
    TypeError,
    'lstmStepForward: Wx must be a Matrix (Float64Array data), got a 4×20 matrix-like object whose data is ' +
      'a Float32Array; convert it: new Matrix(4, 20, Float64Array.from(Wx.data))',
  ],
  [
    'a tensor-like x holding a Float32Array',
    (api) => api.rnnForward({ dims: [N, T, D], data: new Float32Array(N * T * D) } as never, state(), rnnP(D, H)),
    TypeError,
    'rnnForward: x must be a Tensor3 (Float64Array data), got a 2×3×4 tensor-like object whose data is ' +
      'a Float32Array; convert it: new Tensor3(2, 3, 4, Float64Array.from(x.data))',
  ],
  [
    'a Matrix where the params record goes',
    (api) => api.rnnForward(x(), state(), Matrix.zeros(D, H) as never),
    TypeError,
    'rnnForward: p must be an RnnParams record { Wx, Wh, b }, got a Matrix (4×5); rnnForward takes (x, h0, p)',
  ],
  [
    'h0 and p swapped',
    (api) => api.gruForward(x(), gruP(D, H) as never, state() as never),
    TypeError,
    'gruForward: p must be a GruParams record { Wx, Wh, bx, bh }, got a Matrix (2×5); gruForward takes (x, h0, p)',
  ],
  [
    'cPrev left out',
    (api) => (api.lstmStepForward as (...a: unknown[]) => unknown)(xt(), state(), lstmP(D, H)),
    TypeError,
    'lstmStepForward: p must be an LstmParams record { Wx, Wh, b }, got undefined; ' +
      'lstmStepForward takes (x, hPrev, cPrev, p)',
  ],
  [
    'a params record where hPrev goes',
    (api) => (api.rnnStepForward as (...a: unknown[]) => unknown)(xt(), rnnP(D, H), rnnP(D, H)),
    TypeError,
    'rnnStepForward: hPrev must be a Matrix (N×H = 2×5), got an object with keys Wx, Wh, b; ' +
      'rnnStepForward takes (x, hPrev, p)',
  ],
  [
    "an LSTM's whole params record given to an RNN",
    (api) => api.rnnForward(x(), state(), lstmP(D, H) as never),
    TypeError,
    'rnnForward: p holds the weights of an LSTM (lstm…): Wx 4×20 and Wh 5×20 are 4 gate blocks of H = 5; ' +
      'rnnForward takes an RnnParams record { Wx, Wh, b } of 1 block (Wh H×H = 5×5)',
  ],
  [
    'a string where the params record goes',
    (api) => api.lstmStepForward(xt(), state(), state(), 'params' as never),
    TypeError,
    'lstmStepForward: p must be an LstmParams record { Wx, Wh, b }, got the string "params"',
  ],
  [
    "a GRU's params given to an RNN",
    (api) => api.rnnForward(x(), state(), gruP(D, H) as never),
    TypeError,
    'rnnForward: p has bx and bh but no b: it looks like a GruParams record; ' +
      'rnnForward takes an RnnParams record { Wx, Wh, b }',
  ],
  [
    "an LSTM's params given to a GRU",
    (api) => api.gruStepForward(xt(), state(), lstmP(D, H) as never),
    TypeError,
    'gruStepForward: p has b but no bx and bh: it looks like an RnnParams or LstmParams record; ' +
      'gruStepForward takes a GruParams record { Wx, Wh, bx, bh }',
  ],
  // Where each size was read.
  [
    'an h0 one column too wide is blamed on h0, with N from x and H from Wh',
    (api) => api.rnnForward(Tensor3.zeros(4, 3, 32), Matrix.zeros(4, 65), rnnP(32, 64)),
    ShapeError,
    'rnnForward: h0 must be N×H = 4×64 (N = 4 from x, H = 64 from Wh), got 4×65',
  ],
  [
    'an hPrev of another batch size',
    (api) => api.gruStepForward(xt(), Matrix.zeros(N + 1, H), gruP(D, H)),
    ShapeError,
    'gruStepForward: hPrev must be N×H = 2×5 (N = 2 from x, H = 5 from Wh), got 3×5',
  ],
  [
    'a cPrev of another width',
    (api) => api.lstmStepForward(xt(), state(), Matrix.zeros(N, H - 1), lstmP(D, H)),
    ShapeError,
    'lstmStepForward: cPrev must be N×H = 2×5 (N = 2 from x, H = 5 from Wh), got 2×4',
  ],
  [
    'a c0 of another batch size',
    (api) => api.lstmForward(x(), state(), lstmP(D, H), Matrix.zeros(N + 1, H)),
    ShapeError,
    'lstmForward: c0 must be N×H = 2×5 (N = 2 from x, H = 5 from Wh), got 3×5',
  ],
  [
    'a Wx for another input size',
    (api) => api.lstmForward(x(), state(), { ...lstmP(D, H), Wx: Matrix.zeros(D + 1, 4 * H) }),
    ShapeError,
    'lstmForward: Wx must be D×4H = 4×20 (D = 4 from x, H = 5 from Wh), got 5×20',
  ],
  [
    'a transposed Wx (PyTorch layout)',
    (api) => api.lstmForward(x(), state(), { ...lstmP(D, H), Wx: Matrix.zeros(4 * H, D) }),
    ShapeError,
    'lstmForward: Wx must be D×4H = 4×20 (D = 4 from x, H = 5 from Wh), got 20×4; ' +
      "that is its transpose (PyTorch's weight_ih is 4H×D)",
  ],
  [
    'a transposed Wh is checked against H from Wx',
    (api) => api.gruForward(x(), state(), { ...gruP(D, H), Wh: Matrix.zeros(3 * H, H) }),
    ShapeError,
    "gruForward: Wh must be H×3H = 5×15 (H = 5 from Wx's columns / 3), got 15×5; that is its transpose",
  ],
  [
    "a vanilla RNN's Wh given to an LSTM",
    (api) => api.lstmStepForward(xt(), state(), state(), { ...lstmP(D, H), Wh: Matrix.zeros(H, H) }),
    ShapeError,
    "lstmStepForward: Wh must be H×4H = 5×20 (H = 5 from Wx's columns / 4), got 5×5; " +
      '5×5 is H×H, the Wh of a vanilla RNN (rnn…)',
  ],
  [
    'a square Wh of another size than Wx and b agree on is blamed itself',
    (api) =>
      api.rnnForward(Tensor3.zeros(4, 3, 32), Matrix.zeros(4, 64), { ...rnnP(32, 64), Wh: Matrix.zeros(65, 65) }),
    ShapeError,
    'rnnForward: Wh must be H×H = 64×64 (H = 64 from the columns of Wx and b), got 65×65',
  ],
  [
    'a bias of another width',
    (api) => api.gruStepForward(xt(), state(), { ...gruP(D, H), bh: Matrix.zeros(1, H) }),
    ShapeError,
    'gruStepForward: bh must be 1×3H = 1×15 (H = 5 from Wh), got 1×5',
  ],
  [
    'a missing weight',
    (api) => api.rnnStepForward(xt(), state(), { Wh: Matrix.zeros(H, H), b: Matrix.zeros(1, H) } as never),
    TypeError,
    'rnnStepForward: Wx must be a Matrix (D×H = 4×5), got undefined',
  ],
];

describe.each([
  ['handgrad', fast as Api],
  ['handgrad/reference', reference as Api],
])('%s: the forwards name what is wrong', (_path, api) => {
  test.each(cellCases)('%s', (_label, call, type, message) => {
    expect(thrown(() => call(api))).toEqual({ type: type.name, message });
  });
});

/** Backward cases: what each path's cache is refused as, and upstream gradients of the wrong shape. */
describe.each([
  ['handgrad', fast as Api, reference as Api, "handgrad/reference's "],
  ['handgrad/reference', reference as Api, fast as Api, "handgrad's "],
])('%s: the backwards name the cache they were given', (_path, api, other, otherPath) => {
  const dh = () => Tensor3.zeros(N, T, H);
  const lstm = () => api.lstmForward(x(), state(), lstmP(D, H));

  test("an LSTM's cache given to rnnBackward", () => {
    const has = api === fast ? 'h0, c and tanhC' : 'steps, each with cPrev and the gates f, i, g, o';
    expect(thrown(() => api.rnnBackward(dh(), lstm().cache as never))).toEqual({
      type: 'TypeError',
      message:
        `rnnBackward: cache is an lstmForward cache (it has ${has}); pass it to lstmBackward — ` +
        'rnnBackward takes the cache of rnnForward',
    });
  });

  test("the other path's LSTM cache given to gruBackward names the path to take it to", () => {
    const { cache } = other.lstmForward(x(), state(), lstmP(D, H));
    const has = other === fast ? 'h0, c and tanhC' : 'steps, each with cPrev and the gates f, i, g, o';
    expect(thrown(() => api.gruBackward(dh(), cache as never))).toEqual({
      type: 'TypeError',
      message:
        `gruBackward: cache is an lstmForward cache (it has ${has}); pass it to ${otherPath}lstmBackward — ` +
        'gruBackward takes the cache of gruForward',
    });
  });

  test('a step cache given to a sequence backward', () => {
    const { cache } = api.rnnStepForward(xt(), state(), rnnP(D, H));
    expect(thrown(() => api.rnnBackward(dh(), cache as never))).toEqual({
      type: 'TypeError',
      message:
        'rnnBackward: cache is an rnnStepForward cache (it has hPrev and h, no gates); pass it to rnnStepBackward — ' +
        'rnnBackward takes the cache of rnnForward',
    });
  });

  test('a sequence cache given to a step backward', () => {
    const { cache } = api.gruForward(x(), state(), gruP(D, H));
    const has = api === fast ? 'h0, gates and hn' : 'steps, each with hn and the gates r, z, n';
    expect(thrown(() => api.gruStepBackward(state(), cache as never))).toEqual({
      type: 'TypeError',
      message:
        `gruStepBackward: cache is a gruForward cache (it has ${has}); pass it to gruBackward — ` +
        'gruStepBackward takes the cache of gruStepForward',
    });
  });

  test("a GRU step's cache given to lstmStepBackward", () => {
    const { cache } = api.gruStepForward(xt(), state(), gruP(D, H));
    const has = api === fast ? 'hn and gates' : 'hn and the gates r, z, n';
    expect(thrown(() => api.lstmStepBackward(state(), state(), cache as never))).toEqual({
      type: 'TypeError',
      message:
        `lstmStepBackward: cache is a gruStepForward cache (it has ${has}); pass it to gruStepBackward — ` +
        'lstmStepBackward takes the cache of lstmStepForward',
    });
  });

  test('the whole forward result given instead of its cache', () => {
    expect(thrown(() => api.lstmBackward(dh(), lstm() as never))).toEqual({
      type: 'TypeError',
      message:
        'lstmBackward: cache is the whole result of lstmForward ({ h, c, cache }), not its cache; pass result.cache',
    });
  });

  test('a dh of another length, the same text on both paths', () => {
    expect(thrown(() => api.lstmBackward(Tensor3.zeros(N, T + 1, H), lstm().cache as never))).toEqual({
      type: 'ShapeError',
      message:
        'lstmBackward: dh must be N×T×H = 2×3×5 (the shape of h: N = 2, T = 3 and H = 5 from the cache), got 2×4×5',
    });
  });

  test('a dh given as a Matrix to a sequence backward', () => {
    expect(
      thrown(() => api.rnnBackward(state() as never, api.rnnForward(x(), state(), rnnP(D, H)).cache as never)),
    ).toEqual({
      type: 'TypeError',
      message:
        'rnnBackward: dh must be a Tensor3 (N×T×H = 2×3×5), got a Matrix (2×5); dh is a sequence (N×T×…) — use Tensor3',
    });
  });

  test('dcNext left out of an LSTM step backward', () => {
    const { cache } = api.lstmStepForward(xt(), state(), state(), lstmP(D, H));
    expect(thrown(() => (api.lstmStepBackward as (...a: unknown[]) => unknown)(state(), cache))).toEqual({
      type: 'TypeError',
      message:
        'lstmStepBackward: cache must be the cache returned by lstmStepForward, got undefined; ' +
        'lstmStepBackward takes (dh, dcNext, cache)',
    });
  });

  test('a step cache missing a field is told by its params, and the field named', () => {
    const { cPrev: _, ...rest } = api.lstmStepForward(xt(), state(), state(), lstmP(D, H)).cache as never as Record<
      string,
      unknown
    >;
    expect(thrown(() => api.lstmStepBackward(state(), state(), rest as never))).toEqual({
      type: 'TypeError',
      message: 'lstmStepBackward: cache.cPrev must be a Matrix (N×H = 2×5), got undefined',
    });
  });

  test('a dcNext of another width', () => {
    const { cache } = api.lstmStepForward(xt(), state(), state(), lstmP(D, H));
    expect(thrown(() => api.lstmStepBackward(state(), Matrix.zeros(N, H + 1), cache as never))).toEqual({
      type: 'ShapeError',
      message: 'lstmStepBackward: dcNext must be N×H = 2×5 (the shape of c: N = 2 and H = 5 from the cache), got 2×6',
    });
  });
});

describe('word ids say what they are', () => {
  const W = Matrix.zeros(7, 3);
  const rule = "; ids must be integers in [0, 7) (V = 7 from W's rows)";
  test.each<[string, unknown, ErrorType, string]>([
    ['the string "1"', '1', TypeError, `ids[0][0] is the string "1"${rule}; convert it with Number(…)`],
    ['a word, not an id', 'cat', TypeError, `ids[0][0] is the string "cat"${rule}`],
    ['a float', 1.5, RangeError, `ids[0][0] is 1.5, not an integer${rule}`],
    ['NaN', Number.NaN, RangeError, `ids[0][0] is NaN${rule}`],
    ['a negative id', -1, RangeError, `ids[0][0] is -1, below 0${rule}`],
    ['an id of V', 7, RangeError, `ids[0][0] is 7, past the last id 6${rule}`],
    ['Infinity', Number.POSITIVE_INFINITY, RangeError, `ids[0][0] is Infinity, not an integer${rule}`],
    ['a bigint', 1n, TypeError, `ids[0][0] is the bigint 1n${rule}; convert it with Number(…)`],
    ['null', null, TypeError, `ids[0][0] is null${rule}`],
    ['undefined', undefined, TypeError, `ids[0][0] is undefined${rule}`],
    ['a boolean', true, TypeError, `ids[0][0] is the boolean true${rule}`],
  ])('%s', (_label, id, type, message) => {
    expect(thrown(() => wordEmbeddingForward([[id as number, 0]], W))).toEqual({
      type: type.name,
      message: `wordEmbeddingForward: ${message}`,
    });
  });

  test('ids and W swapped', () => {
    expect(thrown(() => wordEmbeddingForward(W as never, [[1, 2]] as never))).toEqual({
      type: 'TypeError',
      message:
        'wordEmbeddingForward: ids is a Matrix (7×3) and W a plain 1×2 array of numbers: the arguments are (ids, W)',
    });
  });

  test('one row of ids without the outer array', () => {
    expect(thrown(() => wordEmbeddingForward([1, 2] as never, W))).toEqual({
      type: 'TypeError',
      message:
        'wordEmbeddingForward: ids[0] must be an array of integer ids, got the number 1; one row of ids is [ids]',
    });
  });

  test('a target of V names the scores as V’s source', () => {
    expect(thrown(() => temporalSoftmaxLoss(Tensor3.zeros(1, 2, 3), [[0, 3]]))).toEqual({
      type: 'RangeError',
      message:
        'temporalSoftmaxLoss: targets[0][1] is 3, past the last id 2; ' +
        'targets must be integers in [0, 3) (V = 3 from scores)',
    });
  });

  test('targets of another N×T', () => {
    expect(thrown(() => temporalSoftmaxLoss(Tensor3.zeros(2, 2, 3), [[0, 1]]))).toEqual({
      type: 'RangeError',
      message: 'temporalSoftmaxLoss: targets must be N×T = 2×2 (N = 2 and T = 2 from scores), got 1×2',
    });
  });
});

describe('the temporal affine layer says where D and M come from', () => {
  test('a W with other rows than x has features', () => {
    expect(thrown(() => temporalAffineForward(Tensor3.zeros(1, 2, 3), Matrix.zeros(4, 2), Matrix.zeros(1, 2)))).toEqual(
      {
        type: 'ShapeError',
        message: "temporalAffineForward: W must be D×M = 3×2 (D = 3 from x, M = 2 from W's columns), got 4×2",
      },
    );
  });

  test('a b of another width than W', () => {
    expect(thrown(() => temporalAffineForward(Tensor3.zeros(1, 2, 3), Matrix.zeros(3, 2), Matrix.zeros(1, 3)))).toEqual(
      {
        type: 'ShapeError',
        message: 'temporalAffineForward: b must be 1×M = 1×2 (M = 2 from W), got 1×3',
      },
    );
  });
});

describe('training helpers name what they were given', () => {
  test("an RNN's gradients given with a GRU's params", () => {
    const p = gruP(D, H);
    const { dWx, dWh, db } = fast.rnnBackward(Tensor3.zeros(N, T, H), fast.rnnForward(x(), state(), rnnP(D, H)).cache);
    expect(thrown(() => adam(p, { dWx, dWh, db } as never, undefined))).toEqual({
      type: 'RangeError',
      message:
        'adam: grads is missing dbx (the gradient of params.bx); ' +
        "it has db, gradients of other params (another cell's backward?)",
    });
  });

  test('a seed where the random source goes', () => {
    expect(thrown(() => initGruParams(D, H, 7 as never))).toEqual({
      type: 'TypeError',
      message:
        'initGruParams: rand must be a function returning draws in [0, 1), e.g. seededRandom(1), ' +
        'got the number 7; for the seed 7, pass seededRandom(7)',
    });
  });
});

describe('the constructors say how to make their data', () => {
  test('a plain array as a Matrix’s data', () => {
    expect(thrown(() => new Matrix(1, 2, [1, 2] as never))).toEqual({
      type: 'TypeError',
      message:
        'Matrix: data must be a Float64Array, got a plain array of 2 numbers; convert it with Float64Array.from(data)',
    });
  });

  test('a Float32Array as a Tensor3’s data', () => {
    expect(thrown(() => new Tensor3(1, 1, 2, new Float32Array(2) as never))).toEqual({
      type: 'TypeError',
      message:
        'Tensor3: data must be a Float64Array, got a Float32Array of 2 values; convert it with Float64Array.from(data)',
    });
  });

  test('flat values given to Matrix.from', () => {
    expect(thrown(() => Matrix.from(new Float64Array(4) as never))).toEqual({
      type: 'TypeError',
      message:
        'Matrix.from: expected an array of rows (number[][]), got a Float64Array of 4 values; ' +
        'for flat values use new Matrix(rows, cols, data)',
    });
  });
});

describe('the layers name the cache they were given', () => {
  test("an RNN's cache given to temporalAffineBackward", () => {
    const { cache } = fast.rnnForward(x(), state(), rnnP(D, H));
    expect(thrown(() => temporalAffineBackward(Tensor3.zeros(N, T, H), cache as never))).toEqual({
      type: 'TypeError',
      message:
        'temporalAffineBackward: cache is an rnnForward cache (it has h0 and h, no gates); pass it to rnnBackward — ' +
        'temporalAffineBackward takes the cache of temporalAffineForward',
    });
  });

  test("a temporal affine layer's cache given to wordEmbeddingBackward", () => {
    const { cache } = temporalAffineForward(x(), Matrix.zeros(D, H), Matrix.zeros(1, H));
    expect(thrown(() => wordEmbeddingBackward(Tensor3.zeros(N, T, H), cache as never))).toEqual({
      type: 'TypeError',
      message:
        'wordEmbeddingBackward: cache is a temporalAffineForward cache (it has x, W and b); ' +
        'pass it to temporalAffineBackward — wordEmbeddingBackward takes the cache of wordEmbeddingForward',
    });
  });

  test('an id past a W that looks transposed', () => {
    expect(thrown(() => wordEmbeddingForward([[0, 5]], Matrix.zeros(4, 7)))).toEqual({
      type: 'RangeError',
      message:
        'wordEmbeddingForward: ids[0][1] is 5, past the last id 3; ' +
        "ids must be integers in [0, 4) (V = 4 from W's rows); W is 4×7, V×D with one row per id: is it transposed?",
    });
  });
});

describe('the block operations say what a wrong operand is', () => {
  test('a Tensor3 given to matmul', () => {
    expect(thrown(() => matmul(Tensor3.zeros(2, 3, 4) as never, Matrix.zeros(4, 5)))).toEqual({
      type: 'TypeError',
      message:
        'matmul: A must be a Matrix or matrix view (Float64Array data, offset, stride, rows, cols), ' +
        'got a Tensor3 (2×3×4); a Tensor3 holds a sequence — take one time step with A.step(t)',
    });
  });

  test('a matrix view over a Float32Array', () => {
    const src = { data: new Float32Array(12), offset: 0, stride: 4, rows: 3, cols: 4 };
    expect(thrown(() => tanhInto(Matrix.zeros(3, 4), src as never))).toEqual({
      type: 'TypeError',
      message:
        'tanhInto: src must be a Matrix (Float64Array data), ' +
        'got a 3×4 matrix-like object whose data is a Float32Array; ' +
        'convert it: new Matrix(3, 4, Float64Array.from(src.data))',
    });
  });
});

describe('the random helpers and the gradient checker name a missing argument', () => {
  test('randomOrthogonal without rand', () => {
    expect(thrown(() => (randomOrthogonal as (...a: unknown[]) => unknown)(3))).toEqual({
      type: 'TypeError',
      message:
        'randomOrthogonal: rand must be a function returning draws in [0, 1), e.g. seededRandom(1), got undefined',
    });
  });

  test('sampleIndex without weights', () => {
    expect(thrown(() => sampleIndex(null as never, seededRandom(1)))).toEqual({
      type: 'TypeError',
      message: 'sampleIndex: weights must be an array of non-negative numbers, got null',
    });
  });

  test('initRecurrentWeights with no gate blocks', () => {
    expect(thrown(() => initRecurrentWeights(3, 4, 0, seededRandom(1)))).toEqual({
      type: 'RangeError',
      message: 'initRecurrentWeights: gateCount must be a positive integer, got 0',
    });
  });

  test('seededRandom given a string', () => {
    expect(thrown(() => seededRandom('x' as never))).toEqual({
      type: 'TypeError',
      message: 'seededRandom: seed must be a finite number, got the string "x"',
    });
  });

  test('numericGradient without dout', () => {
    expect(thrown(() => numericGradient((m: Matrix) => m, Matrix.zeros(2, 2), null as never))).toEqual({
      type: 'TypeError',
      message:
        'numericGradient: dout must be a Matrix or a Tensor3, or an array of them (one per output of f), got null',
    });
  });

  test('numericGradient with an f that returns a number', () => {
    expect(thrown(() => numericGradient(() => 3 as never, Matrix.zeros(2, 2), Matrix.zeros(2, 2)))).toEqual({
      type: 'TypeError',
      message:
        'numericGradient: f(x) must be a Matrix or a Tensor3, or an array of them (the outputs of f), got the number 3',
    });
  });
});
