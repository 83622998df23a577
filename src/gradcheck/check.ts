/**
 * checkKernel: perturb every input of a kernel, compare each analytic
 * gradient with centered finite differences of the kernel's own forward (and,
 * for someone else's implementation, both passes with the library's), and
 * report per gradient, per gate block and per coordinate.
 */
import { describeValue } from '../linalg/describe.js';
import { KernelContractError, isTransposedShape, toCheckable } from './coerce.js';
import { diagnoseKernel, type DiagnoseCase, type HasValues } from './mistakes/diagnose.js';
import { checkEps, numericGradientAt } from './numeric.js';
import { gaussianSource, sampleIndices, seededUniform } from './random.js';
import type { CheckRow, Comparison, FailureSummary, GateBlockReport, KernelReport } from './report.js';
import { coordinateOf, evalShape, shapeOf, zerosOfShape, type Checkable, type KernelSizes } from './shapes.js';
import type { KernelImplementation, KernelSpec, NumericGradientRequest } from './spec.js';

/** The default case: small enough to check every coordinate in milliseconds, big enough to exercise every index. */
export const DEFAULT_SIZES: KernelSizes = Object.freeze({ N: 3, T: 5, D: 10, H: 4 });
/** The default largest norm-relative error that passes. Correct float64 kernels score about 1e-10. */
export const DEFAULT_TOLERANCE = 1e-7;
/** The default seed. */
export const DEFAULT_SEED = 1;

/** Progress of {@link checkKernel}, reported after every finite-difference coordinate. */
export interface CheckProgress {
  /** The kernel being checked. */
  readonly kernel: string;
  /** The input being perturbed. */
  readonly input: string;
  /** Coordinates done in this kernel. */
  readonly done: number;
  /** Coordinates to do in this kernel. */
  readonly total: number;
}

/** Options of {@link checkKernel}; every one has a default. */
export interface CheckKernelOptions {
  /** The case (missing sizes come from {@link DEFAULT_SIZES}). */
  readonly sizes?: Partial<KernelSizes>;
  /** Seed of inputs, upstream gradients and sampled coordinates. Default {@link DEFAULT_SEED}. */
  readonly seed?: number;
  /** Finite-difference step. Default 1e-5. */
  readonly eps?: number;
  /** Largest norm-relative error that passes. Default {@link DEFAULT_TOLERANCE}. */
  readonly tolerance?: number;
  /** Check this many random coordinates per tensor instead of all (cs231n's sparse check). */
  readonly samples?: number;
  /** Someone else's forward/backward to check instead of the library's. */
  readonly implementation?: KernelImplementation;
  /** Also compare outputs and gradients with the library's. Default: true exactly when `implementation` is given. */
  readonly compareWithReference?: boolean;
  /** Called after every finite-difference coordinate. */
  readonly onProgress?: (progress: CheckProgress) => void;
  /**
   * The centered differences of `implementation`'s L = Σ_outputs Σ out ⊙ dout
   * at every index of one input, all in one call: for a forward that runs
   * elsewhere (another process), where a round trip per forward call would
   * dominate. Without it the checker calls the forward twice per coordinate.
   */
  readonly numericGradient?: (request: NumericGradientRequest) => ArrayLike<number>;
  /**
   * The gate order of the weights the implementation's own code receives,
   * when a wrapper converts them from the library's layout (a numpy
   * homework's i|f|o|g). Only the sentence of a gate-order diagnosis uses it.
   */
  readonly gateOrder?: readonly string[];
}

type Tensors = Record<string, Checkable>;

function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`${fn}: ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/**
 * Checks that `spec` has every field a KernelSpec needs and readable shapes,
 * so a malformed spec fails here rather than mid-check.
 *
 * @throws TypeError naming the missing or mistyped field.
 */
export function checkSpec(fn: string, spec: unknown): KernelSpec {
  if (typeof spec !== 'object' || spec === null)
    throw new TypeError(`${fn}: spec must be a KernelSpec, got ${describeValue(spec)}`);
  const s = spec as Record<string, unknown>;
  for (const key of ['name', 'forwardName', 'backwardName']) {
    if (typeof s[key] !== 'string' || s[key] === '')
      throw new TypeError(`${fn}: spec.${key} must be a non-empty string, got ${describeValue(s[key])}`);
  }
  for (const key of ['callForward', 'callBackward']) {
    if (typeof s[key] !== 'function')
      throw new TypeError(`${fn}: spec.${key} must be a function, got ${describeValue(s[key])}`);
  }
  const ref = s.reference as Record<string, unknown> | undefined;
  if (typeof ref?.forward !== 'function' || typeof ref.backward !== 'function') {
    throw new TypeError(`${fn}: spec.reference must be { forward, backward } functions`);
  }
  for (const key of ['inputs', 'outputs']) {
    const list = s[key];
    if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${fn}: spec.${key} must be a non-empty array`);
    for (const item of list as Record<string, unknown>[]) {
      if (typeof item?.name !== 'string' || typeof item.shape !== 'string') {
        throw new TypeError(`${fn}: every spec.${key} entry needs a name and a shape string`);
      }
      evalShape(item.shape, DEFAULT_SIZES);
    }
  }
  return spec as KernelSpec;
}

