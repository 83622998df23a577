import { describeFixedGradients, describeKernelProperties } from '../helpers/kernel-suite';
import { gruDef, gruStepDef } from '../helpers/kernels';

describeFixedGradients(gruStepDef);
describeFixedGradients(gruDef);
describeKernelProperties(gruStepDef);
describeKernelProperties(gruDef);
