/**
 * The vanilla RNN described once: what the gradient checker, the shared tests
 * and the docs' tables are derived from (see src/descriptor.ts).
 */
import type { CellDescriptor } from '../descriptor.js';
import * as reference from './reference.js';
import { rnnBackward, rnnForward } from './sequence.js';
import { rnnStepBackward, rnnStepForward } from './step.js';

/** The vanilla RNN: h_t = tanh(h_{t−1}·W_h + x_t·W_x + b). */
export const rnnDescriptor: CellDescriptor = {
  name: 'rnn',
  title: 'vanilla RNN',
  gateOrder: [],
  params: [
    { name: 'Wx', rows: 'D', meaning: 'input-to-hidden weights' },
    { name: 'Wh', rows: 'H', meaning: 'hidden-to-hidden weights' },
    { name: 'b', rows: '1', meaning: 'bias, one row added to every example' },
  ],
  states: ['h'],
  reference: {
    stepForward: reference.rnnStepForward,
    stepBackward: reference.rnnStepBackward,
    forward: reference.rnnForward,
    backward: reference.rnnBackward,
  },
  fast: { stepForward: rnnStepForward, stepBackward: rnnStepBackward, forward: rnnForward, backward: rnnBackward },
  doc: 'docs/rnn.md',
};
