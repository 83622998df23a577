import * as os from 'node:os';
import * as handgrad from '../../src/index';
import { Matrix, Tensor3 } from '../../src/index';
import * as reference from '../../src/reference';
import * as linalg from '../../src/linalg/public';
import {
  MemoryBudgetError,
  checkMemory,
  defaultMemoryBudget,
  formatBytes,
  getMemoryBudget,
  maxFloat64Length,
  parseBytes,
  setMemoryBudget,
} from '../../src/linalg/budget';
import { WASM_RELEASE_MIN_BYTES, wasmArenaBytes, wasmSimdAvailable } from '../../src/linalg/gemm-wasm';
import { wasmPieces } from '../../src/linalg/products';
import { productTier, setProductTier } from '../../src/linalg/tier';
import {
  meanSquaredError,
  temporalAffineBackward,
  temporalAffineForward,
  temporalSoftmaxLoss,
  wordEmbeddingBackward,
  wordEmbeddingForward,
} from '../../src/layers/index';
import { initGruParams, initLstmParams, initRnnParams, seededRandom } from '../../src/train/index';
import { normRelError, randMatrix, randTensor, rng } from '../helpers/numeric';

const GiB = 2 ** 30;

afterEach(() => setMemoryBudget(undefined));

describe('the memory budget', () => {
  it('refuses gruForward with H = 512 on an 8 MB x in well under a second, naming it, the sizes and the bytes', () => {
    setMemoryBudget(16 * GiB);
    // 8 MB of x: 1000·1000·1 doubles. The GRU keeps h (N·T·H), its copy in the cache, the gates (3·N·T·H) and
    // hn (N·T·H): 6·N·T·H values = 24 GiB, plus the N×3H step buffer.
    const x = new Tensor3(1000, 1000, 1);
    const h0 = Matrix.zeros(1000, 512);
    const p = {
      Wx: Matrix.zeros(1, 3 * 512),
      Wh: Matrix.zeros(512, 3 * 512),
      bx: Matrix.zeros(1, 3 * 512),
      bh: Matrix.zeros(1, 3 * 512),
    };
    const bytes = (6 * 1000 * 1000 * 512 + 3 * 1000 * 512) * 8;
    for (const gruForward of [handgrad.gruForward, reference.gruForward]) {
      const start = performance.now();
      let error: unknown;
      try {
        gruForward(x, h0, p);
      } catch (e) {
        error = e;
      }
      const ms = performance.now() - start;
      expect(ms).toBeLessThan(1000);
      expect(error).toBeInstanceOf(RangeError);
      expect(error).toBeInstanceOf(MemoryBudgetError);
      const e = error as MemoryBudgetError;
      expect(e.fn).toBe('gruForward');
      expect(e.reason).toBe('budget');
      expect(e.limit).toBe(16 * GiB);
      expect(e.message).toMatch(/^gruForward: N = 1000, T = 1000, D = 1, H = 512 needs \d+\.\d GiB \(/);
      expect(e.message).toMatch(/ — over the memory budget of 16\.0 GiB \(setMemoryBudget \/ HANDGRAD_MAX_BYTES\)$/);
      if (gruForward === handgrad.gruForward) {
        expect(e.bytes).toBe(bytes);
        expect(e.message).toContain(`needs ${(bytes / GiB).toFixed(1)} GiB`);
        expect(e.message).toContain(`cache (h, gates, hn) ${((5 * 1000 * 1000 * 512 * 8) / GiB).toFixed(1)} GiB`);
      }
    }
  });

  it('lets the same call through when the budget is raised past it (checked on a small H, not run at 24 GiB)', () => {
    const x = randTensor(2, 3, 1, rng(1));
    const p = initGruParams(1, 4, seededRandom(1));
    setMemoryBudget(((6 * 2 * 3 * 4 + 3 * 2 * 4) * 8) as number);
    expect(() => handgrad.gruForward(x, Matrix.zeros(2, 4), p)).not.toThrow();
    setMemoryBudget((6 * 2 * 3 * 4 + 3 * 2 * 4) * 8 - 1);
    expect(() => handgrad.gruForward(x, Matrix.zeros(2, 4), p)).toThrow(MemoryBudgetError);
  });

  it('defaults to ¾ of the machine memory (the lower of physical memory and a container limit)', () => {
    const limit = (process as { constrainedMemory?: () => number }).constrainedMemory?.() ?? 0;
    const machine = limit > 0 && limit < 2 ** 60 ? Math.min(os.totalmem(), limit) : os.totalmem();
    expect(defaultMemoryBudget()).toBe(Math.floor(machine * 0.75));
    if (process.env.HANDGRAD_MAX_BYTES === undefined) expect(getMemoryBudget()).toBe(defaultMemoryBudget());
  });

  it('is set by setMemoryBudget, back to the default by undefined, off by Infinity; other values are refused', () => {
    setMemoryBudget(123456);
    expect(getMemoryBudget()).toBe(123456);
    setMemoryBudget(Number.POSITIVE_INFINITY);
    expect(getMemoryBudget()).toBe(Number.POSITIVE_INFINITY);
    setMemoryBudget(undefined);
    expect(getMemoryBudget()).toBe(parseBytes(process.env.HANDGRAD_MAX_BYTES ?? '') ?? defaultMemoryBudget());
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => setMemoryBudget(bad)).toThrow(/setMemoryBudget: bytes must be a positive number/);
    }
    expect(() => setMemoryBudget('16G' as never)).toThrow(TypeError);
    expect(() => setMemoryBudget('16G' as never)).toThrow(
      'setMemoryBudget: bytes must be a number of bytes, Infinity, or undefined for the default, ' +
        'got the string "16G" (write 16 * 2 ** 30, not "16G"; HANDGRAD_MAX_BYTES takes "16G")',
    );
    expect(handgrad.setMemoryBudget).toBe(setMemoryBudget);
    expect(linalg.getMemoryBudget).toBe(getMemoryBudget);
    expect(handgrad.MemoryBudgetError).toBe(MemoryBudgetError);
  });

  it('reads HANDGRAD_MAX_BYTES (bytes, or K/M/G/T binary units), and names it when it cannot', () => {
    const saved = process.env.HANDGRAD_MAX_BYTES;
    try {
      for (const [text, bytes] of [
        ['1000000', 1000000],
        ['512M', 512 * 2 ** 20],
        ['16G', 16 * GiB],
        ['16GiB', 16 * GiB],
        ['1.5T', 1.5 * 2 ** 40],
        ['Infinity', Number.POSITIVE_INFINITY],
      ] as const) {
        process.env.HANDGRAD_MAX_BYTES = text;
        jest.isolateModules(() => {
          const fresh = require('../../src/linalg/budget') as typeof import('../../src/linalg/budget');
          expect(fresh.getMemoryBudget()).toBe(bytes);
        });
      }
      process.env.HANDGRAD_MAX_BYTES = 'lots';
      jest.isolateModules(() => {
        const fresh = require('../../src/linalg/budget') as typeof import('../../src/linalg/budget');
        expect(() => fresh.getMemoryBudget()).toThrow(
          'handgrad: HANDGRAD_MAX_BYTES must be a byte count such as 8000000000, 512M or 16G (or Infinity), got "lots"',
        );
      });
    } finally {
      if (saved === undefined) delete process.env.HANDGRAD_MAX_BYTES;
      else process.env.HANDGRAD_MAX_BYTES = saved;
    }
  });

  it("refuses a buffer longer than the engine's longest Float64Array, whatever the budget", () => {
    const limit = maxFloat64Length();
    // The engine itself refuses one more value (a length error, before any allocation).
    expect(() => new Float64Array(limit + 1)).toThrow(RangeError);
    setMemoryBudget(Number.POSITIVE_INFINITY);
    expect(() => checkMemory('f', { n: limit + 1 }, { big: limit + 1, small: 1 })).toThrow(
      new RangeError(
        `f: n = ${limit + 1} needs ${formatBytes((limit + 2) * 8)} ` +
          `(big ${formatBytes((limit + 1) * 8)}, small 8 bytes)` +
          ` — big alone is ${limit + 1} values, more than the ${limit} this engine allows in one Float64Array`,
      ),
    );
    expect(() => checkMemory('f', { n: limit }, { big: limit })).not.toThrow();
  });

  (maxFloat64Length() <= 2 ** 32 ? it : it.skip)(
    'names the engine limit for a product whose result is longer than it (Node 20: 2³² values)',
    () => {
      setMemoryBudget(Number.POSITIVE_INFINITY);
      const A = Matrix.zeros(2 ** 16, 1);
      const B = Matrix.zeros(1, 2 ** 17);
      expect(() => linalg.matmul(A, B)).toThrow(/^matmul: M = 65536, K = 1, N = 131072 needs 64\.0 GiB .*this engine/);
    },
  );
});

