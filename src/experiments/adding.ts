/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le,
 * Jaitly & Hinton 2015): a long-memory regression task a vanilla RNN
 * famously fails at and an LSTM solves.
 *
 * Docs: docs/experiments.md ("The adding problem").
 */
import {
  Matrix,
  Tensor3,
  asTensor3,
  checkSize,
  colSum,
  expectRecord,
  matmul,
  matmulTransA,
  matmulTransB,
} from '../linalg/index.js';
import { meanSquaredError } from '../layers/mse.js';
import { adam, clipGradNorm, type AdamState } from '../optim/rules.js';
import type { ParamRecord } from '../optim/params.js';
import { getCell, lastStep, type RecurrentCell } from '../train/cells.js';
import { pickPrefixed, requireParam, withPrefix } from '../train/model.js';
import { randomNormalMatrix, seededRandom, type Rand } from '../train/random.js';

/** One batch of the adding problem. */
export interface AddingBatch {
  /** Inputs, N×T×2: channel 0 the value, channel 1 the marker. */
  readonly x: Tensor3;
  /** Targets, N×1: the sum of the two marked values. */
  readonly y: Matrix;
}

/**
 * The MSE of always predicting 1, the mean of the target: the target is the
 * sum of two independent U(0, 1) values, so its variance is 2·(1/12) = 1/6.
 * A model is learning something only once it beats this.
 */
export const ADDING_BASELINE_MSE = 1 / 6;

/**
 * N sequences of T pairs (value ∈ U[0, 1), marker ∈ {0, 1}). Exactly two
 * markers are set, one uniformly in the first half and one in the second
 * half, so the first marked value must be held for about T/2 steps or more;
 * the target is the sum of the two marked values.
 *
 * ```text
 * x: N×T×2   y: N×1
 * ```
 */
export function addingBatch(N: number, T: number, rand: Rand): AddingBatch {
  checkSize('addingBatch', 'N', N);
  checkSize('addingBatch', 'T', T);
  if (T < 2) throw new RangeError(`addingBatch: T must be at least 2 (two markers), got ${T}`);
  const x = Tensor3.zeros(N, T, 2);
  const y = Matrix.zeros(N, 1);
  const half = Math.floor(T / 2);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) x.data[(n * T + t) * 2] = rand();
    const first = Math.floor(rand() * half);
    const second = half + Math.floor(rand() * (T - half));
    x.data[(n * T + first) * 2 + 1] = 1;
    x.data[(n * T + second) * 2 + 1] = 1;
    y.data[n] = (x.data[(n * T + first) * 2] as number) + (x.data[(n * T + second) * 2] as number);
  }
  return { x, y };
}

/**
 * The model: the cell over the sequence, then a linear read-out of the last
 * hidden state, pred = h_T·W + b. Params are `cell.*` (the cell's own) and
 * `out.W` (H×1), `out.b` (1×1); the read-out bias starts at 1, the baseline.
 */
export function createAddingModel(cell: RecurrentCell, H: number, rand: Rand): ParamRecord {
  checkSize('createAddingModel', 'H', H);
  const b = Matrix.zeros(1, 1);
  b.data[0] = 1;
  return {
    ...withPrefix('cell', cell.init(2, H, rand)),
    'out.W': randomNormalMatrix(H, 1, rand, 1 / Math.sqrt(H)),
    'out.b': b,
  };
}

/** Predictions of the adding model for a batch, N×1 (forward only). */
export function addingPredict(cell: RecurrentCell, params: ParamRecord, x: Tensor3): Matrix {
  const fn = 'addingPredict';
  const outW = requireParam(fn, params, 'out.W', undefined, 1, 'H×1');
  const outB = requireParam(fn, params, 'out.b', 1, 1);
  const N = asTensor3(fn, 'x', x).dims[0];
  const fwd = cell.forward(x, { h: Matrix.zeros(N, outW.rows) }, pickPrefixed(params, 'cell'));
  const pred = matmul(lastStep(fwd.h), outW);
  for (let n = 0; n < N; n++) pred.data[n] = (pred.data[n] as number) + (outB.data[0] as number);
  return pred;
}

/**
 * Loss and gradients of the adding model on one batch. Backward is the
 * read-out's (dW = h_Tᵀ·dpred, db = e_Nᵀ·dpred, dh_T = dpred·Wᵀ) followed by
 * the cell's BPTT with the upstream gradient only at the last step.
 */
export function addingLossAndGrads(
  cell: RecurrentCell,
  params: ParamRecord,
  batch: AddingBatch,
): {
  /** The mean squared error of the batch. */
  loss: number;
  /** Its gradient with respect to every parameter, named by gradKey (`cell.dWx`, `out.dW`, …). */
  grads: ParamRecord;
} {
  const fn = 'addingLossAndGrads';
  const outW = requireParam(fn, params, 'out.W', undefined, 1, 'H×1');
  const outB = requireParam(fn, params, 'out.b', 1, 1);
  const x = asTensor3(fn, 'batch.x', expectRecord(fn, 'batch', batch, 'an AddingBatch { x, y }').x);
  const [N, T, H] = [x.dims[0], x.dims[1], outW.rows];
  const fwd = cell.forward(x, { h: Matrix.zeros(N, H) }, pickPrefixed(params, 'cell'));
  const hT = lastStep(fwd.h);
  const pred = matmul(hT, outW);
  for (let n = 0; n < N; n++) pred.data[n] = (pred.data[n] as number) + (outB.data[0] as number);
  const { loss, dpred } = meanSquaredError(pred, batch.y);
  const back = cell.backward(Tensor3.zeros(N, T, H), fwd.cache, { h: matmulTransB(dpred, outW) });
  return {
    loss,
    grads: { ...withPrefix('cell', back.grads), 'out.dW': matmulTransA(hT, dpred), 'out.db': colSum(dpred) },
  };
}

