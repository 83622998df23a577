/**
 * What the checker needs to know about a kernel: its inputs and outputs
 * with their shapes, how to call its forward and backward, and which
 * gradients are stacks of gate blocks. One spec per kernel, in specs/.
 */

import type { DiagnoseCase } from './mistakes/diagnose.js';
import type { Diagnosis } from './report.js';
import type { KernelSizes } from './shapes.js';

/**
 * A kernel function as the checker sees it: called with the spec's arguments,
 * returning whatever it returns (a user's module is untyped at run time, so
 * the result is validated, not trusted).
 */
// biome-ignore lint/suspicious/noExplicitAny: a user's kernel is untyped at run time (its result is validated)
export type KernelFunction = (...args: any[]) => unknown;

/** A forward/backward pair, under the names a user's module must export them. */
export interface KernelImplementation {
  /** The forward: returns `{ <outputs…>, cache }`. */
  readonly forward: KernelFunction;
  /** The backward: takes the upstream gradients and the cache, returns `{ d<input>… }`. */
  readonly backward?: KernelFunction;
}

/** What a `numericGradient` of checkKernel's options is asked for. */
export interface NumericGradientRequest {
  /** The forward's inputs and constants, keyed by name, as `callForward` takes them. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The input to perturb, one of `values`' keys. */
  readonly input: string;
  /** Flat row-major indices of that input to perturb by ±eps, one result per index. */
  readonly indices: readonly number[];
  /** The step. */
  readonly eps: number;
  /** The upstream gradient of each output, keyed by output name. */
  readonly upstream: Readonly<Record<string, unknown>>;
}

/** One differentiable input (an activation or a weight) of a kernel. */
export interface InputSpec {
  /** Its name in the forward's arguments / params record, e.g. `"Wx"`. */
  readonly name: string;
  /** Its shape, symbolic, e.g. `"D×4H"`: size letters N, T, D, H with integer multipliers, joined by ×. */
  readonly shape: string;
  /** The name of its gradient in the backward's result, e.g. `"dWx"`. */
  readonly gradient: string;
  /** Standard deviation of the random values drawn for it. */
  readonly scale: number;
}

/**
 * An input that is not differentiated: word indices, targets, a mask. It is
 * drawn once per case and passed as-is (kernels must not modify it).
 */
export interface ConstantSpec {
  /** Its name among the forward's arguments, e.g. `"idx"`. */
  readonly name: string;
  /** Draws its value for `sizes` from `uniform` (seeded draws in [0, 1)). */
  readonly draw: (sizes: KernelSizes, uniform: () => number) => unknown;
}

/** One output of the forward that receives an upstream gradient. */
export interface OutputSpec {
  /** Its key in the forward's result, e.g. `"h"`. */
  readonly name: string;
  /** Its shape, symbolic; `"1×1"` for a scalar loss (the forward may return a plain number). */
  readonly shape: string;
  /** What the backward calls its upstream gradient, e.g. `"dcNext"` (for messages). */
  readonly upstream: string;
}

/**
 * Gradients stacked from gate blocks side by side along their columns
 * (`Wx: D×4H` = [W_f | W_i | W_g | W_o]); the checker scores each block
 * separately, so a wrong gate shows as one bad block.
 */
export interface GateLayout {
  /** Gate names in block order, e.g. `['f', 'i', 'g', 'o']`. */
  readonly names: readonly string[];
  /** The inputs whose last dimension is the stack (each block is cols / names.length wide). */
  readonly inputs: readonly string[];
}

/**
 * Everything the checker needs to check one kernel. To add a kernel, write a
 * spec (see specs/lstm.ts) and list it in registry.ts.
 */
export interface KernelSpec {
  /** The name `--kernel` takes, e.g. `"lstm-step"`. */
  readonly name: string;
  /** One line for listings. */
  readonly summary: string;
  /** The forward's exported name, e.g. `"lstmStepForward"`. */
  readonly forwardName: string;
  /** The backward's exported name, e.g. `"lstmStepBackward"`. */
  readonly backwardName: string;
  /** The library's own implementation, the reference for users' modules. */
  readonly reference: Required<KernelImplementation>;
  /** Differentiable inputs, in the order report rows show their gradients. */
  readonly inputs: readonly InputSpec[];
  /** Inputs that are not differentiated (indices, targets, masks), if any. */
  readonly constants?: readonly ConstantSpec[];
  /** Forward outputs that get an upstream gradient. */
  readonly outputs: readonly OutputSpec[];
  /** Gate-stacked gradients, if the cell has gates. */
  readonly gates?: GateLayout;
  /** Calls `forward` with the inputs and constants, keyed by name. */
  readonly callForward: (forward: KernelFunction, inputs: Readonly<Record<string, unknown>>) => unknown;
  /**
   * Names the catalog mistakes a user's results match. Only for a spec whose
   * names or layout differ from the library kernel's (a numpy homework's),
   * which converts the case to the library's layout and calls diagnoseKernel
   * itself. Default: diagnoseKernel(spec, case).
   */
  readonly diagnose?: (c: DiagnoseCase) => Diagnosis[];
  /** Calls `backward` with the upstream gradients, keyed by {@link OutputSpec.name}, and the forward's cache. */
  readonly callBackward: (
    backward: KernelFunction,
    upstream: Readonly<Record<string, unknown>>,
    cache: unknown,
  ) => unknown;
}