describe('every public function checks its plan before allocating', () => {
  const r = rng(3);
  const [N, T, D, H] = [3, 4, 2, 5];
  const x = randTensor(N, T, D, r);
  const h0 = randMatrix(N, H, r);
  const xt = randMatrix(N, D, r);
  const rnnP = initRnnParams(D, H, seededRandom(1));
  const lstmP = initLstmParams(D, H, seededRandom(2));
  const gruP = initGruParams(D, H, seededRandom(3));
  const dh = randTensor(N, T, H, r);
  const dht = randMatrix(N, H, r);
  const caches = {
    rnn: handgrad.rnnForward(x, h0, rnnP).cache,
    lstm: handgrad.lstmForward(x, h0, lstmP).cache,
    gru: handgrad.gruForward(x, h0, gruP).cache,
    rnnRef: reference.rnnForward(x, h0, rnnP).cache,
    lstmRef: reference.lstmForward(x, h0, lstmP).cache,
    gruRef: reference.gruForward(x, h0, gruP).cache,
    rnnStep: handgrad.rnnStepForward(xt, h0, rnnP).cache,
    lstmStep: handgrad.lstmStepForward(xt, h0, h0, lstmP).cache,
    gruStep: handgrad.gruStepForward(xt, h0, gruP).cache,
    rnnStepRef: reference.rnnStepForward(xt, h0, rnnP).cache,
    lstmStepRef: reference.lstmStepForward(xt, h0, h0, lstmP).cache,
    gruStepRef: reference.gruStepForward(xt, h0, gruP).cache,
  };
  const ids = [
    [0, 1, 2, 3],
    [1, 1, 0, 2],
    [3, 2, 1, 0],
  ];
  const Wemb = randMatrix(4, D, r);
  const Waff = randMatrix(D, 3, r);
  const baff = randMatrix(1, 3, r);
  const Bmat = randMatrix(H, 2, r);
  const emb = wordEmbeddingForward(ids, Wemb);
  const aff = temporalAffineForward(x, Waff, baff);
  const calls: [string, () => unknown][] = [];
  for (const [path, api] of [
    ['handgrad', handgrad],
    ['handgrad/reference', reference],
  ] as const) {
    const c = path === 'handgrad' ? caches : { ...caches, ...refCaches() };
    calls.push(
      [`${path} rnnStepForward`, () => api.rnnStepForward(xt, h0, rnnP)],
      [`${path} rnnStepBackward`, () => api.rnnStepBackward(dht, c.rnnStep as never)],
      [`${path} rnnForward`, () => api.rnnForward(x, h0, rnnP)],
      [`${path} rnnBackward`, () => api.rnnBackward(dh, c.rnn as never)],
      [`${path} lstmStepForward`, () => api.lstmStepForward(xt, h0, h0, lstmP)],
      [`${path} lstmStepBackward`, () => api.lstmStepBackward(dht, dht, c.lstmStep as never)],
      [`${path} lstmForward`, () => api.lstmForward(x, h0, lstmP)],
      [`${path} lstmBackward`, () => api.lstmBackward(dh, c.lstm as never)],
      [`${path} gruStepForward`, () => api.gruStepForward(xt, h0, gruP)],
      [`${path} gruStepBackward`, () => api.gruStepBackward(dht, c.gruStep as never)],
      [`${path} gruForward`, () => api.gruForward(x, h0, gruP)],
      [`${path} gruBackward`, () => api.gruBackward(dh, c.gru as never)],
    );
  }
  function refCaches() {
    return {
      rnn: caches.rnnRef,
      lstm: caches.lstmRef,
      gru: caches.gruRef,
      rnnStep: caches.rnnStepRef,
      lstmStep: caches.lstmStepRef,
      gruStep: caches.gruStepRef,
    };
  }
  calls.push(
    ['wordEmbeddingForward', () => wordEmbeddingForward(ids, Wemb)],
    ['wordEmbeddingBackward', () => wordEmbeddingBackward(emb.out, emb.cache)],
    ['temporalAffineForward', () => temporalAffineForward(x, Waff, baff)],
    ['temporalAffineBackward', () => temporalAffineBackward(aff.out, aff.cache)],
    [
      'temporalSoftmaxLoss',
      () =>
        temporalSoftmaxLoss(
          aff.out,
          ids.map((row) => row.map((id) => id % 3)),
        ),
    ],
    ['meanSquaredError', () => meanSquaredError(h0, dht)],
    ['matmul', () => linalg.matmul(h0, Bmat)],
    ['matmulTransA', () => linalg.matmulTransA(h0, dht)],
    ['matmulTransB', () => linalg.matmulTransB(h0, dht)],
    ['colSum', () => linalg.colSum(h0)],
    ['initRnnParams', () => initRnnParams(D, H, seededRandom(1))],
    ['initLstmParams', () => initLstmParams(D, H, seededRandom(1))],
    ['initGruParams', () => initGruParams(D, H, seededRandom(1))],
    ['Matrix.zeros', () => Matrix.zeros(N, H)],
    ['Tensor3.zeros', () => Tensor3.zeros(N, T, H)],
    ['new Matrix', () => new Matrix(N, H)],
    ['new Tensor3', () => new Tensor3(N, T, H)],
  );

  // Every buffer that exists before the calls: what a result shares with these is not new.
  const before = new Set<ArrayBufferLike>();
  buffersOf([x, h0, xt, rnnP, lstmP, gruP, dh, dht, caches, ids, Wemb, Waff, baff, Bmat, emb, aff], before);

  it.each(calls)('%s', (name, call) => {
    const fn = name.startsWith('new ') ? name.slice(4) : (name.split(' ').pop() as string);
    setMemoryBudget(16);
    expect(call).toThrow(MemoryBudgetError);
    expect(call).toThrow(new RegExp(`^${fn}: .* needs .* — over the memory budget of 16 bytes`));
    let planned = 0;
    try {
      call();
    } catch (e) {
      planned = (e as MemoryBudgetError).bytes;
    }
    setMemoryBudget(Number.POSITIVE_INFINITY);
    const result = call();
    // The plan covers at least what the call hands back (outputs and cache), counted from the result itself.
    const kept = new Set<ArrayBufferLike>();
    buffersOf(result, kept);
    let bytes = 0;
    for (const b of kept) if (!before.has(b)) bytes += b.byteLength;
    expect(bytes).toBeGreaterThan(0);
    expect(planned).toBeGreaterThanOrEqual(bytes);
  });
});

