/**
 * The temporal softmax (cross-entropy) loss of a language model, with an
 * optional mask for padding.
 *
 * Docs: docs/training.md ("Losses").
 */
import { Tensor3, asTensor3 } from '../linalg/index.js';
import { checkIds, checkMask, type Ids, type Mask } from './ids.js';
import { checkMemory } from '../linalg/budget.js';

/**
 * Cross-entropy summed over time and averaged over the batch (as cs231n's
 * `temporal_softmax_loss`), with p = softmax(scores[n, t, :]):
 *
 * ```text
 * loss    = −(1/N) Σ_{n,t} mask[n][t] · log p[y[n][t]]
 * dscores = mask[n][t] · (p − onehot(y[n][t])) / N
 *
 * scores: N×T×V   targets: N×T integers in [0, V)   mask: N×T booleans (all true when omitted)
 *   →   loss: scalar   dscores: N×T×V
 * ```
 *
 * Stable for any finite scores (±1e4 included): the row maximum is
 * subtracted before exponentiating and log p is formed as
 * (s_y − max) − log Σ e^(s − max), never as log of a rounded-to-zero p.
 *
 * @throws RangeError naming the position of a target that is not an integer in [0, V).
 */
export function temporalSoftmaxLoss(
  scores: Tensor3,
  targets: Ids,
  mask?: Mask,
): {
  /** −(1/N) Σ mask · log softmax(scores)[target]. */
  loss: number;
  /** dL/dscores = mask · (softmax − onehot(target)) / N, N×T×V. */
  dscores: Tensor3;
} {
  const fn = 'temporalSoftmaxLoss';
  const s = asTensor3(fn, 'scores', scores);
  const [N, T, V] = s.dims;
  checkIds(fn, 'targets', targets, V, 'scores', { N, T, from: 'scores' });
  const m = mask === undefined ? undefined : checkMask(fn, mask, N, T);
  checkMemory(fn, { N, T, V }, { dscores: N * T * V });
  const dscores = Tensor3.zeros(N, T, V);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const yRow = targets[n] as readonly number[];
    for (let t = 0; t < T; t++) {
      if (m !== undefined && !(m[n] as readonly boolean[])[t]) continue;
      const base = (n * T + t) * V;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, s.data[base + v] as number);
      let sum = 0;
      for (let v = 0; v < V; v++) {
        const e = Math.exp((s.data[base + v] as number) - max);
        dscores.data[base + v] = e;
        sum += e;
      }
      const y = yRow[t] as number;
      loss -= (s.data[base + y] as number) - max - Math.log(sum);
      for (let v = 0; v < V; v++) dscores.data[base + v] = (dscores.data[base + v] as number) / sum / N;
      dscores.data[base + y] = (dscores.data[base + y] as number) - 1 / N;
    }
  }
  return { loss: loss / N, dscores };
}
