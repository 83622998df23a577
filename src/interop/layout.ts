/**
 * The two operations every converter is made of: read a plain-JSON array
 * (checked, with the field named in any error) and move gate blocks from one
 * framework's order to another's, transposing when one side stores W as
 * G·H×K rows (PyTorch) and the other as K×G·H columns (handgrad, cs231n, Keras).
 */
import { describeValue as kind } from '../linalg/describe.js';
import { Matrix, ShapeError, allocFloat64 } from '../linalg/index.js';

/** Checks that `v` is a record (a weights object); throws a TypeError naming it otherwise. */
export function readRecord(fn: string, name: string, v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TypeError(`${fn}: ${name} must be ${what}, got ${kind(v)}`);
  }
  return v as Record<string, unknown>;
}

/**
 * Reads a rectangular `number[][]` field into a {@link Matrix}.
 *
 * @throws TypeError when the field is missing or not arrays of numbers.
 * @throws ShapeError when it is empty or ragged.
 */
export function readMatrix(fn: string, field: string, v: unknown): Matrix {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${field} must be an array of rows (number[][]), got ${kind(v)}`);
  if (v.length === 0) throw new ShapeError(`${fn}: ${field} must have at least one row, got an empty array`, field);
  const first: unknown = v[0];
  if (!Array.isArray(first)) throw new TypeError(`${fn}: ${field}[0] must be an array of numbers, got ${kind(first)}`);
  const cols = first.length;
  if (cols === 0) throw new ShapeError(`${fn}: ${field} must have at least one column, ${field}[0] is empty`, field);
  const m = new Matrix(v.length, cols);
  for (let i = 0; i < v.length; i++) {
    const row: unknown = v[i];
    if (!Array.isArray(row)) throw new TypeError(`${fn}: ${field}[${i}] must be an array of numbers, got ${kind(row)}`);
    if (row.length !== cols) {
      throw new ShapeError(`${fn}: ${field} is ragged: row 0 has ${cols} values but row ${i} has ${row.length}`, field);
    }
    for (let j = 0; j < cols; j++) {
      const x: unknown = row[j];
      if (typeof x !== 'number') throw new TypeError(`${fn}: ${field}[${i}][${j}] must be a number, got ${kind(x)}`);
      m.data[i * cols + j] = x;
    }
  }
  return m;
}

/**
 * Reads a `number[]` field of a given length.
 *
 * @throws TypeError when the field is missing or not an array of numbers.
 * @throws ShapeError when its length is not `length`.
 */
export function readVector(fn: string, field: string, v: unknown, length: number, why: string): Float64Array {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${field} must be an array of numbers (number[]), got ${kind(v)}`);
  if (v.length !== length) {
    const nested = v.length === 1 && Array.isArray(v[0]) ? `, ${kind(v)}: pass the flat ${field}[0]` : '';
    throw new ShapeError(`${fn}: ${field} must hold ${length} values (${why}), got ${v.length}${nested}`, field);
  }
  const out = allocFloat64(length);
  for (let j = 0; j < length; j++) {
    const x: unknown = v[j];
    if (typeof x !== 'number') throw new TypeError(`${fn}: ${field}[${j}] must be a number, got ${kind(x)}`);
    out[j] = x;
  }
  return out;
}

/** Throws a ShapeError naming `field` unless `m` is rows×cols; `hint` is appended to the message. */
export function expectShape(
  fn: string,
  field: string,
  m: Matrix,
  rows: number,
  cols: number,
  why: string,
  hint = '',
): void {
  if (m.rows !== rows || m.cols !== cols) {
    throw new ShapeError(`${fn}: ${field} must be ${rows}×${cols} (${why}), got ${m.rows}×${m.cols}${hint}`, field);
  }
}

const LAYOUT_WITH_BLOCKS: Record<number, string> = { 1: 'an RNN', 3: 'a GRU', 4: 'an LSTM' };

/**
 * When a stacked length holds a whole number of H-blocks, says how many and
 * whose layout that is: the usual mistake is handing one cell's weights to
 * another cell's converter.
 */
