/** Checks for N×T grids of integer ids (word ids, target classes) and masks. */
import { describeValue } from '../linalg/describe.js';

/** N×T integer ids: `ids[n][t]` is a row index (a token, a class). */
export type Ids = readonly (readonly number[])[];

/** An N×T grid of flags: `mask[n][t]` says whether (n, t) counts. */
export type Mask = readonly (readonly boolean[])[];

/**
 * The error for one bad id, saying what it is: `ids[0][0] is the string
 * "1"; ids must be integers in [0, 7) (V = 7 from W's rows)`. A value of
 * the wrong type is a TypeError, a number outside the integers of [0, V) a
 * RangeError.
 */
function badId(fn: string, name: string, at: string, v: unknown, V: number, vFrom: string, pastEnd: string): Error {
  const rule = `; ${name} must be integers in [0, ${V}) (V = ${V} from ${vFrom})`;
  if (typeof v === 'string') {
    const n = Number(v);
    const fix = v.trim() !== '' && Number.isInteger(n) ? `; convert it with Number(…)` : '';
    return new TypeError(`${fn}: ${at} is the string ${JSON.stringify(v)}${rule}${fix}`);
  }
  if (typeof v === 'bigint') return new TypeError(`${fn}: ${at} is the bigint ${v}n${rule}; convert it with Number(…)`);
  if (typeof v !== 'number') return new TypeError(`${fn}: ${at} is ${describeValue(v)}${rule}`);
  if (Number.isNaN(v)) return new RangeError(`${fn}: ${at} is NaN${rule}`);
  if (!Number.isInteger(v)) return new RangeError(`${fn}: ${at} is ${v}, not an integer${rule}`);
  if (v < 0) return new RangeError(`${fn}: ${at} is ${v}, below 0${rule}`);
  return new RangeError(`${fn}: ${at} is ${v}, past the last id ${V - 1}${rule}${pastEnd}`);
}

/**
 * Checks that `ids` is a non-empty, rectangular N×T array of integers in
 * [0, V) (`vFrom` says where V was read, e.g. `W's rows`); a bad entry is
 * reported with its position and what it is, e.g.
 * `wordEmbeddingForward: ids[1][3] is 27, past the last id 26; ids must be
 * integers in [0, 27) (V = 27 from W's rows)`. `shape` is the N×T the grid
 * must have and where it was read; `pastEnd` is added to the message of an
 * id ≥ V (a hint about where V came from).
 */
export function checkIds(
  fn: string,
  name: string,
  ids: unknown,
  V: number,
  vFrom: string,
  shape?: { readonly N: number; readonly T: number; readonly from: string },
  pastEnd = '',
): { N: number; T: number } {
  if (!Array.isArray(ids)) {
    throw new TypeError(`${fn}: ${name} must be an N×T array of integer ids (number[][]), got ${describeValue(ids)}`);
  }
  if (ids.length === 0) throw new RangeError(`${fn}: ${name} must have at least one row, got an empty array`);
  const first: unknown = ids[0];
  if (!Array.isArray(first)) {
    const hint = typeof first === 'number' ? `; one row of ids is [${name}]` : '';
    throw new TypeError(`${fn}: ${name}[0] must be an array of integer ids, got ${describeValue(first)}${hint}`);
  }
  const N = ids.length;
  const T = first.length;
  if (T === 0) throw new RangeError(`${fn}: ${name} rows must have at least one id, ${name}[0] is empty`);
  if (shape !== undefined && (shape.N !== N || shape.T !== T)) {
    throw new RangeError(
      `${fn}: ${name} must be N×T = ${shape.N}×${shape.T} (N = ${shape.N} and T = ${shape.T} from ${shape.from}), ` +
        `got ${N}×${T}`,
    );
  }
  for (let n = 0; n < N; n++) {
    const row: unknown = ids[n];
    if (!Array.isArray(row)) {
      throw new TypeError(`${fn}: ${name}[${n}] must be an array of integer ids, got ${describeValue(row)}`);
    }
    if (row.length !== T)
      throw new RangeError(`${fn}: ${name} is ragged: ${name}[0] has ${T} ids but ${name}[${n}] has ${row.length}`);
    for (let t = 0; t < T; t++) {
      const v: unknown = row[t];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= V) {
        throw badId(fn, name, `${name}[${n}][${t}]`, v, V, vFrom, pastEnd);
      }
    }
  }
  return { N, T };
}

/** Checks that `mask` is an N×T array of booleans. */
export function checkMask(fn: string, mask: unknown, N: number, T: number): Mask {
  if (!Array.isArray(mask) || mask.length !== N) {
    throw new RangeError(
      `${fn}: mask must be an N×T array of booleans, N×T = ${N}×${T} from scores, ` +
        `got ${Array.isArray(mask) ? `${mask.length} rows` : describeValue(mask)}`,
    );
  }
  for (let n = 0; n < N; n++) {
    const row: unknown = mask[n];
    if (!Array.isArray(row) || row.length !== T) {
      throw new RangeError(
        `${fn}: mask[${n}] must be an array of ${T} booleans, ` +
          `got ${Array.isArray(row) ? `${row.length} entries` : describeValue(row)}`,
      );
    }
    for (let t = 0; t < T; t++) {
      if (typeof row[t] !== 'boolean')
        throw new TypeError(`${fn}: mask[${n}][${t}] must be a boolean, got ${describeValue(row[t])}`);
    }
  }
  return mask as Mask;
}