/** Adds the buffer of every Float64Array reachable from `v` (through arrays and object fields) to `into`. */
function buffersOf(v: unknown, into: Set<ArrayBufferLike>, seen = new Set<unknown>()): void {
  if (typeof v !== 'object' || v === null || seen.has(v)) return;
  seen.add(v);
  if (v instanceof Float64Array) {
    into.add(v.buffer);
    return;
  }
  for (const field of Object.values(v)) buffersOf(field, into, seen);
}

/** Sets the tier to 'auto' (the default) for a WASM test, whatever HANDGRAD_TIER chose for the run. */
function onDefaultTier(body: () => void): void {
  const previous = productTier();
  setProductTier('auto');
  try {
    body();
  } finally {
    setProductTier(previous);
  }
}

/** Deterministic values in [−1, 1) with no pattern a sum could cancel exactly: a Weyl sequence (cheap at 2²² rows). */
function filled(rows: number, cols: number, seed: number): Matrix {
  const m = Matrix.zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 2 * (((seed + i) * 0.6180339887498949) % 1) - 1;
  return m;
}

const onWasm = wasmSimdAvailable() ? describe : describe.skip;

onWasm('products that do not fit WASM memory whole run in pieces', () => {
  afterEach(() => {
    wasmPieces.pieceValues = 2 ** 22;
    wasmPieces.heldValues = 2 ** 28;
  });

  it('matmulTransA over 2²² rows runs as 16 pieces on the default tier and equals the TypeScript tier to 1e-12', () => {
    // The same path as 2²⁵ rows (scripts/huge-product.mjs runs that one in CI): unsplit, the WASM blocks of a
    // sum over K rows take about 16·K values, all 4 GiB of WASM memory at K = 2²⁵.
    const K = 2 ** 22;
    const A = filled(K, 2, 1);
    const B = filled(K, 1, 2);
    let wasm = Matrix.zeros(1, 1);
    onDefaultTier(() => {
      wasm = linalg.matmulTransA(A, B);
      expect(wasmArenaBytes()).toBeLessThanOrEqual(WASM_RELEASE_MIN_BYTES);
    });
    const previous = productTier();
    setProductTier('ts');
    const ts = linalg.matmulTransA(A, B);
    setProductTier(previous);
    expect(wasm.rows).toBe(2);
    expect(normRelError(wasm.data, ts.data)).toBeLessThan(1e-12);
  }, 60_000);

  it('pieces along K equal the unsplit WASM product to 1e-12, for all three products, accumulating or not', () => {
    const r = rng(7);
    const into = [
      [linalg.matmulTransAInto, randMatrix(1000, 7, r), randMatrix(1000, 9, r)],
      [linalg.matmulInto, randMatrix(7, 1000, r), randMatrix(1000, 9, r)],
      [linalg.matmulTransBInto, randMatrix(7, 1000, r), randMatrix(9, 1000, r)],
    ] as const;
    onDefaultTier(() => {
      for (const [product, A, B] of into) {
        for (const accumulate of [false, true]) {
          const start = randMatrix(7, 9, rng(11));
          const run = (): Matrix => product(start.clone(), A, B, accumulate) as Matrix;
          const whole = run();
          wasmPieces.pieceValues = 16 * 64; // pieces of 64 rows of the sum: 16 of them
          const pieces = run();
          wasmPieces.pieceValues = 2 ** 22;
          expect(normRelError(pieces.data, whole.data)).toBeLessThan(1e-12);
          // Not trivially equal: the product changed C.
          expect(normRelError(whole.data, start.data)).toBeGreaterThan(0.1);
        }
      }
    });
  });

  it('a held weight too large to pack whole runs unheld, in pieces, with the same result (an LSTM over H)', () => {
    onDefaultTier(() => {
      const r = rng(5);
      const x = randTensor(3, 4, 6, r);
      const h0 = randMatrix(3, 40, r);
      const p = initLstmParams(6, 40, seededRandom(4));
      const whole = handgrad.lstmForward(x, h0, p);
      // W_h packed whole is 40·160 values; allow a quarter.
      wasmPieces.heldValues = 1600;
      const pieces = handgrad.lstmForward(x, h0, p);
      expect(normRelError(pieces.h.data, whole.h.data)).toBeLessThan(1e-12);
      const dh = randTensor(3, 4, 40, r);
      const g1 = handgrad.lstmBackward(dh, pieces.cache);
      wasmPieces.heldValues = 2 ** 28;
      const g0 = handgrad.lstmBackward(dh, whole.cache);
      expect(normRelError(g1.dWh.data, g0.dWh.data)).toBeLessThan(1e-12);
      expect(normRelError(g1.dx.data, g0.dx.data)).toBeLessThan(1e-12);
    });
  });

  it('so do the RNN loops that keep their steps in WASM memory (W_h packed there) and the GRU', () => {
    onDefaultTier(() => {
      const r = rng(6);
      const x = randTensor(4, 5, 3, r);
      const h0 = randMatrix(4, 48, r);
      const rnnP = initRnnParams(3, 48, seededRandom(5));
      const gruP = initGruParams(3, 48, seededRandom(6));
      const dh = randTensor(4, 5, 48, r);
      const run = () => {
        const rnn = handgrad.rnnForward(x, h0, rnnP);
        const gru = handgrad.gruForward(x, h0, gruP);
        return { rnn, gru, drnn: handgrad.rnnBackward(dh, rnn.cache), dgru: handgrad.gruBackward(dh, gru.cache) };
      };
      const whole = run();
      wasmPieces.heldValues = 48 * 48 - 1;
      const pieces = run();
      expect(normRelError(pieces.rnn.h.data, whole.rnn.h.data)).toBeLessThan(1e-12);
      expect(normRelError(pieces.gru.h.data, whole.gru.h.data)).toBeLessThan(1e-12);
      expect(normRelError(pieces.drnn.dWh.data, whole.drnn.dWh.data)).toBeLessThan(1e-12);
      expect(normRelError(pieces.dgru.dx.data, whole.dgru.dx.data)).toBeLessThan(1e-12);
    });
  });
});

