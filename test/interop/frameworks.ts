/**
 * Each framework's recurrence written literally from its own documentation,
 * in its own layout and gate order, with mathjs — no code shared with
 * src/interop. PyTorch's docs write W·x for a column x; in the row-batch
 * form used here that is x·Wᵀ.
 *
 * PyTorch nn.LSTM:  i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(W_if x + b_if + W_hf h + b_hf)
 *                   g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
 *                   c' = f ⊙ c + i ⊙ g    h' = o ⊙ tanh(c')   weight_ih = [W_ii; W_if; W_ig; W_io]
 * PyTorch nn.GRU:   r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *                   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   h' = (1 − z) ⊙ n + z ⊙ h
 * PyTorch nn.RNN:   h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
 * cs231n:           a = x Wx + h Wh + b;  ai, af, ao, ag = the four H-column blocks of a
 *                   c' = σ(af) ⊙ c + σ(ai) ⊙ tanh(ag)    h' = σ(ao) ⊙ tanh(c')
 * Keras LSTMCell:   z = x·kernel + h·recurrent_kernel + bias;  z0, z1, z2, z3 = split(z, 4)
 *                   i = σ(z0)  f = σ(z1)  c' = f ⊙ c + i ⊙ tanh(z2)  o = σ(z3)  h' = o ⊙ tanh(c')
 */
import * as math from 'mathjs';
import type { Cs231nLstmWeights, KerasLstmWeights, TorchWeights } from '../../src/interop/index';
import { gaussian } from '../helpers/numeric';

type M = math.Matrix;
export type Rows = number[][];

const m = (a: Rows): M => math.matrix(a);
const rowVec = (v: number[]): M => math.matrix([v]);
const mul = (A: M, B: M): M => math.multiply(A, B) as M;
const had = (A: M, B: M): M => math.dotMultiply(A, B) as M;
const add = (...xs: M[]): M => xs.reduce((s, v) => math.add(s, v) as M);
const oneMinus = (A: M): M => math.subtract(1, A) as M;
const sigm = (A: M): M => math.map(A, (v: number) => 1 / (1 + Math.exp(-v))) as M;
const tanh = (A: M): M => math.map(A, (v: number) => Math.tanh(v)) as M;
const T = (A: M): M => math.transpose(A);
const nRows = (A: M): number => A.size()[0] as number;
const onesCol = (n: number): M => math.ones(n, 1) as M;
/** Rows [k·H, (k+1)·H) of a G·H×K matrix: gate block k of a PyTorch weight. */
const rowBlock = (W: M, k: number, H: number): M =>
  math.subset(W, math.index(math.range(k * H, (k + 1) * H), math.range(0, W.size()[1] as number))) as M;
/** Columns [k·H, (k+1)·H): gate block k of a cs231n / Keras weight. */
const colBlock = (W: M, k: number, H: number): M =>
  math.subset(W, math.index(math.range(0, nRows(W)), math.range(k * H, (k + 1) * H))) as M;
/** Entries [k·H, (k+1)·H) of a bias vector, broadcast over N rows. */
const biasBlock = (b: number[], k: number, H: number, N: number): M =>
  mul(onesCol(N), rowVec(b.slice(k * H, (k + 1) * H)));

/** x·W_kᵀ + b_k for gate block k of a PyTorch layer. */
function torchAffine(x: M, W: Rows, b: number[], k: number, H: number): M {
  return add(mul(x, T(rowBlock(m(W), k, H))), biasBlock(b, k, H, nRows(x)));
}

/** One PyTorch LSTM step (blocks i | f | g | o). */
export function torchLstmStep(w: TorchWeights, x: M, h: M, c: M): { h: M; c: M } {
  const H = w.weight_hh[0]!.length;
  const pre = (k: number) =>
    add(torchAffine(x, w.weight_ih, w.bias_ih, k, H), torchAffine(h, w.weight_hh, w.bias_hh, k, H));
  const i = sigm(pre(0));
  const f = sigm(pre(1));
  const g = tanh(pre(2));
  const o = sigm(pre(3));
  const cNext = add(had(f, c), had(i, g));
  return { h: had(o, tanh(cNext)), c: cNext };
}

/** One PyTorch GRU step (blocks r | z | n). */
export function torchGruStep(w: TorchWeights, x: M, h: M): M {
  const H = w.weight_hh[0]!.length;
  const r = sigm(add(torchAffine(x, w.weight_ih, w.bias_ih, 0, H), torchAffine(h, w.weight_hh, w.bias_hh, 0, H)));
  const z = sigm(add(torchAffine(x, w.weight_ih, w.bias_ih, 1, H), torchAffine(h, w.weight_hh, w.bias_hh, 1, H)));
  const n = tanh(
    add(torchAffine(x, w.weight_ih, w.bias_ih, 2, H), had(r, torchAffine(h, w.weight_hh, w.bias_hh, 2, H))),
  );
  return add(had(oneMinus(z), n), had(z, h));
}

