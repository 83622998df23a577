/**
 * The RNN's step loops in WASM memory (src/rnn/resident.ts) against the
 * reference loops of src/rnn/sequence.ts on the same tier: the same bits in
 * every output of forward and backward, for shapes that cover every row-panel
 * split (rows < 6, M mod 6 = 1 or 2 with two 4-row panels), widths that are
 * not a multiple of 4, and sequences longer than the blocks that fit, so the
 * loops run in pieces.
 */
import fc from 'fast-check';
import { wasmSimdAvailable } from '../../src/linalg/gemm-wasm';
import { Matrix, Tensor3, WasmBlocks, WASM_RESIDENT_VALUES, productTier, setProductTier } from '../../src/linalg/index';
import { residentLoops } from '../../src/rnn/resident';
import { rnnBackward, rnnForward } from '../../src/rnn/sequence';

function random(seed: number): (scale: number) => number {
  let s = seed;
  return (scale) => {
    s = (s * 16807) % 2147483647;
    return scale * (s / 2147483647 - 0.5);
  };
}

/**
 * Every output of forward + backward, with the loops in WASM memory or not;
 * `poison` overwrites one input value first.
 */
function outputs(
  N: number,
  T: number,
  D: number,
  H: number,
  seed: number,
  resident: boolean,
  poison?: { input: 'x' | 'h0' | 'dh' | 'Wh'; at: number; value: number },
): Float64Array[] {
  const r = random(seed);
  const fill = <M extends { data: Float64Array }>(m: M, k: number): M => {
    for (let i = 0; i < m.data.length; i++) m.data[i] = r(k);
    return m;
  };
  const x = fill(Tensor3.zeros(N, T, D), 2);
  const h0 = fill(Matrix.zeros(N, H), 2);
  const dh = fill(Tensor3.zeros(N, T, H), 2);
  const params = {
    Wx: fill(Matrix.zeros(D, H), 4 / Math.sqrt(D)),
    Wh: fill(Matrix.zeros(H, H), 4 / Math.sqrt(H)),
    b: fill(Matrix.zeros(1, H), 0.4),
  };
  if (poison !== undefined) {
    const target = { x, h0, dh, Wh: params.Wh }[poison.input].data;
    target[poison.at % target.length] = poison.value;
  }
  residentLoops.enabled = resident;
  try {
    const { h, cache } = rnnForward(x, h0, params);
    const g = rnnBackward(dh, cache);
    return [h.data, g.dx.data, g.dh0.data, g.dWx.data, g.dWh.data, g.db.data];
  } finally {
    residentLoops.enabled = true;
  }
}

const NAMES = ['h', 'dx', 'dh0', 'dWx', 'dWh', 'db'];

/** Names of the outputs whose bits differ between the two loops (any NaN equals any NaN). */
function differing(
  N: number,
  T: number,
  D: number,
  H: number,
  seed: number,
  poison?: Parameters<typeof outputs>[6],
): string[] {
  const names = NAMES;
  const inWasm = outputs(N, T, D, H, seed, true, poison);
  const reference = outputs(N, T, D, H, seed, false, poison);
  return names.filter((_, i) =>
    (inWasm[i] as Float64Array).some((v, j) => !Object.is(v, (reference[i] as Float64Array)[j])),
  );
}

const onWasm = wasmSimdAvailable() ? describe : describe.skip;

