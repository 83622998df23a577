/**
 * Sequences without garbage: every buffer is allocated once per call, before
 * the time loop, so the number of allocFloat64 calls of a forward or backward
 * does not grow with T.
 */
import { CELL_DESCRIPTORS } from '../../src/cells';
import { sequenceKernel, type CellDescriptor } from '../../src/descriptor';
import { allocationCount } from '../../src/linalg/alloc';
import { setChunkValues } from '../../src/linalg/batch-first';
import { fastDefs, makeUpstream } from '../helpers/kernels';
import { rng } from '../helpers/numeric';

function allocationsDuring(run: () => void): number {
  const before = allocationCount();
  run();
  return allocationCount() - before;
}

/** Every cell with fast kernels (a cell served by its reference allocates per step by design). */
const cells = CELL_DESCRIPTORS.filter((c) => c.fast !== undefined);

describe('the time loops allocate nothing', () => {
  /** Buffers allocated by the fast forward and backward of `cell` over T steps (N = 3, D = 4, H = 5). */
  function counts(cell: CellDescriptor, T: number): [number, number] {
    const k = sequenceKernel(cell);
    const { forward, backward } = k.pick(cell.fast!);
    const def = fastDefs(cell)[1];
    const rand = rng(T);
    const inp = def.makeInputs({ N: 3, T, D: 4, H: 5 }, rand);
    const up = makeUpstream(def, inp, rand);
    let cache: unknown;
    const forwardCount = allocationsDuring(() => {
      cache = (k.callForward(forward, inp) as { cache: unknown }).cache;
    });
    return [forwardCount, allocationsDuring(() => k.callBackward(backward, up, cache))];
  }

  it('covers the RNN, the LSTM and the GRU', () => {
    expect(cells.map((c) => c.name)).toEqual(expect.arrayContaining(['rnn', 'lstm', 'gru']));
  });

  it.each(cells)('$title: forward and backward allocate as many buffers for T = 50 as for T = 2', (cell) => {
    const short = counts(cell, 2);
    expect(short[0]).toBeGreaterThan(0); // the counter does see these calls
    expect(counts(cell, 50)).toEqual(short);
  });

  it('chunked backward (dA kept for ⌈T/4⌉ steps at a time): as many buffers for T = 50 as for T = 8, each cell', () => {
    const previous = setChunkValues(0);
    try {
      for (const cell of cells) expect(counts(cell, 50)[1]).toEqual(counts(cell, 8)[1]);
    } finally {
      setChunkValues(previous);
    }
  });
});
