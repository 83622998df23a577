/**
 * Check specs of the GRU (PyTorch's formulation): one step and the whole
 * sequence. Wx, Wh, bx and bh are stacks of the three blocks in
 * GRU_GATE_ORDER (r | z | n), so their errors are broken down by gate.
 */
import { GRU_GATE_ORDER, gruBackward, gruForward, gruStepBackward, gruStepForward } from '../../gru/index.js';
import type { KernelSpec } from '../spec.js';

const params = (v: Readonly<Record<string, unknown>>): Record<string, unknown> => ({ Wx: v.Wx, Wh: v.Wh, bx: v.bx, bh: v.bh });
const gates = { names: GRU_GATE_ORDER, inputs: ['Wx', 'Wh', 'bx', 'bh'] };
const weights = [
  { name: 'Wx', shape: 'D×3H', gradient: 'dWx', scale: 0.3 },
  { name: 'Wh', shape: 'H×3H', gradient: 'dWh', scale: 0.3 },
  { name: 'bx', shape: '1×3H', gradient: 'dbx', scale: 0.3 },
  { name: 'bh', shape: '1×3H', gradient: 'dbh', scale: 0.3 },
] as const;

/** `gru-step`: r, z from both sides; n = tanh(x·W_xn + b_xn + r ⊙ (h·W_hn + b_hn)); h' = (1 − z) ⊙ n + z ⊙ h. */
export const gruStepSpec: KernelSpec = {
  name: 'gru-step',
  summary: 'one GRU step: (x, hPrev; Wx, Wh, bx, bh) → h',
  forwardName: 'gruStepForward',
  backwardName: 'gruStepBackward',
  reference: { forward: gruStepForward, backward: gruStepBackward },
  inputs: [
    ...weights,
    { name: 'x', shape: 'N×D', gradient: 'dx', scale: 1 },
    { name: 'hPrev', shape: 'N×H', gradient: 'dhPrev', scale: 1 },
  ],
  outputs: [{ name: 'h', shape: 'N×H', upstream: 'dh' }],
  gates,
  callForward: (forward, v) => forward(v.x, v.hPrev, params(v)),
  callBackward: (backward, d, cache) => backward(d.h, cache),
};

/** `gru`: the step over t = 1…T from h0, and BPTT with dh carried back. */
export const gruSpec: KernelSpec = {
  name: 'gru',
  summary: 'GRU over a sequence: (x, h0; Wx, Wh, bx, bh) → every h_t',
  forwardName: 'gruForward',
  backwardName: 'gruBackward',
  reference: { forward: gruForward, backward: gruBackward },
  inputs: [
    ...weights,
    { name: 'x', shape: 'N×T×D', gradient: 'dx', scale: 1 },
    { name: 'h0', shape: 'N×H', gradient: 'dh0', scale: 1 },
  ],
  outputs: [{ name: 'h', shape: 'N×T×H', upstream: 'dh' }],
  gates,
  callForward: (forward, v) => forward(v.x, v.h0, params(v)),
  callBackward: (backward, d, cache) => backward(d.h, cache),
};
