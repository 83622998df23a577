/**
 * The sequence is the step in a loop: T = 1 is one step, any T is a manual
 * loop of public steps forward and backward, and the time loop allocates
 * no buffers.
 */
import {
  Matrix,
  Tensor3,
  addInto,
  allocationCount,
  gruBackward,
  gruForward,
  gruStepBackward,
  gruStepForward,
  type GruStepCache,
} from '../../src/index';
import { normRelError, randMatrix, randTensor, rng } from '../helpers/numeric';
import { gruParams, gruWeights } from '../helpers/kernels';

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

test('T = 1: the sequence is exactly one step, forward and backward', () => {
  const r = rng(5);
  const [N, D, H] = [3, 4, 2];
  const x = randTensor(N, 1, D, r);
  const h0 = randMatrix(N, H, r);
  const p = gruParams(gruWeights(D, H, r));
  const dh = randTensor(N, 1, H, r);
  const seq = gruForward(x, h0, p);
  const step = gruStepForward(x.step(0), h0, p);
  expect(sameBits(seq.h.data, step.h.data)).toBe(true);
  const gs = gruBackward(dh, seq.cache);
  const g1 = gruStepBackward(dh.step(0), step.cache);
  expect(sameBits(gs.dx.data, g1.dx.data)).toBe(true);
  expect(sameBits(gs.dh0.data, g1.dhPrev.data)).toBe(true);
  for (const k of ['dWx', 'dWh', 'dbx', 'dbh'] as const) expect(sameBits(gs[k].data, g1[k].data)).toBe(true);
});

test('any T: the sequence equals a manual loop of steps, forward and backward (BPTT by hand)', () => {
  const r = rng(6);
  const [N, T, D, H] = [2, 6, 3, 4];
  const x = randTensor(N, T, D, r);
  const h0 = randMatrix(N, H, r);
  const p = gruParams(gruWeights(D, H, r));
  const dh = randTensor(N, T, H, r);
  const seq = gruForward(x, h0, p);
  const gs = gruBackward(dh, seq.cache);

  const caches: GruStepCache[] = [];
  let h = h0;
  for (let t = 0; t < T; t++) {
    const s = gruStepForward(x.step(t), h, p);
    caches.push(s.cache);
    h = s.h;
    expect(sameBits(seq.h.step(t).data, s.h.data)).toBe(true);
  }
  let carried = Matrix.zeros(N, H);
  const sums = { dWx: Matrix.zeros(D, 3 * H), dWh: Matrix.zeros(H, 3 * H), dbx: Matrix.zeros(1, 3 * H), dbh: Matrix.zeros(1, 3 * H) };
  const dx = Tensor3.zeros(N, T, D);
  for (let t = T - 1; t >= 0; t--) {
    const g = dh.step(t);
    addInto(g, carried);
    const s = gruStepBackward(g, caches[t]!);
    for (const k of ['dWx', 'dWh', 'dbx', 'dbh'] as const) addInto(sums[k], s[k]);
    for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) dx.data[(n * T + t) * D + d] = s.dx.get(n, d);
    carried = s.dhPrev;
  }
  // dx and the carried dh are the same arithmetic, so exact; the weight sums
  // add the batch rows of every step straight into one accumulator, a
  // different summation order from summing per-step matrices.
  expect(sameBits(gs.dx.data, dx.data)).toBe(true);
  expect(sameBits(gs.dh0.data, carried.data)).toBe(true);
  for (const k of ['dWx', 'dWh', 'dbx', 'dbh'] as const) {
    expect(normRelError(gs[k].data, sums[k].data)).toBeLessThan(1e-14);
  }
});

test('the returned h is a copy: editing it does not change the backward', () => {
  const r = rng(8);
  const x = randTensor(2, 3, 2, r);
  const h0 = randMatrix(2, 3, r);
  const p = gruParams(gruWeights(2, 3, r));
  const dh = randTensor(2, 3, 3, r);
  const a = gruForward(x, h0, p);
  const before = gruBackward(dh, a.cache).dWh.data.slice();
  a.h.data.fill(123);
  expect(sameBits(gruBackward(dh, a.cache).dWh.data, before)).toBe(true);
});

test('the time loop allocates nothing: buffer count does not grow with T', () => {
  const r = rng(9);
  const [N, D, H] = [2, 3, 4];
  const p = gruParams(gruWeights(D, H, r));
  const h0 = randMatrix(N, H, r);
  const count = (T: number) => {
    const x = randTensor(N, T, D, r);
    const dh = randTensor(N, T, H, r);
    const a0 = allocationCount();
    const { cache } = gruForward(x, h0, p);
    const a1 = allocationCount();
    gruBackward(dh, cache);
    return { forward: a1 - a0, backward: allocationCount() - a1 };
  };
  const short = count(1);
  const long = count(40);
  expect(long).toEqual(short);
  expect(short.forward).toBeGreaterThan(0); // the counter does see this code
});
