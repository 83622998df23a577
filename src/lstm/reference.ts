/**
 * The LSTM written as its derivation: the reference that src/lstm/step.ts and
 * src/lstm/sequence.ts must equal to 1e-12. Read it beside docs/lstm.md; the
 * same names, arguments, results and errors as the fast functions, from
 * `handgrad/reference`. Gate blocks in LSTM_GATE_ORDER: f | i | g | o.
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
  expectState,
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
import { checkLstmParams, type LstmParams } from './params.js';
import { cellGrads, checkMemory } from '../linalg/budget.js';

/** What {@link lstmStepBackward} needs from the forward step. */
export interface LstmStepCache {
  /** x_t, N×D. */
  readonly x: Matrix;
  /** h_{t−1}, N×H. */
  readonly hPrev: Matrix;
  /** c_{t−1}, N×H. */
  readonly cPrev: Matrix;
  /** The forget gate f = σ(A_f), N×H. */
  readonly f: Matrix;
  /** The input gate i = σ(A_i), N×H. */
  readonly i: Matrix;
  /** The candidate g = tanh(A_g), N×H. */
  readonly g: Matrix;
  /** The output gate o = σ(A_o), N×H. */
  readonly o: Matrix;
  /** c_t, N×H. */
  readonly c: Matrix;
  /** The weights used. */
  readonly params: LstmParams;
  /**
   * Checksums of x and the state this cache refers to, taken by the forward:
   * the backward throws a StaleCacheError naming the one edited in place
   * since. Not of the weights, which would cost a step 30–100% more (the
   * sequence caches do check theirs).
   */
  readonly stamp?: InputStamp;
}

/** Gradients of one step. */
export interface LstmStepGrads {
  /** dL/dx_t, N×D. */
  readonly dx: Matrix;
  /** dL/dh_{t−1}, N×H. */
  readonly dhPrev: Matrix;
  /** dL/dc_{t−1}, N×H. */
  readonly dcPrev: Matrix;
  /** dL/dW_x, D×4H. */
  readonly dWx: Matrix;
  /** dL/dW_h, H×4H. */
  readonly dWh: Matrix;
  /** dL/db, 1×4H. */
  readonly db: Matrix;
}

/** What {@link lstmBackward} needs: the cache of every step, t = 1…T in order. */
export interface LstmCache {
  /** The step caches, t = 1…T in order. */
  readonly steps: readonly LstmStepCache[];
  /**
   * Checksums of the caller's arrays this cache refers to (x, the initial
   * state, the weights), taken by the forward: the backward throws a
   * StaleCacheError naming the one that was edited in place since.
   */
  readonly stamp?: InputStamp;
}

/** Gradients of a sequence, the weights' summed over t. */
export interface LstmGrads {
  /** dL/dx_t for every t, N×T×D. */
  readonly dx: Tensor3;
  /** dL/dh_0, N×H. */
  readonly dh0: Matrix;
  /** dL/dc_0, N×H. */
  readonly dc0: Matrix;
  /** Σ_t dL/dW_x, D×4H. */
  readonly dWx: Matrix;
  /** Σ_t dL/dW_h, H×4H. */
  readonly dWh: Matrix;
  /** Σ_t dL/db, 1×4H. */
  readonly db: Matrix;
}

/**
 * A = h_{t−1}·W_h + x_t·W_x + b; f, i, o = σ(A_f, A_i, A_o), g = tanh(A_g);
 * c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ tanh(c_t): one step forward.
 */
export function lstmStepForward(
  x: Matrix,
  hPrev: Matrix,
  cPrev: Matrix,
  p: LstmParams,
): {
  /** h_t, N×H. */
  h: Matrix;
  /** c_t, N×H. */
  c: Matrix;
  /** What {@link lstmStepBackward} needs. */
  cache: LstmStepCache;
} {
  const fn = 'lstmStepForward';
  const { x: xm, hPrev: hm, params, N, H } = checkStepInputs(fn, x, hPrev, p, checkLstmParams);
  const cm = expectState(fn, 'cPrev', cPrev, N, H);
  checkMemory(fn, { N, D: xm.cols, H }, { 'h, c': 2 * N * H, cache: 5 * N * H, scratch: 12 * N * H });
  const A = add(affine(xm, params.Wx, params.b), affine(hm, params.Wh)); // A = x_t·W_x + b + h_{t−1}·W_h
  const zeros = (): Matrix => Matrix.zeros(N, H);
  const [f, i, g, o, c, h] = [zeros(), zeros(), zeros(), zeros(), zeros(), zeros()];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const k = n * H + j;
      f.data[k] = sigma(A.get(n, j));
      i.data[k] = sigma(A.get(n, H + j));
      g.data[k] = Math.tanh(A.get(n, 2 * H + j));
      o.data[k] = sigma(A.get(n, 3 * H + j));
      c.data[k] = f.get(n, j) * cm.get(n, j) + i.get(n, j) * g.get(n, j); // c_t = f ⊙ c_{t−1} + i ⊙ g
      h.data[k] = o.get(n, j) * Math.tanh(c.get(n, j)); // h_t = o ⊙ tanh(c_t)
    }
  }
  const stamp = stampInputs(fn, { x: xm, hPrev: hm, cPrev: cm }); // checked by the backward
  return { h, c: c.clone(), cache: { x: xm, hPrev: hm, cPrev: cm, f, i, g, o, c, params, stamp } };
}

