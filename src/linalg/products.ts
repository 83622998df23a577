/**
 * The few dense products the recurrent kernels need, on {@link MatrixView}s.
 *
 * Each has an `…Into(C, A, B, accumulate)` form that writes C = product
 * (accumulate = false) or C += product (accumulate = true) without allocating,
 * and never materialises a transpose. Every argument is checked on every call
 * (a few integer comparisons): a TypeError for anything that is not a matrix
 * view (a plain or ragged array, say), a RangeError for a view that reaches
 * past its data ({@link expectView}), a ShapeError for a shape that does not
 * fit; the loops themselves never throw.
 *
 * The three products are one strided kernel, C[i][j] (+)= Σ_k A(i,k)·B(k,j),
 * with the transposes expressed as swapped strides (src/linalg/gemm-ts.ts);
 * it runs on the tier {@link useWasm} picks: register-blocked TypeScript or
 * WASM-SIMD (src/linalg/gemm-wasm.ts).
 */
import { checkMemory } from './budget.js';
import { unaliased, unaliasedOperands } from './buffers.js';
import { expectView } from './check.js';
import { describeValue } from './describe.js';
import { ShapeError } from './errors.js';
import { gemmBlocked, type GemmOperands } from './gemm-ts.js';
import { gemmWasm, holdWasmOperand, releaseWasmArenaIfLarge, wasmSimdAvailable } from './gemm-wasm.js';
import { Matrix, type MatrixView } from './matrix.js';
import { useWasm } from './tier.js';

function dims(v: MatrixView): string {
  return `${v.rows}×${v.cols}`;
}

function fail(fn: string, arg: string, want: string, got: MatrixView): never {
  throw new ShapeError(`${fn}: ${arg} must be ${want}, got ${dims(got)}`, arg);
}

/** Zeroes C unless accumulating: the products then always add into C. */
function prepare(C: MatrixView, accumulate: boolean): void {
  if (accumulate) return;
  const { data, offset, stride, rows, cols } = C;
  if (stride === cols) {
    data.fill(0, offset, offset + rows * cols);
  } else {
    for (let i = 0; i < rows; i++) data.fill(0, offset + i * stride, offset + i * stride + cols);
  }
}

/**
 * How large a product's share of the WASM kernel's memory may get. That
 * memory ends at 4 GiB (2²⁹ values) and never shrinks, and a long sum
 * (K rows of a weight gradient) makes gemmWasm's blocks about 16·K values
 * (panels of 4 columns of B and 6 rows of A, each K deep, and a raw copy):
 * 2²⁵ rows would need all 4 GiB. So a product runs as pieces along K, each
 * C (+)= A_piece·B_piece accumulated into C, small enough that:
 *
 * - its blocks stay under `pieceValues` (2²² values, 32 MiB: K ≤ 2¹⁸ per
 *   piece; a piece that long does 2¹⁸ multiply-adds per value of C it copies
 *   in and out, so the pieces cost nothing measurable);
 * - B packed whole — how a weight held by a sequence is kept — stays under
 *   `heldValues` (2²⁸ values, 2 GiB): a larger weight is not matched by
 *   its hold (a piece's K differs) and is packed block by block instead.
 *
 * A product whose single row of B is already past `heldValues` runs on the
 * TypeScript tier. Sums split this way differ from the unsplit sum by
 * rounding only. Tests lower the two to run the pieces at small sizes.
 * @internal
 */
export const wasmPieces = { pieceValues: 2 ** 22, heldValues: 2 ** 28 };

/** gemmWasm's blocks take about this many values per unit of K (see {@link wasmPieces}). */
const WASM_VALUES_PER_DEPTH = 16;

/** Runs a product on the tier in force; `fn` (the caller's name, with the shape) is what thread-pool errors name. */
function run(operands: GemmOperands, accumulate: boolean, fn: string): void {
  const op = unaliasedOperands(operands); // an input that shares elements with C is copied first
  const { N, K } = op;
  if (!useWasm(op.M * N * K)) {
    gemmBlocked(op, accumulate);
    return;
  }
  const depth = Math.min(
    K,
    Math.floor(wasmPieces.pieceValues / WASM_VALUES_PER_DEPTH),
    Math.floor(wasmPieces.heldValues / (4 * Math.ceil(N / 4))),
  );
  const product = `${fn} (${op.M}×${K} by ${K}×${N})`;
  if (depth >= K) gemmWasm(op, accumulate, undefined, product);
  else if (depth < 1) gemmBlocked(op, accumulate);
  else {
    for (let k0 = 0; k0 < K; k0 += depth) {
      const piece = {
        ...op,
        K: Math.min(depth, K - k0),
        aOff: op.aOff + k0 * op.aDepth,
        bOff: op.bOff + k0 * op.bDepth,
      };
      gemmWasm(piece, accumulate || k0 > 0, undefined, product);
    }
  }
  releaseWasmArenaIfLarge();
}

