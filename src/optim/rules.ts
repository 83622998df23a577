/**
 * Optimizers as pure update rules: each takes the params, their gradients
 * (and its own state from the previous call), and returns new params and a
 * new state. Nothing passed in is modified, so a training loop can keep the
 * old params for comparison or roll back a step.
 *
 * Docs: docs/training.md ("Optimizers").
 */
import { Matrix, expectRecord } from '../linalg/index.js';
import { checkLike, checkNumber, checkParamRecord, type ParamRecord } from './params.js';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Step size α > 0. */
  readonly learningRate: number;
}

/**
 * Plain gradient descent, w ← w − α·dw, for every matrix in the record.
 *
 * ```text
 * params, grads: records of matching matrices   →   new params (same keys and shapes)
 * ```
 */
export function sgd(params: ParamRecord, grads: ParamRecord, options: SgdOptions): ParamRecord {
  const fn = 'sgd';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkLike(fn, 'grads', grads, p, 'params');
  const o = expectRecord(fn, 'options', options, '{ learningRate }');
  const lr = checkNumber(fn, 'options.learningRate', o.learningRate, 0, Infinity, true, true);
  const out: Record<string, Matrix> = {};
  for (const k of Object.keys(p)) {
    const w = (p[k] as Matrix).data;
    const dw = (g[k] as Matrix).data;
    const next = (p[k] as Matrix).clone();
    for (let i = 0; i < w.length; i++) next.data[i] = (w[i] as number) - lr * (dw[i] as number);
    out[k] = next;
  }
  return out;
}

/** Options of {@link sgdMomentum}. */
export interface SgdMomentumOptions {
  /** Step size α > 0. */
  readonly learningRate: number;
  /** μ in [0, 1); 0.9 when omitted. */
  readonly momentum?: number;
}

/** The velocity of {@link sgdMomentum}, one matrix per param. */
export interface MomentumState {
  /** v for every param, same keys and shapes. */
  readonly velocity: ParamRecord;
}

/**
 * Gradient descent with momentum (cs231n's form): v ← μ·v − α·dw, w ← w + v.
 * Pass `undefined` as the state on the first call (v starts at 0).
 *
 * ```text
 * params, grads, state.velocity: records of matching matrices   →   { params, state }
 * ```
 */
export function sgdMomentum(
  params: ParamRecord,
  grads: ParamRecord,
  state: MomentumState | undefined,
  options: SgdMomentumOptions,
): {
  /** The updated parameters (new matrices). */
  params: ParamRecord;
  /** The velocities to pass to the next call. */
  state: MomentumState;
} {
  const fn = 'sgdMomentum';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkLike(fn, 'grads', grads, p, 'params');
  const o = expectRecord(fn, 'options', options, '{ learningRate, momentum? }');
  const lr = checkNumber(fn, 'options.learningRate', o.learningRate, 0, Infinity, true, true);
  const mu = o.momentum === undefined ? 0.9 : checkNumber(fn, 'options.momentum', o.momentum, 0, 1, false, true);
  const v0 =
    state === undefined
      ? undefined
      : checkLike(fn, 'state.velocity', expectRecord(fn, 'state', state, 'a MomentumState or undefined').velocity, p, 'params');
  const nextParams: Record<string, Matrix> = {};
  const velocity: Record<string, Matrix> = {};
  for (const k of Object.keys(p)) {
    const w = (p[k] as Matrix).data;
    const dw = (g[k] as Matrix).data;
    const vPrev = v0?.[k]?.data;
    const v = Matrix.zeros((p[k] as Matrix).rows, (p[k] as Matrix).cols);
    const next = Matrix.zeros(v.rows, v.cols);
    for (let i = 0; i < w.length; i++) {
      const vi = mu * (vPrev === undefined ? 0 : (vPrev[i] as number)) - lr * (dw[i] as number);
      v.data[i] = vi;
      next.data[i] = (w[i] as number) + vi;
    }
    velocity[k] = v;
    nextParams[k] = next;
  }
  return { params: nextParams, state: { velocity } };
}

/** Options of {@link adam}; the defaults are Kingma & Ba's. */
export interface AdamOptions {
  /** Step size α > 0; 1e-3 when omitted. */
  readonly learningRate?: number;
  /** Decay of the first moment, in [0, 1); 0.9 when omitted. */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1); 0.999 when omitted. */
  readonly beta2?: number;
  /** Added to √v̂ so the step stays finite; 1e-8 when omitted. */
  readonly epsilon?: number;
}

/** The moments of {@link adam}. */
export interface AdamState {
  /** First moment m for every param. */
  readonly m: ParamRecord;
  /** Second moment v for every param. */
  readonly v: ParamRecord;
  /** Steps taken so far (t in the bias corrections). */
  readonly t: number;
}

