export type { RnnParams } from './params.js';
export { rnnStepForward, rnnStepBackward, type RnnStepCache, type RnnStepGrads } from './step.js';
export { rnnForward, rnnBackward, type RnnCache, type RnnGrads } from './sequence.js';
