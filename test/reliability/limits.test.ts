/**
 * The limits the library promises at its edges (docs/reliability.md), on the
 * tier HANDGRAD_TIER selects:
 *
 * - sizes: a call that would allocate far more than its inputs hold is
 *   refused before allocating, by a RangeError naming the function and the
 *   bytes, in under a second; a product too large for WASM memory succeeds.
 *   These run in a child process under a data-size limit, against dist/
 *   (built by the global setup), so that a library without the checks fails
 *   the test instead of taking the machine's memory;
 * - a buffer transferred to a worker (detached) is refused by name;
 * - an output aliasing an input is computed right (or refused naming it),
 *   the same on both tiers;
 * - x, the initial state or (for a sequence) a weight edited in place
 *   between a forward and its backward is detected, naming the array.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CELL_DESCRIPTORS } from '../../src/cells';
import { kernelsOf } from '../../src/descriptor';
import { Matrix, Tensor3 } from '../../src/index';
import {
  matmul,
  matmulInto,
  matmulTransA,
  matmulTransAInto,
  matmulTransB,
  matmulTransBInto,
  productTier,
  setProductTier,
  wasmSimdAvailable,
} from '../../src/linalg/public';

const root = join(__dirname, '..', '..');

/** Seeded values in [-1, 1). */
function filled<T extends { data: Float64Array }>(m: T, seed = 3): T {
  let s = seed;
  for (let i = 0; i < m.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    m.data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return m;
}
function detach<T extends { data: Float64Array }>(m: T): T {
  structuredClone(m.data.buffer, { transfer: [m.data.buffer as ArrayBuffer] });
  return m;
}

/** What one call in a capped child process did: its error (class, message) or its result, and how long it took. */
interface ChildOutcome {
  threw: boolean;
  name?: string;
  isRangeError?: boolean;
  message?: string;
  result?: unknown;
  ms: number;
}
/**
 * Runs `body` (a function expression of `h`, the dist/cjs modules) in a child
 * Node under `ulimit -d` of 3 GiB, with a 60 s timeout.
 */
function inChild(body: string): ChildOutcome {
  const script = `
    const h = {
      ...require(${JSON.stringify(join(root, 'dist/cjs/index.js'))}),
      ...require(${JSON.stringify(join(root, 'dist/cjs/linalg/public.js'))}),
    };
    const t0 = performance.now();
    let out;
    try {
      out = { threw: false, result: (${body})(h) };
    } catch (e) {
      out = { threw: true, name: e && e.name, isRangeError: e instanceof RangeError, message: String(e && e.message) };
    }
    out.ms = performance.now() - t0;
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync('sh', ['-c', 'ulimit -d 3145728; exec "$0" -e "$1"', process.execPath, script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HANDGRAD_MAX_BYTES: undefined },
  });
  if (r.status !== 0 || r.stdout === '') {
    throw new Error(`the child process failed (status ${r.status}, signal ${r.signal}): ${r.stderr.slice(-500)}`);
  }
  return JSON.parse(r.stdout) as ChildOutcome;
}

describe('sizes are checked before allocating (the memory budget)', () => {
  it('gruForward with H = 512 on an 8 MB x fails in under a second, naming itself and the bytes', () => {
    const out = inChild(`(h) => {
      const H = 512;
      const z = (r, c) => h.Matrix.zeros(r, c);
      const p = { Wx: z(1, 3 * H), Wh: z(H, 3 * H), bx: z(1, 3 * H), bh: z(1, 3 * H) };
      return h.gruForward(h.Tensor3.zeros(1, 2 ** 20, 1), h.Matrix.zeros(1, H), p).h.dims;
    }`);
    expect(out.threw).toBe(true);
    expect(out.isRangeError).toBe(true);
    expect(out.message).toMatch(/^gruForward: /);
    expect(out.message).toMatch(/\d(\.\d+)? ?(GiB|bytes)/);
    expect(out.ms).toBeLessThan(1000);
  });

  it('a memory budget set by the caller refuses a call over it, naming the function and the bytes', () => {
    const out = inChild(`(h) => {
      h.setMemoryBudget(1e6);
      const H = 64;
      const p = { Wx: h.Matrix.zeros(8, H), Wh: h.Matrix.zeros(H, H), b: h.Matrix.zeros(1, H) };
      return h.rnnForward(h.Tensor3.zeros(16, 256, 8), h.Matrix.zeros(16, H), p).h.dims;
    }`);
    expect(out.threw).toBe(true);
    expect(out.isRangeError).toBe(true);
    expect(out.message).toMatch(/^rnnForward: .*budget/);
    expect(out.message).toMatch(/\d(\.\d+)? ?(MiB|KiB|MB|bytes)/);
  });

  it('an output past the engine’s longest array is refused by the function, not by the engine', () => {
    const out = inChild(`(h) => h.matmul(h.Matrix.zeros(2 ** 16, 1), h.Matrix.zeros(1, 2 ** 16)).rows`);
    expect(out.threw).toBe(true);
    expect(out.isRangeError).toBe(true);
    expect(out.message).toMatch(/^matmul: /);
    expect(out.message).not.toMatch(/Invalid typed array length|Array buffer allocation failed/);
  });

  it('matmulTransA over 2²⁵ rows (weight gradients of a long run) succeeds on this tier', () => {
    const out = inChild(`(h) => {
      const A = h.Matrix.zeros(2 ** 25, 1);
      const B = h.Matrix.zeros(2 ** 25, 1);
      A.data.fill(1);
      B.data.fill(0.5);
      return Array.from(h.matmulTransA(A, B).data);
    }`);
    expect(out.message).toBeUndefined();
    expect(out.result).toEqual([2 ** 24]);
  });
});

/** Every kernel of every cell on both paths, with valid arguments of small sizes. */
const kernels = CELL_DESCRIPTORS.flatMap((cell) =>
  (
    [
      ['', cell.fast],
      [' (reference)', cell.reference],
    ] as const
  ).flatMap(([suffix, fns]) =>
    fns === undefined
      ? []
      : kernelsOf(cell).map((k) => {
          const { forward, backward } = k.pick(fns);
          const G = Math.max(1, cell.gateOrder.length);
          const [N, T, D, H] = [2, 3, 4, 5];
          const inputs = (): Record<string, unknown> => {
            const a: Record<string, unknown> = {};
            for (const act of k.activations) {
              a[act.name] = filled(
                act.shape === 'N×T×D' ? Tensor3.zeros(N, T, D) : Matrix.zeros(N, act.shape === 'N×D' ? D : H),
              );
            }
            const rows = { D, H, '1': 1 };
            a.p = Object.fromEntries(cell.params.map((p) => [p.name, filled(Matrix.zeros(rows[p.rows], G * H), 5)]));
            return a;
          };
          const upstream = (): Record<string, unknown> =>
            Object.fromEntries(
              k.outputs.map((o) => [
                o.name,
                filled(o.shape === 'N×T×H' ? Tensor3.zeros(N, T, H) : Matrix.zeros(N, H), 9),
              ]),
            );
          return {
            name: `${k.forwardName}${suffix}`,
            k,
            forward,
            backward,
            inputs,
            upstream,
            state: k.activations[1]?.name,
          };
        }),
  ),
);

describe('a detached buffer (transferred to a worker) is refused by name', () => {
  it.each(kernels.map((c) => [c.name, c] as const))('%s: x and the weights', (_, c) => {
    for (const target of ['x', 'Wx'] as const) {
      const a = c.inputs();
      detach((target === 'x' ? a.x : (a.p as Record<string, Matrix>).Wx) as Matrix);
      expect(() => c.forward(...c.k.forwardArgs(a))).toThrow(TypeError);
      expect(() => c.forward(...c.k.forwardArgs(a))).toThrow(
        new RegExp(`^${c.k.forwardName}: .*\\b${target}\\b.*detached`),
      );
    }
  });

  it.each(kernels.map((c) => [c.name, c] as const))('%s: the upstream gradient', (_, c) => {
    const { cache } = c.forward(...c.k.forwardArgs(c.inputs())) as { cache: unknown };
    const d = c.upstream();
    detach(d[c.k.outputs[0]?.name as string] as Matrix);
    expect(() => c.backward(...c.k.backwardArgs(d, cache))).toThrow(TypeError);
    expect(() => c.backward(...c.k.backwardArgs(d, cache))).toThrow(
      new RegExp(`^${c.k.backwardName}: .*\\bdh\\b.*detached`),
    );
  });

  it.each([
    ['matmul', matmul],
    ['matmulTransA', matmulTransA],
    ['matmulTransB', matmulTransB],
  ] as const)('%s', (fn, f) => {
    const A = detach(filled(Matrix.zeros(4, 4)));
    expect(() => f(A, filled(Matrix.zeros(4, 4)))).toThrow(new RegExp(`^${fn}: A\\b.*detached`));
  });
});

describe('an output that aliases an input: right, or refused naming it, the same on both tiers', () => {
  const tiers = wasmSimdAvailable() ? (['ts', 'wasm'] as const) : (['ts'] as const);
  const forms = [
    ['matmulInto', matmulInto, matmul],
    ['matmulTransAInto', matmulTransAInto, matmulTransA],
    ['matmulTransBInto', matmulTransBInto, matmulTransB],
  ] as const;
  const cases = forms.flatMap(([fn, into, plain]) =>
    (['A', 'B'] as const).flatMap((alias) =>
      [false, true].map((accumulate) => [fn, alias, accumulate, into, plain] as const),
    ),
  );
  it.each(cases)('%s with C = %s (accumulate %s)', (fn, alias, accumulate, into, plain) => {
    const before = productTier();
    const outcomes: string[] = [];
    try {
      for (const tier of tiers) {
        setProductTier(tier);
        // 24×24: large enough that the WASM tier takes it under auto as well.
        const A = filled(Matrix.zeros(24, 24), 11);
        const B = filled(Matrix.zeros(24, 24), 13);
        const want = plain(A.clone(), B.clone());
        if (accumulate)
          for (let i = 0; i < want.data.length; i++)
            want.data[i] = (want.data[i] as number) + ((alias === 'A' ? A : B).data[i] as number);
        const C = alias === 'A' ? A : B;
        try {
          into(C, A, B, accumulate);
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
          expect((err as Error).message).toMatch(new RegExp(`^${fn}: C\\b`));
          outcomes.push('refused');
          continue;
        }
        let worst = 0;
        for (let i = 0; i < want.data.length; i++)
          worst = Math.max(worst, Math.abs((want.data[i] as number) - (C.data[i] as number)));
        expect(worst).toBeLessThan(1e-12);
        outcomes.push('right');
      }
    } finally {
      setProductTier(before);
    }
    expect(new Set(outcomes).size).toBe(1);
  });
});

describe('an edit between forward and backward is detected, naming the array', () => {
  it.each(kernels.map((c) => [c.name, c] as const))('%s', (_, c) => {
    // A sequence's cache checks x, the initial state and the weights; a step's, x and the
    // state (a training loop updates the weights between steps' backward passes).
    const step = c.k.kernel.endsWith('-step');
    for (const target of step ? (['x', c.state] as const) : (['x', c.state, 'Wx', 'Wh'] as const)) {
      const a = c.inputs();
      const { cache } = c.forward(...c.k.forwardArgs(a)) as { cache: unknown };
      const edited = (
        target === 'Wx' || target === 'Wh' ? (a.p as Record<string, Matrix>)[target] : a[target as string]
      ) as Matrix;
      edited.data[0] = (edited.data[0] as number) + 0.5;
      expect(() => c.backward(...c.k.backwardArgs(c.upstream(), cache))).toThrow(
        new RegExp(`^${c.k.backwardName}: ${target}\\b.*(changed|edited)`),
      );
    }
  });

  it('the error is a RangeError or TypeError, as every error the library throws for a wrong call', () => {
    const c = kernels[0] as (typeof kernels)[number];
    const a = c.inputs();
    const { cache } = c.forward(...c.k.forwardArgs(a)) as { cache: unknown };
    (a.x as Tensor3 | Matrix).data[0] = 7;
    let caught: unknown;
    try {
      c.backward(...c.k.backwardArgs(c.upstream(), cache));
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof RangeError || caught instanceof TypeError).toBe(true);
  });
});
