import fc from 'fast-check';
import {
  Matrix,
  Tensor3,
  gruBackward,
  gruForward,
  lstmBackward,
  lstmForward,
  rnnBackward,
  rnnForward,
} from '../../src/index';
import { temporalAffineBackward, temporalAffineForward } from '../../src/layers/index';
import * as reference from '../../src/reference';
import {
  addInto,
  addRowInto,
  broadcastRowInto,
  colSumInto,
  copyInto,
  matmul,
  matmulInto,
  matmulTransAInto,
  matmulTransBInto,
  setProductTier,
  sigmoidInto,
  tanhInto,
  type MatrixView,
} from '../../src/linalg/public';
import { productTier } from '../../src/linalg/tier';
import {
  StaleCacheError,
  checkStamp,
  expectLiveStamp,
  overlaps,
  stampInputs,
  type InputStamp,
} from '../../src/linalg/buffers';

const TIERS = ['ts', 'wasm'] as const;
const initial = productTier();
afterEach(() => setProductTier(initial));

/** Values that differ everywhere and are not round: a wrong read shows in the bits. */
function filled(rows: number, cols: number, seed: number): Matrix {
  const m = Matrix.zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = Math.sin(seed * 7.1 + k * 1.37) + 0.01 * k;
  return m;
}

function tensor(N: number, T: number, D: number, seed: number): Tensor3 {
  return new Tensor3(N, T, D, filled(N * T, D, seed).data);
}

function detach(data: Float64Array): void {
  structuredClone(data.buffer, { transfer: [data.buffer as ArrayBuffer] });
}

/** A resizable ArrayBuffer (ES2024; this project's lib is older). */
interface Resizable extends ArrayBuffer {
  resize(byteLength: number): void;
}
const ResizableBuffer = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => Resizable;

function lstmParams(D: number, H: number) {
  return { Wx: filled(D, 4 * H, 1), Wh: filled(H, 4 * H, 2), b: filled(1, 4 * H, 3) };
}

