import { describeFixedGradients, describeKernelProperties, gruDef, gruStepDef } from './kernels';

describeFixedGradients(gruStepDef);
describeFixedGradients(gruDef);
describeKernelProperties(gruStepDef);
describeKernelProperties(gruDef);
