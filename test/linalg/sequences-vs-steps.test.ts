/**
 * The sequence kernels hoist the products that do not feed the recurrence
 * out of the time loop (docs/performance-design.md). The literal form — the step
 * called once per t, gradients carried by hand — is the reference
 * (src/<cell>/reference.ts), which they must reproduce here on fixed and
 * chunked cases, on whichever product tier is in force (run again with
 * HANDGRAD_TIER=ts / wasm by `npm run test:ts-tier` / `test:wasm-tier`).
 */
import fc from 'fast-check';
import {
  Matrix,
  Tensor3,
  gruBackward,
  gruForward,
  gruStepForward,
  lstmBackward,
  lstmForward,
  rnnBackward,
  rnnForward,
} from '../../src/index';
import * as reference from '../../src/reference';
import { setChunkValues } from '../../src/linalg/batch-first';
import { normRelError, randMatrix, randTensor, rng } from '../helpers/numeric';

const TOL = 1e-12;

/**
 * The sequence and the reference add the same terms in different orders
 * (one product over all N·T rows against a sum of per-step products), so they
 * agree to rounding of the terms, not of the result. A gradient that cancels
 * far below its terms can then differ by 1e-12 of itself: at N=3 T=5 D=8
 * H=1, db = Σ du_t came to 5.3e-5 from 15 terms of ≈ 0.3 and the two orders
 * differed by 1.1e-16, 2e-12 relative. Every gradient of a backward pass is
 * built from the same dA_t, so each one's error is measured against the larger
 * of its own norm and the norm of all of them (the scale of those terms). A
 * wrong or missing term errs at that scale and still fails by many orders.
 */
function expectGradsAgree<K extends string>(
  got: Record<K, { data: Float64Array }>,
  want: Record<K, { data: Float64Array }>,
  keys: readonly K[],
): void {
  const norm = (v: Float64Array): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  const scale = Math.sqrt(keys.reduce((sum, k) => sum + norm(want[k].data) ** 2, 0));
  for (const k of keys) {
    const diff = norm(got[k].data.map((v, i) => v - (want[k].data[i] as number)));
    const error = diff / Math.max(norm(want[k].data), scale, 1e-300);
    // The key is part of the compared value, so a failure says which gradient.
    expect({ gradient: k, error: error < TOL ? 'within rounding' : error }).toEqual({
      gradient: k,
      error: 'within rounding',
    });
  }
}

/** Runs `body` with the backward passes keeping dA for ⌈T/4⌉ steps at a time whatever the size. */
function chunked(body: () => void): void {
  const previous = setChunkValues(0);
  try {
    body();
  } finally {
    setChunkValues(previous);
  }
}
const dims = fc.record({
  N: fc.integer({ min: 1, max: 6 }),
  T: fc.integer({ min: 1, max: 7 }),
  D: fc.integer({ min: 1, max: 9 }),
  H: fc.integer({ min: 1, max: 9 }),
  seed: fc.integer({ min: 1, max: 1e9 }),
});

function checkRnn(N: number, T: number, D: number, H: number, seed: number): void {
  const rand = rng(seed);
  const x = randTensor(N, T, D, rand);
  const h0 = randMatrix(N, H, rand);
  const p = { Wx: randMatrix(D, H, rand, 0.5), Wh: randMatrix(H, H, rand, 0.5), b: randMatrix(1, H, rand) };
  const dh = randTensor(N, T, H, rand);
  const ref = reference.rnnForward(x, h0, p);
  const want = { ...ref, ...reference.rnnBackward(dh, ref.cache) };
  const { h, cache } = rnnForward(x, h0, p);
  const got = rnnBackward(dh, cache);
  expect(normRelError(h.data, want.h.data)).toBeLessThan(TOL);
  expectGradsAgree(got, want, ['dx', 'dh0', 'dWx', 'dWh', 'db'] as const);
}

function checkLstm(N: number, T: number, D: number, H: number, seed: number): void {
  const rand = rng(seed);
  const x = randTensor(N, T, D, rand);
  const h0 = randMatrix(N, H, rand);
  const c0 = randMatrix(N, H, rand);
  const p = { Wx: randMatrix(D, 4 * H, rand, 0.5), Wh: randMatrix(H, 4 * H, rand, 0.5), b: randMatrix(1, 4 * H, rand) };
  const dh = randTensor(N, T, H, rand);
  const ref = reference.lstmForward(x, h0, p, c0);
  const want = { ...ref, ...reference.lstmBackward(dh, ref.cache) };
  const { h, c, cache } = lstmForward(x, h0, p, c0);
  const got = lstmBackward(dh, cache);
  expect(normRelError(h.data, want.h.data)).toBeLessThan(TOL);
  expect(normRelError(c.data, want.c.data)).toBeLessThan(TOL);
  expectGradsAgree(got, want, ['dx', 'dh0', 'dc0', 'dWx', 'dWh', 'db'] as const);
}

