/**
 * The contract between the two paths: every fast kernel (src/<cell>/step.ts,
 * sequence.ts) equals its reference (src/<cell>/reference.ts) — every forward
 * output and every gradient, to a norm-relative 1e-12 — over random shapes
 * from N = T = D = H = 1 to sizes whose products run on the WASM tier under
 * 'auto'. `npm run test:ts-tier` / `test:wasm-tier` run it again on each tier.
 */
import fc from 'fast-check';
import { Matrix, Tensor3 } from '../../src/index';
import { CELL_DESCRIPTORS, fastDefs, referenceDefs, makeUpstream } from '../helpers/kernels';
import type { Arr, KernelDef, Shape } from '../helpers/kernels';
import { WASM_MIN_WORK, productTier } from '../../src/linalg/tier';
import { setChunkValues } from '../../src/linalg/batch-first';
import { normRelError, rng } from '../helpers/numeric';

const CONTRACT_TOL = 1e-12;

/**
 * The largest norm-relative error of `fast` against `reference` over every
 * forward output and every gradient, on one draw of inputs and upstream.
 */
function contractError(fast: KernelDef, reference: KernelDef, shape: Shape, seed: number): number {
  const r = rng(seed);
  const inp = fast.makeInputs(shape, r);
  const up = makeUpstream(reference, inp, r);
  const pairs: [Record<string, Arr>, Record<string, Arr>][] = [
    [fast.forward(inp), reference.forward(inp)],
    [fast.backward(inp, up), reference.backward(inp, up)],
  ];
  let worst = 0;
  for (const [got, want] of pairs) {
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) {
      const error = normRelError((got[k] as Arr).data, (want[k] as Arr).data);
      worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
    }
  }
  return worst;
}

const small = fc.record({
  N: fc.integer({ min: 1, max: 6 }),
  T: fc.integer({ min: 1, max: 6 }),
  D: fc.integer({ min: 1, max: 6 }),
  H: fc.integer({ min: 1, max: 6 }),
});
/**
 * N·H·H and N·D·H of at least 8·24·24 = 4608 > WASM_MIN_WORK: the products and the resident loops run in
 * WASM under 'auto'.
 */
const large = fc.record({
  N: fc.integer({ min: 8, max: 12 }),
  T: fc.integer({ min: 1, max: 4 }),
  D: fc.integer({ min: 24, max: 40 }),
  H: fc.integer({ min: 24, max: 40 }),
});
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const kernels = CELL_DESCRIPTORS.filter((c) => c.fast !== undefined).flatMap((cell) => {
  const fast = fastDefs(cell);
  const ref = referenceDefs(cell);
  return [
    { name: fast[0].name, fast: fast[0], reference: ref[0] },
    { name: fast[1].name, fast: fast[1], reference: ref[1] },
  ];
});

describe(`fast kernels equal the reference to ${CONTRACT_TOL} (tier: ${productTier()})`, () => {
  test('the large shapes are above the WASM threshold', () => {
    expect(8 * 24 * 24).toBeGreaterThan(WASM_MIN_WORK);
  });

  test('the RNN, the LSTM and the GRU have both paths', () => {
    const names = ['rnn-step', 'rnn', 'lstm-step', 'lstm', 'gru-step', 'gru'];
    expect(kernels.map((k) => k.name)).toEqual(expect.arrayContaining(names));
  });

  describe.each(kernels)('$name', ({ fast, reference }) => {
    test('N = T = D = H = 1', () => {
      expect(contractError(fast, reference, { N: 1, T: 1, D: 1, H: 1 }, 1)).toBeLessThanOrEqual(CONTRACT_TOL);
    });

    test('property: random small shapes (1…6)', () => {
      fc.assert(
        fc.property(small, seed, (shape, s) => contractError(fast, reference, shape, s) <= CONTRACT_TOL),
        { numRuns: 60 },
      );
    });

    test('property: random shapes above the WASM threshold', () => {
      fc.assert(
        fc.property(large, seed, (shape, s) => contractError(fast, reference, shape, s) <= CONTRACT_TOL),
        { numRuns: 6 },
      );
    });

    test('property: the chunked backward (dA kept for ⌈T/4⌉ steps at a time)', () => {
      const previous = setChunkValues(0);
      try {
        const shapes = small.map((s) => ({ ...s, T: s.T + 4 }));
        fc.assert(
          fc.property(shapes, seed, (shape, s) => contractError(fast, reference, shape, s) <= CONTRACT_TOL),
          { numRuns: 20 },
        );
      } finally {
        setChunkValues(previous);
      }
    });

    test('a wrong fast kernel breaks the contract', () => {
      const wrong: KernelDef = {
        ...fast,
        backward: (inp, up) => {
          const g = fast.backward(inp, up);
          const dx = (g.dx as Arr).clone();
          dx.data[0] = (dx.data[0] as number) * (1 + 1e-9);
          return { ...g, dx };
        },
      };
      expect(contractError(wrong, reference, { N: 2, T: 3, D: 4, H: 5 }, 7)).toBeGreaterThan(CONTRACT_TOL);
    });
  });
});

describe('fast and reference reject the same wrong calls with the same errors', () => {
  const shape = { N: 2, T: 3, D: 4, H: 5 };
  const caught = (call: () => unknown): string => {
    try {
      call();
      return 'no error';
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
  };
  /** Wrong stand-ins for `a`: null, a nested array, one row more, one column (or feature) more. */
  const wrongsFor = (a: Arr): unknown[] => {
    if (a instanceof Tensor3) {
      const [N, T, D] = a.dims;
      return [null, a.toArray(), Tensor3.zeros(N + 1, T, D), Tensor3.zeros(N, T, D + 1)];
    }
    return [null, a.toArray(), Matrix.zeros(a.rows + 1, a.cols), Matrix.zeros(a.rows, a.cols + 1)];
  };
  test.each(kernels)('$name: every input and every upstream gradient', ({ fast, reference }) => {
    const inp = fast.makeInputs(shape, rng(3));
    const up = makeUpstream(fast, inp, rng(4));
    const messages: string[] = [];
    for (const name of fast.inputs) {
      for (const wrong of wrongsFor(inp[name] as Arr)) {
        const bad = { ...inp, [name]: wrong as Arr };
        const message = caught(() => fast.forward(bad));
        expect(caught(() => reference.forward(bad))).toBe(message);
        messages.push(message);
      }
    }
    for (const name of fast.outputs) {
      for (const wrong of wrongsFor(up[name] as Arr)) {
        const bad = { ...up, [name]: wrong as Arr };
        const message = caught(() => fast.backward(inp, bad));
        expect(caught(() => reference.backward(inp, bad))).toBe(message);
        messages.push(message);
      }
    }
    // Each wrong call did fail (a longer x is the one valid change: it only moves D, which Wx then rejects).
    expect(messages.filter((m) => m === 'no error')).toEqual([]);
  });
});
