/**
 * A character-level language model: embedding → recurrent cell → temporal
 * affine → temporal softmax loss, trained with Adam and gradient clipping,
 * with sampling and a JSON save format.
 *
 * Docs: docs/experiments.md ("A character-level model").
 */
import { Matrix, type Tensor3, checkSize } from '../linalg/index.js';
import { wordEmbeddingBackward, wordEmbeddingForward } from '../layers/embedding.js';
import type { Ids } from '../layers/ids.js';
import { temporalSoftmaxLoss } from '../layers/softmax-loss.js';
import { temporalAffineBackward, temporalAffineForward } from '../layers/temporal-affine.js';
import { adam, clipGradNorm, type AdamState } from '../optim/rules.js';
import type { ParamRecord } from '../optim/params.js';
import { getCell, type CellState, type RecurrentCell } from '../train/cells.js';
import { pickPrefixed, requireParam, withPrefix } from '../train/model.js';
import { randomNormalMatrix, sampleIndex, seededRandom, type Rand } from '../train/random.js';

/** The characters a model knows, in id order. */
export interface Vocabulary {
  /** `chars[id]` is the character with that id; sorted by code point. */
  readonly chars: readonly string[];
}

/**
 * The distinct characters of `text` (by code point, so any Unicode text
 * works), sorted.
 *
 * @throws RangeError when text has fewer than two distinct characters.
 */
export function buildVocabulary(text: string): Vocabulary {
  if (typeof text !== 'string') throw new TypeError(`buildVocabulary: text must be a string, got ${typeof text}`);
  const chars = [...new Set(Array.from(text))].sort();
  if (chars.length < 2)
    throw new RangeError(`buildVocabulary: text must contain at least 2 distinct characters, got ${chars.length}`);
  return { chars };
}

/** Ids of `text`'s characters. @throws RangeError naming a character the vocabulary lacks. */
export function encodeText(text: string, vocab: Vocabulary): number[] {
  const index = new Map(vocab.chars.map((c, k) => [c, k]));
  const out: number[] = [];
  let pos = 0;
  for (const ch of text) {
    const id = index.get(ch);
    if (id === undefined)
      throw new RangeError(`encodeText: character ${JSON.stringify(ch)} at position ${pos} is not in the vocabulary`);
    out.push(id);
    pos++;
  }
  return out;
}

/** The text spelled by `ids`. */
export function decodeIds(ids: readonly number[], vocab: Vocabulary): string {
  return ids.map((id) => vocab.chars[id] ?? '').join('');
}

/**
 * N random windows of T+1 characters: inputs are the first T, targets the
 * last T (the next character at every position).
 */
export function charBatch(
  encoded: readonly number[],
  N: number,
  T: number,
  rand: Rand,
): {
  /** N×T character ids. */
  inputs: number[][];
  /** The next character of each input, N×T. */
  targets: number[][];
} {
  checkSize('charBatch', 'N', N);
  checkSize('charBatch', 'T', T);
  if (encoded.length < T + 1)
    throw new RangeError(`charBatch: the text must be longer than T + 1 = ${T + 1} characters, got ${encoded.length}`);
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let n = 0; n < N; n++) {
    const start = Math.floor(rand() * (encoded.length - T));
    inputs.push(encoded.slice(start, start + T) as number[]);
    targets.push(encoded.slice(start + 1, start + T + 1) as number[]);
  }
  return { inputs, targets };
}

/** A trained (or fresh) character model: what is saved and loaded. */
export interface CharModel {
  /** Registered cell name. */
  readonly cell: string;
  /** Hidden size. */
  readonly H: number;
  /** Embedding width. */
  readonly E: number;
  /** The characters, in id order. */
  readonly vocab: Vocabulary;
  /** `embed.W` (V×E), `cell.*`, `out.W` (H×V), `out.b` (1×V). */
  readonly params: ParamRecord;
}

