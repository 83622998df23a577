/** Checks for N×T grids of integer ids (word ids, target classes) and masks. */

/** N×T integer ids: `ids[n][t]` is a row index (a token, a class). */
export type Ids = readonly (readonly number[])[];

/** An N×T grid of flags: `mask[n][t]` says whether (n, t) counts. */
export type Mask = readonly (readonly boolean[])[];

/**
 * Checks that `ids` is a non-empty, rectangular N×T array of integers in
 * [0, V); a bad entry is reported with its position, e.g.
 * `wordEmbeddingForward: ids[1][3] must be an integer in [0, 27), got 27`.
 */
export function checkIds(
  fn: string,
  name: string,
  ids: unknown,
  V: number,
  shape?: readonly [number, number],
): { N: number; T: number } {
  if (!Array.isArray(ids))
    throw new TypeError(
      `${fn}: ${name} must be an N×T array of integer ids, got ${ids === null ? 'null' : typeof ids}`,
    );
  if (ids.length === 0) throw new RangeError(`${fn}: ${name} must have at least one row, got an empty array`);
  const first: unknown = ids[0];
  if (!Array.isArray(first))
    throw new TypeError(`${fn}: ${name}[0] must be an array of integer ids, got ${typeof first}`);
  const N = ids.length;
  const T = first.length;
  if (T === 0) throw new RangeError(`${fn}: ${name} rows must have at least one id, ${name}[0] is empty`);
  if (shape !== undefined && (shape[0] !== N || shape[1] !== T)) {
    throw new RangeError(`${fn}: ${name} must be ${shape[0]}×${shape[1]} (N×T of the scores), got ${N}×${T}`);
  }
  for (let n = 0; n < N; n++) {
    const row: unknown = ids[n];
    if (!Array.isArray(row))
      throw new TypeError(`${fn}: ${name}[${n}] must be an array of integer ids, got ${typeof row}`);
    if (row.length !== T)
      throw new RangeError(`${fn}: ${name} is ragged: ${name}[0] has ${T} ids but ${name}[${n}] has ${row.length}`);
    for (let t = 0; t < T; t++) {
      const v: unknown = row[t];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= V) {
        throw new RangeError(`${fn}: ${name}[${n}][${t}] must be an integer in [0, ${V}), got ${String(v)}`);
      }
    }
  }
  return { N, T };
}

/** Checks that `mask` is an N×T array of booleans. */
export function checkMask(fn: string, mask: unknown, N: number, T: number): Mask {
  if (!Array.isArray(mask) || mask.length !== N) {
    throw new RangeError(
      `${fn}: mask must be an N×T array of booleans with N=${N}, ` +
        `got ${Array.isArray(mask) ? `${mask.length} rows` : typeof mask}`,
    );
  }
  for (let n = 0; n < N; n++) {
    const row: unknown = mask[n];
    if (!Array.isArray(row) || row.length !== T) {
      throw new RangeError(
        `${fn}: mask[${n}] must be an array of ${T} booleans, ` +
          `got ${Array.isArray(row) ? `${row.length} entries` : typeof row}`,
      );
    }
    for (let t = 0; t < T; t++) {
      if (typeof row[t] !== 'boolean')
        throw new TypeError(`${fn}: mask[${n}][${t}] must be a boolean, got ${typeof row[t]}`);
    }
  }
  return mask as Mask;
}
