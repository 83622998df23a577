/**
 * Check specs of the GRU (PyTorch's formulation), derived from its
 * descriptor: `gru-step` and `gru`. Wx, Wh, bx and bh stack the three blocks
 * in GRU_GATE_ORDER (r | z | n), so their errors are broken down by gate.
 */
import { gruDescriptor } from '../../gru/cell.js';
import type { KernelSpec } from '../spec.js';
import { cellSpecs } from './cell.js';

const [step, sequence] = cellSpecs(gruDescriptor);

/** `gru-step`. */
export const gruStepSpec: KernelSpec = step;

/** `gru`. */
export const gruSpec: KernelSpec = sequence;
