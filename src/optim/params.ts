import { asMatrix, expectMatrix, expectRecord, type Matrix } from '../linalg/index.js';

/**
 * A model's trainable weights: a flat record of named matrices, e.g.
 * `{ 'cell.Wx': …, 'cell.Wh': …, 'out.W': … }`. Gradients and optimizer
 * state are records with the same keys and shapes.
 */
export type ParamRecord = Readonly<Record<string, Matrix>>;

/** Checks a params record: non-empty, every value a Matrix. */
export function checkParamRecord(fn: string, name: string, v: unknown): Record<string, Matrix> {
  const r = expectRecord(fn, name, v, 'a record of named Matrix values');
  const keys = Object.keys(r);
  if (keys.length === 0) throw new RangeError(`${fn}: ${name} must hold at least one Matrix, got an empty record`);
  const out: Record<string, Matrix> = {};
  for (const k of keys) out[k] = asMatrix(fn, `${name}.${k}`, r[k]);
  return out;
}

/** Checks that `v` has exactly the keys and shapes of `like`. */
export function checkLike(fn: string, name: string, v: unknown, like: Record<string, Matrix>, likeName: string): Record<string, Matrix> {
  const r = expectRecord(fn, name, v, `a record with the keys of ${likeName}`);
  const out: Record<string, Matrix> = {};
  for (const k of Object.keys(like)) {
    if (!(k in r)) throw new RangeError(`${fn}: ${name} is missing key "${k}" (present in ${likeName})`);
    const m = like[k] as Matrix;
    out[k] = expectMatrix(fn, `${name}.${k}`, r[k], m.rows, m.cols, `the shape of ${likeName}.${k}`);
  }
  for (const k of Object.keys(r)) {
    if (!(k in like)) throw new RangeError(`${fn}: ${name} has key "${k}" that ${likeName} does not have`);
  }
  return out;
}

/** Throws unless `v` is a finite number in the given open/closed range. */
export function checkNumber(fn: string, name: string, v: unknown, min: number, max: number, minOpen: boolean, maxOpen: boolean): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${typeof v}`);
  const lowOk = minOpen ? v > min : v >= min;
  const highOk = maxOpen ? v < max : v <= max;
  if (!Number.isFinite(v) || !lowOk || !highOk) {
    const range = `${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new RangeError(`${fn}: ${name} must be in ${range}, got ${String(v)}`);
  }
  return v;
}
