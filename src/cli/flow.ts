/**
 * `handgrad flow`: the vanishing / exploding gradient experiment as a table
 * on stdout and a Vega-Lite SVG on disk. The numbers come from
 * measureFlow in src/experiments; this file only parses, prints and writes.
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { measureFlow, type FlowResult } from '../experiments/flow.js';
import { flowChartSpec } from '../experiments/plots.js';
import { cellNames } from '../train/cells.js';
import { checkOutputPath, writeOrFail } from './atomic-write.js';
import { checkRunFits } from './sizes.js';
import { OutputPlan, withInterrupts, yieldToSignals } from './interrupt.js';
import { parseCell, parseNonNegative, parseNumberList, parseSeed } from './options.js';
import { RendererMissingError, renderSvg } from './render.js';
import { parsePositiveInt } from './usage.js';

interface FlowCliOptions {
  rho: number[];
  T: number;
  H: number;
  D: number;
  inputScale: number;
  seed: number;
  cells?: string[];
  out: string | false;
  json?: string;
}

function fmt(v: number): string {
  return v === 0 ? '0' : v.toExponential(2);
}

/** The compact table: the gradient reaching t = 1, T/2 and the state norms. */
export function flowTable(result: FlowResult): string {
  const { T } = result.options;
  const mid = Math.max(1, Math.floor(T / 2));
  const table = new Table({
    head: ['cell', 'ρ', '‖dL/dh_1‖', `‖dL/dh_${mid}‖`, `‖dL/dh_${T}‖`, '‖dL/dc_1‖', '‖h_1‖', `‖h_${T}‖`, 'max_t ‖h_t‖'],
    style: { head: [], border: [], compact: true },
  });
  for (const s of result.series) {
    table.push([
      s.cell,
      String(s.rho),
      fmt(s.gradNorms[0] as number),
      fmt(s.gradNorms[mid - 1] as number),
      fmt(s.gradNorms[T - 1] as number),
      s.cellGradNorms === undefined ? '—' : fmt(s.cellGradNorms[0] as number),
      (s.stateNorms[0] as number).toFixed(3),
      (s.stateNorms[T - 1] as number).toFixed(3),
      // A loop, not Math.max(...): a spread of a long run's norms overflows the call stack.
      s.stateNorms.reduce((m, v) => Math.max(m, v), 0).toFixed(3),
    ]);
  }
  return table.toString();
}

/** Registers `handgrad flow` on the program. */
export function registerFlowCommand(program: Command): void {
  program
    .command('flow')
    .description(
      'Backpropagate a unit gradient from the last step of RNN / LSTM / GRU at W_h spectral radius ρ; ' +
        'print ‖dL/dh_t‖ and plot it',
    )
    .option('--rho <list>', 'spectral radii of W_h, comma-separated', (v) => parseNumberList('--rho', v), [0.5, 1, 1.5])
    .option('--T <n>', 'sequence length', (v) => parsePositiveInt('--T', v), 50)
    .option('--H <n>', 'hidden size', (v) => parsePositiveInt('--H', v), 32)
    .option('--D <n>', 'input width', (v) => parsePositiveInt('--D', v), 8)
    .option(
      '--input-scale <x>',
      'standard deviation of the random inputs',
      (v) => parseNonNegative('--input-scale', v),
      0.1,
    )
    .option('--seed <n>', 'seed for weights, inputs and the unit gradient', (v) => parseSeed('--seed', v), 1)
    .option(
      '--cells <list>',
      `cells to compare, comma-separated (default: all registered: ${cellNames().join(',')})`,
      (v) => v.split(',').map((s) => parseCell(s.trim())),
    )
    .option('--out <file>', 'where to write the SVG plot', 'flow.svg')
    .option('--no-out', 'skip the SVG')
    .option('--json <file>', 'also write every norm as JSON')
    .action(async (opts: FlowCliOptions, command: Command) => {
      checkRunFits(`--T ${opts.T}, --H ${opts.H}, --D ${opts.D}`, {
        sequences: 1,
        T: opts.T,
        D: opts.D,
        H: opts.H,
        // measureFlow keeps every step's cache objects until the backward: about 4 KiB of heap each.
        heapBytesPerStep: 4096,
      });
      checkOutputPath('--json', opts.json);
      if (opts.out !== false) checkOutputPath('--out', opts.out);
      const plan = new OutputPlan();
      plan.add(opts.json);
      if (opts.out !== false) plan.add(opts.out);
      const status = { phase: 'while measuring' };
      await withInterrupts(
        plan,
        () => status.phase,
        async () => {
          const result = measureFlow({
            rhos: opts.rho,
            T: opts.T,
            H: opts.H,
            D: opts.D,
            inputScale: opts.inputScale,
            seed: opts.seed,
            ...(opts.cells ? { cells: opts.cells } : {}),
          });
          await yieldToSignals(true);
          status.phase = 'while writing the outputs';
          process.stdout.write(
            `Gradient flow: L = ⟨u, h_T⟩ with ‖u‖ = 1, T=${opts.T}, H=${opts.H}, D=${opts.D}, ` +
              `input scale ${opts.inputScale}, seed ${opts.seed}\n`,
          );
          process.stdout.write(`${flowTable(result)}\n`);
          if (opts.json !== undefined) {
            await writeOrFail(opts.json, `${JSON.stringify(result, null, 1)}\n`);
            plan.written(opts.json);
            process.stdout.write(`wrote ${opts.json}\n`);
          }
          if (opts.out !== false) {
            let svg: string;
            try {
              svg = await renderSvg(flowChartSpec(result));
            } catch (err) {
              // The default plot is a bonus: without the renderer the table stands alone.
              // An --out the user asked for fails (exit 2) with the same hint.
              if (!(err instanceof RendererMissingError) || command.getOptionValueSource('out') !== 'default')
                throw err;
              process.stderr.write(`handgrad: ${opts.out} not written: ${err.message} (or pass --no-out)\n`);
              return;
            }
            await yieldToSignals(true);
            await writeOrFail(opts.out, svg);
            plan.written(opts.out);
            process.stdout.write(`wrote ${opts.out}\n`);
          }
        },
      );
    });
}
