/**
 * A reference backward validates the cache of the reference forward, before
 * any arithmetic, with messages that name the function and the field: a fast
 * cache, a cache of other shapes or a missing field is caught by name.
 */
import * as fast from '../../src/index';
import { Matrix, ShapeError, Tensor3 } from '../../src/index';
import * as reference from '../../src/reference';

const p = (D: number, H: number, G: number) => ({
  Wx: Matrix.zeros(D, G * H),
  Wh: Matrix.zeros(H, G * H),
  b: Matrix.zeros(1, G * H),
});
const gp = (D: number, H: number) => ({ ...p(D, H, 3), bx: Matrix.zeros(1, 3 * H), bh: Matrix.zeros(1, 3 * H) });

describe('reference caches', () => {
  test('a fast sequence cache is refused by name', () => {
    const { cache } = fast.rnnForward(Tensor3.zeros(2, 3, 4), Matrix.zeros(2, 5), p(4, 5, 1));
    expect(() => reference.rnnBackward(Tensor3.zeros(2, 3, 5), cache as never)).toThrow(
      new TypeError(
        "rnnBackward: cache was made by handgrad's (fast) rnnForward; pass it to handgrad's rnnBackward, " +
          "or give this rnnBackward the cache of handgrad/reference's rnnForward",
      ),
    );
  });

  type Forward = (x: Tensor3, h0: Matrix, p: never) => { cache: unknown };
  type Backward = (dh: Tensor3, cache: never) => unknown;
  const paths: [string, Forward, Backward, object][] = [
    ['rnn', reference.rnnForward as Forward, fast.rnnBackward as Backward, p(4, 5, 1)],
    ['lstm', reference.lstmForward as Forward, fast.lstmBackward as Backward, p(4, 5, 4)],
    ['gru', reference.gruForward as Forward, fast.gruBackward as Backward, gp(4, 5)],
  ];
  test.each(paths)('a %s reference cache given to the fast backward is refused by name', (cell, fwd, bwd, params) => {
    const { cache } = fwd(Tensor3.zeros(2, 3, 4), Matrix.zeros(2, 5), params as never);
    const made = `${cell}Backward: cache was made by handgrad/reference's ${cell}Forward; `;
    const fix =
      `pass it to handgrad/reference's ${cell}Backward, ` +
      `or give this ${cell}Backward the cache of handgrad's ${cell}Forward`;
    expect(() => bwd(Tensor3.zeros(2, 3, 5), cache as never)).toThrow(new TypeError(made + fix));
  });

  test('a record with no steps at all is refused as not a reference cache', () => {
    expect(() => reference.rnnBackward(Tensor3.zeros(2, 3, 5), { steps: [] } as never)).toThrow(
      new TypeError('rnnBackward: cache.steps must be the non-empty array of step caches returned by rnnForward'),
    );
  });

  test('a fast step cache is refused by name', () => {
    const { cache } = fast.lstmStepForward(Matrix.zeros(2, 4), Matrix.zeros(2, 5), Matrix.zeros(2, 5), p(4, 5, 4));
    expect(() => reference.lstmStepBackward(Matrix.zeros(2, 5), Matrix.zeros(2, 5), cache as never)).toThrow(
      new TypeError(
        "lstmStepBackward: cache was made by handgrad's (fast) lstmStepForward; " +
          "pass it to handgrad's lstmStepBackward, " +
          "or give this lstmStepBackward the cache of handgrad/reference's lstmStepForward",
      ),
    );
  });

  test('a step of other shapes inside a sequence cache is named by its index', () => {
    const a = reference.gruForward(Tensor3.zeros(2, 3, 4), Matrix.zeros(2, 5), gp(4, 5));
    const b = reference.gruForward(Tensor3.zeros(3, 1, 4), Matrix.zeros(3, 5), gp(4, 5));
    const mixed = { steps: [a.cache.steps[0], b.cache.steps[0], a.cache.steps[2]] };
    expect(() => reference.gruBackward(Tensor3.zeros(2, 3, 5), mixed as never)).toThrow(
      new ShapeError(
        'gruBackward: cache.steps[1].x must be 2×4 (N×D, the shape of step 0), got 3×4',
        'cache.steps[1].x',
      ),
    );
  });

  test('a gate of the wrong shape in a step cache is named', () => {
    const [x, h, c] = [Matrix.zeros(2, 4), Matrix.zeros(2, 5), Matrix.zeros(2, 5)];
    const { cache } = reference.lstmStepForward(x, h, c, p(4, 5, 4));
    expect(() => reference.lstmStepBackward(h, c, { ...cache, o: Matrix.zeros(2, 4) })).toThrow(
      /^lstmStepBackward: cache\.o must be N×H = 2×5 \(N = 2 from cache\.x, H = 5 from cache\.c\), got 2×4$/,
    );
  });

  test('dh of the wrong length is refused like the fast backward does', () => {
    const { cache } = reference.lstmForward(Tensor3.zeros(2, 3, 4), Matrix.zeros(2, 5), p(4, 5, 4));
    const { cache: fastCache } = fast.lstmForward(Tensor3.zeros(2, 3, 4), Matrix.zeros(2, 5), p(4, 5, 4));
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const want = message(() => fast.lstmBackward(Tensor3.zeros(2, 4, 5), fastCache));
    expect(want).toMatch(
      /^lstmBackward: dh must be N×T×H = 2×3×5 \(the shape of h: N = 2, T = 3 and H = 5 from the cache\), got 2×4×5/,
    );
    expect(message(() => reference.lstmBackward(Tensor3.zeros(2, 4, 5), cache))).toBe(want);
  });

  test('the cache is left as it was, and a second backward gives the same bits', () => {
    const x = Tensor3.from([
      [
        [0.5, -1],
        [0.25, 2],
      ],
    ]);
    const { cache } = reference.rnnForward(x, Matrix.from([[0.1, 0.2, 0.3]]), {
      Wx: Matrix.from([
        [0.1, 0.2, 0.3],
        [0.4, 0.5, 0.6],
      ]),
      Wh: Matrix.from([
        [0.1, 0, 0],
        [0, 0.2, 0],
        [0, 0, 0.3],
      ]),
      b: Matrix.from([[0.1, -0.1, 0]]),
    });
    const before = JSON.stringify(cache.steps.map((s) => [s.x.toArray(), s.hPrev.toArray(), s.h.toArray()]));
    const dh = Tensor3.from([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]);
    const first = reference.rnnBackward(dh, cache);
    const second = reference.rnnBackward(dh, cache);
    expect(JSON.stringify(cache.steps.map((s) => [s.x.toArray(), s.hPrev.toArray(), s.h.toArray()]))).toBe(before);
    expect(Array.from(second.dWh.data)).toEqual(Array.from(first.dWh.data));
  });
});
