/**
 * Optimizers as pure update rules: each takes the params, their gradients
 * (and its own state from the previous call), and returns new params and a
 * new state. Nothing passed in is modified, so a training loop can keep the
 * old params for comparison or roll back a step.
 *
 * The rules are generic over the params record: `LstmParams` in gives
 * `LstmParams` out, and each gradient is read by its `d`-name ({@link GradKey}:
 * `Wx` → `dWx`, `cell.Wx` → `cell.dWx`), so what a backward returns is passed
 * as it is. Keys of the gradients that are not a param's gradient (`dx`,
 * `dh0`, …) are ignored.
 *
 * Docs: docs/training.md ("Optimizers").
 */
import { Matrix, expectRecord } from '../linalg/index.js';
import {
  checkGrads,
  checkLike,
  checkNumber,
  checkParamRecord,
  gradKey,
  type GradKey,
  type GradsOf,
  type ParamRecord,
  type ParamsLike,
} from './params.js';

/** Other libraries' names for the options, with what they are called here. */
const OPTION_ALIASES: Readonly<Record<string, string>> = {
  lr: 'learningRate',
  learning_rate: 'learningRate',
  alpha: 'learningRate',
  eps: 'epsilon',
  betas: 'beta1 and beta2 (two numbers, not a pair)',
  beta_1: 'beta1',
  beta_2: 'beta2',
  mu: 'momentum',
};

/**
 * Refuses an option key the rule does not read, so a name from another
 * library (PyTorch's `eps`, `lr`, `betas`) is not silently replaced by the default.
 */
function checkOptionKeys(fn: string, options: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (known.includes(k)) continue;
    const alias = OPTION_ALIASES[k];
    const hint = alias === undefined ? '' : ` (here ${k} is called ${alias})`;
    throw new TypeError(
      `${fn}: options.${k} is not an option${hint}; expected only ${known.join(', ')}, ` +
        `got { ${Object.keys(options).join(', ')} }`,
    );
  }
}

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Step size α > 0. */
  readonly learningRate: number;
}

/**
 * Plain gradient descent, w ← w − α·dw, for every matrix in the record.
 *
 * ```text
 * params: P (records of matrices), grads: GradsOf<P> (dw named d + w's name)   →   new P (same keys and shapes)
 * ```
 *
 * @throws RangeError naming a gradient that is missing, ShapeError naming one of the wrong shape.
 */
export function sgd<P extends ParamsLike<P>>(params: P, grads: GradsOf<P>, options: SgdOptions): P {
  const fn = 'sgd';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkGrads(fn, 'grads', grads, p, 'params');
  const o = expectRecord(fn, 'options', options, '{ learningRate }');
  checkOptionKeys(fn, o, ['learningRate']);
  const lr = checkNumber(fn, 'options.learningRate', o.learningRate, 0, Infinity, true, true);
  const out: Record<string, Matrix> = {};
  for (const k of Object.keys(p)) {
    const w = (p[k] as Matrix).data;
    const dw = (g[k] as Matrix).data;
    const next = (p[k] as Matrix).clone();
    for (let i = 0; i < w.length; i++) next.data[i] = (w[i] as number) - lr * (dw[i] as number);
    out[k] = next;
  }
  // Same keys as params, each a Matrix of the same shape: a P.
  return out as unknown as P;
}

/** Options of {@link sgdMomentum}. */
export interface SgdMomentumOptions {
  /** Step size α > 0. */
  readonly learningRate: number;
  /** μ in [0, 1); 0.9 when omitted. */
  readonly momentum?: number;
}

/** The velocity of {@link sgdMomentum}, one matrix per param of `P`. */
export interface MomentumState<P = ParamRecord> {
  /** v for every param, same keys and shapes as the params. */
  readonly velocity: ParamsLike<P>;
}

/**
 * Gradient descent with momentum (cs231n's form): v ← μ·v − α·dw, w ← w + v.
 * Pass `undefined` as the state on the first call (v starts at 0).
 *
 * ```text
 * params: P, grads: GradsOf<P>, state.velocity: keyed like P   →   { params: P, state }
 * ```
 */
