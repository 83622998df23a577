/**
 * handgrad: hand-derived gradient kernels for recurrent networks — vanilla
 * RNN, LSTM and GRU — each a forward that returns a cache and a backward that
 * takes the upstream gradient and that cache, checked against finite
 * differences.
 *
 * This entry holds what every user needs: the `Matrix` and `Tensor3`
 * containers, `ShapeError`, `StaleCacheError`, the twelve cell functions
 * (step and sequence, forward and backward, for each cell), the gate orders
 * and the params, cache and gradient types, the memory budget
 * (`setMemoryBudget`, `getMemoryBudget`, `MemoryBudgetError`) and the thread
 * count of the WASM products (`setThreads`, `getThreads`, `shutdownThreads`).
 * The rest lives on subpaths: `handgrad/reference`
 * (the readable derivations), `handgrad/gradcheck` (the checker),
 * `handgrad/interop` (PyTorch, cs231n and Keras layouts), `handgrad/train`
 * (layers, optimizers, initialisers) and `handgrad/linalg` (block operations
 * for kernel writers).
 *
 * @packageDocumentation
 * @module handgrad
 */
export { Matrix, Tensor3, ShapeError, type MatrixView } from './linalg/index.js';
export { MemoryBudgetError, setMemoryBudget, getMemoryBudget } from './linalg/budget.js';
export { StaleCacheError, type InputStamp } from './linalg/buffers.js';
export { setThreads, getThreads, shutdownThreads } from './linalg/threads.js';
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
  GRU_GATE_ORDER,
  gruStepForward,
  gruStepBackward,
  gruForward,
  gruBackward,
  type GruParams,
  type GruStepCache,
  type GruStepGrads,
  type GruCache,
  type GruGrads,
} from './gru/index.js';
