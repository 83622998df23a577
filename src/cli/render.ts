/**
 * Renders a Vega-Lite spec to an SVG string with vega's headless View
 * (`renderer: 'none'`, no canvas, no native modules). vega and vega-lite
 * are ES modules only, hence the dynamic imports from this CommonJS build.
 *
 * They are optional peer dependencies: about 12 MB and 90 packages that only
 * the plots need, so a project that uses the kernels and `handgrad check`
 * does not install them. Without them a plot is refused with a one-line hint.
 */
import type { VegaLiteSpec } from '../experiments/plots.js';
import { UsageError } from './usage.js';

/** What to print when vega or vega-lite cannot be loaded. */
export const RENDERER_HINT = 'SVG plots need the optional packages vega and vega-lite: npm install vega vega-lite';

/** The plot renderer is not installed (see {@link RENDERER_HINT}). */
export class RendererMissingError extends UsageError {
  constructor(missing: string) {
    super(`${RENDERER_HINT} (cannot load ${missing})`);
    this.name = 'RendererMissingError';
  }
}

async function load<T>(name: 'vega' | 'vega-lite', importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // Only "not installed" becomes the hint; a broken install keeps its own error.
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new RendererMissingError(name);
    throw err;
  }
}

/**
 * Loads the renderer now, so a command that trains for minutes before it
 * plots fails at once, not after the training.
 *
 * @throws RendererMissingError when vega or vega-lite is not installed.
 */
export async function requireRenderer(): Promise<void> {
  await load('vega', () => import('vega'));
  await load('vega-lite', () => import('vega-lite'));
}

/** The SVG text of a Vega-Lite spec. @throws RendererMissingError when vega or vega-lite is not installed. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vega = await load('vega', () => import('vega'));
  const vegaLite = await load('vega-lite', () => import('vega-lite'));
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
