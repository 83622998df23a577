/**
 * Views of batch-first buffers, the layout of a {@link Tensor3} N×T×cols:
 * row (n, t) starts at (n·T + t)·cols. The sequence kernels use them to run
 * the products that do not feed the recurrence once over all N·T rows, and
 * to step through time inside the loop without copying.
 *
 * Docs: docs/performance.md.
 */
import { allocFloat64 } from './alloc.js';
import { SlidingView, type Matrix, type MatrixView, type Tensor3 } from './matrix.js';

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
 * h_{t−1} for every (n, t), batch-first, in a new buffer: h_0 for t = 0,
 * else h_{t−1} of h — the left operand of dW_h = Σ_t h_{t−1}ᵀ·dA_t as one
 * product:
 *
 * ```text
 * h0: N×H   h: N×T×H   →   view: (N·T)×H, row (n, t) = h_{t−1}[n]
 * ```
 */
export function previousStates(h0: Matrix, h: Tensor3): MatrixView {
  const [N, T, H] = h.dims;
  const prev = allocFloat64(N * T * H);
  for (let n = 0; n < N; n++) {
    prev.set(h0.data.subarray(n * H, (n + 1) * H), n * T * H);
    prev.set(h.data.subarray(n * T * H, (n * T + T - 1) * H), (n * T + 1) * H);
  }
  return allRows(prev, N * T, H);
}
