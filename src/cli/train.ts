/**
 * `handgrad train adding` and `handgrad train chars`: training runs with a
 * live progress bar. The loops live in src/experiments; this file parses
 * options, draws the bar, reads the corpus and writes files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ADDING_BASELINE_MSE, addingDefaults, trainAddingSteps } from '../experiments/adding.js';
import {
  charDefaults,
  charLossOn,
  loadCharModel,
  sampleText,
  saveCharModel,
  trainCharsSteps,
  type CharModel,
  type CharTrainResult,
} from '../experiments/chars.js';
import { learningCurveSpec, windowedMeans } from '../experiments/plots.js';
import type { ParamRecord } from '../optim/params.js';
import { checkOutputPath, writeOrFail } from './atomic-write.js';
import { OutputPlan, onEmergencyCleanup, withInterrupts, yieldToSignals } from './interrupt.js';
import { parseBoundedNumber, parseCell, parseSeed } from './options.js';
import { checkRunFits } from './sizes.js';
import { renderSvg, requireRenderer } from './render.js';
import { RunFailure, UsageError, parsePositiveInt, parsePositiveNumber } from './usage.js';

/** The terminal sequence that shows the cursor (the bar hides it while it runs). */
export const SHOW_CURSOR = '\x1b[?25h';

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
    // A second Ctrl-C ends the process without unwinding: the cursor must come back then too.
    const unregister = onEmergencyCleanup(() => process.stderr.write(SHOW_CURSOR));
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
      // cli-progress shows the cursor again on stop; the explicit sequence also covers a bar stopped
      // twice or stopped by an error between its start and its first render.
      stop: () => {
        unregister();
        bar.stop();
        process.stderr.write(SHOW_CURSOR);
      },
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

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

function readText(path: string, what: string): string {
  const bytes = readBytes(path, what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what} ${path} is not UTF-8 text`);
  }
}

function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code !== undefined && REASONS[code] !== undefined ? `${code} (${REASONS[code]})` : undefined;
    throw new UsageError(`cannot read ${what} ${path}: ${reason ?? code ?? (err as Error).message}`);
  }
}

/**
 * The training text, refused with a usage error when it cannot train a model:
 * empty, binary (a NUL byte, or bytes that are not UTF-8), fewer than two
 * distinct characters, or too short for one window of T + 1 characters.
 */
function readCorpus(path: string, T: number): string {
  const bytes = readBytes(path, 'corpus');
  if (bytes.length === 0)
    throw new UsageError(`the corpus ${path} is empty; give a text file of at least ${T + 1} characters`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new UsageError(`the corpus ${path} is a binary file (a NUL byte at offset ${nul}), not text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`the corpus ${path} is not UTF-8 text`);
  }
  const chars = Array.from(text);
  if (chars.length < T + 1) {
    throw new UsageError(
      `the corpus ${path} has ${chars.length} characters; --T ${T} needs at least T + 1 = ${T + 1} ` +
        `(a window and its next character): use a smaller --T or a longer text`,
    );
  }
  const distinct = new Set(chars).size;
  if (distinct < 2)
    throw new UsageError(`the corpus ${path} has ${distinct} distinct character; a model needs at least 2`);
  return text;
}

/** The default text each sample starts with. */
const DEFAULT_PRIME = 'The ';

/** The longest sample `--sample-length` allows (a sample is drawn one step at a time). */
const MAX_SAMPLE_LENGTH = 100_000;

