/**
 * Fuzz: every public function, fed a valid call with one argument (or one
 * params / cache field) replaced by something wrong, must throw ShapeError,
 * TypeError or RangeError — never anything else, never a result.
 */
import fc from 'fast-check';
import {
  Matrix,
  ShapeError,
  Tensor3,
  gruBackward,
  gruForward,
  gruStepBackward,
  gruStepForward,
  lstmBackward,
  lstmForward,
  lstmStepBackward,
  lstmStepForward,
  rnnBackward,
  rnnForward,
  rnnStepBackward,
  rnnStepForward,
} from '../../src/index';

type Args = Record<string, unknown>;
interface Target {
  name: string;
  make(N: number, T: number, D: number, H: number): Args;
  call(a: Args): unknown;
  /** Argument paths that may be corrupted; `p.Wx` reaches into a record. */
  paths: string[];
}

const weights = (D: number, H: number, G: number) => ({
  Wx: Matrix.zeros(D, G * H),
  Wh: Matrix.zeros(H, G * H),
  b: Matrix.zeros(1, G * H),
});
const gruWeights = (D: number, H: number) => ({
  Wx: Matrix.zeros(D, 3 * H),
  Wh: Matrix.zeros(H, 3 * H),
  bx: Matrix.zeros(1, 3 * H),
  bh: Matrix.zeros(1, 3 * H),
});
const M = (v: unknown) => v as Matrix;
const T3 = (v: unknown) => v as Tensor3;

const targets: Target[] = [
  {
    name: 'rnnStepForward',
    make: (N, _T, D, H) => ({ x: Matrix.zeros(N, D), hPrev: Matrix.zeros(N, H), p: weights(D, H, 1) }),
    call: (a) => rnnStepForward(M(a.x), M(a.hPrev), a.p as never),
    paths: ['x', 'hPrev', 'p', 'p.Wx', 'p.Wh', 'p.b'],
  },
  {
    name: 'rnnStepBackward',
    make: (N, _T, D, H) => ({
      dh: Matrix.zeros(N, H),
      cache: rnnStepForward(Matrix.zeros(N, D), Matrix.zeros(N, H), weights(D, H, 1)).cache,
    }),
    call: (a) => rnnStepBackward(M(a.dh), a.cache as never),
    paths: ['dh', 'cache', 'cache.x', 'cache.hPrev', 'cache.h', 'cache.params', 'cache.params.Wh'],
  },
  {
    name: 'rnnForward',
    make: (N, T, D, H) => ({ x: Tensor3.zeros(N, T, D), h0: Matrix.zeros(N, H), p: weights(D, H, 1) }),
    call: (a) => rnnForward(T3(a.x), M(a.h0), a.p as never),
    paths: ['x', 'h0', 'p', 'p.Wx', 'p.Wh', 'p.b'],
  },
  {
    name: 'rnnBackward',
    make: (N, T, D, H) => ({
      dh: Tensor3.zeros(N, T, H),
      cache: rnnForward(Tensor3.zeros(N, T, D), Matrix.zeros(N, H), weights(D, H, 1)).cache,
    }),
    call: (a) => rnnBackward(T3(a.dh), a.cache as never),
    paths: ['dh', 'cache', 'cache.x', 'cache.h0', 'cache.h', 'cache.params', 'cache.params.Wx'],
  },
  {
    name: 'lstmStepForward',
    make: (N, _T, D, H) => ({
      x: Matrix.zeros(N, D),
      hPrev: Matrix.zeros(N, H),
      cPrev: Matrix.zeros(N, H),
      p: weights(D, H, 4),
    }),
    call: (a) => lstmStepForward(M(a.x), M(a.hPrev), M(a.cPrev), a.p as never),
    paths: ['x', 'hPrev', 'cPrev', 'p', 'p.Wx', 'p.Wh', 'p.b'],
  },
  {
    name: 'lstmStepBackward',
    make: (N, _T, D, H) => ({
      dh: Matrix.zeros(N, H),
      dcNext: Matrix.zeros(N, H),
      cache: lstmStepForward(Matrix.zeros(N, D), Matrix.zeros(N, H), Matrix.zeros(N, H), weights(D, H, 4)).cache,
    }),
    call: (a) => lstmStepBackward(M(a.dh), M(a.dcNext), a.cache as never),
    paths: ['dh', 'dcNext', 'cache', 'cache.x', 'cache.hPrev', 'cache.cPrev', 'cache.gates', 'cache.tanhC', 'cache.params.b'],
  },
  {
    name: 'lstmForward',
    make: (N, T, D, H) => ({
      x: Tensor3.zeros(N, T, D),
      h0: Matrix.zeros(N, H),
      c0: Matrix.zeros(N, H),
      p: weights(D, H, 4),
    }),
    call: (a) => lstmForward(T3(a.x), M(a.h0), a.p as never, a.c0 as Matrix),
    paths: ['x', 'h0', 'c0', 'p', 'p.Wx', 'p.Wh', 'p.b'],
  },
  {
    name: 'lstmBackward',
    make: (N, T, D, H) => ({
      dh: Tensor3.zeros(N, T, H),
      dcT: Matrix.zeros(N, H),
      cache: lstmForward(Tensor3.zeros(N, T, D), Matrix.zeros(N, H), weights(D, H, 4)).cache,
    }),
    call: (a) => lstmBackward(T3(a.dh), a.cache as never, a.dcT as Matrix),
    paths: ['dh', 'dcT', 'cache', 'cache.x', 'cache.h0', 'cache.h', 'cache.c', 'cache.gates', 'cache.tanhC', 'cache.params.Wh'],
  },
  {
    name: 'gruStepForward',
    make: (N, _T, D, H) => ({ x: Matrix.zeros(N, D), hPrev: Matrix.zeros(N, H), p: gruWeights(D, H) }),
    call: (a) => gruStepForward(M(a.x), M(a.hPrev), a.p as never),
    paths: ['x', 'hPrev', 'p', 'p.Wx', 'p.Wh', 'p.bx', 'p.bh'],
  },
  {
    name: 'gruStepBackward',
    make: (N, _T, D, H) => ({
      dh: Matrix.zeros(N, H),
      cache: gruStepForward(Matrix.zeros(N, D), Matrix.zeros(N, H), gruWeights(D, H)).cache,
    }),
    call: (a) => gruStepBackward(M(a.dh), a.cache as never),
    paths: ['dh', 'cache', 'cache.x', 'cache.hPrev', 'cache.gates', 'cache.hn', 'cache.params.bh'],
  },
  {
    name: 'gruForward',
    make: (N, T, D, H) => ({ x: Tensor3.zeros(N, T, D), h0: Matrix.zeros(N, H), p: gruWeights(D, H) }),
    call: (a) => gruForward(T3(a.x), M(a.h0), a.p as never),
    paths: ['x', 'h0', 'p', 'p.Wx', 'p.Wh', 'p.bx', 'p.bh'],
  },
  {
    name: 'gruBackward',
    make: (N, T, D, H) => ({
      dh: Tensor3.zeros(N, T, H),
      cache: gruForward(Tensor3.zeros(N, T, D), Matrix.zeros(N, H), gruWeights(D, H)).cache,
    }),
    call: (a) => gruBackward(T3(a.dh), a.cache as never),
    paths: ['dh', 'cache', 'cache.x', 'cache.h0', 'cache.h', 'cache.gates', 'cache.hn', 'cache.params.Wh'],
  },
];

