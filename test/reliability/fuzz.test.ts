/**
 * The public API fuzzed with random valid and invalid calls, from a fixed
 * seed (in the describe names; RELIABILITY_SEED=n replays another), on the
 * tier HANDGRAD_TIER selects. Over 10⁴ calls per run. For every call:
 *
 * - it either returns or throws a TypeError / RangeError (ShapeError is one)
 *   whose message starts with the function's name — never anything else;
 * - no input is changed (every Float64Array compared bit for bit);
 * - a valid call with finite inputs returns finite outputs;
 * - an invalid call never returns.
 */
import fc from 'fast-check';
import { CELL_DESCRIPTORS } from '../../src/cells';
import { kernelsOf } from '../../src/descriptor';
import { Matrix, Tensor3 } from '../../src/index';
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
  sigmoidInto,
  tanhInto,
} from '../../src/linalg/public';
import * as interop from '../../src/interop/index';
import {
  adam,
  clipGradNorm,
  meanSquaredError,
  sgd,
  sgdMomentum,
  temporalAffineBackward,
  temporalAffineForward,
  temporalSoftmaxLoss,
  wordEmbeddingBackward,
  wordEmbeddingForward,
} from '../../src/train/index';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261202);
/** Runs per target; the totals are counted below and must pass 10⁴. */
const KERNEL_RUNS = 300;
const OTHER_RUNS = 200;
let calls = 0;

type Args = Record<string, unknown>;

/** Fills from a seeded generator: values in [-2, 2), now and then ±40 (saturating gates). */
function filler(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    return u < 0.02 ? (u < 0.01 ? 40 : -40) : u * 4 - 2;
  };
}
const M = (r: number, c: number, rand: () => number): Matrix => {
  const m = Matrix.zeros(r, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rand();
  return m;
};
const T3 = (a: number, b: number, c: number, rand: () => number): Tensor3 => {
  const t = Tensor3.zeros(a, b, c);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rand();
  return t;
};

/** Every Float64Array reachable from `v` (depth ≤ 4), with a copy to compare against later. */
function snapshot(v: unknown): [Float64Array, Float64Array][] {
  const out: [Float64Array, Float64Array][] = [];
  const seen = new Set<unknown>();
  const walk = (x: unknown, depth: number): void => {
    if (depth > 4 || x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (x instanceof Float64Array) {
      if (x.buffer.byteLength > 0) out.push([x, x.slice()]);
      return;
    }
    if (ArrayBuffer.isView(x)) return;
    for (const y of Object.values(x)) walk(y, depth + 1);
  };
  walk(v, 0);
  return out;
}
const unchanged = (snap: [Float64Array, Float64Array][]): boolean =>
  snap.every(([now, then]) => now.length === then.length && now.every((x, i) => Object.is(x, then[i])));
/** Every number in every Float64Array (and every number field) of `v` is finite. */
function allFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (v instanceof Float64Array) return v.every(Number.isFinite);
  if (v === null || typeof v !== 'object') return true;
  return Object.values(v).every(allFinite);
}

/**
 * One call: `args` go to `call`; `valid` says whether it is a correct call.
 * Returns a description of what went wrong, or null.
 */
function verdict(
  fn: string,
  args: unknown,
  call: () => unknown,
  valid: boolean,
  outputsOf = (r: unknown) => r,
): string | null {
  calls++;
  const snap = snapshot(args);
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) return `threw ${String(err)}`;
    if (!err.message.startsWith(fn)) return `message does not start with ${fn}: ${err.message}`;
    if (!unchanged(snap)) return `an input changed before: ${err.message}`;
    return valid ? `a valid call threw: ${err.message}` : null;
  }
  if (!unchanged(snap)) return 'an input changed';
  if (!valid) return 'an invalid call returned';
  return allFinite(outputsOf(result)) ? null : 'a valid call returned a non-finite value';
}

