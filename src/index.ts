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
  setProductTier,
  productTier,
  wasmSimdAvailable,
  holdOperand,
  WASM_MIN_WORK,
  type ProductTier,
  wasmKernelKind,
  type WasmKernelKind,
} from './linalg/index.js';
