/**
 * Views that move or narrow a window over existing storage: the speed
 * machinery of the fast sequence kernels. Kept apart from matrix.ts so that
 * the reference cells (src/<cell>/reference.ts) can use Matrix and Tensor3
 * without reaching any of it.
 */
import type { MatrixView, Tensor3 } from './matrix.js';

/**
 * Columns first … first+count−1 of `v`, as a view of the same storage (a
 * gate's block of a pre-activation row, say). Internal: the bounds are the
 * caller's to keep.
 */
export function columnsOf(v: MatrixView, first: number, count: number): MatrixView {
  return { data: v.data, offset: v.offset + first, stride: v.stride, rows: v.rows, cols: count };
}

/**
 * A {@link MatrixView} whose offset can be moved: the sequence kernels make
 * one per operand before the time loop and slide it from step to step, so the
 * loop itself allocates nothing.
 */
export class SlidingView implements MatrixView {
  /** Index of element (0, 0) in `data`; move it with {@link SlidingView.at}. */
  offset: number;

  /**
   * @param data - Backing storage.
   * @param rows - Rows of the window.
   * @param cols - Columns of the window.
   * @param stride - Distance between rows in `data`.
   * @param base - Offset of the window at position 0.
   * @param step - How far the offset moves per position.
   */
  constructor(
    readonly data: Float64Array,
    readonly rows: number,
    readonly cols: number,
    readonly stride: number,
    readonly base = 0,
    readonly step = 0,
  ) {
    this.offset = base;
  }

  /** Moves the window to position k (offset = base + k·step) and returns it. */
  at(k: number): this {
    this.offset = this.base + k * this.step;
    return this;
  }

  /** The view of time step t of an N×T×D tensor (stride T·D). */
  static timeStep(x: Tensor3, t = 0): SlidingView {
    const [N, T, D] = x.dims;
    return new SlidingView(x.data, N, D, T * D, 0, D).at(t);
  }

  /** Row block k of a stack of equally sized contiguous rows×cols matrices. */
  static stacked(data: Float64Array, rows: number, cols: number, k = 0): SlidingView {
    return new SlidingView(data, rows, cols, cols, 0, rows * cols).at(k);
  }
}
