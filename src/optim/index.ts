export { gradKey, type GradKey, type GradsOf, type ParamRecord, type ParamsLike } from './params.js';
export {
  sgd,
  sgdMomentum,
  adam,
  clipGradNorm,
  type SgdOptions,
  type SgdMomentumOptions,
  type MomentumState,
  type AdamOptions,
  type AdamState,
} from './rules.js';
