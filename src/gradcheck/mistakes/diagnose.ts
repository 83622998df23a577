/**
 * Naming the mistake: a user's outputs and gradients are compared with those
 * of every catalog mutation (catalog.ts) on the same inputs. A gradient that
 * fails against the library but equals a mutation's (norm-relative error at
 * most MATCH_TOLERANCE), whole or gate block by gate block, is explained by
 * it, so two mistakes in different gradients or blocks are both named.
 *
 * The matching is a pure function of the kernel, its inputs, the user's
 * results and the gate order the user's code was handed; it does not care
 * whether the results came from JavaScript, a child process or Python.
 */
import { expectRecord } from '../../linalg/check.js';
import { evalShape, shapeOf, type Checkable } from '../shapes.js';
import { builtinKernelSpecs } from '../registry.js';
import type { Diagnosis, DiagnosisMatch } from '../report.js';
import type { KernelSpec } from '../spec.js';
import { gateOrderDescription, mistakesFor, type Mistake } from './catalog.js';

export type { Diagnosis, DiagnosisMatch };

/** A user's value is taken to equal a mutation's when their norm-relative error is at most this. */
export const MATCH_TOLERANCE = 1e-6;

/** Anything holding numbers row-major: a Matrix, a Tensor3, `{ data }`. */
export interface HasValues {
  /** The values, row-major (a Matrix's or Tensor3's data, or a plain array of numbers). */
  readonly data: ArrayLike<number>;
}

/** Everything {@link diagnoseKernel} compares, all in the library's layout (gate blocks in its order). */
export interface DiagnoseCase {
  /** The kernel's differentiable inputs, by input name (`Wx`, `x`, `hPrev`, …). */
  readonly inputs: Readonly<Record<string, Checkable>>;
  /** Its constants, if the spec has any. */
  readonly constants?: Readonly<Record<string, unknown>>;
  /** The upstream gradients, by output name (`h`, `c`). */
  readonly upstream: Readonly<Record<string, Checkable>>;
  /** The user's forward outputs, by output name. */
  readonly outputs: Readonly<Record<string, HasValues>>;
  /** The user's gradients, by gradient name (`dWx`, …); omitted when there is no backward. */
  readonly gradients?: Readonly<Record<string, HasValues>> | null;
  /**
   * The gate order of the weights the user's code was handed (a numpy
   * homework's i|f|o|g); only the sentence of a gate-order mistake uses it.
   * Default: the library's order.
   */
  readonly gateOrder?: readonly string[];
  /** A value fails against the library above this norm-relative error. Default 1e-7. */
  readonly tolerance?: number;
}

interface Ran {
  readonly outputs: Record<string, ArrayLike<number>>;
  readonly gradients: Record<string, ArrayLike<number>> | null;
}

function normRel(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length, stride = 0, width = 0): number {
  let [diff, na, nb] = [0, 0, 0];
  const visit = (k: number): void => {
    const [x, y] = [a[k] as number, b[k] as number];
    diff += (x - y) * (x - y);
    na += x * x;
    nb += y * y;
  };
  if (stride === 0) {
    for (let k = from; k < to; k++) visit(k);
  } else {
    // A column block [from, from + width) of every row of `stride` values.
    for (let row = 0; row * stride < a.length; row++) for (let j = from; j < from + width; j++) visit(row * stride + j);
  }
  const e = Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nb), 1e-300);
  return Number.isFinite(e) ? e : Infinity;
}

/** normRel over gate block k of row-major tensors whose rows are `stride` values. */
function blockError(a: ArrayLike<number>, b: ArrayLike<number>, blocks: NonNullable<Row['blocks']>, k: number): number {
  return normRel(a, b, k * blocks.width, 0, blocks.stride, blocks.width);
}

const clone = (t: Checkable): Checkable => t.clone();

/** Runs an implementation on fresh copies of the case; null when it throws or returns something unreadable. */
type Impl = Mistake['implementations'][string];

