import { ShapeError } from './errors.js';
import { allocFloat64, isDetached } from './alloc.js';
import { checkMemory } from './budget.js';
import { describeValue } from './describe.js';

/**
 * A rows×cols window into a `Float64Array`: element (i, j) is
 * `data[offset + i·stride + j]`.
 *
 * Every product in `src/linalg` reads and writes through this shape, so the
 * same kernel works on a whole {@link Matrix} (offset 0, stride = cols), on
 * one time step of a {@link Tensor3} (offset t·D, stride T·D) and on one gate
 * block of a stacked N×4H matrix, without copying anything.
 */
export interface MatrixView {
  /** Backing storage, row-major. */
  readonly data: Float64Array;
  /** Index of element (0, 0) in `data`. */
  readonly offset: number;
  /** Distance in `data` between (i, j) and (i + 1, j). */
  readonly stride: number;
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
}

/** Throws unless `n` is a whole number ≥ 1; `what` names it in the message. */
export function checkSize(fn: string, what: string, n: unknown): number {
  if (typeof n !== 'number') {
    throw new TypeError(`${fn}: ${what} must be a positive integer, got ${describe(n)}`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${fn}: ${what} must be a positive integer, got ${String(n)}`);
  }
  return n;
}

const describe = describeValue;

/** What a wrong `data` is, and for an array of numbers how to make the Float64Array wanted. */
function describeData(v: unknown): string {
  const convertible = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  return `${describeValue(v)}${convertible ? '; convert it with Float64Array.from(data)' : ''}`;
}

/** For a flat typed array given to a `from`: the constructor that takes one. */
function flatHint(v: unknown, make: string): string {
  return ArrayBuffer.isView(v) ? `; for flat values use ${make}` : '';
}

/**
 * A dense row-major matrix of float64: element (i, j) is `data[i·cols + j]`.
 *
 * `Matrix` is a {@link MatrixView} with offset 0 and stride `cols`, so every
 * linalg product accepts it directly.
 */
export class Matrix implements MatrixView {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The rows·cols values, row after row. */
  readonly data: Float64Array;
  /** Always 0: a `Matrix` owns its storage from the start. */
  readonly offset = 0;

  /**
   * Wraps existing storage (no copy). Prefer {@link Matrix.zeros} or
   * {@link Matrix.from}.
   *
   * @param rows - Number of rows (≥ 1).
   * @param cols - Number of columns (≥ 1).
   * @param data - Exactly rows·cols values; a fresh zeroed array when omitted.
   */
  constructor(rows: number, cols: number, data?: Float64Array) {
    checkSize('Matrix', 'rows', rows);
    checkSize('Matrix', 'cols', cols);
    if (data === undefined) {
      checkMemory('Matrix', { rows, cols }, { data: rows * cols });
      data = allocFloat64(rows * cols);
    } else if (!(data instanceof Float64Array)) {
      throw new TypeError(`Matrix: data must be a Float64Array, got ${describeData(data)}`);
    } else if (data.length !== rows * cols) {
      throw new ShapeError(
        `Matrix: data must hold rows·cols = ${rows * cols} values for a ${rows}×${cols} matrix, got ${data.length}` +
          detachedNote(data),
        'data',
      );
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
  }

  /** Distance between consecutive rows in `data`: equals `cols`. */
  get stride(): number {
    return this.cols;
  }

  /** A rows×cols matrix of zeros. */
  static zeros(rows: number, cols: number): Matrix {
    checkSize('Matrix.zeros', 'rows', rows);
    checkSize('Matrix.zeros', 'cols', cols);
    checkMemory('Matrix.zeros', { rows, cols }, { data: rows * cols });
    return new Matrix(rows, cols);
  }

  /**
   * Copies a nested array into a new matrix.
   *
   * @throws TypeError when `rows` is not an array of arrays of numbers.
   * @throws ShapeError when it is empty or ragged (rows of different lengths).
   */
  static from(rows: readonly (readonly number[])[]): Matrix {
    if (!Array.isArray(rows)) {
      throw new TypeError(
        `Matrix.from: expected an array of rows (number[][]), got ${describe(rows)}` +
          flatHint(rows, 'new Matrix(rows, cols, data)'),
      );
    }
    if (rows.length === 0) {
      throw new ShapeError('Matrix.from: expected at least one row, got an empty array', 'rows');
    }
    const first = rows[0];
    if (!Array.isArray(first)) {
      throw new TypeError(`Matrix.from: row 0 must be an array of numbers, got ${describe(first)}`);
    }
    const cols = first.length;
    if (cols === 0) {
      throw new ShapeError('Matrix.from: rows must have at least one column, row 0 is empty', 'rows');
    }
    const m = new Matrix(rows.length, cols);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!Array.isArray(row)) {
        throw new TypeError(`Matrix.from: row ${i} must be an array of numbers, got ${describe(row)}`);
      }
      if (row.length !== cols) {
        throw new ShapeError(
          `Matrix.from: ragged rows: row 0 has ${cols} columns but row ${i} has ${row.length}`,
          'rows',
        );
      }
      for (let j = 0; j < cols; j++) {
        const v: unknown = row[j];
        if (typeof v !== 'number') {
          throw new TypeError(`Matrix.from: element [${i}][${j}] must be a number, got ${describe(v)}`);
        }
        m.data[i * cols + j] = v;
      }
    }
    return m;
  }

  /** Element (i, j). No bounds check: for reading results, not hot loops. */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j] as number;
  }

  /** An independent copy. */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** The values as a nested array, one inner array per row. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) {
      out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    }
    return out;
  }
}

/** Why an array holds no values when its buffer was transferred: said, since a length of 0 alone misleads. */
function detachedNote(data: Float64Array): string {
  return data.length === 0 && isDetached(data.buffer)
    ? ' (its buffer was detached: transferred to a worker or another thread?)'
    : '';
}

/**
 * An N×T×D tensor of float64, batch-first and row-major: element (n, t, d)
 * is `data[(n·T + t)·D + d]`. A sequence of T inputs x₁…x_T for a batch of N
 * examples is one `Tensor3`.
 */
export class Tensor3 {
  /** `[N, T, D]`. */
  readonly dims: readonly [number, number, number];
  /** The N·T·D values in (n, t, d) row-major order. */
  readonly data: Float64Array;

  /**
   * Wraps existing storage (no copy). Prefer {@link Tensor3.zeros} or
   * {@link Tensor3.from}.
   */
  constructor(N: number, T: number, D: number, data?: Float64Array) {
    checkSize('Tensor3', 'N', N);
    checkSize('Tensor3', 'T', T);
    checkSize('Tensor3', 'D', D);
    if (data === undefined) {
      checkMemory('Tensor3', { N, T, D }, { data: N * T * D });
      data = allocFloat64(N * T * D);
    } else if (!(data instanceof Float64Array)) {
      throw new TypeError(`Tensor3: data must be a Float64Array, got ${describeData(data)}`);
    } else if (data.length !== N * T * D) {
      throw new ShapeError(
        `Tensor3: data must hold N·T·D = ${N * T * D} values for a ${N}×${T}×${D} tensor, got ${data.length}` +
          detachedNote(data),
        'data',
      );
    }
    this.dims = [N, T, D];
    this.data = data;
  }

  /** An N×T×D tensor of zeros. */
  static zeros(N: number, T: number, D: number): Tensor3 {
    checkSize('Tensor3.zeros', 'N', N);
    checkSize('Tensor3.zeros', 'T', T);
    checkSize('Tensor3.zeros', 'D', D);
    checkMemory('Tensor3.zeros', { N, T, D }, { data: N * T * D });
    return new Tensor3(N, T, D);
  }

  /**
   * Copies a nested array `a[n][t][d]` into a new tensor.
   *
   * @throws TypeError when `a` is not nested arrays of numbers.
   * @throws ShapeError when it is empty or ragged at any depth.
   */
  static from(a: readonly (readonly (readonly number[])[])[]): Tensor3 {
    if (!Array.isArray(a)) {
      throw new TypeError(
        `Tensor3.from: expected a nested array a[n][t][d] (number[][][]), got ${describe(a)}` +
          flatHint(a, 'new Tensor3(N, T, D, data)'),
      );
    }
    if (a.length === 0) throw new ShapeError('Tensor3.from: expected N ≥ 1, got an empty array', 'a');
    const a0 = a[0];
    if (!Array.isArray(a0)) throw new TypeError(`Tensor3.from: a[0] must be an array, got ${describe(a0)}`);
    if (a0.length === 0) throw new ShapeError('Tensor3.from: expected T ≥ 1, a[0] is empty', 'a');
    const a00 = a0[0];
    if (!Array.isArray(a00)) throw new TypeError(`Tensor3.from: a[0][0] must be an array, got ${describe(a00)}`);
    if (a00.length === 0) throw new ShapeError('Tensor3.from: expected D ≥ 1, a[0][0] is empty', 'a');
    const N = a.length;
    const T = a0.length;
    const D = a00.length;
    const out = new Tensor3(N, T, D);
    for (let n = 0; n < N; n++) {
      const an = a[n];
      if (!Array.isArray(an)) throw new TypeError(`Tensor3.from: a[${n}] must be an array, got ${describe(an)}`);
      if (an.length !== T) {
        throw new ShapeError(`Tensor3.from: ragged array: a[0] has T=${T} steps but a[${n}] has ${an.length}`, 'a');
      }
      for (let t = 0; t < T; t++) {
        const ant = an[t];
        if (!Array.isArray(ant)) {
          throw new TypeError(`Tensor3.from: a[${n}][${t}] must be an array, got ${describe(ant)}`);
        }
        if (ant.length !== D) {
          throw new ShapeError(
            `Tensor3.from: ragged array: a[0][0] has D=${D} values but a[${n}][${t}] has ${ant.length}`,
            'a',
          );
        }
        for (let d = 0; d < D; d++) {
          const v: unknown = ant[d];
          if (typeof v !== 'number') {
            throw new TypeError(`Tensor3.from: element [${n}][${t}][${d}] must be a number, got ${describe(v)}`);
          }
          out.data[(n * T + t) * D + d] = v;
        }
      }
    }
    return out;
  }

  /** Element (n, t, d). No bounds check. */
  get(n: number, t: number, d: number): number {
    const [, T, D] = this.dims;
    return this.data[(n * T + t) * D + d] as number;
  }

  /** An independent copy. */
  clone(): Tensor3 {
    const [N, T, D] = this.dims;
    return new Tensor3(N, T, D, this.data.slice());
  }

  /** Time step t as a new N×D {@link Matrix} (a copy). */
  step(t: number): Matrix {
    const [N, T, D] = this.dims;
    if (!Number.isInteger(t) || t < 0 || t >= T) {
      throw new RangeError(`Tensor3.step: t must be an integer in [0, ${T - 1}], got ${String(t)}`);
    }
    const m = new Matrix(N, D);
    for (let n = 0; n < N; n++) m.data.set(this.data.subarray((n * T + t) * D, (n * T + t + 1) * D), n * D);
    return m;
  }

  /** The values as a nested array `a[n][t][d]`. */
  toArray(): number[][][] {
    const [N, T, D] = this.dims;
    const out: number[][][] = [];
    for (let n = 0; n < N; n++) {
      const rows: number[][] = [];
      for (let t = 0; t < T; t++) {
        const start = (n * T + t) * D;
        rows.push(Array.from(this.data.subarray(start, start + D)));
      }
      out.push(rows);
    }
    return out;
  }
}