describe('detached and resized buffers are refused at the boundary', () => {
  test.each(TIERS)('a detached x: lstmForward on both paths names it and the values (%s tier)', (tier) => {
    setProductTier(tier);
    for (const forward of [lstmForward, reference.lstmForward]) {
      const x = tensor(2, 3, 4, 5);
      detach(x.data);
      expect(() => forward(x, filled(2, 5, 6), lstmParams(4, 5))).toThrow(
        new TypeError(
          "lstmForward: x's buffer was detached (transferred to a worker or another thread?); " +
            'it holds 0 of the 24 values its 2×3×4 shape needs',
        ),
      );
    }
  });

  test('a detached weight, h0, or the plain-object look-alike of a Matrix', () => {
    const p = lstmParams(4, 5);
    detach(p.Wh.data);
    expect(() => lstmForward(tensor(2, 3, 4, 1), filled(2, 5, 2), p)).toThrow(
      "lstmForward: Wh's buffer was detached (transferred to a worker or another thread?); " +
        'it holds 0 of the 100 values its 5×20 shape needs',
    );
    const h0 = { rows: 2, cols: 5, data: new Float64Array(10) };
    detach(h0.data);
    expect(() =>
      rnnForward(tensor(2, 3, 4, 1), h0 as Matrix, { Wx: filled(4, 5, 1), Wh: filled(5, 5, 2), b: filled(1, 5, 3) }),
    ).toThrow("rnnForward: h0's buffer was detached");
  });

  test.each(TIERS)('the block operations refuse a detached operand or output (%s tier)', (tier) => {
    setProductTier(tier);
    const C = filled(2, 3, 1);
    detach(C.data);
    expect(() => matmulInto(C, filled(2, 4, 2), filled(4, 3, 3))).toThrow(
      "matmulInto: C's buffer was detached (transferred to a worker or another thread?); " +
        'it holds 0 of the 6 values its 2×3 shape needs',
    );
    const A = filled(2, 4, 2);
    detach(A.data);
    expect(() => matmul(A, filled(4, 3, 3))).toThrow("matmul: A's buffer was detached");
    // A view over a detached array: the view's reach is named.
    const view: MatrixView = { data: filled(3, 4, 1).data, offset: 4, stride: 4, rows: 2, cols: 3 };
    detach(view.data);
    expect(() => sigmoidInto(view, view)).toThrow(
      "sigmoidInto: dst's buffer was detached (transferred to a worker or another thread?); " +
        'it holds 0 of the 11 values its 2×3 view at offset 4, stride 4, needs',
    );
  });

  test("a cache whose saved arrays were detached: the backward names the input or the cache's field", () => {
    const { cache } = lstmForward(tensor(2, 3, 4, 1), filled(2, 5, 2), lstmParams(4, 5));
    // cache.x is the caller's x: named as the forward's argument, before the cache is read.
    detach(cache.x.data);
    expect(() => lstmBackward(tensor(2, 3, 5, 3), cache)).toThrow(
      "lstmBackward: x's buffer was detached (transferred to a worker or another thread?) after lstmForward made " +
        'the cache, which keeps x; it holds 0 of the 24 values it held then',
    );
    const fast = gruForward(tensor(2, 3, 4, 1), filled(2, 5, 2), {
      Wx: filled(4, 15, 1),
      Wh: filled(5, 15, 2),
      bx: filled(1, 15, 3),
      bh: filled(1, 15, 4),
    });
    detach(fast.cache.gates);
    expect(() => gruBackward(tensor(2, 3, 5, 3), fast.cache)).toThrow("gruBackward: cache.gates's buffer was detached");
    const ref = reference.lstmForward(tensor(2, 3, 4, 1), filled(2, 5, 2), lstmParams(4, 5));
    detach((ref.cache.steps[1] as reference.LstmStepCache).f.data);
    expect(() => reference.lstmBackward(tensor(2, 3, 5, 3), ref.cache)).toThrow(
      "lstmBackward: cache.steps[1].f's buffer was detached",
    );
  });

  test('a resizable ArrayBuffer shrunk (or grown) under a Matrix', () => {
    const buffer = new ResizableBuffer(6 * 8, { maxByteLength: 12 * 8 });
    const m = new Matrix(2, 3, new Float64Array(buffer)); // length-tracking view
    buffer.resize(4 * 8);
    expect(() => matmul(m, filled(3, 2, 1))).toThrow(
      "matmul: A's buffer is a resizable ArrayBuffer that was resized under it (now 32 bytes); " +
        'it holds 4 of the 6 values its 2×3 shape needs',
    );
    // Grown: a view reads only its rows·cols values, but a Matrix must own exactly its whole array.
    buffer.resize(12 * 8);
    expect(matmul(m, filled(3, 2, 1)).rows).toBe(2);
    const p = { Wx: filled(4, 3, 1), Wh: filled(3, 3, 2), b: filled(1, 3, 3) };
    expect(() => rnnForward(tensor(2, 1, 4, 1), m, p)).toThrow(
      "rnnForward: h0's buffer is a resizable ArrayBuffer that was resized under it (now 96 bytes); " +
        'it now holds 12 values where its 2×3 shape needs 6',
    );
    buffer.resize(6 * 8);
    expect(matmul(m, filled(3, 2, 1)).rows).toBe(2);
  });
});