function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Checks one kernel: draws a random case, runs forward and backward, and
 * compares every analytic gradient with centered differences of
 * L = Σ_outputs Σ out ⊙ dout (and, for a user's implementation, every output
 * and gradient with the library's on the same inputs).
 *
 * ```text
 * spec: a KernelSpec (see builtinKernelSpecs)   options: sizes, seed, eps, tolerance, samples, implementation
 *   →   KernelReport: one row per output / gradient, with gate blocks and the worst coordinate
 * ```
 *
 * A row passes when its norm-relative error is at most the tolerance; the
 * cs231n max relative error is reported beside it.
 *
 * @throws RangeError when an option is out of range (sizes, samples, eps, tolerance, seed).
 * @throws KernelContractError when the kernel throws or returns something
 * without the expected keys, shapes or numbers.
 */
export function checkKernel(spec: KernelSpec, options: CheckKernelOptions = {}): KernelReport {
  const fn = 'checkKernel';
  const started = Date.now();
  checkSpec(fn, spec);
  const given = options.sizes ?? {};
  const sizes: KernelSizes = {
    N: positiveInt(fn, 'sizes.N', given.N ?? DEFAULT_SIZES.N),
    T: positiveInt(fn, 'sizes.T', given.T ?? DEFAULT_SIZES.T),
    D: positiveInt(fn, 'sizes.D', given.D ?? DEFAULT_SIZES.D),
    H: positiveInt(fn, 'sizes.H', given.H ?? DEFAULT_SIZES.H),
  };
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`${fn}: seed must be a non-negative integer, got ${describeValue(seed)}`);
  const eps = checkEps(fn, options.eps);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!Number.isFinite(tolerance) || tolerance <= 0) {
    throw new RangeError(`${fn}: tolerance must be a positive finite number, got ${describeValue(tolerance)}`);
  }
  const samples = options.samples === undefined ? null : positiveInt(fn, 'samples', options.samples);
  const isUser = options.implementation !== undefined;
  const impl = options.implementation ?? spec.reference;
  const elsewhere = isUser ? options.numericGradient : undefined;
  const withReference = options.compareWithReference ?? isUser;
  const kernel = spec.name;
  const notes: string[] = [];

  // Inputs and upstream gradients from one stream, sampled coordinates from
  // another, so `--samples` never changes the case being checked.
  const gauss = gaussianSource(seededUniform(seed));
  const sampler = seededUniform(seed ^ 0x5bd1e995);
  const inputs: Tensors = {};
  for (const input of spec.inputs) {
    const t = zerosOfShape(evalShape(input.shape, sizes));
    for (let i = 0; i < t.data.length; i++) t.data[i] = input.scale * gauss();
    inputs[input.name] = t;
  }
  const constantDraws = seededUniform(seed ^ 0x27d4eb2f);
  const constants: Record<string, unknown> = {};
  for (const c of spec.constants ?? []) constants[c.name] = c.draw(sizes, constantDraws);
  const upstream: Tensors = {};
  for (const output of spec.outputs) {
    const t = zerosOfShape(evalShape(output.shape, sizes));
    for (let i = 0; i < t.data.length; i++) t.data[i] = gauss();
    upstream[output.name] = t;
  }

  const clones = (ts: Tensors): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ts)) out[k] = v.clone();
    return out;
  };

  const forward = (which: KernelImplementation, whose: string): { outputs: Tensors; cache: unknown } => {
    let result: unknown;
    try {
      result = spec.callForward(which.forward, { ...constants, ...clones(inputs) });
    } catch (err) {
      throw new KernelContractError(kernel, `${whose}${spec.forwardName} threw ${describeThrown(err)}`);
    }
    if (typeof result !== 'object' || result === null) {
      throw new KernelContractError(
        kernel,
        `${whose}${spec.forwardName} must return an object { ${spec.outputs.map((o) => o.name).join(', ')}, cache }, ` +
          `got ${describeValue(result)}`,
      );
    }
    const r = result as Record<string, unknown>;
    const outputs: Tensors = {};
    for (const o of spec.outputs) {
      if (!(o.name in r))
        throw new KernelContractError(
          kernel,
          `${whose}${spec.forwardName}'s result has no ${o.name} (expected ${o.shape})`,
        );
      outputs[o.name] = toCheckable(
        kernel,
        `${whose}${spec.forwardName}'s ${o.name}`,
        r[o.name],
        evalShape(o.shape, sizes),
        o.shape,
      );
    }
    return { outputs, cache: r.cache };
  };

  const backward = (which: KernelImplementation, cache: unknown, whose: string): Tensors => {
    const bwd = which.backward as NonNullable<KernelImplementation['backward']>;
    let result: unknown;
    try {
      result = spec.callBackward(bwd, clones(upstream), cache);
    } catch (err) {
      throw new KernelContractError(kernel, `${whose}${spec.backwardName} threw ${describeThrown(err)}`);
    }
    if (typeof result !== 'object' || result === null) {
      throw new KernelContractError(
        kernel,
        `${whose}${spec.backwardName} must return an object { ${spec.inputs.map((i) => i.gradient).join(', ')} }, ` +
          `got ${describeValue(result)}`,
      );
    }
    const r = result as Record<string, unknown>;
    const grads: Tensors = {};
    for (const input of spec.inputs) {
      if (!(input.gradient in r)) {
        throw new KernelContractError(
          kernel,
          `${whose}${spec.backwardName}'s result has no ${input.gradient} ` +
            `(expected ${input.shape}, the shape of ${input.name})`,
        );
      }
      const what = `${whose}${spec.backwardName}'s ${input.gradient}`;
      const expected = evalShape(input.shape, sizes);
      grads[input.name] = readGradient(kernel, what, r[input.gradient], expected, input.shape, notes);
    }
    return grads;
  };

  const whose = isUser ? 'your ' : '';
  const mine = forward(impl, whose);
  const hasBackward = typeof impl.backward === 'function';
  if (!hasBackward) notes.push(`no ${spec.backwardName} given: gradients not checked, only the forward's outputs`);
  const analytic = hasBackward ? backward(impl, mine.cache, whose) : null;
  const reference = withReference ? forward(spec.reference, "the library's ") : null;
  const referenceGrads =
    reference !== null && hasBackward ? backward(spec.reference, reference.cache, "the library's ") : null;

  const loss = (): number => {
    const { outputs } = forward(impl, whose);
    let s = 0;
    for (const o of spec.outputs) {
      const a = (outputs[o.name] as Checkable).data;
      const b = (upstream[o.name] as Checkable).data;
      for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
    }
    return s;
  };

  /** One call for every coordinate of `name`, validated like a forward's result. */
  const numericGradientElsewhere = (
    compute: NonNullable<CheckKernelOptions['numericGradient']>,
    name: string,
    indices: readonly number[],
  ): ArrayLike<number> => {
    let values: ArrayLike<number>;
    try {
      const forwardArgs = { ...constants, ...clones(inputs) };
      values = compute({ values: forwardArgs, input: name, indices, eps, upstream: clones(upstream) });
    } catch (err) {
      throw new KernelContractError(kernel, `${whose}${spec.forwardName} threw ${describeThrown(err)}`);
    }
    if (values.length !== indices.length) {
      const got = `${values.length} values for ${indices.length} coordinates`;
      throw new KernelContractError(kernel, `finite differences of ${name} gave ${got}`);
    }
    done += indices.length;
    options.onProgress?.({ kernel, input: name, done, total });
    return values;
  };

  const chosen = new Map<string, number[]>();
  for (const input of spec.inputs) {
    const length = (inputs[input.name] as Checkable).data.length;
    chosen.set(
      input.name,
      samples === null ? Array.from({ length }, (_, i) => i) : sampleIndices(length, samples, sampler),
    );
  }
  const total = hasBackward ? [...chosen.values()].reduce((s, ix) => s + ix.length, 0) : 0;
  let done = 0;

  const rows: CheckRow[] = [];
  if (reference !== null) {
    for (const o of spec.outputs) {
      const actual = mine.outputs[o.name] as Checkable;
      const cmp = compare(actual.data, (reference.outputs[o.name] as Checkable).data, null, shapeOf(actual), tolerance);
      rows.push({
        name: o.name,
        kind: 'output',
        of: o.name,
        shape: shapeOf(actual),
        shapeExpr: o.shape,
        numeric: null,
        reference: cmp,
        gates: null,
        ok: cmp.ok,
      });
    }
  }
  for (const input of spec.inputs) {
    const x = inputs[input.name] as Checkable;
    const shape = shapeOf(x);
    const indices = chosen.get(input.name) as number[];
    let numeric: Float64Array | null = null;
    if (analytic !== null) {
      const values =
        elsewhere === undefined
          ? numericGradientAt(loss, x.data, indices, eps, () => {
              done++;
              options.onProgress?.({ kernel, input: input.name, done, total });
            })
          : numericGradientElsewhere(elsewhere, input.name, indices);
      numeric = new Float64Array(x.data.length);
      indices.forEach((k, i) => {
        (numeric as Float64Array)[k] = values[i] as number;
      });
    }
    if (analytic === null && reference === null) continue;
    const mineGrad = analytic === null ? null : (analytic[input.name] as Checkable).data;
    const refGrad = referenceGrads === null ? null : (referenceGrads[input.name] as Checkable).data;
    const compared = samples === null ? null : indices;
    const vsNumeric =
      mineGrad !== null && numeric !== null ? compare(mineGrad, numeric, compared, shape, tolerance) : null;
    const vsReference =
      mineGrad !== null && refGrad !== null ? compare(mineGrad, refGrad, null, shape, tolerance) : null;
    if (vsNumeric === null && vsReference === null) continue;
    let gates: GateBlockReport[] | null = null;
    if (spec.gates?.inputs.includes(input.name) && mineGrad !== null) {
      gates = gateBlocks(spec.gates.names, shape, mineGrad, numeric, indices, refGrad, tolerance);
    }
    const ok = (vsNumeric?.ok ?? true) && (vsReference?.ok ?? true);
    rows.push({
      name: input.gradient,
      kind: 'gradient',
      of: input.name,
      shape,
      shapeExpr: input.shape,
      numeric: vsNumeric,
      reference: vsReference,
      gates,
      ok,
    });
  }

  const firstFailure = summarizeFailure(kernel, rows);
  const diagnoses =
    withReference && firstFailure !== null
      ? (spec.diagnose ?? ((c: DiagnoseCase) => diagnoseKernel(spec, c)))({
          inputs,
          constants,
          upstream,
          outputs: mine.outputs,
          gradients: analytic === null ? null : byGradientName(spec, analytic),
          ...(options.gateOrder === undefined ? {} : { gateOrder: options.gateOrder }),
          tolerance,
        })
      : [];
  return {
    kernel,
    implementation: isUser ? 'user' : 'library',
    sizes: { ...sizes },
    seed,
    eps,
    tolerance,
    samples,
    ok: rows.every((r) => r.ok),
    rows,
    firstFailure,
    diagnoses,
    notes,
    milliseconds: Date.now() - started,
  };
}

