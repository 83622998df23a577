/**
 * One description per recurrent cell: its name, gate order, parameters and
 * states, its reference and fast functions, its doc page. The gradient
 * checker's specs, the shared test suites and the docs' per-cell tables are
 * derived from it, so a new cell variant is a reference file, a descriptor
 * and a doc page.
 *
 * Docs: docs/architecture.md ("The cell descriptor").
 */

/** A cell function as the derivations below call it (the descriptor keeps the typed ones). */
// biome-ignore lint/suspicious/noExplicitAny: a cell's arguments differ per cell; the descriptor keeps the typed ones
export type CellFunction = (...args: any[]) => unknown;

/** The four functions of a cell, under the names `<name>StepForward` … `<name>Backward`. */
export interface CellFunctions {
  /** `(x, hPrev, …other states' Prev, p)` → `{ h, …other states, cache }`. */
  readonly stepForward: CellFunction;
  /** `(dh, …other states' dNext, cache)` → `{ dx, dhPrev, …, d<param>… }`. */
  readonly stepBackward: CellFunction;
  /** `(x, h0, p, …other states' 0)` → `{ h (every step), …other states (the last), cache }`. */
  readonly forward: CellFunction;
  /** `(dh, cache, …other states' dT)` → `{ dx, dh0, …, d<param>… }`. */
  readonly backward: CellFunction;
}

/** One parameter: `rows` × (gate blocks · H), e.g. Wx is D × 4H for the LSTM. */
export interface ParamDescriptor {
  /** Its key in the params record, e.g. `"Wx"`; its gradient is `d` + name. */
  readonly name: string;
  /** Its rows: the input width D, the hidden size H, or 1 for a bias row. */
  readonly rows: 'D' | 'H' | '1';
  /** What it is, for the docs' tables. */
  readonly meaning: string;
}

/** Everything the checker, the tests and the docs need to know about one cell. */
export interface CellDescriptor {
  /** Lower case, e.g. `"lstm"`: the kernels are `lstm-step` and `lstm`, the functions `lstmStepForward` …. */
  readonly name: string;
  /** For people, e.g. `"LSTM"`. */
  readonly title: string;
  /** Names of the gate blocks stacked along every parameter's columns, in order; empty for one block. */
  readonly gateOrder: readonly string[];
  /** The parameters, in the order of the params record. */
  readonly params: readonly ParamDescriptor[];
  /** The carried states, `h` first (e.g. `['h', 'c']`); each is N×H. */
  readonly states: readonly string[];
  /** The derivation as code (src/<name>/reference.ts). */
  readonly reference: CellFunctions;
  /** The fast kernels, when written; the reference serves until then. */
  readonly fast?: CellFunctions;
  /** The cell's page, e.g. `"docs/lstm.md"`. */
  readonly doc: string;
}

/** How many H-wide blocks every parameter stacks: one per gate, at least one. */
export function blocksOf(cell: CellDescriptor): number {
  return Math.max(1, cell.gateOrder.length);
}

/** The symbolic shape of a parameter, e.g. `"D×4H"`, `"1×H"`. */
export function paramShape(cell: CellDescriptor, p: ParamDescriptor): string {
  const blocks = blocksOf(cell);
  return `${p.rows}×${blocks === 1 ? '' : blocks}H`;
}

/** The functions the library runs for a cell: the fast ones, or the reference until they exist. */
export function implementationOf(cell: CellDescriptor): CellFunctions {
  return cell.fast ?? cell.reference;
}

