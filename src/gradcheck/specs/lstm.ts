/**
 * Check specs of the LSTM, derived from its descriptor: `lstm-step` (with the
 * carried dc_next) and `lstm` (BPTT with both carried gradients). Wx, Wh and b
 * stack the four gate blocks in LSTM_GATE_ORDER, so their errors are broken
 * down by gate.
 */
import { lstmDescriptor } from '../../lstm/cell.js';
import type { KernelSpec } from '../spec.js';
import { cellSpecs } from './cell.js';

const [step, sequence] = cellSpecs(lstmDescriptor);

/** `lstm-step`. */
export const lstmStepSpec: KernelSpec = step;

/** `lstm`. */
export const lstmSpec: KernelSpec = sequence;