/** The gradients keyed by gradient name (`dWx`) instead of input name (`Wx`). */
function byGradientName(spec: KernelSpec, grads: Tensors): Record<string, HasValues> {
  const out: Record<string, HasValues> = {};
  for (const input of spec.inputs) out[input.gradient] = grads[input.name] as Checkable;
  return out;
}

/**
 * A returned gradient as a Checkable of `expected` shape. One returned as the
 * transpose of that shape is kept as its values fill the expected shape row by
 * row, so it fails (and the catalog can name it) instead of stopping the run.
 */
function readGradient(
  kernel: string,
  what: string,
  value: unknown,
  expected: number[],
  shapeExpr: string,
  notes: string[],
): Checkable {
  if (!isTransposedShape(value, expected)) return toCheckable(kernel, what, value, expected, shapeExpr);
  const [rows, cols] = expected as [number, number];
  const transposed = toCheckable(kernel, what, value, [cols, rows], `${shapeExpr}, transposed`);
  notes.push(
    `${what} is ${cols}×${rows}, the transpose of its shape ${shapeExpr} (${rows}×${cols}); ` +
      'its values are compared in the order they are stored',
  );
  const out = zerosOfShape(expected);
  out.data.set(transposed.data);
  return out;
}

/**
 * Scores `actual` against `expected` over `indices` (all when null): the two
 * relative errors, the non-finite count, and the coordinate of largest
 * |actual − expected| (a non-finite value is the worst possible).
 */