function run(spec: KernelSpec, impl: Impl, c: DiagnoseCase, withBackward: boolean): Ran | null {
  try {
    const args: Record<string, unknown> = { ...(c.constants ?? {}) };
    for (const [k, v] of Object.entries(c.inputs)) args[k] = clone(v);
    const fwd = spec.callForward(impl.forward, args) as Record<string, unknown>;
    const outputs: Record<string, ArrayLike<number>> = {};
    for (const o of spec.outputs) {
      const v = fwd[o.name];
      outputs[o.name] = typeof v === 'number' ? [v] : (v as HasValues).data;
    }
    if (!withBackward) return { outputs, gradients: null };
    const up: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.upstream)) up[k] = clone(v);
    const bwd = spec.callBackward(impl.backward, up, fwd.cache) as Record<string, HasValues>;
    const gradients: Record<string, ArrayLike<number>> = {};
    for (const input of spec.inputs) gradients[input.gradient] = (bwd[input.gradient] as HasValues).data;
    return { outputs, gradients };
  } catch {
    return null;
  }
}

interface Row {
  readonly name: string;
  readonly kind: 'gradient' | 'output';
  readonly user: ArrayLike<number>;
  readonly reference: ArrayLike<number>;
  /** Gate blocks: names and the width and row stride of each, or null. */
  readonly blocks: { names: readonly string[]; width: number; stride: number } | null;
  /** The failing blocks (all names when not gate-stacked and failing). */
  readonly failing: string[];
  /** Its shape when it is a matrix (a transposed value of it can be formed), else null. */
  readonly matrix: [number, number] | null;
}

/** The values of a rows×cols matrix in the order its transpose stores them. */
function transposed(v: ArrayLike<number>, [rows, cols]: [number, number]): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = v[i * cols + j] as number;
  return out;
}