/**
 * dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh²(c_t)), dc_{t−1} = dc_t ⊙ f;
 * dA = [dc_t ⊙ c_{t−1} ⊙ f(1−f) | dc_t ⊙ g ⊙ i(1−i) | dc_t ⊙ i ⊙ (1−g²) | dh_t ⊙ tanh(c_t) ⊙ o(1−o)];
 * then dW_x = x_tᵀ·dA, dW_h = h_{t−1}ᵀ·dA, db = e_Nᵀ·dA, dx_t = dA·W_xᵀ, dh_{t−1} = dA·W_hᵀ.
 */
export function lstmStepBackward(dh: Matrix, dcNext: Matrix, cache: LstmStepCache): LstmStepGrads {
  const fn = 'lstmStepBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const s = checkStepCache(fn, 'cache', cache);
  checkStamp(fn, cache);
  const [N, H] = [s.c.rows, s.c.cols];
  const dhm = expectUpstream(fn, 'dh', dh, 'h', N, H);
  const dcm = expectUpstream(fn, 'dcNext', dcNext, 'c', N, H);
  checkMemory(fn, { N, D: s.x.cols, H }, { grads: cellGrads(N, 1, s.x.cols, H, 4, 2), scratch: 4 * N * H });
  const [dA, dcPrev] = [Matrix.zeros(N, 4 * H), Matrix.zeros(N, H)];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const [f, i, g, o, tc] = [s.f.get(n, j), s.i.get(n, j), s.g.get(n, j), s.o.get(n, j), Math.tanh(s.c.get(n, j))];
      const dc = dcm.get(n, j) + dhm.get(n, j) * o * (1 - tc * tc); // dc_t = dc_next + dh_t ⊙ o ⊙ tanh'(c_t)
      dcPrev.data[n * H + j] = dc * f; // dc_{t−1} = dc_t ⊙ f
      const a = n * 4 * H + j;
      dA.data[a] = dc * s.cPrev.get(n, j) * f * (1 - f); // dA_f = df ⊙ σ'
      dA.data[a + H] = dc * g * i * (1 - i); // dA_i = di ⊙ σ'
      dA.data[a + 2 * H] = dc * i * (1 - g * g); // dA_g = dg ⊙ tanh'
      dA.data[a + 3 * H] = dhm.get(n, j) * tc * o * (1 - o); // dA_o = do ⊙ σ'
    }
  }
  return {
    dx: matmulTransB(dA, s.params.Wx), // dx_t = dA·W_xᵀ
    dhPrev: matmulTransB(dA, s.params.Wh), // dh_{t−1} = dA·W_hᵀ
    dcPrev,
    dWx: matmulTransA(s.x, dA), // dW_x = x_tᵀ·dA
    dWh: matmulTransA(s.hPrev, dA), // dW_h = h_{t−1}ᵀ·dA
    db: colSum(dA), // db = e_Nᵀ·dA
  };
}

/**
 * (h_t, c_t) = step(x_t, h_{t−1}, c_{t−1}) for t = 1…T from (h_0, c_0), c_0
 * zeros when omitted: the step forward in a loop (→ every h_t, N×T×H, and c_T).
 */
