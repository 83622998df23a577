/**
 * The storage behind the arguments, checked where it can go wrong without a
 * wrong shape: a buffer detached (transferred to a worker) or a resizable one
 * shrunk under its view, an output that shares storage with an input, and
 * caller arrays edited between a forward and its backward.
 *
 * The argument guards (./check.ts) call {@link expectLiveData} on every
 * Matrix, Tensor3 and view they accept, so every public function on both
 * paths and both tiers refuses dead storage before any arithmetic. The caches
 * call {@link stampInputs} in the forward and {@link checkStamp} at the start
 * of the backward.
 */
import { isDetached } from './alloc.js';
import type { GemmOperands } from './gemm-ts.js';
import { Matrix, type MatrixView } from './matrix.js';

/**
 * Throws a `TypeError` unless `data` still holds the values its shape needs:
 * exactly `needed` when `exact` (a Matrix or Tensor3 owns its whole array),
 * at least `needed` for a view. Names a detached buffer ("transferred to a
 * worker or another thread?") and a resizable one resized under its view
 * apart from a plain wrong length; the usual case costs one comparison.
 *
 * @param shape - What needs the values, as the message shows it: `"2×3×4 shape"`, `"2×3 view at offset 4"`.
 */
export function expectLiveData(
  fn: string,
  name: string,
  data: Float64Array,
  needed: number,
  shape: string,
  exact = true,
): void {
  const length = data.length;
  if (exact ? length === needed : length >= needed) return;
  const buffer = data.buffer;
  const holds =
    length < needed
      ? `it holds ${length} of the ${needed} values its ${shape} needs`
      : `it now holds ${length} values where its ${shape} needs ${needed}`;
  if (isDetached(buffer)) {
    throw new TypeError(`${fn}: ${name}'s buffer was detached (transferred to a worker or another thread?); ${holds}`);
  }
  if ((buffer as { resizable?: unknown }).resizable === true) {
    throw new TypeError(
      `${fn}: ${name}'s buffer is a resizable ArrayBuffer that was resized under it (now ${buffer.byteLength} ` +
        `bytes); ${holds}`,
    );
  }
  // Anything else is a plain wrong length: the shape checks that follow say so.
}

/**
 * {@link expectLiveData} for a view that reaches value `needed` of its data:
 * a whole Matrix is named by its shape, any other view by its offset and
 * stride too.
 */
export function expectLiveView(fn: string, name: string, v: MatrixView, needed: number): void {
  const whole = v.offset === 0 && (v.rows === 1 || v.stride === v.cols);
  const shape = whole
    ? `${v.rows}×${v.cols} shape`
    : `${v.rows}×${v.cols} view at offset ${v.offset}, stride ${v.stride},`;
  expectLiveData(fn, name, v.data, needed, shape, false);
}

/** {@link expectLiveData} for a Matrix (or anything with rows, cols and data); returns `m`. */
export function liveMatrix<M extends { readonly rows: number; readonly cols: number; readonly data: Float64Array }>(
  fn: string,
  name: string,
  m: M,
): M {
  if (m.data.length !== m.rows * m.cols) expectLiveData(fn, name, m.data, m.rows * m.cols, `${m.rows}×${m.cols} shape`);
  return m;
}

/** {@link expectLiveData} for a Tensor3 (or anything with dims and data); returns `t`. */
export function liveTensor3<X extends { readonly dims: readonly number[]; readonly data: Float64Array }>(
  fn: string,
  name: string,
  t: X,
): X {
  const [N = 0, T = 0, D = 0] = t.dims;
  if (t.data.length !== N * T * D) expectLiveData(fn, name, t.data, N * T * D, `${N}×${T}×${D} shape`);
  return t;
}

/** Index of element (0, 0) of `v` in its ArrayBuffer, counted in float64s. */
function start(v: MatrixView): number {
  return v.data.byteOffset / 8 + v.offset;
}

/** One past the last element of `v`, counted as {@link start} counts. */
function end(v: MatrixView): number {
  return start(v) + (v.rows - 1) * v.stride + v.cols;
}