/** Something certainly wrong in place of `v` (a wrong size by `bump`, a wrong kind). */
function wrong(v: unknown, pick: number, bump: number, rand: () => number, definesT: boolean): unknown {
  const kinds: unknown[] = [
    null,
    undefined,
    7,
    'x',
    Number.NaN,
    [[1, 2], [3]],
    { rows: 2 },
    [],
    true,
    new Float32Array(4),
  ];
  if (v instanceof Matrix) {
    kinds.push(
      M(v.rows + bump, v.cols, rand),
      M(v.rows, v.cols + bump, rand),
      T3(v.rows, 1, v.cols, rand),
      v.toArray(),
      { rows: v.rows, cols: v.cols, data: new Float32Array(v.rows * v.cols) },
      { rows: v.rows, cols: v.cols, data: new Float64Array(v.rows * v.cols + bump) },
    );
    if (v.rows !== v.cols) kinds.push(M(v.cols, v.rows, rand));
  } else if (v instanceof Tensor3) {
    const [N, T, D] = v.dims;
    kinds.push(
      T3(N + bump, T, D, rand),
      T3(N, T, D + bump, rand),
      definesT ? T3(N, T, D + bump, rand) : T3(N, T + bump, D, rand),
      M(N, D, rand),
      v.toArray(),
      { dims: [N, T, D], data: new Float32Array(N * T * D) },
    );
  } else if (v instanceof Float64Array) {
    kinds.push(new Float64Array(v.length + bump), Array.from(v));
  }
  return kinds[pick % kinds.length];
}

function replaced(args: Args, path: string, value: unknown): Args {
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  if (rest.length === 0) return { ...args, [head]: value };
  return { ...args, [head]: replaced(args[head] as Args, rest.join('.'), value) };
}
function at(args: Args, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Args)[k], args);
}

const sizes = fc.record({
  N: fc.integer({ min: 1, max: 4 }),
  T: fc.integer({ min: 1, max: 4 }),
  D: fc.integer({ min: 1, max: 4 }),
  H: fc.integer({ min: 1, max: 4 }),
});
/** A call is valid half the time; otherwise one path gets a wrong value. */
const mistake = fc.record({
  valid: fc.boolean(),
  path: fc.nat(),
  pick: fc.nat(),
  bump: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer(),
});
const params = { seed: SEED, numRuns: KERNEL_RUNS };

describe(`fuzzed kernels, both paths (seed ${SEED})`, () => {
  for (const cell of CELL_DESCRIPTORS) {
    for (const [suffix, fns] of [
      ['', cell.fast],
      [' (reference)', cell.reference],
    ] as const) {
      if (fns === undefined) continue;
      for (const k of kernelsOf(cell)) {
        const { forward, backward } = k.pick(fns);
        const G = Math.max(1, cell.gateOrder.length);
        const inputs = (N: number, T: number, D: number, H: number, rand: () => number): Args => {
          const a: Args = {};
          for (const act of k.activations) {
            a[act.name] = act.shape === 'N×T×D' ? T3(N, T, D, rand) : M(N, act.shape === 'N×D' ? D : H, rand);
          }
          const rows = { D, H, '1': 1 };
          a.p = Object.fromEntries(cell.params.map((p) => [p.name, M(rows[p.rows], G * H, rand)]));
          return a;
        };
        const upstream = (N: number, T: number, H: number, rand: () => number): Args =>
          Object.fromEntries(k.outputs.map((o) => [o.name, o.shape === 'N×T×H' ? T3(N, T, H, rand) : M(N, H, rand)]));
        const fwdPaths = [...k.activations.map((a) => a.name), 'p', ...cell.params.map((p) => `p.${p.name}`)];

        test(`${k.forwardName}${suffix}`, () => {
          fc.assert(
            fc.property(sizes, mistake, ({ N, T, D, H }, m) => {
              const rand = filler(m.seed);
              let a = inputs(N, T, D, H, rand);
              if (!m.valid) {
                const path = fwdPaths[m.path % fwdPaths.length] as string;
                a = replaced(a, path, wrong(at(a, path), m.pick, m.bump, rand, path === 'x' && k.kernel === cell.name));
                // A longer x for a sequence, an omitted optional state: still valid calls.
                if (
                  at(a, path) === undefined &&
                  path !== 'x' &&
                  path !== 'h0' &&
                  path !== 'hPrev' &&
                  !path.startsWith('p')
                )
                  if (k.kernel === cell.name) return true;
              }
              const problem = verdict(
                k.forwardName,
                a,
                () => forward(...k.forwardArgs(a)),
                m.valid,
                (r) => {
                  const { cache, ...outs } = r as Args;
                  return outs;
                },
              );
              if (problem !== null) throw new Error(problem);
              return true;
            }),
            params,
          );
        });

        test(`${k.backwardName}${suffix}`, () => {
          fc.assert(
            fc.property(sizes, mistake, ({ N, T, D, H }, m) => {
              const rand = filler(m.seed);
              const { cache } = forward(...k.forwardArgs(inputs(N, T, D, H, rand))) as { cache: Args };
              let a: Args = { ...upstream(N, T, H, rand), cache };
              if (!m.valid) {
                const paths = [
                  ...k.outputs.map((o) => o.name),
                  'cache',
                  ...Object.keys(cache).map((c) => `cache.${c}`),
                ];
                const path = paths[m.path % paths.length] as string;
                const value = wrong(at(a, path), m.pick, m.bump, rand, false);
                // An omitted optional upstream (dcT) is a valid call; so is a cache without its
                // stamp (the guard against edits after the forward), which is then not checked.
                if (value === undefined && k.outputs.findIndex((o) => o.name === path) > 0) return true;
                if (value === undefined && path === 'cache.stamp') return true;
                a = replaced(a, path, value);
              }
              const problem = verdict(k.backwardName, a, () => backward(...k.backwardArgs(a, a.cache)), m.valid);
              if (problem !== null) throw new Error(problem);
              return true;
            }),
            params,
          );
        });
      }
    }
  }
});