function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  indices: readonly number[] | null,
  shape: readonly number[],
  tolerance: number,
): Comparison {
  let rel = 0;
  let diff2 = 0;
  let a2 = 0;
  let e2 = 0;
  let nonFinite = 0;
  let worstIndex = -1;
  let worstDiff = -1;
  const count = indices === null ? actual.length : indices.length;
  for (let i = 0; i < count; i++) {
    const k = indices === null ? i : (indices[i] as number);
    const a = actual[k] as number;
    const e = expected[k] as number;
    const finite = Number.isFinite(a) && Number.isFinite(e);
    const d = finite ? Math.abs(a - e) : Infinity;
    if (!finite) nonFinite++;
    if (d > worstDiff) {
      worstDiff = d;
      worstIndex = k;
    }
    if (finite) {
      rel = Math.max(rel, d / Math.max(1e-8, Math.abs(a) + Math.abs(e)));
      diff2 += d * d;
      a2 += a * a;
      e2 += e * e;
    }
  }
  const normRel = Math.sqrt(diff2) / Math.max(Math.sqrt(a2) + Math.sqrt(e2), 1e-300);
  const relError = nonFinite > 0 ? 1 : rel;
  const normRelError = nonFinite > 0 ? 1 : normRel;
  const at = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    relError,
    normRelError,
    coordinates: count,
    nonFinite,
    worst: {
      index: worstIndex < 0 ? [] : coordinateOf(worstIndex, shape),
      actual: worstIndex < 0 ? null : at(actual[worstIndex] as number),
      expected: worstIndex < 0 ? null : at(expected[worstIndex] as number),
    },
    ok: nonFinite === 0 && normRelError <= tolerance,
  };
}

