/**
 * Views of batch-first buffers, the layout of a {@link Tensor3} N×T×cols:
 * row (n, t) starts at (n·T + t)·cols. The sequence kernels use them to run
 * the products that do not feed the recurrence once over all N·T rows, and
 * to step through time inside the loop without copying.
 *
 * Docs: docs/performance-design.md.
 */
import type { Matrix, MatrixView, Tensor3 } from './matrix.js';
import { SlidingView } from './views.js';

/**
 * All N·T rows (n, t) of a batch-first buffer as one matrix:
 *
 * ```text
 * data: N×T×cols (batch-first)   →   view: (N·T)×cols, stride cols
 * ```
 */
export function allRows(data: Float64Array, rows: number, cols: number): MatrixView {
  return { data, offset: 0, stride: cols, rows, cols };
}

/**
 * Step t of a batch-first buffer (rows (n, t) for every n), moved with `.at(t)`:
 *
 * ```text
 * data: N×T×cols   →   view: N×cols, offset t·cols, stride T·cols
 * ```
 */
export function stepOf(data: Float64Array, N: number, T: number, cols: number): SlidingView {
  return new SlidingView(data, N, cols, T * cols, 0, cols);
}

/**
 * h_{t−1} for every (n, t) with t0 ≤ t < t0 + len, batch-first, written into
 * `scratch` (at least N·len·H values): h_0 for t = 0, else h_{t−1} of h — the
 * left operand of dW_h = Σ_t h_{t−1}ᵀ·dA_t as one product over those rows:
 *
 * ```text
 * h0: N×H   h: N×T×H   →   view: (N·len)×H, row (n, t − t0) = h_{t−1}[n]
 * ```
 */
export function previousStates(h0: Matrix, h: Tensor3, t0: number, len: number, scratch: Float64Array): MatrixView {
  const [N, T, H] = h.dims;
  for (let n = 0; n < N; n++) {
    let at = n * len * H;
    let first = t0;
    if (t0 === 0) {
      scratch.set(h0.data.subarray(n * H, (n + 1) * H), at);
      at += H;
      first = 1;
    }
    // h_{t−1} for t = first … t0+len−1 are the contiguous rows first−1 … t0+len−2 of sequence n.
    scratch.set(h.data.subarray((n * T + first - 1) * H, (n * T + t0 + len - 1) * H), at);
  }
  return allRows(scratch, N * len, H);
}

/**
 * Values (N·T·cols) of dA above which a backward pass keeps it for a part of
 * the steps at a time: 2^18 values, 2 MiB.
 */
export const CHUNK_VALUES = 1 << 18;

let chunkValues = CHUNK_VALUES;

/**
 * Sets the threshold {@link chunkSteps} uses (default {@link CHUNK_VALUES})
 * and returns the previous one; tests lower it to run the chunked backward
 * on small shapes.
 */
export function setChunkValues(values: number): number {
  const previous = chunkValues;
  chunkValues = values;
  return previous;
}

/**
 * How many time steps a backward pass keeps the dA_t of at once: all T
 * while N·T·cols ≤ {@link CHUNK_VALUES}, else ⌈T/4⌉.
 *
 * Why: the products that do not feed the recurrence (dx, dW_x, dW_h, db) run
 * best over many rows at once, but keeping dA_t for every step costs as much
 * memory as the forward's gate cache. Four chunks cut that buffer to a
 * quarter while each product still spans N·T/4 rows; at most four chunks
 * keeps the cost of accumulating into dW_x and dW_h (a pass over each per
 * chunk) bounded whatever T is.
 */
export function chunkSteps(N: number, T: number, cols: number): number {
  return N * T * cols <= chunkValues ? T : Math.ceil(T / 4);
}

/**
 * Values of the scratch a fast sequence backward allocates: `kept` H-wide
 * gradient blocks per step and h_{t−1} for the steps of one chunk
 * ({@link chunkSteps} over `gates`·H columns), and when the steps are chunked
 * the chunk's x and dx rows.
 */
export function bpttScratch(N: number, T: number, D: number, H: number, gates: number, kept: number): number {
  const Tc = chunkSteps(N, T, gates * H);
  return N * Tc * (kept + 1) * H + (Tc < T ? 2 * N * Tc * D : 0);
}

/**
 * Rows (n, t) for t0 ≤ t < t0 + len of a batch-first N×T×cols buffer as one
 * (N·len)×cols matrix: the buffer itself when the chunk is all T steps, else
 * a copy in `scratch` (at least N·len·cols values), row (n, t − t0).
 */
export function chunkRows(
  data: Float64Array,
  N: number,
  T: number,
  cols: number,
  t0: number,
  len: number,
  scratch: Float64Array,
): MatrixView {
  if (t0 === 0 && len === T) return allRows(data, N * T, cols);
  for (let n = 0; n < N; n++) {
    scratch.set(data.subarray((n * T + t0) * cols, (n * T + t0 + len) * cols), n * len * cols);
  }
  return allRows(scratch, N * len, cols);
}

/**
 * Where a product writes rows (n, t), t0 ≤ t < t0 + len, of a batch-first
 * N×T×cols result: the result itself when the chunk is all T steps, else
 * `scratch`; {@link scatterChunk} then moves them into place.
 */
export function chunkTarget(
  data: Float64Array,
  N: number,
  T: number,
  cols: number,
  t0: number,
  len: number,
  scratch: Float64Array,
): MatrixView {
  return t0 === 0 && len === T ? allRows(data, N * T, cols) : allRows(scratch, N * len, cols);
}

/** Copies the rows of a {@link chunkTarget} into the batch-first N×T×cols `data` (nothing to do if it is `data`). */
export function scatterChunk(
  chunk: MatrixView,
  data: Float64Array,
  N: number,
  T: number,
  t0: number,
  len: number,
): void {
  if (chunk.data === data) return;
  const cols = chunk.cols;
  for (let n = 0; n < N; n++) {
    data.set(chunk.data.subarray(n * len * cols, (n + 1) * len * cols), (n * T + t0) * cols);
  }
}
