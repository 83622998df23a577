/**
 * Saturated gates stay finite, and a NaN in one input reaches exactly what
 * depends on it.
 */
import { Matrix, type Tensor3, gruBackward, gruForward, gruStepBackward, gruStepForward } from '../../src/index';
import { randMatrix, randTensor, rng } from '../helpers/numeric';
import { gruParams, gruWeights } from '../helpers/kernels';

const allFinite = (...arrays: (Matrix | Tensor3)[]): boolean => arrays.every((a) => a.data.every(Number.isFinite));

describe('pre-activations of ±1e3 stay finite, forward and backward', () => {
  test.each([1e3, -1e3])('every gate driven to %d by the biases', (s) => {
    const r = rng(12);
    const [N, D, H] = [3, 2, 4];
    const p = gruParams(gruWeights(D, H, r));
    const big = { ...p, bx: Matrix.from([Array(3 * H).fill(s)]), bh: Matrix.from([Array(3 * H).fill(s)]) };
    const { h, cache } = gruStepForward(randMatrix(N, D, r), randMatrix(N, H, r), big);
    const g = gruStepBackward(randMatrix(N, H, r), cache);
    expect(allFinite(h, cache.gates, cache.hn, g.dx, g.dhPrev, g.dWx, g.dWh, g.dbx, g.dbh)).toBe(true);
    // saturation really happened: r, z at 0 or 1, n at ±1
    expect(
      cache.gates.data.every((v) => Math.abs(Math.abs(v - 0.5) - 0.5) < 1e-12 || Math.abs(Math.abs(v) - 1) < 1e-12),
    ).toBe(true);
  });

  test('inputs of size 1e3 through a whole sequence (mixed signs)', () => {
    const r = rng(13);
    const [N, T, D, H] = [2, 4, 3, 5];
    const x = randTensor(N, T, D, r, 1e3);
    const { h, cache } = gruForward(x, randMatrix(N, H, r), gruParams(gruWeights(D, H, r)));
    const g = gruBackward(randTensor(N, T, H, r), cache);
    expect(allFinite(h, g.dx, g.dh0, g.dWx, g.dWh, g.dbx, g.dbh)).toBe(true);
    expect(cache.gates.some((v) => v > 1 - 1e-12) && cache.gates.some((v) => v < 1e-12)).toBe(true);
  });
});

describe('NaN in an input propagates only to what depends on it', () => {
  const [N, T, D, H] = [3, 5, 4, 3];
  const r = rng(14);
  const x = randTensor(N, T, D, r);
  const h0 = randMatrix(N, H, r);
  const p = gruParams(gruWeights(D, H, r));
  const dh = randTensor(N, T, H, r);
  const clean = gruForward(x, h0, p);
  const cleanGrads = gruBackward(dh, clean.cache);
  const [n0, t0] = [1, 2];

  /** Checks every (n, t) slice of a tensor: NaN where `poisoned`, bit-identical to the clean run elsewhere. */
  function expectPattern(got: Tensor3, want: Tensor3, poisoned: (n: number, t: number) => boolean): void {
    const [NN, TT, K] = got.dims;
    for (let n = 0; n < NN; n++) {
      for (let t = 0; t < TT; t++) {
        for (let k = 0; k < K; k++) {
          const v = got.get(n, t, k);
          if (poisoned(n, t)) expect([n, t, k, v]).toEqual([n, t, k, NaN]);
          else expect([n, t, k, v]).toEqual([n, t, k, want.get(n, t, k)]);
        }
      }
    }
  }

  test('NaN in x[n0, t0, 0]: h[n0, t ≥ t0] is NaN, other examples and earlier steps unchanged', () => {
    const xn = x.clone();
    xn.data[(n0 * T + t0) * D] = NaN;
    const { h } = gruForward(xn, h0, p);
    expectPattern(h, clean.h, (n, t) => n === n0 && t >= t0);
  });

  test('NaN in h0[n0, 0]: only example n0 is NaN, at every step', () => {
    const h0n = h0.clone();
    h0n.data[n0 * H] = NaN;
    const { h } = gruForward(x, h0n, p);
    expectPattern(h, clean.h, (n) => n === n0);
  });

  test('NaN in upstream dh[n0, t0, 0]: dx[n0, t ≤ t0] and dh0[n0] are NaN, all else per example unchanged', () => {
    const dhn = dh.clone();
    dhn.data[(n0 * T + t0) * H] = NaN;
    const g = gruBackward(dhn, clean.cache);
    expectPattern(g.dx, cleanGrads.dx, (n, t) => n === n0 && t <= t0);
    for (let n = 0; n < N; n++) {
      for (let j = 0; j < H; j++) {
        if (n === n0) expect(g.dh0.get(n, j)).toBeNaN();
        else expect(g.dh0.get(n, j)).toBe(cleanGrads.dh0.get(n, j));
      }
    }
    // the weight gradients sum over the batch, so they all depend on example n0
    expect(g.dWx.data.every(Number.isNaN)).toBe(true);
    expect(g.dbh.data.every(Number.isNaN)).toBe(true);
  });
});
