import { Matrix, Tensor3, lstmForward, type GruParams, type LstmParams, type RnnParams } from '../../src/index';
import {
  initGruParams,
  initLstmParams,
  initRecurrentWeights,
  initRnnParams,
  lastStep,
  lastStepBackward,
  seededRandom,
} from '../../src/train/index';
import { randMatrix, randTensor, rng } from '../helpers/numeric';

const shape = (m: Matrix): string => `${m.rows}×${m.cols}`;

/** max |QᵀQ − I| over the H×H block g of Wh (H × gates·H). */
function orthogonalityError(Wh: Matrix, g: number): number {
  const H = Wh.rows;
  let worst = 0;
  for (let a = 0; a < H; a++) {
    for (let b = 0; b < H; b++) {
      let dot = 0;
      for (let i = 0; i < H; i++) dot += Wh.get(i, g * H + a) * Wh.get(i, g * H + b);
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('typed initialisers', () => {
  it('initLstmParams: LstmParams of D×4H, H×4H, 1×4H, forget-gate bias 1, every gate block of Wh orthogonal', () => {
    const p: LstmParams = initLstmParams(3, 5, seededRandom(1));
    expect([shape(p.Wx), shape(p.Wh), shape(p.b)]).toEqual(['3×20', '5×20', '1×20']);
    expect(Array.from(p.b.data)).toEqual([...Array(5).fill(1), ...Array(15).fill(0)]);
    for (let g = 0; g < 4; g++) expect(orthogonalityError(p.Wh, g)).toBeLessThan(1e-12);
    // It runs as it is.
    expect(lstmForward(Tensor3.zeros(2, 3, 3), Matrix.zeros(2, 5), p).h.dims).toEqual([2, 3, 5]);
  });

  it('initRnnParams and initGruParams: the shapes of RnnParams and GruParams, biases 0', () => {
    const r: RnnParams = initRnnParams(2, 4, seededRandom(2));
    expect([shape(r.Wx), shape(r.Wh), shape(r.b)]).toEqual(['2×4', '4×4', '1×4']);
    expect(orthogonalityError(r.Wh, 0)).toBeLessThan(1e-12);
    const g: GruParams = initGruParams(2, 4, seededRandom(2));
    expect([shape(g.Wx), shape(g.Wh), shape(g.bx), shape(g.bh)]).toEqual(['2×12', '4×12', '1×12', '1×12']);
    expect([...g.bx.data, ...g.bh.data].every((v) => v === 0)).toBe(true);
  });

  it('draws the weights as initRecurrentWeights does, so a seed gives the same model as before', () => {
    const a = initLstmParams(3, 4, seededRandom(7));
    const b = initRecurrentWeights(3, 4, 4, seededRandom(7));
    expect(a.Wx.data).toEqual(b.Wx.data);
    expect(a.Wh.data).toEqual(b.Wh.data);
  });

  it('W_x has variance about 1/D', () => {
    const { Wx } = initRnnParams(50, 40, seededRandom(3));
    let sq = 0;
    for (const v of Wx.data) sq += v * v;
    expect(sq / Wx.data.length).toBeGreaterThan(0.8 / 50);
    expect(sq / Wx.data.length).toBeLessThan(1.2 / 50);
  });

  it('rejects sizes that are not positive integers and a rand that is not a function', () => {
    expect(() => initLstmParams(3, 0, seededRandom(1))).toThrow('initLstmParams: H must be a positive integer, got 0');
    expect(() => initGruParams(2.5, 3, seededRandom(1))).toThrow(/initGruParams: D must be a positive integer/);
    expect(() => initRnnParams(2, 3, 1 as never)).toThrow(/initRnnParams: rand must be a function/);
  });

  it('refuses sizes whose weights pass 2 GiB, naming the sizes and the bytes, before allocating', () => {
    // (D + H + 2)·4H + H² = (10 + 8192 + 2)·32768 + 8192² = 335,937,536 values, 2.5 GiB.
    expect(() => initLstmParams(10, 8192, seededRandom(1))).toThrow(
      new RangeError(
        'initLstmParams: D=10, H=8192 needs 335937536 weights (2.5 GiB of Float64Array), ' +
          'more than the 268435456 values (2 GiB) it allocates at most',
      ),
    );
  });
});

describe('the last step', () => {
  it('lastStep(h) is h[:, T−1, :]', () => {
    const h = randTensor(3, 4, 2, rng(1));
    const hT = lastStep(h);
    for (let n = 0; n < 3; n++) for (let j = 0; j < 2; j++) expect(hT.get(n, j)).toBe(h.get(n, 3, j));
  });

  it('lastStepBackward is its adjoint: Σ dh ⊙ h = Σ dhT ⊙ lastStep(h) for every h', () => {
    const rand = rng(2);
    const [N, T, H] = [3, 5, 4];
    const dhT = randMatrix(N, H, rand);
    const dh = lastStepBackward(dhT, T);
    expect(dh.dims).toEqual([N, T, H]);
    for (let trial = 0; trial < 5; trial++) {
      const h = randTensor(N, T, H, rand);
      const hT = lastStep(h);
      let left = 0;
      let right = 0;
      for (let i = 0; i < h.data.length; i++) left += dh.data[i]! * h.data[i]!;
      for (let i = 0; i < hT.data.length; i++) right += dhT.data[i]! * hT.data[i]!;
      expect(Math.abs(left - right)).toBeLessThan(1e-12 * Math.max(1, Math.abs(right)));
    }
  });

  it('rejects what is not a tensor or a size', () => {
    expect(() => lastStep(Matrix.zeros(2, 2) as never)).toThrow(/lastStep: h must be a Tensor3/);
    expect(() => lastStepBackward(Matrix.zeros(2, 2), 0)).toThrow(/lastStepBackward: T must be a positive integer/);
  });
});
