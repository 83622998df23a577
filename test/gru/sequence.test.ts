/**
 * The sequence is the step in a loop: T = 1 is one step, and editing the
 * returned h leaves the backward alone. (Any T against a literal loop of
 * public steps, and the allocation count, are checked for every cell in
 * test/linalg/sequences-vs-steps.test.ts and test/linalg/allocation.test.ts.)
 */
import { gruBackward, gruForward, gruStepBackward, gruStepForward } from '../../src/index';
import { randMatrix, randTensor, rng } from '../helpers/numeric';
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
