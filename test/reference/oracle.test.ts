/**
 * Both paths against the independent mathjs witnesses (test/helpers/oracle.ts,
 * test/gru/oracle.ts), every forward output and every gradient to 1e-12: the
 * reference is held to the same oracle as the fast kernels.
 */
import * as gruOracle from '../gru/oracle';
import { CELL_DESCRIPTORS, fastDefs, makeUpstream, referenceDefs } from '../helpers/kernels';
import type { Arr, KernelDef, Named, Shape } from '../helpers/kernels';
import { rng } from '../helpers/numeric';
import * as oracle from '../helpers/oracle';
import { Matrix, Tensor3 } from '../../src/index';

type Result = Record<string, Arr | oracle.math.Matrix>;
const M = (v: Arr | undefined): Matrix => v as Matrix;
const T3 = (v: Arr | undefined): Tensor3 => v as Tensor3;
const toM = oracle.toM;
const mparams = (inp: Named) => ({ Wx: toM(M(inp.Wx)), Wh: toM(M(inp.Wh)), b: toM(M(inp.b)) });

/** What the oracle says each kernel returns, forward outputs and gradients, for inputs `i` and upstream `u`. */
const ORACLES: Record<string, (i: Named, u: Named) => Result> = {
  'rnn-step': (i, u) => {
    const h = oracle.rnnStepOracle(toM(M(i.x)), toM(M(i.hPrev)), mparams(i));
    return { h, ...oracle.rnnStepBackOracle(toM(M(u.h)), toM(M(i.x)), toM(M(i.hPrev)), h, mparams(i)) };
  },
  rnn: (i, u) => oracle.rnnSequenceOracle(T3(i.x), M(i.h0), mparams(i), T3(u.h)),
  'lstm-step': (i, u) => {
    const [x, hPrev, cPrev] = [toM(M(i.x)), toM(M(i.hPrev)), toM(M(i.cPrev))];
    const { h, c } = oracle.lstmStepOracle(x, hPrev, cPrev, mparams(i));
    return { h, c, ...oracle.lstmStepBackOracle(toM(M(u.h)), toM(M(u.c)), x, hPrev, cPrev, mparams(i)) };
  },
  lstm: (i, u) => oracle.lstmSequenceOracle(T3(i.x), M(i.h0), M(i.c0), mparams(i), T3(u.h), M(u.c)),
  'gru-step': (i, u) => {
    const op = gruOracle.oracleParams(gruParams(i));
    const [x, hPrev] = [toM(M(i.x)), toM(M(i.hPrev))];
    return { h: gruOracle.gruStepOracle(x, hPrev, op).h, ...gruOracle.gruStepBackOracle(toM(M(u.h)), x, hPrev, op) };
  },
  gru: (i, u) => gruOracle.gruSequenceOracle(T3(i.x), M(i.h0), gruOracle.oracleParams(gruParams(i)), T3(u.h)) as Result,
};
function gruParams(i: Named) {
  return { Wx: M(i.Wx), Wh: M(i.Wh), bx: M(i.bx), bh: M(i.bh) };
}

const flat = (v: Arr | oracle.math.Matrix): number[] =>
  v instanceof Matrix || v instanceof Tensor3 ? Array.from(v.data) : ((v.toArray() as number[][]).flat() as number[]);

/** Largest |a − b| / max(1, |b|) over every value the kernel returns (absolute near 0, relative for large values). */
function worstAgainstOracle(def: KernelDef, kernel: string, shape: Shape): number {
  const r = rng(17 + shape.N + shape.T + shape.D + shape.H);
  const inp = def.makeInputs(shape, r);
  const up = makeUpstream(def, inp, r);
  const got: Named = { ...def.forward(inp), ...def.backward(inp, up) };
  const want = (ORACLES[kernel] as (i: Named, u: Named) => Result)(inp, up);
  expect(Object.keys(want).sort()).toEqual(Object.keys(got).sort());
  let worst = 0;
  for (const k of Object.keys(got)) {
    const [a, b] = [flat(got[k] as Arr), flat(want[k] as Arr)];
    expect(a.length).toBe(b.length);
    for (let n = 0; n < a.length; n++) {
      worst = Math.max(worst, Math.abs((a[n] as number) - (b[n] as number)) / Math.max(1, Math.abs(b[n] as number)));
    }
  }
  return worst;
}

const shapes = [
  { N: 3, T: 5, D: 10, H: 4 },
  { N: 1, T: 1, D: 1, H: 1 },
  { N: 2, T: 3, D: 7, H: 5 },
];
const cases = CELL_DESCRIPTORS.flatMap((cell) => {
  const [refStep, refSeq] = referenceDefs(cell);
  const [fastStep, fastSeq] = fastDefs(cell);
  return [
    { kernel: `${cell.name}-step`, path: 'reference', def: refStep },
    { kernel: cell.name, path: 'reference', def: refSeq },
    { kernel: `${cell.name}-step`, path: 'fast', def: fastStep },
    { kernel: cell.name, path: 'fast', def: fastSeq },
  ];
});

describe('both paths agree with the mathjs oracle to 1e-12', () => {
  test('every built-in kernel has an oracle', () => {
    expect(cases.map((c) => c.kernel).every((k) => k in ORACLES)).toBe(true);
  });
  describe.each(cases)('$kernel ($path)', ({ kernel, def }) => {
    test.each(shapes)('N=$N T=$T D=$D H=$H', (shape) => {
      expect(worstAgainstOracle(def, kernel, shape)).toBeLessThan(1e-12);
    });
  });
});
