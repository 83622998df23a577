/**
 * Helpers for models built from named parts: params of the parts live in one
 * flat record under a prefix (`cell.Wh`, `out.W`), which is what the
 * optimizers update and what a saved model stores.
 */
import type { Matrix } from '../linalg/index.js';
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
