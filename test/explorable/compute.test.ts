/**
 * The page's numbers are the library's: the reference steps the page runs one
 * at a time, carried gradients summed by hand, equal the fast sequence forward
 * and backward of `handgrad` on the same case to 1e-12 (norm-relative).
 */
import { implementationOf, sequenceKernel } from '../../src/descriptor';
import { Matrix, type Tensor3 } from '../../src/index';
import { normRelError } from '../../src/gradcheck/index';
import { clampSizes, makeCase, runCase } from '../../explorable/compute';

describe.each(['rnn', 'lstm', 'gru'])('%s: the page equals the library', (cellName) => {
  const c = makeCase(cellName, { N: 3, D: 4, H: 3, T: 5 }, 7);
  const run = runCase(c);
  const k = sequenceKernel(c.cell);
  const fast = implementationOf(c.cell);
  const values: Record<string, unknown> = { x: c.x, ...c.params };
  for (const s of c.cell.states) values[`${s}0`] = c.first[s];
  const f = k.callForward(fast.forward, values) as { h: Tensor3; cache: unknown };
  const upstream: Record<string, unknown> = { h: c.dh };
  for (const s of c.cell.states.slice(1)) upstream[s] = Matrix.zeros(c.sizes.N, c.sizes.H);
  const g = k.callBackward(fast.backward, upstream, f.cache) as Record<string, Matrix | Tensor3>;

  it('has every h_t of the fast forward', () => {
    expect(normRelError(run.h.data, f.h.data)).toBeLessThanOrEqual(1e-12);
  });

  it.each(['dx', 'dh0', ...c.cell.params.map((p) => `d${p.name}`), ...(cellName === 'lstm' ? ['dc0'] : [])])(
    'has the fast backward’s %s',
    (name) => {
      const mine = run.grads[name];
      const lib = g[name];
      expect(mine).toBeDefined();
      expect(lib).toBeDefined();
      expect(Array.from((mine as Matrix).data).some((v) => v !== 0)).toBe(true);
      expect(normRelError((mine as Matrix).data, (lib as Matrix).data)).toBeLessThanOrEqual(1e-12);
    },
  );
});

it('keeps the sizes inside the page’s limits', () => {
  expect(clampSizes({ N: 0, D: 99, H: 2.4, T: Number.NaN })).toEqual({ N: 1, D: 6, H: 2, T: 1 });
});