/** Scores each gate block (a band of columns of the last dimension) on its own. */
function gateBlocks(
  names: readonly string[],
  shape: readonly number[],
  mine: ArrayLike<number>,
  numeric: Float64Array | null,
  checked: readonly number[],
  reference: ArrayLike<number> | null,
  tolerance: number,
): GateBlockReport[] {
  const cols = shape[shape.length - 1] as number;
  const width = cols / names.length;
  return names.map((gate, b) => {
    const lo = b * width;
    const hi = lo + width;
    const inBlock = (k: number): boolean => k % cols >= lo && k % cols < hi;
    const numericIx = checked.filter(inBlock);
    const allIx = Array.from({ length: mine.length }, (_, k) => k).filter(inBlock);
    const vsNumeric =
      numeric !== null && numericIx.length > 0 ? compare(mine, numeric, numericIx, shape, tolerance) : null;
    const vsReference = reference !== null ? compare(mine, reference, allIx, shape, tolerance) : null;
    return {
      gate,
      columns: [lo, hi] as [number, number],
      numeric: vsNumeric,
      reference: vsReference,
      ok: (vsNumeric?.ok ?? true) && (vsReference?.ok ?? true),
    };
  });
}

/** The first failing row, named the way a student should read it. */
function summarizeFailure(kernel: string, rows: readonly CheckRow[]): FailureSummary | null {
  const row = rows.find((r) => !r.ok);
  if (row === undefined) return null;
  const againstNumeric = row.numeric !== null && !row.numeric.ok;
  const cmp = (againstNumeric ? row.numeric : row.reference) as Comparison;
  const gates = (row.gates ?? [])
    .filter((g) => !(againstNumeric ? (g.numeric?.ok ?? true) : (g.reference?.ok ?? true)))
    .map((g) => g.gate);
  const gateText =
    gates.length === 0 ? '' : gates.length === 1 ? ` (${gates[0]}-gate block)` : ` (${gates.join('-, ')}-gate blocks)`;
  const what =
    row.kind === 'output'
      ? ` (forward output, differs from the library)`
      : againstNumeric
        ? ''
        : ' (differs from the library)';
  return {
    kernel,
    name: row.name,
    kind: row.kind,
    against: againstNumeric ? 'finite differences' : 'library',
    gates,
    worst: cmp.worst.index,
    message: `${kernel} ${row.name}${gateText}${what}, worst at [${cmp.worst.index.join(', ')}]`,
  };
}
