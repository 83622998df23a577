/**
 * checkKernel's `numericGradient` option: the finite differences of a user's
 * forward computed where that forward runs (a numpy module's, in Python), one
 * call per input. Here it is computed in JavaScript, independently, from the
 * request alone, so the checker's use of it can be tested without Python.
 */
import { KernelContractError, checkKernel, rnnStepSpec, type NumericGradientRequest } from '../../src/gradcheck/index';
import type { Matrix } from '../../src/linalg/index';

const implementation = { forward: rnnStepSpec.reference.forward, backward: rnnStepSpec.reference.backward };

/** L = Σ h ⊙ dh of the library's forward, differenced at the request's coordinates. */
function differences(req: NumericGradientRequest, scale = 1): number[] {
  const x = req.values[req.input] as Matrix;
  const dh = (req.upstream.h as Matrix).data;
  const loss = (): number => {
    const { h } = rnnStepSpec.callForward(implementation.forward, req.values) as { h: Matrix };
    return h.data.reduce((s, v, k) => s + v * (dh[k] as number), 0);
  };
  return req.indices.map((k) => {
    const old = x.data[k] as number;
    x.data[k] = old + req.eps;
    const plus = loss();
    x.data[k] = old - req.eps;
    const minus = loss();
    x.data[k] = old;
    return (scale * (plus - minus)) / (2 * req.eps);
  });
}

describe('checkKernel with numericGradient', () => {
  it('uses one call per input, with every coordinate, and passes a right kernel', () => {
    const calls: string[] = [];
    const report = checkKernel(rnnStepSpec, {
      implementation,
      numericGradient: (req) => {
        calls.push(`${req.input}:${req.indices.length}`);
        return differences(req);
      },
    });
    expect(report.ok).toBe(true);
    expect(calls).toEqual(['Wx:40', 'Wh:16', 'b:4', 'x:30', 'hPrev:12']);
    for (const row of report.rows) if (row.kind === 'gradient') expect(row.numeric?.normRelError).toBeLessThan(1e-8);
  });

  it('its values are what the gradients are compared with: scaled ones make every gradient fail', () => {
    const report = checkKernel(rnnStepSpec, { implementation, numericGradient: (req) => differences(req, 1.5) });
    const gradients = report.rows.filter((r) => r.kind === 'gradient');
    expect(gradients.map((r) => r.numeric?.ok)).toEqual([false, false, false, false, false]);
  });

  it('is only asked for the sampled coordinates with --samples', () => {
    const counts: number[] = [];
    const numericGradient = (req: NumericGradientRequest): number[] => {
      counts.push(req.indices.length);
      return differences(req);
    };
    checkKernel(rnnStepSpec, { implementation, samples: 3, numericGradient });
    expect(counts).toEqual([3, 3, 3, 3, 3]);
  });

  it("is ignored for the library's own kernels (no implementation given)", () => {
    const numericGradient = (): number[] => {
      throw new Error('not to be called');
    };
    const report = checkKernel(rnnStepSpec, { numericGradient });
    expect(report.ok).toBe(true);
  });

  it("a wrong number of values, or a throw, is the kernel's contract error", () => {
    expect(() => checkKernel(rnnStepSpec, { implementation, numericGradient: () => [1, 2] })).toThrow(
      new KernelContractError('rnn-step', 'finite differences of Wx gave 2 values for 40 coordinates'),
    );
    expect(() =>
      checkKernel(rnnStepSpec, {
        implementation,
        numericGradient: () => {
          throw new TypeError('boom');
        },
      }),
    ).toThrow(/^rnn-step: your rnnStepForward threw TypeError: boom$/);
  });
});
