/**
 * Check specs of a cs231n-style numpy homework (`rnn_layers.py`): the same
 * kernels as the library's specs, called with the homework's signatures and
 * names (prev_h, next_c, dWx…), its LSTM gate order i | f | o | g and its
 * one-dimensional biases. The library's kernels stay the reference: their
 * parameters and gradients are converted at this boundary (gate blocks
 * i|f|o|g ⇄ f|i|g|o), so every row and gate block of a report reads in the
 * homework's own order.
 *
 * Sizes: the layers' vocabulary V and output width M are both H.
 */
import {
  diagnoseKernel,
  type DiagnoseCase,
  type Diagnosis,
  type DiagnosisMatch,
  type HasValues,
  type KernelFunction,
  type KernelSpec,
  type KernelSizes,
} from '../gradcheck/index.js';
import { CS231N_LSTM_GATE_ORDER } from '../interop/columns.js';
import { blockMap, permuteColumnBlocks } from '../interop/layout.js';
import { temporalAffineBackward, temporalAffineForward } from '../layers/temporal-affine.js';
import { temporalSoftmaxLoss } from '../layers/softmax-loss.js';
import { wordEmbeddingBackward, wordEmbeddingForward } from '../layers/embedding.js';
import type { Ids, Mask } from '../layers/ids.js';
import { Matrix, type Tensor3 } from '../linalg/index.js';
import { LSTM_GATE_ORDER, lstmBackward, lstmForward, lstmStepBackward, lstmStepForward } from '../lstm/index.js';
import type { LstmCache, LstmStepCache } from '../lstm/index.js';
import { rnnBackward, rnnForward, rnnStepBackward, rnnStepForward } from '../rnn/index.js';
import type { RnnCache, RnnStepCache } from '../rnn/index.js';

/** How a Python function is called and what it returns. */
export interface PythonSignature {
  /** The names of the returned tuple's elements, in order (one name: the value itself). */
  readonly returns: readonly string[];
  /** Elements kept in Python and passed back by reference (the cache). */
  readonly refs: readonly string[];
  /** Positions of arguments sent as 1-D arrays (biases). */
  readonly vectors: readonly number[];
}

/** Every function of a cs231n rnn_layers.py the checker knows, with its signature. */
export const PYTHON_SIGNATURES: Readonly<Record<string, PythonSignature>> = {
  rnn_step_forward: { returns: ['next_h', 'cache'], refs: ['cache'], vectors: [4] },
  rnn_step_backward: { returns: ['dx', 'dprev_h', 'dWx', 'dWh', 'db'], refs: [], vectors: [] },
  rnn_forward: { returns: ['h', 'cache'], refs: ['cache'], vectors: [4] },
  rnn_backward: { returns: ['dx', 'dh0', 'dWx', 'dWh', 'db'], refs: [], vectors: [] },
  lstm_step_forward: { returns: ['next_h', 'next_c', 'cache'], refs: ['cache'], vectors: [5] },
  lstm_step_backward: { returns: ['dx', 'dprev_h', 'dprev_c', 'dWx', 'dWh', 'db'], refs: [], vectors: [] },
  lstm_forward: { returns: ['h', 'cache'], refs: ['cache'], vectors: [4] },
  lstm_backward: { returns: ['dx', 'dh0', 'dWx', 'dWh', 'db'], refs: [], vectors: [] },
  word_embedding_forward: { returns: ['out', 'cache'], refs: ['cache'], vectors: [] },
  word_embedding_backward: { returns: ['dW'], refs: [], vectors: [] },
  temporal_affine_forward: { returns: ['out', 'cache'], refs: ['cache'], vectors: [2] },
  temporal_affine_backward: { returns: ['dx', 'dw', 'db'], refs: [], vectors: [] },
  temporal_softmax_loss: { returns: ['loss', 'dx'], refs: [], vectors: [] },
};

type M = Matrix;
type T3 = Tensor3;

