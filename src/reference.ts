/**
 * handgrad/reference: the vanilla RNN, LSTM and GRU written as their
 * derivations — plain loops over Float64Array, `Math.tanh` and a literal σ,
 * each sequence backward one step-backward call per t. The same names,
 * arguments, results and errors as the cells of `handgrad`, which are tested
 * to equal these to 1e-12; run them, step through them in a debugger, compare
 * them with your own.
 *
 * Caches differ from the fast ones: a reference backward takes the cache of
 * the reference forward.
 *
 * @packageDocumentation
 * @module handgrad/reference
 */
export { ShapeError } from './linalg/errors.js';
export { MemoryBudgetError } from './linalg/budget.js';
export { StaleCacheError, type InputStamp } from './linalg/buffers.js';
export { Matrix, Tensor3 } from './linalg/matrix.js';
export type { RnnParams } from './rnn/params.js';
export { LSTM_GATE_ORDER, type LstmParams } from './lstm/params.js';
export { GRU_GATE_ORDER, type GruParams } from './gru/params.js';
export {
  rnnStepForward,
  rnnStepBackward,
  rnnForward,
  rnnBackward,
  type RnnStepCache,
  type RnnStepGrads,
  type RnnCache,
  type RnnGrads,
} from './rnn/reference.js';
export {
  lstmStepForward,
  lstmStepBackward,
  lstmForward,
  lstmBackward,
  type LstmStepCache,
  type LstmStepGrads,
  type LstmCache,
  type LstmGrads,
} from './lstm/reference.js';
export {
  gruStepForward,
  gruStepBackward,
  gruForward,
  gruBackward,
  type GruStepCache,
  type GruStepGrads,
  type GruCache,
  type GruGrads,
} from './gru/reference.js';
