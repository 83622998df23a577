/**
 * The LSTM described once: what the gradient checker, the shared tests and
 * the docs' tables are derived from (see src/descriptor.ts).
 */
import type { CellDescriptor } from '../descriptor.js';
import { LSTM_GATE_ORDER } from './params.js';
import * as reference from './reference.js';
import { lstmBackward, lstmForward } from './sequence.js';
import { lstmStepBackward, lstmStepForward } from './step.js';

/** The LSTM: gates f | i | g | o, c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t). */
export const lstmDescriptor: CellDescriptor = {
  name: 'lstm',
  title: 'LSTM',
  gateOrder: LSTM_GATE_ORDER,
  params: [
    { name: 'Wx', rows: 'D', meaning: 'input-to-gates weights' },
    { name: 'Wh', rows: 'H', meaning: 'hidden-to-gates weights' },
    { name: 'b', rows: '1', meaning: 'gate biases' },
  ],
  states: ['h', 'c'],
  reference: {
    stepForward: reference.lstmStepForward,
    stepBackward: reference.lstmStepBackward,
    forward: reference.lstmForward,
    backward: reference.lstmBackward,
  },
  fast: { stepForward: lstmStepForward, stepBackward: lstmStepBackward, forward: lstmForward, backward: lstmBackward },
  doc: 'docs/lstm.md',
};
