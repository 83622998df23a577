/**
 * Check specs of the vanilla RNN, derived from its descriptor: `rnn-step`,
 * h = tanh(hPrev·Wh + x·Wx + b), and `rnn`, the step over t = 1…T and BPTT.
 */
import { rnnDescriptor } from '../../rnn/cell.js';
import type { KernelSpec } from '../spec.js';
import { cellSpecs } from './cell.js';

const [step, sequence] = cellSpecs(rnnDescriptor);

/** `rnn-step`. */
export const rnnStepSpec: KernelSpec = step;

/** `rnn`. */
export const rnnSpec: KernelSpec = sequence;
