/**
 * handgrad: hand-derived gradient kernels for recurrent networks — vanilla
 * RNN and LSTM — each a forward that returns a cache and a backward that takes
 * the upstream gradient and that cache, checked against finite differences.
 *
 * @packageDocumentation
 */
export {
  Matrix,
  Tensor3,
  ShapeError,
  SlidingView,
  sigmoid,
  matmul,
  matmulTransA,
  matmulTransB,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  addRowInto,
  colSum,
  colSumInto,
  addInto,
  copyInto,
  allocationCount,
  type MatrixView,
} from './linalg/index.js';
export {
  rnnStepForward,
  rnnStepBackward,
  rnnForward,
  rnnBackward,
  type RnnParams,
  type RnnStepCache,
  type RnnStepGrads,
  type RnnCache,
  type RnnGrads,
} from './rnn/index.js';
export {
  LSTM_GATE_ORDER,
  lstmStepForward,
  lstmStepBackward,
  lstmForward,
  lstmBackward,
  type LstmParams,
  type LstmStepCache,
  type LstmStepGrads,
  type LstmCache,
  type LstmGrads,
} from './lstm/index.js';
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
} from './layers/index.js';
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
} from './optim/index.js';
export {
  registerCell,
  getCell,
  cellNames,
  rnnCell,
  lstmCell,
  initRecurrentWeights,
  lastStep,
  withLastStepAdded,
  type RecurrentCell,
  type CellState,
  type CellForward,
  type CellBackward,
} from './train/cells.js';
export { seededRandom, gaussianFrom, randomNormalMatrix, randomOrthogonal, sampleIndex, type Rand } from './train/random.js';
export { pickPrefixed, withPrefix } from './train/model.js';
export {
  ADDING_BASELINE_MSE,
  addingBatch,
  addingDefaults,
  addingLossAndGrads,
  addingPredict,
  createAddingModel,
  stepDecaySchedule,
  trainAdding,
  type AddingBatch,
  type AddingOptions,
  type AddingProgress,
  type AddingResult,
} from './experiments/adding.js';
export { measureFlow, flowDefaults, type FlowOptions, type FlowResult, type FlowSeries } from './experiments/flow.js';
export {
  buildVocabulary,
  encodeText,
  decodeIds,
  charBatch,
  createCharModel,
  charLossAndGrads,
  charLossOn,
  sampleText,
  trainChars,
  charDefaults,
  saveCharModel,
  loadCharModel,
  type Vocabulary,
  type CharModel,
  type SampleOptions,
  type CharTrainOptions,
  type CharProgress,
} from './experiments/chars.js';
export { flowChartSpec, learningCurveSpec, windowedMeans, type VegaLiteSpec, type CurvePoint } from './experiments/plots.js';