/** For each of the library's gate blocks (f|i|g|o), its index in the homework's (i|f|o|g); and back. */
const FROM_HOMEWORK = blockMap(CS231N_LSTM_GATE_ORDER, LSTM_GATE_ORDER);
const TO_HOMEWORK = blockMap(LSTM_GATE_ORDER, CS231N_LSTM_GATE_ORDER);

function lstmParams(Wx: M, Wh: M, b: M): { Wx: M; Wh: M; b: M } {
  const H = Wh.rows;
  const p = (m: M): M => permuteColumnBlocks(m, FROM_HOMEWORK, H);
  return { Wx: p(Wx), Wh: p(Wh), b: p(b) };
}

function homeworkGrads(g: { dWx: M; dWh: M; db: M }): { dWx: M; dWh: M; db: M } {
  const H = g.dWh.rows;
  const p = (m: M): M => permuteColumnBlocks(m, TO_HOMEWORK, H);
  return { dWx: p(g.dWx), dWh: p(g.dWh), db: p(g.db) };
}

/** How a homework kernel's names map to the library kernel's (only those that differ). */
interface LibraryNames {
  /** The library kernel, e.g. `lstm-step`. */
  readonly kernel: string;
  /** Homework input / output / gradient name → the library's (`prev_h` → `hPrev`, `next_h` → `h`). */
  readonly names: Readonly<Record<string, string>>;
  /** Whether Wx, Wh, b and their gradients are LSTM gate stacks (reordered i|f|o|g → f|i|g|o). */
  readonly lstm: boolean;
  /** Inputs and upstream gradients the homework lacks, as N×H zeros (cs231n's lstm_forward starts from c0 = 0). */
  readonly zeros?: { readonly inputs: readonly string[]; readonly upstream: readonly string[] };
}

const GATED = ['Wx', 'Wh', 'b', 'dWx', 'dWh', 'db'];

function toLibrary(v: HasValues, H: number, gated: boolean): HasValues {
  if (!gated || !(v instanceof Matrix)) return v;
  return permuteColumnBlocks(v, FROM_HOMEWORK, H);
}

/**
 * A gate-stacked K×4H gradient the user returned transposed (4H×K), whose
 * values the checker kept in their stored order: its rows are the gate
 * blocks, so those are what is reordered.
 */
function transposedToLibrary(v: HasValues, H: number): HasValues {
  if (!(v instanceof Matrix)) return v;
  // Stored as 4H rows of K: row block b of the result is row block FROM_HOMEWORK[b] of the stored rows.
  const K = v.rows;
  const out = new Float64Array(v.data.length);
  for (const [b, from] of FROM_HOMEWORK.entries())
    out.set(v.data.subarray(from * H * K, (from + 1) * H * K), b * H * K);
  return new Matrix(v.rows, v.cols, out);
}

function rename<T>(
  record: Readonly<Record<string, T>> | null | undefined,
  lib: LibraryNames,
  map: (name: string, v: T) => T,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record ?? {})) out[lib.names[k] ?? k] = map(k, v);
  return out;
}