function checkGru(N: number, T: number, D: number, H: number, seed: number): void {
  const rand = rng(seed);
  const x = randTensor(N, T, D, rand);
  const h0 = randMatrix(N, H, rand);
  const p = {
    Wx: randMatrix(D, 3 * H, rand, 0.5),
    Wh: randMatrix(H, 3 * H, rand, 0.5),
    bx: randMatrix(1, 3 * H, rand),
    bh: randMatrix(1, 3 * H, rand),
  };
  const dh = randTensor(N, T, H, rand);
  const ref = reference.gruForward(x, h0, p);
  const want = { ...ref, ...reference.gruBackward(dh, ref.cache) };
  const { h, cache } = gruForward(x, h0, p);
  const got = gruBackward(dh, cache);
  expect(normRelError(h.data, want.h.data)).toBeLessThan(TOL);
  expectGradsAgree(got, want, ['dx', 'dh0', 'dWx', 'dWh', 'dbx', 'dbh'] as const);
}

describe('gruForward: the cache layout', () => {
  it('cache.gates is batch-first: row (n, t) holds the gates of gruStepForward at step t for sample n', () => {
    const N = 2;
    const T = 3;
    const D = 4;
    const H = 5;
    const rand = rng(7);
    const x = randTensor(N, T, D, rand);
    const h0 = randMatrix(N, H, rand);
    const p = {
      Wx: randMatrix(D, 3 * H, rand),
      Wh: randMatrix(H, 3 * H, rand),
      bx: randMatrix(1, 3 * H, rand),
      bh: randMatrix(1, 3 * H, rand),
    };
    const { cache } = gruForward(x, h0, p);
    let prev = h0;
    for (let t = 0; t < T; t++) {
      const step = gruStepForward(x.step(t), prev, p);
      for (let n = 0; n < N; n++) {
        const row = cache.gates.subarray((n * T + t) * 3 * H, (n * T + t + 1) * 3 * H);
        expect(normRelError(row, step.cache.gates.data.subarray(n * 3 * H, (n + 1) * 3 * H))).toBeLessThan(TOL);
      }
      prev = step.h;
    }
  });
});

/**
 * Each cell on random inputs: the arrays it is given (weights included),
 * its forward's cache, and its backward — for the tests every cell shares.
 */
/**
 * make() of a cell whose weights are W_x (D×gH), W_h (H×gH) and b (1×gH):
 * the RNN (g = 1) and the LSTM (g = 4).
 */
function withOneBias<C>(
  g: number,
  forwardFn: (x: Tensor3, h0: Matrix, p: { Wx: Matrix; Wh: Matrix; b: Matrix }) => { cache: C },
  backwardFn: (dh: Tensor3, cache: C) => unknown,
) {
  return (N: number, T: number, D: number, H: number, seed: number) => {
    const rand = rng(seed);
    const x = randTensor(N, T, D, rand);
    const h0 = randMatrix(N, H, rand);
    const p = {
      Wx: randMatrix(D, g * H, rand, 0.5),
      Wh: randMatrix(H, g * H, rand, 0.5),
      b: randMatrix(1, g * H, rand),
    };
    const forward = () => forwardFn(x, h0, p).cache;
    return { inputs: [x, h0, p.Wx, p.Wh, p.b], forward, backward: (dh: Tensor3, cache: C) => backwardFn(dh, cache) };
  };
}

const cells = [
  { name: 'rnn', check: checkRnn, bigH: 70, seed: 11, make: withOneBias(1, rnnForward, rnnBackward) },
  { name: 'lstm', check: checkLstm, bigH: 40, seed: 21, make: withOneBias(4, lstmForward, lstmBackward) },
  {
    name: 'gru',
    check: checkGru,
    bigH: 50,
    seed: 31,
    make: (N: number, T: number, D: number, H: number, seed: number) => {
      const rand = rng(seed);
      const x = randTensor(N, T, D, rand);
      const h0 = randMatrix(N, H, rand);
      const p = {
        Wx: randMatrix(D, 3 * H, rand, 0.5),
        Wh: randMatrix(H, 3 * H, rand, 0.5),
        bx: randMatrix(1, 3 * H, rand),
        bh: randMatrix(1, 3 * H, rand),
      };
      const forward = () => gruForward(x, h0, p).cache;
      return {
        inputs: [x, h0, p.Wx, p.Wh, p.bx, p.bh],
        forward,
        backward: (dh: Tensor3, cache: ReturnType<typeof forward>) => gruBackward(dh, cache),
      };
    },
  },
] as const;

