// Which marked value did a trained adding-problem model learn to carry?
// Trains with `handgrad train adding`'s defaults (same seed, same numbers),
// then fits pred ≈ a·v₁ + b·v₂ + c on the held-out set by least squares,
// where v₁ is the value at the first-half marker and v₂ at the second-half
// one. a ≈ b ≈ 1 means both are carried; a ≈ 0, b ≈ 1 means only the nearer.
// Usage: node scripts/adding-attribution.mjs [cell] [T] [steps]   (after npm run build)
// The experiments are built for the CLI only (CommonJS); Node imports their named exports.
import { addingBatch, addingPredict, trainAdding } from '../dist/cjs/experiments/adding.js';
import { getCell, seededRandom } from '../dist/esm/train/index.js';

const [cell = 'rnn', T = '50', steps = '2000'] = process.argv.slice(2);
const result = trainAdding({ cell, T: Number(T), steps: Number(steps) });
const { seed, testSize } = result.options;
const test = addingBatch(testSize, Number(T), seededRandom(seed + 2_000_029)); // the test set trainAdding used
const pred = addingPredict(getCell(cell), result.params, test.x);

// Normal equations for [v1, v2, 1].
const rows = [];
for (let n = 0; n < testSize; n++) {
  const marked = [];
  for (let t = 0; t < Number(T); t++) if (test.x.get(n, t, 1) === 1) marked.push(test.x.get(n, t, 0));
  rows.push([marked[0], marked[1], 1, pred.data[n]]);
}
const A = [
  [0, 0, 0],
  [0, 0, 0],
  [0, 0, 0],
];
const rhs = [0, 0, 0];
for (const r of rows)
  for (let i = 0; i < 3; i++) {
    rhs[i] += r[i] * r[3];
    for (let j = 0; j < 3; j++) A[i][j] += r[i] * r[j];
  }
// Gaussian elimination (3×3, well conditioned).
for (let i = 0; i < 3; i++)
  for (let k = i + 1; k < 3; k++) {
    const f = A[k][i] / A[i][i];
    for (let j = i; j < 3; j++) A[k][j] -= f * A[i][j];
    rhs[k] -= f * rhs[i];
  }
const coef = [0, 0, 0];
for (let i = 2; i >= 0; i--) {
  let s = rhs[i];
  for (let j = i + 1; j < 3; j++) s -= A[i][j] * coef[j];
  coef[i] = s / A[i][i];
}
process.stdout.write(
  `${cell}, T=${T}, ${steps} steps: test MSE ${result.testMse.toFixed(5)}; ` +
    `pred ≈ ${coef[0].toFixed(3)}·v1 + ${coef[1].toFixed(3)}·v2 + ${coef[2].toFixed(3)}\n`,
);
