/**
 * Argument checks for the API boundary. Each throws before any arithmetic,
 * with a message that names the function, the argument, the expected and the
 * actual shape, so a student can fix the call without reading our code.
 */
import { expectLiveData, expectLiveView, liveMatrix, liveTensor3 } from './buffers.js';
import { ShapeError } from './errors.js';
import { Matrix, Tensor3, type MatrixView } from './matrix.js';

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'a plain array (wrap it with Matrix.from / Tensor3.from)';
  if (typeof v === 'object')
    return `an object without Float64Array data (${
      Object.keys(v as object)
        .slice(0, 4)
        .join(', ') || 'no keys'
    })`;
  return typeof v;
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

/**
 * Returns `v` as a {@link Matrix}, or throws a `TypeError` naming `name`.
 * Accepts a `Matrix` from another copy of this library too (anything with
 * positive integer `rows`, `cols` and a `Float64Array` `data` of rows·cols).
 */
export function asMatrix(fn: string, name: string, v: unknown): Matrix {
  if (v instanceof Matrix) return liveMatrix(fn, name, v);
  if (typeof v === 'object' && v !== null) {
    const { rows, cols, data } = v as { rows?: unknown; cols?: unknown; data?: unknown };
    if (isPositiveInt(rows) && isPositiveInt(cols) && data instanceof Float64Array) {
      if (data.length !== rows * cols) {
        expectLiveData(fn, name, data, rows * cols, `${rows}×${cols} shape`);
        throw new ShapeError(
          `${fn}: ${name} claims to be ${rows}×${cols} but its data holds ${data.length} values, not ${rows * cols}`,
          name,
        );
      }
      return new Matrix(rows, cols, data);
    }
  }
  throw new TypeError(`${fn}: ${name} must be a Matrix, got ${kind(v)}`);
}

function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/**
 * Checks that `v` is a {@link MatrixView} whose rows all lie inside its data:
 * a `TypeError` naming `name` for anything else (a plain or ragged array,
 * null, a record without Float64Array data or with non-integer fields), a
 * `RangeError` when the view reaches past its data. The block operations
 * call it on every argument, so a wrong one fails here rather than as a
 * silent no-op or NaN from inside their loops.
 */
export function expectView(fn: string, name: string, v: unknown): MatrixView {
  const view = v as Partial<MatrixView> | null;
  const fields = typeof v === 'object' && v !== null && view !== null;
  if (!fields || !(view.data instanceof Float64Array)) {
    throw new TypeError(
      `${fn}: ${name} must be a Matrix or matrix view (Float64Array data, offset, stride, rows, cols), got ${kind(v)}`,
    );
  }
  const { data, offset, stride, rows, cols } = view;
  if (
    !isIndex(offset) ||
    !isPositiveInt(rows) ||
    !isPositiveInt(cols) ||
    !isIndex(stride) ||
    (rows > 1 && stride < cols)
  ) {
    throw new TypeError(
      `${fn}: ${name} must have whole-number offset ≥ 0, rows ≥ 1, cols ≥ 1 and stride ≥ cols, ` +
        `got offset ${String(offset)}, rows ${String(rows)}, cols ${String(cols)}, stride ${String(stride)}`,
    );
  }
  const needed = offset + (rows - 1) * stride + cols;
  if (needed > data.length) {
    expectLiveView(fn, name, view as MatrixView, needed);
    throw new RangeError(
      `${fn}: ${name} is a ${rows}×${cols} view at offset ${offset} with stride ${stride}, ` +
        `which reaches value ${needed}, but its data holds ${data.length}`,
    );
  }
  return view as MatrixView;
}

/** Returns `v` as a {@link Tensor3}, or throws a `TypeError` naming `name`. */
export function asTensor3(fn: string, name: string, v: unknown): Tensor3 {
  if (v instanceof Tensor3) return liveTensor3(fn, name, v);
  if (typeof v === 'object' && v !== null) {
    const { dims, data } = v as { dims?: unknown; data?: unknown };
    if (Array.isArray(dims) && dims.length === 3 && dims.every(isPositiveInt) && data instanceof Float64Array) {
      const [N, T, D] = dims as [number, number, number];
      if (data.length !== N * T * D) {
        expectLiveData(fn, name, data, N * T * D, `${N}×${T}×${D} shape`);
        throw new ShapeError(
          `${fn}: ${name} claims to be ${N}×${T}×${D} but its data holds ${data.length} values, not ${N * T * D}`,
          name,
        );
      }
      return new Tensor3(N, T, D, data);
    }
  }
  throw new TypeError(`${fn}: ${name} must be a Tensor3 (batch × time × features), got ${kind(v)}`);
}