function parseIntAtMost(option: string, value: string, max: number): number {
  const n = parsePositiveInt(option, value);
  if (n > max) throw new UsageError(`${option} must be at most ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The prime text: `--prime` when given (every character must be in the
 * vocabulary), else "The " when the vocabulary has its characters, else the
 * vocabulary's first character.
 */
function choosePrime(given: string | undefined, vocab: readonly string[], source: string): string {
  const known = new Set(vocab);
  if (given !== undefined) {
    const missing = Array.from(given).find((ch) => !known.has(ch));
    if (missing !== undefined) {
      throw new UsageError(`--prime: the character ${JSON.stringify(missing)} is not in ${source}`);
    }
    return given;
  }
  return Array.from(DEFAULT_PRIME).every((ch) => known.has(ch)) ? DEFAULT_PRIME : (vocab[0] as string);
}

/** True when every value of every param is finite. */
function allFinite(params: ParamRecord): boolean {
  for (const m of Object.values(params)) for (const v of m.data) if (!Number.isFinite(v)) return false;
  return true;
}

/**
 * Stops a diverged run: the loss, the gradient norm or a parameter is NaN or
 * infinite. Nothing is saved; the message names the step and the knobs.
 */
function checkDiverged(
  step: number,
  what: string,
  loss: number,
  gradNorm: number,
  params: ParamRecord,
  o: { lr: number; clip: number },
  plan: OutputPlan,
): void {
  const lossBad = !Number.isFinite(loss);
  const normBad = !Number.isFinite(gradNorm);
  if (!lossBad && !normBad && allFinite(params)) return;
  const cause = lossBad
    ? `the ${what} is ${loss}`
    : normBad
      ? `the gradient norm is ${gradNorm} (${what} ${loss})`
      : `a parameter became NaN or infinite (${what} ${loss})`;
  throw new RunFailure(
    `training diverged at step ${step}: ${cause}; stopped, nothing saved (${plan.summary()}). ` +
      `Try a smaller --lr (now ${o.lr}) or a smaller --clip (now ${o.clip})`,
  );
}

/** Test sequences below which `train adding` gives no verdict (docs/experiments.md, "Exit codes"). */
export const MIN_TEST_SIZE_FOR_VERDICT = 100;

/** The MSE below which the adding problem counts as solved. */
export const SOLVED_MSE = 0.01;

/**
 * The verdict on a test set's squared errors: "solved" only with at least
 * {@link MIN_TEST_SIZE_FOR_VERDICT} sequences and a one-sided 95% upper
 * confidence bound on the MSE (mean + 1.645·s/√n) below {@link SOLVED_MSE}.
 */
export function addingVerdict(errors: Float64Array): {
  mse: number;
  upper95: number;
  verdict: 'solved' | 'learning' | 'not learned' | 'too few test sequences';
  text: string;
} {
  const n = errors.length;
  let sum = 0;
  for (const e of errors) sum += e;
  const mse = sum / n;
  let ss = 0;
  for (const e of errors) ss += (e - mse) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Number.POSITIVE_INFINITY;
  const upper95 = mse + (1.645 * sd) / Math.sqrt(n);
  if (n < MIN_TEST_SIZE_FOR_VERDICT) {
    return {
      mse,
      upper95,
      verdict: 'too few test sequences',
      text:
        `no verdict: ${n} test sequence${n === 1 ? ' is' : 's are'} too few to call it solved ` +
        `(--test-size ${MIN_TEST_SIZE_FOR_VERDICT} or more)`,
    };
  }
  if (upper95 < SOLVED_MSE)
    return { mse, upper95, verdict: 'solved', text: `solved (< ${SOLVED_MSE} at 95% confidence)` };
  if (mse < 0.1) {
    const why = mse < SOLVED_MSE ? `, the 95% bound ${upper95.toFixed(5)} is not below ${SOLVED_MSE}` : '';
    return { mse, upper95, verdict: 'learning', text: `learning, not solved${why}` };
  }
  return { mse, upper95, verdict: 'not learned', text: 'not learned (near the baseline)' };
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
        checkRunFits(`--T ${o.T}, --H ${o.H}, --batch ${o.batch}, --test-size ${o.testSize}`, {
          sequences: Math.max(o.batch, o.testSize),
          T: o.T,
          D: 2,
          H: o.H,
          extraWeights: o.H + 1,
        });
        if (o.curve !== undefined) await requireRenderer();
        checkOutputPath('--json', o.json);
        checkOutputPath('--curve', o.curve);
        const plan = new OutputPlan();
        plan.add(o.json);
        plan.add(o.curve);
        const status = { phase: 'while training', step: 0 };
        await withInterrupts(
          plan,
          () => (status.step > 0 ? `${status.phase} at step ${status.step} of ${o.steps}` : status.phase),
          async () => {
            process.stdout.write(
              `adding problem: cell ${o.cell}, T=${o.T}, H=${o.H}, batch ${o.batch}, ${o.steps} steps, ` +
                `Adam lr ${o.lr}, clip ${o.clip}, seed ${o.seed}\n`,
            );
            const start = performance.now();
            const bar = progress(o.steps, 'MSE');
            const smooth = smoother();
            const steps = trainAddingSteps({
              cell: o.cell,
              T: o.T,
              H: o.H,
              steps: o.steps,
              batchSize: o.batch,
              learningRate: o.lr,
              clip: o.clip,
              seed: o.seed,
              testSize: o.testSize,
            });
            let next: ReturnType<typeof steps.next>;
            try {
              for (;;) {
                next = steps.next();
                if (next.done === true) break;
                const p = next.value;
                status.step = p.step;
                checkDiverged(p.step, 'loss', p.loss, p.gradNorm, p.params, o, plan);
                bar.update(p.step, smooth(p.loss));
                await yieldToSignals();
              }
            } finally {
              bar.stop();
            }
            const result = next.value;
            status.step = 0;
            status.phase = 'after training, while writing the outputs';
            const v = addingVerdict(result.testSquaredErrors);
            const bound = o.testSize >= MIN_TEST_SIZE_FOR_VERDICT ? `; 95% upper bound ${v.upper95.toFixed(5)}` : '';
            process.stdout.write(
              `test MSE ${result.testMse.toFixed(5)} on ${o.testSize} sequences ` +
                `(baseline ${ADDING_BASELINE_MSE.toFixed(5)}${bound}): ${v.text}; ${seconds(start)}\n`,
            );
            const losses = result.history.map((p) => p.loss);
            if (o.json !== undefined) {
              const record = {
                options: result.options,
                testMse: result.testMse,
                testMseUpper95: o.testSize > 1 ? v.upper95 : null,
                verdict: v.verdict,
                baselineMse: result.baselineMse,
                loss: losses,
              };
              await writeOrFail(o.json, `${JSON.stringify(record)}\n`);
              plan.written(o.json);
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
              const svg = await renderSvg(spec);
              await yieldToSignals(true);
              await writeOrFail(o.curve, svg);
              plan.written(o.curve);
              process.stdout.write(`wrote ${o.curve}\n`);
            }
          },
        );
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
    .option(
      '--sample-length <n>',
      `characters per sample (at most ${MAX_SAMPLE_LENGTH})`,
      (v) => parseIntAtMost('--sample-length', v, MAX_SAMPLE_LENGTH),
      200,
    )
    .option('--temperature <x>', 'sampling temperature', (v) => parseBoundedNumber('--temperature', v, 10), 0.7)
    .option(
      '--prime <text>',
      `text to start each sample with (default: "${DEFAULT_PRIME}" when the corpus has its characters, ` +
        'else its first character)',
    )
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
        prime?: string;
        save?: string;
        load?: string;
        curve?: string;
      }) => {
        if (o.curve !== undefined) await requireRenderer();
        let initial: CharModel | undefined;
        if (o.load !== undefined) {
          try {
            initial = loadCharModel(readText(o.load, 'model'));
          } catch (err) {
            if (err instanceof UsageError) throw err;
            throw new UsageError(`cannot load ${o.load}: ${(err as Error).message}`);
          }
        }
        let prime = '';
        const sample = (model: CharModel, seed: number): string =>
          sampleText(model, { length: o.sampleLength, prime, temperature: o.temperature, seed });
        if (initial !== undefined && o.steps === 0) {
          prime = choosePrime(o.prime, initial.vocab.chars, `the vocabulary of ${o.load}`);
          process.stdout.write(`${prime}${sample(initial, o.seed)}\n`);
          return;
        }
        if (o.steps === 0) throw new UsageError('--steps must be a positive integer (0 only with --load, to sample)');
        const corpus = o.corpus ?? defaultCorpus();
        const text = readCorpus(corpus, o.T);
        const vocab = initial?.vocab.chars ?? [...new Set(Array.from(text))];
        prime = choosePrime(o.prime, vocab, initial ? `the vocabulary of ${o.load}` : `the corpus ${corpus}`);
        const H = initial?.H ?? o.H;
        const E = initial?.E ?? o.E;
        checkRunFits(`--H ${H}, --E ${E}, --T ${o.T}, --batch ${o.batch}`, {
          sequences: Math.max(o.batch, 20),
          T: o.T,
          D: E,
          H,
          V: vocab.length,
          extraWeights: vocab.length * (E + H + 1),
        });
        if (initial !== undefined) {
          const known = new Set(initial.vocab.chars);
          const missing = [...new Set(Array.from(text))].filter((ch) => !known.has(ch));
          if (missing.length > 0) {
            throw new UsageError(
              `the corpus does not fit the loaded model: ${missing.length} character(s) not in its vocabulary, ` +
                `first ${JSON.stringify(missing[0])}`,
            );
          }
        }
        const settings = initial ?? { cell: o.cell, H: o.H, E: o.E };
        checkOutputPath('--save', o.save);
        checkOutputPath('--curve', o.curve);
        const plan = new OutputPlan();
        plan.add(o.save);
        plan.add(o.curve);
        const status = { phase: 'while training', step: 0 };
        await withInterrupts(
          plan,
          () =>
            status.step > 0
              ? `${status.phase} at step ${status.step} of ${o.steps}${o.save !== undefined ? ': model not saved' : ''}`
              : status.phase,
          async () => {
            process.stdout.write(
              `char model: cell ${settings.cell}, H=${settings.H}, E=${settings.E}, T=${o.T}, batch ${o.batch}, ` +
                `${o.steps} steps, Adam lr ${o.lr}, clip ${o.clip}, ${text.length} characters of text` +
                `${initial ? `, continuing ${o.load}` : ''}\n`,
            );
            const start = performance.now();
            const bar = progress(o.steps, 'loss/char');
            const smooth = smoother();
            const steps = trainCharsSteps(
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
              initial,
            );
            let result: CharTrainResult;
            try {
              for (;;) {
                const next = steps.next();
                if (next.done === true) {
                  result = next.value;
                  break;
                }
                const p = next.value;
                status.step = p.step;
                checkDiverged(p.step, 'loss/char', p.lossPerChar, p.gradNorm, p.model.params, o, plan);
                const shown = smooth(p.lossPerChar);
                bar.update(p.step, shown);
                if (p.step % o.sampleEvery === 0 && p.step < p.steps) {
                  bar.print(
                    `--- step ${p.step}, loss/char ${shown.toFixed(3)} ---\n${prime}${sample(p.model, o.seed)}\n`,
                  );
                }
                await yieldToSignals();
              }
            } finally {
              bar.stop();
            }
            status.step = 0;
            status.phase = o.save !== undefined ? 'after training: model not saved' : 'after training';
            const evalText = text.slice(0, Math.min(text.length, 20 * o.T + 1));
            process.stdout.write(
              `--- done in ${seconds(start)}: last-100-step loss/char ` +
                `${mean(result.lossPerChar.slice(-100)).toFixed(3)} nats, loss/char on the first ` +
                `${evalText.length} characters ${charLossOn(result.model, evalText, o.T).toFixed(3)} ---\n`,
            );
            process.stdout.write(`${prime}${sample(result.model, o.seed)}\n`);
            if (o.save !== undefined) {
              status.phase = `while writing ${o.save}: model not saved`;
              await yieldToSignals(true);
              await writeOrFail(o.save, saveCharModel(result.model));
              plan.written(o.save);
              status.phase = 'after saving the model';
              process.stdout.write(`wrote ${o.save}\n`);
            }
            if (o.curve !== undefined) {
              status.phase = `while drawing the learning curve`;
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
              const svg = await renderSvg(spec);
              await yieldToSignals(true);
              await writeOrFail(o.curve, svg);
              plan.written(o.curve);
              process.stdout.write(`wrote ${o.curve}\n`);
            }
          },
        );
      },
    );
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
}
