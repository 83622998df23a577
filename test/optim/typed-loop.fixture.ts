/**
 * Compiled by typed.test.ts under strict settings (and by `tsc -p tsconfig.json`): the optimizers take a typed
 * params record and the backward's own result, with no cast and no renaming, and give the same type back. Each
 * `@ts-expect-error` line must be an error, or the compile reports the directive as unused.
 */
import { Matrix, Tensor3, lstmBackward, lstmForward, type LstmParams } from '../../src/index';
import {
  adam,
  clipGradNorm,
  initLstmParams,
  seededRandom,
  sgd,
  sgdMomentum,
  withPrefix,
  type AdamState,
  type GradsOf,
  type MomentumState,
  type Prefixed,
} from '../../src/train/index';

/** The loop of the docs, three Adam steps on an LSTM; returns the params before and after. */
export function typedLstmSteps(): { before: LstmParams; after: LstmParams; state: AdamState<LstmParams> } {
  const [N, T, D, H] = [2, 3, 4, 5];
  const x = Tensor3.zeros(N, T, D);
  x.data.fill(0.5);
  const h0 = Matrix.zeros(N, H);
  const dh = Tensor3.zeros(N, T, H);
  dh.data.fill(1);
  const before: LstmParams = initLstmParams(D, H, seededRandom(1));
  let p: LstmParams = before;
  let state: AdamState<LstmParams> | undefined;
  for (let k = 0; k < 3; k++) {
    const { cache } = lstmForward(x, h0, p);
    const grads = lstmBackward(dh, cache); // { dx, dh0, dc0, dWx, dWh, db }
    ({ params: p, state } = adam(p, grads, state, { learningRate: 1e-3 }));
    lstmForward(x, h0, p); // p is still LstmParams
  }
  return { before, after: p, state: state! };
}

/** A model of two layers under prefixes: the layers' own gradients under the same prefixes are the model's. */
type Model = Prefixed<'cell', LstmParams> & Prefixed<'out', { W: Matrix; b: Matrix }>;

export function typedModelStep(): { before: Model; after: Model } {
  const [N, T, D, H] = [2, 3, 4, 5];
  const before: Model = {
    ...withPrefix('cell', initLstmParams(D, H, seededRandom(2))),
    ...withPrefix('out', { W: Matrix.zeros(H, 1), b: Matrix.zeros(1, 1) }),
  };
  const cell = { Wx: before['cell.Wx'], Wh: before['cell.Wh'], b: before['cell.b'] };
  const x = Tensor3.zeros(N, T, D);
  x.data.fill(0.5);
  const { cache } = lstmForward(x, Matrix.zeros(N, H), cell);
  const dh = Tensor3.zeros(N, T, H);
  dh.data.fill(1);
  const grads = {
    ...withPrefix('cell', lstmBackward(dh, cache)),
    ...withPrefix('out', { dW: Matrix.zeros(H, 1), db: Matrix.zeros(1, 1) }),
  };
  const clipped = clipGradNorm(before, grads, 1);
  const after: Model = sgd(before, clipped.grads, { learningRate: 0.1 });
  return { before, after };
}

// The names the types compute.
const lstmGradNames: GradsOf<LstmParams> = { dWx: Matrix.zeros(1, 4), dWh: Matrix.zeros(1, 4), db: Matrix.zeros(1, 4) };
const modelGradNames: Pick<GradsOf<Model>, 'cell.dWx' | 'out.dW'> = {
  'cell.dWx': Matrix.zeros(1, 1),
  'out.dW': Matrix.zeros(1, 1),
};

/** Never called: each line below must fail to compile. */
export function mustNotCompile(p: LstmParams, model: Model, g: ReturnType<typeof lstmBackward>): unknown[] {
  const { dWh: _dropped, ...withoutDWh } = g;
  let state: AdamState<LstmParams> | undefined;
  let velocity: MomentumState<LstmParams> | undefined;
  return [
    // @ts-expect-error a missing d-key: dWh (the gradient of Wh)
    adam(p, withoutDWh, state),
    // @ts-expect-error the params' own names are not the gradients' names
    sgd(p, { Wx: g.dWx, Wh: g.dWh, b: g.db }, { learningRate: 1 }),
    // @ts-expect-error a gradient of the wrong type (dx is a Tensor3)
    sgdMomentum(p, { dWx: g.dx, dWh: g.dWh, db: g.db }, velocity, { learningRate: 1 }),
    // @ts-expect-error the model's read-out gradients are missing
    clipGradNorm(model, withPrefix('cell', g), 1),
    // @ts-expect-error a state for other params
    adam(p, g, {} as AdamState<Model>),
    // @ts-expect-error the result is LstmParams, not the model
    ((): Model => adam(p, g, state).params)(),
    lstmGradNames,
    modelGradNames,
  ];
}
