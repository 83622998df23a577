import { describeFixedGradients, describeKernelProperties } from '../helpers/kernel-suite';
import { lstmDef, lstmStepDef } from '../helpers/kernels';

describeFixedGradients(lstmStepDef);
describeFixedGradients(lstmDef);
describeKernelProperties(lstmStepDef);
describeKernelProperties(lstmDef);
