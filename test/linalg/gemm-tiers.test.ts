/**
 * The two kernel tiers (register-blocked TypeScript, WASM-SIMD) against the
 * literal triple loop, and against each other, on random strided views.
 */
import fc from 'fast-check';
import { gemmBlocked, gemmReference, type GemmOperands } from '../../src/linalg/gemm-ts';
import {
  WASM_BLOCK_VALUES,
  gemmWasm,
  holdWasmOperand,
  rowPanels,
  wasmKernelKind,
  wasmSimdAvailable,
} from '../../src/linalg/gemm-wasm';
import {
  Matrix,
  holdOperand,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  productTier,
  setProductTier,
} from '../../src/linalg/index';
import { rng } from '../helpers/numeric';

type Mode = 'AB' | 'AtB' | 'ABt';

/**
 * Random operands for C = op(A)·op(B), each a view with offset into a larger
 * array, its rows padded by 0–3 values (0: back to back, which the WASM tier
 * copies in one piece) unless `padding` is given.
 */
function operands(M: number, N: number, K: number, mode: Mode, seed: number, padding?: number): GemmOperands {
  const rand = rng(seed);
  const fill = (n: number): Float64Array => Float64Array.from({ length: n }, () => 2 * rand() - 1);
  const pad = padding ?? Math.floor(rand() * 4);
  const off = Math.floor(rand() * 5);
  // A is stored M×K (AB, ABt) or K×M (AtB); B is stored K×N (AB, AtB) or N×K (ABt).
  const aRows = mode === 'AtB' ? K : M;
  const aCols = mode === 'AtB' ? M : K;
  const bRows = mode === 'ABt' ? N : K;
  const bCols = mode === 'ABt' ? K : N;
  const aStride = aCols + pad;
  const bStride = bCols + pad;
  const cStride = N + pad;
  const a = fill(off + aRows * aStride);
  const b = fill(off + bRows * bStride);
  const c = fill(off + M * cStride);
  return {
    M,
    N,
    K,
    a,
    aOff: off,
    aRow: mode === 'AtB' ? 1 : aStride,
    aDepth: mode === 'AtB' ? aStride : 1,
    b,
    bOff: off,
    bDepth: mode === 'ABt' ? 1 : bStride,
    bCol: mode === 'ABt' ? bStride : 1,
    c,
    cOff: off,
    cRow: cStride,
  };
}

/** Max over C of |x − y| / Σ_k |A(i,k)·B(k,j)| (+ |C_old| when accumulating): the scale rounding errors live on. */
function worstRelative(
  op: GemmOperands,
  cOld: Float64Array,
  x: Float64Array,
  y: Float64Array,
  accumulate: boolean,
): number {
  let worst = 0;
  for (let i = 0; i < op.M; i++) {
    for (let j = 0; j < op.N; j++) {
      const at = op.cOff + i * op.cRow + j;
      let scale = accumulate ? Math.abs(cOld[at] as number) : 0;
      for (let k = 0; k < op.K; k++) {
        scale += Math.abs(
          (op.a[op.aOff + i * op.aRow + k * op.aDepth] as number) *
            (op.b[op.bOff + k * op.bDepth + j * op.bCol] as number),
        );
      }
      worst = Math.max(worst, Math.abs((x[at] as number) - (y[at] as number)) / Math.max(scale, 1e-300));
    }
  }
  return worst;
}

function runWith(
  kernel: (op: GemmOperands, acc: boolean) => void,
  op: GemmOperands,
  accumulate: boolean,
): Float64Array {
  const c = op.c.slice();
  kernel({ ...op, c }, accumulate);
  return c;
}

/** Entries of C outside the M×N window (padding, offset) must be untouched. */
function outsideUntouched(op: GemmOperands, after: Float64Array): boolean {
  const inside = new Set<number>();
  for (let i = 0; i < op.M; i++) for (let j = 0; j < op.N; j++) inside.add(op.cOff + i * op.cRow + j);
  for (let p = 0; p < after.length; p++) if (!inside.has(p) && after[p] !== op.c[p]) return false;
  return true;
}

const modes: Mode[] = ['AB', 'AtB', 'ABt'];

