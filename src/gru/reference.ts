/**
 * The GRU (PyTorch's formulation) written as its derivation: the reference
 * that src/gru/step.ts and src/gru/sequence.ts must equal to 1e-12. Read it
 * beside docs/gru.md; the same names, arguments, results and errors as the
 * fast functions, from `handgrad/reference`. Gate blocks in GRU_GATE_ORDER:
 * r | z | n.
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
import {
  add,
  affine,
  colSum,
  matmulTransA,
  matmulTransB,
  setStep,
  sigma,
  stepsOf,
  type Steps,
} from '../reference/ops.js';
import { checkGruParams, type GruParams } from './params.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link gruStepBackward} needs from the forward step. */
export interface GruStepCache {
  /** x_t, N×D. */
  readonly x: Matrix;
  /** h_{t−1}, N×H. */
  readonly hPrev: Matrix;
  /** The reset gate r, N×H. */
  readonly r: Matrix;
  /** The update gate z, N×H. */
  readonly z: Matrix;
  /** The candidate n, N×H. */
  readonly n: Matrix;
  /** hn = h_{t−1}·W_hn + b_hn, N×H: the hidden side of the candidate, which r multiplies. */
  readonly hn: Matrix;
  /** The weights used. */
  readonly params: GruParams;
  /**
   * Checksums of x and the state this cache refers to, taken by the forward:
   * the backward throws a StaleCacheError naming the one edited in place
   * since. Not of the weights, which would cost a step 30–100% more (the
   * sequence caches do check theirs).
   */
  readonly stamp?: InputStamp;
}

/** Gradients of one step. */
export interface GruStepGrads {
  /** dL/dx_t, N×D. */
  readonly dx: Matrix;
  /** dL/dh_{t−1}, N×H. */
  readonly dhPrev: Matrix;
  /** dL/dW_x, D×3H. */
  readonly dWx: Matrix;
  /** dL/dW_h, H×3H. */
  readonly dWh: Matrix;
  /** dL/db_x, 1×3H. */
  readonly dbx: Matrix;
  /** dL/db_h, 1×3H. */
  readonly dbh: Matrix;
}

/** What {@link gruBackward} needs: the cache of every step, t = 1…T in order. */
export interface GruCache {
  /** The step caches, t = 1…T in order. */
  readonly steps: readonly GruStepCache[];
  /**
   * Checksums of the caller's arrays this cache refers to (x, the initial
   * state, the weights), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Gradients of a sequence, the weights' summed over t. */
export interface GruGrads {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/dh_0, N×H. */
  readonly dh0: Matrix;
  /** Σ_t dL/dW_x, D×3H. */
  readonly dWx: Matrix;
  /** Σ_t dL/dW_h, H×3H. */
  readonly dWh: Matrix;
  /** Σ_t dL/db_x, 1×3H. */
  readonly dbx: Matrix;
  /** Σ_t dL/db_h, 1×3H. */
  readonly dbh: Matrix;
}

/**
 * X = x_t·W_x + b_x, Y = h_{t−1}·W_h + b_h; r = σ(X_r + Y_r), z = σ(X_z + Y_z),
 * n = tanh(X_n + r ⊙ Y_n); h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}: one step forward.
 */
export function gruStepForward(
  x: Matrix,
  hPrev: Matrix,
  p: GruParams,
): {
  /** h_t, N×H. */
  h: Matrix;
  /** What {@link gruStepBackward} needs. */
  cache: GruStepCache;
} {
  const fn = 'gruStepForward';
  const { x: xm, hPrev: hm, params, N, H } = checkStepInputs(fn, x, hPrev, p, checkGruParams);
  checkMemory(fn, { N, D: xm.cols, H }, { h: N * H, cache: 4 * N * H, scratch: 6 * N * H });
  const X = affine(xm, params.Wx, params.bx); // X = x_t·W_x + b_x
  const Y = affine(hm, params.Wh, params.bh); // Y = h_{t−1}·W_h + b_h
  const zeros = (): Matrix => Matrix.zeros(N, H);
  const [r, z, n, hn, h] = [zeros(), zeros(), zeros(), zeros(), zeros()];
  // b runs over the batch here: n is the candidate.
  for (let b = 0; b < N; b++) {
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      r.data[k] = sigma(X.get(b, j) + Y.get(b, j));
      z.data[k] = sigma(X.get(b, H + j) + Y.get(b, H + j));
      hn.data[k] = Y.get(b, 2 * H + j);
      n.data[k] = Math.tanh(X.get(b, 2 * H + j) + r.get(b, j) * hn.get(b, j));
      h.data[k] = (1 - z.get(b, j)) * n.get(b, j) + z.get(b, j) * hm.get(b, j); // h_t
    }
  }
  const stamp = stampInputs(fn, { x: xm, hPrev: hm }); // checked by the backward
  return { h, cache: { x: xm, hPrev: hm, r, z, n, hn, params, stamp } };
}