/** "a, b and c" (as the catalog writes its sentences). */
function listing(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

/** The catalog's description of matched rows: "dWx, dWh, db (i, f, g blocks) and dprev_c". */
function describeMatches(matches: readonly DiagnosisMatch[]): string {
  const parts: string[] = [];
  let k = 0;
  while (k < matches.length) {
    const first = matches[k] as DiagnosisMatch;
    const key = first.gates?.join(', ') ?? null;
    const names: string[] = [];
    const same = (m: DiagnosisMatch | undefined): boolean =>
      m !== undefined && (m.gates?.join(', ') ?? null) === key && m.kind === first.kind;
    while (same(matches[k])) {
      names.push((matches[k] as DiagnosisMatch).name);
      k++;
    }
    const blocks = first.gates === null ? '' : `${key as string} block${first.gates.length === 1 ? '' : 's'}`;
    const suffix = [first.kind === 'output' ? 'forward' : '', blocks].filter((x) => x !== '').join(', ');
    for (const [i, name] of names.entries())
      parts.push(i === names.length - 1 && suffix !== '' ? `${name} (${suffix})` : name);
  }
  return listing(parts);
}

/**
 * The catalog's diagnosis of a homework kernel: the case converted to the
 * library kernel's names and gate order, diagnosed there with the homework's
 * gate order as the order the user's code was handed, and the answer
 * converted back (names, and gate blocks listed i, f, o, g).
 */
function diagnoseAsLibrary(lib: LibraryNames): (c: DiagnoseCase) => Diagnosis[] {
  const back: Record<string, string> = {};
  for (const [k, v] of Object.entries(lib.names)) back[v] = k;
  const order: readonly string[] = CS231N_LSTM_GATE_ORDER;
  return (c) => {
    const Wh = c.inputs.Wh as Matrix;
    const H = lib.lstm ? Wh.rows : 0;
    const gate = (name: string, v: HasValues): HasValues => toLibrary(v, H, lib.lstm && GATED.includes(name));
    const inputs = rename(c.inputs, lib, (k, v) => gate(k, v) as typeof v);
    const upstream = rename(c.upstream, lib, (_k, v) => v);
    if (lib.zeros !== undefined) {
      const N = (c.inputs.h0 as Matrix).rows;
      const Hh = Wh.rows;
      for (const name of lib.zeros.inputs) inputs[name] = Matrix.zeros(N, Hh);
      for (const name of lib.zeros.upstream) upstream[name] = Matrix.zeros(N, Hh);
    }
    const diagnose = (convert: (name: string, v: HasValues) => HasValues): Diagnosis[] =>
      diagnoseKernel(lib.kernel, {
        inputs,
        ...(c.constants === undefined ? {} : { constants: c.constants }),
        upstream,
        outputs: rename(c.outputs, lib, (_k, v) => v),
        gradients: c.gradients === null || c.gradients === undefined ? null : rename(c.gradients, lib, convert),
        ...(lib.lstm ? { gateOrder: order } : {}),
        ...(c.tolerance === undefined ? {} : { tolerance: c.tolerance }),
      });
    const found = diagnose(gate);
    if (lib.lstm && c.gradients !== null && c.gradients !== undefined) {
      // A weight gradient returned transposed reads in another layout: its
      // gate blocks are rows. Only the transposed-gradient entries are taken
      // from that reading.
      const transposed = diagnose((k, v) => (k === 'dWx' || k === 'dWh' ? transposedToLibrary(v, H) : gate(k, v)));
      const known = new Set(found.map((d) => d.id));
      found.push(...transposed.filter((d) => d.id.includes('-transposed-') && !known.has(d.id)));
    }
    return found.map((d) => {
      const matches = d.matches.map((m) => ({
        ...m,
        name: back[m.name] ?? m.name,
        gates: m.gates === null ? null : [...m.gates].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
      }));
      const prefix = describeMatches(d.matches);
      const renamed = describeMatches(matches) + d.sentence.slice(prefix.length);
      const sentence = d.sentence.startsWith(prefix) ? renamed : d.sentence;
      return { ...d, sentence, gradients: d.gradients.map((g) => back[g] ?? g), matches };
    });
  };
}

const rnnWeights = [
  { name: 'Wx', shape: 'D×H', gradient: 'dWx', scale: 0.3 },
  { name: 'Wh', shape: 'H×H', gradient: 'dWh', scale: 0.3 },
  { name: 'b', shape: '1×H', gradient: 'db', scale: 0.3 },
] as const;
const lstmWeights = [
  { name: 'Wx', shape: 'D×4H', gradient: 'dWx', scale: 0.3 },
  { name: 'Wh', shape: 'H×4H', gradient: 'dWh', scale: 0.3 },
  { name: 'b', shape: '1×4H', gradient: 'db', scale: 0.3 },
] as const;
const lstmGates = { names: CS231N_LSTM_GATE_ORDER, inputs: ['Wx', 'Wh', 'b'] };

/** `rnn-step`: next_h = tanh(x·Wx + prev_h·Wh + b). */
const rnnStep: KernelSpec = {
  name: 'rnn-step',
  summary: 'rnn_step_forward / rnn_step_backward',
  forwardName: 'rnn_step_forward',
  backwardName: 'rnn_step_backward',
  reference: {
    forward: (x: M, prevH: M, Wx: M, Wh: M, b: M) => {
      const r = rnnStepForward(x, prevH, { Wx, Wh, b });
      return { next_h: r.h, cache: r.cache };
    },
    backward: (dnextH: M, cache: RnnStepCache) => {
      const g = rnnStepBackward(dnextH, cache);
      return { dx: g.dx, dprev_h: g.dhPrev, dWx: g.dWx, dWh: g.dWh, db: g.db };
    },
  },
  inputs: [
    ...rnnWeights,
    { name: 'x', shape: 'N×D', gradient: 'dx', scale: 1 },
    { name: 'prev_h', shape: 'N×H', gradient: 'dprev_h', scale: 1 },
  ],
  outputs: [{ name: 'next_h', shape: 'N×H', upstream: 'dnext_h' }],
  callForward: (f, v) => f(v.x, v.prev_h, v.Wx, v.Wh, v.b),
  callBackward: (f, d, cache) => f(d.next_h, cache),
  diagnose: diagnoseAsLibrary({
    kernel: 'rnn-step',
    names: { prev_h: 'hPrev', next_h: 'h', dprev_h: 'dhPrev' },
    lstm: false,
  }),
};

/** `rnn`: the step over t = 1…T from h0, and backpropagation through time. */
const rnn: KernelSpec = {
  name: 'rnn',
  summary: 'rnn_forward / rnn_backward',
  forwardName: 'rnn_forward',
  backwardName: 'rnn_backward',
  reference: {
    forward: (x: T3, h0: M, Wx: M, Wh: M, b: M) => {
      const r = rnnForward(x, h0, { Wx, Wh, b });
      return { h: r.h, cache: r.cache };
    },
    backward: (dh: T3, cache: RnnCache) => {
      const g = rnnBackward(dh, cache);
      return { dx: g.dx, dh0: g.dh0, dWx: g.dWx, dWh: g.dWh, db: g.db };
    },
  },
  inputs: [
    ...rnnWeights,
    { name: 'x', shape: 'N×T×D', gradient: 'dx', scale: 1 },
    { name: 'h0', shape: 'N×H', gradient: 'dh0', scale: 1 },
  ],
  outputs: [{ name: 'h', shape: 'N×T×H', upstream: 'dh' }],
  callForward: (f, v) => f(v.x, v.h0, v.Wx, v.Wh, v.b),
  callBackward: (f, d, cache) => f(d.h, cache),
  diagnose: diagnoseAsLibrary({ kernel: 'rnn', names: {}, lstm: false }),
};

/**
 * `lstm-step`: gates i|f|o|g from x·Wx + prev_h·Wh + b; next_c = f ⊙ prev_c + i ⊙ g;
 * next_h = o ⊙ tanh(next_c).
 */
const lstmStep: KernelSpec = {
  name: 'lstm-step',
  summary: 'lstm_step_forward / lstm_step_backward',
  forwardName: 'lstm_step_forward',
  backwardName: 'lstm_step_backward',
  reference: {
    forward: (x: M, prevH: M, prevC: M, Wx: M, Wh: M, b: M) => {
      const r = lstmStepForward(x, prevH, prevC, lstmParams(Wx, Wh, b));
      return { next_h: r.h, next_c: r.c, cache: r.cache };
    },
    backward: (dnextH: M, dnextC: M, cache: LstmStepCache) => {
      const g = lstmStepBackward(dnextH, dnextC, cache);
      return { dx: g.dx, dprev_h: g.dhPrev, dprev_c: g.dcPrev, ...homeworkGrads(g) };
    },
  },
  inputs: [
    ...lstmWeights,
    { name: 'x', shape: 'N×D', gradient: 'dx', scale: 1 },
    { name: 'prev_h', shape: 'N×H', gradient: 'dprev_h', scale: 1 },
    { name: 'prev_c', shape: 'N×H', gradient: 'dprev_c', scale: 1 },
  ],
  outputs: [
    { name: 'next_h', shape: 'N×H', upstream: 'dnext_h' },
    { name: 'next_c', shape: 'N×H', upstream: 'dnext_c' },
  ],
  gates: lstmGates,
  callForward: (f, v) => f(v.x, v.prev_h, v.prev_c, v.Wx, v.Wh, v.b),
  callBackward: (f, d, cache) => f(d.next_h, d.next_c, cache),
  diagnose: diagnoseAsLibrary({
    kernel: 'lstm-step',
    names: { prev_h: 'hPrev', prev_c: 'cPrev', next_h: 'h', next_c: 'c', dprev_h: 'dhPrev', dprev_c: 'dcPrev' },
    lstm: true,
  }),
};

/** `lstm`: the step over t = 1…T from h0 and c0 = 0, and BPTT with dh and dc carried back. */
const lstm: KernelSpec = {
  name: 'lstm',
  summary: 'lstm_forward / lstm_backward',
  forwardName: 'lstm_forward',
  backwardName: 'lstm_backward',
  reference: {
    forward: (x: T3, h0: M, Wx: M, Wh: M, b: M) => {
      const r = lstmForward(x, h0, lstmParams(Wx, Wh, b));
      return { h: r.h, cache: r.cache };
    },
    backward: (dh: T3, cache: LstmCache) => {
      const g = lstmBackward(dh, cache);
      return { dx: g.dx, dh0: g.dh0, ...homeworkGrads(g) };
    },
  },
  inputs: [
    ...lstmWeights,
    { name: 'x', shape: 'N×T×D', gradient: 'dx', scale: 1 },
    { name: 'h0', shape: 'N×H', gradient: 'dh0', scale: 1 },
  ],
  outputs: [{ name: 'h', shape: 'N×T×H', upstream: 'dh' }],
  gates: lstmGates,
  callForward: (f, v) => f(v.x, v.h0, v.Wx, v.Wh, v.b),
  callBackward: (f, d, cache) => f(d.h, cache),
  diagnose: diagnoseAsLibrary({ kernel: 'lstm', names: {}, lstm: true, zeros: { inputs: ['c0'], upstream: ['c'] } }),
};

/** N×T ids in [0, H): word ids (V = H) or targets. */
function drawIds(sizes: KernelSizes, uniform: () => number): Ids {
  return Array.from({ length: sizes.N }, () => Array.from({ length: sizes.T }, () => Math.floor(uniform() * sizes.H)));
}

/** An N×T mask with about one entry in five off, and (0, 0) on so the loss is never empty. */
function drawMask(sizes: KernelSizes, uniform: () => number): Mask {
  const on = (n: number, t: number): boolean => (n === 0 && t === 0) || uniform() >= 0.2;
  const row = (n: number): boolean[] => Array.from({ length: sizes.T }, (_, t) => on(n, t));
  return Array.from({ length: sizes.N }, (_, n) => row(n));
}

/** `word-embedding`: out[n, t] = W[x[n, t]]; dW adds each dout row to the row of its word. */
const wordEmbedding: KernelSpec = {
  name: 'word-embedding',
  summary: 'word_embedding_forward / word_embedding_backward (V = H words)',
  forwardName: 'word_embedding_forward',
  backwardName: 'word_embedding_backward',
  reference: {
    forward: (x: Ids, W: M) => wordEmbeddingForward(x, W),
    backward: (dout: T3, cache: Parameters<typeof wordEmbeddingBackward>[1]) => ({
      dW: wordEmbeddingBackward(dout, cache).dW,
    }),
  },
  inputs: [{ name: 'W', shape: 'H×D', gradient: 'dW', scale: 1 }],
  constants: [{ name: 'x', draw: drawIds }],
  outputs: [{ name: 'out', shape: 'N×T×D', upstream: 'dout' }],
  callForward: (f, v) => f(v.x, v.W),
  callBackward: (f, d, cache) => f(d.out, cache),
};

/** `temporal-affine`: out[n, t] = x[n, t]·w + b (M = H outputs). */
const temporalAffine: KernelSpec = {
  name: 'temporal-affine',
  summary: 'temporal_affine_forward / temporal_affine_backward (M = H outputs)',
  forwardName: 'temporal_affine_forward',
  backwardName: 'temporal_affine_backward',
  reference: {
    forward: (x: T3, w: M, b: M) => temporalAffineForward(x, w, b),
    backward: (dout: T3, cache: Parameters<typeof temporalAffineBackward>[1]) => {
      const g = temporalAffineBackward(dout, cache);
      return { dx: g.dx, dw: g.dW, db: g.db };
    },
  },
  inputs: [
    { name: 'w', shape: 'D×H', gradient: 'dw', scale: 0.3 },
    { name: 'b', shape: '1×H', gradient: 'db', scale: 0.3 },
    { name: 'x', shape: 'N×T×D', gradient: 'dx', scale: 1 },
  ],
  outputs: [{ name: 'out', shape: 'N×T×H', upstream: 'dout' }],
  callForward: (f, v) => f(v.x, v.w, v.b),
  callBackward: (f, d, cache) => f(d.out, cache),
};

/** dx scaled by the upstream dloss, keeping whatever form dx came in (the checker validates it). */
function scaled(dx: unknown, dloss: unknown): unknown {
  const s = (dloss as Matrix).data[0] as number;
  if (typeof dx !== 'object' || dx === null || !('data' in dx)) return dx;
  const r = dx as { data: ArrayLike<number> };
  return { ...r, data: Float64Array.from(r.data, (v) => v * s) };
}

/**
 * `temporal-softmax-loss`: loss = −(1/N) Σ mask · log softmax(x)[y] (V = H
 * classes). The function returns (loss, dx) at once, so its "backward" is dx
 * times the upstream dloss; dx is checked against finite differences of its loss.
 */
const temporalSoftmax: KernelSpec = {
  name: 'temporal-softmax-loss',
  summary: 'temporal_softmax_loss (its dx) (V = H classes)',
  forwardName: 'temporal_softmax_loss',
  backwardName: 'temporal_softmax_loss',
  reference: {
    forward: (x: T3, y: Ids, mask: Mask) => {
      const r = temporalSoftmaxLoss(x, y, mask);
      return { loss: r.loss, dx: r.dscores };
    },
    backward: () => null,
  },
  inputs: [{ name: 'x', shape: 'N×T×H', gradient: 'dx', scale: 1 }],
  constants: [
    { name: 'y', draw: drawIds },
    { name: 'mask', draw: drawMask },
  ],
  outputs: [{ name: 'loss', shape: '1×1', upstream: 'dloss' }],
  callForward: (f: KernelFunction, v) => {
    const r = f(v.x, v.y, v.mask) as Record<string, unknown>;
    return { loss: r.loss, cache: r.dx };
  },
  callBackward: (_f, d, dx) => ({ dx: scaled(dx, d.loss) }),
};

/** The numpy homework's kernels, in check order. */
export function numpyKernelSpecs(): KernelSpec[] {
  return [rnnStep, rnn, lstmStep, lstm, wordEmbedding, temporalAffine, temporalSoftmax];
}