/** Forward then backward of `cell` with upstream dh. */
function backwardOf(cell: (typeof cells)[number], N: number, T: number, D: number, H: number, dh: Tensor3) {
  const { forward, backward } = cell.make(N, T, D, H, 41);
  return (backward as (dh: Tensor3, cache: unknown) => { dx: Tensor3; dh0: Matrix; dWx: Matrix })(dh, forward());
}

/** Every array a cache holds (its own buffers, and the matrices in it and in its params), copied. */
function cacheArrays(cache: object): Float64Array[] {
  const out: Float64Array[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (v instanceof Float64Array) out.push(v.slice());
    else if (v instanceof Matrix || v instanceof Tensor3) out.push(v.data.slice());
    else if (depth < 2 && typeof v === 'object' && v !== null) for (const w of Object.values(v)) visit(w, depth + 1);
  };
  visit(cache, 0);
  return out;
}

describe('every sequence equals its reference, the literal loop over the step', () => {
  // The second fixed size is above the WASM threshold, so the products run on that tier under auto.
  it.each(cells)('$name: fixed N=3 T=5 D=4 H=6 and N=9 T=6 D=33 H=$bigH', ({ check, bigH, seed }) => {
    check(3, 5, 4, 6, seed);
    check(9, 6, 33, bigH, seed + 1);
  });
  it.each(cells)('$name: property, random small shapes', ({ check }) => {
    fc.assert(
      fc.property(dims, ({ N, T, D, H, seed }) => check(N, T, D, H, seed)),
      { numRuns: 40 },
    );
  });
});

describe('every cell leaves its inputs and its cache unchanged', () => {
  it.each(cells)('$name: inputs, dh and every cache array are intact after two backwards, which agree', (cell) => {
    const [N, T, D, H] = [2, 3, 4, 5];
    const { inputs, forward, backward } = cell.make(N, T, D, H, 5);
    const dh = randTensor(N, T, H, rng(6));
    const before = [...inputs, dh].map((m) => m.data.slice());
    const cache = forward();
    const cacheBefore = cacheArrays(cache);
    expect(cacheBefore.length).toBeGreaterThanOrEqual(inputs.length);
    const run = backward as (dh: Tensor3, cache: unknown) => { dWh: Matrix; dx: Tensor3 };
    const first = run(dh, cache);
    const second = run(dh, cache);
    for (const [i, m] of [...inputs, dh].entries()) expect(Array.from(m.data)).toEqual(Array.from(before[i]!));
    for (const [i, a] of cacheArrays(cache).entries()) expect(Array.from(a)).toEqual(Array.from(cacheBefore[i]!));
    expect(Array.from(second.dWh.data)).toEqual(Array.from(first.dWh.data));
    expect(Array.from(second.dx.data)).toEqual(Array.from(first.dx.data));
  });
});

describe('chunked backward (dA kept for ⌈T/4⌉ steps at a time, threshold forced to 0)', () => {
  it.each(cells)('$name: equals the reference at T = 7, 8, 16 and on random shapes', ({ check }) => {
    chunked(() => {
      check(3, 7, 4, 6, 13);
      check(2, 8, 5, 3, 14);
      check(9, 16, 33, 40, 15);
      fc.assert(
        fc.property(dims, ({ N, T, D, H, seed }) => check(N, T, D, H, seed)),
        { numRuns: 30 },
      );
    });
  });

  it.each(cells)('$name: a NaN in dh[n0, t0] reaches example n0 and the weight gradients only', (cell) => {
    const [N, T, D, H, n0, t0] = [3, 7, 4, 5, 1, 4];
    const dh = randTensor(N, T, H, rng(44));
    const poisoned = dh.clone();
    poisoned.data[(n0 * T + t0) * H] = NaN;
    chunked(() => {
      const clean = backwardOf(cell, N, T, D, H, dh);
      const got = backwardOf(cell, N, T, D, H, poisoned);
      for (let n = 0; n < N; n++) {
        const dx = got.dx.data.subarray(n * T * D, (n + 1) * T * D);
        const dh0 = got.dh0.data.subarray(n * H, (n + 1) * H);
        if (n === n0) {
          expect(dh0.some(Number.isNaN)).toBe(true);
        } else {
          expect(Array.from(dx)).toEqual(Array.from(clean.dx.data.subarray(n * T * D, (n + 1) * T * D)));
          expect(Array.from(dh0)).toEqual(Array.from(clean.dh0.data.subarray(n * H, (n + 1) * H)));
        }
      }
      expect(got.dWx.data.some(Number.isNaN)).toBe(true);
    });
  });
});
