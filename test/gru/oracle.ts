/**
 * A literal mathjs GRU (the formulas of shared/design/math.md, "GRU
 * (PyTorch's formulation)"), sharing no code with src/gru: plain matrices,
 * explicit transposes, no views and no fused loops.
 */
import * as math from 'mathjs';
import { Matrix, Tensor3 } from '../../src/index';

export type M = math.Matrix;

export const toM = (m: Matrix): M => math.matrix(m.toArray());
export const fromM = (m: M): Matrix => Matrix.from(m.toArray() as number[][]);
const ones = (n: number): M => math.ones(n, 1) as M;
const rowsOf = (A: M): number => A.size()[0] as number;
const cols = (A: M, from: number, to: number): M =>
  math.subset(A, math.index(math.range(0, rowsOf(A)), math.range(from, to))) as M;
const sigm = (A: M): M => math.map(A, (v: number) => 1 / (1 + Math.exp(-v))) as M;
const tanh = (A: M): M => math.map(A, (v: number) => Math.tanh(v)) as M;
const mul = (A: M, B: M): M => math.multiply(A, B) as M;
const had = (A: M, B: M): M => math.dotMultiply(A, B) as M;
const add = (...xs: M[]): M => xs.reduce((s, v) => math.add(s, v) as M);
const sub = (A: M, B: M): M => math.subtract(A, B) as M;
const oneMinus = (A: M): M => math.subtract(1, A) as M;
const T = (A: M): M => math.transpose(A);

/** GRU weights as mathjs matrices, blocks r | z | n. */
export interface OracleGruParams {
  Wx: M;
  Wh: M;
  bx: M;
  bh: M;
}

export function oracleParams(p: { Wx: Matrix; Wh: Matrix; bx: Matrix; bh: Matrix }): OracleGruParams {
  return { Wx: toM(p.Wx), Wh: toM(p.Wh), bx: toM(p.bx), bh: toM(p.bh) };
}

/** r, z, n and h' of one step, each block of W and b taken by name. */
export function gruStepOracle(x: M, h: M, p: OracleGruParams) {
  const N = rowsOf(x);
  const H = h.size()[1] as number;
  const e = ones(N);
  const blk = (A: M, k: number): M => cols(A, k * H, (k + 1) * H);
  const r = sigm(add(mul(x, blk(p.Wx, 0)), mul(e, blk(p.bx, 0)), mul(h, blk(p.Wh, 0)), mul(e, blk(p.bh, 0))));
  const z = sigm(add(mul(x, blk(p.Wx, 1)), mul(e, blk(p.bx, 1)), mul(h, blk(p.Wh, 1)), mul(e, blk(p.bh, 1))));
  const hn = add(mul(h, blk(p.Wh, 2)), mul(e, blk(p.bh, 2)));
  const n = tanh(add(mul(x, blk(p.Wx, 2)), mul(e, blk(p.bx, 2)), had(r, hn)));
  const hNext = add(had(oneMinus(z), n), had(z, h));
  return { h: hNext, r, z, n, hn };
}

/** The backward of math.md, line by line. */
export function gruStepBackOracle(dhNext: M, x: M, h: M, p: OracleGruParams) {
  const N = rowsOf(x);
  const { r, z, n, hn } = gruStepOracle(x, h, p);
  const dn = had(dhNext, oneMinus(z));
  const dz = had(dhNext, sub(h, n));
  const dhDirect = had(dhNext, z);
  const dAn = had(dn, oneMinus(had(n, n)));
  const dhn = had(dAn, r);
  const dr = had(dAn, hn);
  const dAr = had(dr, had(r, oneMinus(r)));
  const dAz = had(dz, had(z, oneMinus(z)));
  const dX = math.concat(dAr, dAz, dAn, 1) as M;
  const dY = math.concat(dAr, dAz, dhn, 1) as M;
  return {
    dx: mul(dX, T(p.Wx)),
    dhPrev: add(dhDirect, mul(dY, T(p.Wh))),
    dWx: mul(T(x), dX),
    dWh: mul(T(h), dY),
    dbx: mul(T(ones(N)), dX),
    dbh: mul(T(ones(N)), dY),
  };
}

export const stepOf = (x: Tensor3, t: number): M => toM(x.step(t));

/** Stacks T matrices (each N×K) into an N×T×K Tensor3. */
export function stackTime(ms: M[]): Tensor3 {
  const arrs = ms.map((m) => m.toArray() as number[][]);
  const N = arrs[0]!.length;
  return Tensor3.from(Array.from({ length: N }, (_, n) => arrs.map((a) => a[n]!)));
}

/** The sequence: the oracle step in a loop, then BPTT written out with mathjs. */
export function gruSequenceOracle(x: Tensor3, h0: Matrix, params: OracleGruParams, dh?: Tensor3) {
  const steps = x.dims[1];
  const hs: M[] = [toM(h0)];
  for (let t = 0; t < steps; t++) hs.push(gruStepOracle(stepOf(x, t), hs[t]!, params).h);
  const h = stackTime(hs.slice(1));
  if (dh === undefined) return { h };
  let carried = math.zeros(toM(h0).size()) as M;
  let dWx = math.zeros(params.Wx.size()) as M;
  let dWh = math.zeros(params.Wh.size()) as M;
  let dbx = math.zeros(params.bx.size()) as M;
  let dbh = math.zeros(params.bh.size()) as M;
  const dxs: M[] = [];
  for (let t = steps - 1; t >= 0; t--) {
    const g = add(stepOf(dh, t), carried);
    const s = gruStepBackOracle(g, stepOf(x, t), hs[t]!, params);
    dxs[t] = s.dx;
    carried = s.dhPrev;
    dWx = add(dWx, s.dWx);
    dWh = add(dWh, s.dWh);
    dbx = add(dbx, s.dbx);
    dbh = add(dbh, s.dbh);
  }
  return { h, dx: stackTime(dxs), dh0: carried, dWx, dWh, dbx, dbh };
}

export { math };
