/**
 * The vanilla RNN written as its derivation: the reference that
 * src/rnn/step.ts and src/rnn/sequence.ts must equal to 1e-12. Read it beside
 * docs/rnn.md; the same names, arguments, results and errors as the fast
 * functions, from `handgrad/reference`.
 */
import {
  asMatrix,
  expectMatrix,
  expectRecord,
  checkSequenceInputs,
  checkStepInputs,
  expectCacheOfPath,
  dim,
  expectShape,
  expectUpstream,
  expectUpstreamSeq,
} from '../linalg/check.js';
import { checkStamp, expectLiveStamp, stampInputs, type InputStamp } from '../linalg/buffers.js';
import { Matrix, Tensor3 } from '../linalg/matrix.js';
import { add, affine, colSum, matmulTransA, matmulTransB, setStep, stepsOf, type Steps } from '../reference/ops.js';
import { checkRnnParams, type RnnParams } from './params.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link rnnStepBackward} needs from the forward step. */
export interface RnnStepCache {
  /** x_t, N×D. */
  readonly x: Matrix;
  /** h_{t−1}, N×H. */
  readonly hPrev: Matrix;
  /** h_t = tanh(u), N×H: tanh'(u) = 1 − h_t² is read off it. */
  readonly h: Matrix;
  /** The weights used. */
  readonly params: RnnParams;
  /**
   * Checksums of x and the state this cache refers to, taken by the forward:
   * the backward throws a StaleCacheError naming the one edited in place
   * since. Not of the weights, which would cost a step 30–100% more (the
   * sequence caches do check theirs).
   */
  readonly stamp?: InputStamp;
}

/** Gradients of one step. */
export interface RnnStepGrads {
  /** dL/dx_t, N×D. */
  readonly dx: Matrix;
  /** dL/dh_{t−1}, N×H. */
  readonly dhPrev: Matrix;
  /** dL/dW_x, D×H. */
  readonly dWx: Matrix;
  /** dL/dW_h, H×H. */
  readonly dWh: Matrix;
  /** dL/db, 1×H. */
  readonly db: Matrix;
}

/** What {@link rnnBackward} needs: the cache of every step, t = 1…T in order. */
export interface RnnCache {
  /** The step caches, t = 1…T in order. */
  readonly steps: readonly RnnStepCache[];
  /**
   * Checksums of the caller's arrays this cache refers to (x, the initial
   * state, the weights), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Gradients of a sequence, the weights' summed over t. */
export interface RnnGrads {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/dh_0, N×H. */
  readonly dh0: Matrix;
  /** Σ_t dL/dW_x, D×H. */
  readonly dWx: Matrix;
  /** Σ_t dL/dW_h, H×H. */
  readonly dWh: Matrix;
  /** Σ_t dL/db, 1×H. */
  readonly db: Matrix;
}

/**
 * h_t = tanh(u), u = h_{t−1}·W_h + x_t·W_x + b: one step forward
 * (x: N×D, hPrev: N×H → h: N×H).
 */
export function rnnStepForward(
  x: Matrix,
  hPrev: Matrix,
  p: RnnParams,
): {
  /** h_t, N×H. */
  h: Matrix;
  /** What {@link rnnStepBackward} needs. */
  cache: RnnStepCache;
} {
  const fn = 'rnnStepForward';
  const { x: xm, hPrev: hm, params, N, H } = checkStepInputs(fn, x, hPrev, p, checkRnnParams);
  checkMemory(fn, { N, D: xm.cols, H }, { h: N * H, cache: N * H, scratch: 3 * N * H });
  const u = add(affine(xm, params.Wx, params.b), affine(hm, params.Wh)); // u = x_t·W_x + b + h_{t−1}·W_h
  const h = Matrix.zeros(N, H);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) h.data[n * H + j] = Math.tanh(u.get(n, j)); // h_t = tanh(u)
  }
  const stamp = stampInputs(fn, { x: xm, hPrev: hm }); // checked by the backward
  return { h, cache: { x: xm, hPrev: hm, h: h.clone(), params, stamp } };
}

/**
 * du = dh_t ⊙ (1 − h_t²); dW_x = x_tᵀ·du, dW_h = h_{t−1}ᵀ·du, db = e_Nᵀ·du,
 * dx_t = du·W_xᵀ, dh_{t−1} = du·W_hᵀ: one step backward (dh: N×H).
 */
