/**
 * Helpers for models built from named parts: params of the parts live in one
 * flat record under a prefix (`cell.Wh`, `out.W`), which is what the
 * optimizers update and what a saved model stores.
 */
import { asMatrix, expectMatrix, expectRecord, type Matrix } from '../linalg/index.js';

/**
 * The keys of `R` under `prefix.`: `Prefixed<'cell', LstmParams>` is
 * `{ 'cell.Wx', 'cell.Wh', 'cell.b' }`. A model of several layers is an
 * intersection of these, and `GradsOf` of it is the layers' own gradients
 * under the same prefixes (`cell.dWx`, …).
 */
export type Prefixed<Pre extends string, R> = { readonly [K in keyof R & string as `${Pre}.${K}`]: R[K] };

/** The entries of `P` under `Pre.`, with the prefix removed: the inverse of {@link Prefixed}. */
export type Unprefixed<Pre extends string, P> = {
  readonly [K in keyof P & string as string extends K ? string : K extends `${Pre}.${infer Rest}` ? Rest : never]: P[K];
};

/** The entries of `params` under `prefix.`, with the prefix removed. */
export function pickPrefixed<P extends object, Pre extends string>(params: P, prefix: Pre): Unprefixed<Pre, P> {
  const out: Record<string, unknown> = {};
  const lead = `${prefix}.`;
  for (const [k, v] of Object.entries(params)) if (k.startsWith(lead)) out[k.slice(lead.length)] = v;
  return out as Unprefixed<Pre, P>;
}

/**
 * The entries of `part` with `prefix.` put in front of each key. On a layer's
 * gradients (`withPrefix('cell', lstmBackward(dh, cache))`) it gives the
 * model's (`cell.dWx`, …; the extra `cell.dx`, `cell.dh0` are ignored by the optimizers).
 */
export function withPrefix<Pre extends string, R extends object>(prefix: Pre, part: R): Prefixed<Pre, R> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(part)) out[`${prefix}.${k}`] = v;
  return out as Prefixed<Pre, R>;
}

/**
 * `params[key]` as a Matrix, checked: a missing key or a wrong shape is an
 * error naming the function, the key and the expected shape.
 */
export function requireParam(
  fn: string,
  params: unknown,
  key: string,
  rows?: number,
  cols?: number,
  why?: string,
): Matrix {
  const r = expectRecord(fn, 'params', params, 'a params record');
  if (!(key in r)) throw new RangeError(`${fn}: params["${key}"] is missing`);
  const m = asMatrix(fn, `params["${key}"]`, r[key]);
  return expectMatrix(fn, `params["${key}"]`, m, rows ?? m.rows, cols ?? m.cols, why);
}
