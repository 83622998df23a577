/**
 * What a training loop needs around the cells: layers (word embedding,
 * temporal affine, temporal softmax loss, mean squared error), optimizers
 * (SGD, SGD with momentum, Adam, gradient-norm clipping), initialisers
 * (seeded random numbers, Gaussian and orthogonal matrices, recurrent
 * weights), taking the last time step, and one interface over the RNN, LSTM
 * and GRU cells.
 *
 * @packageDocumentation
 * @module handgrad/train
 */
export {
  wordEmbeddingForward,
  wordEmbeddingBackward,
  temporalAffineForward,
  temporalAffineBackward,
  temporalSoftmaxLoss,
  meanSquaredError,
  type Ids,
  type Mask,
  type WordEmbeddingCache,
  type TemporalAffineCache,
} from '../layers/index.js';
export {
  sgd,
  sgdMomentum,
  adam,
  clipGradNorm,
  type ParamRecord,
  type SgdOptions,
  type SgdMomentumOptions,
  type MomentumState,
  type AdamOptions,
  type AdamState,
} from '../optim/index.js';
export {
  registerCell,
  getCell,
  cellNames,
  rnnCell,
  lstmCell,
  gruCell,
  initRecurrentWeights,
  lastStep,
  withLastStepAdded,
  type RecurrentCell,
  type CellState,
  type CellForward,
  type CellBackward,
} from './cells.js';
export { seededRandom, gaussianFrom, randomNormalMatrix, randomOrthogonal, sampleIndex, type Rand } from './random.js';
export { pickPrefixed, withPrefix } from './model.js';
