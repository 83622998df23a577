/**
 * Shapes written the way the docs write them (`N×T×D`, `D×4H`) and evaluated
 * for concrete sizes, so a kernel spec states its shapes once and every
 * message can quote the symbolic form next to the numbers.
 */
import { Matrix, Tensor3 } from '../linalg/index.js';

/** The sizes of a checking case: batch N, time steps T, input width D, hidden width H. */
export interface KernelSizes {
  /** Batch size. */
  readonly N: number;
  /** Time steps (sequence kernels only). */
  readonly T: number;
  /** Input features. */
  readonly D: number;
  /** Hidden units. */
  readonly H: number;
}

/** A tensor the checker can perturb: a {@link Matrix} (2 dims) or a {@link Tensor3} (3 dims). */
export type Checkable = Matrix | Tensor3;

const TERM = /^(\d*)([NTDH])$|^(\d+)$/;

/**
 * Evaluates a symbolic shape such as `"D×4H"` for `sizes`; each factor is a
 * size letter with an optional integer multiplier, or an integer (`"1×4H"`).
 * `x` is accepted for `×`.
 *
 * @throws RangeError when a factor is not of that form, or the shape has
 * other than 2 or 3 factors.
 */
export function evalShape(expr: string, sizes: KernelSizes): number[] {
  const factors = expr.split(/[×x]/).map((s) => s.trim());
  if (factors.length < 2 || factors.length > 3) {
    throw new RangeError(`evalShape: a shape has 2 or 3 factors, got ${JSON.stringify(expr)}`);
  }
  return factors.map((f) => {
    const m = TERM.exec(f);
    if (m === null)
      throw new RangeError(`evalShape: cannot read factor ${JSON.stringify(f)} of ${JSON.stringify(expr)}`);
    if (m[3] !== undefined) return Number(m[3]);
    const k = m[1] === '' || m[1] === undefined ? 1 : Number(m[1]);
    return k * sizes[m[2] as keyof KernelSizes];
  });
}

/** `[3, 4]` → `"3×4"`. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

/** The shape of a checkable tensor: `[rows, cols]` or `[N, T, D]`. */
export function shapeOf(v: Checkable): number[] {
  return v instanceof Matrix ? [v.rows, v.cols] : [...v.dims];
}

/** A zero tensor of `shape` (2 dims → Matrix, 3 → Tensor3). */
export function zerosOfShape(shape: readonly number[]): Checkable {
  const [a, b, c] = shape as [number, number, number | undefined];
  return c === undefined ? Matrix.zeros(a, b) : Tensor3.zeros(a, b, c);
}

/** The row-major multi-index of flat `index` in `shape`, e.g. 7 in 2×4 → `[1, 3]`. */
export function coordinateOf(index: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let rest = index;
  for (let k = shape.length - 1; k >= 0; k--) {
    const size = shape[k] as number;
    out[k] = rest % size;
    rest = Math.floor(rest / size);
  }
  return out;
}
