import fc from 'fast-check';
import { Matrix, Tensor3 } from '../../src/index';
import { adam, clipGradNorm, sgd, sgdMomentum } from '../../src/optim/index';
import { randMatrix, rng } from '../helpers/numeric';

// Typed records, as a user's own would be: no index signature.
interface Params {
  readonly W: Matrix;
  readonly b: Matrix;
}
const P = (): Params => ({ W: Matrix.from([[1, -2]]), b: Matrix.from([[0.5]]) });
const G = (): { dW: Matrix; db: Matrix } => ({ dW: Matrix.from([[0.1, 0.4]]), db: Matrix.from([[-1]]) });

describe('sgd', () => {
  it('steps against the gradient: w − α·dw', () => {
    const next = sgd(P(), G(), { learningRate: 0.5 });
    expect(next.W.toArray()).toEqual([[0.95, -2.2]]);
    expect(next.b.toArray()).toEqual([[1]]);
  });

  it('does not mutate params or grads', () => {
    const p = P();
    const g = G();
    sgd(p, g, { learningRate: 0.5 });
    expect(p).toEqual(P());
    expect(g).toEqual(G());
  });

  it('minimises a quadratic: 200 steps on ½‖w − c‖² reach c', () => {
    const c = Matrix.from([[3, -1, 2]]);
    let p = { w: Matrix.zeros(1, 3) };
    for (let k = 0; k < 200; k++) {
      const g = Matrix.zeros(1, 3);
      for (let i = 0; i < 3; i++) g.data[i] = p.w.data[i]! - c.data[i]!;
      p = sgd(p, { dw: g }, { learningRate: 0.1 });
    }
    for (let i = 0; i < 3; i++) expect(p.w.data[i]).toBeCloseTo(c.data[i]!, 6);
  });

  it('names a missing gradient and its param (untyped callers)', () => {
    expect(() => sgd(P(), { dW: G().dW } as never, { learningRate: 1 })).toThrow(
      'sgd: grads is missing db (the gradient of params.b)',
    );
  });

  it("says so when the gradients carry the params' own names", () => {
    expect(() => sgd(P(), { W: G().dW, b: G().db } as never, { learningRate: 1 })).toThrow(
      "sgd: grads is missing dW (the gradient of params.W); it has W, but gradients are named d + the param's name",
    );
  });

  it("ignores keys of grads that are no param's gradient", () => {
    const extra = { ...G(), dx: Tensor3.zeros(1, 2, 3), c: 'not a matrix' };
    const plain = sgd(P(), G(), { learningRate: 0.5 });
    expect(sgd(P(), extra, { learningRate: 0.5 }).W.toArray()).toEqual(plain.W.toArray());
  });

  it('rejects grads of the wrong shape', () => {
    expect(() => sgd(P(), { ...G(), db: Matrix.zeros(1, 2) }, { learningRate: 1 })).toThrow(
      /grads\.db must be 1×1 \(the shape of params\.b\), got 1×2/,
    );
  });

  it('rejects a non-positive learning rate', () => {
    expect(() => sgd(P(), G(), { learningRate: 0 })).toThrow(/options\.learningRate must be in \(0, Infinity\)/);
  });

  it('rejects an empty params record', () => {
    expect(() => sgd({}, {}, { learningRate: 1 })).toThrow(/params must hold at least one Matrix/);
  });
});

describe('sgdMomentum', () => {
  it('follows v ← μv − α·dw, w ← w + v over two steps', () => {
    const first = sgdMomentum(P(), G(), undefined, { learningRate: 0.5, momentum: 0.9 });
    // v1 = −0.5·g, w1 = w + v1 (= the sgd step).
    expect(first.params.W.toArray()).toEqual(sgd(P(), G(), { learningRate: 0.5 }).W.toArray());
    const second = sgdMomentum(first.params, G(), first.state, { learningRate: 0.5, momentum: 0.9 });
    // v2 = 0.9·v1 − 0.5·g = −0.95·g; w2 = w1 + v2.
    expect(second.params.W!.data[0]).toBeCloseTo(0.95 - 0.95 * 0.1, 14);
    expect(second.state.velocity.b!.data[0]).toBeCloseTo(0.95, 14);
  });

  it('does not mutate params, grads or the state', () => {
    const first = sgdMomentum(P(), G(), undefined, { learningRate: 0.5 });
    const v = first.state.velocity.W!.data.slice();
    sgdMomentum(first.params, G(), first.state, { learningRate: 0.5 });
    expect(first.state.velocity.W!.data).toEqual(v);
  });

  it('rejects a momentum of 1 or more', () => {
    expect(() => sgdMomentum(P(), G(), undefined, { learningRate: 0.1, momentum: 1 })).toThrow(
      /options\.momentum must be in \[0, 1\)/,
    );
  });

  it('rejects a state that does not match the params', () => {
    const velocity = { W: Matrix.zeros(1, 2) } as never;
    expect(() => sgdMomentum(P(), G(), { velocity }, { learningRate: 0.1 })).toThrow(
      /state\.velocity is missing key "b"/,
    );
  });
});

