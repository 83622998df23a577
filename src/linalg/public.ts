/**
 * Block operations on matrices and views, for people writing their own
 * kernels: products with either operand transposed (allocating, or into a
 * preallocated output), row broadcasts, column sums, element-wise
 * activations, the choice of product tier (TypeScript or WASM-SIMD) and of
 * the threads the large WASM products use.
 *
 * Every `…Into` function writes into an output you pass and allocates
 * nothing; shapes are checked before any arithmetic and a mismatch throws a
 * {@link ShapeError} naming the function and the argument.
 *
 * @packageDocumentation
 * @module handgrad/linalg
 */
export { Matrix, Tensor3, ShapeError, type MatrixView } from './index.js';
export { MemoryBudgetError, setMemoryBudget, getMemoryBudget } from './budget.js';
export { sigmoid, tanh, sigmoidInto, tanhInto } from './activations.js';
export {
  matmul,
  matmulTransA,
  matmulTransB,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  addRowInto,
  broadcastRowInto,
  colSum,
  colSumInto,
  addInto,
  copyInto,
} from './products.js';
export { setProductTier, productTier, type ProductTier } from './tier.js';
export { wasmSimdAvailable, wasmKernelKind, type WasmKernelKind } from './gemm-wasm.js';
export { setThreads, getThreads, shutdownThreads } from './threads.js';
