/**
 * The checker's specs of a cell, derived from its descriptor: the step
 * kernel and the sequence kernel, the weights scored gate block by gate block
 * when the cell has gates. What the checker runs as the library's answer is
 * the cell's fast implementation, or its reference until one exists.
 */
import { implementationOf, kernelsOf, paramShape, type CellDescriptor, type KernelShape } from '../../descriptor.js';
import type { KernelSpec } from '../spec.js';

const cache = new WeakMap<CellDescriptor, [KernelSpec, KernelSpec]>();

function summary(cell: CellDescriptor, k: KernelShape, step: boolean): string {
  const args = `${k.activations.map((a) => a.name).join(', ')}; ${cell.params.map((p) => p.name).join(', ')}`;
  const outs = k.outputs.map((o, i) => (step ? o.name : i === 0 ? 'every h_t' : `${o.name}_T`));
  const result = outs.length === 1 ? outs[0] : `(${outs.join(', ')})`;
  return step
    ? `one ${cell.title} step: (${args}) → ${result}`
    : `${cell.title} over a sequence: (${args}) → ${result}`;
}

function specOf(cell: CellDescriptor, k: KernelShape, step: boolean): KernelSpec {
  const weights = cell.params.map((p) => ({
    name: p.name,
    shape: paramShape(cell, p),
    gradient: `d${p.name}`,
    scale: 0.3,
  }));
  const activations = k.activations.map((a) => ({ ...a, gradient: `d${a.name}`, scale: 1 }));
  const gated = cell.gateOrder.length > 0;
  const gates = gated ? { names: cell.gateOrder, inputs: cell.params.map((p) => p.name) } : undefined;
  return {
    name: k.kernel,
    summary: summary(cell, k, step),
    forwardName: k.forwardName,
    backwardName: k.backwardName,
    reference: k.pick(implementationOf(cell)),
    inputs: [...weights, ...activations],
    outputs: k.outputs,
    ...(gates === undefined ? {} : { gates }),
    callForward: k.callForward,
    callBackward: k.callBackward,
  };
}

/** The step spec and the sequence spec of `cell` (the same objects on every call). */
export function cellSpecs(cell: CellDescriptor): [KernelSpec, KernelSpec] {
  let specs = cache.get(cell);
  if (specs === undefined) {
    const [step, sequence] = kernelsOf(cell);
    specs = [specOf(cell, step, true), specOf(cell, sequence, false)];
    cache.set(cell, specs);
  }
  return specs;
}