/**
 * Promises that the values of `W` will not change until the returned
 * function is called, so that products using `W` as their right operand
 * (B in A·B or A·Bᵀ) can keep it packed for the WASM kernel instead of
 * packing it again on every call. The sequence kernels hold their weights
 * for the length of one call; release in a `finally`.
 *
 * @throws TypeError when `W` is not a matrix view.
 */
export function holdOperand(W: MatrixView): () => void {
  const data = (W as { data?: unknown } | null)?.data;
  if (!(data instanceof Float64Array)) {
    throw new TypeError(
      `holdOperand: W must be a Matrix or MatrixView (with a Float64Array data), got ${describeValue(W)}`,
    );
  }
  if (!wasmSimdAvailable()) return () => undefined;
  const release = holdWasmOperand(W);
  return () => {
    release();
    // A large held weight grew the arena; give it back once nothing is held.
    releaseWasmArenaIfLarge();
  };
}

/**
 * C ← A·B, or C ← C + A·B when `accumulate`.
 *
 * C may share storage with A or B (`matmulInto(C, C, B)`): an operand that
 * overlaps C is copied first, so the result is the one separate arrays give,
 * bit for bit, on both tiers.
 *
 * ```text
 * A: M×K   B: K×N   C: M×N
 * ```
 */
export function matmulInto(C: MatrixView, A: MatrixView, B: MatrixView, accumulate = false): MatrixView {
  expectView('matmulInto', 'C', C);
  expectView('matmulInto', 'A', A);
  expectView('matmulInto', 'B', B);
  const M = A.rows;
  const K = A.cols;
  const N = B.cols;
  if (B.rows !== K) fail('matmulInto', 'B', `${K}×${N} (rows = the ${K} columns of A, ${dims(A)})`, B);
  if (C.rows !== M || C.cols !== N) fail('matmulInto', 'C', `${M}×${N} (A's rows × B's columns)`, C);
  run(
    {
      M,
      N,
      K,
      a: A.data,
      aOff: A.offset,
      aRow: A.stride,
      aDepth: 1,
      b: B.data,
      bOff: B.offset,
      bDepth: B.stride,
      bCol: 1,
      c: C.data,
      cOff: C.offset,
      cRow: C.stride,
    },
    accumulate,
    'matmulInto',
  );
  return C;
}

/**
 * C ← Aᵀ·B, or C ← C + Aᵀ·B when `accumulate`: the weight-gradient product
 * (dW = xᵀ·dA), summed over the batch rows of A and B.
 *
 * C may share storage with A or B (`matmulInto(C, C, B)`): an operand that
 * overlaps C is copied first, so the result is the one separate arrays give,
 * bit for bit, on both tiers.
 *
 * ```text
 * A: K×M   B: K×N   C: M×N
 * ```
 */
export function matmulTransAInto(C: MatrixView, A: MatrixView, B: MatrixView, accumulate = false): MatrixView {
  expectView('matmulTransAInto', 'C', C);
  expectView('matmulTransAInto', 'A', A);
  expectView('matmulTransAInto', 'B', B);
  const K = A.rows;
  const M = A.cols;
  const N = B.cols;
  if (B.rows !== K) fail('matmulTransAInto', 'B', `${K}×${N} (rows = the ${K} rows of A, ${dims(A)})`, B);
  if (C.rows !== M || C.cols !== N) fail('matmulTransAInto', 'C', `${M}×${N} (A's columns × B's columns)`, C);
  run(
    {
      M,
      N,
      K,
      a: A.data,
      aOff: A.offset,
      aRow: 1,
      aDepth: A.stride,
      b: B.data,
      bOff: B.offset,
      bDepth: B.stride,
      bCol: 1,
      c: C.data,
      cOff: C.offset,
      cRow: C.stride,
    },
    accumulate,
    'matmulTransAInto',
  );
  return C;
}

/**
 * C ← A·Bᵀ, or C ← C + A·Bᵀ when `accumulate`: the input-gradient product
 * (dx = dA·W_xᵀ).
 *
 * C may share storage with A or B (`matmulInto(C, C, B)`): an operand that
 * overlaps C is copied first, so the result is the one separate arrays give,
 * bit for bit, on both tiers.
 *
 * ```text
 * A: M×K   B: N×K   C: M×N
 * ```
 */
