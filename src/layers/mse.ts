/**
 * Mean squared error, the regression loss of the adding problem.
 *
 * Docs: docs/training.md ("Losses").
 */
import { Matrix, asMatrix, expectMatrix } from '../linalg/index.js';
import { checkMemory } from '../linalg/budget.js';

/**
 * L = (1/(N·M)) Σ_{n,m} (pred − target)², the mean over every element, and
 * its gradient dL/dpred = 2·(pred − target)/(N·M).
 *
 * ```text
 * pred, target: N×M   →   loss: scalar   dpred: N×M
 * ```
 *
 * @throws ShapeError when target's shape differs from pred's.
 * @throws TypeError when an argument is not a Matrix.
 */
export function meanSquaredError(
  pred: Matrix,
  target: Matrix,
): {
  /** The mean of (pred − target)² over all elements. */
  loss: number;
  /** dL/dpred = 2(pred − target)/(N·M). */
  dpred: Matrix;
} {
  const fn = 'meanSquaredError';
  const p = asMatrix(fn, 'pred', pred);
  const y = expectMatrix(fn, 'target', target, p.rows, p.cols, 'the shape of pred');
  const count = p.rows * p.cols;
  checkMemory(fn, { N: p.rows, M: p.cols }, { dpred: count });
  const dpred = Matrix.zeros(p.rows, p.cols);
  let sum = 0;
  for (let k = 0; k < count; k++) {
    const diff = (p.data[k] as number) - (y.data[k] as number);
    sum += diff * diff;
    dpred.data[k] = (2 * diff) / count;
  }
  return { loss: sum / count, dpred };
}