describe('an output that aliases an input gives the result of separate arrays, on both tiers', () => {
  /** Runs `f` on the aliased arguments and on copies of the inputs; both tiers; compares bits. */
  function sameAsSeparate(aliased: (tier: string) => Float64Array, separate: (tier: string) => Float64Array): void {
    const results = TIERS.map((tier) => {
      setProductTier(tier);
      return { aliased: Array.from(aliased(tier)), separate: Array.from(separate(tier)) };
    });
    for (const r of results) expect(r.aliased).toEqual(r.separate);
  }

  test.each([false, true])('matmulInto(C, C, B), matmulInto(C, A, C), accumulate %s', (accumulate) => {
    // 6×6 so that the blocked TS kernel's 4×4 blocks and its edge both run.
    sameAsSeparate(
      () => {
        const C = filled(6, 6, 1);
        return matmulInto(C, C, filled(6, 6, 2), accumulate).data;
      },
      () => {
        const C = filled(6, 6, 1);
        return matmulInto(C, C.clone(), filled(6, 6, 2), accumulate).data;
      },
    );
    sameAsSeparate(
      () => {
        const C = filled(6, 6, 1);
        return matmulInto(C, filled(6, 6, 3), C, accumulate).data;
      },
      () => {
        const C = filled(6, 6, 1);
        return matmulInto(C, filled(6, 6, 3), C.clone(), accumulate).data;
      },
    );
  });

  test('matmulTransAInto and matmulTransBInto with C as an operand; C = A·A', () => {
    for (const product of [matmulTransAInto, matmulTransBInto]) {
      sameAsSeparate(
        () => {
          const C = filled(5, 5, 4);
          return product(C, C, C, true).data;
        },
        () => {
          const C = filled(5, 5, 4);
          return product(C, C.clone(), C.clone(), true).data;
        },
      );
    }
  });

  test('a product whose output is the next rows of its input (a shifted view of one array)', () => {
    const run = (copy: boolean): Float64Array => {
      const storage = filled(8, 4, 5).data;
      const A: MatrixView = { data: storage, offset: 0, stride: 4, rows: 5, cols: 4 };
      const C: MatrixView = { data: storage, offset: 8, stride: 4, rows: 5, cols: 4 };
      matmulInto(
        C,
        copy ? Matrix.from(Array.from({ length: 5 }, (_, i) => Array.from(storage.subarray(4 * i, 4 * i + 4)))) : A,
        filled(4, 4, 6),
      );
      return storage;
    };
    sameAsSeparate(
      () => run(false),
      () => run(true),
    );
  });

  test('element-wise Into functions in place, and with a shifted overlap', () => {
    const shifted = (storage: Float64Array, offset: number): MatrixView => ({
      data: storage,
      offset,
      stride: 3,
      rows: 3,
      cols: 3,
    });
    const cases: [string, (dst: MatrixView, src: MatrixView) => unknown][] = [
      ['addInto', (d, s) => addInto(d, s)],
      ['copyInto', (d, s) => copyInto(d, s)],
      ['sigmoidInto', (d, s) => sigmoidInto(d, s)],
      ['tanhInto', (d, s) => tanhInto(d, s)],
    ];
    for (const [, f] of cases) {
      for (const offset of [0, 3, -3]) {
        sameAsSeparate(
          () => {
            const storage = filled(5, 3, 7).data;
            f(shifted(storage, 3), shifted(storage, 3 + offset));
            return storage;
          },
          () => {
            const storage = filled(5, 3, 7).data;
            f(shifted(storage, 3), shifted(storage.slice(), 3 + offset));
            return storage;
          },
        );
      }
    }
  });

  test('addRowInto and broadcastRowInto with a row of C; colSumInto into a row of A', () => {
    for (const f of [addRowInto, broadcastRowInto]) {
      sameAsSeparate(
        () => {
          const C = filled(4, 3, 8);
          f(C, { data: C.data, offset: 3, stride: 3, rows: 1, cols: 3 });
          return C.data;
        },
        () => {
          const C = filled(4, 3, 8);
          f(C, { data: C.data.slice(), offset: 3, stride: 3, rows: 1, cols: 3 });
          return C.data;
        },
      );
    }
    for (const accumulate of [false, true]) {
      sameAsSeparate(
        () => {
          const A = filled(4, 3, 9);
          colSumInto({ data: A.data, offset: 6, stride: 3, rows: 1, cols: 3 }, A, accumulate);
          return A.data;
        },
        () => {
          const A = filled(4, 3, 9);
          colSumInto({ data: A.data, offset: 6, stride: 3, rows: 1, cols: 3 }, A.clone(), accumulate);
          return A.data;
        },
      );
    }
  });

  test('overlaps: exact for one stride (the time steps of one tensor do not overlap), conservative otherwise', () => {
    const data = new Float64Array(24);
    const step = (t: number): MatrixView => ({ data, offset: t * 2, stride: 6, rows: 4, cols: 2 });
    expect(overlaps(step(0), step(1))).toBe(false);
    expect(overlaps(step(1), step(1))).toBe(true);
    // Two arrays over one buffer meet through their byte offsets.
    const left = new Float64Array(data.buffer, 0, 12);
    const right = new Float64Array(data.buffer, 8 * 12, 12);
    const all = (d: Float64Array): MatrixView => ({ data: d, offset: 0, stride: 3, rows: 4, cols: 3 });
    expect(overlaps(all(left), all(right))).toBe(false);
    expect(overlaps(all(left), { data: right, offset: 0, stride: 3, rows: 1, cols: 3 })).toBe(false);
    expect(overlaps({ data, offset: 0, stride: 3, rows: 8, cols: 3 }, all(right))).toBe(true);
    expect(overlaps(all(data), all(new Float64Array(12)))).toBe(false);
    // A row that wraps past the edge of a strided grid.
    expect(
      overlaps({ data, offset: 5, stride: 6, rows: 2, cols: 3 }, { data, offset: 12, stride: 6, rows: 1, cols: 1 }),
    ).toBe(true);
    expect(
      overlaps({ data, offset: 5, stride: 6, rows: 2, cols: 3 }, { data, offset: 9, stride: 6, rows: 1, cols: 2 }),
    ).toBe(false);
  });
});

