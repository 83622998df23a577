export type { Ids, Mask } from './ids.js';
export { wordEmbeddingForward, wordEmbeddingBackward, type WordEmbeddingCache } from './embedding.js';
export { temporalAffineForward, temporalAffineBackward, type TemporalAffineCache } from './temporal-affine.js';
export { temporalSoftmaxLoss } from './softmax-loss.js';
export { meanSquaredError } from './mse.js';