onWasm('the WASM arena is given back after a call that grew it far', () => {
  it('temporalAffineBackward over 2²² rows leaves the arena small (its sums run in pieces)', () => {
    onDefaultTier(() => {
      const x = new Tensor3(2 ** 11, 2 ** 11, 1, filled(2 ** 22, 1, 3).data);
      const W = filled(1, 1, 4);
      const { out, cache } = temporalAffineForward(x, W, Matrix.zeros(1, 1));
      const { dW } = temporalAffineBackward(out, cache);
      expect(dW.rows).toBe(1);
      expect(wasmArenaBytes()).toBeLessThanOrEqual(WASM_RELEASE_MIN_BYTES);
    });
  });

  it('a bulk activation over 2²⁰ values maps in pieces: the same bits as the scalar function, a small arena', () => {
    jest.isolateModules(() => {
      const fresh = require('../../src/linalg/public') as typeof import('../../src/linalg/public');
      const wasm = require('../../src/linalg/gemm-wasm') as typeof import('../../src/linalg/gemm-wasm');
      const { sigmoid } = require('../../src/linalg/activations') as typeof import('../../src/linalg/activations');
      fresh.setProductTier('wasm');
      const src = filled(2 ** 12, 2 ** 8, 3);
      for (let i = 0; i < src.data.length; i++) src.data[i] = 8 * (src.data[i] as number);
      const dst = fresh.sigmoidInto(Matrix.zeros(2 ** 12, 2 ** 8), src);
      let differing = 0;
      for (let i = 0; i < dst.data.length; i++) if (dst.data[i] !== sigmoid(src.data[i] as number)) differing++;
      expect(differing).toBe(0);
      expect(wasm.wasmArenaBytes()).toBeLessThanOrEqual(4 * 2 ** 20);
    });
  });

  it('an lstmForward whose W_h packs to 69 MiB gives it back; the same size again is kept (a working set)', () => {
    // A fresh copy of the library: the rule compares with the arena earlier calls of this process kept.
    jest.isolateModules(() => {
      const fresh = require('../../src/index') as typeof import('../../src/index');
      const wasm = require('../../src/linalg/gemm-wasm') as typeof import('../../src/linalg/gemm-wasm');
      const tier = require('../../src/linalg/tier') as typeof import('../../src/linalg/tier');
      tier.setProductTier('auto');
      const [D, H] = [4, 1500];
      const x = randTensor(2, 2, D, rng(9));
      const p = { Wx: filled(D, 4 * H, 1), Wh: filled(H, 4 * H, 2), b: Matrix.zeros(1, 4 * H) };
      for (let i = 0; i < p.Wh.data.length; i++) p.Wh.data[i] = (p.Wh.data[i] as number) * 0.01;
      const packed = H * 4 * H * 8;
      expect(packed).toBeGreaterThan(wasm.WASM_RELEASE_MIN_BYTES);
      const first = fresh.lstmForward(x, Matrix.zeros(2, H), p);
      expect(wasm.wasmArenaBytes()).toBeLessThan(16 * 2 ** 20);
      // A fresh kernel serves the next call, with the same bits as before the release.
      const again = fresh.lstmForward(x, Matrix.zeros(2, H), p);
      expect(again.h.data).toEqual(first.h.data);
      expect(wasm.wasmArenaBytes()).toBeGreaterThan(packed);
    });
  });
});
