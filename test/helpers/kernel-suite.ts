/**
 * The shared suites every kernel goes through: a fixed-case finite-difference
 * check and the fast-check properties. A new cell adds a KernelDef and calls
 * these two functions.
 */
import fc from 'fast-check';
import { Tensor3 } from '../../src/index';
import { type Arr, type KernelDef, type Named, type Shape, makeUpstream } from './kernels';
import { normRelError, numericGrad, relError, rng } from './numeric';

/** Σ_o out[o] ⊙ up[o] flattened: f for the centered difference. */
function flatOutputs(def: KernelDef, inp: Named): Float64Array {
  const out = def.forward(inp);
  const parts = def.outputs.map((o) => (out[o] as Arr).data);
  const flat = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) {
    flat.set(p, k);
    k += p.length;
  }
  return flat;
}

function flatUpstream(def: KernelDef, up: Named): Float64Array {
  const parts = def.outputs.map((o) => (up[o] as Arr).data);
  const flat = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) {
    flat.set(p, k);
    k += p.length;
  }
  return flat;
}

export interface GradErrors {
  [grad: string]: {
    rel: number;
    normRel: number;
    /** ‖analytic − numeric‖₂. */
    abs: number;
    /** What rounding alone can put into that norm (see {@link differenceFloor}). */
    floor: number;
  };
}

/**
 * The rounding floor of the five-point difference numericGrad takes (step
 * h = 2e-4): each evaluation of L = Σ out ⊙ dout is off by about
 * ε·Σ|out ⊙ dout|, and (8(L₊₁ − L₋₁) − (L₊₂ − L₋₂))/(12h) sums 18 of those
 * over 12h, ≈ 1.5·ε·Σ|out ⊙ dout|/h per coordinate. Taken 100 times over and
 * √count for the norm: ≈ 1.7e-10·Σ|out ⊙ dout|·√count. A gradient whose whole
 * norm is near this (every path through a saturated tanh, say: dh0 ≈ 1e-6
 * with N = H = 1) cannot be checked relatively; it is checked against this.
 */
function differenceFloor(def: KernelDef, inp: Named, dout: Float64Array, count: number): number {
  const out = flatOutputs(def, inp);
  let scale = 0;
  for (let i = 0; i < out.length; i++) scale += Math.abs((out[i] as number) * (dout[i] as number));
  return ((100 * 1.5 * Number.EPSILON) / 2e-4) * scale * Math.sqrt(count);
}

/** Analytic vs centered-difference gradient of every input. */
export function gradientErrors(def: KernelDef, inp: Named, up: Named): GradErrors {
  const grads = def.backward(inp, up);
  const dout = flatUpstream(def, up);
  const errors: GradErrors = {};
  for (const name of def.inputs) {
    const analytic = grads[`d${name}`];
    if (analytic === undefined) throw new Error(`${def.name}: backward returned no d${name}`);
    const numeric = numericGrad(() => flatOutputs(def, inp), (inp[name] as Arr).data, dout);
    let abs = 0;
    for (let i = 0; i < numeric.length; i++) abs += ((analytic.data[i] as number) - (numeric[i] as number)) ** 2;
    errors[`d${name}`] = {
      rel: relError(analytic.data, numeric),
      normRel: normRelError(analytic.data, numeric),
      abs: Math.sqrt(abs),
      floor: differenceFloor(def, inp, dout, numeric.length),
    };
  }
  return errors;
}

/** Fixed cs231n-sized case and the all-ones edge case. */
export function describeFixedGradients(def: KernelDef): void {
  const cases: [string, Shape][] = [
    ['cs231n-sized N=3 T=5 D=10 H=4', { N: 3, T: 5, D: 10, H: 4 }],
    ['edge N=D=H=T=1', { N: 1, T: 1, D: 1, H: 1 }],
  ];
  describe(`${def.name}: finite differences at fixed cases`, () => {
    for (const [label, shape] of cases) {
      const r = rng(231);
      const inp = def.makeInputs(shape, r);
      const up = makeUpstream(def, inp, r);
      const errors = gradientErrors(def, inp, up);
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

function snapshot(v: Named): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(v).map(([k, a]) => [k, a.data.slice()]));
}
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return ua.every((x, i) => x === ub[i]);
}
function scaled(def: KernelDef, up: Named, s: number, other?: Named, t = 0): Named {
  const out: Named = {};
  for (const name of def.outputs) {
    const a = up[name] as Arr;
    const copy = a instanceof Tensor3 ? a.clone() : a.clone();
    for (let i = 0; i < copy.data.length; i++) {
      copy.data[i] = s * (a.data[i] as number) + (other ? t * ((other[name] as Arr).data[i] as number) : 0);
    }
    out[name] = copy;
  }
  return out;
}

/** The fast-check properties shared by every kernel. */
export function describeKernelProperties(def: KernelDef, numRuns = 40): void {
  describe(`${def.name}: properties over random shapes (1..6), values and seeds`, () => {
    test(
      'every gradient matches centered differences (norm-relative error < 1e-7, ' +
        'or within the rounding floor when the whole gradient is that small)',
      () => {
        fc.assert(
          fc.property(shapeArb, seedArb, (shape, seed) => {
            const r = rng(seed);
            const inp = def.makeInputs(shape, r);
            const errors = gradientErrors(def, inp, makeUpstream(def, inp, r));
            for (const e of Object.values(errors)) if (!(e.normRel < 1e-7 || e.abs < e.floor)) return false;
            return true;
          }),
          { numRuns },
        );
      },
    );

    test('backward is linear in the upstream gradient', () => {
      fc.assert(
        fc.property(shapeArb, seedArb, fc.double({ min: -3, max: 3, noNaN: true }), (shape, seed, alpha) => {
          const r = rng(seed);
          const inp = def.makeInputs(shape, r);
          const u1 = makeUpstream(def, inp, r);
          const u2 = makeUpstream(def, inp, r);
          const g1 = def.backward(inp, u1);
          const g2 = def.backward(inp, u2);
          const gc = def.backward(inp, scaled(def, u1, alpha, u2, 1)); // α·u1 + u2
          for (const k of Object.keys(gc)) {
            const expected = (gc[k] as Arr).data.map(
              (_, i) => alpha * ((g1[k] as Arr).data[i] as number) + ((g2[k] as Arr).data[i] as number),
            );
            if (!(normRelError((gc[k] as Arr).data, expected) < 1e-12)) return false;
          }
          return true;
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
          const grads = def.backward(inp, scaled(def, makeUpstream(def, inp, r), 0));
          return Object.values(grads).every((g) => g.data.every((v) => v === 0));
        }),
        { numRuns },
      );
    });
  });
}
