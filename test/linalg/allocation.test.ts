/**
 * Sequences without garbage: every buffer is allocated once per call, before
 * the time loop, so the number of allocFloat64 calls of a forward or backward
 * does not grow with T.
 */
import { gruBackward, gruForward, lstmBackward, lstmForward, rnnBackward, rnnForward } from '../../src/index';
import { allocationCount } from '../../src/linalg/alloc';
import { setChunkValues } from '../../src/linalg/batch-first';
import { randMatrix, randTensor, rng } from '../helpers/numeric';

function allocationsDuring(run: () => void): number {
  const before = allocationCount();
  run();
  return allocationCount() - before;
}

describe('the time loops allocate nothing', () => {
  const N = 3;
  const D = 4;
  const H = 5;

  function rnnCounts(T: number): [number, number] {
    const rand = rng(T);
    const x = randTensor(N, T, D, rand);
    const h0 = randMatrix(N, H, rand);
    const p = { Wx: randMatrix(D, H, rand), Wh: randMatrix(H, H, rand), b: randMatrix(1, H, rand) };
    const dh = randTensor(N, T, H, rand);
    let cache: ReturnType<typeof rnnForward>['cache'] | undefined;
    const forward = allocationsDuring(() => {
      cache = rnnForward(x, h0, p).cache;
    });
    const backward = allocationsDuring(() => rnnBackward(dh, cache!));
    return [forward, backward];
  }

  function lstmCounts(T: number): [number, number] {
    const rand = rng(T);
    const x = randTensor(N, T, D, rand);
    const h0 = randMatrix(N, H, rand);
    const p = { Wx: randMatrix(D, 4 * H, rand), Wh: randMatrix(H, 4 * H, rand), b: randMatrix(1, 4 * H, rand) };
    const dh = randTensor(N, T, H, rand);
    let cache: ReturnType<typeof lstmForward>['cache'] | undefined;
    const forward = allocationsDuring(() => {
      cache = lstmForward(x, h0, p).cache;
    });
    const backward = allocationsDuring(() => lstmBackward(dh, cache!));
    return [forward, backward];
  }

  function gruCounts(T: number): [number, number] {
    const rand = rng(T);
    const x = randTensor(N, T, D, rand);
    const h0 = randMatrix(N, H, rand);
    const p = { Wx: randMatrix(D, 3 * H, rand), Wh: randMatrix(H, 3 * H, rand), bx: randMatrix(1, 3 * H, rand), bh: randMatrix(1, 3 * H, rand) };
    const dh = randTensor(N, T, H, rand);
    let cache: ReturnType<typeof gruForward>['cache'] | undefined;
    const forward = allocationsDuring(() => {
      cache = gruForward(x, h0, p).cache;
    });
    const backward = allocationsDuring(() => gruBackward(dh, cache!));
    return [forward, backward];
  }

  it('RNN: forward and backward allocate as many buffers for T = 50 as for T = 2', () => {
    const short = rnnCounts(2);
    expect(short[0]).toBeGreaterThan(0); // the counter does see these calls
    expect(rnnCounts(50)).toEqual(short);
  });

  it('LSTM: forward and backward allocate as many buffers for T = 50 as for T = 2', () => {
    const short = lstmCounts(2);
    expect(short[0]).toBeGreaterThan(0);
    expect(lstmCounts(50)).toEqual(short);
  });

  it('GRU: forward and backward allocate as many buffers for T = 50 as for T = 2', () => {
    const short = gruCounts(2);
    expect(short[0]).toBeGreaterThan(0);
    expect(gruCounts(50)).toEqual(short);
  });

  it('chunked backward (dA kept for ⌈T/4⌉ steps at a time): as many buffers for T = 50 as for T = 8, every cell', () => {
    const previous = setChunkValues(0);
    try {
      for (const counts of [rnnCounts, lstmCounts, gruCounts]) expect(counts(50)[1]).toEqual(counts(8)[1]);
    } finally {
      setChunkValues(previous);
    }
  });
});
