/**
 * One test per thrown error: the type, and a message that names the
 * function and the argument (and for shapes, the expected and actual shape).
 */
import { Matrix, ShapeError, Tensor3, gruBackward, gruForward, gruStepBackward, gruStepForward } from '../../src/index';
import { randMatrix, randTensor, rng } from '../helpers/numeric';
import { gruParams, gruWeights } from '../helpers/kernels';

const r = rng(3);
const [N, T, D, H] = [2, 3, 5, 4];
const x = randMatrix(N, D, r);
const hPrev = randMatrix(N, H, r);
const xs = randTensor(N, T, D, r);
const h0 = randMatrix(N, H, r);
const p = gruParams(gruWeights(D, H, r));
const step = gruStepForward(x, hPrev, p);
const seq = gruForward(xs, h0, p);
const dh = randMatrix(N, H, r);
const dhs = randTensor(N, T, H, r);
const bad = (rows: number, cols: number) => Matrix.zeros(rows, cols);

type Case = [label: string, thunk: () => unknown, type: ErrorConstructor | typeof ShapeError, mustName: RegExp];

const cases: Case[] = [
  // gruStepForward
  [
    'gruStepForward: x not a Matrix',
    () => gruStepForward([[1]] as never, hPrev, p),
    TypeError,
    /^gruStepForward: x must be a Matrix/,
  ],
  [
    'gruStepForward: hPrev not a Matrix',
    () => gruStepForward(x, null as never, p),
    TypeError,
    /^gruStepForward: hPrev must be a Matrix \(N×H = 2×4\), got null/,
  ],
  [
    'gruStepForward: hPrev batch ≠ x batch',
    () => gruStepForward(x, bad(N + 1, H), p),
    ShapeError,
    /^gruStepForward: hPrev must be N×H = 2×4 \(N = 2 from x, H = 4 from Wh\), got 3×4/,
  ],
  [
    'gruStepForward: p not a record',
    () => gruStepForward(x, hPrev, undefined as never),
    TypeError,
    /^gruStepForward: p must be a GruParams record/,
  ],
  [
    'gruStepForward: Wx missing',
    () => gruStepForward(x, hPrev, { ...p, Wx: undefined } as never),
    TypeError,
    /^gruStepForward: Wx must be a Matrix \(D×3H = 5×12\), got undefined/,
  ],
  [
    'gruStepForward: Wx D×4H (an LSTM weight)',
    () => gruStepForward(x, hPrev, { ...p, Wx: bad(D, 4 * H) }),
    ShapeError,
    /^gruStepForward: Wx must be D×3H = 5×12 \(D = 5 from x, H = 4 from Wh\), got 5×16/,
  ],
  [
    'gruStepForward: Wh wrong',
    () => gruStepForward(x, hPrev, { ...p, Wh: bad(3 * H, H) }),
    ShapeError,
    /^gruStepForward: Wh must be H×3H = 4×12 \(H = 4 from Wx's columns \/ 3\), got 12×4; that is its transpose/,
  ],
  [
    'gruStepForward: bx wrong',
    () => gruStepForward(x, hPrev, { ...p, bx: bad(1, H) }),
    ShapeError,
    /^gruStepForward: bx must be 1×3H = 1×12 \(H = 4 from Wh\), got 1×4/,
  ],
  [
    'gruStepForward: bh wrong',
    () => gruStepForward(x, hPrev, { ...p, bh: bad(3 * H, 1) }),
    ShapeError,
    /^gruStepForward: bh must be 1×3H = 1×12 \(H = 4 from Wh\), got 12×1/,
  ],
  // gruStepBackward
  [
    'gruStepBackward: cache not a record',
    () => gruStepBackward(dh, 'cache' as never),
    TypeError,
    /^gruStepBackward: cache must be the cache returned by gruStepForward, got the string "cache"/,
  ],
  [
    'gruStepBackward: cache.x not a Matrix',
    () => gruStepBackward(dh, { ...step.cache, x: undefined } as never),
    TypeError,
    /^gruStepBackward: cache\.x must be a Matrix/,
  ],
  [
    'gruStepBackward: cache.hPrev not a Matrix',
    () => gruStepBackward(dh, { ...step.cache, hPrev: {} } as never),
    TypeError,
    /^gruStepBackward: cache\.hPrev must be a Matrix/,
  ],
  [
    'gruStepBackward: cache.hPrev batch ≠ cache.x batch',
    () => gruStepBackward(dh, { ...step.cache, hPrev: bad(N + 1, H) }),
    ShapeError,
    /^gruStepBackward: cache\.hPrev must be N×H = 2×4 \(N = 2 from cache\.x, H = 4 from cache\.hPrev\), got 3×4/,
  ],
  [
    'gruStepBackward: cache.gates wrong',
    () => gruStepBackward(dh, { ...step.cache, gates: bad(N, 4 * H) }),
    ShapeError,
    /^gruStepBackward: cache\.gates must be N×3H = 2×12 \(N = 2 from cache\.x, H = 4 from cache\.hPrev\), got 2×16/,
  ],
  [
    'gruStepBackward: cache.hn wrong',
    () => gruStepBackward(dh, { ...step.cache, hn: bad(N, 3 * H) }),
    ShapeError,
    /^gruStepBackward: cache\.hn must be N×H = 2×4 \(N = 2 from cache\.x, H = 4 from cache\.hPrev\), got 2×12/,
  ],
  [
    'gruStepBackward: cache.params wrong',
    () => gruStepBackward(dh, { ...step.cache, params: { ...p, Wh: bad(H, H) } }),
    ShapeError,
    /^gruStepBackward: cache\.params\.Wh must be H×3H = 4×12 \(H = 4 from cache\.hPrev\), got 4×4/,
  ],
  [
    'gruStepBackward: dh wrong',
    () => gruStepBackward(bad(N, H + 1), step.cache),
    ShapeError,
    /^gruStepBackward: dh must be N×H = 2×4 \(the shape of h: N = 2 and H = 4 from the cache\), got 2×5/,
  ],
  // gruForward
  [
    'gruForward: x not a Tensor3',
    () => gruForward(x as never, h0, p),
    TypeError,
    new RegExp(
      /^gruForward: x must be a Tensor3 \(N×T×D: batch × time × features\), got a Matrix \(2×5\); /.source +
        /a sequence x is N×T×D — use Tensor3 \(or gruStepForward for one step\)/.source,
    ),
  ],
  [
    'gruForward: h0 not a Matrix',
    () => gruForward(xs, [[0]] as never, p),
    TypeError,
    new RegExp(
      /^gruForward: h0 must be a Matrix \(N×H = 2×4\), got a plain 1×1 array of numbers; /.source +
        /wrap it with Matrix\.from\(h0\) \(a 1×1 Matrix\)/.source,
    ),
  ],
  [
    'gruForward: h0 batch ≠ x batch',
    () => gruForward(xs, bad(1, H), p),
    ShapeError,
    /^gruForward: h0 must be N×H = 2×4 \(N = 2 from x, H = 4 from Wh\), got 1×4/,
  ],
  [
    'gruForward: p not a record',
    () => gruForward(xs, h0, [] as never),
    TypeError,
    /^gruForward: p must be a GruParams record \{ Wx, Wh, bx, bh \}, got an empty array/,
  ],
  [
    'gruForward: Wx rows ≠ D',
    () => gruForward(xs, h0, { ...p, Wx: bad(D + 1, 3 * H) }),
    ShapeError,
    /^gruForward: Wx must be D×3H = 5×12 \(D = 5 from x, H = 4 from Wh\), got 6×12/,
  ],
  // gruBackward
  [
    'gruBackward: cache not a record',
    () => gruBackward(dhs, null as never),
    TypeError,
    /^gruBackward: cache must be the cache returned by gruForward, got null/,
  ],
  [
    'gruBackward: cache.x not a Tensor3',
    () => gruBackward(dhs, { ...seq.cache, x: x } as never),
    TypeError,
    /^gruBackward: cache\.x must be a Tensor3/,
  ],
  [
    'gruBackward: cache.h0 not a Matrix',
    () => gruBackward(dhs, { ...seq.cache, h0: 0 } as never),
    TypeError,
    /^gruBackward: cache\.h0 must be a Matrix, got the number 0/,
  ],
  [
    'gruBackward: cache.h0 batch ≠ cache.x batch',
    () => gruBackward(dhs, { ...seq.cache, h0: bad(N + 2, H) }),
    ShapeError,
    /^gruBackward: cache\.h0 must be N×H = 2×4 \(N = 2 from cache\.x, H = 4 from cache\.h0\), got 4×4/,
  ],
  [
    'gruBackward: cache.h wrong',
    () => gruBackward(dhs, { ...seq.cache, h: Tensor3.zeros(N, T + 1, H) }),
    ShapeError,
    /^gruBackward: cache\.h must be N×T×H = 2×3×4 \(N = 2 and T = 3 from cache\.x, H = 4 from cache\.h0\), got 2×4×4/,
  ],
  [
    'gruBackward: cache.gates not a Float64Array',
    () => gruBackward(dhs, { ...seq.cache, gates: [] } as never),
    TypeError,
    /^gruBackward: cache\.gates must be a Float64Array, got an empty array/,
  ],
  [
    'gruBackward: cache.gates wrong length',
    () => gruBackward(dhs, { ...seq.cache, gates: new Float64Array(T * N * 4 * H) }),
    RangeError,
    /^gruBackward: cache\.gates must hold 72 values for N=2, T=3, H=4, got 96/,
  ],
  [
    'gruBackward: cache.hn not a Float64Array',
    () => gruBackward(dhs, { ...seq.cache, hn: undefined } as never),
    TypeError,
    /^gruBackward: cache\.hn must be a Float64Array, got undefined/,
  ],
  [
    'gruBackward: cache.hn wrong length',
    () => gruBackward(dhs, { ...seq.cache, hn: new Float64Array(1) }),
    RangeError,
    /^gruBackward: cache\.hn must hold 24 values for N=2, T=3, H=4, got 1/,
  ],
  [
    'gruBackward: cache.params wrong',
    () => gruBackward(dhs, { ...seq.cache, params: { ...p, bh: bad(1, 3) } }),
    ShapeError,
    /^gruBackward: cache\.params\.bh must be 1×3H = 1×12 \(H = 4 from cache\.h0\), got 1×3/,
  ],
  [
    'gruBackward: dh wrong',
    () => gruBackward(randTensor(N, T - 1, H, r), seq.cache),
    ShapeError,
    /^gruBackward: dh must be N×T×H = 2×3×4 \(the shape of h: N = 2, T = 3 and H = 4 from the cache\), got 2×2×4/,
  ],
];

describe.each(cases)('%s', (_label, thunk, type, mustName) => {
  test(`throws ${type.name} naming the argument`, () => {
    let caught: unknown;
    try {
      thunk();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(mustName);
    if (type === ShapeError)
      expect((caught as ShapeError).argument).toMatch(/^(cache\.(params\.)?)?(x|hPrev|h0|h|gates|hn|dh|Wx|Wh|bx|bh)$/);
  });
});
