/**
 * Renders a Vega-Lite spec to an SVG string with vega's headless View
 * (`renderer: 'none'`, no canvas, no native modules). vega and vega-lite
 * are ES modules only, hence the dynamic imports from this CommonJS build.
 */
import type { VegaLiteSpec } from '../experiments/plots.js';

/** The SVG text of a Vega-Lite spec. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
