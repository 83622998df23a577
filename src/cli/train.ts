/**
 * `handgrad train adding` and `handgrad train chars`: training runs with a
 * live progress bar. The loops live in src/experiments; this file parses
 * options, draws the bar, reads the corpus and writes files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ADDING_BASELINE_MSE, addingDefaults, trainAdding } from '../experiments/adding.js';
import {
  charDefaults,
  charLossOn,
  loadCharModel,
  sampleText,
  saveCharModel,
  trainChars,
  type CharModel,
} from '../experiments/chars.js';
import { learningCurveSpec, windowedMeans } from '../experiments/plots.js';
import { writeOrFail } from './flow.js';
import { parseBoundedNumber, parseCell, parseSeed } from './options.js';
import { renderSvg, requireRenderer } from './render.js';
import { UsageError, parsePositiveInt, parsePositiveNumber } from './usage.js';

/**
 * A progress bar on a terminal; on a pipe, a plain line every tenth of the
 * run. `print` writes text to stdout above the bar (the bar is redrawn after).
 */
function progress(
  total: number,
  unit: string,
): { update(step: number, loss: number): void; print(text: string): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `{bar} {value}/{total} steps | ${unit} {loss} | {duration_formatted} elapsed, eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    });
    let step = 0;
    let loss = '—';
    bar.start(total, 0, { loss });
    return {
      update: (s, l) => {
        step = s;
        loss = l.toFixed(4);
        bar.update(s, { loss });
      },
      print: (text) => {
        bar.stop();
        process.stdout.write(text);
        bar.start(total, step, { loss });
      },
      stop: () => bar.stop(),
    };
  }
  const every = Math.max(1, Math.floor(total / 10));
  return {
    update: (step, loss) => {
      if (step % every === 0 || step === total)
        process.stderr.write(`step ${step}/${total}  ${unit} ${loss.toFixed(4)}\n`);
    },
    print: (text) => process.stdout.write(text),
    stop: () => undefined,
  };
}

/** Exponential moving average of the batch loss: what the bar shows, so it does not flicker. */
function smoother(): (v: number) => number {
  let avg: number | undefined;
  return (v) => (avg = avg === undefined ? v : 0.95 * avg + 0.05 * v);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Where the shipped corpus is: data/ at the package root, seen from dist/cjs/cli or from src/cli (tests). */
function defaultCorpus(): string {
  const fromDist = join(__dirname, '..', '..', '..', 'data', 'corpus.txt');
  return existsSync(fromDist) ? fromDist : join(__dirname, '..', '..', 'data', 'corpus.txt');
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Registers `handgrad train adding|chars` on the program. */
export function registerTrainCommand(program: Command): void {
  const train = program
    .command('train')
    .description('Train a model with the hand-derived kernels')
    .argument('[task]')
    .action((task?: string) => {
      throw new UsageError(
        task === undefined
          ? 'train needs a task: adding or chars (handgrad train --help)'
          : `unknown train task ${JSON.stringify(task)}: use adding or chars`,
      );
    });
  const a = addingDefaults();
  train
    .command('adding')
    .description('The adding problem (Hochreiter & Schmidhuber 1997): sum the two marked values of a length-T sequence')
    .option('--cell <name>', 'recurrent cell: rnn, lstm, gru', parseCell, a.cell)
    .option('--T <n>', 'sequence length', (v) => parsePositiveInt('--T', v), a.T)
    .option('--H <n>', 'hidden size', (v) => parsePositiveInt('--H', v), a.H)
    .option('--steps <n>', 'optimizer steps', (v) => parsePositiveInt('--steps', v), a.steps)
    .option('--batch <n>', 'sequences per step', (v) => parsePositiveInt('--batch', v), a.batchSize)
    .option(
      '--lr <x>',
      "Adam's step size (halved at 50%, 75%, 90% of the steps)",
      (v) => parsePositiveNumber('--lr', v),
      a.learningRate,
    )
    .option('--clip <x>', 'global gradient-norm clipping threshold', (v) => parsePositiveNumber('--clip', v), a.clip)
    .option('--seed <n>', 'seed for weights and data', (v) => parseSeed('--seed', v), a.seed)
    .option('--test-size <n>', 'held-out test sequences', (v) => parsePositiveInt('--test-size', v), a.testSize)
    .option('--curve <file>', 'write the learning curve as an SVG')
    .option('--json <file>', 'write the options, the per-step losses and the test MSE as JSON')
    .action(
      async (o: {
        cell: string;
        T: number;
        H: number;
        steps: number;
        batch: number;
        lr: number;
        clip: number;
        seed: number;
        testSize: number;
        curve?: string;
        json?: string;
      }) => {
        if (o.T < 2) throw new UsageError(`--T must be at least 2 (two markers), got ${o.T}`);
        if (o.curve !== undefined) await requireRenderer();
        process.stdout.write(
          `adding problem: cell ${o.cell}, T=${o.T}, H=${o.H}, batch ${o.batch}, ${o.steps} steps, ` +
            `Adam lr ${o.lr}, clip ${o.clip}, seed ${o.seed}\n`,
        );
        const start = performance.now();
        const bar = progress(o.steps, 'MSE');
        const smooth = smoother();
        const result = trainAdding(
          {
            cell: o.cell,
            T: o.T,
            H: o.H,
            steps: o.steps,
            batchSize: o.batch,
            learningRate: o.lr,
            clip: o.clip,
            seed: o.seed,
            testSize: o.testSize,
          },
          (p) => bar.update(p.step, smooth(p.loss)),
        );
        bar.stop();
        const verdict =
          result.testMse < 0.01
            ? 'solved (< 0.01)'
            : result.testMse < 0.1
              ? 'learning, not solved'
              : 'not learned (near the baseline)';
        process.stdout.write(
          `test MSE ${result.testMse.toFixed(5)} on ${o.testSize} sequences ` +
            `(baseline ${ADDING_BASELINE_MSE.toFixed(5)}): ${verdict}; ${seconds(start)}\n`,
        );
        const losses = result.history.map((p) => p.loss);
        if (o.json !== undefined) {
          const record = {
            options: result.options,
            testMse: result.testMse,
            baselineMse: result.baselineMse,
            loss: losses,
          };
          writeOrFail(o.json, `${JSON.stringify(record)}\n`);
          process.stdout.write(`wrote ${o.json}\n`);
        }
        if (o.curve !== undefined) {
          const spec = learningCurveSpec(
            windowedMeans(losses, Math.max(1, Math.floor(o.steps / 100)), `${o.cell}, T=${o.T}`),
            {
              title: `Adding problem, ${o.cell}, T=${o.T} (test MSE ${result.testMse.toPrecision(2)})`,
              yTitle: 'training MSE (log)',
              log: true,
              baseline: { value: ADDING_BASELINE_MSE, label: 'baseline 1/6 (always predict 1)' },
            },
          );
          writeOrFail(o.curve, await renderSvg(spec));
          process.stdout.write(`wrote ${o.curve}\n`);
        }
      },
    );

  const c = charDefaults();
  train
    .command('chars')
    .description('A character-level language model (embedding → cell → affine → softmax) on the shipped corpus')
    .option('--cell <name>', 'recurrent cell: rnn, lstm, gru', parseCell, c.cell)
    .option('--H <n>', 'hidden size', (v) => parsePositiveInt('--H', v), c.H)
    .option('--E <n>', 'embedding width', (v) => parsePositiveInt('--E', v), c.E)
    .option('--T <n>', 'characters per training window', (v) => parsePositiveInt('--T', v), c.T)
    .option('--batch <n>', 'windows per step', (v) => parsePositiveInt('--batch', v), c.batchSize)
    .option('--steps <n>', 'optimizer steps (0 with --load: only sample)', (v) => parseSeed('--steps', v), c.steps)
    .option('--lr <x>', "Adam's step size", (v) => parsePositiveNumber('--lr', v), c.learningRate)
    .option('--clip <x>', 'global gradient-norm clipping threshold', (v) => parsePositiveNumber('--clip', v), c.clip)
    .option('--seed <n>', 'seed for weights, batches and samples', (v) => parseSeed('--seed', v), c.seed)
    .option('--corpus <file>', 'training text (default: the shipped data/corpus.txt)')
    .option('--sample-every <n>', 'print a sample every n steps', (v) => parsePositiveInt('--sample-every', v), 250)
    .option('--sample-length <n>', 'characters per sample', (v) => parsePositiveInt('--sample-length', v), 200)
    .option('--temperature <x>', 'sampling temperature', (v) => parseBoundedNumber('--temperature', v, 10), 0.7)
    .option('--prime <text>', 'text to start each sample with', 'The ')
    .option('--save <file>', 'write the trained model as JSON')
    .option('--load <file>', 'start from a model saved with --save')
    .option('--curve <file>', 'write the learning curve as an SVG')
    .action(
      async (o: {
        cell: string;
        H: number;
        E: number;
        T: number;
        batch: number;
        steps: number;
        lr: number;
        clip: number;
        seed: number;
        corpus?: string;
        sampleEvery: number;
        sampleLength: number;
        temperature: number;
        prime: string;
        save?: string;
        load?: string;
        curve?: string;
      }) => {
        if (o.curve !== undefined) await requireRenderer();
        const text = readText(o.corpus ?? defaultCorpus(), 'corpus');
        let initial: CharModel | undefined;
        if (o.load !== undefined) {
          try {
            initial = loadCharModel(readText(o.load, 'model'));
          } catch (err) {
            if (err instanceof UsageError) throw err;
            throw new UsageError(`cannot load ${o.load}: ${(err as Error).message}`);
          }
        }
        const sample = (model: CharModel, seed: number): string => {
          try {
            return sampleText(model, { length: o.sampleLength, prime: o.prime, temperature: o.temperature, seed });
          } catch (err) {
            throw new UsageError(`--prime: ${(err as Error).message}`);
          }
        };
        if (initial !== undefined && o.steps === 0) {
          process.stdout.write(`${o.prime}${sample(initial, o.seed)}\n`);
          return;
        }
        if (o.steps === 0) throw new UsageError('--steps must be a positive integer (0 only with --load, to sample)');
        const settings = initial ?? { cell: o.cell, H: o.H, E: o.E };
        process.stdout.write(
          `char model: cell ${settings.cell}, H=${settings.H}, E=${settings.E}, T=${o.T}, batch ${o.batch}, ` +
            `${o.steps} steps, Adam lr ${o.lr}, clip ${o.clip}, ${text.length} characters of text` +
            `${initial ? `, continuing ${o.load}` : ''}\n`,
        );
        const start = performance.now();
        const bar = progress(o.steps, 'loss/char');
        const smooth = smoother();
        let result: ReturnType<typeof trainChars>;
        try {
          result = trainChars(
            text,
            {
              cell: settings.cell,
              H: settings.H,
              E: settings.E,
              T: o.T,
              batchSize: o.batch,
              steps: o.steps,
              learningRate: o.lr,
              clip: o.clip,
              seed: o.seed,
            },
            (p) => {
              const shown = smooth(p.lossPerChar);
              bar.update(p.step, shown);
              if (p.step % o.sampleEvery === 0 && p.step < p.steps) {
                bar.print(
                  `--- step ${p.step}, loss/char ${shown.toFixed(3)} ---\n${o.prime}${sample(p.model, o.seed)}\n`,
                );
              }
            },
            initial,
          );
        } catch (err) {
          if (err instanceof RangeError && /encodeText/.test(err.message))
            throw new UsageError(`the corpus does not fit the loaded model: ${err.message}`);
          throw err;
        }
        bar.stop();
        const evalText = text.slice(0, Math.min(text.length, 20 * o.T + 1));
        process.stdout.write(
          `--- done in ${seconds(start)}: last-100-step loss/char ${mean(result.lossPerChar.slice(-100)).toFixed(3)} ` +
            `nats, loss/char on the first ${evalText.length} characters ` +
            `${charLossOn(result.model, evalText, o.T).toFixed(3)} ---\n`,
        );
        process.stdout.write(`${o.prime}${sample(result.model, o.seed)}\n`);
        if (o.save !== undefined) {
          writeOrFail(o.save, saveCharModel(result.model));
          process.stdout.write(`wrote ${o.save}\n`);
        }
        if (o.curve !== undefined) {
          const spec = learningCurveSpec(
            windowedMeans(
              result.lossPerChar,
              Math.max(1, Math.floor(o.steps / 100)),
              `${settings.cell}, H=${settings.H}`,
            ),
            {
              title: 'Character model: training loss',
              yTitle: 'cross-entropy per character (nats)',
              baseline: {
                value: Math.log(result.model.vocab.chars.length),
                label: `uniform guess, ln ${result.model.vocab.chars.length}`,
              },
            },
          );
          writeOrFail(o.curve, await renderSvg(spec));
          process.stdout.write(`wrote ${o.curve}\n`);
        }
      },
    );
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
}
