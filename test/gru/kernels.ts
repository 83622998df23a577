/**
 * The GRU step and sequence described as differentiable kernels (inputs,
 * outputs, forward, backward keyed by name), and the witnesses every
 * gradient goes through: centered differences and the fast-check properties.
 * Self-contained so it does not depend on shared test helpers still in flux.
 */
import fc from 'fast-check';
import { Matrix, Tensor3, gruBackward, gruForward, gruStepBackward, gruStepForward } from '../../src/index';
import { normRelError, randMatrix, randTensor, relError, rng } from '../helpers/numeric';

export type Arr = Matrix | Tensor3;
export type Named = Record<string, Arr>;
export interface Shape {
  N: number;
  T: number;
  D: number;
  H: number;
}

export interface KernelDef {
  name: string;
  /** Names of the differentiable inputs, parameters included. */
  inputs: readonly string[];
  /** Names of the outputs that receive an upstream gradient. */
  outputs: readonly string[];
  makeInputs(s: Shape, rand: () => number): Named;
  forward(inp: Named): Named;
  backward(inp: Named, upstream: Named): Named;
}

const M = (v: Arr | undefined): Matrix => v as Matrix;
const T3 = (v: Arr | undefined): Tensor3 => v as Tensor3;

/** Weights scaled like a PyTorch init (1/√fan-in), biases O(0.5) so no gate sits at 0. */
export function gruWeights(D: number, H: number, rand: () => number): Named {
  return {
    Wx: randMatrix(D, 3 * H, rand, 1 / Math.sqrt(D)),
    Wh: randMatrix(H, 3 * H, rand, 1 / Math.sqrt(H)),
    bx: randMatrix(1, 3 * H, rand, 0.5),
    bh: randMatrix(1, 3 * H, rand, 0.5),
  };
}
export const gruParams = (inp: Named) => ({ Wx: M(inp.Wx), Wh: M(inp.Wh), bx: M(inp.bx), bh: M(inp.bh) });

export const gruStepDef: KernelDef = {
  name: 'gru-step',
  inputs: ['x', 'hPrev', 'Wx', 'Wh', 'bx', 'bh'],
  outputs: ['h'],
  makeInputs: ({ N, D, H }, r) => ({ x: randMatrix(N, D, r), hPrev: randMatrix(N, H, r), ...gruWeights(D, H, r) }),
  forward: (inp) => ({ h: gruStepForward(M(inp.x), M(inp.hPrev), gruParams(inp)).h }),
  backward: (inp, up) => {
    const { cache } = gruStepForward(M(inp.x), M(inp.hPrev), gruParams(inp));
    return { ...gruStepBackward(M(up.h), cache) };
  },
};

export const gruDef: KernelDef = {
  name: 'gru',
  inputs: ['x', 'h0', 'Wx', 'Wh', 'bx', 'bh'],
  outputs: ['h'],
  makeInputs: ({ N, T, D, H }, r) => ({ x: randTensor(N, T, D, r), h0: randMatrix(N, H, r), ...gruWeights(D, H, r) }),
  forward: (inp) => ({ h: gruForward(T3(inp.x), M(inp.h0), gruParams(inp)).h }),
  backward: (inp, up) => {
    const { cache } = gruForward(T3(inp.x), M(inp.h0), gruParams(inp));
    return { ...gruBackward(T3(up.h), cache) };
  },
};

/** Random upstream gradients shaped like the outputs. */
export function makeUpstream(def: KernelDef, inp: Named, rand: () => number): Named {
  const out = def.forward(inp);
  const up: Named = {};
  for (const name of def.outputs) {
    const o = out[name];
    up[name] = o instanceof Tensor3 ? randTensor(...o.dims, rand) : randMatrix(M(o).rows, M(o).cols, rand);
  }
  return up;
}

function flatten(parts: Float64Array[]): Float64Array {
  const flat = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) {
    flat.set(p, k);
    k += p.length;
  }
  return flat;
}

/**
 * Centered differences of L(x) = Σ f() ⊙ dout, h = 1e-5 as in math.md, with
 * the subtraction done per output before the dot product and the dot summed
 * with Neumaier compensation. Same quotient as (L(x+h) − L(x−h)) / 2h, but
 * without the cancellation of two large sums: at the cs231n-sized case the
 * naive form's round-off alone reaches 1e-7 relative on dWh entries near 1e-3
 * (analytic and mathjs oracle agree there to 1e-15, so the noise is the witness's).
 */
export function numericGrad(f: () => Float64Array, x: Float64Array, dout: Float64Array, eps = 1e-5): Float64Array {
  const grad = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const old = x[k] as number;
    x[k] = old + eps;
    const plus = f().slice();
    x[k] = old - eps;
    const minus = f();
    x[k] = old;
    let sum = 0;
    let compensation = 0;
    for (let i = 0; i < plus.length; i++) {
      const term = ((plus[i] as number) - (minus[i] as number)) * (dout[i] as number);
      const next = sum + term;
      compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum;
      sum = next;
    }
    grad[k] = (sum + compensation) / (2 * eps);
  }
  return grad;
}

