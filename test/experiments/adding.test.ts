import { Matrix } from '../../src/index';
import { gradKey } from '../../src/train/index';
import {
  ADDING_BASELINE_MSE,
  addingBatch,
  addingLossAndGrads,
  createAddingModel,
  stepDecaySchedule,
  trainAdding,
} from '../../src/experiments/adding';
import { cellNames, getCell } from '../../src/train/cells';
import { seededRandom } from '../../src/train/random';
import { normRelError } from '../helpers/numeric';

describe('addingBatch', () => {
  it('sets exactly two markers, one in each half, and the target is the sum of their values', () => {
    const T = 9;
    const { x, y } = addingBatch(50, T, seededRandom(1));
    for (let n = 0; n < 50; n++) {
      const marked: number[] = [];
      for (let t = 0; t < T; t++) {
        const v = x.get(n, t, 0);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(1);
        if (x.get(n, t, 1) === 1) marked.push(t);
        else expect(x.get(n, t, 1)).toBe(0);
      }
      expect(marked).toHaveLength(2);
      expect(marked[0]).toBeLessThan(Math.floor(T / 2));
      expect(marked[1]).toBeGreaterThanOrEqual(Math.floor(T / 2));
      expect(y.data[n]).toBeCloseTo(x.get(n, marked[0]!, 0) + x.get(n, marked[1]!, 0), 15);
    }
  });

  it('rejects T < 2', () => {
    expect(() => addingBatch(3, 1, seededRandom(1))).toThrow(/T must be at least 2/);
  });
});

describe('the adding model', () => {
  it.each(cellNames())('%s: gradients of the MSE match centered differences', (name) => {
    const cell = getCell(name);
    const params = createAddingModel(cell, 3, seededRandom(2));
    const batch = addingBatch(4, 5, seededRandom(3));
    const { grads } = addingLossAndGrads(cell, params, batch);
    for (const [key, m] of Object.entries(params)) {
      const num = new Float64Array(m.data.length);
      for (let i = 0; i < m.data.length; i++) {
        const old = m.data[i]!;
        m.data[i] = old + 1e-5;
        const plus = addingLossAndGrads(cell, params, batch).loss;
        m.data[i] = old - 1e-5;
        const minus = addingLossAndGrads(cell, params, batch).loss;
        m.data[i] = old;
        num[i] = (plus - minus) / 2e-5;
      }
      expect(normRelError((grads[gradKey(key)] as Matrix).data, num)).toBeLessThan(1e-7);
    }
  });

  it('the learning-rate schedule halves at 50%, 75% and 90%', () => {
    expect([0, 49, 50, 74, 75, 89, 90, 99].map((s) => stepDecaySchedule(8, s, 100))).toEqual([8, 8, 4, 4, 2, 2, 1, 1]);
  });
});

describe('trainAdding (CI-sized run)', () => {
  // T = 20, H = 16, 300 steps of batch 32: a few seconds with the naive
  // products. The baseline 1/6 is what a model that ignores the markers gets;
  // an LSTM that learned to gate them lands far below it (≈ 0.005 at seed 1).
  it('an LSTM brings the test MSE well below the 1/6 baseline', () => {
    const losses: number[] = [];
    const result = trainAdding({ cell: 'lstm', T: 20, H: 16, batchSize: 32, steps: 300, seed: 1, testSize: 500 }, (p) =>
      losses.push(p.loss),
    );
    expect(losses).toHaveLength(300);
    expect(result.baselineMse).toBeCloseTo(ADDING_BASELINE_MSE, 15);
    expect(result.testMse).toBeLessThan(ADDING_BASELINE_MSE / 5);
  }, 60_000);

  it('rejects an unknown cell, naming the available ones', () => {
    expect(() => trainAdding({ cell: 'nope', steps: 1 })).toThrow(/no cell named "nope"/);
  });

  it('rejects a non-integer step count', () => {
    expect(() => trainAdding({ steps: 1.5 })).toThrow(/options\.steps must be a positive integer/);
  });
});

describe('bad input to the adding model', () => {
  it('addingLossAndGrads names a missing read-out param', () => {
    const cell = getCell('lstm');
    const { 'out.W': _dropped, ...rest } = createAddingModel(cell, 3, seededRandom(1));
    expect(() => addingLossAndGrads(cell, rest, addingBatch(2, 4, seededRandom(2)))).toThrow(
      /addingLossAndGrads: params\["out\.W"\] is missing/,
    );
  });

  it('addingLossAndGrads rejects a read-out of the wrong shape', () => {
    const cell = getCell('rnn');
    const params = { ...createAddingModel(cell, 3, seededRandom(1)), 'out.b': Matrix.zeros(1, 2) };
    expect(() => addingLossAndGrads(cell, params, addingBatch(2, 4, seededRandom(2)))).toThrow(
      /params\["out\.b"\] must be 1×1/,
    );
  });

  it('createAddingModel rejects a non-integer H', () => {
    expect(() => createAddingModel(getCell('rnn'), 2.5, seededRandom(1))).toThrow(/H must be a positive integer/);
  });
});
