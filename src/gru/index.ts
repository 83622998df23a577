export { GRU_GATE_ORDER, type GruParams } from './params.js';
export { gruStepForward, gruStepBackward, type GruStepCache, type GruStepGrads } from './step.js';
export { gruForward, gruBackward, type GruCache, type GruGrads } from './sequence.js';