export function matmulTransBInto(C: MatrixView, A: MatrixView, B: MatrixView, accumulate = false): MatrixView {
  expectView('matmulTransBInto', 'C', C);
  expectView('matmulTransBInto', 'A', A);
  expectView('matmulTransBInto', 'B', B);
  const M = A.rows;
  const K = A.cols;
  const N = B.rows;
  if (B.cols !== K) fail('matmulTransBInto', 'B', `${N}×${K} (columns = the ${K} columns of A, ${dims(A)})`, B);
  if (C.rows !== M || C.cols !== N) fail('matmulTransBInto', 'C', `${M}×${N} (A's rows × B's rows)`, C);
  run(
    {
      M,
      N,
      K,
      a: A.data,
      aOff: A.offset,
      aRow: A.stride,
      aDepth: 1,
      b: B.data,
      bOff: B.offset,
      bDepth: 1,
      bCol: B.stride,
      c: C.data,
      cOff: C.offset,
      cRow: C.stride,
    },
    accumulate,
    'matmulTransBInto',
  );
  return C;
}

/**
 * C ← C + e·row: adds the 1×cols `row` (a bias) to every row of C. `row` may
 * be a row of C: it is copied first, so every row gets its value from before
 * the call, on both tiers.
 */
export function addRowInto(C: MatrixView, row: MatrixView): MatrixView {
  expectView('addRowInto', 'C', C);
  expectView('addRowInto', 'row', row);
  if (row.rows !== 1 || row.cols !== C.cols)
    fail('addRowInto', 'row', `1×${C.cols} (one value per column of C, ${dims(C)})`, row);
  // Fields in locals: views come in several classes, and V8 re-reads a
  // polymorphic field on every iteration instead of hoisting it.
  const { data: c, offset, stride, rows, cols } = C;
  const { data: r, offset: r0 } = unaliased(C, row);
  for (let i = 0; i < rows; i++) {
    const ci = offset + i * stride;
    for (let j = 0; j < cols; j++) c[ci + j] = (c[ci + j] as number) + (r[r0 + j] as number);
  }
  return C;
}

/**
 * C ← e·row: every row of C becomes the 1×cols `row`. The sequences start
 * a pre-activation from its bias this way and add the product into it
 * (`C = e·b; C += x·W`): a row copy is a memcpy, where adding the bias
 * afterwards is a JS loop over every value (≈ 4 ns each on the bench
 * machine against ≈ 0.3). `row` may be a row of C: it is copied first.
 */
export function broadcastRowInto(C: MatrixView, row: MatrixView): MatrixView {
  expectView('broadcastRowInto', 'C', C);
  expectView('broadcastRowInto', 'row', row);
  if (row.rows !== 1 || row.cols !== C.cols)
    fail('broadcastRowInto', 'row', `1×${C.cols} (one value per column of C, ${dims(C)})`, row);
  const { data: c, offset, stride, rows, cols } = C;
  const { data: rowData, offset: r0 } = unaliased(C, row);
  const r = rowData.subarray(r0, r0 + cols);
  for (let i = 0; i < rows; i++) c.set(r, offset + i * stride);
  return C;
}

/**
 * dst ← eᵀ·A (the column sums of A, a 1×cols row), or dst ← dst + eᵀ·A when
 * `accumulate`: how a bias gradient is formed (db = e_Nᵀ dL/du). dst may
 * lie inside A: A is then copied first, so the sums are of A before the call.
 */
export function colSumInto(dst: MatrixView, A: MatrixView, accumulate = false): MatrixView {
  expectView('colSumInto', 'dst', dst);
  expectView('colSumInto', 'A', A);
  if (dst.rows !== 1 || dst.cols !== A.cols)
    fail('colSumInto', 'dst', `1×${A.cols} (one value per column of A, ${dims(A)})`, dst);
  const { data: a, offset, stride, rows, cols } = unaliased(dst, A);
  prepare(dst, accumulate);
  const d = dst.data;
  const d0 = dst.offset;
  let i = 0;
  // Four rows per pass over dst: a quarter of its loads and stores, which
  // halved the time per value here (≈ 2 ns → 1).
  for (; i + 4 <= rows; i += 4) {
    const a0 = offset + i * stride;
    const a1 = a0 + stride;
    const a2 = a1 + stride;
    const a3 = a2 + stride;
    for (let j = 0; j < cols; j++) {
      d[d0 + j] =
        (d[d0 + j] as number) +
        ((a[a0 + j] as number) + (a[a1 + j] as number) + ((a[a2 + j] as number) + (a[a3 + j] as number)));
    }
  }
  for (; i < rows; i++) {
    const ai = offset + i * stride;
    for (let j = 0; j < cols; j++) d[d0 + j] = (d[d0 + j] as number) + (a[ai + j] as number);
  }
  return dst;
}

