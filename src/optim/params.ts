import { describeValue } from '../linalg/describe.js';
import { asMatrix, expectMatrix, expectRecord, type Matrix } from '../linalg/index.js';

/**
 * A model's trainable weights when their names are only known at run time: a
 * flat record of named matrices, e.g. `{ 'cell.Wx': …, 'cell.Wh': …, 'out.W': … }`.
 * A typed record such as `LstmParams` works with the optimizers as it is.
 */
export type ParamRecord = Readonly<Record<string, Matrix>>;

/**
 * A record with the keys of `P`, each a Matrix: what every params record is
 * (`LstmParams` is `ParamsLike<LstmParams>`), and the shape of an optimizer's
 * per-param state (Adam's m and v, momentum's velocity).
 */
export type ParamsLike<P> = { readonly [K in keyof P]: Matrix };

/**
 * The name of a param's gradient: `d` in front of the name's last dot-separated
 * segment. `Wx` → `dWx`, `cell.Wx` → `cell.dWx`, `out.W` → `out.dW`. The part
 * in front of the last dot is a layer's prefix and stays as it is, so a layer's
 * own gradients (`dWx`, `dWh`, `db`) put under its prefix are the model's.
 */
export type GradKey<K extends string> = string extends K
  ? string
  : K extends `${infer Head}.${infer Tail}`
    ? `${Head}.${GradKey<Tail>}`
    : `d${K}`;

/**
 * The gradients the optimizers read for params `P`: one Matrix per param,
 * named by {@link GradKey}. `GradsOf<LstmParams>` is `{ dWx, dWh, db }`, so the
 * result of `lstmBackward` (which also holds dx, dh0, dc0) is one as it is:
 * keys other than the params' gradients are allowed and ignored.
 */
export type GradsOf<P> = { readonly [K in keyof P & string as GradKey<K>]: Matrix };

/** {@link GradKey} at run time: `gradKey('cell.Wx')` is `'cell.dWx'`. */
export function gradKey<K extends string>(key: K): GradKey<K> {
  const dot = key.lastIndexOf('.');
  return `${key.slice(0, dot + 1)}d${key.slice(dot + 1)}` as GradKey<K>;
}

/** `name.key`, or `name["key"]` when the key is not an identifier, for messages. */
export function member(name: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${name}.${key}` : `${name}[${JSON.stringify(key)}]`;
}

/** The gradients a backward returns for its inputs, not its params: never "another cell's" param gradients. */
const INPUT_GRADS = new Set(['dx', 'dh0', 'dc0', 'dhPrev', 'dcPrev']);

/** Checks a params record: non-empty, every value a Matrix. */
export function checkParamRecord(fn: string, name: string, v: unknown): Record<string, Matrix> {
  const r = expectRecord(fn, name, v, 'a record of named Matrix values');
  const keys = Object.keys(r);
  if (keys.length === 0) throw new RangeError(`${fn}: ${name} must hold at least one Matrix, got an empty record`);
  const out: Record<string, Matrix> = {};
  for (const k of keys) out[k] = asMatrix(fn, member(name, k), r[k]);
  return out;
}

/**
 * Reads the gradient of every param in `like` from `v` by its {@link gradKey}
 * name and checks its shape; returns them keyed by the params' own names.
 * Other keys of `v` are ignored. A missing gradient is an error naming it and
 * its param; when `v` holds the param's own name instead, the message says so.
 */
export function checkGrads(
  fn: string,
  name: string,
  v: unknown,
  like: Record<string, Matrix>,
  likeName: string,
): Record<string, Matrix> {
  const r = expectRecord(fn, name, v, `a record holding the gradient of every entry of ${likeName} (Wx → dWx)`);
  const out: Record<string, Matrix> = {};
  // Every name first, then every shape: a record of another cell's gradients is told by its names.
  for (const k of Object.keys(like)) {
    const dk = gradKey(k);
    if (!(dk in r)) {
      const wanted = new Set(Object.keys(like).map(gradKey));
      const others = Object.keys(r).filter(
        (key) => /^d./.test(key) && !INPUT_GRADS.has(key) && !wanted.has(key as GradKey<string>),
      );
      const hint =
        k in r
          ? `; it has ${k}, but gradients are named d + the param's name`
          : others.length > 0
            ? `; it has ${others.join(', ')}, gradients of other params (another cell's backward?)`
            : '';
      throw new RangeError(`${fn}: ${name} is missing ${dk} (the gradient of ${member(likeName, k)})${hint}`);
    }
  }
  for (const k of Object.keys(like)) {
    const m = like[k] as Matrix;
    const dk = gradKey(k);
    out[k] = expectMatrix(fn, member(name, dk), r[dk], m.rows, m.cols, `the shape of ${member(likeName, k)}`);
  }
  return out;
}

/** Checks that `v` has exactly the keys and shapes of `like`. */
export function checkLike(
  fn: string,
  name: string,
  v: unknown,
  like: Record<string, Matrix>,
  likeName: string,
): Record<string, Matrix> {
  const r = expectRecord(fn, name, v, `a record with the keys of ${likeName}`);
  const out: Record<string, Matrix> = {};
  for (const k of Object.keys(like)) {
    if (!(k in r)) throw new RangeError(`${fn}: ${name} is missing key "${k}" (present in ${likeName})`);
    const m = like[k] as Matrix;
    out[k] = expectMatrix(fn, member(name, k), r[k], m.rows, m.cols, `the shape of ${member(likeName, k)}`);
  }
  for (const k of Object.keys(r)) {
    if (!(k in like)) throw new RangeError(`${fn}: ${name} has key "${k}" that ${likeName} does not have`);
  }
  return out;
}

/** Throws unless `v` is a finite number in the given open/closed range. */
export function checkNumber(
  fn: string,
  name: string,
  v: unknown,
  min: number,
  max: number,
  minOpen: boolean,
  maxOpen: boolean,
): number {
  if (typeof v !== 'number') throw new TypeError(`${fn}: ${name} must be a number, got ${describeValue(v)}`);
  const lowOk = minOpen ? v > min : v >= min;
  const highOk = maxOpen ? v < max : v <= max;
  if (!Number.isFinite(v) || !lowOk || !highOk) {
    const range = `${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
    throw new RangeError(`${fn}: ${name} must be in ${range}, got ${String(v)}`);
  }
  return v;
}
