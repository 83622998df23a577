import fc from 'fast-check';
import { Matrix } from '../../src/index';
import {
  DEFAULT_TOLERANCE,
  KernelContractError,
  builtinKernelSpecs,
  checkKernel,
  lstmStepSpec,
  registerKernelSpec,
  rnnStepSpec,
  selectKernelSpecs,
  type KernelSpec,
} from '../../src/gradcheck/index';

const specs = builtinKernelSpecs();

describe('checkKernel on the built-in kernels', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s passes at the default case, every coordinate', (_name, spec) => {
    const report = checkKernel(spec);
    expect(report.ok).toBe(true);
    expect(report.implementation).toBe('library');
    expect(report.rows.map((r) => r.name)).toEqual(spec.inputs.map((i) => i.gradient));
    for (const row of report.rows) {
      const n = row.numeric;
      if (n === null) throw new Error('numeric comparison missing');
      expect(n.normRelError).toBeLessThan(1e-8);
      expect(n.coordinates).toBe(row.shape.reduce((a, b) => a * b, 1));
      expect(row.reference).toBeNull();
    }
  });

  it('breaks the gate-stacked LSTM gradients into f, i, g, o blocks of H columns', () => {
    const report = checkKernel(lstmStepSpec, { sizes: { H: 3 } });
    const dWx = report.rows.find((r) => r.name === 'dWx');
    expect(dWx?.gates?.map((g) => [g.gate, g.columns])).toEqual([
      ['f', [0, 3]],
      ['i', [3, 6]],
      ['g', [6, 9]],
      ['o', [9, 12]],
    ]);
    expect(report.rows.find((r) => r.name === 'dx')?.gates).toBeNull();
  });

  it('samples K coordinates per tensor, reproducibly for a seed, without changing the case', () => {
    const a = checkKernel(lstmStepSpec, { samples: 5, seed: 7 });
    const b = checkKernel(lstmStepSpec, { samples: 5, seed: 7 });
    const full = checkKernel(lstmStepSpec, { seed: 7 });
    expect(a.samples).toBe(5);
    for (const row of a.rows)
      expect(row.numeric?.coordinates).toBe(
        Math.min(
          5,
          row.shape.reduce((x, y) => x * y, 1),
        ),
      );
    expect(a.rows.map((r) => r.numeric)).toEqual(b.rows.map((r) => r.numeric));
    // the sampled errors are drawn from the same case as the full check
    for (const [k, row] of a.rows.entries()) {
      expect(row.numeric?.normRelError).toBeLessThan(1e-8);
      expect(full.rows[k]?.name).toBe(row.name);
    }
  });

  it('property: every built-in kernel passes at tolerance 1e-7 for random shapes and seeds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...specs),
        fc.record({
          N: fc.integer({ min: 1, max: 4 }),
          T: fc.integer({ min: 1, max: 4 }),
          D: fc.integer({ min: 1, max: 6 }),
          H: fc.integer({ min: 1, max: 5 }),
        }),
        fc.nat({ max: 2 ** 31 - 1 }),
        (spec, sizes, seed) => {
          const report = checkKernel(spec, { sizes, seed, tolerance: 1e-7 });
          const bad = report.rows.filter((r) => !r.ok).map((r) => `${r.name} ${r.numeric?.normRelError}`);
          expect(bad).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('throws RangeError naming the option for bad sizes, samples, eps, tolerance and seed', () => {
    expect(() => checkKernel(rnnStepSpec, { sizes: { N: 0 } })).toThrow(
      /checkKernel: sizes.N must be a positive integer, got 0/,
    );
    expect(() => checkKernel(rnnStepSpec, { samples: 1.5 })).toThrow(/checkKernel: samples must be a positive integer/);
    expect(() => checkKernel(rnnStepSpec, { eps: 0 })).toThrow(/checkKernel: eps must be/);
    expect(() => checkKernel(rnnStepSpec, { tolerance: -1 })).toThrow(/checkKernel: tolerance must be/);
    expect(() => checkKernel(rnnStepSpec, { seed: -1 })).toThrow(RangeError);
    expect(() => checkKernel(rnnStepSpec, { seed: -1 })).toThrow(/seed must be/);
  });

  it('throws TypeError naming the spec field that is missing', () => {
    expect(() => checkKernel({ ...rnnStepSpec, callForward: undefined } as unknown as KernelSpec)).toThrow(TypeError);
    expect(() => checkKernel({ ...rnnStepSpec, callForward: undefined } as unknown as KernelSpec)).toThrow(
      'checkKernel: spec.callForward must be a function, got undefined',
    );
    expect(() => checkKernel(null as unknown as KernelSpec)).toThrow(
      'checkKernel: spec must be a KernelSpec, got null',
    );
  });

  it('reports progress after every finite-difference coordinate', () => {
    const seen: number[] = [];
    checkKernel(rnnStepSpec, { sizes: { N: 1, D: 2, H: 2 }, onProgress: (p) => seen.push(p.done) });
    // Wx 2×2, Wh 2×2, b 1×2, x 1×2, hPrev 1×2 = 14 coordinates
    expect(seen).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
  });
});