export function rnnStepBackward(dh: Matrix, cache: RnnStepCache): RnnStepGrads {
  const fn = 'rnnStepBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const c = checkStepCache(fn, 'cache', cache);
  checkStamp(fn, cache);
  const [N, H] = [c.h.rows, c.h.cols];
  const dhm = expectUpstream(fn, 'dh', dh, 'h', N, H);
  checkMemory(fn, { N, D: c.x.cols, H }, { grads: cellGrads(N, 1, c.x.cols, H, 1, 1), scratch: N * H });
  const du = Matrix.zeros(N, H);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) du.data[n * H + j] = dhm.get(n, j) * (1 - c.h.get(n, j) ** 2); // du = dh_t ⊙ tanh'
  }
  return {
    dx: matmulTransB(du, c.params.Wx), // dx_t = du·W_xᵀ
    dhPrev: matmulTransB(du, c.params.Wh), // dh_{t−1} = du·W_hᵀ
    dWx: matmulTransA(c.x, du), // dW_x = x_tᵀ·du
    dWh: matmulTransA(c.hPrev, du), // dW_h = h_{t−1}ᵀ·du
    db: colSum(du), // db = e_Nᵀ·du
  };
}

/**
 * h_t = tanh(h_{t−1}·W_h + x_t·W_x + b) for t = 1…T from h_0: the step
 * forward in a loop (x: N×T×D, h0: N×H → h: N×T×H).
 */
export function rnnForward(
  x: Tensor3,
  h0: Matrix,
  p: RnnParams,
): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** What {@link rnnBackward} needs. */
  cache: RnnCache;
} {
  const fn = 'rnnForward';
  const { x: xs, h0: h0m, params, N, T, H } = checkSequenceInputs(fn, x, h0, p, checkRnnParams);
  checkMemory(fn, { N, T, D: xs.dims[2], H }, { h: N * T * H, cache: xs.data.length + 2 * N * T * H });
  const h = Tensor3.zeros(N, T, H);
  const steps: RnnStepCache[] = [];
  let hPrev = h0m;
  for (let t = 0; t < T; t++) {
    const step = rnnStepForward(xs.step(t), hPrev, params);
    setStep(h, t, step.h);
    steps.push(step.cache);
    hPrev = step.h;
  }
  const stamp = stampInputs(fn, { x: xs, h0: h0m }, params); // checked by the backward
  return { h, cache: { steps, stamp } };
}

/**
 * Backpropagation through time: for t = T…1, the step backward of dh_t plus
 * the gradient dh_{t} carried back from step t+1; the weight gradients are
 * summed over t, and what step 1 carries out is dh_0.
 */
export function rnnBackward(dh: Tensor3, cache: RnnCache): RnnGrads {
  const fn = 'rnnBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const { steps, N, T, D, H } = checkCache(fn, cache);
  const dhs = expectUpstreamSeq(fn, 'dh', dh, 'h', N, T, H);
  checkStamp(fn, cache);
  checkMemory(fn, { N, T, D, H }, { grads: cellGrads(N, T, D, H, 1, 1), scratch: 2 * cellGrads(N, 1, D, H, 1, 2) });
  const dx = Tensor3.zeros(N, T, D);
  let [carried, dWx, dWh, db] = [Matrix.zeros(N, H), Matrix.zeros(D, H), Matrix.zeros(H, H), Matrix.zeros(1, H)];
  for (let t = T - 1; t >= 0; t--) {
    const g = rnnStepBackward(add(dhs.step(t), carried), steps[t] as RnnStepCache); // upstream + carried
    setStep(dx, t, g.dx);
    [carried, dWx, dWh, db] = [g.dhPrev, add(dWx, g.dWx), add(dWh, g.dWh), add(db, g.db)];
  }
  return { dx, dh0: carried, dWx, dWh, db };
}

/** Checks a step cache (`name` is `cache` or `cache.steps[t]`); N, H, D come from its own x and h. */
function checkStepCache(fn: string, name: string, cache: unknown): RnnStepCache {
  const r = expectRecord(fn, name, cache, 'the cache returned by rnnStepForward');
  if (name === 'cache') expectCacheOfPath(fn, r, 'rnnStepForward', 'reference');
  const x = asMatrix(fn, `${name}.x`, r.x);
  const h = asMatrix(fn, `${name}.h`, r.h);
  const [N, H] = [dim('N', x.rows, `${name}.x`), dim('H', h.cols, `${name}.h`)];
  expectShape(fn, `${name}.h`, h, N, H);
  const hPrev = expectShape(fn, `${name}.hPrev`, r.hPrev, N, H);
  return { x, hPrev, h, params: checkRnnParams(fn, r.params, dim('D', x.cols, `${name}.x`), H, `${name}.params`) };
}

/** Checks a sequence cache: a non-empty list of step caches, all of step 0's shapes. */
function checkCache(fn: string, cache: unknown): Steps<RnnStepCache> {
  const steps = stepsOf(fn, cache, 'rnnForward').map((s, t) => checkStepCache(fn, `cache.steps[${t}]`, s));
  const { x, h } = steps[0] as RnnStepCache;
  for (const [t, s] of steps.entries()) {
    expectMatrix(fn, `cache.steps[${t}].x`, s.x, x.rows, x.cols, 'N×D, the shape of step 0');
    expectMatrix(fn, `cache.steps[${t}].h`, s.h, h.rows, h.cols, 'N×H, the shape of step 0');
  }
  return { steps, N: x.rows, T: steps.length, D: x.cols, H: h.cols };
}
