/**
 * An independent witness: the formulas of shared/design/math.md written
 * literally with mathjs matrices (no views, no fused loops, no code shared
 * with src/). The kernels must agree with it to 1e-12.
 */
import * as math from 'mathjs';
import { Matrix, Tensor3 } from '../../src/index';

type M = math.Matrix;

export const toM = (m: Matrix): M => math.matrix(m.toArray());
export const fromM = (m: M): Matrix => Matrix.from(m.toArray() as number[][]);
const ones = (n: number): M => math.ones(n, 1) as M;
const cols = (A: M, from: number, to: number): M => {
  const rows = A.size()[0] as number;
  return math.subset(A, math.index(math.range(0, rows), math.range(from, to))) as M;
};
const sigm = (A: M): M => math.map(A, (z: number) => 1 / (1 + Math.exp(-z))) as M;
const tanh = (A: M): M => math.map(A, (z: number) => Math.tanh(z)) as M;
const mul = (A: M, B: M): M => math.multiply(A, B) as M;
const had = (A: M, B: M): M => math.dotMultiply(A, B) as M;
const add = (...xs: M[]): M => xs.reduce((s, x) => math.add(s, x) as M);
const oneMinus = (A: M): M => math.subtract(1, A) as M;
const T = (A: M): M => math.transpose(A);

export interface OracleRnnParams {
  Wx: M;
  Wh: M;
  b: M;
}

/** u = h_{t−1} W_h + x_t W_x + e_N b; h = tanh(u). */
export function rnnStepOracle(x: M, hPrev: M, p: OracleRnnParams): M {
  const N = x.size()[0] as number;
  return tanh(add(mul(hPrev, p.Wh), mul(x, p.Wx), mul(ones(N), p.b)));
}

export function rnnStepBackOracle(dh: M, x: M, hPrev: M, h: M, p: OracleRnnParams) {
  const N = x.size()[0] as number;
  const du = had(dh, oneMinus(had(h, h)));
  return {
    dWh: mul(T(hPrev), du),
    dhPrev: mul(du, T(p.Wh)),
    dWx: mul(T(x), du),
    dx: mul(du, T(p.Wx)),
    db: mul(T(ones(N)), du),
  };
}

/** LSTM step in gate order f | i | g | o. */
export function lstmStepOracle(x: M, hPrev: M, cPrev: M, p: OracleRnnParams) {
  const N = x.size()[0] as number;
  const H = hPrev.size()[1] as number;
  const A = add(mul(hPrev, p.Wh), mul(x, p.Wx), mul(ones(N), p.b));
  const f = sigm(cols(A, 0, H));
  const i = sigm(cols(A, H, 2 * H));
  const g = tanh(cols(A, 2 * H, 3 * H));
  const o = sigm(cols(A, 3 * H, 4 * H));
  const c = add(had(f, cPrev), had(i, g));
  const h = had(o, tanh(c));
  return { h, c, f, i, g, o };
}

export function lstmStepBackOracle(dh: M, dcNext: M, x: M, hPrev: M, cPrev: M, p: OracleRnnParams) {
  const N = x.size()[0] as number;
  const { c, f, i, g, o } = lstmStepOracle(x, hPrev, cPrev, p);
  const tc = tanh(c);
  const dO = had(dh, tc);
  const dtanhc = had(dh, o);
  const dc = add(dcNext, had(dtanhc, oneMinus(had(tc, tc))));
  const dcPrev = had(dc, f);
  const df = had(dc, cPrev);
  const di = had(dc, g);
  const dg = had(dc, i);
  const dAf = had(df, had(f, oneMinus(f)));
  const dAi = had(di, had(i, oneMinus(i)));
  const dAg = had(dg, oneMinus(had(g, g)));
  const dAo = had(dO, had(o, oneMinus(o)));
  const dA = math.concat(dAf, dAi, dAg, dAo, 1) as M;
  return {
    dx: mul(dA, T(p.Wx)),
    dhPrev: mul(dA, T(p.Wh)),
    dcPrev,
    dWx: mul(T(x), dA),
    dWh: mul(T(hPrev), dA),
    db: mul(T(ones(N)), dA),
  };
}

export const stepOf = (x: Tensor3, t: number): M => toM(x.step(t));

/** Stacks T matrices (each N×K) into an N×T×K Tensor3. */
export function stackTime(ms: M[]): Tensor3 {
  const arrs = ms.map((m) => m.toArray() as number[][]);
  const N = arrs[0]!.length;
  return Tensor3.from(Array.from({ length: N }, (_, n) => arrs.map((a) => a[n]!)));
}

/** The RNN over a sequence: the oracle step in a loop, then BPTT written out with mathjs. */
export function rnnSequenceOracle(x: Tensor3, h0: Matrix, p: OracleRnnParams, dh: Tensor3) {
  const steps = x.dims[1];
  const hs: M[] = [toM(h0)];
  for (let t = 0; t < steps; t++) hs.push(rnnStepOracle(stepOf(x, t), hs[t]!, p));
  let carried = math.zeros(toM(h0).size()) as M;
  let [dWx, dWh, db] = [p.Wx, p.Wh, p.b].map((w) => math.zeros(w.size()) as M) as [M, M, M];
  const dxs: M[] = [];
  for (let t = steps - 1; t >= 0; t--) {
    const o = rnnStepBackOracle(add(stepOf(dh, t), carried), stepOf(x, t), hs[t]!, hs[t + 1]!, p);
    dxs[t] = o.dx;
    carried = o.dhPrev;
    [dWx, dWh, db] = [add(dWx, o.dWx), add(dWh, o.dWh), add(db, o.db)];
  }
  return { h: stackTime(hs.slice(1)), dx: stackTime(dxs), dh0: carried, dWx, dWh, db };
}

/** The LSTM over a sequence: the oracle step in a loop, then BPTT with both carried gradients. */
export function lstmSequenceOracle(x: Tensor3, h0: Matrix, c0: Matrix, p: OracleRnnParams, dh: Tensor3, dcT: Matrix) {
  const steps = x.dims[1];
  const hs: M[] = [toM(h0)];
  const cs: M[] = [toM(c0)];
  for (let t = 0; t < steps; t++) {
    const o = lstmStepOracle(stepOf(x, t), hs[t]!, cs[t]!, p);
    hs.push(o.h);
    cs.push(o.c);
  }
  let carried = math.zeros(toM(h0).size()) as M;
  let dc = toM(dcT);
  let [dWx, dWh, db] = [p.Wx, p.Wh, p.b].map((w) => math.zeros(w.size()) as M) as [M, M, M];
  const dxs: M[] = [];
  for (let t = steps - 1; t >= 0; t--) {
    const o = lstmStepBackOracle(add(stepOf(dh, t), carried), dc, stepOf(x, t), hs[t]!, cs[t]!, p);
    dxs[t] = o.dx;
    [carried, dc] = [o.dhPrev, o.dcPrev];
    [dWx, dWh, db] = [add(dWx, o.dWx), add(dWh, o.dWh), add(db, o.db)];
  }
  return { h: stackTime(hs.slice(1)), c: cs[steps]!, dx: stackTime(dxs), dh0: carried, dc0: dc, dWx, dWh, db };
}

export { math };