export function sgdMomentum<P extends ParamsLike<P>>(
  params: P,
  grads: GradsOf<P>,
  state: MomentumState<P> | undefined,
  options: SgdMomentumOptions,
): {
  /** The updated parameters (new matrices). */
  params: P;
  /** The velocities to pass to the next call. */
  state: MomentumState<P>;
} {
  const fn = 'sgdMomentum';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkGrads(fn, 'grads', grads, p, 'params');
  const o = expectRecord(fn, 'options', options, '{ learningRate, momentum? }');
  checkOptionKeys(fn, o, ['learningRate', 'momentum']);
  const lr = checkNumber(fn, 'options.learningRate', o.learningRate, 0, Infinity, true, true);
  const mu = o.momentum === undefined ? 0.9 : checkNumber(fn, 'options.momentum', o.momentum, 0, 1, false, true);
  const v0 =
    state === undefined
      ? undefined
      : checkLike(
          fn,
          'state.velocity',
          expectRecord(fn, 'state', state, 'a MomentumState or undefined').velocity,
          p,
          'params',
        );
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
  // Both records have exactly the keys of params.
  return { params: nextParams as unknown as P, state: { velocity: velocity as unknown as ParamsLike<P> } };
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

/**
 * The moments of {@link adam} for params `P` (`AdamState<LstmParams>`), keyed
 * like the params. Without a type argument, for params named at run time.
 */
export interface AdamState<P = ParamRecord> {
  /** First moment m for every param. */
  readonly m: ParamsLike<P>;
  /** Second moment v for every param. */
  readonly v: ParamsLike<P>;
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
 * params: P, grads: GradsOf<P> (dw named d + w's name), state.m, state.v: keyed like P   →   { params: P, state }
 * ```
 *
 * Pass `undefined` as the state on the first call (m = v = 0, t = 0).
 *
 * @throws RangeError naming a gradient that is missing ("grads is missing dWh (the gradient of params.Wh)"),
 *   ShapeError naming one of the wrong shape.
 */
export function adam<P extends ParamsLike<P>>(
  params: P,
  grads: GradsOf<P>,
  state: AdamState<P> | undefined,
  options: AdamOptions = {},
): {
  /** The updated parameters (new matrices). */
  params: P;
  /** The moments and step count to pass to the next call. */
  state: AdamState<P>;
} {
  const fn = 'adam';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkGrads(fn, 'grads', grads, p, 'params');
  const o = expectRecord(fn, 'options', options, '{ learningRate?, beta1?, beta2?, epsilon? }');
  checkOptionKeys(fn, o, ['learningRate', 'beta1', 'beta2', 'epsilon']);
  const lr =
    o.learningRate === undefined
      ? 1e-3
      : checkNumber(fn, 'options.learningRate', o.learningRate, 0, Infinity, true, true);
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
  // The three records have exactly the keys of params.
  const like = <R>(r: Record<string, Matrix>): R => r as unknown as R;
  return { params: like<P>(nextParams), state: { m: like<ParamsLike<P>>(mOut), v: like<ParamsLike<P>>(vOut), t } };
}

/**
 * Global-norm clipping of the gradients of `params` (Pascanu et al. 2013):
 * when the norm of those gradients taken together exceeds `maxNorm`, scale
 * every one by the same factor so the global norm becomes `maxNorm`. The
 * direction is kept, which is why this tames exploding gradients without
 * biasing the update.
 *
 * ```text
 * ‖g‖ = √(Σ_k Σ_i g_k,i²)      scale = min(1, maxNorm / ‖g‖)      g_k ← scale·g_k
 * ```
 *
 * `params` says which gradients count (and their shapes): the {@link GradKey}
 * name of each, as for the optimizers, so `lstmBackward`'s result can be
 * passed as it is and its dx, dh0, dc0 do not enter the norm. Returns new
 * matrices holding only those gradients (the input is not modified), the norm
 * before clipping, and the scale applied.
 */
export function clipGradNorm<P extends ParamsLike<P>>(
  params: P,
  grads: GradsOf<P>,
  maxNorm: number,
): {
  /** The clipped gradients of params (new matrices), named like the input's. */
  grads: GradsOf<P>;
  /** The global norm ‖g‖ before clipping. */
  norm: number;
  /** The factor applied: min(1, maxNorm/‖g‖). */
  scale: number;
} {
  const fn = 'clipGradNorm';
  const p = checkParamRecord(fn, 'params', params);
  const g = checkGrads(fn, 'grads', grads, p, 'params');
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
    out[gradKey(k)] = m;
  }
  // One entry per param, under its gradient's name: a GradsOf<P>.
  return { grads: out as unknown as GradsOf<P>, norm, scale };
}