/** One of a cell's two kernels, as the checker and the tests see it. */
export interface KernelShape {
  /** `"lstm-step"` or `"lstm"`. */
  readonly kernel: string;
  readonly forwardName: string;
  readonly backwardName: string;
  /** The activations the forward takes, in call order, with their shapes: x, then each state's Prev / 0. */
  readonly activations: readonly { readonly name: string; readonly shape: string }[];
  /** The outputs that get an upstream gradient, with the backward's name for that gradient. */
  readonly outputs: readonly { readonly name: string; readonly shape: string; readonly upstream: string }[];
  /** The forward's arguments in order, from the activations keyed by name and the params record `p`. */
  readonly forwardArgs: (v: Readonly<Record<string, unknown>>) => unknown[];
  /** The backward's arguments in order, from the upstream gradients keyed by output name and the cache. */
  readonly backwardArgs: (d: Readonly<Record<string, unknown>>, cache: unknown) => unknown[];
  /** Calls a forward of this kernel with values keyed by input name (params by their own names). */
  readonly callForward: (f: CellFunction, v: Readonly<Record<string, unknown>>) => unknown;
  /** Calls a backward with upstream gradients keyed by output name, and the cache. */
  readonly callBackward: (f: CellFunction, d: Readonly<Record<string, unknown>>, cache: unknown) => unknown;
  /** This kernel's forward and backward in `fns`. */
  readonly pick: (fns: CellFunctions) => { forward: CellFunction; backward: CellFunction };
}

/** The params record of a cell out of values keyed by name. */
export function paramsOf(cell: CellDescriptor, v: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(cell.params.map((p) => [p.name, v[p.name]]));
}

/** The kernel with callForward / callBackward added, going through its own forwardArgs / backwardArgs. */
function withCallers(cell: CellDescriptor, k: Omit<KernelShape, 'callForward' | 'callBackward'>): KernelShape {
  return {
    ...k,
    callForward: (f, v) => f(...k.forwardArgs({ ...v, p: paramsOf(cell, v) })),
    callBackward: (f, d, cache) => f(...k.backwardArgs(d, cache)),
  };
}

/**
 * The step kernel: `(x, hPrev, cPrev, p)` → `{ h, c }`, backward `(dh, dcNext, cache)`. The
 * conventions of every cell: the states after x, the params last; upstream `dh`, then `d<state>Next`.
 */
export function stepKernel(cell: CellDescriptor): KernelShape {
  return withCallers(cell, {
    kernel: `${cell.name}-step`,
    forwardName: `${cell.name}StepForward`,
    backwardName: `${cell.name}StepBackward`,
    activations: [{ name: 'x', shape: 'N×D' }, ...cell.states.map((s) => ({ name: `${s}Prev`, shape: 'N×H' }))],
    outputs: cell.states.map((s, k) => ({ name: s, shape: 'N×H', upstream: k === 0 ? 'dh' : `d${s}Next` })),
    forwardArgs: (v) => [v.x, ...cell.states.map((s) => v[`${s}Prev`]), v.p],
    backwardArgs: (d, cache) => [...cell.states.map((s) => d[s]), cache],
    pick: (fns) => ({ forward: fns.stepForward, backward: fns.stepBackward }),
  });
}

/**
 * The sequence kernel: `(x, h0, p, c0)` → `{ h (every step), c (the last) }`, backward
 * `(dh, cache, dcT)`: h0 and dh first, the other states optional and last.
 */
export function sequenceKernel(cell: CellDescriptor): KernelShape {
  const [, ...others] = cell.states;
  return withCallers(cell, {
    kernel: cell.name,
    forwardName: `${cell.name}Forward`,
    backwardName: `${cell.name}Backward`,
    activations: [{ name: 'x', shape: 'N×T×D' }, ...cell.states.map((s) => ({ name: `${s}0`, shape: 'N×H' }))],
    outputs: cell.states.map((s, k) =>
      k === 0 ? { name: s, shape: 'N×T×H', upstream: 'dh' } : { name: s, shape: 'N×H', upstream: `d${s}T` },
    ),
    forwardArgs: (v) => [v.x, v.h0, v.p, ...others.map((s) => v[`${s}0`])],
    backwardArgs: (d, cache) => [d.h, cache, ...others.map((s) => d[s])],
    pick: (fns) => ({ forward: fns.forward, backward: fns.backward }),
  });
}

/** Both kernels of a cell, the step first. */
export function kernelsOf(cell: CellDescriptor): [KernelShape, KernelShape] {
  return [stepKernel(cell), sequenceKernel(cell)];
}