describe(`fuzzed block operations (seed ${SEED})`, () => {
  const products = [
    [
      'matmul',
      matmul,
      (r: number, k: number, c: number): [[number, number], [number, number]] => [
        [r, k],
        [k, c],
      ],
    ],
    [
      'matmulTransA',
      matmulTransA,
      (r: number, k: number, c: number): [[number, number], [number, number]] => [
        [k, r],
        [k, c],
      ],
    ],
    [
      'matmulTransB',
      matmulTransB,
      (r: number, k: number, c: number): [[number, number], [number, number]] => [
        [r, k],
        [c, k],
      ],
    ],
  ] as const;
  for (const [fn, f, shapes] of products) {
    test(fn, () => {
      fc.assert(
        fc.property(sizes, mistake, fc.boolean(), ({ N, D, H }, m, second) => {
          const rand = filler(m.seed);
          const [[ar, ac], [br, bc]] = shapes(N, D, H);
          let a: Args = { A: M(ar, ac, rand), B: M(br, bc, rand) };
          if (!m.valid) {
            const name = second ? 'B' : 'A';
            const v = a[name] as Matrix;
            // Only the inner dimension must agree: break that one, or the kind.
            const inner = (fn === 'matmul') === (name === 'A') ? 'cols' : 'rows';
            const bad =
              m.pick % 2 === 0
                ? inner === 'cols' || (fn === 'matmulTransB' && name === 'A')
                  ? M(v.rows, v.cols + m.bump, rand)
                  : M(v.rows + m.bump, v.cols, rand)
                : wrong(v, m.pick * 7 + 1, m.bump, rand, false);
            if (bad instanceof Matrix && fn === 'matmulTransA' && bad.rows === v.rows) return true;
            if (bad instanceof Matrix && fn === 'matmulTransB' && bad.cols === v.cols) return true;
            if (bad instanceof Matrix && fn === 'matmul' && (name === 'A' ? bad.cols === v.cols : bad.rows === v.rows))
              return true;
            a = { ...a, [name]: bad };
          }
          const problem = verdict(fn, a, () => f(a.A as Matrix, a.B as Matrix), m.valid);
          if (problem !== null) throw new Error(problem);
          return true;
        }),
        { seed: SEED, numRuns: OTHER_RUNS },
      );
    });
  }
  const intos = [
    [
      'matmulInto',
      matmulInto,
      (r: number, k: number, c: number): number[][] => [
        [r, c],
        [r, k],
        [k, c],
      ],
    ],
    [
      'matmulTransAInto',
      matmulTransAInto,
      (r: number, k: number, c: number): number[][] => [
        [r, c],
        [k, r],
        [k, c],
      ],
    ],
    [
      'matmulTransBInto',
      matmulTransBInto,
      (r: number, k: number, c: number): number[][] => [
        [r, c],
        [r, k],
        [c, k],
      ],
    ],
    [
      'addInto',
      addInto,
      (r: number, _k: number, c: number) => [
        [r, c],
        [r, c],
      ],
    ],
    [
      'copyInto',
      copyInto,
      (r: number, _k: number, c: number) => [
        [r, c],
        [r, c],
      ],
    ],
    [
      'sigmoidInto',
      sigmoidInto,
      (r: number, _k: number, c: number) => [
        [r, c],
        [r, c],
      ],
    ],
    [
      'tanhInto',
      tanhInto,
      (r: number, _k: number, c: number) => [
        [r, c],
        [r, c],
      ],
    ],
    [
      'addRowInto',
      addRowInto,
      (r: number, _k: number, c: number) => [
        [r, c],
        [1, c],
      ],
    ],
    [
      'broadcastRowInto',
      broadcastRowInto,
      (r: number, _k: number, c: number) => [
        [r, c],
        [1, c],
      ],
    ],
    [
      'colSumInto',
      colSumInto,
      (r: number, _k: number, c: number) => [
        [1, c],
        [r, c],
      ],
    ],
  ] as const;
  for (const [fn, f, shapes] of intos) {
    test(fn, () => {
      fc.assert(
        fc.property(sizes, mistake, ({ N, D, H }, m) => {
          const rand = filler(m.seed);
          const list = shapes(N, D, H).map(([r, c]) => M(r as number, c as number, rand));
          let args: unknown[] = list;
          if (!m.valid) {
            const i = m.path % list.length;
            const v = list[i] as Matrix;
            // A size that breaks the agreement for sure: one more of both.
            const bad =
              m.pick % 2 === 0
                ? M(v.rows + m.bump, v.cols + m.bump, rand)
                : wrong(v, m.pick * 7 + 1, m.bump, rand, false);
            // colSumInto sums any number of rows; a taller C takes the same row.
            if (bad instanceof Matrix && ((fn === 'colSumInto' && i === 1) || (/RowInto$/.test(fn) && i === 0)))
              return true;
            args = list.map((x, j) => (j === i ? bad : x));
          }
          // The output (first argument) may change; the others may not.
          const problem = verdict(
            fn,
            args.slice(1),
            () => (f as (...x: unknown[]) => unknown)(...args),
            m.valid,
            () => args[0],
          );
          if (problem !== null) throw new Error(problem);
          return true;
        }),
        { seed: SEED, numRuns: OTHER_RUNS },
      );
    });
  }
  test('colSum', () => {
    fc.assert(
      fc.property(sizes, mistake, ({ N, H }, m) => {
        const rand = filler(m.seed);
        const A = m.valid ? M(N, H, rand) : wrong(M(N, H, rand), m.pick * 7 + 1, m.bump, rand, false);
        if (A instanceof Matrix) return true;
        const problem = verdict('colSum', A, () => colSum(A as Matrix), m.valid);
        if (problem !== null) throw new Error(problem);
        return true;
      }),
      { seed: SEED, numRuns: OTHER_RUNS },
    );
  });
});

