import { learningCurveSpec, windowedMeans } from '../../src/experiments/plots';

describe('windowedMeans', () => {
  it('averages consecutive windows and labels each with its last step', () => {
    expect(windowedMeans([1, 3, 5, 7, 9], 2, 'r')).toEqual([
      { step: 2, loss: 2, run: 'r' },
      { step: 4, loss: 6, run: 'r' },
      { step: 5, loss: 9, run: 'r' },
    ]);
  });

  it('treats a window below 1 as 1', () => {
    expect(windowedMeans([4, 5], 0, 'r')).toHaveLength(2);
  });
});

describe('learningCurveSpec', () => {
  it('draws a log-scale line per run and a baseline rule when asked', () => {
    const spec = learningCurveSpec(windowedMeans([1, 0.5, 0.1], 1, 'lstm'), {
      title: 't',
      yTitle: 'MSE',
      log: true,
      baseline: { value: 1 / 6, label: 'baseline' },
    }) as { layer: { encoding?: { y: { scale?: unknown } }; data?: { values: { value: number }[] } }[] };
    expect(spec.layer).toHaveLength(2);
    expect(spec.layer[0]!.encoding!.y.scale).toEqual({ type: 'log' });
    expect(spec.layer[1]!.data!.values[0]!.value).toBeCloseTo(1 / 6, 15);
  });

  it('is linear and has no rule without those options', () => {
    const spec = learningCurveSpec([], { title: 't', yTitle: 'y' }) as {
      layer: { encoding: { y: { scale?: unknown } } }[];
    };
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0]!.encoding.y.scale).toBeUndefined();
  });
});