/** Settings of {@link trainAdding}; every field has a default. */
export interface AddingOptions {
  /** Cell name ("rnn", "lstm", "gru" once registered); "lstm" by default. */
  readonly cell?: string;
  /** Sequence length; 50 by default. */
  readonly T?: number;
  /** Hidden size; 32 by default. */
  readonly H?: number;
  /** Training sequences per step; 32 by default. */
  readonly batchSize?: number;
  /** Optimizer steps; 2000 by default. */
  readonly steps?: number;
  /** Adam's step size; 1e-2 by default, halved at 50%, 75% and 90% of the steps. */
  readonly learningRate?: number;
  /** Global-norm clipping threshold; 1 by default. */
  readonly clip?: number;
  /** Seed for weights and data; 1 by default. */
  readonly seed?: number;
  /** Size of the held-out test set; 1000 by default. */
  readonly testSize?: number;
}

/** A point of the learning curve. */
export interface AddingProgress {
  /** Steps done, 1…steps. */
  readonly step: number;
  /** Total steps. */
  readonly steps: number;
  /** Training MSE of this step's batch. */
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/** What {@link trainAddingSteps} yields: the progress and the params after the step's update. */
export interface AddingStep extends AddingProgress {
  /** The params after this step's update (not kept in the history). */
  readonly params: ParamRecord;
}

/** The outcome of {@link trainAdding}. */
export interface AddingResult {
  /** The options actually used (defaults filled in). */
  readonly options: Required<AddingOptions>;
  /** Trained params. */
  readonly params: ParamRecord;
  /** Training loss at every step. */
  readonly history: readonly AddingProgress[];
  /** MSE on the held-out test set (drawn from a different seed stream). */
  readonly testMse: number;
  /** The squared error of every test sequence (their mean is testMse), for a confidence bound. */
  readonly testSquaredErrors: Float64Array;
  /** {@link ADDING_BASELINE_MSE}, for comparison. */
  readonly baselineMse: number;
}

/** Fills in the defaults of {@link AddingOptions}. */
export function addingDefaults(options: AddingOptions = {}): Required<AddingOptions> {
  return {
    cell: options.cell ?? 'lstm',
    T: options.T ?? 50,
    H: options.H ?? 32,
    batchSize: options.batchSize ?? 32,
    steps: options.steps ?? 2000,
    learningRate: options.learningRate ?? 1e-2,
    clip: options.clip ?? 1,
    seed: options.seed ?? 1,
    testSize: options.testSize ?? 1000,
  };
}

/**
 * The step-size schedule: `lr` until half-way, then halved at 50%, 75% and
 * 90% of the steps. Adam with a large constant step hovers around the
 * minimum; the late halvings let it settle, which is what takes the test MSE
 * from ~0.01 to well below it.
 */
export function stepDecaySchedule(lr: number, step: number, steps: number): number {
  const f = step / steps;
  return lr * (f >= 0.9 ? 0.125 : f >= 0.75 ? 0.25 : f >= 0.5 ? 0.5 : 1);
}

/**
 * Trains the adding model with Adam and global-norm clipping, calling
 * `onProgress` after every step (for a progress bar or a live plot), and
 * reports the test MSE at the end.
 */
export function trainAdding(options: AddingOptions = {}, onProgress?: (p: AddingProgress) => void): AddingResult {
  const steps = trainAddingSteps(options);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    onProgress?.(next.value);
  }
}

/**
 * {@link trainAdding} one step at a time: yields the progress after every
 * step and returns the result. The CLI drives it so it can turn the event
 * loop between steps (Ctrl-C) and stop a diverged run at once.
 */
export function* trainAddingSteps(options: AddingOptions = {}): Generator<AddingStep, AddingResult, void> {
  const o = addingDefaults(options);
  checkSize('trainAdding', 'options.T', o.T);
  checkSize('trainAdding', 'options.H', o.H);
  checkSize('trainAdding', 'options.batchSize', o.batchSize);
  checkSize('trainAdding', 'options.steps', o.steps);
  checkSize('trainAdding', 'options.testSize', o.testSize);
  const cell = getCell(o.cell);
  const initRand = seededRandom(o.seed);
  const dataRand = seededRandom(o.seed + 1_000_003);
  const testBatch = addingBatch(o.testSize, o.T, seededRandom(o.seed + 2_000_029));
  let params = createAddingModel(cell, o.H, initRand);
  let state: AdamState | undefined;
  const history: AddingProgress[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const { loss, grads } = addingLossAndGrads(cell, params, addingBatch(o.batchSize, o.T, dataRand));
    const clipped = clipGradNorm(params, grads, o.clip);
    const lr = stepDecaySchedule(o.learningRate, step - 1, o.steps);
    ({ params, state } = adam(params, clipped.grads, state, { learningRate: lr }));
    const p = { step, steps: o.steps, loss, gradNorm: clipped.norm };
    history.push(p);
    yield { ...p, params };
  }
  const pred = addingPredict(cell, params, testBatch.x);
  const testSquaredErrors = new Float64Array(o.testSize);
  for (let n = 0; n < o.testSize; n++)
    testSquaredErrors[n] = ((pred.data[n] as number) - (testBatch.y.data[n] as number)) ** 2;
  const testMse = meanSquaredError(pred, testBatch.y).loss;
  return { options: o, params, history, testMse, testSquaredErrors, baselineMse: ADDING_BASELINE_MSE };
}
