/**
 * Check specs of the vanilla RNN: one step and the whole sequence (BPTT).
 */
import { rnnBackward, rnnForward, rnnStepBackward, rnnStepForward } from '../../rnn/index.js';
import type { KernelSpec } from '../spec.js';

const params = (v: Readonly<Record<string, unknown>>): Record<string, unknown> => ({ Wx: v.Wx, Wh: v.Wh, b: v.b });

/** `rnn-step`: h = tanh(hPrev·Wh + x·Wx + b). */
export const rnnStepSpec: KernelSpec = {
  name: 'rnn-step',
  summary: 'one vanilla-RNN step: (x, hPrev; Wx, Wh, b) → h',
  forwardName: 'rnnStepForward',
  backwardName: 'rnnStepBackward',
  reference: { forward: rnnStepForward, backward: rnnStepBackward },
  inputs: [
    { name: 'Wx', shape: 'D×H', gradient: 'dWx', scale: 0.3 },
    { name: 'Wh', shape: 'H×H', gradient: 'dWh', scale: 0.3 },
    { name: 'b', shape: '1×H', gradient: 'db', scale: 0.3 },
    { name: 'x', shape: 'N×D', gradient: 'dx', scale: 1 },
    { name: 'hPrev', shape: 'N×H', gradient: 'dhPrev', scale: 1 },
  ],
  outputs: [{ name: 'h', shape: 'N×H', upstream: 'dh' }],
  callForward: (forward, v) => forward(v.x, v.hPrev, params(v)),
  callBackward: (backward, d, cache) => backward(d.h, cache),
};

/** `rnn`: the step over t = 1…T from h0, and backpropagation through time. */
export const rnnSpec: KernelSpec = {
  name: 'rnn',
  summary: 'vanilla RNN over a sequence: (x, h0; Wx, Wh, b) → every h_t',
  forwardName: 'rnnForward',
  backwardName: 'rnnBackward',
  reference: { forward: rnnForward, backward: rnnBackward },
  inputs: [
    { name: 'Wx', shape: 'D×H', gradient: 'dWx', scale: 0.3 },
    { name: 'Wh', shape: 'H×H', gradient: 'dWh', scale: 0.3 },
    { name: 'b', shape: '1×H', gradient: 'db', scale: 0.3 },
    { name: 'x', shape: 'N×T×D', gradient: 'dx', scale: 1 },
    { name: 'h0', shape: 'N×H', gradient: 'dh0', scale: 1 },
  ],
  outputs: [{ name: 'h', shape: 'N×T×H', upstream: 'dh' }],
  callForward: (forward, v) => forward(v.x, v.h0, params(v)),
  callBackward: (backward, d, cache) => backward(d.h, cache),
};
