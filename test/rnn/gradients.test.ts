import type { Matrix } from '../../src/index';
import { describeFixedGradients, describeKernelProperties, gradientErrors } from '../helpers/kernel-suite';
import { type KernelDef, makeUpstream, rnnDef, rnnStepDef } from '../helpers/kernels';
import { rng } from '../helpers/numeric';

describeFixedGradients(rnnStepDef);
describeFixedGradients(rnnDef);
describeKernelProperties(rnnStepDef);
describeKernelProperties(rnnDef);

describe('rnn: a gradient whose whole norm is at the rounding floor of the differences', () => {
  // fast-check found this one (seed 1488542736, N = 1, T = 3, D = 5, H = 1):
  // h_1 ≈ −0.999999, so dh0 = (1 − h_1²)·… ≈ 1.4e-6, and the differences'
  // rounding (≈ 2e-13) is 1e-7 of it, relatively. The check falls back to
  // the absolute floor there, and that floor still catches a wrong value.
  const r = rng(1488542736);
  const inp = rnnDef.makeInputs({ N: 1, T: 3, D: 5, H: 1 }, r);
  const up = makeUpstream(rnnDef, inp, r);

  test("is within the differences' rounding floor", () => {
    const { dh0 } = gradientErrors(rnnDef, inp, up);
    expect(Math.abs((rnnDef.backward(inp, up).dh0 as Matrix).data[0] as number)).toBeLessThan(1e-5);
    expect(dh0?.abs).toBeLessThan(dh0?.floor as number);
    expect(dh0?.floor).toBeLessThan(1e-9);
  });

  test('a dh0 off by 1% is outside the floor', () => {
    const wrong: KernelDef = {
      ...rnnDef,
      backward: (i, u) => {
        const g = rnnDef.backward(i, u);
        const dh0 = (g.dh0 as Matrix).clone();
        dh0.data[0] = (dh0.data[0] as number) * 1.01;
        return { ...g, dh0 };
      },
    };
    const { dh0 } = gradientErrors(wrong, inp, up);
    expect(dh0?.normRel).toBeGreaterThan(1e-7);
    expect(dh0?.abs).toBeGreaterThan(dh0?.floor as number);
  });
});
