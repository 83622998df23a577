/**
 * The reference cells through the same finite-difference suites as the fast
 * kernels (test/helpers/kernel-suite.ts): fixed cases, then properties over
 * random shapes, values and seeds.
 */
import { describeFixedGradients, describeKernelProperties } from '../helpers/kernel-suite';
import { CELL_DESCRIPTORS, referenceDefs } from '../helpers/kernels';

for (const cell of CELL_DESCRIPTORS) {
  for (const def of referenceDefs(cell)) {
    describeFixedGradients(def);
    describeKernelProperties(def);
  }
}
