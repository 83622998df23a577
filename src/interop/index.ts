/**
 * Converters between handgrad's weight layout (`x·Wx + h·Wh + b`, gates as
 * column blocks) and PyTorch's `nn.RNN`/`nn.LSTM`/`nn.GRU` state dicts, the
 * cs231n assignment's LSTM arrays and Keras' LSTM weights.
 *
 * @packageDocumentation
 * @module handgrad/interop
 */
export {
  TORCH_LSTM_GATE_ORDER,
  TORCH_GRU_GATE_ORDER,
  rnnParamsFromTorch,
  rnnParamsToTorch,
  rnnGradsToTorch,
  lstmParamsFromTorch,
  lstmParamsToTorch,
  lstmGradsToTorch,
  gruParamsFromTorch,
  gruParamsToTorch,
  gruGradsToTorch,
  type TorchWeights,
} from './torch.js';
export {
  CS231N_LSTM_GATE_ORDER,
  KERAS_LSTM_GATE_ORDER,
  lstmParamsFromCs231n,
  lstmParamsToCs231n,
  lstmParamsFromKeras,
  lstmParamsToKeras,
  type Cs231nLstmWeights,
  type KerasLstmWeights,
} from './columns.js';