describe('adam', () => {
  it('first step moves each weight by about α against the sign of its gradient', () => {
    // At t = 1, m̂ = g and v̂ = g², so the step is α·g/(|g| + ε) ≈ α·sign(g).
    const { params, state } = adam(P(), G(), undefined, { learningRate: 0.01 });
    expect(params.W.data[0]).toBeCloseTo(1 - 0.01, 8);
    expect(params.W.data[1]).toBeCloseTo(-2 - 0.01, 8);
    expect(params.b.data[0]).toBeCloseTo(0.5 + 0.01, 8);
    expect(state.t).toBe(1);
  });

  it('second step follows the bias-corrected moments', () => {
    const g1 = G();
    const g2 = { dW: Matrix.from([[-0.2, 0.4]]), db: Matrix.from([[1]]) };
    const s1 = adam(P(), g1, undefined, { learningRate: 0.1 });
    const s2 = adam(s1.params, g2, s1.state, { learningRate: 0.1 });
    const [b1, b2] = [0.9, 0.999];
    const m = b1 * (1 - b1) * 0.1 + (1 - b1) * -0.2;
    const v = b2 * (1 - b2) * 0.01 + (1 - b2) * 0.04;
    const step = (0.1 * (m / (1 - b1 ** 2))) / (Math.sqrt(v / (1 - b2 ** 2)) + 1e-8);
    expect(s2.params.W.data[0]).toBeCloseTo(s1.params.W.data[0]! - step, 12);
  });

  it('property: never mutates its inputs and keeps keys and shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (r, c, seed) => {
        const rand = rng(seed);
        const p = { a: randMatrix(r, c, rand), z: randMatrix(1, c, rand) };
        const g = { da: randMatrix(r, c, rand), dz: randMatrix(1, c, rand) };
        const copies = [p.a.data.slice(), p.z.data.slice(), g.da.data.slice(), g.dz.data.slice()];
        const out = adam(p, g, undefined);
        return (
          out.params.a.rows === r &&
          out.params.z.cols === c &&
          [p.a.data, p.z.data, g.da.data, g.dz.data].every((d, k) => d.every((v, i) => v === copies[k]![i]))
        );
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a state whose t is not a non-negative integer', () => {
    const s = adam(P(), G(), undefined).state;
    expect(() => adam(P(), G(), { ...s, t: -1 })).toThrow(/state\.t must be a non-negative integer/);
  });

  it('rejects beta1 outside [0, 1)', () => {
    expect(() => adam(P(), G(), undefined, { beta1: 1.5 })).toThrow(/options\.beta1 must be in \[0, 1\)/);
  });
});

describe('clipGradNorm', () => {
  it('scales to the threshold and keeps the direction when the norm is above it', () => {
    const p = { a: Matrix.zeros(1, 1), b: Matrix.zeros(1, 1) };
    const g = { da: Matrix.from([[3]]), db: Matrix.from([[4]]) }; // global norm 5
    const { grads, norm, scale } = clipGradNorm(p, g, 1);
    expect(norm).toBe(5);
    expect(scale).toBeCloseTo(0.2, 15);
    expect(grads.da.data[0]).toBeCloseTo(0.6, 15);
    expect(grads.db.data[0]).toBeCloseTo(0.8, 15);
  });

  it('leaves gradients below the threshold unchanged (and still returns copies)', () => {
    const g = G();
    const { grads, scale } = clipGradNorm(P(), g, 100);
    expect(scale).toBe(1);
    expect(grads.dW.toArray()).toEqual(g.dW.toArray());
    grads.dW.data[0] = 42;
    expect(g.dW.data[0]).toBe(0.1);
  });

  it('property: the clipped global norm is min(norm, maxNorm)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.01, max: 10, noNaN: true }), (seed, maxNorm) => {
        const rand = rng(seed);
        const p = { a: Matrix.zeros(3, 2), b: Matrix.zeros(1, 4) };
        const { grads, norm } = clipGradNorm(p, { da: randMatrix(3, 2, rand), db: randMatrix(1, 4, rand) }, maxNorm);
        let sq = 0;
        for (const m of Object.values(grads)) for (const v of m.data) sq += v * v;
        return Math.abs(Math.sqrt(sq) - Math.min(norm, maxNorm)) < 1e-12 * Math.max(1, norm);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a non-positive maxNorm', () => {
    expect(() => clipGradNorm(P(), G(), -1)).toThrow(/maxNorm must be in \(0, Infinity\)/);
  });

  it('rejects a record holding something that is not a Matrix', () => {
    const p = { a: Matrix.zeros(1, 1) };
    expect(() => clipGradNorm(p, { da: [[1]] } as never, 1)).toThrow(/grads\.da must be a Matrix/);
  });
});

describe('an option name from another library is refused by name', () => {
  const p = { W: Matrix.from([[1, 2]]) };
  const g = { dW: Matrix.from([[0.5, -0.5]]) };
  it("adam refuses PyTorch's eps and says it is epsilon here", () => {
    expect(() => adam(p, g, undefined, { eps: 1e-6 } as never)).toThrow(TypeError);
    expect(() => adam(p, g, undefined, { eps: 1e-6 } as never)).toThrow(
      /^adam: options\.eps is not an option \(here eps is called epsilon\); expected only learningRate, beta1, beta2/,
    );
  });
  it('sgd refuses lr and says it is learningRate here', () => {
    expect(() => sgd(p, g, { learningRate: 0.1, lr: 0.1 } as never)).toThrow(
      /^sgd: options\.lr is not an option \(here lr is called learningRate\)/,
    );
  });
  it('sgdMomentum refuses an unknown key and lists the known ones', () => {
    expect(() => sgdMomentum(p, g, undefined, { learningRate: 0.1, nesterov: true } as never)).toThrow(
      /^sgdMomentum: options\.nesterov is not an option; expected only learningRate, momentum, got \{ learningRate/,
    );
  });
});