/**
 * Adam (Kingma & Ba 2015). With t counting calls from 1:
 *
 * ```text
 * m ← β₁·m + (1 − β₁)·dw          v ← β₂·v + (1 − β₂)·dw²
 * m̂ = m / (1 − β₁ᵗ)                v̂ = v / (1 − β₂ᵗ)
 * w ← w − α·m̂ / (√v̂ + ε)
 *
 * params, grads, state.m, state.v: records of matching matrices   →   { params, state }
 * ```
 *
 * Pass `undefined` as the state on the first call (m = v = 0, t = 0).
 */
export function adam(
  params: ParamRecord,
  grads: ParamRecord,
  state: AdamState | undefined,
  options: AdamOptions = {},
): {
  /** The updated parameters (new matrices). */
  params: ParamRecord;
  /** The moments and step count to pass to the next call. */
  state: AdamState;
} {
  const fn = 'adam';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkLike(fn, 'grads', grads, p, 'params');
  const o = expectRecord(fn, 'options', options, '{ learningRate?, beta1?, beta2?, epsilon? }');
  const lr = o.learningRate === undefined ? 1e-3 : checkNumber(fn, 'options.learningRate', o.learningRate, 0, Infinity, true, true);
  const b1 = o.beta1 === undefined ? 0.9 : checkNumber(fn, 'options.beta1', o.beta1, 0, 1, false, true);
  const b2 = o.beta2 === undefined ? 0.999 : checkNumber(fn, 'options.beta2', o.beta2, 0, 1, false, true);
  const eps = o.epsilon === undefined ? 1e-8 : checkNumber(fn, 'options.epsilon', o.epsilon, 0, Infinity, true, true);
  let m0: Record<string, Matrix> | undefined;
  let v0: Record<string, Matrix> | undefined;
  let t = 0;
  if (state !== undefined) {
    const s = expectRecord(fn, 'state', state, 'an AdamState or undefined');
    m0 = checkLike(fn, 'state.m', s.m, p, 'params');
    v0 = checkLike(fn, 'state.v', s.v, p, 'params');
    t = s.t as number;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) {
      throw new RangeError(`${fn}: state.t must be a non-negative integer, got ${String(s.t)}`);
    }
  }
  t += 1;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  const nextParams: Record<string, Matrix> = {};
  const mOut: Record<string, Matrix> = {};
  const vOut: Record<string, Matrix> = {};
  for (const k of Object.keys(p)) {
    const w = p[k] as Matrix;
    const dw = (g[k] as Matrix).data;
    const mPrev = m0?.[k]?.data;
    const vPrev = v0?.[k]?.data;
    const m = Matrix.zeros(w.rows, w.cols);
    const v = Matrix.zeros(w.rows, w.cols);
    const next = Matrix.zeros(w.rows, w.cols);
    for (let i = 0; i < w.data.length; i++) {
      const gi = dw[i] as number;
      const mi = b1 * (mPrev === undefined ? 0 : (mPrev[i] as number)) + (1 - b1) * gi;
      const vi = b2 * (vPrev === undefined ? 0 : (vPrev[i] as number)) + (1 - b2) * gi * gi;
      m.data[i] = mi;
      v.data[i] = vi;
      next.data[i] = (w.data[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
    mOut[k] = m;
    vOut[k] = v;
    nextParams[k] = next;
  }
  return { params: nextParams, state: { m: mOut, v: vOut, t } };
}

/**
 * Global-norm gradient clipping (Pascanu et al. 2013): when the norm of all
 * gradients taken together exceeds `maxNorm`, scale every one by the same
 * factor so the global norm becomes `maxNorm`. The direction is kept, which
 * is why this tames exploding gradients without biasing the update.
 *
 * ```text
 * ‖g‖ = √(Σ_k Σ_i g_k,i²)      scale = min(1, maxNorm / ‖g‖)      g_k ← scale·g_k
 * ```
 *
 * Returns new matrices (the input is not modified), the norm before
 * clipping, and the scale applied.
 */
export function clipGradNorm(grads: ParamRecord, maxNorm: number): {
  /** The clipped gradients (new matrices). */
  grads: ParamRecord;
  /** The global norm ‖g‖ before clipping. */
  norm: number;
  /** The factor applied: min(1, maxNorm/‖g‖). */
  scale: number;
} {
  const fn = 'clipGradNorm';
  const g = checkParamRecord(fn, 'grads', grads);
  const limit = checkNumber(fn, 'maxNorm', maxNorm, 0, Infinity, true, true);
  let sq = 0;
  for (const k of Object.keys(g)) {
    const d = (g[k] as Matrix).data;
    for (let i = 0; i < d.length; i++) sq += (d[i] as number) * (d[i] as number);
  }
  const norm = Math.sqrt(sq);
  const scale = norm > limit ? limit / norm : 1;
  const out: Record<string, Matrix> = {};
  for (const k of Object.keys(g)) {
    const m = (g[k] as Matrix).clone();
    if (scale !== 1) for (let i = 0; i < m.data.length; i++) m.data[i] = (m.data[i] as number) * scale;
    out[k] = m;
  }
  return { grads: out, norm, scale };
}