describe('checkKernel on someone else’s implementation', () => {
  it('compares outputs and gradients with the library and passes the library itself', () => {
    const report = checkKernel(lstmStepSpec, { implementation: lstmStepSpec.reference });
    expect(report.implementation).toBe('user');
    expect(report.rows.slice(0, 2).map((r) => [r.name, r.kind])).toEqual([
      ['h', 'output'],
      ['c', 'output'],
    ]);
    for (const row of report.rows) expect(row.reference?.normRelError).toBe(0);
    expect(report.ok).toBe(true);
  });

  it('checks only the forward when no backward is given, and says so', () => {
    const report = checkKernel(rnnStepSpec, { implementation: { forward: rnnStepSpec.reference.forward } });
    expect(report.rows.map((r) => r.name)).toEqual(['h']);
    expect(report.notes[0]).toMatch(/no rnnStepBackward given/);
  });

  it('points at a wrong forward output first, as an output', () => {
    const shifted = (...args: unknown[]): unknown => {
      const r = rnnStepSpec.reference.forward(...args) as { h: Matrix };
      (r.h.data[0] as number) += 0.5; // a constant offset: the gradients stay right
      return r;
    };
    const report = checkKernel(rnnStepSpec, {
      implementation: { forward: shifted, backward: rnnStepSpec.reference.backward },
    });
    expect(report.rows.filter((r) => !r.ok).map((r) => r.name)).toEqual(['h']);
    expect(report.firstFailure).toMatchObject({ name: 'h', kind: 'output', against: 'library', worst: [0, 0] });
    expect(report.firstFailure?.message).toBe('rnn-step h (forward output, differs from the library), worst at [0, 0]');
  });

  it('flags a NaN gradient as fully wrong, with a null value at the worst coordinate', () => {
    const nanBackward = (dh: unknown, cache: unknown): Record<string, unknown> => {
      const g = rnnStepSpec.reference.backward(dh, cache) as Record<string, { data: Float64Array }>;
      (g.db as { data: Float64Array }).data[1] = NaN;
      return g;
    };
    const report = checkKernel(rnnStepSpec, {
      implementation: { forward: rnnStepSpec.reference.forward, backward: nanBackward },
    });
    const db = report.rows.find((r) => r.name === 'db');
    expect(db?.ok).toBe(false);
    expect(db?.numeric).toMatchObject({
      relError: 1,
      normRelError: 1,
      nonFinite: 1,
      worst: { index: [0, 1], actual: null },
    });
    expect(report.firstFailure?.message).toBe('rnn-step db, worst at [0, 1]');
    expect(() => JSON.parse(JSON.stringify(report))).not.toThrow();
  });

  it('throws KernelContractError naming the kernel and function when the forward throws', () => {
    const call = (): unknown =>
      checkKernel(rnnStepSpec, {
        implementation: {
          forward: () => {
            throw new Error('not yet');
          },
        },
      });
    expect(call).toThrow(KernelContractError);
    expect(call).toThrow('rnn-step: your rnnStepForward threw Error: not yet');
  });

  it('throws KernelContractError naming the missing gradient', () => {
    const call = (): unknown =>
      checkKernel(rnnStepSpec, {
        implementation: { forward: rnnStepSpec.reference.forward, backward: () => ({ dx: null }) },
      });
    expect(call).toThrow(/rnn-step: your rnnStepBackward's result has no dWx/);
  });
});

describe('the registry', () => {
  it('lists the RNN, LSTM and GRU kernels, steps first', () => {
    expect(specs.map((s) => s.name)).toEqual(['rnn-step', 'rnn', 'lstm-step', 'lstm', 'gru-step', 'gru']);
  });

  it('selects exact names, and prefixes with a trailing *', () => {
    expect(selectKernelSpecs(['lstm']).map((s) => s.name)).toEqual(['lstm']);
    expect(selectKernelSpecs(['lstm*']).map((s) => s.name)).toEqual(['lstm-step', 'lstm']);
    expect(selectKernelSpecs(['lstm', 'rnn-step', 'lstm']).map((s) => s.name)).toEqual(['rnn-step', 'lstm']);
    expect(selectKernelSpecs(['*'])).toHaveLength(specs.length);
  });

  it('throws TypeError when the patterns are not an array of names', () => {
    expect(() => selectKernelSpecs('lstm' as unknown as string[])).toThrow(TypeError);
    expect(() => selectKernelSpecs('lstm' as unknown as string[])).toThrow(
      'selectKernelSpecs: patterns must be an array of kernel names',
    );
  });

  it('throws RangeError naming an unknown kernel and listing the known ones', () => {
    expect(() => selectKernelSpecs(['nope'])).toThrow(RangeError);
    expect(() => selectKernelSpecs(['nope'])).toThrow(
      /^selectKernelSpecs: unknown kernel "nope"; known kernels: rnn-step, rnn, lstm-step, lstm/,
    );
  });

  it('registers a new spec in a few lines, and refuses a clash', () => {
    const doubled: KernelSpec = {
      ...rnnStepSpec,
      name: 'rnn-step-copy',
      forwardName: 'rnnStepCopyForward',
      backwardName: 'rnnStepCopyBackward',
    };
    registerKernelSpec(doubled);
    expect(builtinKernelSpecs().map((s) => s.name)).toContain('rnn-step-copy');
    expect(checkKernel(doubled).ok).toBe(true);
    expect(() => registerKernelSpec(doubled)).toThrow(/registerKernelSpec: spec "rnn-step-copy" clashes/);
    expect(() => registerKernelSpec({ ...doubled, name: 'other', inputs: [] })).toThrow(
      'registerKernelSpec: spec.inputs must be a non-empty array',
    );
  });
});

it('has a default tolerance of 1e-7', () => {
  expect(DEFAULT_TOLERANCE).toBe(1e-7);
});

describe('specs for the layers to come: constant inputs and a scalar loss', () => {
  // A word embedding, written here from its formula: out[n, :] = W[idx[n], :];
  // dW scatters-adds the rows of dout. idx is a constant (not differentiated).
  const embedding: KernelSpec = {
    name: 'test-embedding',
    summary: 'out[n] = W[idx[n]]',
    forwardName: 'testEmbeddingForward',
    backwardName: 'testEmbeddingBackward',
    reference: {
      forward: (idx: number[], W: Matrix) => {
        const out = Matrix.zeros(idx.length, W.cols);
        for (const [n, v] of idx.entries()) out.data.set(W.data.subarray(v * W.cols, (v + 1) * W.cols), n * W.cols);
        return { out, cache: { idx, rows: W.rows } };
      },
      backward: (dout: Matrix, cache: { idx: number[]; rows: number }) => {
        const dW = Matrix.zeros(cache.rows, dout.cols);
        cache.idx.forEach((v, n) => {
          for (let j = 0; j < dout.cols; j++) (dW.data[v * dout.cols + j] as number) += dout.get(n, j);
        });
        return { dW };
      },
    },
    inputs: [{ name: 'W', shape: 'D×H', gradient: 'dW', scale: 1 }],
    constants: [{ name: 'idx', draw: ({ N, D }, u) => Array.from({ length: N }, () => Math.floor(u() * D)) }],
    outputs: [{ name: 'out', shape: 'N×H', upstream: 'dout' }],
    callForward: (f, v) => f(v.idx, v.W),
    callBackward: (b, d, cache) => b(d.out, cache),
  };

  it('passes a correct embedding, and catches a backward that overwrites instead of adding repeated rows', () => {
    expect(checkKernel(embedding, { sizes: { N: 6, D: 3 } }).ok).toBe(true);
    const overwriting = {
      forward: embedding.reference.forward,
      backward: (dout: Matrix, cache: { idx: number[]; rows: number }) => {
        const dW = Matrix.zeros(cache.rows, dout.cols);
        for (const [n, v] of cache.idx.entries())
          dW.data.set(dout.data.subarray(n * dout.cols, (n + 1) * dout.cols), v * dout.cols);
        return { dW };
      },
    };
    // 6 indices into 3 rows: some row repeats, so overwriting loses a term
    const report = checkKernel(embedding, { sizes: { N: 6, D: 3 }, implementation: overwriting });
    expect(report.rows.filter((r) => !r.ok).map((r) => r.name)).toEqual(['dW']);
  });

  it('accepts a scalar loss returned as a plain number, as a 1×1 output', () => {
    const sumSquares: KernelSpec = {
      ...embedding,
      name: 'test-sum-squares',
      reference: {
        forward: (x: Matrix) => ({ loss: x.data.reduce((s, v) => s + v * v, 0), cache: x }),
        backward: (dloss: Matrix, x: Matrix) => ({
          dx: new Matrix(
            x.rows,
            x.cols,
            x.data.map((v) => 2 * v * dloss.get(0, 0)),
          ),
        }),
      },
      inputs: [{ name: 'x', shape: 'N×D', gradient: 'dx', scale: 1 }],
      constants: [],
      outputs: [{ name: 'loss', shape: '1×1', upstream: 'dloss' }],
      callForward: (f, v) => f(v.x),
      callBackward: (b, d, cache) => b(d.loss, cache),
    };
    const report = checkKernel(sumSquares);
    expect(report.ok).toBe(true);
    expect(report.rows[0]?.numeric?.normRelError).toBeLessThan(1e-9);
  });
});
