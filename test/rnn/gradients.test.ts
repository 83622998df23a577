import { describeFixedGradients, describeKernelProperties } from '../helpers/kernel-suite';
import { rnnDef, rnnStepDef } from '../helpers/kernels';

describeFixedGradients(rnnStepDef);
describeFixedGradients(rnnDef);
describeKernelProperties(rnnStepDef);
describeKernelProperties(rnnDef);
