import { unaliased } from './buffers.js';
import { expectView } from './check.js';
import { describeValue } from './describe.js';
import { ShapeError } from './errors.js';
import { mapWasm } from './gemm-wasm.js';
import type { MatrixView } from './matrix.js';
import { useWasmMap } from './tier.js';

/** 2^(first + i·step) for i = 0 … count − 1, exactly: only halving and doubling. */
function powersOfTwo(first: number, count: number, step: number): Float64Array {
  const out = new Float64Array(count);
  let p = 1;
  for (let e = 0; e > first; e--) p /= 2;
  for (let i = 0; i < count; i++) {
    out[i] = p;
    for (let t = 0; t < step; t++) p *= 2;
  }
  return out;
}

/** 2^k for k = 0…63, indexed by the exponent the reduction picks. */
const POW2 = powersOfTwo(0, 64, 1);

/**
 * 2^k = POW2_HI[(k >> 5) + 2]·POW2[k & 31] for k = −64…1023, the product exact too:
 * two small tables, not one of 1088.
 */
const POW2_HI = powersOfTwo(-64, 34, 32);

/** The sign restored by a multiply, indexed by +(z < 0). */
const SIGN = new Float64Array([1, -1]);

/** ln 2 split so that k·LN2_HI is exact for every k used (its low 21 bits are zero); fdlibm's constants. */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E;

/**
 * σ(z) = 1/(1 + e^(−z)), evaluated as D/(D + 2^k·(D + 2·O)), where
 * e^(−z) = 2^k·e^r with k = round(−z/ln 2), |r| ≤ ln 2/2, and
 * e^r ≈ (D + 2·O)/D is the [6/6] Padé approximant p(r)/p(−r) that
 * `tanh` below uses too (D = p(−r), O = the odd half of p). Outside
 * −690 ≤ z ≤ 37.5 it is 1 above (what the exact value rounds to) and the
 * overflow-free e^z/(1 + e^z) below, where 2^k would overflow and the
 * result is near or below the smallest normal double. NaN stays NaN.
 *
 * It exists for speed: `Math.exp` is a call out to C, and the two-branch
 * form it replaces (1/(1 + e^(−z)) for z ≥ 0, e^z/(1 + e^z) below)
 * mispredicts on mixed signs. On 10^6 values spread over [−5, 5] (Node 20,
 * the machine of docs/performance-design.md, under load) it took ≈ 13 ns per
 * element against ≈ 27 ns for that form.
 *
 * Accuracy, measured: relative, so σ(z) ≈ e^z stays accurate for very
 * negative z. Within 2 ulp of the correctly rounded σ at all of 350 800
 * points on [−745, 40] (mpmath at 120 bits), the largest relative error
 * 3.78e-16 (the Math.exp form: also 2 ulp, 3.96e-16; 34% of the points are
 * off by an ulp or more here against 31% there); within a relative 5.8e-16
 * of the Math.exp form over 1.4·10^7 random z in [−745, 40]. The result
 * is always in [0, 1], since the denominator is D plus a non-negative term.
 */
export function sigmoid(z: number): number {
  if (!(z >= -690 && z <= 37.5)) {
    // Checked only here, off the fast path: anything but a number lands here (NaN compares false).
    if (typeof z !== 'number') notScalar('sigmoid', z);
    if (z > 0) return 1;
    const e = Math.exp(z);
    return e / (1 + e);
  }
  const x = -z;
  // Truncation is floor here: the argument is ≥ 10 after the shift by 64.
  const k = ((x * INV_LN2 + 64.5) | 0) - 64;
  const r = x - k * LN2_HI - k * LN2_LO;
  const s = r * r;
  const E = 665280 + s * (75600 + s * (840 + s));
  const O = r * (332640 + s * (10080 + s * 42));
  const D = E - O;
  const p = (POW2_HI[(k >> 5) + 2] as number) * (POW2[k & 31] as number);
  // D + 2·O rather than E + O: the rounding error of D then mostly cancels
  // between numerator and denominator (2 ulp at worst measured, not 3).
  return D / (D + p * (D + 2 * O));
}

/**
 * tanh(z) = (e^(2z) − 1)/(e^(2z) + 1), evaluated in three pieces: for
 * |z| < 1 the continued fraction tanh z = z/(1 + z²/(3 + z²/(5 + … + z²/17)))
 * as a ratio of two polynomials in z²; for 1 ≤ |z| ≤ 19.1 as
 * ±(1 − 2/(e^(2|z|) + 1)), with e^(2|z|) = 2^k·p(r)/p(−r) from the [6/6]
 * Padé approximant p of e^r, |r| ≤ ln 2/2; beyond 19.1 as ±1, which is what
 * the exact value rounds to.
 *
 * It exists for speed: V8's `Math.tanh` and `Math.exp` are calls out to
 * fdlibm's C code, and this stays in generated code. On 10^6 values spread
 * over [−5, 5] (Node 20, the 2-core machine of docs/performance-design.md, load
 * ≈ 3) it took ≈ 15 ns per element against ≈ 34 ns for `Math.tanh`.
 *
 * Accuracy, measured: within 1 ulp of the correctly rounded tanh at all of
 * 801 200 points (mpmath at 120 bits; ±z for z uniform on [0, 1], [1, 3] and
 * [3, 20], log-uniform on [2^−60, 1], and steps across 1 and 19.1), 5% of
 * them 1 ulp off, where `Math.tanh` is up to 2 ulp and 21% off; against
 * `Math.tanh` itself, a relative 4.08e-16 (2 ulp) at most over 3·10^7
 * random z in [−4, 4], the worst near |z| = 0.61. Odd in z, −0 → −0 included;
 * ±Infinity → ±1; NaN → NaN.
 */
