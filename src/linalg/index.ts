export { ShapeError } from './errors.js';
export {
  MemoryBudgetError,
  setMemoryBudget,
  getMemoryBudget,
  checkMemory,
  maxFloat64Length,
} from './budget.js';
export { Matrix, Tensor3, checkSize, type MatrixView } from './matrix.js';
export { SlidingView, columnsOf } from './views.js';
export { allocFloat64, allocationCount } from './alloc.js';
export { sigmoid, tanh, sigmoidInto, tanhInto } from './activations.js';
export {
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  addRowInto,
  broadcastRowInto,
  colSumInto,
  addInto,
  copyInto,
  matmul,
  matmulTransA,
  matmulTransB,
  colSum,
  holdOperand,
} from './products.js';
export { setProductTier, productTier, useWasm, WASM_MIN_WORK, WASM_MIN_MAP_COLS, type ProductTier } from './tier.js';
export {
  wasmSimdAvailable,
  wasmKernelKind,
  WasmBlocks,
  WASM_RESIDENT_VALUES,
  resetWasmKernel,
  wasmArenaBytes,
  type WasmKernelKind,
} from './gemm-wasm.js';
export { setThreads, getThreads, shutdownThreads, THREAD_MIN_WORK } from './threads.js';
export { describeValue } from './describe.js';
export {
  asMatrix,
  asTensor3,
  checkCellParams,
  checkSequenceInputs,
  checkStepInputs,
  dim,
  expectCacheOfPath,
  expectMatrix,
  expectShape,
  expectShape3,
  expectState,
  expectUpstream,
  expectUpstreamSeq,
  expectTensor3,
  expectRecord,
  type CellLayout,
  type Dim,
  type Expecting,
  type Side,
} from './check.js';
export {
  allRows,
  stepOf,
  previousStates,
  chunkSteps,
  chunkRows,
  chunkTarget,
  scatterChunk,
  CHUNK_VALUES,
} from './batch-first.js';
export { expectLiveData, unaliased } from './buffers.js';
export { StaleCacheError, checkStamp, expectLiveStamp, stampInputs, type InputStamp } from './buffers.js';
