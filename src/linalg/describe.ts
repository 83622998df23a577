/**
 * How a value reads in an error message: what it is and how big, never its
 * contents, so "got a Matrix (2×3)" or "got a plain 2×3×4 array of numbers"
 * tells the caller which of their values reached the wrong argument.
 * Duck-typed (no import of Matrix) so matrix.ts can use it too.
 */

/** The lengths along `a[0][0]…`, as deep as the nesting goes (at most 4 levels). */
export function nestedShape(a: readonly unknown[]): number[] {
  const shape: number[] = [];
  let v: unknown = a;
  while (Array.isArray(v) && shape.length < 4) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

function leafOf(a: readonly unknown[]): unknown {
  let v: unknown = a;
  while (Array.isArray(v)) v = v[0];
  return v;
}

function leafKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Where a nested array stops being rectangular, e.g. `"[0][1] holds 1 value, [0][0] holds 2"`, or undefined
 * when every level has the lengths of the first path ({@link nestedShape}). Walks the whole array: for
 * messages only.
 */
export function raggedAt(a: readonly unknown[]): string | undefined {
  const shape = nestedShape(a);
  const first = (d: number): string => '[0]'.repeat(d);
  const walk = (v: unknown, d: number, path: string): string | undefined => {
    if (d === shape.length) {
      return Array.isArray(v) && shape.length < 4 ? `${path} is an array, ${first(d)} is not` : undefined;
    }
    if (!Array.isArray(v)) return `${path} is ${describeValue(v)}, ${first(d)} an array of ${shape[d]}`;
    if (v.length !== shape[d]) {
      return `${path} holds ${v.length} value${v.length === 1 ? '' : 's'}, ${first(d)} holds ${shape[d]}`;
    }
    for (let i = 0; i < v.length; i++) {
      const r = walk(v[i], d + 1, `${path}[${i}]`);
      if (r !== undefined) return r;
    }
    return undefined;
  };
  return walk(a, 0, '');
}

/** `"a plain 2×3 array of numbers"`, `"a plain array of 4 strings"`, `"an empty array"`, `"a ragged array (…)"`. */
function describeArray(a: readonly unknown[]): string {
  const ragged = raggedAt(a);
  if (ragged !== undefined) return `a ragged array (${ragged})`;
  const shape = nestedShape(a);
  if (shape.includes(0)) return shape.length === 1 ? 'an empty array' : `a plain ${shape.join('×')} array`;
  const leaf = `${leafKind(leafOf(a))}s`;
  if (shape.length === 1) return `a plain array of ${a.length} ${leaf}`;
  return `a plain ${shape.join('×')} array of ${leaf}`;
}

/** Matrix-like: positive integer rows and cols and a `data` field, whatever its type. */
export function matrixLike(v: unknown): { rows: number; cols: number; data: unknown } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { rows, cols, data } = v as { rows?: unknown; cols?: unknown; data?: unknown };
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  return ok(rows) && ok(cols) && data !== undefined ? { rows, cols, data } : undefined;
}

/** Tensor3-like: `dims` of three positive integers and a `data` field, whatever its type. */
export function tensorLike(v: unknown): { dims: [number, number, number]; data: unknown } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { dims, data } = v as { dims?: unknown; data?: unknown };
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every(ok) || data === undefined) return undefined;
  return { dims: dims as [number, number, number], data };
}

/** The class name of a typed array (`"Float32Array"`), or undefined for anything else. */
export function typedArrayName(v: unknown): string | undefined {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? v.constructor.name : undefined;
}

/**
 * One phrase for `v`: `null`, `the string "1"`, `the number 1.5`, `a Matrix
 * (2×3)`, `a Tensor3 (2×3×4)`, `a Float32Array of 6 values`, `a plain 2×3
 * array of numbers`, `an object with keys rows, cols, values`.
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `the string ${JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v)}`;
    case 'number':
      return `the number ${String(v)}`;
    case 'bigint':
      return `the bigint ${String(v)}n`;
    case 'boolean':
      return `the boolean ${String(v)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return `a function${v.name ? ` (${v.name})` : ''}`;
  }
  if (Array.isArray(v)) return describeArray(v);
  const typed = typedArrayName(v);
  if (typed !== undefined) return `a ${typed} of ${(v as ArrayLike<unknown>).length} values`;
  const t = tensorLike(v);
  if (t !== undefined) {
    const shape = t.dims.join('×');
    return t.data instanceof Float64Array ? `a Tensor3 (${shape})` : `a ${shape} tensor-like object`;
  }
  const m = matrixLike(v);
  if (m !== undefined) {
    const shape = `${m.rows}×${m.cols}`;
    return m.data instanceof Float64Array ? `a Matrix (${shape})` : `a ${shape} matrix-like object`;
  }
  const keys = Object.keys(v as object);
  if (keys.length === 0) return 'an empty object';
  return `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}`;
}
