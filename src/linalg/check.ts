/**
 * Argument checks for the API boundary. Each throws before any arithmetic,
 * with a message that names the function, the argument, the expected and the
 * actual shape, so a student can fix the call without reading our code.
 */
import { expectLiveData, expectLiveView, liveMatrix, liveTensor3 } from './buffers.js';
import { ShapeError } from './errors.js';
import { describeValue, matrixLike, nestedShape, raggedAt, tensorLike, typedArrayName } from './describe.js';
import { Matrix, Tensor3, type MatrixView } from './matrix.js';

function isPositiveInt(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

/** The argument lists of the cells' functions, said when an argument is missing or out of place. */
const SIGNATURES: Readonly<Record<string, string>> = {
  rnnStepForward: '(x, hPrev, p)',
  rnnStepBackward: '(dh, cache)',
  rnnForward: '(x, h0, p)',
  rnnBackward: '(dh, cache)',
  lstmStepForward: '(x, hPrev, cPrev, p)',
  lstmStepBackward: '(dh, dcNext, cache)',
  lstmForward: '(x, h0, p, c0?)',
  lstmBackward: '(dh, cache, dcT?)',
  gruStepForward: '(x, hPrev, p)',
  gruStepBackward: '(dh, cache)',
  gruForward: '(x, h0, p)',
  gruBackward: '(dh, cache)',
};

/**
 * For an argument that is missing (undefined) or is what another argument
 * should be (a params record or cache where a Matrix goes, a Matrix where a
 * record goes): the function's argument list, since a left-out or swapped
 * argument is the likely cause.
 */
function orderHint(fn: string, name: string, v: unknown, wantRecord: boolean): string {
  const signature = SIGNATURES[fn];
  if (signature === undefined || !signature.replace(/[()?]/g, '').split(', ').includes(name)) return '';
  const record = typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
  const misplaced = wantRecord
    ? matrixLike(v) !== undefined || tensorLike(v) !== undefined
    : record && matrixLike(v) === undefined && tensorLike(v) === undefined;
  return v === undefined || misplaced ? `; ${fn} takes ${signature}` : '';
}

/** What a `Matrix` or `Tensor3` argument is for, said in its type error. */
export interface Expecting {
  /** The expected shape in letters, e.g. `"N×H"`; printed after the type. */
  readonly shape?: string;
  /** Replaces the generic advice after the actual value, e.g. `"; use rnnStepForward for one step"`. */
  readonly hint?: string;
}

function typedArrayHint(name: string, typed: string, make: string): string {
  return typed === 'Float64Array'
    ? `; wrap it: ${make.replace('DATA', name)}`
    : `; handgrad computes in float64: ${make.replace('DATA', `Float64Array.from(${name})`)}`;
}

/** The advice after "got …" when a Matrix was expected. */
function matrixHint(name: string, v: unknown): string {
  if (tensorLike(v) !== undefined) return `; a Tensor3 holds a sequence — take one time step with ${name}.step(t)`;
  if (Array.isArray(v) && raggedAt(v) !== undefined) return '; every row must hold the same number of values';
  if (Array.isArray(v)) {
    const shape = nestedShape(v);
    if (shape.includes(0)) return '';
    if (shape.length === 1) return `; Matrix.from takes rows (number[][]): Matrix.from([${name}]) is 1×${shape[0]}`;
    if (shape.length === 2) return `; wrap it with Matrix.from(${name}) (a ${shape[0]}×${shape[1]} Matrix)`;
    return `; that is ${shape.slice(0, 3).join('×')}, a sequence (Tensor3.from), not a Matrix`;
  }
  const typed = typedArrayName(v);
  if (typed !== undefined) return typedArrayHint(name, typed, 'new Matrix(rows, cols, DATA)');
  return '';
}

/** The advice after "got …" when a Tensor3 was expected. */
function tensorHint(name: string, v: unknown): string {
  if (matrixLike(v) !== undefined) return `; ${name} is a sequence (N×T×…) — use Tensor3`;
  if (Array.isArray(v) && raggedAt(v) !== undefined) return '; every row must hold the same number of values';
  if (Array.isArray(v)) {
    const shape = nestedShape(v);
    if (shape.includes(0)) return '';
    if (shape.length === 3) return `; wrap it with Tensor3.from(${name}) (a ${shape.join('×')} Tensor3)`;
    const levels = `${shape.length} level${shape.length > 1 ? 's' : ''}`;
    return `; Tensor3.from takes a[n][t][d] (number[][][]), this has ${levels}`;
  }
  const typed = typedArrayName(v);
  if (typed !== undefined) return typedArrayHint(name, typed, 'new Tensor3(N, T, D, DATA)');
  return '';
}

/** A look-alike whose data is not a Float64Array (a Float32Array, a plain array): how to convert it. */
function notFloat64(fn: string, name: string, what: string, v: unknown, shape: string, make: string): TypeError {
  const data = (v as { data: unknown }).data;
  const typed = typedArrayName(data);
  const held = typed === undefined ? describeValue(data) : `a ${typed}`;
  return new TypeError(
    `${fn}: ${name} must be a ${what} (Float64Array data), got a ${shape} object whose data is ${held}; ` +
      `convert it: ${make.replace('DATA', `Float64Array.from(${name}.data)`)}`,
  );
}

/**
 * Returns `v` as a {@link Matrix}, or throws a `TypeError` naming `name`
 * and what `v` is instead (a Tensor3, a plain array of some shape, a typed
 * array) with how to turn it into the Matrix wanted. Accepts a `Matrix` from
 * another copy of this library too (anything with positive integer `rows`,
 * `cols` and a `Float64Array` `data` of rows·cols).
 */
export function asMatrix(fn: string, name: string, v: unknown, expecting: Expecting = {}): Matrix {
  if (v instanceof Matrix) return liveMatrix(fn, name, v);
  const like = matrixLike(v);
  if (like !== undefined && tensorLike(v) === undefined) {
    const { rows, cols, data } = like;
    if (!(data instanceof Float64Array)) {
      throw notFloat64(fn, name, 'Matrix', v, `${rows}×${cols} matrix-like`, `new Matrix(${rows}, ${cols}, DATA)`);
    }
    if (data.length !== rows * cols) {
      expectLiveData(fn, name, data, rows * cols, `${rows}×${cols} shape`);
      throw new ShapeError(
        `${fn}: ${name} claims to be ${rows}×${cols} but its data holds ${data.length} values, not ${rows * cols}`,
        name,
      );
    }
    return new Matrix(rows, cols, data);
  }
  const shape = expecting.shape === undefined ? '' : ` (${expecting.shape})`;
  throw new TypeError(
    `${fn}: ${name} must be a Matrix${shape}, got ${describeValue(v)}` +
      (expecting.hint ?? matrixHint(name, v)) +
      orderHint(fn, name, v, false),
  );
}

function isIndex(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/**
 * Checks that `v` is a {@link MatrixView} whose rows all lie inside its data:
 * a `TypeError` naming `name` for anything else (a plain or ragged array,
 * null, a record without Float64Array data or with non-integer fields), a
 * `RangeError` when the view reaches past its data. The block operations
 * call it on every argument, so a wrong one fails here rather than as a
 * silent no-op or NaN from inside their loops.
 */
export function expectView(fn: string, name: string, v: unknown): MatrixView {
  const view = v as Partial<MatrixView> | null;
  const fields = typeof v === 'object' && v !== null && view !== null;
  const like = matrixLike(v);
  if (like !== undefined && tensorLike(v) === undefined && !(like.data instanceof Float64Array)) {
    throw notFloat64(
      fn,
      name,
      'Matrix',
      v,
      `${like.rows}×${like.cols} matrix-like`,
      `new Matrix(${like.rows}, ${like.cols}, DATA)`,
    );
  }
  if (!fields || !(view.data instanceof Float64Array) || tensorLike(v) !== undefined) {
    throw new TypeError(
      `${fn}: ${name} must be a Matrix or matrix view (Float64Array data, offset, stride, rows, cols), ` +
        `got ${describeValue(v)}${matrixHint(name, v)}`,
    );
  }
  const { data, offset, stride, rows, cols } = view;
  if (
    !isIndex(offset) ||
    !isPositiveInt(rows) ||
    !isPositiveInt(cols) ||
    !isIndex(stride) ||
    (rows > 1 && stride < cols)
  ) {
    throw new TypeError(
      `${fn}: ${name} must have whole-number offset ≥ 0, rows ≥ 1, cols ≥ 1 and stride ≥ cols, ` +
        `got offset ${String(offset)}, rows ${String(rows)}, cols ${String(cols)}, stride ${String(stride)}`,
    );
  }
  const needed = offset + (rows - 1) * stride + cols;
  if (needed > data.length) {
    expectLiveView(fn, name, view as MatrixView, needed);
    throw new RangeError(
      `${fn}: ${name} is a ${rows}×${cols} view at offset ${offset} with stride ${stride}, ` +
        `which reaches value ${needed}, but its data holds ${data.length}`,
    );
  }
  return view as MatrixView;
}

/**
 * Returns `v` as a {@link Tensor3}, or throws a `TypeError` naming `name`,
 * what `v` is instead and how to make the Tensor3 wanted (see {@link asMatrix}).
 */
export function asTensor3(fn: string, name: string, v: unknown, expecting: Expecting = {}): Tensor3 {
  if (v instanceof Tensor3) return liveTensor3(fn, name, v);
  const like = tensorLike(v);
  if (like !== undefined) {
    const [N, T, D] = like.dims;
    if (!(like.data instanceof Float64Array)) {
      throw notFloat64(fn, name, 'Tensor3', v, `${N}×${T}×${D} tensor-like`, `new Tensor3(${N}, ${T}, ${D}, DATA)`);
    }
    if (like.data.length !== N * T * D) {
      expectLiveData(fn, name, like.data, N * T * D, `${N}×${T}×${D} shape`);
      throw new ShapeError(
        `${fn}: ${name} claims to be ${N}×${T}×${D} but its data holds ${like.data.length} values, not ${N * T * D}`,
        name,
      );
    }
    return new Tensor3(N, T, D, like.data);
  }
  const shape = ` (${expecting.shape ?? 'N×T×D: batch × time × features'})`;
  throw new TypeError(
    `${fn}: ${name} must be a Tensor3${shape}, got ${describeValue(v)}` +
      (expecting.hint ?? tensorHint(name, v)) +
      orderHint(fn, name, v, false),
  );
}

/** Checks that `v` is a non-null object (a params record or a cache), not an array, Matrix or typed array. */
export function expectRecord(fn: string, name: string, v: unknown, what: string): Record<string, unknown> {
  const isRecord =
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    matrixLike(v) === undefined &&
    tensorLike(v) === undefined;
  if (!isRecord)
    throw new TypeError(`${fn}: ${name} must be ${what}, got ${describeValue(v)}${orderHint(fn, name, v, true)}`);
  return v as Record<string, unknown>;
}

/**
 * A size and the argument it was read from, so that a message can say
 * "H = 64 from Wh". The authority order (docs/architecture.md, "Argument
 * checks"): N, T and D come from x, H from the rows of Wh, the gate count
 * from the cell; every other argument is checked against those.
 */
export interface Dim {
  /** The letter of the docs' shapes: N, T, D, H. */
  readonly sym: string;
  /** Its value. */
  readonly size: number;
  /** Where it was read, e.g. `"x"`, `"Wh"`, `"the cache"`. */
  readonly from: string;
}

/** A {@link Dim}. */
export function dim(sym: string, size: number, from: string): Dim {
  return { sym, size, from };
}

/** One side of an expected shape: a size, k times a size (the 4H of an LSTM), or a literal 1. */
export type Side = Dim | 1 | readonly [k: number, d: Dim];

function sideOf(s: Side): { sym: string; size: number; dims: Dim[] } {
  if (s === 1) return { sym: '1', size: 1, dims: [] };
  if (Array.isArray(s)) {
    const [k, d] = s as readonly [number, Dim];
    return { sym: k === 1 ? d.sym : `${k}${d.sym}`, size: k * d.size, dims: [d] };
  }
  const d = s as Dim;
  return { sym: d.sym, size: d.size, dims: [d] };
}

function andList(parts: readonly string[]): string {
  return parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The size a side stands for (what {@link sideOf} computes, without the text). */
function sideSize(s: Side): number {
  if (s === 1) return 1;
  if (Array.isArray(s)) return (s as readonly [number, Dim])[0] * (s as readonly [number, Dim])[1].size;
  return (s as Dim).size;
}

/** "N×H = 4×64" and "N = 4 from x, H = 64 from Wh" for the given sides. */
function shapeText(sides: readonly Side[], note?: string): { letters: string; text: string; sizes: number[] } {
  const parts = sides.map(sideOf);
  const letters = `${parts.map((p) => p.sym).join('×')} = ${parts.map((p) => p.size).join('×')}`;
  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const d of parts.flatMap((p) => p.dims)) {
    if (seen.has(d.sym)) continue;
    seen.add(d.sym);
    groups.set(d.from, [...(groups.get(d.from) ?? []), `${d.sym} = ${d.size}`]);
  }
  const sources = [...groups].map(([from, syms]) => `${andList(syms)} from ${from}`).join(', ');
  const inside = [note, sources].filter(Boolean).join(': ');
  return { letters, text: inside ? `${letters} (${inside})` : letters, sizes: parts.map((p) => p.size) };
}

/**
 * Checks that `v` is a Matrix of the shape `rows`×`cols`, saying where each
 * expected size came from: `rnnForward: h0 must be N×H = 4×64 (N = 4 from
 * x, H = 64 from Wh), got 4×65`. `note` goes first inside the brackets
 * ("the shape of h"); `hint` after the actual shape.
 */
export function expectShape(
  fn: string,
  name: string,
  v: unknown,
  rows: Side,
  cols: Side,
  note?: string,
  hint = '',
): Matrix {
  // The common case first: the message's text is built only when it is needed.
  if (v instanceof Matrix && v.rows === sideSize(rows) && v.cols === sideSize(cols)) return liveMatrix(fn, name, v);
  const want = shapeText([rows, cols], note);
  const m = asMatrix(fn, name, v, { shape: want.letters });
  if (m.rows !== want.sizes[0] || m.cols !== want.sizes[1]) {
    throw new ShapeError(`${fn}: ${name} must be ${want.text}, got ${m.rows}×${m.cols}${hint}`, name);
  }
  return m;
}

/** {@link expectShape} for a Tensor3. */
export function expectShape3(
  fn: string,
  name: string,
  v: unknown,
  sides: readonly [Side, Side, Side],
  note?: string,
): Tensor3 {
  if (v instanceof Tensor3 && v.dims.every((d, i) => d === sideSize(sides[i] as Side))) return liveTensor3(fn, name, v);
  const want = shapeText(sides, note);
  const t = asTensor3(fn, name, v, { shape: want.letters });
  if (t.dims.some((d, i) => d !== want.sizes[i])) {
    throw new ShapeError(`${fn}: ${name} must be ${want.text}, got ${t.dims.join('×')}`, name);
  }
  return t;
}

/** A forward's N×H state input (cPrev, c0): N from x, H from Wh. */
export function expectState(fn: string, name: string, v: unknown, N: number, H: number): Matrix {
  return expectShape(fn, name, v, dim('N', N, 'x'), dim('H', H, 'Wh'));
}

/**
 * An upstream gradient of a step backward (`dh`, `dcNext`): N×H, the shape
 * of the forward output `of` it is the gradient of, whose sizes the cache
 * holds. The same text on both paths, whatever the cache's layout.
 */
export function expectUpstream(fn: string, name: string, v: unknown, of: string, N: number, H: number): Matrix {
  return expectShape(fn, name, v, dim('N', N, 'the cache'), dim('H', H, 'the cache'), `the shape of ${of}`);
}

/** {@link expectUpstream} for a sequence backward's N×T×H `dh`. */
export function expectUpstreamSeq(
  fn: string,
  name: string,
  v: unknown,
  of: string,
  N: number,
  T: number,
  H: number,
): Tensor3 {
  const sides = [dim('N', N, 'the cache'), dim('T', T, 'the cache'), dim('H', H, 'the cache')] as const;
  return expectShape3(fn, name, v, sides, `the shape of ${of}`);
}

/**
 * Checks that `v` is a rows×cols matrix. `why` explains the expected shape in
 * the message, e.g. `"the shape of pred"`.
 */
export function expectMatrix(fn: string, name: string, v: unknown, rows: number, cols: number, why?: string): Matrix {
  const m = asMatrix(fn, name, v, { shape: `${rows}×${cols}` });
  if (m.rows !== rows || m.cols !== cols) {
    throw new ShapeError(
      `${fn}: ${name} must be ${rows}×${cols}${why ? ` (${why})` : ''}, got ${m.rows}×${m.cols}`,
      name,
    );
  }
  return m;
}

/** Checks that `v` is an N×T×D tensor; `why` explains the expected shape. */
export function expectTensor3(
  fn: string,
  name: string,
  v: unknown,
  N: number,
  T: number,
  D: number,
  why?: string,
): Tensor3 {
  const t = asTensor3(fn, name, v, { shape: `${N}×${T}×${D}` });
  const [n, tt, d] = t.dims;
  if (n !== N || tt !== T || d !== D) {
    throw new ShapeError(`${fn}: ${name} must be ${N}×${T}×${D}${why ? ` (${why})` : ''}, got ${n}×${tt}×${d}`, name);
  }
  return t;
}

/** Which forward made a cache, told from its fields; `path` undefined when both paths make the same. */
interface CacheOrigin {
  readonly forward: string | undefined;
  readonly path: 'fast' | 'reference' | undefined;
  readonly has: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The cell a params record is for: bx/bh make a GRU's; otherwise Wh's columns per row (1, 4, 3). */
function cellOfParams(p: unknown): string | undefined {
  if (!isObject(p)) return undefined;
  if ('bx' in p || 'bh' in p) return 'gru';
  const wh = matrixLike(p.Wh);
  return wh === undefined
    ? undefined
    : ({ 1: 'rnn', 4: 'lstm', 3: 'gru' } as Record<number, string>)[wh.cols / wh.rows];
}

/** The fields of `r` among `names`, as "a, b and c". */
function present(r: Record<string, unknown>, names: readonly string[]): string {
  return andList(names.filter((k) => k in r));
}

/**
 * A step cache's cell and path, from the fields each step forward writes;
 * its params, when they tell, decide the cell (a cache missing a field is
 * then that cell's cache with a field missing, not another cell's).
 */
function stepOrigin(r: Record<string, unknown>): { cell: string; path: CacheOrigin['path']; has: string } | undefined {
  if (!('x' in r) || !('hPrev' in r)) return undefined;
  const cell = cellOfParams(r.params) ?? ('cPrev' in r ? 'lstm' : 'hn' in r ? 'gru' : 'rnn');
  if (cell === 'lstm') {
    const fast = 'gates' in r || 'tanhC' in r;
    const ref = ['f', 'i', 'g', 'o'].some((k) => k in r);
    const has = fast ? present(r, ['cPrev', 'gates', 'tanhC']) : 'cPrev and the gates f, i, g, o';
    return { cell, path: fast ? 'fast' : ref ? 'reference' : undefined, has };
  }
  if (cell === 'gru') {
    const fast = 'gates' in r;
    const ref = ['r', 'z', 'n'].some((k) => k in r);
    const has = fast ? present(r, ['hn', 'gates']) : 'hn and the gates r, z, n';
    return { cell, path: fast ? 'fast' : ref ? 'reference' : undefined, has };
  }
  return { cell, path: undefined, has: 'hPrev and h, no gates' };
}

function cacheOrigin(r: Record<string, unknown>): CacheOrigin | undefined {
  if (Array.isArray(r.steps) && r.x === undefined) {
    const s = isObject(r.steps[0]) ? stepOrigin(r.steps[0]) : undefined;
    return { forward: s && `${s.cell}Forward`, path: 'reference', has: s ? `steps, each with ${s.has}` : 'steps' };
  }
  if ('ids' in r && 'V' in r) return { forward: 'wordEmbeddingForward', path: undefined, has: 'ids, V and D' };
  if ('x' in r && 'W' in r && !('h0' in r) && !('hPrev' in r)) {
    return { forward: 'temporalAffineForward', path: undefined, has: 'x, W and b' };
  }
  if ('x' in r && 'h0' in r && r.steps === undefined) {
    const cell = cellOfParams(r.params) ?? ('c' in r || 'tanhC' in r ? 'lstm' : 'hn' in r ? 'gru' : 'rnn');
    const has = { lstm: 'h0, c and tanhC', gru: 'h0, gates and hn', rnn: 'h0 and h, no gates' }[cell] as string;
    return { forward: `${cell}Forward`, path: 'fast', has };
  }
  if ('x' in r && 'hPrev' in r) {
    const s = stepOrigin(r) as NonNullable<ReturnType<typeof stepOrigin>>;
    return { forward: `${s.cell}StepForward`, path: s.path, has: s.has };
  }
  return undefined;
}

/** `a gruForward`, `an lstmForward`, `an rnnStepForward`: by the sound of the first letter. */
function withArticle(name: string): string {
  return `${/^[aefhilmnorsx]/i.test(name) ? 'an' : 'a'} ${name}`;
}

const PATH_NAME = { fast: "handgrad's", reference: "handgrad/reference's" } as const;

/**
 * Refuses a cache another forward made, naming it and where to take it: a
 * cache of another cell, a step cache given to a sequence backward (or the
 * reverse), the whole `{ h, cache }` result instead of its `cache`, or a
 * sequence cache of the other path (a reference cache holds `steps`, the
 * step caches; a fast one `x`, `h0` and flat buffers). Told from the fields
 * each forward writes, so a cache copied with `{ ...cache }` is still told.
 */
export function expectCacheOfPath(
  fn: string,
  cache: Record<string, unknown>,
  forward: string,
  path: 'fast' | 'reference',
): void {
  if ('cache' in cache && !('x' in cache) && isObject(cache.cache)) {
    const inner = cacheOrigin(cache.cache)?.forward;
    const outputs = Object.keys(cache).join(', ');
    throw new TypeError(
      `${fn}: cache is the whole result of ${inner ?? 'a forward'} ({ ${outputs} }), not its cache; pass result.cache`,
    );
  }
  const origin = cacheOrigin(cache);
  if (origin === undefined) return;
  const backward = (f: string) => f.replace(/Forward$/, 'Backward');
  if (origin.forward !== undefined && origin.forward !== forward) {
    const where = origin.path !== undefined && origin.path !== path ? `${PATH_NAME[origin.path]} ` : '';
    throw new TypeError(
      `${fn}: cache is ${withArticle(origin.forward)} cache (it has ${origin.has}); ` +
        `pass it to ${where}${backward(origin.forward)} — ${fn} takes the cache of ${forward}`,
    );
  }
  if (origin.path !== undefined && origin.path !== path) {
    throw new TypeError(
      `${fn}: cache was made by ${origin.path === 'reference' ? "handgrad/reference's" : "handgrad's (fast)"} ` +
        `${forward}; pass it to ${PATH_NAME[origin.path]} ${fn}, or give this ${fn} the cache of ` +
        `${PATH_NAME[path]} ${forward}`,
    );
  }
}

/** How a cell's params record is laid out. */
export interface CellLayout {
  /** The record's type, e.g. `"LstmParams"`. */
  readonly record: string;
  /** Blocks stacked side by side in Wx, Wh and the biases: 1 (RNN), 4 (LSTM), 3 (GRU). */
  readonly gates: number;
  /** The 1×gH bias rows: `["b"]` or `["bx", "bh"]`. */
  readonly biases: readonly string[];
}

const CELL_OF_GATES: Readonly<Record<number, string>> = {
  1: 'a vanilla RNN (rnn…)',
  3: 'a GRU (gru…)',
  4: 'an LSTM (lstm…)',
};

/**
 * H for a params record: Wh's rows when Wh is H×gH, unless Wx and every bias
 * agree on another H (then Wh is the odd one out); when Wh is not H×gH (a
 * transposed or another cell's Wh), Wx's columns / g. So the message blames
 * the one weight that disagrees, not the others against it.
 */
function hiddenSize(field: (k: string) => string, r: Record<string, unknown>, layout: CellLayout, Wh: Matrix): Dim {
  const g = layout.gates;
  const colsOver = (v: unknown): number | undefined => {
    const m = matrixLike(v);
    return m !== undefined && m.cols % g === 0 ? m.cols / g : undefined;
  };
  const fromWx = colsOver(r.Wx);
  const perGate = g === 1 ? '' : ` / ${g}`;
  if (Wh.cols === g * Wh.rows) {
    const agree = fromWx !== undefined && fromWx !== Wh.rows && layout.biases.every((b) => colsOver(r[b]) === fromWx);
    if (!agree) return dim('H', Wh.rows, field('Wh'));
    return dim('H', fromWx, `the columns${perGate} of ${andList(['Wx', ...layout.biases].map(field))}`);
  }
  if (fromWx !== undefined) return dim('H', fromWx, `${field('Wx')}'s columns${perGate}`);
  return dim('H', Wh.rows, `${field('Wh')}'s rows`);
}

/**
 * A whole params record of another cell (an LSTM's given to an RNN): Wx, Wh
 * and the biases agree on k gate blocks of one H, and k is not this cell's.
 * Said as such, rather than as one weight of the wrong width.
 */
function refuseOtherCell(fn: string, at: string, r: Record<string, unknown>, layout: CellLayout, what: string): void {
  const [wx, wh] = [matrixLike(r.Wx), matrixLike(r.Wh)];
  if (wx === undefined || wh === undefined) return;
  const k = wh.cols / wh.rows;
  const kH = k * wh.rows;
  const agree = wx.cols === kH && layout.biases.every((b) => matrixLike(r[b])?.cols === kH);
  if (k === layout.gates || CELL_OF_GATES[k] === undefined || !agree) return;
  const g = layout.gates;
  throw new TypeError(
    `${fn}: ${at} holds the weights of ${CELL_OF_GATES[k]}: Wx ${wx.rows}×${wx.cols} and Wh ${wh.rows}×${wh.cols} ` +
      `are ${k} gate block${k > 1 ? 's' : ''} of H = ${wh.rows}; ${fn} takes ${what} of ${g} ` +
      `block${g > 1 ? 's' : ''} (Wh H×${g === 1 ? '' : g}H = ${wh.rows}×${g * wh.rows})`,
  );
}

/**
 * Checks a cell's params record: Wh first, whose rows are H (unless `H` is
 * given, as a cache's check does), then Wx against D and H, then the biases.
 * `at` is the record's name in messages: `p` (its fields are then called
 * `Wx`, `Wh`…, as in the docs) or e.g. `cache.params`.
 */
export function checkCellParams(
  fn: string,
  p: unknown,
  layout: CellLayout,
  D: Dim,
  H?: Dim,
  at = 'p',
): { params: Record<string, Matrix>; H: Dim } {
  const fields = ['Wx', 'Wh', ...layout.biases];
  const what = `${withArticle(layout.record)} record { ${fields.join(', ')} }`;
  const r = expectRecord(fn, at, p, what);
  const field = (k: string): string => (at === 'p' ? k : `${at}.${k}`);
  const theirs = layout.biases.length === 1 ? ['bx', 'bh'] : ['b'];
  const has = theirs.filter((k) => k in r);
  if (has.length > 0 && !layout.biases.some((k) => k in r)) {
    const other = theirs.length === 2 ? 'a GruParams record' : 'an RnnParams or LstmParams record';
    throw new TypeError(
      `${fn}: ${at} has ${andList(has)} but no ${andList(layout.biases)}: it looks like ${other}; ${fn} takes ${what}`,
    );
  }
  const g = layout.gates;
  const gH = g === 1 ? 'H' : `${g}H`;
  if (H === undefined) refuseOtherCell(fn, at, r, layout, what);
  const whm = asMatrix(fn, field('Wh'), r.Wh, { shape: `H×${gH}` });
  const h = H ?? hiddenSize(field, r, layout, whm);
  const ratio = whm.cols / whm.rows;
  const other = H === undefined && ratio !== g ? CELL_OF_GATES[ratio] : undefined;
  const whHint =
    whm.rows === g * h.size && whm.cols === h.size && g > 1
      ? '; that is its transpose'
      : other
        ? `; ${whm.rows}×${whm.cols} is H×${ratio === 1 ? '' : ratio}H, the Wh of ${other}`
        : '';
  const Wh = expectShape(fn, field('Wh'), whm, h, [g, h], undefined, whHint);
  const wxm = asMatrix(fn, field('Wx'), r.Wx, { shape: `D×${gH} = ${D.size}×${g * h.size}` });
  const flipped = wxm.rows === g * h.size && wxm.cols === D.size && wxm.rows !== wxm.cols;
  const wxHint = flipped ? `; that is its transpose (PyTorch's weight_ih is ${gH}×D)` : '';
  const params: Record<string, Matrix> = { Wx: expectShape(fn, field('Wx'), wxm, D, [g, h], undefined, wxHint), Wh };
  for (const b of layout.biases) params[b] = expectShape(fn, field(b), r[b], 1, [g, h]);
  return { params, H: h };
}

/**
 * The checks every step forward starts with, on both paths, in the
 * authority order: x is an N×D Matrix (N and D are read from it), then the
 * cell's params by `checkParams` (H is Wh's rows), then hPrev against N and H.
 */
export function checkStepInputs<P extends { readonly Wh: Matrix }>(
  fn: string,
  x: unknown,
  hPrev: unknown,
  p: unknown,
  checkParams: (fn: string, p: unknown, D: Dim) => P,
): { x: Matrix; hPrev: Matrix; params: P; N: number; D: number; H: number } {
  const sequence = fn.replace('StepForward', 'Forward');
  const hint =
    tensorLike(x) === undefined ? undefined : `; one step's x is N×D — pass x.step(t) (or ${sequence} for a sequence)`;
  const xm = asMatrix(fn, 'x', x, { shape: 'N×D: batch × features', hint });
  const [N, D] = [xm.rows, xm.cols];
  const params = checkParams(fn, p, dim('D', D, 'x'));
  const H = params.Wh.rows;
  const hm = expectShape(fn, 'hPrev', hPrev, dim('N', N, 'x'), dim('H', H, 'Wh'));
  return { x: xm, hPrev: hm, params, N, D, H };
}

/**
 * The checks every sequence forward starts with, on both paths, in the
 * authority order: x is an N×T×D Tensor3 (N, T and D are read from it), then
 * the cell's params by `checkParams` (H is Wh's rows), then h0 against N and H.
 */
export function checkSequenceInputs<P extends { readonly Wh: Matrix }>(
  fn: string,
  x: unknown,
  h0: unknown,
  p: unknown,
  checkParams: (fn: string, p: unknown, D: Dim) => P,
): { x: Tensor3; h0: Matrix; params: P; N: number; T: number; D: number; H: number } {
  const step = fn.replace(/Forward$/, 'StepForward');
  const hint =
    matrixLike(x) === undefined ? undefined : `; a sequence x is N×T×D — use Tensor3 (or ${step} for one step)`;
  const xs = asTensor3(fn, 'x', x, { hint });
  const [N, T, D] = xs.dims;
  const params = checkParams(fn, p, dim('D', D, 'x'));
  const H = params.Wh.rows;
  const h0m = expectShape(fn, 'h0', h0, dim('N', N, 'x'), dim('H', H, 'Wh'));
  return { x: xs, h0: h0m, params, N, T, D, H };
}
