/**
 * Fuzz: every public function, fed a valid call with one argument (or one
 * params / cache field) replaced by something wrong, must throw ShapeError,
 * TypeError or RangeError — never anything else, never a result.
 */
import fc from 'fast-check';
import { CELL_DESCRIPTORS } from '../../src/cells';
import { kernelsOf, type CellFunctions } from '../../src/descriptor';
import { Matrix, ShapeError, Tensor3 } from '../../src/index';

type Args = Record<string, unknown>;
interface Target {
  name: string;
  make(N: number, T: number, D: number, H: number): Args;
  call(a: Args): unknown;
  /** Argument paths that may be corrupted; `p.Wx` reaches into a record. */
  paths: string[];
}

/**
 * The forward and the backward of every kernel of every cell descriptor, on
 * both paths: zeros of the right shapes, and as paths every argument, every
 * parameter, the cache and every field of the cache.
 */
const targets: Target[] = CELL_DESCRIPTORS.flatMap((cell) => {
  const paths: [string, CellFunctions | undefined][] = [
    ['', cell.fast],
    [' (reference)', cell.reference],
  ];
  return paths.flatMap(([suffix, fns]) =>
    fns === undefined
      ? []
      : kernelsOf(cell).flatMap((k): Target[] => {
          const { forward, backward } = k.pick(fns);
          const inputs = (N: number, T: number, D: number, H: number): Args => {
            const args: Args = {};
            for (const a of k.activations) {
              args[a.name] = a.shape === 'N×T×D' ? Tensor3.zeros(N, T, D) : Matrix.zeros(N, a.shape === 'N×D' ? D : H);
            }
            const cols = Math.max(1, cell.gateOrder.length) * H;
            const rows = { D, H, '1': 1 };
            args.p = Object.fromEntries(cell.params.map((p) => [p.name, Matrix.zeros(rows[p.rows], cols)]));
            return args;
          };
          const upstream = (N: number, T: number, H: number): Args =>
            Object.fromEntries(
              k.outputs.map((o) => [o.name, o.shape === 'N×T×H' ? Tensor3.zeros(N, T, H) : Matrix.zeros(N, H)]),
            );
          const run = (a: Args) => forward(...k.forwardArgs(a)) as { cache: Record<string, unknown> };
          const sample = run(inputs(2, 3, 4, 5)).cache;
          const lastParam = cell.params[cell.params.length - 1]?.name as string;
          return [
            {
              name: `${k.forwardName}${suffix}`,
              make: inputs,
              call: run,
              paths: [...k.activations.map((a) => a.name), 'p', ...cell.params.map((p) => `p.${p.name}`)],
            },
            {
              name: `${k.backwardName}${suffix}`,
              make: (N, T, D, H) => ({ ...upstream(N, T, H), cache: run(inputs(N, T, D, H)).cache }),
              call: (a) => backward(...k.backwardArgs(a, a.cache)),
              paths: [
                ...k.outputs.map((o) => o.name),
                'cache',
                ...Object.keys(sample).map((key) => `cache.${key}`),
                ...('params' in sample ? [`cache.params.${lastParam}`] : []),
              ],
            },
          ];
        }),
  );
});

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
  test('every kernel of every cell, on both paths', () => {
    expect(targets.length).toBe(CELL_DESCRIPTORS.length * 2 * 2 * 2);
  });
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
      fc.property(
        fc.array(fc.array(fc.double(), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }),
        (rows) => {
          fc.pre(new Set(rows.map((r) => r.length)).size > 1);
          return typedThrow(() => Matrix.from(rows)) && typedThrow(() => Tensor3.from([rows]));
        },
      ),
    );
  });
});
