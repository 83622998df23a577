/**
 * from → to → from gives bit-identical params, for every layout, on fixed
 * cases and on arbitrary doubles (−0, subnormals, huge values included).
 */
import fc from 'fast-check';
import { Matrix } from '../../src/index';
import {
  gruParamsFromTorch,
  gruParamsToTorch,
  lstmParamsFromCs231n,
  lstmParamsFromKeras,
  lstmParamsFromTorch,
  lstmParamsToCs231n,
  lstmParamsToKeras,
  lstmParamsToTorch,
  rnnParamsFromTorch,
  rnnParamsToTorch,
} from '../../src/interop/index';
import { rng } from '../helpers/numeric';
import { randRows, randTorch, randVec } from './frameworks';

type Params = Record<string, Matrix>;

function sameBits(a: Params, b: Params): boolean {
  const keys = Object.keys(a).sort();
  if (keys.join() !== Object.keys(b).sort().join()) return false;
  return keys.every((k) => {
    const x = a[k]!;
    const y = b[k]!;
    return x.rows === y.rows && x.cols === y.cols && x.data.every((v, i) => Object.is(v, y.data[i]));
  });
}

const doubles = fc.double({ noNaN: true });
const rowsArb = (rows: number, cols: number) =>
  fc.array(fc.array(doubles, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows });
const vecArb = (n: number) => fc.array(doubles, { minLength: n, maxLength: n });
const dimsArb = fc.record({ D: fc.integer({ min: 1, max: 5 }), H: fc.integer({ min: 1, max: 4 }) });
const torchArb = (G: number) =>
  dimsArb.chain(({ D, H }) =>
    fc.record({
      weight_ih: rowsArb(G * H, D),
      weight_hh: rowsArb(G * H, H),
      bias_ih: vecArb(G * H),
      bias_hh: vecArb(G * H),
    }),
  );
const columnsArb = dimsArb.chain(({ D, H }) =>
  fc.record({ Wx: rowsArb(D, 4 * H), Wh: rowsArb(H, 4 * H), b: vecArb(4 * H) }),
);

describe('round trips are exact: from → to → from', () => {
  const r = rng(55);
  const [D, H] = [5, 3];

  test('PyTorch LSTM (b merged; to puts b in bias_ih and zeros in bias_hh)', () => {
    const p = lstmParamsFromTorch(randTorch(4, D, H, r));
    const t = lstmParamsToTorch(p);
    expect(t.bias_hh).toEqual(Array(4 * H).fill(0));
    expect(sameBits(lstmParamsFromTorch(t) as never, p as never)).toBe(true);
  });
  test('PyTorch GRU (both biases kept, so to ∘ from is exact on records too)', () => {
    const w = randTorch(3, D, H, r);
    const p = gruParamsFromTorch(w);
    expect(sameBits(gruParamsFromTorch(gruParamsToTorch(p)) as never, p as never)).toBe(true);
    expect(gruParamsToTorch(p)).toEqual(w);
  });
  test('PyTorch RNN', () => {
    const p = rnnParamsFromTorch(randTorch(1, D, H, r));
    expect(sameBits(rnnParamsFromTorch(rnnParamsToTorch(p)) as never, p as never)).toBe(true);
  });
  test('cs231n (and to ∘ from is exact on records: a pure permutation)', () => {
    const w = { Wx: randRows(D, 4 * H, r), Wh: randRows(H, 4 * H, r), b: randVec(4 * H, r) };
    const p = lstmParamsFromCs231n(w);
    expect(sameBits(lstmParamsFromCs231n(lstmParamsToCs231n(p)) as never, p as never)).toBe(true);
    expect(lstmParamsToCs231n(p)).toEqual(w);
  });
  test('Keras (and to ∘ from is exact on records)', () => {
    const w = { kernel: randRows(D, 4 * H, r), recurrent_kernel: randRows(H, 4 * H, r), bias: randVec(4 * H, r) };
    const p = lstmParamsFromKeras(w);
    expect(sameBits(lstmParamsFromKeras(lstmParamsToKeras(p)) as never, p as never)).toBe(true);
    expect(lstmParamsToKeras(p)).toEqual(w);
  });
  test('a −0 in b survives the PyTorch round trip (−0 + 0 would give +0)', () => {
    const p = { Wx: Matrix.zeros(1, 4), Wh: Matrix.zeros(1, 4), b: Matrix.from([[-0, 0, -1, 1]]) };
    expect(sameBits(lstmParamsFromTorch(lstmParamsToTorch(p)) as never, p as never)).toBe(true);
    const q = { Wx: Matrix.zeros(1, 1), Wh: Matrix.zeros(1, 1), b: Matrix.from([[-0]]) };
    // (JSON text itself writes −0 as 0)
    expect(Object.is(rnnParamsFromTorch(rnnParamsToTorch(q)).b.get(0, 0), -0)).toBe(true);
  });
  test('through JSON text as well (what a student actually saves)', () => {
    const p = lstmParamsFromTorch(randTorch(4, D, H, r));
    const back = lstmParamsFromTorch(JSON.parse(JSON.stringify(lstmParamsToTorch(p))));
    expect(sameBits(back as never, p as never)).toBe(true);
  });
  test('the three LSTM layouts land on the same handgrad params when they encode the same LSTM', () => {
    const p = lstmParamsFromTorch(randTorch(4, D, H, r));
    expect(
      sameBits(
        lstmParamsFromCs231n(lstmParamsToCs231n(p)) as never,
        lstmParamsFromKeras(lstmParamsToKeras(p)) as never,
      ),
    ).toBe(true);
  });
});

describe('round trips are exact on arbitrary doubles (fast-check)', () => {
  const runs = { numRuns: 60 };
  test('PyTorch LSTM', () => {
    fc.assert(
      fc.property(torchArb(4), (w) => {
        const p = lstmParamsFromTorch(w);
        return sameBits(lstmParamsFromTorch(lstmParamsToTorch(p)) as never, p as never);
      }),
      runs,
    );
  });
  test('PyTorch GRU', () => {
    fc.assert(
      fc.property(torchArb(3), (w) => {
        const p = gruParamsFromTorch(w);
        return sameBits(gruParamsFromTorch(gruParamsToTorch(p)) as never, p as never);
      }),
      runs,
    );
  });
  test('PyTorch RNN', () => {
    fc.assert(
      fc.property(torchArb(1), (w) => {
        const p = rnnParamsFromTorch(w);
        return sameBits(rnnParamsFromTorch(rnnParamsToTorch(p)) as never, p as never);
      }),
      runs,
    );
  });
  test('cs231n and Keras', () => {
    fc.assert(
      fc.property(columnsArb, (w) => {
        const p = lstmParamsFromCs231n(w);
        const k = lstmParamsFromKeras({ kernel: w.Wx, recurrent_kernel: w.Wh, bias: w.b });
        return (
          sameBits(lstmParamsFromCs231n(lstmParamsToCs231n(p)) as never, p as never) &&
          sameBits(lstmParamsFromKeras(lstmParamsToKeras(k)) as never, k as never)
        );
      }),
      runs,
    );
  });
});