onWasm('the RNN step loops in WASM memory', () => {
  const original = productTier();
  afterEach(() => {
    setProductTier(original);
    jest.restoreAllMocks();
  });

  describe.each(['wasm', 'auto'] as const)('on the %s tier', (tier) => {
    beforeEach(() => setProductTier(tier));

    test.each([
      [10, 20, 32, 64], // the small bench size
      [1, 1, 1, 1],
      [5, 3, 2, 7], // rows < 6: one 4- or 6-row panel
      [7, 4, 3, 9], // 7 rows: two 4-row panels
      [14, 3, 5, 33], // 14 rows: two 6-row panels, then two 4-row ones; width not a multiple of 4
      [64, 17, 8, 256], // more steps than fit: the forward in 2 pieces, the backward in 4
    ])('give the reference loops’ bits at N=%i T=%i D=%i H=%i', (N, T, D, H) => {
      expect(differing(N, T, D, H, 11)).toEqual([]);
    });

    test('give the reference loops’ bits for random shapes and values', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 15 }),
          fc.integer({ min: 1, max: 7 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 2147483646 }),
          (N, T, D, H, seed) => differing(N, T, D, H, seed).length === 0,
        ),
        { numRuns: 60 },
      );
    });
  });

  test('give the reference loops’ bits with a NaN or ±Infinity in an input', () => {
    setProductTier('wasm');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('x', 'h0', 'dh', 'Wh') as fc.Arbitrary<'x' | 'h0' | 'dh' | 'Wh'>,
        fc.nat(),
        fc.constantFrom(NaN, Infinity, -Infinity),
        (N, T, H, input, at, value) => differing(N, T, 3, H, 7, { input, at, value }).length === 0,
      ),
      { numRuns: 40 },
    );
  });

  test('keep a NaN in one example out of the others’ h, dx and dh0 (README, “Values are not scanned”)', () => {
    setProductTier('wasm');
    const [N, T, D, H] = [10, 6, 4, 64];
    const clean = outputs(N, T, D, H, 3, true);
    // x[n0 = 4, t0 = 2, 0]
    const dirty = outputs(N, T, D, H, 3, true, { input: 'x', at: (4 * T + 2) * D, value: NaN });
    const [h, dx, dh0] = [0, 1, 2].map((i) => ({ clean: clean[i] as Float64Array, dirty: dirty[i] as Float64Array }));
    const rowsOf = (a: Float64Array, n: number, width: number): number[] =>
      Array.from(a.subarray(n * width, (n + 1) * width));
    for (let n = 0; n < N; n++) {
      if (n === 4) continue;
      expect(rowsOf(h!.dirty, n, T * H)).toEqual(rowsOf(h!.clean, n, T * H));
      expect(rowsOf(dx!.dirty, n, T * D)).toEqual(rowsOf(dx!.clean, n, T * D));
      expect(rowsOf(dh0!.dirty, n, H)).toEqual(rowsOf(dh0!.clean, n, H));
    }
    // Example 4: h from t0 on is NaN, before it unchanged.
    const h4 = rowsOf(h!.dirty, 4, T * H);
    expect(h4.slice(0, 2 * H)).toEqual(rowsOf(h!.clean, 4, T * H).slice(0, 2 * H));
    expect(h4.slice(2 * H).every(Number.isNaN)).toBe(true);
  });

  test('are what the sequence runs on the wasm tier, and only while enabled', () => {
    setProductTier('wasm');
    const open = jest.spyOn(WasmBlocks, 'open');
    outputs(3, 4, 2, 5, 1, true);
    expect(open).toHaveBeenCalledTimes(2); // forward, and the backward's one chunk
    open.mockClear();
    outputs(3, 4, 2, 5, 1, false);
    expect(open).not.toHaveBeenCalled();
  });

  test('are not used on the ts tier', () => {
    setProductTier('ts');
    const open = jest.spyOn(WasmBlocks, 'open');
    outputs(3, 4, 2, 5, 1, true);
    expect(open).not.toHaveBeenCalled();
  });
});

onWasm('WasmBlocks.open', () => {
  test('opens as many blocks as fit in WASM_RESIDENT_VALUES, up to the number wanted', () => {
    // 10 rows (a 6-row and a 4-row panel) × 64 columns: 640 values a block.
    expect(WasmBlocks.open(10, 64, 1000, 2, [])?.count).toBe(Math.floor(WASM_RESIDENT_VALUES / 640));
    expect(WasmBlocks.open(10, 64, 5, 2, [])?.count).toBe(5);
    // 11 columns are padded to 12, 7 rows to 8 (two 4-row panels).
    expect(WasmBlocks.open(7, 11, 5000, 2, [])?.count).toBe(Math.floor(WASM_RESIDENT_VALUES / 96));
  });

  test('is null when fewer blocks than the least asked for fit (the caller loops through JS memory)', () => {
    // 512×1024 = 2^19 values a block: not even one fits.
    expect(WasmBlocks.open(512, 1024, 8, 2, [])).toBeNull();
    // 2^16 values a block: 4 fit, the backward asks for at least 4, 5 is too many.
    expect(WasmBlocks.open(256, 256, 8, 4, [])?.count).toBe(4);
    expect(WasmBlocks.open(256, 256, 8, 5, [])).toBeNull();
  });
});