/**
 * The elements of a view with row stride `s` (≥ its cols), seen as a grid `s`
 * wide: one rectangle [row0, row1) × [col0, col1), or two when its rows
 * straddle the grid's edge.
 */
function rectangles(v: MatrixView, s: number): [number, number, number, number][] {
  const first = start(v);
  const r = Math.floor(first / s);
  const c = first - r * s;
  if (c + v.cols <= s) return [[r, r + v.rows, c, c + v.cols]];
  return [
    [r, r + v.rows, c, s],
    [r + 1, r + v.rows + 1, 0, c + v.cols - s],
  ];
}

/**
 * Do `a` and `b` share an element? Exact for views over one buffer with the
 * same row stride (the time steps and gate blocks the kernels slide over one
 * array never count as overlapping); otherwise true whenever their spans
 * meet, which at worst costs {@link unaliased} a needless copy.
 */
export function overlaps(a: MatrixView, b: MatrixView): boolean {
  if (a.data.buffer !== b.data.buffer) return false;
  if (end(a) <= start(b) || end(b) <= start(a)) return false;
  if (a.rows === 1 && b.rows === 1) return true;
  const s = a.rows === 1 ? b.stride : a.stride;
  if ((b.rows !== 1 && b.stride !== s) || a.cols > s || b.cols > s) return true;
  for (const [r0, r1, c0, c1] of rectangles(a, s)) {
    for (const [q0, q1, d0, d1] of rectangles(b, s)) {
      if (r0 < q1 && q0 < r1 && c0 < d1 && d0 < c1) return true;
    }
  }
  return false;
}

/** Are `a` and `b` the same elements in the same order (an in-place call)? */
function sameView(a: MatrixView, b: MatrixView): boolean {
  return (
    a.data.buffer === b.data.buffer &&
    start(a) === start(b) &&
    a.rows === b.rows &&
    a.cols === b.cols &&
    (a.rows === 1 || a.stride === b.stride)
  );
}

/** A compact copy of the rows×cols elements of `v` (stride = cols). */
function snapshot(v: MatrixView): Matrix {
  const m = new Matrix(v.rows, v.cols);
  for (let i = 0; i < v.rows; i++) {
    const from = v.offset + i * v.stride;
    m.data.set(v.data.subarray(from, from + v.cols), i * v.cols);
  }
  return m;
}

/**
 * `input`, or a copy of it when it shares elements with `out`: what lets every
 * `…Into` function take an output that aliases an input and give the result
 * it gives with separate arrays, bit for bit, on both tiers (the TypeScript
 * loops would otherwise read values they have already overwritten). With
 * `inPlace`, an input that is exactly `out` (same elements, same order) is
 * kept: an element-wise loop reads each value before it writes it.
 */
export function unaliased(out: MatrixView, input: MatrixView, inPlace = false): MatrixView {
  if (!overlaps(out, input)) return input;
  if (inPlace && sameView(out, input)) return input;
  return snapshot(input);
}

/**
 * {@link unaliased} for the operands of one product: A and B are copied when
 * they share elements with C (A(i,k) and B(k,j) are read after C[i][j] is
 * written), so a product into C with C as its left operand equals one with a copy of C.
 */
export function unaliasedOperands(op: GemmOperands): GemmOperands {
  const C: MatrixView = { data: op.c, offset: op.cOff, stride: op.cRow, rows: op.M, cols: op.N };
  // A(i,k) = a[aOff + i·aRow + k·aDepth]: unit stride along k (A·B, A·Bᵀ) or along i (Aᵀ·B).
  const aAlongK = op.aDepth === 1;
  const A: MatrixView = aAlongK
    ? { data: op.a, offset: op.aOff, stride: op.aRow, rows: op.M, cols: op.K }
    : { data: op.a, offset: op.aOff, stride: op.aDepth, rows: op.K, cols: op.M };
  const bAlongJ = op.bCol === 1;
  const B: MatrixView = bAlongJ
    ? { data: op.b, offset: op.bOff, stride: op.bDepth, rows: op.K, cols: op.N }
    : { data: op.b, offset: op.bOff, stride: op.bCol, rows: op.N, cols: op.K };
  const a = unaliased(C, A);
  const b = unaliased(C, B);
  if (a === A && b === B) return op;
  return {
    ...op,
    ...(a === A ? {} : aAlongK ? { a: a.data, aOff: 0, aRow: op.K } : { a: a.data, aOff: 0, aDepth: op.M }),
    ...(b === B ? {} : bAlongJ ? { b: b.data, bOff: 0, bDepth: op.N } : { b: b.data, bOff: 0, bCol: op.K }),
  };
}

