/**
 * Helpers for models built from named parts: params of the parts live in one
 * flat record under a prefix (`cell.Wh`, `out.W`), which is what the
 * optimizers update and what a saved model stores.
 */
import { asMatrix, expectMatrix, expectRecord, type Matrix } from '../linalg/index.js';
import type { ParamRecord } from '../optim/params.js';

/** The entries of `params` under `prefix.`, with the prefix removed. */
export function pickPrefixed(params: ParamRecord, prefix: string): Record<string, Matrix> {
  const out: Record<string, Matrix> = {};
  const lead = `${prefix}.`;
  for (const [k, v] of Object.entries(params)) if (k.startsWith(lead)) out[k.slice(lead.length)] = v;
  return out;
}

/** The entries of `part` with `prefix.` put in front of each key. */
export function withPrefix(prefix: string, part: ParamRecord): Record<string, Matrix> {
  const out: Record<string, Matrix> = {};
  for (const [k, v] of Object.entries(part)) out[`${prefix}.${k}`] = v;
  return out;
}

/**
 * `params[key]` as a Matrix, checked: a missing key or a wrong shape is an
 * error naming the function, the key and the expected shape.
 */
export function requireParam(fn: string, params: unknown, key: string, rows?: number, cols?: number, why?: string): Matrix {
  const r = expectRecord(fn, 'params', params, 'a params record');
  if (!(key in r)) throw new RangeError(`${fn}: params["${key}"] is missing`);
  const m = asMatrix(fn, `params["${key}"]`, r[key]);
  return expectMatrix(fn, `params["${key}"]`, m, rows ?? m.rows, cols ?? m.cols, why);
}