/**
 * dn = dh_t ⊙ (1 − z), dz = dh_t ⊙ (h_{t−1} − n); dA_n = dn ⊙ (1 − n²),
 * dA_r = dA_n ⊙ hn ⊙ r(1 − r), dA_z = dz ⊙ z(1 − z); dX = [dA_r | dA_z | dA_n],
 * dY = [dA_r | dA_z | dA_n ⊙ r]; dW_x = x_tᵀ·dX, db_x = e_Nᵀ·dX, dx_t = dX·W_xᵀ,
 * dW_h = h_{t−1}ᵀ·dY, db_h = e_Nᵀ·dY, dh_{t−1} = dh_t ⊙ z + dY·W_hᵀ.
 */
export function gruStepBackward(dh: Matrix, cache: GruStepCache): GruStepGrads {
  const fn = 'gruStepBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const s = checkStepCache(fn, 'cache', cache);
  checkStamp(fn, cache);
  const [N, H] = [s.hPrev.rows, s.hPrev.cols];
  const dhm = expectUpstream(fn, 'dh', dh, 'h', N, H);
  checkMemory(fn, { N, D: s.x.cols, H }, { grads: cellGrads(N, 1, s.x.cols, H, 3, 1, 2), scratch: 8 * N * H });
  const [dX, dY, dhDirect] = [Matrix.zeros(N, 3 * H), Matrix.zeros(N, 3 * H), Matrix.zeros(N, H)];
  for (let b = 0; b < N; b++) {
    for (let j = 0; j < H; j++) {
      const [r, z, n, dht] = [s.r.get(b, j), s.z.get(b, j), s.n.get(b, j), dhm.get(b, j)];
      const dAn = dht * (1 - z) * (1 - n * n); // dA_n = dn ⊙ tanh'
      const dAr = dAn * s.hn.get(b, j) * r * (1 - r); // dA_r = (dA_n ⊙ hn) ⊙ σ'
      const dAz = dht * (s.hPrev.get(b, j) - n) * z * (1 - z); // dA_z = dz ⊙ σ'
      const a = b * 3 * H + j;
      [dX.data[a], dX.data[a + H], dX.data[a + 2 * H]] = [dAr, dAz, dAn];
      [dY.data[a], dY.data[a + H], dY.data[a + 2 * H]] = [dAr, dAz, dAn * r]; // r multiplies hn
      dhDirect.data[b * H + j] = dht * z; // the direct path through z ⊙ h_{t−1}
    }
  }
  return {
    dx: matmulTransB(dX, s.params.Wx), // dx_t = dX·W_xᵀ
    dhPrev: add(dhDirect, matmulTransB(dY, s.params.Wh)), // dh_{t−1} = dh_t ⊙ z + dY·W_hᵀ
    dWx: matmulTransA(s.x, dX), // dW_x = x_tᵀ·dX
    dWh: matmulTransA(s.hPrev, dY), // dW_h = h_{t−1}ᵀ·dY
    dbx: colSum(dX), // db_x = e_Nᵀ·dX
    dbh: colSum(dY), // db_h = e_Nᵀ·dY
  };
}