/** Fresh weights: embeddings N(0, 1), the cell's own init, read-out N(0, 1/H). */
export function createCharModel(cellName: string, vocab: Vocabulary, H: number, E: number, rand: Rand): CharModel {
  checkSize('createCharModel', 'H', H);
  checkSize('createCharModel', 'E', E);
  const cell = getCell(cellName);
  const V = vocab.chars.length;
  return {
    cell: cellName,
    H,
    E,
    vocab,
    params: {
      'embed.W': randomNormalMatrix(V, E, rand),
      ...withPrefix('cell', cell.init(E, H, rand)),
      'out.W': randomNormalMatrix(H, V, rand, 1 / Math.sqrt(H)),
      'out.b': Matrix.zeros(1, V),
    },
  };
}

/**
 * Mean cross-entropy per sequence (summed over time, as cs231n) and the
 * gradient of every param, by the chain of the four layers' backwards.
 */
export function charLossAndGrads(
  model: CharModel,
  params: ParamRecord,
  inputs: Ids,
  targets: Ids,
): {
  /** The softmax loss of the batch (summed over time, divided by N). */
  loss: number;
  /** Its gradient with respect to every parameter, named by gradKey (`embed.dW`, `cell.dWx`, …). */
  grads: ParamRecord;
} {
  const fn = 'charLossAndGrads';
  const cell = getCell(model.cell);
  const emb = wordEmbeddingForward(inputs, requireParam(fn, params, 'embed.W'));
  const N = inputs.length;
  const rec = cell.forward(emb.out, { h: Matrix.zeros(N, model.H) }, pickPrefixed(params, 'cell'));
  const aff = temporalAffineForward(rec.h, requireParam(fn, params, 'out.W'), requireParam(fn, params, 'out.b'));
  const { loss, dscores } = temporalSoftmaxLoss(aff.out, targets);
  const dAff = temporalAffineBackward(dscores, aff.cache);
  const dRec = cell.backward(dAff.dx, rec.cache);
  const dEmb = wordEmbeddingBackward(dRec.dx, emb.cache);
  return {
    loss,
    grads: { 'embed.dW': dEmb.dW, ...withPrefix('cell', dRec.grads), 'out.dW': dAff.dW, 'out.db': dAff.db },
  };
}

/** Options of {@link sampleText}. */
export interface SampleOptions {
  /** Characters to generate. */
  readonly length: number;
  /**
   * Text to condition on first (its characters must be in the vocabulary);
   * the first vocabulary character when empty.
   */
  readonly prime?: string;
  /** Softmax temperature > 0: below 1 sharper, above 1 more random; 1 by default. */
  readonly temperature?: number;
  /** Seed of the draws; 1 by default. */
  readonly seed?: number;
}

/**
 * Generates text one character at a time: feed a character, read the
 * distribution softmax(scores / temperature), draw the next, feed it back.
 * The state is carried between single-step calls of the cell.
 */
export function sampleText(model: CharModel, options: SampleOptions): string {
  checkSize('sampleText', 'options.length', options.length);
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`sampleText: options.temperature must be a positive number, got ${String(temperature)}`);
  }
  const cell: RecurrentCell = getCell(model.cell);
  const rand = seededRandom(options.seed ?? 1);
  const prime = options.prime && options.prime.length > 0 ? encodeText(options.prime, model.vocab) : [0];
  const cellParams = pickPrefixed(model.params, 'cell');
  const embedW = requireParam('sampleText', model.params, 'embed.W');
  const outW = requireParam('sampleText', model.params, 'out.W');
  const outB = requireParam('sampleText', model.params, 'out.b');
  const V = model.vocab.chars.length;
  let state: CellState = { h: Matrix.zeros(1, model.H) };
  let scores: Float64Array = new Float64Array(V);
  const step = (id: number): void => {
    const x = wordEmbeddingForward([[id]], embedW).out;
    const f = cell.forward(x, state, cellParams);
    state = f.last;
    scores = temporalAffineForward(f.h, outW, outB).out.data;
  };
  for (const id of prime) step(id);
  const out: number[] = [];
  const weights = new Float64Array(V);
  for (let k = 0; k < options.length; k++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, (scores[v] as number) / temperature);
    for (let v = 0; v < V; v++) weights[v] = Math.exp((scores[v] as number) / temperature - max);
    const id = sampleIndex(weights, rand);
    out.push(id);
    step(id);
  }
  return decodeIds(out, model.vocab);
}