describe('gemm kernels: fixed cases', () => {
  it('the reference computes a 2×3 by 3×2 product by hand', () => {
    // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    const op: GemmOperands = {
      M: 2,
      N: 2,
      K: 3,
      a: Float64Array.from([1, 2, 3, 4, 5, 6]),
      aOff: 0,
      aRow: 3,
      aDepth: 1,
      b: Float64Array.from([7, 8, 9, 10, 11, 12]),
      bOff: 0,
      bDepth: 2,
      bCol: 1,
      c: new Float64Array(4),
      cOff: 0,
      cRow: 2,
    };
    for (const kernel of [gemmReference, gemmBlocked, ...(wasmSimdAvailable() ? [gemmWasm] : [])]) {
      expect(Array.from(runWith(kernel, op, false))).toEqual([58, 64, 139, 154]);
      expect(Array.from(runWith(kernel, { ...op, c: Float64Array.from([1, 1, 1, 1]) }, true))).toEqual([
        59, 65, 140, 155,
      ]);
    }
  });

  it('WASM SIMD is available on every supported Node version; relaxed SIMD when the engine enables it', () => {
    expect(wasmSimdAvailable()).toBe(true);
    // Node 20 enables relaxed SIMD only with this flag (npm run test:wasm-tier passes it); Node ≥ 22 always.
    const relaxed = process.execArgv.includes('--experimental-wasm-relaxed-simd');
    expect(wasmKernelKind()).toBe(relaxed ? 'relaxed-simd' : wasmKernelKind());
    expect(['relaxed-simd', 'simd128']).toContain(wasmKernelKind());
  });

  it.each(modes)('%s: both tiers match the reference on a 9×7×5 product (not multiples of 4)', (mode) => {
    const op = operands(9, 7, 5, mode, 17);
    for (const accumulate of [false, true]) {
      const ref = runWith(gemmReference, op, accumulate);
      for (const kernel of [gemmBlocked, gemmWasm]) {
        const got = runWith(kernel, op, accumulate);
        expect(worstRelative(op, op.c, got, ref, accumulate)).toBeLessThan(1e-12);
        expect(outsideUntouched(op, got)).toBe(true);
      }
    }
  });

  // M mod 6 = 1…4 runs the last panel through the 4-row block, 5 and 0 through the 6-row one.
  it.each(modes)(
    '%s: the WASM tier matches the reference for M = 1…13 (every remainder of its 6-row panels)',
    (mode) => {
      for (let M = 1; M <= 13; M++) {
        for (const [N, K] of [
          [4, 3],
          [9, 17],
        ] as const) {
          const op = operands(M, N, K, mode, 100 * M + N + K);
          for (const accumulate of [false, true]) {
            const got = runWith(gemmWasm, op, accumulate);
            expect(worstRelative(op, op.c, got, runWith(gemmReference, op, accumulate), accumulate)).toBeLessThan(
              1e-12,
            );
            expect(outsideUntouched(op, got)).toBe(true);
          }
        }
      }
    },
  );

  it('a held B operand gives the same right product on reuse; once released, new values are used', () => {
    const op = operands(6, 10, 8, 'AB', 5);
    const view = { data: op.b, offset: op.bOff, stride: op.bDepth, rows: op.K, cols: op.N };
    const release = holdWasmOperand(view);
    const first = runWith(gemmWasm, op, false);
    const again = runWith(gemmWasm, op, false);
    release();
    expect(worstRelative(op, op.c, first, runWith(gemmReference, op, false), false)).toBeLessThan(1e-12);
    expect(Array.from(again)).toEqual(Array.from(first));
    const changed = { ...op, b: op.b.map((v) => 2 * v) };
    const doubled = runWith(gemmWasm, changed, false);
    const want = runWith(gemmReference, changed, false);
    expect(worstRelative(changed, op.c, doubled, want, false)).toBeLessThan(1e-12);
  });

  it('a held weight gives the right products used plain (A·B), transposed (A·Bᵀ), then plain again', () => {
    const W = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]); // 2×3
    const release = holdOperand(W);
    const previous = productTier();
    setProductTier('wasm');
    try {
      const x = Matrix.from([[1, -1]]); // 1×2
      const y = Matrix.from([[1, 0, -1]]); // 1×3
      expect(Array.from(matmulInto(Matrix.zeros(1, 3), x, W).data)).toEqual([-3, -3, -3]);
      expect(Array.from(matmulTransBInto(Matrix.zeros(1, 2), y, W).data)).toEqual([-2, -2]);
      expect(Array.from(matmulInto(Matrix.zeros(1, 3), x, W).data)).toEqual([-3, -3, -3]);
    } finally {
      release();
      setProductTier(previous);
    }
  });
});

