/**
 * The edits-between-forward-and-backward suite, one cell at a time: an array
 * the cache refers to (x, the initial state, and for a sequence a weight or a
 * bias) edited in place after the forward makes the backward throw a
 * StaleCacheError naming it, on both paths, both tiers, for the sequence and
 * the step; no edit (or an edit undone) passes; the optimizers' loop never
 * trips it.
 */
import { Matrix, Tensor3 } from '../../src/index';
import * as fast from '../../src/index';
import { StaleCacheError } from '../../src/linalg/buffers';
import { setProductTier } from '../../src/linalg/public';
import { productTier } from '../../src/linalg/tier';
import { adam, sgd } from '../../src/optim/index';
import * as reference from '../../src/reference';

type Cell = 'rnn' | 'lstm' | 'gru';
type Params = Record<string, Matrix>;
type Inputs = { x: Matrix | Tensor3; state: Record<string, Matrix>; p: Params };
type Grads = Record<string, Matrix | Tensor3>;

const [N, T, D, H] = [2, 3, 4, 5];

function filled<M extends Matrix | Tensor3>(m: M, seed: number): M {
  for (let k = 0; k < m.data.length; k++) m.data[k] = 0.5 * Math.sin(seed * 3.3 + k * 0.71);
  return m;
}

function params(cell: Cell): Params {
  const G = { rnn: 1, lstm: 4, gru: 3 }[cell] * H;
  const w = { Wx: filled(Matrix.zeros(D, G), 1), Wh: filled(Matrix.zeros(H, G), 2) };
  return cell === 'gru'
    ? { ...w, bx: filled(Matrix.zeros(1, G), 3), bh: filled(Matrix.zeros(1, G), 4) }
    : { ...w, b: filled(Matrix.zeros(1, G), 3) };
}

/** The hidden state (and the LSTM's cell state) a forward starts from, by argument name. */
function initialState(lstm: boolean, h: string, c: string): Record<string, Matrix> {
  const state: Record<string, Matrix> = { [h]: filled(Matrix.zeros(N, H), 6) };
  if (lstm) state[c] = filled(Matrix.zeros(N, H), 7);
  return state;
}

/** Forward and backward of one cell on one path, at one level, as plain functions of the inputs. */
interface Level {
  forward: string;
  backward: string;
  inputs: () => Inputs;
  run: (i: Inputs) => unknown;
  back: (cache: unknown) => Grads;
}

function levels(cell: Cell, api: typeof fast | typeof reference): Level[] {
  const f = api as unknown as Record<string, (...a: unknown[]) => Record<string, unknown>>;
  const name = (s: string): string => `${cell}${s}`;
  const call = (fn: string, ...a: unknown[]) => (f[fn] as (...a: unknown[]) => Record<string, unknown>)(...a);
  const lstm = cell === 'lstm';
  return [
    {
      forward: name('Forward'),
      backward: name('Backward'),
      inputs: () => ({
        x: filled(Tensor3.zeros(N, T, D), 5),
        state: initialState(lstm, 'h0', 'c0'),
        p: params(cell),
      }),
      run: ({ x, state, p }) =>
        (lstm ? call(name('Forward'), x, state.h0, p, state.c0) : call(name('Forward'), x, state.h0, p)).cache,
      back: (cache) => call(name('Backward'), filled(Tensor3.zeros(N, T, H), 8), cache) as Grads,
    },
    {
      forward: name('StepForward'),
      backward: name('StepBackward'),
      inputs: () => ({
        x: filled(Matrix.zeros(N, D), 5),
        state: initialState(lstm, 'hPrev', 'cPrev'),
        p: params(cell),
      }),
      run: ({ x, state, p }) =>
        (lstm
          ? call(name('StepForward'), x, state.hPrev, state.cPrev, p)
          : call(name('StepForward'), x, state.hPrev, p)
        ).cache,
      back: (cache) =>
        (lstm
          ? call(name('StepBackward'), filled(Matrix.zeros(N, H), 8), filled(Matrix.zeros(N, H), 9), cache)
          : call(name('StepBackward'), filled(Matrix.zeros(N, H), 8), cache)) as Grads,
    },
  ];
}