/**
 * Thrown by a backward whose cache no longer matches the arrays it refers to:
 * x, the initial state or a weight was edited in place after the forward
 * that made the cache, so the gradients would mix the old and the new
 * values. The message names the array; {@link StaleCacheError.argument} too.
 */
export class StaleCacheError extends RangeError {
  /** The array that changed, e.g. `"Wx"`. */
  readonly argument: string;

  /**
   * @param message - The full, human-readable message.
   * @param argument - The name of the array that changed.
   */
  constructor(message: string, argument: string) {
    super(message);
    this.name = 'StaleCacheError';
    this.argument = argument;
  }
}

/** One array a forward's cache refers to, with its checksum at the time. */
interface StampedArray {
  /** The argument's name, as the forward's signature has it. */
  readonly name: string;
  /** The array itself (the cache refers to it anyway). */
  readonly data: Float64Array;
  /** Whether it is a weight (the advice in the message differs). */
  readonly weight: boolean;
  /** {@link checksum} of its 64-bit words' low and high halves. */
  readonly low: number;
  readonly high: number;
  /** Its length then, for the message when its buffer is detached since (absent in a stamp made by hand). */
  readonly length?: number;
}

/**
 * What a cache keeps to tell whether the caller's arrays it refers to
 * changed before the backward: a checksum of each, taken at the end of the
 * forward, and the forward's name for the message.
 */
export interface InputStamp {
  /** The forward that made the cache, e.g. `"lstmForward"`. */
  readonly forward: string;
  /** One record per array (its name, the array and its checksum); their form is internal. */
  readonly arrays: readonly unknown[];
}

/**
 * A checksum of the array's bits: 32-bit folds s ← (s ⊕ w)·k mod 2³² (k odd)
 * over its words, values 4j…4j+3 in four lanes, the low and the high word of
 * each value in lanes of their own, the lanes xor-ed at the end. Each fold
 * step is a bijection of s for a fixed w and of w for a fixed s, and any one
 * value reaches exactly one pair of lanes, so changing any one value (one or
 * both of its words) always changes the result; a swap of two values changes
 * it unless 2⁻³²-unlucky. One pass, two multiplies per value; eight lanes
 * rather than two let the multiplies overlap (≈ 25% faster here).
 */
function checksum(data: Float64Array): [number, number] {
  const w = new Uint32Array(data.buffer, data.byteOffset, 2 * data.length);
  const K = 0x9e3779b1;
  const L = 0x85ebca77;
  let l0 = 1;
  let h0 = 2;
  let l1 = 3;
  let h1 = 4;
  let l2 = 5;
  let h2 = 6;
  let l3 = 7;
  let h3 = 8;
  const n = w.length;
  const n8 = n - (n % 8);
  let k = 0;
  for (; k < n8; k += 8) {
    l0 = Math.imul(l0 ^ (w[k] as number), K);
    h0 = Math.imul(h0 ^ (w[k + 1] as number), L);
    l1 = Math.imul(l1 ^ (w[k + 2] as number), K);
    h1 = Math.imul(h1 ^ (w[k + 3] as number), L);
    l2 = Math.imul(l2 ^ (w[k + 4] as number), K);
    h2 = Math.imul(h2 ^ (w[k + 5] as number), L);
    l3 = Math.imul(l3 ^ (w[k + 6] as number), K);
    h3 = Math.imul(h3 ^ (w[k + 7] as number), L);
  }
  for (; k < n; k += 2) {
    l0 = Math.imul(l0 ^ (w[k] as number), K);
    h0 = Math.imul(h0 ^ (w[k + 1] as number), L);
  }
  return [l0 ^ l1 ^ l2 ^ l3, h0 ^ h1 ^ h2 ^ h3];
}