export function tanh(z: number): number {
  const a = Math.abs(z);
  if (a < 1) {
    // z − z·c turns −0 into +0.
    if (z === 0) return z;
    const w = z * z;
    // tanh z − z = −z·w·R(w)/Q(w) (the numerator minus Q, over w), at most
    // 0.24·|z| here, so the rounding in R/Q reaches the result scaled down
    // rather than whole as in z·P/Q.
    return (
      z -
      (z * w * (11486475 + w * (810810 + w * (12870 + w * 44)))) /
        (34459425 + w * (16216200 + w * (945945 + w * (13860 + w * 45))))
    );
  }
  // Not `z < 0 ? −t : t`: V8 compiles that to a branch, which random signs
  // mispredict half the time (≈ 4 ns per element measured).
  const sign = SIGN[+(z < 0)] as number;
  // 2/(e^(2a) + 1) < 2^−54 from a ≈ 19.07 on; the exponent table ends at 2^63. NaN (and anything
  // but a number, whose Math.abs is NaN) also takes this branch, so the type check costs the fast path nothing.
  if (!(a <= 19.1)) {
    if (typeof z !== 'number') notScalar('tanh', z);
    return a > 19.1 ? sign : z;
  }
  const x = 2 * a;
  const k = (x * INV_LN2 + 0.5) | 0;
  const r = x - k * LN2_HI - k * LN2_LO;
  const s = r * r;
  // p(r) = E(r²) + r·O(r²), p(−r) = E − r·O: the Padé numerator times 12!/6!.
  const E = 665280 + s * (75600 + s * (840 + s));
  const O = r * (332640 + s * (10080 + s * 42));
  const D = E - O;
  // 2/(e^(2a) + 1) ≤ 0.24 here, so its rounding and that of e^(2a) shrink in
  // the difference.
  return sign * (1 - (2 * D) / ((POW2[k] as number) * (E + O) + D));
}

/** The TypeError of a scalar activation given something else, e.g. a Matrix. */
function notScalar(fn: 'sigmoid' | 'tanh', z: unknown): never {
  throw new TypeError(
    `${fn}: z must be a number (${fn} is the scalar function), got ${describeValue(z)}; ` +
      `for a Matrix use ${fn}Into(dst, z), or map ${fn} over z.data`,
  );
}

/**
 * Most values one WASM map copies into the kernel's memory at a time (2 MiB): a larger block is mapped in
 * pieces of rows, so a bulk activation never grows that memory, which never shrinks, past a few MiB.
 */
const WASM_MAP_VALUES = 1 << 18;

/** Rows i … i+count−1 of v (fewer at the end) as a view. */
function rowsOf(v: MatrixView, i: number, count: number): MatrixView {
  return {
    data: v.data,
    offset: v.offset + i * v.stride,
    stride: v.stride,
    rows: Math.min(count, v.rows - i),
    cols: v.cols,
  };
}

/** dst ← f(src) for f = σ or tanh: the WASM loops, or the scalar function row by row. */
function mapInto(fn: string, f: 'sigmoid' | 'tanh', dst: MatrixView, src: MatrixView): MatrixView {
  expectView(fn, 'dst', dst);
  expectView(fn, 'src', src);
  if (dst.rows !== src.rows || dst.cols !== src.cols) {
    throw new ShapeError(
      `${fn}: dst must be ${src.rows}×${src.cols} (the shape of src), got ${dst.rows}×${dst.cols}`,
      'dst',
    );
  }
  if (useWasmMap(src.cols) && src.cols <= WASM_MAP_VALUES) {
    // In pieces of rows, so the values copied into WASM memory stay at most WASM_MAP_VALUES (the same bits).
    const rows = Math.floor(WASM_MAP_VALUES / src.cols);
    if (src.rows <= rows) mapWasm(f, dst, src);
    else for (let i = 0; i < src.rows; i += rows) mapWasm(f, rowsOf(dst, i, rows), rowsOf(src, i, rows));
    return dst;
  }
  // A test per value, not a function-valued variable: V8 inlines both
  // direct calls, where a call through one variable seen with both
  // functions ran tanh at half speed.
  const isSigmoid = f === 'sigmoid';
  const { data: s, offset, stride, rows, cols } = unaliased(dst, src, true);
  const d = dst.data;
  for (let i = 0; i < rows; i++) {
    const si = offset + i * stride;
    const di = dst.offset + i * dst.stride;
    for (let j = 0; j < cols; j++) {
      const z = s[si + j] as number;
      d[di + j] = isSigmoid ? sigmoid(z) : tanh(z);
    }
  }
  return dst;
}

/**
 * dst ← σ(src), element by element ({@link sigmoid} over a block; dst may be
 * src, in place; a src that overlaps dst otherwise is copied first, so the
 * result is the one separate arrays give, on both tiers). On the WASM tier
 * it runs two values at a time and gives the same bits; rows shorter than 32
 * values stay in JS unless the tier is forced.
 *
 * @throws ShapeError when dst and src differ in shape.
 */
export function sigmoidInto(dst: MatrixView, src: MatrixView): MatrixView {
  return mapInto('sigmoidInto', 'sigmoid', dst, src);
}

/**
 * dst ← tanh(src), element by element (this module's scalar `tanh`, within
 * 1 ulp, over a block; dst may be src, in place; a src that overlaps dst
 * otherwise is copied first, so the result is the one separate arrays give,
 * on both tiers). On the WASM tier it runs two values
 * at a time and gives the same bits; rows shorter than 32 values stay in JS
 * unless the tier is forced.
 *
 * @throws ShapeError when dst and src differ in shape.
 */
export function tanhInto(dst: MatrixView, src: MatrixView): MatrixView {
  return mapInto('tanhInto', 'tanh', dst, src);
}
