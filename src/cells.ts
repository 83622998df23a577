/**
 * Every built-in cell's descriptor, in the order the checker, the tests and
 * the docs list them. A new cell variant adds its descriptor here.
 */
import type { CellDescriptor } from './descriptor.js';
import { gruDescriptor } from './gru/cell.js';
import { lstmDescriptor } from './lstm/cell.js';
import { rnnDescriptor } from './rnn/cell.js';

export const CELL_DESCRIPTORS: readonly CellDescriptor[] = [rnnDescriptor, lstmDescriptor, gruDescriptor];