/** "a, b and c". */
function listing(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

/** "dWx, dWh, db (f, i, g blocks), dx and dcPrev", grouping neighbours that match the same blocks. */
function describeMatches(matches: readonly DiagnosisMatch[]): string {
  const parts: string[] = [];
  let k = 0;
  while (k < matches.length) {
    const first = matches[k] as DiagnosisMatch;
    const key = first.gates?.join(', ') ?? null;
    const names: string[] = [];
    const same = (m: DiagnosisMatch | undefined): m is DiagnosisMatch =>
      m !== undefined && (m.gates?.join(', ') ?? null) === key && m.kind === first.kind;
    for (let m = matches[k]; same(m); m = matches[k]) {
      names.push(m.name);
      k++;
    }
    const blocks = first.gates === null ? '' : `${key as string} block${first.gates.length === 1 ? '' : 's'}`;
    const suffix = [first.kind === 'output' ? 'forward' : '', blocks].filter((s) => s !== '').join(', ');
    for (const [i, name] of names.entries())
      parts.push(i === names.length - 1 && suffix !== '' ? `${name} (${suffix})` : name);
  }
  return listing(parts);
}

/**
 * The gate order the user actually read, in the layout they were handed:
 * `reads` is in the library's layout, `handed` the order of the blocks the
 * user's code received.
 */
function readsInHandedLayout(
  reads: readonly string[],
  library: readonly string[],
  handed: readonly string[],
): string[] {
  return handed.map((gate) => reads[library.indexOf(gate)] as string);
}

/** The case's records are there and name every input and upstream the kernel has, before anything runs. */
function checkCase(spec: KernelSpec, c: unknown): void {
  const fn = 'diagnoseKernel';
  const r = expectRecord(fn, 'case', c, 'a case { inputs, upstream, outputs, gradients? }');
  const inputs = expectRecord(fn, 'case.inputs', r.inputs, `a record of ${spec.name}'s inputs`);
  const upstream = expectRecord(fn, 'case.upstream', r.upstream, `a record of ${spec.name}'s upstream gradients`);
  expectRecord(fn, 'case.outputs', r.outputs, "a record of the user's forward outputs");
  const need = (what: string, have: Record<string, unknown>, names: readonly string[]): void => {
    const missing = names.filter((n) => have[n] === undefined);
    if (missing.length > 0) {
      throw new RangeError(`${fn}: ${what} is missing ${missing.join(', ')} (${spec.name} takes ${names.join(', ')})`);
    }
  };
  need(
    'case.inputs',
    inputs,
    spec.inputs.map((i) => i.name),
  );
  need(
    'case.upstream',
    upstream,
    spec.outputs.map((o) => o.name),
  );
}

/**
 * The catalog mistakes a user's kernel matches, each with the outputs,
 * gradients and gate blocks it explains; empty when everything passes or
 * nothing in the catalog matches.
 *
 * ```text
 * kernel: a name (`lstm-step`) or spec   case: inputs, upstream, the user's outputs and gradients
 *   →   Diagnosis[]: id, sentence, formula, anchor, gradients — in catalog order
 * ```
 *
 * @throws RangeError when `kernel` names no registered kernel.
 */
export function diagnoseKernel(kernel: string | KernelSpec, c: DiagnoseCase): Diagnosis[] {
  const spec = typeof kernel === 'string' ? builtinKernelSpecs().find((s) => s.name === kernel) : kernel;
  if (spec === undefined) throw new RangeError(`diagnoseKernel: unknown kernel ${JSON.stringify(kernel)}`);
  checkCase(spec, c);
  const tolerance = c.tolerance ?? 1e-7;
  const withBackward = c.gradients !== undefined && c.gradients !== null;
  const reference = run(spec, spec.reference, c, withBackward);
  if (reference === null) return [];
  const sizes = sizesOf(spec, c);

  // The rows that fail against the library, and their failing gate blocks.
  const rows: Row[] = [];
  type User = HasValues | undefined;
  type Consider = (name: string, kind: Row['kind'], user: User, ref: ArrayLike<number>, of: string | null) => void;
  const consider: Consider = (name, kind, user, ref, of) => {
    if (user === undefined || user.data.length !== ref.length) return;
    const gated = of && spec.gates?.inputs.includes(of);
    let blocks: Row['blocks'] = null;
    const input = spec.inputs.find((i) => i.name === of);
    const shape = input === undefined || sizes === null ? null : evalShape(input.shape, sizes);
    const matrix = shape?.length === 2 ? (shape as [number, number]) : null;
    if (gated && shape !== null) {
      const stride = shape[shape.length - 1] as number;
      blocks = { names: spec.gates?.names ?? [], width: stride / (spec.gates?.names.length ?? 1), stride };
    }
    if (normRel(user.data, ref) <= tolerance) return;
    const failing =
      blocks === null ? [] : blocks.names.filter((_, k) => blockError(user.data, ref, blocks, k) > tolerance);
    rows.push({ name, kind, user: user.data, reference: ref, blocks, failing, matrix });
  };
  for (const o of spec.outputs) {
    consider(o.name, 'output', c.outputs[o.name], reference.outputs[o.name] as ArrayLike<number>, null);
  }
  if (withBackward && reference.gradients !== null) {
    for (const input of spec.inputs) {
      const ref = reference.gradients[input.gradient] as ArrayLike<number>;
      consider(input.gradient, 'gradient', c.gradients?.[input.gradient], ref, input.name);
    }
  }
  if (rows.length === 0) return [];

  const candidates: { mistake: Mistake; mutated: Ran; matches: DiagnosisMatch[] }[] = [];
  for (const mistake of mistakesFor(spec.name)) {
    const mutated = run(spec, mistake.implementations[spec.name] as Impl, c, withBackward);
    if (mutated === null) continue;
    const matches: DiagnosisMatch[] = [];
    candidates.push({ mistake, mutated, matches });
    for (const row of rows) {
      const value = row.kind === 'output' ? mutated.outputs[row.name] : mutated.gradients?.[row.name];
      if (value === undefined || value.length !== row.user.length) continue;
      const differs = normRel(value, row.reference) > tolerance;
      if (differs && normRel(row.user, value) <= MATCH_TOLERANCE) {
        // The whole tensor: name the blocks the mistake changes when only some of them.
        const b = row.blocks;
        const changed = b === null ? [] : b.names.filter((_, k) => blockError(value, row.reference, b, k) > tolerance);
        const whole = b === null || changed.length === b.names.length;
        matches.push({ name: row.name, kind: row.kind, gates: whole ? null : changed });
        continue;
      }
      const b = row.blocks;
      if (b === null) continue;
      const gates = row.failing.filter((gate) => {
        const k = b.names.indexOf(gate);
        const block = (x: ArrayLike<number>, y: ArrayLike<number>): number => blockError(x, y, b, k);
        return block(value, row.reference) > tolerance && block(row.user, value) <= MATCH_TOLERANCE;
      });
      if (gates.length > 0) matches.push({ name: row.name, kind: row.kind, gates });
    }
  }
  composeTransposed(rows, candidates, tolerance);

  const found: Diagnosis[] = [];
  for (const { mistake, matches: unordered } of candidates) {
    if (unordered.length === 0) continue;
    const order = (m: DiagnosisMatch): number => rows.findIndex((r) => r.name === m.name);
    const matches = [...unordered].sort((a, b) => order(a) - order(b));
    let id = mistake.id;
    let description = mistake.description;
    if (mistake.reads !== undefined && spec.gates !== undefined) {
      const library = spec.gates.names;
      const handed = c.gateOrder ?? library;
      const reads = readsInHandedLayout(mistake.reads, library, handed);
      id = `${mistake.cell}-gate-order-${reads.join('')}`;
      description = gateOrderDescription(reads, handed);
    }
    const one = matches.length === 1 && matches[0]?.gates === null && matches[0].kind === 'gradient';
    const verb = one ? 'matches' : 'match';
    found.push({
      id,
      sentence: `${describeMatches(matches)} ${verb} ${description}: ${mistake.formula}`,
      formula: mistake.formula,
      anchor: mistake.anchor,
      gradients: matches.map((m) => m.name),
      matches,
    });
  }
  return found;
}

/**
 * A weight gradient both transposed and wrong in another way: when a failing
 * matrix row that no mistake explains equals the transpose of another
 * mistake's value, both that mistake and the cell's transposition of the
 * gradient are named for it.
 */
function composeTransposed(
  rows: readonly Row[],
  candidates: readonly { mistake: Mistake; mutated: Ran; matches: DiagnosisMatch[] }[],
  tolerance: number,
): void {
  for (const row of rows) {
    if (row.kind !== 'gradient' || row.matrix === null) continue;
    if (candidates.some((x) => x.matches.some((m) => m.name === row.name))) continue;
    const transposition = candidates.find(
      (x) => x.mistake.family === 'transposed' && x.mistake.id.endsWith(`-${row.name}`),
    );
    if (transposition === undefined) continue;
    for (const other of candidates) {
      if (other === transposition || other.mistake.family === 'transposed') continue;
      const value = other.mutated.gradients?.[row.name];
      if (value === undefined || value.length !== row.user.length) continue;
      if (normRel(value, row.reference) <= tolerance) continue;
      if (normRel(row.user, transposed(value, row.matrix)) > MATCH_TOLERANCE) continue;
      other.matches.push({ name: row.name, kind: 'gradient', gates: null });
      transposition.matches.push({ name: row.name, kind: 'gradient', gates: null });
      break;
    }
  }
}

/** N, T, D, H read back from the inputs' shapes (by matching each input's symbolic shape), or null. */
function sizesOf(spec: KernelSpec, c: DiagnoseCase): { N: number; T: number; D: number; H: number } | null {
  const sizes: Record<string, number> = { N: 1, T: 1, D: 1, H: 1 };
  for (const input of spec.inputs) {
    const v = c.inputs[input.name];
    if (v === undefined) return null;
    const shape = shapeOf(v);
    input.shape.split(/[×x]/).forEach((factor, k) => {
      const m = /^(\d*)([NTDH])$/.exec(factor.trim());
      if (m !== null) sizes[m[2] as string] = (shape[k] as number) / (m[1] === '' ? 1 : Number(m[1]));
    });
  }
  return { N: sizes.N as number, T: sizes.T as number, D: sizes.D as number, H: sizes.H as number };
}
