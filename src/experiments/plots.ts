/**
 * Vega-Lite specifications for the experiments' figures. They are plain
 * JSON, so the same spec renders to SVG in the CLI (vega, headless) and in a
 * browser notebook (vega-embed); nothing here draws by hand.
 *
 * Docs: docs/experiments.md.
 */
import type { FlowResult } from './flow.js';

/** A Vega-Lite specification (a JSON object). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Two panels sharing the time axis: ‖dL/dh_t‖ on a log scale (how much of the
 * last step's gradient reaches step t) and ‖h_t‖ (the forward state), one
 * line per cell (colour) and ρ (dash).
 */
export function flowChartSpec(result: FlowResult): VegaLiteSpec {
  const values: { t: number; cell: string; rho: string; grad: number; state: number }[] = [];
  for (const s of result.series) {
    for (let t = 0; t < s.gradNorms.length; t++) {
      values.push({
        t: t + 1,
        cell: s.cell,
        rho: `ρ = ${s.rho}`,
        // Vega's log scale cannot place 0; an underflowed norm is drawn at the float64 floor.
        grad: Math.max(s.gradNorms[t] as number, Number.MIN_VALUE),
        state: s.stateNorms[t] as number,
      });
    }
  }
  const { T, H, seed, inputScale } = result.options;
  const encoding = (field: string, title: string, log: boolean): Record<string, unknown> => ({
    x: { field: 't', type: 'quantitative', title: 'time step t' },
    y: { field, type: 'quantitative', title, ...(log ? { scale: { type: 'log' }, axis: { format: '.0e' } } : {}) },
    color: { field: 'cell', type: 'nominal', title: 'cell' },
    strokeDash: { field: 'rho', type: 'nominal', title: 'W_h spectral radius' },
  });
  return {
    $schema: SCHEMA,
    title: {
      text: 'Gradient flow back from the last step',
      subtitle: `T=${T}, H=${H}, input scale ${inputScale}, seed ${seed}`,
    },
    data: { values },
    vconcat: [
      { width: 520, height: 260, mark: { type: 'line' }, encoding: encoding('grad', '‖dL/dh_t‖ (log)', true) },
      { width: 520, height: 140, mark: { type: 'line' }, encoding: encoding('state', '‖h_t‖ (forward)', false) },
    ],
  };
}

/** One learning curve: points { step, loss } for each named run. */
export interface CurvePoint {
  /** Optimizer step. */
  readonly step: number;
  /** Loss at that step (smoothed or raw, as the caller chooses). */
  readonly loss: number;
  /** Which run the point belongs to (one line each). */
  readonly run: string;
}

/**
 * Loss against step, one line per run, optionally on a log scale, with an
 * optional horizontal rule (e.g. the adding problem's 1/6 baseline).
 */
export function learningCurveSpec(
  points: readonly CurvePoint[],
  options: { title: string; yTitle: string; log?: boolean; baseline?: { value: number; label: string } },
): VegaLiteSpec {
  const y: Record<string, unknown> = { field: 'loss', type: 'quantitative', title: options.yTitle };
  if (options.log) y.scale = { type: 'log' };
  const line = {
    mark: { type: 'line' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y,
      color: { field: 'run', type: 'nominal', title: 'run', legend: { labelLimit: 400 } },
    },
  };
  const layers: Record<string, unknown>[] = [line];
  if (options.baseline !== undefined) {
    layers.push({
      data: { values: [{ value: options.baseline.value, label: options.baseline.label }] },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 4], color: 'gray' },
          encoding: { y: { field: 'value', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: 'gray' },
          encoding: { y: { field: 'value', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    $schema: SCHEMA,
    title: options.title,
    width: 520,
    height: 260,
    data: { values: points.map((p) => ({ ...p })) },
    layer: layers,
  };
}

/**
 * Averages of `values` over consecutive windows of `every` entries, as
 * curve points at the window's last step (1-based): a readable curve from a
 * noisy per-batch loss without plotting thousands of points.
 */
export function windowedMeans(values: readonly number[], every: number, run: string): CurvePoint[] {
  const out: CurvePoint[] = [];
  const size = Math.max(1, Math.floor(every));
  for (let start = 0; start < values.length; start += size) {
    const end = Math.min(values.length, start + size);
    let sum = 0;
    for (let k = start; k < end; k++) sum += values[k] as number;
    out.push({ step: end, loss: sum / (end - start), run });
  }
  return out;
}
