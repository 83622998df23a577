/**
 * Reading results from kernels the checker did not write. A user's module may
 * build its matrices with its own code; whatever it returns is accepted if it
 * has a shape and numbers, and turned into a Matrix / Tensor3.
 */
import { describeValue } from '../linalg/describe.js';
import { Matrix, Tensor3 } from '../linalg/index.js';
import { formatShape } from './shapes.js';

/**
 * A kernel broke its contract: it threw, or returned a result without an
 * expected key, of the wrong shape, or holding something other than numbers.
 * The CLI prints the message as one line and exits 2.
 */
export class KernelContractError extends Error {
  /** The kernel being checked, e.g. `"lstm-step"`. */
  readonly kernel: string;

  /**
   * @param kernel - The kernel being checked.
   * @param message - What went wrong, without the kernel's name (it is prefixed).
   */
  constructor(kernel: string, message: string) {
    super(`${kernel}: ${message}`);
    this.name = 'KernelContractError';
    this.kernel = kernel;
  }
}

function isNumericArray(v: unknown): v is ArrayLike<number> {
  if (ArrayBuffer.isView(v))
    return !(v instanceof DataView || v instanceof BigInt64Array || v instanceof BigUint64Array);
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

function isIntArray(v: unknown, length: number): v is number[] {
  return Array.isArray(v) && v.length === length && v.every((n) => Number.isInteger(n) && n >= 1);
}

/** Reads the declared shape of a tensor-like, or null if it declares none. */
function declaredShape(v: Record<string, unknown>): number[] | null {
  if (Number.isInteger(v.rows) && Number.isInteger(v.cols)) return [v.rows as number, v.cols as number];
  if (isIntArray(v.dims, 3)) return [...v.dims];
  if (isIntArray(v.shape, 2) || isIntArray(v.shape, 3)) return [...(v.shape as number[])];
  return null;
}

/** Flattens a nested array (number[][] or number[][][]) row-major, with its shape, or null if ragged. */
function flattenNested(v: unknown[], depth: number): { shape: number[]; data: number[] } | null {
  if (depth === 1) return isNumericArray(v) ? { shape: [v.length], data: [...(v as number[])] } : null;
  const parts: { shape: number[]; data: number[] }[] = [];
  for (const item of v) {
    if (!Array.isArray(item)) return null;
    const part = flattenNested(item, depth - 1);
    if (part === null) return null;
    parts.push(part);
  }
  const inner = parts[0]?.shape ?? [];
  if (parts.some((p) => formatShape(p.shape) !== formatShape(inner))) return null;
  return { shape: [v.length, ...inner], data: parts.flatMap((p) => p.data) };
}

/**
 * Turns a value returned by a kernel into a Matrix (expected shape of 2 dims)
 * or a Tensor3 (3 dims), copying its numbers into a Float64Array. Accepted:
 *
 * - `{ rows, cols, data }` (a library Matrix or any look-alike),
 * - `{ dims: [N, T, D], data }` (a library Tensor3 or look-alike),
 * - `{ shape: [r, c] | [N, T, D], data }`,
 * - a nested array `number[][]` / `number[][][]`,
 * - a plain number, when a 1×1 matrix is expected (a scalar loss),
 *
 * where `data` is a plain array of numbers or any typed array, row-major,
 * holding exactly as many values as the shape says.
 *
 * @param what - Names the value in messages, e.g. `"lstmStepBackward's dWx"`.
 * @param shapeExpr - The symbolic shape, quoted in messages (`"D×4H"`).
 * @throws KernelContractError when the value has no readable shape, another
 * shape than `expected`, or non-numeric data.
 */
export function toCheckable(
  kernel: string,
  what: string,
  value: unknown,
  expected: readonly number[],
  shapeExpr: string,
): Matrix | Tensor3 {
  const want = `${formatShape(expected)} (${shapeExpr})`;
  let shape: number[] | null = null;
  let data: ArrayLike<number> | null = null;
  if (typeof value === 'number' && expected.length === 2 && expected[0] === 1 && expected[1] === 1) {
    // A scalar (a loss) stands for the 1×1 matrix it is.
    shape = [1, 1];
    data = [value];
  } else if (Array.isArray(value)) {
    const flat = flattenNested(value, expected.length);
    if (flat === null) {
      throw new KernelContractError(
        kernel,
        `${what} is an array but not a ${expected.length}-level nested array of numbers of one shape; expected ${want}`,
      );
    }
    ({ shape, data } = flat);
  } else if (typeof value === 'object' && value !== null) {
    const r = value as Record<string, unknown>;
    shape = declaredShape(r);
    if (shape === null) {
      throw new KernelContractError(
        kernel,
        `${what} has no shape: expected ${want} as { rows, cols, data }, { dims, data }, { shape, data } ` +
          'or a nested array',
      );
    }
    if (!isNumericArray(r.data)) {
      throw new KernelContractError(kernel, `${what}.data must be an array of numbers or a typed array`);
    }
    data = r.data;
  } else {
    throw new KernelContractError(kernel, `${what} must be ${want}, got ${describeValue(value)}`);
  }
  if (formatShape(shape) !== formatShape(expected)) {
    throw new KernelContractError(kernel, `${what} must be ${want}, got ${formatShape(shape)}`);
  }
  const size = expected.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new KernelContractError(
      kernel,
      `${what} claims to be ${formatShape(shape)} but its data holds ${data.length} values, not ${size}`,
    );
  }
  const values = Float64Array.from(data);
  const [a, b, c] = expected as [number, number, number | undefined];
  return c === undefined ? new Matrix(a, b, values) : new Tensor3(a, b, c, values);
}

/**
 * Whether `value` is a 2-dimensional result laid out as the transpose of
 * `expected` (cols×rows where rows×cols is due, rows ≠ cols, both above 1):
 * a transposed weight gradient, which the checker scores as a wrong value
 * rather than refusing as a wrong shape.
 */
export function isTransposedShape(value: unknown, expected: readonly number[]): boolean {
  if (expected.length !== 2) return false;
  const [rows, cols] = expected as [number, number];
  if (rows === cols || rows < 2 || cols < 2) return false;
  let shape: number[] | null = null;
  if (Array.isArray(value)) shape = flattenNested(value, 2)?.shape ?? null;
  else if (typeof value === 'object' && value !== null) shape = declaredShape(value as Record<string, unknown>);
  return shape !== null && shape.length === 2 && shape[0] === cols && shape[1] === rows;
}