describe(`fuzzed layers, optimisers and converters (seed ${SEED})`, () => {
  const idsOf = (N: number, T: number, V: number, rand: () => number): number[][] =>
    Array.from({ length: N }, () => Array.from({ length: T }, () => Math.floor(Math.abs(rand()) * 1000) % V));
  const badId = (pick: number, V: number): unknown =>
    [V, -1, 1.5, Number.NaN, '1', null, undefined, Number.POSITIVE_INFINITY, 2 ** 53][pick % 9];

  test('wordEmbeddingForward / wordEmbeddingBackward', () => {
    fc.assert(
      fc.property(sizes, mistake, ({ N, T, D, H }, m) => {
        const rand = filler(m.seed);
        const V = H + 2;
        const ids: unknown[][] = idsOf(N, T, V, rand);
        let W: unknown = M(V, D, rand);
        if (!m.valid) {
          if (m.path % 2 === 0) (ids[m.pick % N] as unknown[])[m.bump % T] = badId(m.pick, V);
          else W = wrong(W, m.pick, m.bump, rand, false);
          if (W instanceof Matrix && W.rows >= V) return true; // a bigger vocabulary or embedding is valid
        }
        const fwd = verdict(
          'wordEmbeddingForward',
          { ids, W },
          () => wordEmbeddingForward(ids as number[][], W as Matrix),
          m.valid,
          (r) => (r as Args).out,
        );
        if (fwd !== null) throw new Error(fwd);
        if (!m.valid) return true;
        const { cache } = wordEmbeddingForward(ids as number[][], W as Matrix);
        const dout = m.seed % 3 === 0 ? wrong(T3(N, T, D, rand), m.pick, m.bump, rand, false) : T3(N, T, D, rand);
        const ok = dout instanceof Tensor3 && dout.dims.join() === [N, T, D].join();
        const back = verdict(
          'wordEmbeddingBackward',
          { dout, cache },
          () => wordEmbeddingBackward(dout as Tensor3, cache),
          ok,
        );
        if (back !== null) throw new Error(back);
        return true;
      }),
      { seed: SEED, numRuns: OTHER_RUNS },
    );
  });

  test('temporalAffineForward / temporalAffineBackward', () => {
    fc.assert(
      fc.property(sizes, mistake, ({ N, T, D, H }, m) => {
        const rand = filler(m.seed);
        let a: Args = { x: T3(N, T, D, rand), W: M(D, H, rand), b: M(1, H, rand) };
        if (!m.valid) {
          const name = ['x', 'W', 'b'][m.path % 3] as string;
          const bad = wrong(a[name], m.pick, m.bump, rand, true);
          // Another N or T for x is valid (W and b fix only D and M).
          if (name === 'x' && bad instanceof Tensor3 && bad.dims[2] === D) return true;
          a = { ...a, [name]: bad };
        }
        const fwd = verdict(
          'temporalAffineForward',
          a,
          () => temporalAffineForward(a.x as Tensor3, a.W as Matrix, a.b as Matrix),
          m.valid,
          (r) => (r as Args).out,
        );
        if (fwd !== null) throw new Error(fwd);
        if (!m.valid) return true;
        const { cache } = temporalAffineForward(a.x as Tensor3, a.W as Matrix, a.b as Matrix);
        const dout = m.seed % 3 === 0 ? wrong(T3(N, T, H, rand), m.pick, m.bump, rand, false) : T3(N, T, H, rand);
        const ok = dout instanceof Tensor3 && dout.dims.join() === [N, T, H].join();
        const back = verdict(
          'temporalAffineBackward',
          { dout, cache },
          () => temporalAffineBackward(dout as Tensor3, cache),
          ok,
        );
        if (back !== null) throw new Error(back);
        return true;
      }),
      { seed: SEED, numRuns: OTHER_RUNS },
    );
  });

  test('temporalSoftmaxLoss', () => {
    fc.assert(
      fc.property(sizes, mistake, ({ N, T, H }, m) => {
        const rand = filler(m.seed);
        const V = H + 1;
        let scores: unknown = T3(N, T, V, rand);
        const targets: unknown[][] = idsOf(N, T, V, rand);
        if (!m.valid) {
          if (m.path % 2 === 0) (targets[m.pick % N] as unknown[])[m.bump % T] = badId(m.pick, V);
          else scores = wrong(scores, m.pick, m.bump, rand, false);
          // More classes than any target: a valid call.
          if (scores instanceof Tensor3 && scores.dims[0] === N && scores.dims[1] === T) return true;
        }
        const problem = verdict(
          'temporalSoftmaxLoss',
          { scores, targets },
          () => temporalSoftmaxLoss(scores as Tensor3, targets as number[][]),
          m.valid,
        );
        if (problem !== null) throw new Error(problem);
        return true;
      }),
      { seed: SEED, numRuns: OTHER_RUNS },
    );
  });

  test('meanSquaredError', () => {
    fc.assert(
      fc.property(sizes, mistake, fc.boolean(), ({ N, H }, m, second) => {
        const rand = filler(m.seed);
        let a: Args = { pred: M(N, H, rand), target: M(N, H, rand) };
        if (!m.valid) {
          const name = second ? 'target' : 'pred';
          a = { ...a, [name]: wrong(a[name], m.pick, m.bump, rand, false) };
        }
        const problem = verdict(
          'meanSquaredError',
          a,
          () => meanSquaredError(a.pred as Matrix, a.target as Matrix),
          m.valid,
        );
        if (problem !== null) throw new Error(problem);
        return true;
      }),
      { seed: SEED, numRuns: OTHER_RUNS },
    );
  });

  /** Each optimiser with its valid options, and how to call it with `o` in their place. */
  const optimisers: [string, unknown, (p: Args, g: Args, o: unknown) => unknown][] = [
    ['sgd', { learningRate: 0.1 }, (p, g, o) => sgd(p as never, g as never, o as never)],
    ['sgdMomentum', { learningRate: 0.1 }, (p, g, o) => sgdMomentum(p as never, g as never, undefined, o as never)],
    ['adam', {}, (p, g, o) => adam(p as never, g as never, undefined, o as never)],
    ['clipGradNorm', 1, (p, g, o) => clipGradNorm(p as never, g as never, o as never)],
  ];
  for (const [fn, good, step] of optimisers) {
    test(fn, () => {
      fc.assert(
        fc.property(sizes, mistake, ({ D, H }, m) => {
          const rand = filler(m.seed);
          const p: Args = { Wx: M(D, H, rand), Wh: M(H, H, rand), b: M(1, H, rand) };
          let g: Args = { dWx: M(D, H, rand), dWh: M(H, H, rand), db: M(1, H, rand) };
          let o: unknown = good;
          if (!m.valid) {
            const which = m.path % 3;
            if (which === 0) {
              const key = ['dWx', 'dWh', 'db'][m.pick % 3] as string;
              g = { ...g, [key]: wrong(g[key], m.pick, m.bump, rand, false) };
            } else if (which === 1) {
              const { [['dWx', 'dWh', 'db'][m.pick % 3] as string]: _gone, ...rest } = g;
              g = rest;
            } else {
              o =
                fn === 'clipGradNorm'
                  ? [-1, 0, Number.NaN, '1', null][m.pick % 5]
                  : { learningRate: [-1, 0, Number.NaN, '0.1', Number.POSITIVE_INFINITY][m.pick % 5] };
            }
          }
          const problem = verdict(fn, { p, g }, () => step(p, g, o), m.valid);
          if (problem !== null) throw new Error(problem);
          return true;
        }),
        { seed: SEED, numRuns: OTHER_RUNS },
      );
    });
  }

  const cells = [
    ['rnn', 1, interop.rnnParamsFromTorch, interop.rnnParamsToTorch],
    ['lstm', 4, interop.lstmParamsFromTorch, interop.lstmParamsToTorch],
    ['gru', 3, interop.gruParamsFromTorch, interop.gruParamsToTorch],
  ] as const;
  for (const [cell, G, from, to] of cells) {
    test(`${cell}ParamsFromTorch / ${cell}ParamsToTorch`, () => {
      fc.assert(
        fc.property(sizes, mistake, ({ D, H }, m) => {
          const rand = filler(m.seed);
          const w: Args = {
            weight_ih: M(G * H, D, rand).toArray(),
            weight_hh: M(G * H, H, rand).toArray(),
            bias_ih: Array.from(M(1, G * H, rand).data),
            bias_hh: Array.from(M(1, G * H, rand).data),
          };
          if (!m.valid) {
            const key = Object.keys(w)[m.path % 4] as string;
            const v = w[key] as number[] | number[][];
            const bad = [null, undefined, 'w', v.slice(1), [...v, v[0]], Float32Array.from([1]), [[1, 2], [3]]][
              m.pick % 7
            ];
            w[key] = bad;
          }
          const fn = `${cell}ParamsFromTorch`;
          const problem = verdict(fn, w, () => from(w as never), m.valid);
          if (problem !== null) throw new Error(problem);
          if (m.valid) {
            const p = from(w as never);
            const back = verdict(
              `${cell}ParamsToTorch`,
              p,
              () => to(p as never),
              true,
              () => null,
            );
            if (back !== null) throw new Error(back);
          }
          return true;
        }),
        { seed: SEED, numRuns: OTHER_RUNS },
      );
    });
  }
});

// Declared last, so it runs last: the calls of every property above, counted.
test(`over 10⁴ calls in this run (seed ${SEED})`, () => {
  // (0 when a -t filter skipped every property above.)
  if (calls > 0) expect(calls).toBeGreaterThanOrEqual(10_000);
});
