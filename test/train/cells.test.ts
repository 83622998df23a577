import { Matrix, Tensor3, lstmBackward, lstmForward, rnnBackward, rnnForward } from '../../src/index';
import {
  cellNames,
  getCell,
  initRecurrentWeights,
  lastStepBackward,
  lstmCell,
  registerCell,
  rnnCell,
  withLastStepAdded,
  type CellState,
  type RecurrentCell,
} from '../../src/train/cells';
import { randomOrthogonal, seededRandom } from '../../src/train/random';
import { normRelError, randMatrix, randTensor, rng } from '../helpers/numeric';

function flatGrads(g: Record<string, Matrix>): Float64Array {
  return Float64Array.from(
    Object.keys(g)
      .sort()
      .flatMap((k) => Array.from(g[k]!.data)),
  );
}

describe('randomOrthogonal', () => {
  it('gives QᵀQ = I to float64 accuracy', () => {
    const H = 16;
    const Q = randomOrthogonal(H, seededRandom(3));
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let k = 0; k < H; k++) s += Q.get(k, i) * Q.get(k, j);
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });
});

describe('the cell adapters', () => {
  it('initRecurrentWeights makes each H×H block of Wh orthogonal', () => {
    const { Wh } = initRecurrentWeights(3, 5, 4, seededRandom(1));
    for (let g = 0; g < 4; g++) {
      for (let i = 0; i < 5; i++) {
        let s = 0;
        for (let k = 0; k < 5; k++) s += Wh.get(k, g * 5 + i) ** 2;
        expect(s).toBeCloseTo(1, 12);
      }
    }
  });

  it('the LSTM starts with forget bias 1 and the other biases 0', () => {
    const { b } = lstmCell.init(2, 3, seededRandom(1));
    expect(Array.from(b!.data)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('rnn adapter = rnnForward / rnnBackward, with dLast added at h_T', () => {
    const rand = rng(1);
    const p = rnnCell.init(3, 4, seededRandom(2));
    const x = randTensor(2, 5, 3, rand);
    const h0 = randMatrix(2, 4, rand);
    const dh = randTensor(2, 5, 4, rand);
    const dhT = randMatrix(2, 4, rand);
    const dhBefore = dh.data.slice();
    const f = rnnCell.forward(x, { h: h0 }, p);
    const direct = rnnForward(x, h0, p as never);
    expect(f.h.data).toEqual(direct.h.data);
    const b = rnnCell.backward(dh, f.cache, { h: dhT });
    const dhPlus = dh.clone();
    for (let n = 0; n < 2; n++) for (let j = 0; j < 4; j++) dhPlus.data[(n * 5 + 4) * 4 + j]! += dhT.data[n * 4 + j]!;
    const g = rnnBackward(dhPlus, direct.cache);
    expect(b.dFirst.h.data).toEqual(g.dh0.data);
    expect(b.grads.dWh!.data).toEqual(g.dWh.data);
    expect(dh.data).toEqual(dhBefore); // dLast went into a copy
  });

  it('lstm adapter = lstmForward / lstmBackward, passing c_0 and dc_T through', () => {
    const rand = rng(4);
    const p = lstmCell.init(3, 4, seededRandom(5));
    const x = randTensor(2, 5, 3, rand);
    const h0 = randMatrix(2, 4, rand);
    const c0 = randMatrix(2, 4, rand);
    const dh = randTensor(2, 5, 4, rand);
    const dcT = randMatrix(2, 4, rand);
    const f = lstmCell.forward(x, { h: h0, c: c0 }, p);
    const direct = lstmForward(x, h0, p as never, c0);
    expect(f.last.c!.data).toEqual(direct.c.data);
    const b = lstmCell.backward(dh, f.cache, { h: Matrix.zeros(2, 4), c: dcT });
    const g = lstmBackward(dh, direct.cache, dcT);
    expect(b.dFirst.c!.data).toEqual(g.dc0.data);
    expect(b.grads.dWx!.data).toEqual(g.dWx.data);
  });

  // The flow experiment reads the carried gradient between steps by calling a
  // cell one step at a time; that is only BPTT if chaining T single-step
  // calls gives the same dh_0 (and dc_0) and the same summed weight gradients.
  it.each(cellNames())('%s: T single-step calls chained = one sequence call', (name) => {
    const cell = getCell(name);
    const rand = rng(9);
    const [N, T, D, H] = [2, 6, 3, 4];
    const p = cell.init(D, H, seededRandom(8));
    const x = randTensor(N, T, D, rand);
    const dh = randTensor(N, T, H, rand);
    const whole = cell.backward(dh, cell.forward(x, { h: Matrix.zeros(N, H) }, p).cache);

    let state: CellState = { h: Matrix.zeros(N, H) };
    const caches: unknown[] = [];
    for (let t = 0; t < T; t++) {
      const xt = Tensor3.zeros(N, 1, D);
      for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) xt.data[n * D + d] = x.get(n, t, d);
      const f = cell.forward(xt, state, p);
      caches.push(f.cache);
      state = f.last;
    }
    let dState: CellState | undefined;
    const sums: Record<string, Matrix> = {};
    for (let t = T - 1; t >= 0; t--) {
      const dht = Tensor3.zeros(N, 1, H);
      for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) dht.data[n * H + j] = dh.get(n, t, j);
      const b = cell.backward(dht, caches[t], dState);
      dState = b.dFirst;
      for (const [k, m] of Object.entries(b.grads)) {
        const acc = sums[k] ?? Matrix.zeros(m.rows, m.cols);
        sums[k] = acc;
        for (let i = 0; i < m.data.length; i++) acc.data[i]! += m.data[i]!;
      }
    }
    expect(normRelError(dState!.h.data, whole.dFirst.h.data)).toBeLessThan(1e-12);
    expect(normRelError(flatGrads(sums), flatGrads(whole.grads as Record<string, Matrix>))).toBeLessThan(1e-12);
  });
});

describe('the registry', () => {
  it('has rnn and lstm', () => {
    expect(cellNames()).toEqual(expect.arrayContaining(['rnn', 'lstm']));
    expect(getCell('lstm')).toBe(lstmCell);
  });

  it('a registered cell appears by name', () => {
    const echo: RecurrentCell = { ...rnnCell, name: 'test-echo', description: 'rnn under another name' };
    registerCell(echo);
    expect(getCell('test-echo')).toBe(echo);
    expect(cellNames()).toContain('test-echo');
  });

  it('getCell rejects an unknown name, listing what is available', () => {
    expect(() => getCell('gru-x')).toThrow(RangeError);
    expect(() => getCell('gru-x')).toThrow(/no cell named "gru-x"; available: rnn, lstm, gru/);
  });

  it('registerCell rejects something that is not a cell', () => {
    expect(() => registerCell({ name: 'Bad Name' } as never)).toThrow(TypeError);
  });

  it('registerCell rejects a cell without backward', () => {
    expect(() => registerCell({ name: 'half', init: () => ({}), forward: () => ({}) } as never)).toThrow(
      /has no backward\(\) method/,
    );
  });
});

describe('withLastStepAdded and lastStepBackward check their sizes', () => {
  it('withLastStepAdded refuses a dhLast narrower than dh, naming both shapes', () => {
    const dh = Tensor3.zeros(2, 3, 4);
    expect(() => withLastStepAdded(dh, Matrix.zeros(2, 3))).toThrow(RangeError);
    expect(() => withLastStepAdded(dh, Matrix.zeros(2, 3))).toThrow(
      /^withLastStepAdded: dhLast must be N×H = 2×4 \(the shape of dh\[:, T−1, :\]: N = 2 and H = 4 from dh\), got 2×3/,
    );
  });
  it('lastStepBackward refuses a huge T in its own name, before allocating', () => {
    expect(() => lastStepBackward(Matrix.zeros(1000, 1000), 1e6)).toThrow(
      /^lastStepBackward: N = 1000, T = 1000000, H = 1000 needs/,
    );
  });
});