function message(backward: string, forward: string, name: string, weight: boolean): string {
  const advice = weight
    ? 'run the forward again after updating weights (or update them after the backward)'
    : `run the forward again after changing ${name}`;
  const what = `${name} changed between ${forward} and ${backward}`;
  return `${backward}: ${what} (its contents differ from when the cache was made); ${advice}`;
}

export function editsSuite(cell: Cell): void {
  const initial = productTier();
  afterEach(() => setProductTier(initial));
  const bias = cell === 'gru' ? 'bx' : 'b';

  for (const [path, api] of [
    ['fast', fast],
    ['reference', reference],
  ] as const) {
    for (const tier of ['ts', 'wasm'] as const) {
      for (const level of levels(cell, api)) {
        describe(`${level.backward} (${path}, ${tier} tier)`, () => {
          beforeEach(() => setProductTier(tier));

          const edits: [string, (i: Inputs) => Float64Array, number, boolean][] = [
            ['x', (i) => i.x.data, 0, false],
            ...Object.keys(level.inputs().state).map((s): [string, (i: Inputs) => Float64Array, number, boolean] => [
              s,
              (i) => (i.state[s] as Matrix).data,
              1,
              false,
            ]),
            // A step's cache does not check its weights (docs/architecture.md, "Caches and the caller's arrays").
            ...(level.forward.includes('Step')
              ? []
              : ([
                  ['Wx', (i) => (i.p.Wx as Matrix).data, 7, true],
                  ['Wh', (i) => (i.p.Wh as Matrix).data, 2, true],
                  [bias, (i) => (i.p[bias] as Matrix).data, 0, true],
                ] as [string, (i: Inputs) => Float64Array, number, boolean][])),
          ];
          test.each(edits)('%s edited after the forward → StaleCacheError naming it', (name, array, at, weight) => {
            const inputs = level.inputs();
            const cache = level.run(inputs);
            const data = array(inputs);
            data[at] = (data[at] as number) + 0.25;
            let thrown: unknown;
            try {
              level.back(cache);
            } catch (e) {
              thrown = e;
            }
            expect(thrown).toBeInstanceOf(StaleCacheError);
            expect((thrown as Error).message).toBe(message(level.backward, level.forward, name, weight));
            expect((thrown as StaleCacheError).argument).toBe(name);
            // Undone, the edit leaves nothing to report, and the gradients are those of an untouched run.
            data[at] = (data[at] as number) - 0.25;
            const again = level.inputs();
            expect(level.back(cache)).toEqual(level.back(level.run(again)));
          });

          test('no edit: no error; a sign flip of a zero (−0) counts as an edit', () => {
            const inputs = level.inputs();
            const cache = level.run(inputs);
            expect(() => level.back(cache)).not.toThrow();
            expect(() => level.back(cache)).not.toThrow(); // a cache can be used twice
            inputs.x.data[0] = 0;
            const zero = level.run(inputs);
            inputs.x.data[0] = -0;
            expect(() => level.back(zero)).toThrow(StaleCacheError);
          });
        });
      }
    }

    test(`${path}: the optimizers' loop (forward, backward, update, next forward) never trips it`, () => {
      const [seq] = levels(cell, api) as [Level];
      const inputs = seq.inputs();
      let p = inputs.p;
      let state: Parameters<typeof adam>[2];
      for (let k = 0; k < 3; k++) {
        const g = seq.back(seq.run({ ...inputs, p }));
        const grads = Object.fromEntries(Object.keys(p).map((w) => [`d${w}`, g[`d${w}`] as Matrix]));
        ({ params: p, state } = adam(p, grads as never, state, { learningRate: 1e-2 }) as {
          params: Params;
          state: typeof state;
        });
        p = sgd(p, grads as never, { learningRate: 1e-3 }) as Params;
      }
      // In place after the backward, as a hand-written loop may do it: the next forward stamps the new values.
      const cache = seq.run({ ...inputs, p });
      const g = seq.back(cache);
      (p.Wx as Matrix).data.forEach((v, k, a) => {
        a[k] = v - 0.1 * ((g.dWx as Matrix).data[k] as number);
      });
      expect(() => seq.back(seq.run({ ...inputs, p }))).not.toThrow();
    });
  }
}