describe('gemm kernels: properties', () => {
  const shape = fc.record({
    M: fc.integer({ min: 1, max: 23 }),
    N: fc.integer({ min: 1, max: 23 }),
    K: fc.integer({ min: 1, max: 300 }),
    mode: fc.constantFrom<Mode>('AB', 'AtB', 'ABt'),
    accumulate: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e9 }),
  });

  it('TS and WASM tiers agree with each other and the reference to 1e-12 relative, and write only C', () => {
    fc.assert(
      fc.property(shape, ({ M, N, K, mode, accumulate, seed }) => {
        const op = operands(M, N, K, mode, seed);
        const ref = runWith(gemmReference, op, accumulate);
        const ts = runWith(gemmBlocked, op, accumulate);
        const wasm = runWith(gemmWasm, op, accumulate);
        expect(worstRelative(op, op.c, ts, wasm, accumulate)).toBeLessThan(1e-12);
        expect(worstRelative(op, op.c, ts, ref, accumulate)).toBeLessThan(1e-12);
        expect(outsideUntouched(op, wasm)).toBe(true);
        expect(outsideUntouched(op, ts)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('crosses the WASM kernel’s 256-deep K slices and 96-row blocks correctly', () => {
    // M = 97…101 and 200 end on a last panel of 1…5 rows after a full 96-row block.
    const shapes = [
      [97, 9, 513],
      [98, 6, 40],
      [99, 7, 60],
      [100, 9, 300],
      [101, 5, 40],
      [200, 5, 257],
      [5, 70, 600],
    ] as const;
    for (const [M, N, K] of shapes) {
      for (const mode of modes) {
        // A·B and A·Bᵀ accumulate, Aᵀ·B overwrites: both starts of the first K slice, one product each.
        const accumulate = mode !== 'AtB';
        const op = operands(M, N, K, mode, M * N + K);
        const ref = runWith(gemmReference, op, accumulate);
        const got = runWith(gemmWasm, op, accumulate);
        expect(worstRelative(op, op.c, got, ref, accumulate)).toBeLessThan(1e-12);
        expect(outsideUntouched(op, got)).toBe(true);
        expect(worstRelative(op, op.c, runWith(gemmBlocked, op, accumulate), ref, accumulate)).toBeLessThan(1e-12);
      }
    }
  });
});

describe('WASM row panels (rowPanels)', () => {
  it('cover M rows in ⌈M/6⌉ panels, at most one padded row from M = 7 on, none when M mod 6 is 0 or 4', () => {
    for (let M = 1; M <= 200; M++) {
      const { full, tail } = rowPanels(M);
      const rows = 6 * full + 4 * tail;
      expect({ M, panels: full + tail, tailOk: tail >= 0 && tail <= 2 }).toEqual({
        M,
        panels: Math.ceil(M / 6),
        tailOk: true,
      });
      expect(rows).toBeGreaterThanOrEqual(M);
      expect(rows - M).toBeLessThanOrEqual(M >= 7 ? 1 : 3);
      if (M % 6 === 0 || M % 6 === 4) expect(rows).toBe(M);
    }
    // The medium and cs231n batches compute no padded row.
    expect(rowPanels(32)).toEqual({ full: 4, tail: 2 });
    expect(rowPanels(50)).toEqual({ full: 7, tail: 2 });
  });
});

describe('WASM row and column blocks (a bounded arena)', () => {
  it('products larger than the block budget match the reference, including ragged last blocks', () => {
    // A budget of 600 values with K = 50 makes blocks of 12 columns and 12 rows.
    expect(WASM_BLOCK_VALUES).toBeGreaterThan(600);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 80 }),
        fc.constantFrom<Mode>('AB', 'AtB', 'ABt'),
        fc.boolean(),
        (M, N, K, mode, accumulate) => {
          const op = operands(M, N, K, mode, M * 1000 + N * 10 + K);
          const ref = runWith(gemmReference, op, accumulate);
          const got = op.c.slice();
          gemmWasm({ ...op, c: got }, accumulate, 600);
          expect(worstRelative(op, op.c, got, ref, accumulate)).toBeLessThan(1e-12);
          expect(outsideUntouched(op, got)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('WASM packers: operands larger than their raw block', () => {
  it('match the reference, rows back to back and padded', () => {
    // 700×64 values are more than the packers' 2^15-value raw block, so A
    // (and, for AᵀB and A·Bᵀ, the operand stored the other way) is copied in
    // and reordered in several pieces.
    for (const mode of modes) {
      for (const pad of [0, 2]) {
        for (const accumulate of [false, true]) {
          const op = operands(700, 12, 64, mode, 7 + pad, pad);
          const ref = runWith(gemmReference, op, accumulate);
          const got = runWith(gemmWasm, op, accumulate);
          expect(worstRelative(op, op.c, got, ref, accumulate)).toBeLessThan(1e-12);
          expect(outsideUntouched(op, got)).toBe(true);
        }
      }
    }
  });
});

describe('tier selection', () => {
  const original = productTier();
  afterEach(() => setProductTier(original));

  it('the public products dispatch to the forced tier and give the same result', () => {
    const rand = rng(3);
    const A = Matrix.zeros(37, 41);
    const B = Matrix.zeros(41, 29);
    for (let i = 0; i < A.data.length; i++) A.data[i] = rand() - 0.5;
    for (let i = 0; i < B.data.length; i++) B.data[i] = rand() - 0.5;
    const results: Float64Array[] = [];
    for (const tier of ['ts', 'wasm', 'auto'] as const) {
      setProductTier(tier);
      expect(productTier()).toBe(tier);
      results.push(matmulInto(Matrix.zeros(37, 29), A, B).data);
      results.push(matmulTransAInto(Matrix.zeros(41, 29), A, matmulInto(Matrix.zeros(37, 29), A, B)).data);
    }
    for (let r = 2; r < results.length; r++) {
      const want = results[r % 2] as Float64Array;
      const got = results[r] as Float64Array;
      for (let i = 0; i < got.length; i++)
        expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(1e-12 * 50);
    }
  });

  it('holdOperand rejects a non-matrix with a TypeError naming W', () => {
    expect(() => holdOperand({} as never)).toThrow(TypeError);
    expect(() => holdOperand(null as never)).toThrow(/holdOperand: W must be/);
  });

  it('setProductTier rejects an unknown tier with a RangeError naming the argument', () => {
    expect(() => setProductTier('gpu' as never)).toThrow(RangeError);
    expect(() => setProductTier('gpu' as never)).toThrow(/tier must be/);
  });

  it('HANDGRAD_TIER selects the starting tier; an unknown value is a RangeError naming the variable', () => {
    const saved = process.env.HANDGRAD_TIER;
    try {
      for (const [value, want] of [
        ['ts', 'ts'],
        ['wasm', 'wasm'],
        ['', 'auto'],
      ] as const) {
        process.env.HANDGRAD_TIER = value;
        jest.isolateModules(() => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const tier = require('../../src/linalg/tier') as typeof import('../../src/linalg/tier');
          expect(tier.productTier()).toBe(want);
        });
      }
      process.env.HANDGRAD_TIER = 'fast';
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const tier = require('../../src/linalg/tier') as typeof import('../../src/linalg/tier');
        expect(() => tier.productTier()).toThrow(RangeError);
        expect(() => tier.productTier()).toThrow(/HANDGRAD_TIER/);
      });
    } finally {
      if (saved === undefined) delete process.env.HANDGRAD_TIER;
      else process.env.HANDGRAD_TIER = saved;
    }
  });

  it('without WebAssembly SIMD, auto falls back to TypeScript and forcing wasm is an Error', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly');
    // An engine whose validate() rejects the SIMD module, as one without SIMD does.
    const noSimd = { ...(saved?.value as object), validate: () => false };
    Object.defineProperty(globalThis, 'WebAssembly', { value: noSimd, configurable: true, writable: true });
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const linalg = require('../../src/linalg/index') as typeof import('../../src/linalg/index');
        expect(linalg.wasmSimdAvailable()).toBe(false);
        linalg.setProductTier('auto');
        const A = Matrix.from([
          [1, 2],
          [3, 4],
        ]);
        const big = linalg.Matrix.zeros(40, 40).data.fill(1);
        const B = new linalg.Matrix(40, 40, big);
        expect(Array.from(linalg.matmulInto(linalg.Matrix.zeros(2, 2), A, A).data)).toEqual([7, 10, 15, 22]);
        expect(linalg.matmulInto(linalg.Matrix.zeros(40, 40), B, B).data[0]).toBe(40);
        expect(() => linalg.setProductTier('wasm')).toThrow(/SIMD/);
        const release = linalg.holdOperand(B);
        release();
      });
    } finally {
      if (saved) Object.defineProperty(globalThis, 'WebAssembly', saved);
    }
  });
});