/** Something certainly wrong in place of `v` (never `undefined`, which is valid for optional arguments). */
function corrupt(v: unknown, pick: number, bump: number, definesT: boolean): unknown {
  const wrongs: unknown[] = [null, 42, 'matrix', [[1, 2], [3]], [[[1]], [[1, 2]]], { rows: 2 }, [], true];
  if (v instanceof Matrix) {
    wrongs.push(
      Matrix.zeros(v.rows + bump, v.cols),
      Matrix.zeros(v.rows, v.cols + bump),
      Tensor3.zeros(v.rows, 1, v.cols),
      v.toArray(),
      { rows: v.rows, cols: v.cols, data: new Float64Array(v.rows * v.cols + bump) },
    );
  } else if (v instanceof Tensor3) {
    const [N, T, D] = v.dims;
    wrongs.push(
      Tensor3.zeros(N + bump, T, D),
      // A sequence's x sets T, so a longer x is a valid call, not a wrong one.
      definesT ? Tensor3.zeros(N, T, D + bump) : Tensor3.zeros(N, T + bump, D),
      Tensor3.zeros(N, T, D + bump),
      Matrix.zeros(N, D),
      v.toArray(),
      { dims: [N, T, D], data: new Float64Array(N * T * D + bump) },
    );
  } else if (v instanceof Float64Array) {
    wrongs.push(new Float64Array(v.length + bump), Array.from(v));
  }
  return wrongs[pick % wrongs.length];
}

function withCorrupted(args: Args, path: string, pick: number, bump: number): Args {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...args, [head]: corrupt(args[head], pick, bump, path === 'x') };
  return { ...args, [head]: withCorrupted(args[head] as Args, rest.join('.'), pick, bump) };
}

const typedThrow = (call: () => unknown): boolean => {
  try {
    call();
    return false; // a result from a wrong call is the worst outcome
  } catch (err) {
    return err instanceof ShapeError || err instanceof TypeError || err instanceof RangeError;
  }
};

describe('every public kernel rejects a wrong argument with a typed error', () => {
  for (const target of targets) {
    test(target.name, () => {
      // The valid call itself succeeds, so the property below tests the corruption.
      expect(() => target.call(target.make(2, 3, 4, 5))).not.toThrow();
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom(...target.paths),
          fc.nat(),
          fc.integer({ min: 1, max: 3 }),
          (N, T, D, H, path, pick, bump) =>
            typedThrow(() => target.call(withCorrupted(target.make(N, T, D, H), path, pick, bump))),
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe('constructors reject ragged arrays and bad sizes with a typed error', () => {
  const badSize = fc.oneof(
    fc.integer({ min: -3, max: 0 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(NaN, Infinity, '2', null, undefined, [2]),
  );
  test('Matrix.zeros / Tensor3.zeros', () => {
    fc.assert(
      fc.property(badSize, fc.integer({ min: 1, max: 3 }), fc.nat(2), (bad, good, slot) => {
        const dims: unknown[] = [good, good, good];
        dims[slot] = bad;
        const [a, b, c] = dims as [number, number, number];
        return typedThrow(() => Tensor3.zeros(a, b, c)) && (slot === 2 || typedThrow(() => Matrix.zeros(a, b)));
      }),
    );
  });
  test('Matrix.from / Tensor3.from on ragged nesting', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double(), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }), (rows) => {
        fc.pre(new Set(rows.map((r) => r.length)).size > 1);
        return typedThrow(() => Matrix.from(rows)) && typedThrow(() => Tensor3.from([rows]));
      }),
    );
  });
});