export function lstmForward(
  x: Tensor3,
  h0: Matrix,
  p: LstmParams,
  c0?: Matrix,
): {
  /** Every h_t, N×T×H. */
  h: Tensor3;
  /** The last cell state c_T, N×H. */
  c: Matrix;
  /** What {@link lstmBackward} needs. */
  cache: LstmCache;
} {
  const fn = 'lstmForward';
  const { x: xs, h0: h0m, params, N, T, H } = checkSequenceInputs(fn, x, h0, p, checkLstmParams);
  checkMemory(fn, { N, T, D: xs.dims[2], H }, { 'h, c': N * T * H + N * H, cache: xs.data.length + 7 * N * T * H });
  const c0m = c0 === undefined ? Matrix.zeros(N, H) : expectState(fn, 'c0', c0, N, H);
  const h = Tensor3.zeros(N, T, H);
  const steps: LstmStepCache[] = [];
  let [hPrev, cPrev] = [h0m, c0m];
  for (let t = 0; t < T; t++) {
    const step = lstmStepForward(xs.step(t), hPrev, cPrev, params);
    setStep(h, t, step.h);
    steps.push(step.cache);
    [hPrev, cPrev] = [step.h, step.c];
  }
  const stamp = stampInputs(fn, { x: xs, h0: h0m, c0: c0m }, params); // checked by the backward
  return { h, c: cPrev.clone(), cache: { steps, stamp } };
}

/**
 * Backpropagation through time with two carried gradients: for t = T…1, the
 * step backward of dh_t plus the dh carried from step t+1, and the carried
 * dc (dc_T given, zeros when omitted); what step 1 carries out is dh_0, dc_0.
 */
export function lstmBackward(dh: Tensor3, cache: LstmCache, dcT?: Matrix): LstmGrads {
  const fn = 'lstmBackward';
  expectLiveStamp(fn, cache); // before the cache is read: a detached x or h0 is named as such
  const { steps, N, T, D, H } = checkCache(fn, cache);
  const dhs = expectUpstreamSeq(fn, 'dh', dh, 'h', N, T, H);
  const dcGiven = dcT === undefined ? undefined : expectUpstream(fn, 'dcT', dcT, 'c', N, H);
  checkStamp(fn, cache);
  checkMemory(fn, { N, T, D, H }, { grads: cellGrads(N, T, D, H, 4, 2), scratch: 2 * cellGrads(N, 1, D, H, 4, 4) });
  let dc = dcGiven ?? Matrix.zeros(N, H); // allocated after the memory check
  const dx = Tensor3.zeros(N, T, D);
  let [carried, dWx, dWh] = [Matrix.zeros(N, H), Matrix.zeros(D, 4 * H), Matrix.zeros(H, 4 * H)];
  let db = Matrix.zeros(1, 4 * H);
  for (let t = T - 1; t >= 0; t--) {
    const g = lstmStepBackward(add(dhs.step(t), carried), dc, steps[t] as LstmStepCache); // upstream + carried
    setStep(dx, t, g.dx);
    [carried, dc, dWx, dWh, db] = [g.dhPrev, g.dcPrev, add(dWx, g.dWx), add(dWh, g.dWh), add(db, g.db)];
  }
  return { dx, dh0: carried, dc0: dc, dWx, dWh, db };
}

/** Checks a step cache (`name` is `cache` or `cache.steps[t]`); N, H, D come from its own x and c. */
function checkStepCache(fn: string, name: string, cache: unknown): LstmStepCache {
  const r = expectRecord(fn, name, cache, 'the cache returned by lstmStepForward');
  if (name === 'cache') expectCacheOfPath(fn, r, 'lstmStepForward', 'reference');
  const x = asMatrix(fn, `${name}.x`, r.x);
  const c = asMatrix(fn, `${name}.c`, r.c);
  const [N, H] = [dim('N', x.rows, `${name}.x`), dim('H', c.cols, `${name}.c`)];
  const nh = (field: string): Matrix => expectShape(fn, `${name}.${field}`, r[field], N, H);
  const [hPrev, cPrev, f, i, g, o] = [nh('hPrev'), nh('cPrev'), nh('f'), nh('i'), nh('g'), nh('o')];
  const params = checkLstmParams(fn, r.params, dim('D', x.cols, `${name}.x`), H, `${name}.params`);
  return { x, hPrev, cPrev, f, i, g, o, c: nh('c'), params };
}

/** Checks a sequence cache: a non-empty list of step caches, all of step 0's shapes. */
function checkCache(fn: string, cache: unknown): Steps<LstmStepCache> {
  const steps = stepsOf(fn, cache, 'lstmForward').map((s, t) => checkStepCache(fn, `cache.steps[${t}]`, s));
  const { x, c } = steps[0] as LstmStepCache;
  for (const [t, s] of steps.entries()) {
    expectMatrix(fn, `cache.steps[${t}].x`, s.x, x.rows, x.cols, 'N×D, the shape of step 0');
    expectMatrix(fn, `cache.steps[${t}].c`, s.c, c.rows, c.cols, 'N×H, the shape of step 0');
  }
  return { steps, N: x.rows, T: steps.length, D: x.cols, H: c.cols };
}
