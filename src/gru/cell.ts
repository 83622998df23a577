/**
 * The GRU described once: what the gradient checker, the shared tests and
 * the docs' tables are derived from (see src/descriptor.ts).
 */
import type { CellDescriptor } from '../descriptor.js';
import { GRU_GATE_ORDER } from './params.js';
import * as reference from './reference.js';
import { gruBackward, gruForward } from './sequence.js';
import { gruStepBackward, gruStepForward } from './step.js';

/** The GRU in PyTorch's formulation: gates r | z | n, h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}. */
export const gruDescriptor: CellDescriptor = {
  name: 'gru',
  title: 'GRU',
  gateOrder: GRU_GATE_ORDER,
  params: [
    { name: 'Wx', rows: 'D', meaning: 'input weights' },
    { name: 'Wh', rows: 'H', meaning: 'hidden weights' },
    { name: 'bx', rows: '1', meaning: 'input-side biases' },
    { name: 'bh', rows: '1', meaning: 'hidden-side biases (the n block sits inside the reset product)' },
  ],
  states: ['h'],
  reference: {
    stepForward: reference.gruStepForward,
    stepBackward: reference.gruStepBackward,
    forward: reference.gruForward,
    backward: reference.gruBackward,
  },
  fast: { stepForward: gruStepForward, stepBackward: gruStepBackward, forward: gruForward, backward: gruBackward },
  doc: 'docs/gru.md',
};