/**
 * C ← C + A, element-wise (same shape). A may be C itself (C ← 2C); an A
 * that overlaps C otherwise (shifted by a row, say) is copied first, so the
 * result is the one separate arrays give, on both tiers.
 */
export function addInto(C: MatrixView, A: MatrixView): MatrixView {
  expectView('addInto', 'C', C);
  expectView('addInto', 'A', A);
  if (A.rows !== C.rows || A.cols !== C.cols) fail('addInto', 'A', `${dims(C)} (the shape of C)`, A);
  const { data: c, offset, stride, rows, cols } = C;
  const { data: a, offset: aOffset, stride: aStride } = unaliased(C, A, true);
  for (let i = 0; i < rows; i++) {
    const ci = offset + i * stride;
    const ai = aOffset + i * aStride;
    for (let j = 0; j < cols; j++) c[ci + j] = (c[ci + j] as number) + (a[ai + j] as number);
  }
  return C;
}

/**
 * dst ← src, element-wise (same shape). Overlapping dst and src (a shift
 * within one array) copy src first, so dst gets src's values from before the
 * call, on both tiers.
 */
export function copyInto(dst: MatrixView, src: MatrixView): MatrixView {
  expectView('copyInto', 'dst', dst);
  expectView('copyInto', 'src', src);
  if (src.rows !== dst.rows || src.cols !== dst.cols) fail('copyInto', 'src', `${dims(dst)} (the shape of dst)`, src);
  const d = dst.data;
  const { data: s, offset: sOffset, stride: sStride } = unaliased(dst, src, true);
  for (let i = 0; i < dst.rows; i++) {
    const di = dst.offset + i * dst.stride;
    const si = sOffset + i * sStride;
    if (dst.cols === 1) d[di] = s[si] as number;
    else d.set(s.subarray(si, si + dst.cols), di);
  }
  return dst;
}

/** A·B as a new {@link Matrix}. */
export function matmul(A: MatrixView, B: MatrixView): Matrix {
  expectView('matmul', 'A', A);
  expectView('matmul', 'B', B);
  if (B.rows !== A.cols) fail('matmul', 'B', `${A.cols}×${B.cols} (rows = the ${A.cols} columns of A, ${dims(A)})`, B);
  checkMemory('matmul', { M: A.rows, K: A.cols, N: B.cols }, { C: A.rows * B.cols });
  return matmulInto(Matrix.zeros(A.rows, B.cols), A, B) as Matrix;
}

/** Aᵀ·B as a new {@link Matrix}. */
export function matmulTransA(A: MatrixView, B: MatrixView): Matrix {
  expectView('matmulTransA', 'A', A);
  expectView('matmulTransA', 'B', B);
  if (B.rows !== A.rows)
    fail('matmulTransA', 'B', `${A.rows}×${B.cols} (rows = the ${A.rows} rows of A, ${dims(A)})`, B);
  checkMemory('matmulTransA', { K: A.rows, M: A.cols, N: B.cols }, { C: A.cols * B.cols });
  return matmulTransAInto(Matrix.zeros(A.cols, B.cols), A, B) as Matrix;
}

/** A·Bᵀ as a new {@link Matrix}. */
export function matmulTransB(A: MatrixView, B: MatrixView): Matrix {
  expectView('matmulTransB', 'A', A);
  expectView('matmulTransB', 'B', B);
  if (B.cols !== A.cols)
    fail('matmulTransB', 'B', `${B.rows}×${A.cols} (columns = the ${A.cols} columns of A, ${dims(A)})`, B);
  checkMemory('matmulTransB', { M: A.rows, K: A.cols, N: B.rows }, { C: A.rows * B.rows });
  return matmulTransBInto(Matrix.zeros(A.rows, B.rows), A, B) as Matrix;
}

/** eᵀ·A, the column sums of A, as a new 1×cols {@link Matrix}. */
export function colSum(A: MatrixView): Matrix {
  expectView('colSum', 'A', A);
  checkMemory('colSum', { rows: A.rows, cols: A.cols }, { sums: A.cols });
  return colSumInto(Matrix.zeros(1, A.cols), A) as Matrix;
}