export function blockHint(length: number, H: number): string {
  if (length % H !== 0) return '';
  const k = length / H;
  const whose = LAYOUT_WITH_BLOCKS[k];
  return `, which is ${k} block${k === 1 ? '' : 's'} of H=${H}${whose === undefined ? '' : ` (${whose}'s weights?)`}`;
}

/**
 * H from a length that must be G·H (G gate blocks): throws a ShapeError
 * naming `field` when G does not divide it.
 */
export function blockSize(
  fn: string,
  field: string,
  length: number,
  G: number,
  what: 'rows' | 'columns',
  m?: { readonly rows: number; readonly cols: number },
): number {
  if (length % G !== 0) {
    const other = what === 'rows' ? m?.cols : m?.rows;
    const shape = m === undefined ? '' : `; ${field} is ${m.rows}×${m.cols}`;
    const flipped =
      other !== undefined && other % G === 0 ? `: is it transposed (its transpose is ${m?.cols}×${m?.rows})?` : '';
    throw new ShapeError(
      `${fn}: ${field} must have ${G}·H ${what} (${G} gate blocks), got ${length}, which ${G} does not divide` +
        shape +
        flipped,
      field,
    );
  }
  return length / G;
}

/**
 * For each block of `to`, the index of the same gate in `from`. Names must
 * match one to one; `alias` renames a gate of `from` first (Keras calls the
 * candidate c where the others call it g).
 */
export function blockMap(from: readonly string[], to: readonly string[], alias: Record<string, string> = {}): number[] {
  const renamed = from.map((g) => alias[g] ?? g);
  return to.map((g) => renamed.indexOf(g));
}

/**
 * Rows (G·H×K, gate blocks in `map`'s source order) to columns (K×G·H,
 * destination order): out[k, b·H + j] = src[map[b]·H + j, k]. PyTorch → handgrad.
 */
export function rowBlocksToColumns(src: Matrix, map: readonly number[], H: number): Matrix {
  const K = src.cols;
  const GH = map.length * H;
  const out = new Matrix(K, GH);
  map.forEach((s, b) => {
    for (let j = 0; j < H; j++) {
      const srcRow = (s * H + j) * K;
      for (let k = 0; k < K; k++) out.data[k * GH + b * H + j] = src.data[srcRow + k] as number;
    }
  });
  return out;
}

/**
 * Columns (K×G·H) to rows (G·H×K) as nested arrays, block b of the output
 * taken from block map[b] of the input: out[b·H + j][k] = src[k, map[b]·H + j].
 * handgrad → PyTorch.
 */
export function columnBlocksToRows(src: Matrix, map: readonly number[], H: number): number[][] {
  const K = src.rows;
  const GH = src.cols;
  const out: number[][] = [];
  map.forEach((s) => {
    for (let j = 0; j < H; j++) {
      const row = new Array<number>(K);
      for (let k = 0; k < K; k++) row[k] = src.data[k * GH + s * H + j] as number;
      out.push(row);
    }
  });
  return out;
}

/** Columns (K×G·H) to columns in another block order: out[k, b·H + j] = src[k, map[b]·H + j]. */
export function permuteColumnBlocks(src: Matrix, map: readonly number[], H: number): Matrix {
  const K = src.rows;
  const GH = src.cols;
  const out = new Matrix(K, GH);
  map.forEach((s, b) => {
    for (let k = 0; k < K; k++) {
      out.data.set(src.data.subarray(k * GH + s * H, k * GH + (s + 1) * H), k * GH + b * H);
    }
  });
  return out;
}

/** A G·H vector in another block order: out[b·H + j] = src[map[b]·H + j]. */
export function permuteVector(src: ArrayLike<number>, map: readonly number[], H: number): number[] {
  const out: number[] = [];
  map.forEach((s) => {
    for (let j = 0; j < H; j++) out.push(src[s * H + j] as number);
  });
  return out;
}