/** Settings of {@link trainChars}; every field has a default. */
export interface CharTrainOptions {
  /** Cell name; "lstm" by default. */
  readonly cell?: string;
  /** Hidden size; 64 by default. */
  readonly H?: number;
  /** Embedding width; 16 by default. */
  readonly E?: number;
  /** Characters per training window; 32 by default. */
  readonly T?: number;
  /** Windows per step; 16 by default. */
  readonly batchSize?: number;
  /** Optimizer steps; 1000 by default. */
  readonly steps?: number;
  /** Adam's step size; 5e-3 by default. */
  readonly learningRate?: number;
  /** Global-norm clipping threshold; 5 by default. */
  readonly clip?: number;
  /** Seed for weights and batches; 1 by default. */
  readonly seed?: number;
}

/** Fills in the defaults of {@link CharTrainOptions}. */
export function charDefaults(options: CharTrainOptions = {}): Required<CharTrainOptions> {
  return {
    cell: options.cell ?? 'lstm',
    H: options.H ?? 64,
    E: options.E ?? 16,
    T: options.T ?? 32,
    batchSize: options.batchSize ?? 16,
    steps: options.steps ?? 1000,
    learningRate: options.learningRate ?? 5e-3,
    clip: options.clip ?? 5,
    seed: options.seed ?? 1,
  };
}

/** A point of the char model's learning curve. */
export interface CharProgress {
  /** Steps done. */
  readonly step: number;
  /** Total steps. */
  readonly steps: number;
  /** Mean cross-entropy per character of this step's batch (nats). */
  readonly lossPerChar: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** The model after this step (for sampling or saving mid-run). */
  readonly model: CharModel;
}

/** What {@link trainChars} returns. */
export interface CharTrainResult {
  /** The trained model and its parameters. */
  readonly model: CharModel;
  /** The training loss per character at every step. */
  readonly lossPerChar: number[];
}

/**
 * Trains a character model on `text`. Starts from `initial` when given
 * (continue training a loaded model; its cell, H and E then override the
 * options' and its vocabulary must cover the text) or from fresh weights.
 * Calls `onProgress` after every step.
 */
export function trainChars(
  text: string,
  options: CharTrainOptions = {},
  onProgress?: (p: CharProgress) => void,
  initial?: CharModel,
): CharTrainResult {
  const steps = trainCharsSteps(text, options, initial);
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    onProgress?.(next.value);
  }
}

/**
 * {@link trainChars} one step at a time: yields the progress after every step
 * and returns the result (the CLI drives it to honour Ctrl-C between steps).
 */
export function* trainCharsSteps(
  text: string,
  options: CharTrainOptions = {},
  initial?: CharModel,
): Generator<CharProgress, CharTrainResult, void> {
  const o = charDefaults(options);
  for (const k of ['H', 'E', 'T', 'batchSize', 'steps'] as const) checkSize('trainChars', `options.${k}`, o[k]);
  const rand = seededRandom(o.seed);
  let model = initial ?? createCharModel(o.cell, buildVocabulary(text), o.H, o.E, rand);
  const encoded = encodeText(text, model.vocab);
  let params = model.params;
  let state: AdamState | undefined;
  const curve: number[] = [];
  for (let step = 1; step <= o.steps; step++) {
    const { inputs, targets } = charBatch(encoded, o.batchSize, o.T, rand);
    const { loss, grads } = charLossAndGrads(model, params, inputs, targets);
    const clipped = clipGradNorm(params, grads, o.clip);
    ({ params, state } = adam(params, clipped.grads, state, { learningRate: o.learningRate }));
    model = { ...model, params };
    curve.push(loss / o.T);
    yield { step, steps: o.steps, lossPerChar: loss / o.T, gradNorm: clipped.norm, model };
  }
  return { model, lossPerChar: curve };
}

const FORMAT = 'handgrad-char-model';