type Stampable = { readonly data: Float64Array } | undefined;

/**
 * The stamp a forward keeps in its cache: a {@link checksum} of each of
 * `inputs` (x, the initial state) and of each weight in `params`, the caller's
 * arrays the cache refers to instead of copying (`params` is a weights
 * record: every Matrix in it). {@link checkStamp} compares
 * them at the start of the backward. Costs one pass over those arrays.
 */
export function stampInputs(
  forward: string,
  inputs: { readonly [name: string]: Stampable },
  params: object = {},
): InputStamp {
  const arrays: StampedArray[] = [];
  for (const [record, weight] of [
    [inputs, false],
    [params, true],
  ] as const) {
    for (const [name, m] of Object.entries(record as { readonly [name: string]: Stampable })) {
      if (!(m?.data instanceof Float64Array)) continue;
      const [low, high] = checksum(m.data);
      arrays.push({ name, data: m.data, weight, low, high, length: m.data.length });
    }
  }
  return { forward, arrays };
}

function kindOfStamp(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object without its checksums' : typeof v;
}

function isStampedArray(a: unknown): a is StampedArray {
  const r = a as Partial<StampedArray> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.name === 'string' &&
    r.data instanceof Float64Array &&
    typeof r.weight === 'boolean' &&
    typeof r.low === 'number' &&
    typeof r.high === 'number'
  );
}

/**
 * Throws a `TypeError` naming the first array `cache.stamp` refers to whose
 * buffer was detached since the forward. A backward calls it before reading
 * the cache, so the message names the forward's argument (`x`, `h0`, `Wx`)
 * rather than the cache field that shares its storage, or the engine's text.
 */
export function expectLiveStamp(fn: string, cache: unknown): void {
  const arrays = (cache as { stamp?: { arrays?: unknown } | null } | null)?.stamp?.arrays;
  if (!Array.isArray(arrays)) return;
  for (const a of arrays) {
    // A detached array has length 0; the forward never stamps an empty one (every size is ≥ 1).
    if (!isStampedArray(a) || a.data.length !== 0 || !isDetached(a.data.buffer)) continue;
    const forward = (cache as { stamp: { forward?: unknown } }).stamp.forward;
    const by = typeof forward === 'string' ? forward : 'the forward';
    throw new TypeError(
      `${fn}: ${a.name}'s buffer was detached (transferred to a worker or another thread?) after ${by} made ` +
        `the cache, which keeps ${a.name}; it holds 0 of the ${a.length ?? 'its'} values it held then; run ${by} ` +
        'again on data that is not transferred',
    );
  }
}

/**
 * Throws a {@link StaleCacheError} naming the first array whose checksum
 * differs from the one `cache.stamp` kept: an array edited in place between
 * the forward and `fn` (a `TypeError` for one detached since, as
 * {@link expectLiveStamp}). A cache without a stamp (made by hand) is not
 * checked.
 */
export function checkStamp(fn: string, cache: unknown): void {
  const stamp = (cache as { stamp?: unknown } | null)?.stamp;
  if (stamp === undefined) return;
  const { forward, arrays } = (stamp ?? {}) as Partial<InputStamp>;
  if (typeof forward !== 'string' || !Array.isArray(arrays) || !arrays.every(isStampedArray)) {
    throw new TypeError(
      `${fn}: cache.stamp must be the stamp its forward left there (or absent, for a cache made by hand), ` +
        `got ${kindOfStamp(stamp)}`,
    );
  }
  expectLiveStamp(fn, cache);
  for (const a of arrays) {
    const [low, high] = checksum(a.data);
    if (low === a.low && high === a.high) continue;
    const advice = a.weight
      ? 'run the forward again after updating weights (or update them after the backward)'
      : `run the forward again after changing ${a.name}`;
    throw new StaleCacheError(
      `${fn}: ${a.name} changed between ${forward} and ${fn} (its contents differ from when the cache was made); ` +
        advice,
      a.name,
    );
  }
}
