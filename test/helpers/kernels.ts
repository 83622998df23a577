/**
 * Every kernel described the same way, so one shared suite can check them
 * all: its differentiable inputs (parameters included), its forward outputs
 * and its backward, keyed by name (`d` + input name for gradients). Derived
 * from the cell descriptors (src/cells.ts), for the fast kernels and for the
 * reference ones alike.
 */
import { CELL_DESCRIPTORS } from '../../src/cells';
import { kernelsOf, type CellDescriptor, type CellFunctions, type KernelShape } from '../../src/descriptor';
import { gruDescriptor } from '../../src/gru/cell';
import { type Matrix, Tensor3 } from '../../src/index';
import { lstmDescriptor } from '../../src/lstm/cell';
import { rnnDescriptor } from '../../src/rnn/cell';
import { randMatrix, randTensor } from './numeric';

export type Arr = Matrix | Tensor3;
export type Named = Record<string, Arr>;
export interface Shape {
  N: number;
  T: number;
  D: number;
  H: number;
}

export interface KernelDef {
  name: string;
  /** Names of the differentiable inputs, in call order. */
  inputs: readonly string[];
  /** Names of the outputs that receive an upstream gradient. */
  outputs: readonly string[];
  makeInputs(s: Shape, rand: () => number): Named;
  forward(inp: Named): Named;
  backward(inp: Named, upstream: Named): Named;
}

const M = (v: Arr | undefined): Matrix => v as Matrix;

/**
 * Weights scaled like a PyTorch init (1/√fan-in), biases O(0.5) so no gate
 * sits at 0; activations uniform in [−1, 1). Drawn in input order.
 */
function makeInputs(cell: CellDescriptor, k: KernelShape, { N, T, D, H }: Shape, r: () => number): Named {
  const out: Named = {};
  for (const a of k.activations) {
    out[a.name] = a.shape === 'N×T×D' ? randTensor(N, T, D, r) : randMatrix(N, a.shape === 'N×D' ? D : H, r);
  }
  const cols = Math.max(1, cell.gateOrder.length) * H;
  for (const p of cell.params) {
    const rows = p.rows === 'D' ? D : p.rows === 'H' ? H : 1;
    out[p.name] = randMatrix(rows, cols, r, p.rows === '1' ? 0.5 : 1 / Math.sqrt(rows));
  }
  return out;
}

/** The KernelDef of one kernel of `cell`, run with `fns` (its fast or its reference functions). */
function defOf(cell: CellDescriptor, k: KernelShape, fns: CellFunctions, suffix: string): KernelDef {
  const { forward, backward } = k.pick(fns);
  const run = (inp: Named) => k.callForward(forward, inp) as Record<string, unknown>;
  return {
    name: `${k.kernel}${suffix}`,
    inputs: [...k.activations.map((a) => a.name), ...cell.params.map((p) => p.name)],
    outputs: k.outputs.map((o) => o.name),
    makeInputs: (s, r) => makeInputs(cell, k, s, r),
    forward: (inp) => {
      const out = run(inp);
      return Object.fromEntries(k.outputs.map((o) => [o.name, out[o.name] as Arr]));
    },
    backward: (inp, up) => ({ ...(k.callBackward(backward, up, run(inp).cache) as Named) }),
  };
}

/** The step and sequence KernelDefs of a cell's fast kernels (its reference when it has none). */
export function fastDefs(cell: CellDescriptor): [KernelDef, KernelDef] {
  const [step, sequence] = kernelsOf(cell);
  const fns = cell.fast ?? cell.reference;
  return [defOf(cell, step, fns, ''), defOf(cell, sequence, fns, '')];
}

/** The step and sequence KernelDefs of a cell's reference. */
export function referenceDefs(cell: CellDescriptor): [KernelDef, KernelDef] {
  const [step, sequence] = kernelsOf(cell);
  return [defOf(cell, step, cell.reference, ' (reference)'), defOf(cell, sequence, cell.reference, ' (reference)')];
}

export { CELL_DESCRIPTORS };
export const [rnnStepDef, rnnDef] = fastDefs(rnnDescriptor);
export const [lstmStepDef, lstmDef] = fastDefs(lstmDescriptor);
export const [gruStepDef, gruDef] = fastDefs(gruDescriptor);

/** GRU weights as makeInputs draws them, for the GRU's own tests. */
export function gruWeights(D: number, H: number, rand: () => number): Named {
  return {
    Wx: randMatrix(D, 3 * H, rand, 1 / Math.sqrt(D)),
    Wh: randMatrix(H, 3 * H, rand, 1 / Math.sqrt(H)),
    bx: randMatrix(1, 3 * H, rand, 0.5),
    bh: randMatrix(1, 3 * H, rand, 0.5),
  };
}
export const gruParams = (inp: Named) => ({ Wx: M(inp.Wx), Wh: M(inp.Wh), bx: M(inp.bx), bh: M(inp.bh) });

/** Random upstream gradients shaped like the outputs. */
export function makeUpstream(def: KernelDef, inp: Named, rand: () => number): Named {
  const out = def.forward(inp);
  const up: Named = {};
  for (const name of def.outputs) {
    const o = out[name];
    up[name] = o instanceof Tensor3 ? randTensor(...o.dims, rand) : randMatrix(M(o).rows, M(o).cols, rand);
  }
  return up;
}