/** h_t = step(x_t, h_{t−1}) for t = 1…T from h_0: the step forward in a loop (→ every h_t, N×T×H). */
export function gruForward(
  x: Tensor3,
  h0: Matrix,
  p: GruParams,
): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** What {@link gruBackward} needs. */
  cache: GruCache;
} {
  const fn = 'gruForward';
  const { x: xs, h0: h0m, params, N, T, H } = checkSequenceInputs(fn, x, h0, p, checkGruParams);
  checkMemory(fn, { N, T, D: xs.dims[2], H }, { h: N * T * H, cache: xs.data.length + 6 * N * T * H });
  const h = Tensor3.zeros(N, T, H);
  const steps: GruStepCache[] = [];
  let hPrev = h0m;
  for (let t = 0; t < T; t++) {
    const step = gruStepForward(xs.step(t), hPrev, params);
    setStep(h, t, step.h);
    steps.push(step.cache);
    hPrev = step.h;
  }
  const stamp = stampInputs(fn, { x: xs, h0: h0m }, params); // checked by the backward
  return { h, cache: { steps, stamp } };
}

/**
 * Backpropagation through time: for t = T…1, the step backward of dh_t plus
 * the gradient carried back from step t+1; the weight gradients are summed
 * over t, and what step 1 carries out is dh_0.
 */
export function gruBackward(dh: Tensor3, cache: GruCache): GruGrads {
  const fn = 'gruBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const { steps, N, T, D, H } = checkCache(fn, cache);
  const dhs = expectUpstreamSeq(fn, 'dh', dh, 'h', N, T, H);
  checkStamp(fn, cache);
  checkMemory(fn, { N, T, D, H }, { grads: cellGrads(N, T, D, H, 3, 1, 2), scratch: 3 * cellGrads(N, 1, D, H, 3, 4) });
  const dx = Tensor3.zeros(N, T, D);
  let [carried, dWx, dWh] = [Matrix.zeros(N, H), Matrix.zeros(D, 3 * H), Matrix.zeros(H, 3 * H)];
  let [dbx, dbh] = [Matrix.zeros(1, 3 * H), Matrix.zeros(1, 3 * H)];
  for (let t = T - 1; t >= 0; t--) {
    const g = gruStepBackward(add(dhs.step(t), carried), steps[t] as GruStepCache); // upstream + carried
    setStep(dx, t, g.dx);
    [carried, dWx, dWh, dbx, dbh] = [g.dhPrev, add(dWx, g.dWx), add(dWh, g.dWh), add(dbx, g.dbx), add(dbh, g.dbh)];
  }
  return { dx, dh0: carried, dWx, dWh, dbx, dbh };
}

/** Checks a step cache (`name` is `cache` or `cache.steps[t]`); N, H, D come from its own x and hPrev. */
function checkStepCache(fn: string, name: string, cache: unknown): GruStepCache {
  const r = expectRecord(fn, name, cache, 'the cache returned by gruStepForward');
  if (name === 'cache') expectCacheOfPath(fn, r, 'gruStepForward', 'reference');
  const x = asMatrix(fn, `${name}.x`, r.x);
  const hPrev = asMatrix(fn, `${name}.hPrev`, r.hPrev);
  const [N, H] = [dim('N', x.rows, `${name}.x`), dim('H', hPrev.cols, `${name}.hPrev`)];
  const nh = (field: string): Matrix => expectShape(fn, `${name}.${field}`, r[field], N, H);
  nh('hPrev');
  const params = checkGruParams(fn, r.params, dim('D', x.cols, `${name}.x`), H, `${name}.params`);
  return { x, hPrev, r: nh('r'), z: nh('z'), n: nh('n'), hn: nh('hn'), params };
}

/** Checks a sequence cache: a non-empty list of step caches, all of step 0's shapes. */
function checkCache(fn: string, cache: unknown): Steps<GruStepCache> {
  const steps = stepsOf(fn, cache, 'gruForward').map((s, t) => checkStepCache(fn, `cache.steps[${t}]`, s));
  const { x, hPrev } = steps[0] as GruStepCache;
  for (const [t, s] of steps.entries()) {
    expectMatrix(fn, `cache.steps[${t}].x`, s.x, x.rows, x.cols, 'N×D, the shape of step 0');
    expectMatrix(fn, `cache.steps[${t}].hPrev`, s.hPrev, hPrev.rows, hPrev.cols, 'N×H, the shape of step 0');
  }
  return { steps, N: x.rows, T: steps.length, D: x.cols, H: hPrev.cols };
}
