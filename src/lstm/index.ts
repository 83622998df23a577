export { LSTM_GATE_ORDER, type LstmParams } from './params.js';
export { lstmStepForward, lstmStepBackward, type LstmStepCache, type LstmStepGrads } from './step.js';
export { lstmForward, lstmBackward, type LstmCache, type LstmGrads } from './sequence.js';