/** One PyTorch tanh-RNN step. */
export function torchRnnStep(w: TorchWeights, x: M, h: M): M {
  const H = w.weight_hh[0]!.length;
  return tanh(add(torchAffine(x, w.weight_ih, w.bias_ih, 0, H), torchAffine(h, w.weight_hh, w.bias_hh, 0, H)));
}

/** One cs231n `lstm_step_forward` (blocks i | f | o | g). */
export function cs231nLstmStep(w: Cs231nLstmWeights, x: M, h: M, c: M): { h: M; c: M } {
  const H = w.Wh.length;
  const a = add(mul(x, m(w.Wx)), mul(h, m(w.Wh)), mul(onesCol(nRows(x)), rowVec(w.b)));
  const i = sigm(colBlock(a, 0, H));
  const f = sigm(colBlock(a, 1, H));
  const o = sigm(colBlock(a, 2, H));
  const g = tanh(colBlock(a, 3, H));
  const cNext = add(had(f, c), had(i, g));
  return { h: had(o, tanh(cNext)), c: cNext };
}

/** One Keras `LSTMCell.call` with the default activations (blocks i | f | c | o). */
export function kerasLstmStep(w: KerasLstmWeights, x: M, h: M, c: M): { h: M; c: M } {
  const H = w.recurrent_kernel.length;
  const z = add(mul(x, m(w.kernel)), mul(h, m(w.recurrent_kernel)), mul(onesCol(nRows(x)), rowVec(w.bias)));
  const i = sigm(colBlock(z, 0, H));
  const f = sigm(colBlock(z, 1, H));
  const cNext = add(had(f, c), had(i, tanh(colBlock(z, 2, H))));
  const o = sigm(colBlock(z, 3, H));
  return { h: had(o, tanh(cNext)), c: cNext };
}

/** A batch-first sequence x[n][t][d] as T mathjs N×D matrices. */
export function timeSteps(x: number[][][]): M[] {
  const steps = x[0]!.length;
  return Array.from({ length: steps }, (_, t) => m(x.map((xn) => xn[t]!)));
}

/** Per-step outputs (each N×H) back to h[n][t][j]. */
export function batchFirst(hs: M[]): number[][][] {
  const arrs = hs.map((h) => h.toArray() as Rows);
  return arrs[0]!.map((_, n) => arrs.map((a) => a[n]!));
}

/** Runs an LSTM-like step over a sequence from (h0, c0). */
export function runLstm(step: (x: M, h: M, c: M) => { h: M; c: M }, x: number[][][], h0: Rows, c0: Rows) {
  let h = m(h0);
  let c = m(c0);
  const hs: M[] = [];
  for (const xt of timeSteps(x)) {
    ({ h, c } = step(xt, h, c));
    hs.push(h);
  }
  return { h: batchFirst(hs), c: c.toArray() as Rows };
}

/** Runs a GRU- or RNN-like step over a sequence from h0. */
export function runPlain(step: (x: M, h: M) => M, x: number[][][], h0: Rows): number[][][] {
  let h = m(h0);
  const hs: M[] = [];
  for (const xt of timeSteps(x)) {
    h = step(xt, h);
    hs.push(h);
  }
  return batchFirst(hs);
}

/** Random plain-JSON arrays. */
export function randRows(rows: number, cols: number, rand: () => number, scale = 1): Rows {
  const g = gaussian(rand);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * g()));
}
export function randVec(n: number, rand: () => number, scale = 1): number[] {
  return randRows(1, n, rand, scale)[0]!;
}
export function randSeq(N: number, steps: number, D: number, rand: () => number): number[][][] {
  return Array.from({ length: N }, () => randRows(steps, D, rand));
}

/** A random PyTorch record with G gate blocks. */
export function randTorch(G: number, D: number, H: number, rand: () => number): TorchWeights {
  return {
    weight_ih: randRows(G * H, D, rand, 1 / Math.sqrt(D)),
    weight_hh: randRows(G * H, H, rand, 1 / Math.sqrt(H)),
    bias_ih: randVec(G * H, rand, 0.5),
    bias_hh: randVec(G * H, rand, 0.5),
  };
}

/** np.linspace(start, stop, num): start + k·step, the last value exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, k) => (k === num - 1 ? stop : start + k * step));
}

/** Row-major reshape of a flat list (numpy's `.reshape(rows, cols)`). */
export function reshape2(v: number[], rows: number, cols: number): Rows {
  return Array.from({ length: rows }, (_, i) => v.slice(i * cols, (i + 1) * cols));
}
export function reshape3(v: number[], a: number, b: number, c: number): number[][][] {
  return Array.from({ length: a }, (_, i) => reshape2(v.slice(i * b * c, (i + 1) * b * c), b, c));
}
