/**
 * The kernels against the literal mathjs GRU (test/gru/oracle.ts), to 1e-12.
 */
import { type Matrix, type Tensor3, gruBackward, gruForward, gruStepBackward, gruStepForward } from '../../src/index';
import { normRelError, randMatrix, randTensor, rng } from '../helpers/numeric';
import { gruParams, gruWeights } from '../helpers/kernels';
import { fromM, gruSequenceOracle, gruStepBackOracle, gruStepOracle, oracleParams, toM } from './oracle';

/** Largest |a − b| / max(1, |b|): absolute near 0, relative for large values. */
function maxDiff(a: Matrix | Tensor3, b: Matrix | Tensor3): number {
  expect(a.data.length).toBe(b.data.length);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const bi = b.data[i] as number;
    worst = Math.max(worst, Math.abs((a.data[i] as number) - bi) / Math.max(1, Math.abs(bi)));
  }
  return worst;
}

const shapes = [
  { N: 3, T: 5, D: 10, H: 4 },
  { N: 1, T: 1, D: 1, H: 1 },
  { N: 2, T: 3, D: 7, H: 5 },
];

describe('gru-step agrees with the mathjs oracle to 1e-12', () => {
  test.each(shapes)('N=$N D=$D H=$H', ({ N, D, H }) => {
    const r = rng(7 + N + D + H);
    const x = randMatrix(N, D, r);
    const hPrev = randMatrix(N, H, r);
    const p = gruParams(gruWeights(D, H, r));
    const dh = randMatrix(N, H, r);
    const { h, cache } = gruStepForward(x, hPrev, p);
    const op = oracleParams(p);
    const o = gruStepOracle(toM(x), toM(hPrev), op);
    expect(maxDiff(h, fromM(o.h))).toBeLessThan(1e-12);
    expect(maxDiff(cache.hn, fromM(o.hn))).toBeLessThan(1e-12);
    const g = gruStepBackward(dh, cache);
    const og = gruStepBackOracle(toM(dh), toM(x), toM(hPrev), op);
    for (const k of ['dx', 'dhPrev', 'dWx', 'dWh', 'dbx', 'dbh'] as const) {
      expect(maxDiff(g[k], fromM(og[k]))).toBeLessThan(1e-12);
    }
  });
});

describe('gru (sequence) agrees with the mathjs oracle to 1e-12', () => {
  test.each(shapes)('N=$N T=$T D=$D H=$H', ({ N, T, D, H }) => {
    const r = rng(11 + N + T + D + H);
    const x = randTensor(N, T, D, r);
    const h0 = randMatrix(N, H, r);
    const p = gruParams(gruWeights(D, H, r));
    const dh = randTensor(N, T, H, r);
    const { h, cache } = gruForward(x, h0, p);
    const o = gruSequenceOracle(x, h0, oracleParams(p), dh);
    expect(maxDiff(h, o.h)).toBeLessThan(1e-12);
    const g = gruBackward(dh, cache);
    expect(maxDiff(g.dx, o.dx!)).toBeLessThan(1e-12);
    for (const k of ['dh0', 'dWx', 'dWh', 'dbx', 'dbh'] as const) {
      expect(maxDiff(g[k], fromM(o[k]!))).toBeLessThan(1e-12);
    }
    // and the oracle is not trivially equal to something else: it differs from a GRU with the biases swapped
    const swapped = gruForward(x, h0, { ...p, bx: p.bh, bh: p.bx }).h;
    expect(normRelError(swapped.data, o.h.data)).toBeGreaterThan(1e-6);
  });
});