/** The model as JSON text: its settings, vocabulary and every param as rows × cols and values. */
export function saveCharModel(model: CharModel): string {
  const params: Record<string, { rows: number; cols: number; data: number[] }> = {};
  for (const [k, m] of Object.entries(model.params))
    params[k] = { rows: m.rows, cols: m.cols, data: Array.from(m.data) };
  return JSON.stringify({
    format: FORMAT,
    version: 1,
    cell: model.cell,
    H: model.H,
    E: model.E,
    vocab: model.vocab.chars,
    params,
  });
}

/**
 * Reads a model written by {@link saveCharModel}, checking every shape
 * against the stored settings.
 *
 * @throws SyntaxError for text that is not JSON; TypeError / RangeError naming
 *   the field that is missing, malformed or of the wrong shape.
 */
export function loadCharModel(json: string): CharModel {
  const fn = 'loadCharModel';
  const r: unknown = JSON.parse(json);
  if (typeof r !== 'object' || r === null) throw new TypeError(`${fn}: expected a JSON object, got ${typeof r}`);
  const o = r as Record<string, unknown>;
  if (o.format !== FORMAT || o.version !== 1)
    throw new TypeError(`${fn}: not a ${FORMAT} v1 file (format ${String(o.format)}, version ${String(o.version)})`);
  if (typeof o.cell !== 'string') throw new TypeError(`${fn}: cell must be a string`);
  const cell = getCell(o.cell);
  const H = checkSize(fn, 'H', o.H);
  const E = checkSize(fn, 'E', o.E);
  if (!Array.isArray(o.vocab) || o.vocab.length < 2 || o.vocab.some((c) => typeof c !== 'string')) {
    throw new TypeError(`${fn}: vocab must be an array of at least 2 strings`);
  }
  const vocab: Vocabulary = { chars: o.vocab as string[] };
  const V = vocab.chars.length;
  const stored = o.params;
  if (typeof stored !== 'object' || stored === null) throw new TypeError(`${fn}: params must be an object`);
  // The expected shapes come from a fresh model of the same settings.
  const template = createCharModel(cell.name, vocab, H, E, seededRandom(0)).params;
  const params: Record<string, Matrix> = {};
  for (const [k, like] of Object.entries(template)) {
    const p = (stored as Record<string, unknown>)[k] as { rows?: unknown; cols?: unknown; data?: unknown } | undefined;
    if (p === undefined) throw new RangeError(`${fn}: params.${k} is missing`);
    if (
      p.rows !== like.rows ||
      p.cols !== like.cols ||
      !Array.isArray(p.data) ||
      p.data.length !== like.rows * like.cols
    ) {
      throw new RangeError(
        `${fn}: params.${k} must be ${like.rows}×${like.cols} (V=${V}, E=${E}, H=${H}), ` +
          `got ${String(p.rows)}×${String(p.cols)}`,
      );
    }
    if (p.data.some((v) => typeof v !== 'number' || !Number.isFinite(v)))
      throw new TypeError(`${fn}: params.${k} holds a value that is not a finite number`);
    params[k] = new Matrix(like.rows, like.cols, Float64Array.from(p.data as number[]));
  }
  return { cell: cell.name, H, E, vocab, params };
}

/** Mean cross-entropy per character of `model` on `text` in windows of T (evaluation, no gradients). */
export function charLossOn(model: CharModel, text: string, T: number): number {
  const encoded = encodeText(text, model.vocab);
  const windows = Math.floor((encoded.length - 1) / T);
  if (windows < 1) throw new RangeError(`charLossOn: text must be longer than T + 1 = ${T + 1} characters`);
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let w = 0; w < windows; w++) {
    inputs.push(encoded.slice(w * T, w * T + T));
    targets.push(encoded.slice(w * T + 1, w * T + T + 1));
  }
  const cell = getCell(model.cell);
  const emb = wordEmbeddingForward(inputs, requireParam('charLossOn', model.params, 'embed.W'));
  const rec = cell.forward(emb.out, { h: Matrix.zeros(windows, model.H) }, pickPrefixed(model.params, 'cell'));
  const aff = temporalAffineForward(
    rec.h,
    requireParam('charLossOn', model.params, 'out.W'),
    requireParam('charLossOn', model.params, 'out.b'),
  );
  return temporalSoftmaxLoss(aff.out as Tensor3, targets).loss / T;
}
