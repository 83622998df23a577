/**
 * Check specs of the LSTM: one step (with the carried dc_next) and the whole
 * sequence (BPTT with both carried gradients). Wx, Wh and b are stacks of the
 * four gate blocks in LSTM_GATE_ORDER, so their errors are broken down by gate.
 */
import { LSTM_GATE_ORDER, lstmBackward, lstmForward, lstmStepBackward, lstmStepForward } from '../../lstm/index.js';
import type { KernelSpec } from '../spec.js';

const params = (v: Readonly<Record<string, unknown>>): Record<string, unknown> => ({ Wx: v.Wx, Wh: v.Wh, b: v.b });
const gates = { names: LSTM_GATE_ORDER, inputs: ['Wx', 'Wh', 'b'] };

/** `lstm-step`: gates from hPrev·Wh + x·Wx + b; c = f ⊙ cPrev + i ⊙ g; h = o ⊙ tanh(c). */
export const lstmStepSpec: KernelSpec = {
  name: 'lstm-step',
  summary: 'one LSTM step: (x, hPrev, cPrev; Wx, Wh, b) → (h, c)',
  forwardName: 'lstmStepForward',
  backwardName: 'lstmStepBackward',
  reference: { forward: lstmStepForward, backward: lstmStepBackward },
  inputs: [
    { name: 'Wx', shape: 'D×4H', gradient: 'dWx', scale: 0.3 },
    { name: 'Wh', shape: 'H×4H', gradient: 'dWh', scale: 0.3 },
    { name: 'b', shape: '1×4H', gradient: 'db', scale: 0.3 },
    { name: 'x', shape: 'N×D', gradient: 'dx', scale: 1 },
    { name: 'hPrev', shape: 'N×H', gradient: 'dhPrev', scale: 1 },
    { name: 'cPrev', shape: 'N×H', gradient: 'dcPrev', scale: 1 },
  ],
  outputs: [
    { name: 'h', shape: 'N×H', upstream: 'dh' },
    { name: 'c', shape: 'N×H', upstream: 'dcNext' },
  ],
  gates,
  callForward: (forward, v) => forward(v.x, v.hPrev, v.cPrev, params(v)),
  callBackward: (backward, d, cache) => backward(d.h, d.c, cache),
};

/** `lstm`: the step over t = 1…T from (h0, c0), and BPTT with dh and dc carried back. */
export const lstmSpec: KernelSpec = {
  name: 'lstm',
  summary: 'LSTM over a sequence: (x, h0, c0; Wx, Wh, b) → (every h_t, c_T)',
  forwardName: 'lstmForward',
  backwardName: 'lstmBackward',
  reference: { forward: lstmForward, backward: lstmBackward },
  inputs: [
    { name: 'Wx', shape: 'D×4H', gradient: 'dWx', scale: 0.3 },
    { name: 'Wh', shape: 'H×4H', gradient: 'dWh', scale: 0.3 },
    { name: 'b', shape: '1×4H', gradient: 'db', scale: 0.3 },
    { name: 'x', shape: 'N×T×D', gradient: 'dx', scale: 1 },
    { name: 'h0', shape: 'N×H', gradient: 'dh0', scale: 1 },
    { name: 'c0', shape: 'N×H', gradient: 'dc0', scale: 1 },
  ],
  outputs: [
    { name: 'h', shape: 'N×T×H', upstream: 'dh' },
    { name: 'c', shape: 'N×H', upstream: 'dcT' },
  ],
  gates,
  callForward: (forward, v) => forward(v.x, v.h0, params(v), v.c0),
  callBackward: (backward, d, cache) => backward(d.h, cache, d.c),
};
