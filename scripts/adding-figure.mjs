// Draws several `handgrad train adding --json FILE` runs as one learning-curve
// SVG (docs/figures/adding-T50.svg): the figure of docs/experiments.md.
// Usage: node scripts/adding-figure.mjs OUT.svg RUN1.json RUN2.json …
// Needs `npm run build` first (it uses the built library).
import { readFileSync, writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
// The experiments are built for the CLI only (CommonJS); Node imports their named exports.
import { ADDING_BASELINE_MSE } from '../dist/cjs/experiments/adding.js';
import { learningCurveSpec, windowedMeans } from '../dist/cjs/experiments/plots.js';

const [out, ...runs] = process.argv.slice(2);
if (!out || runs.length === 0) {
  process.stderr.write('usage: node scripts/adding-figure.mjs OUT.svg RUN.json…\n');
  process.exit(2);
}
const points = [];
const Ts = new Set();
for (const file of runs) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  const { cell, T, steps } = run.options;
  Ts.add(T);
  points.push(
    ...windowedMeans(
      run.loss,
      Math.max(1, Math.floor(steps / 100)),
      `${cell}, T=${T} (test MSE ${run.testMse.toPrecision(2)})`,
    ),
  );
}
const spec = learningCurveSpec(points, {
  title: `Adding problem, T=${[...Ts].join(', ')}: training MSE (mean of each 1% of the steps)`,
  yTitle: 'training MSE (log)',
  log: true,
  baseline: { value: ADDING_BASELINE_MSE, label: 'baseline 1/6 (always predict 1)' },
});
const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
writeFileSync(out, await view.toSVG());
process.stdout.write(`wrote ${out}\n`);
