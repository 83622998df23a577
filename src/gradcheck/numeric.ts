/**
 * Centered finite differences: the independent witness every analytic
 * gradient in the library is checked against.
 */
import { describeValue } from '../linalg/describe.js';
import { Matrix, ShapeError, Tensor3 } from '../linalg/index.js';

/** What `f` may return and `dout` may be: one tensor-like, or several (their losses add). */
export type Outputs = HasData | readonly HasData[];

/** Anything carrying its values in a flat `data` array, as Matrix and Tensor3 do. */
export interface HasData {
  /** The values, row-major. */
  readonly data: ArrayLike<number>;
}

/** Options of {@link numericGradient}. */
export interface NumericGradientOptions {
  /** The step h of (L(x + h) − L(x − h)) / 2h. Default 1e-5, right for float64. */
  readonly eps?: number;
  /**
   * Flat (row-major) indices of the coordinates to differentiate; the others
   * are left 0 in the result. Default: every coordinate.
   */
  readonly indices?: readonly number[];
}

/** The default finite-difference step. */
export const DEFAULT_EPS = 1e-5;

/**
 * Centered differences of the scalar L(x) = Σ f(x) ⊙ dout with respect to
 * every coordinate of x: ∂L/∂x_k ≈ (L(x + h·e_k) − L(x − h·e_k)) / 2h.
 *
 * ```text
 * x: a Matrix or Tensor3   f(x), dout: one tensor or an array of them, same sizes
 *   →   a Matrix or Tensor3 of x's shape
 * ```
 *
 * `x` is perturbed in place one coordinate at a time (f reads it), and is
 * restored bit for bit afterwards, also when `f` throws.
 *
 * @throws TypeError when x is not a Matrix / Tensor3 or f is not a function.
 * @throws RangeError when eps is not a positive finite number or an index is out of range.
 * @throws ShapeError when f(x) and dout hold different numbers of values.
 */
export function numericGradient<X extends Matrix | Tensor3>(
  f: (x: X) => Outputs,
  x: X,
  dout: Outputs,
  options: NumericGradientOptions = {},
): X {
  const fn = 'numericGradient';
  if (typeof f !== 'function') throw new TypeError(`${fn}: f must be a function, got ${describeValue(f)}`);
  if (!(x instanceof Matrix) && !(x instanceof Tensor3)) {
    throw new TypeError(`${fn}: x must be a Matrix or a Tensor3, got ${describeValue(x)}`);
  }
  const eps = checkEps(fn, options.eps);
  const length = x.data.length;
  const indices = options.indices ?? Array.from({ length }, (_, i) => i);
  for (const k of indices) {
    if (!Number.isInteger(k) || k < 0 || k >= length) {
      throw new RangeError(`${fn}: indices must be integers in [0, ${length - 1}], got ${String(k)}`);
    }
  }
  const douts = checkOutputs(fn, 'dout', dout, 'one per output of f');
  const loss = (): number => dotOutputs(fn, checkOutputs(fn, 'f(x)', f(x), 'the outputs of f'), douts);
  const values = numericGradientAt(loss, x.data, indices, eps);
  const grad = x instanceof Matrix ? Matrix.zeros(x.rows, x.cols) : Tensor3.zeros(...x.dims);
  indices.forEach((k, i) => {
    grad.data[k] = values[i] as number;
  });
  return grad as X;
}

/**
 * The core loop, without argument checks: the centered difference of
 * `loss()` at each of `indices` of `data`, which is restored exactly (from a
 * snapshot, so even NaN payloads and −0 survive) before returning or throwing.
 */
export function numericGradientAt(
  loss: () => number,
  data: Float64Array,
  indices: readonly number[],
  eps: number,
  onCoordinate?: () => void,
): Float64Array {
  const snapshot = data.slice();
  const out = new Float64Array(indices.length);
  try {
    indices.forEach((k, i) => {
      const old = data[k] as number;
      data[k] = old + eps;
      const plus = loss();
      data[k] = old - eps;
      const minus = loss();
      data[k] = old;
      out[i] = (plus - minus) / (2 * eps);
      onCoordinate?.();
    });
  } finally {
    data.set(snapshot);
  }
  return out;
}

/** Checks a finite-difference step; `undefined` means the default. */
export function checkEps(fn: string, eps: unknown): number {
  if (eps === undefined) return DEFAULT_EPS;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) {
    throw new RangeError(`${fn}: eps must be a positive finite number, got ${String(eps)}`);
  }
  return eps;
}

function asList(o: Outputs): readonly { readonly data: ArrayLike<number> }[] {
  return Array.isArray(o)
    ? (o as readonly { readonly data: ArrayLike<number> }[])
    : [o as { readonly data: ArrayLike<number> }];
}

/** `v` as a list of outputs with numeric `data`, or a TypeError saying what `v` (or one of its entries) is. */
function checkOutputs(
  fn: string,
  name: string,
  v: unknown,
  what: string,
): readonly { readonly data: ArrayLike<number> }[] {
  const hasData = (o: unknown): boolean => {
    const data = typeof o === 'object' && o !== null ? (o as { data?: unknown }).data : undefined;
    return typeof data === 'object' && data !== null && typeof (data as { length?: unknown }).length === 'number';
  };
  const list = Array.isArray(v) ? v : [v];
  const bad = list.findIndex((o) => !hasData(o));
  if (bad >= 0) {
    const at = Array.isArray(v) ? `${name}[${bad}]` : name;
    throw new TypeError(
      `${fn}: ${at} must be a Matrix or a Tensor3, or an array of them (${what}), got ${describeValue(list[bad])}`,
    );
  }
  return list as readonly { readonly data: ArrayLike<number> }[];
}

/** "2×3" for a Matrix, "2×3×4" for a Tensor3, undefined for anything else with data. */
function shapeOf(o: unknown): string | undefined {
  if (o instanceof Matrix) return `${o.rows}×${o.cols}`;
  if (o instanceof Tensor3) return o.dims.join('×');
  return undefined;
}

function dotOutputs(fn: string, out: Outputs, douts: readonly { readonly data: ArrayLike<number> }[]): number {
  const outs = asList(out);
  if (outs.length !== douts.length) {
    throw new ShapeError(`${fn}: f(x) returned ${outs.length} outputs but dout has ${douts.length}`, 'dout');
  }
  let s = 0;
  outs.forEach((o, j) => {
    const a = o.data;
    const b = (douts[j] as { readonly data: ArrayLike<number> }).data;
    if (a.length !== b.length) {
      throw new ShapeError(`${fn}: output ${j} of f(x) holds ${a.length} values but dout holds ${b.length}`, 'dout');
    }
    // The same count in another shape (3×2 for 2×3) would pair each output with another one's weight.
    const want = shapeOf(o);
    const got = shapeOf(douts[j]);
    if (want !== undefined && got !== undefined && want !== got) {
      const at = douts.length > 1 ? `dout[${j}]` : 'dout';
      throw new ShapeError(`${fn}: ${at} must be ${want} (the shape of output ${j} of f(x)), got ${got}`, 'dout');
    }
    for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  });
  return s;
}