/** Analytic vs centered-difference gradient of every input. */
export function gradientErrors(def: KernelDef, inp: Named, up: Named): Record<string, { rel: number; normRel: number }> {
  const grads = def.backward(inp, up);
  const dout = flatten(def.outputs.map((o) => (up[o] as Arr).data));
  const f = (): Float64Array => {
    const out = def.forward(inp);
    return flatten(def.outputs.map((o) => (out[o] as Arr).data));
  };
  const errors: Record<string, { rel: number; normRel: number }> = {};
  for (const name of def.inputs) {
    const analytic = grads[`d${name}`];
    if (analytic === undefined) throw new Error(`${def.name}: backward returned no d${name}`);
    const numeric = numericGrad(f, (inp[name] as Arr).data, dout);
    errors[`d${name}`] = { rel: relError(analytic.data, numeric), normRel: normRelError(analytic.data, numeric) };
  }
  return errors;
}

export const FIXED_CASES: [string, Shape][] = [
  ['cs231n-sized N=3 T=5 D=10 H=4', { N: 3, T: 5, D: 10, H: 4 }],
  ['edge N=D=H=T=1', { N: 1, T: 1, D: 1, H: 1 }],
];

/** Every gradient at the fixed cases, relative error (cs231n's measure) < 1e-7. */
export function describeFixedGradients(def: KernelDef): void {
  describe(`${def.name}: finite differences at fixed cases`, () => {
    for (const [label, shape] of FIXED_CASES) {
      const r = rng(231);
      const inp = def.makeInputs(shape, r);
      const errors = gradientErrors(def, inp, makeUpstream(def, inp, r));
      for (const name of def.inputs) {
        test(`${label}: d${name} relative error < 1e-7`, () => {
          expect(errors[`d${name}`]!.rel).toBeLessThan(1e-7);
        });
      }
    }
  });
}

const shapeArb = fc.record({
  N: fc.integer({ min: 1, max: 6 }),
  T: fc.integer({ min: 1, max: 6 }),
  D: fc.integer({ min: 1, max: 6 }),
  H: fc.integer({ min: 1, max: 6 }),
});
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const snapshot = (v: Named): Record<string, Float64Array> =>
  Object.fromEntries(Object.entries(v).map(([k, a]) => [k, a.data.slice()]));

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return ua.every((x, i) => x === ub[i]);
}

/** s·up + t·other, output by output. */
function combine(def: KernelDef, up: Named, s: number, other?: Named, t = 0): Named {
  const out: Named = {};
  for (const name of def.outputs) {
    const a = up[name] as Arr;
    const copy = a.clone();
    for (let i = 0; i < copy.data.length; i++) {
      copy.data[i] = s * (a.data[i] as number) + (other ? t * ((other[name] as Arr).data[i] as number) : 0);
    }
    out[name] = copy;
  }
  return out;
}

/** The fast-check properties every kernel shares. */
export function describeKernelProperties(def: KernelDef, numRuns = 40): void {
  describe(`${def.name}: properties over random shapes (1..6), values and seeds`, () => {
    test('every gradient matches centered differences (norm-relative error < 1e-7)', () => {
      fc.assert(
        fc.property(shapeArb, seedArb, (shape, seed) => {
          const r = rng(seed);
          const inp = def.makeInputs(shape, r);
          const errors = gradientErrors(def, inp, makeUpstream(def, inp, r));
          return Object.values(errors).every((e) => e.normRel < 1e-7);
        }),
        { numRuns },
      );
    });

    test('backward is linear in the upstream gradient', () => {
      fc.assert(
        fc.property(shapeArb, seedArb, fc.double({ min: -3, max: 3, noNaN: true }), (shape, seed, alpha) => {
          const r = rng(seed);
          const inp = def.makeInputs(shape, r);
          const u1 = makeUpstream(def, inp, r);
          const u2 = makeUpstream(def, inp, r);
          const g1 = def.backward(inp, u1);
          const g2 = def.backward(inp, u2);
          const gc = def.backward(inp, combine(def, u1, alpha, u2, 1)); // α·u1 + u2
          return Object.keys(gc).every((k) => {
            const expected = (gc[k] as Arr).data.map(
              (_, i) => alpha * ((g1[k] as Arr).data[i] as number) + ((g2[k] as Arr).data[i] as number),
            );
            return normRelError((gc[k] as Arr).data, expected) < 1e-12;
          });
        }),
        { numRuns },
      );
    });

    test('inputs and upstream gradients are never mutated', () => {
      fc.assert(
        fc.property(shapeArb, seedArb, (shape, seed) => {
          const r = rng(seed);
          const inp = def.makeInputs(shape, r);
          const up = makeUpstream(def, inp, r);
          const before = snapshot(inp);
          const upBefore = snapshot(up);
          def.forward(inp);
          def.backward(inp, up);
          return (
            Object.entries(before).every(([k, a]) => sameBits(a, (inp[k] as Arr).data)) &&
            Object.entries(upBefore).every(([k, a]) => sameBits(a, (up[k] as Arr).data))
          );
        }),
        { numRuns },
      );
    });

    test('zero upstream gives zero gradients', () => {
      fc.assert(
        fc.property(shapeArb, seedArb, (shape, seed) => {
          const r = rng(seed);
          const inp = def.makeInputs(shape, r);
          const grads = def.backward(inp, combine(def, makeUpstream(def, inp, r), 0));
          return Object.values(grads).every((g) => g.data.every((v) => v === 0));
        }),
        { numRuns },
      );
    });
  });
}