/**
 * Checks that `v` is a rows×cols matrix. `why` explains the expected shape in
 * the message, e.g. `"H×4H for H=5"`.
 */
export function expectMatrix(fn: string, name: string, v: unknown, rows: number, cols: number, why?: string): Matrix {
  const m = asMatrix(fn, name, v);
  if (m.rows !== rows || m.cols !== cols) {
    throw new ShapeError(
      `${fn}: ${name} must be ${rows}×${cols}${why ? ` (${why})` : ''}, got ${m.rows}×${m.cols}`,
      name,
    );
  }
  return m;
}

/** Checks that `v` is an N×T×D tensor; `why` explains the expected shape. */
export function expectTensor3(
  fn: string,
  name: string,
  v: unknown,
  N: number,
  T: number,
  D: number,
  why?: string,
): Tensor3 {
  const t = asTensor3(fn, name, v);
  const [n, tt, d] = t.dims;
  if (n !== N || tt !== T || d !== D) {
    throw new ShapeError(`${fn}: ${name} must be ${N}×${T}×${D}${why ? ` (${why})` : ''}, got ${n}×${tt}×${d}`, name);
  }
  return t;
}

/** Checks that `v` is a non-null object (a params record or a cache). */
export function expectRecord(fn: string, name: string, v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TypeError(
      `${fn}: ${name} must be ${what}, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`,
    );
  }
  return v as Record<string, unknown>;
}

/**
 * Refuses a sequence cache made by the other path, naming both: a reference
 * cache holds `steps` (the step caches), a fast one `x`, `h0` and flat
 * buffers, so each backward can tell which forward made what it was given.
 */
export function expectCacheOfPath(
  fn: string,
  cache: Record<string, unknown>,
  forward: string,
  path: 'fast' | 'reference',
): void {
  const fromReference = Array.isArray(cache.steps) && cache.x === undefined;
  const fromFast = cache.steps === undefined && cache.x !== undefined && cache.h0 !== undefined;
  if (path === 'fast' && fromReference) {
    throw new TypeError(
      `${fn}: cache was made by handgrad/reference's ${forward}; pass it to handgrad/reference's ${fn}, ` +
        `or give this ${fn} the cache of handgrad's ${forward}`,
    );
  }
  if (path === 'reference' && fromFast) {
    throw new TypeError(
      `${fn}: cache was made by handgrad's (fast) ${forward}; pass it to handgrad's ${fn}, ` +
        `or give this ${fn} the cache of handgrad/reference's ${forward}`,
    );
  }
}

/**
 * The checks every step forward starts with, on both paths: x is an N×D
 * Matrix, hPrev an N×H one (H is read from hPrev), then the cell's params
 * checked against D and H by `checkParams`.
 */
export function checkStepInputs<P>(
  fn: string,
  x: unknown,
  hPrev: unknown,
  p: unknown,
  checkParams: (fn: string, p: unknown, D: number, H: number) => P,
): { x: Matrix; hPrev: Matrix; params: P; N: number; D: number; H: number } {
  const xm = asMatrix(fn, 'x', x);
  const hm = asMatrix(fn, 'hPrev', hPrev);
  const [N, D, H] = [xm.rows, xm.cols, hm.cols];
  expectMatrix(fn, 'hPrev', hm, N, H, `N×H, N=${N} from x`);
  return { x: xm, hPrev: hm, params: checkParams(fn, p, D, H), N, D, H };
}

/**
 * The checks every sequence forward starts with, on both paths: x is an
 * N×T×D Tensor3, h0 an N×H Matrix (H is read from h0), then the cell's params
 * checked against D and H by `checkParams`.
 */
export function checkSequenceInputs<P>(
  fn: string,
  x: unknown,
  h0: unknown,
  p: unknown,
  checkParams: (fn: string, p: unknown, D: number, H: number) => P,
): { x: Tensor3; h0: Matrix; params: P; N: number; T: number; D: number; H: number } {
  const xs = asTensor3(fn, 'x', x);
  const [N, T, D] = xs.dims;
  const h0m = asMatrix(fn, 'h0', h0);
  const H = h0m.cols;
  expectMatrix(fn, 'h0', h0m, N, H, `N×H, N=${N} from x`);
  return { x: xs, h0: h0m, params: checkParams(fn, p, D, H), N, T, D, H };
}