describe('the stamp a forward leaves in its cache', () => {
  const p = () => ({ Wx: filled(4, 5, 1), Wh: filled(5, 5, 2), b: filled(1, 5, 3) });

  test('any one value changed in any way (one bit of either word, NaN, −0) is caught', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        fc.nat(63),
        fc.constantFrom('bit', 'nan', 'negate'),
        (n, pick, bit, how) => {
          const data = filled(1, n, n).data;
          const stamp = stampInputs('f', { x: { data } }) as InputStamp;
          const k = pick % n;
          if (how === 'bit') {
            const words = new Uint32Array(data.buffer);
            words[2 * k + (bit >> 5)] = ((words[2 * k + (bit >> 5)] as number) ^ (1 << (bit & 31))) >>> 0;
          } else data[k] = how === 'nan' ? Number.NaN : -(data[k] as number);
          if (Object.is(data[k], filled(1, n, n).data[k])) return true; // −(±0)… never equal here, kept honest
          return throwsStale(() => checkStamp('g', { stamp }));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a swap of two values is caught too', () => {
    const data = filled(1, 50, 4).data;
    const stamp = stampInputs('f', { x: { data } });
    [data[3], data[40]] = [data[40] as number, data[3] as number];
    expect(() => checkStamp('g', { stamp })).toThrow(StaleCacheError);
  });

  test('a cache without a stamp (made by hand) is not checked; a broken stamp is a TypeError', () => {
    const { cache } = rnnForward(tensor(2, 3, 4, 1), filled(2, 5, 2), p());
    const { stamp, ...byHand } = cache;
    expect(stamp).toBeDefined();
    expect(() => rnnBackward(tensor(2, 3, 5, 3), byHand)).not.toThrow();
    for (const [bad, got] of [
      [null, 'null'],
      [42, 'number'],
      [[], 'an array'],
      [{ forward: 'rnnForward' }, 'an object without its checksums'],
    ] as const) {
      expect(() => rnnBackward(tensor(2, 3, 5, 3), { ...byHand, stamp: bad as never })).toThrow(
        new TypeError(
          'rnnBackward: cache.stamp must be the stamp its forward left there (or absent, for a cache made by hand), ' +
            `got ${got}`,
        ),
      );
    }
  });

  test('temporalAffineBackward names x or W edited after temporalAffineForward', () => {
    const x = tensor(2, 3, 4, 1);
    const W = filled(4, 6, 2);
    const { cache } = temporalAffineForward(x, W, filled(1, 6, 3));
    W.data[5] = 1;
    expect(() => temporalAffineBackward(tensor(2, 3, 6, 4), cache)).toThrow(
      'temporalAffineBackward: W changed between temporalAffineForward and temporalAffineBackward (its contents ' +
        'differ from when the cache was made); run the forward again after updating weights',
    );
  });
});

function throwsStale(call: () => unknown): boolean {
  try {
    call();
    return false;
  } catch (e) {
    return e instanceof StaleCacheError;
  }
}

describe('a stale or dead cache is refused with a typed error', () => {
  it('StaleCacheError is a RangeError (an edited input no longer fits its cache), named StaleCacheError', () => {
    const x = Matrix.from([[1, 2]]);
    const stamp = stampInputs('f', { x });
    x.data[0] = 5;
    let caught: unknown;
    try {
      checkStamp('g', { stamp });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect(caught).toBeInstanceOf(StaleCacheError);
    expect((caught as Error).name).toBe('StaleCacheError');
  });

  it('expectLiveStamp names an input whose buffer was transferred after the forward, before reading the cache', () => {
    const x = Matrix.from([[1, 2, 3]]);
    const stamp = stampInputs('rnnForward', { x });
    structuredClone(x.data.buffer, { transfer: [x.data.buffer as ArrayBuffer] });
    expect(() => expectLiveStamp('rnnBackward', { stamp })).toThrow(TypeError);
    expect(() => expectLiveStamp('rnnBackward', { stamp })).toThrow(/^rnnBackward: x's buffer was detached/);
  });
});
