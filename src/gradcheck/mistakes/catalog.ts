/**
 * The catalog of classic mistakes: each entry is a named mutation of a
 * reference cell (rnn.ts, lstm.ts, gru.ts) with the sentence a student reads
 * when their outputs or gradients match it, the formula it breaks and where
 * the docs derive that formula. diagnose.ts does the matching.
 */
import { GRU_GATE_ORDER } from '../../gru/params.js';
import { LSTM_GATE_ORDER } from '../../lstm/params.js';
import { describeValue } from '../../linalg/describe.js';
import type { KernelImplementation } from '../spec.js';
import { gruBiasesSwapped, gruReadingGatesAs, gruResetBeforeProduct, gruWithSlips, type GruGate } from './gru.js';
import { lstmReadingGatesAs, lstmWithSlips, type LstmGate } from './lstm.js';
import { permutations } from './ops.js';
import { rnnWithSlips } from './rnn.js';

/** One classic mistake: a mutation of a reference cell, and what to tell the student who made it. */
export interface Mistake {
  /** Stable id, e.g. `"lstm-missing-dcnext"`. */
  readonly id: string;
  /** The cell it belongs to. */
  readonly cell: 'rnn' | 'lstm' | 'gru';
  /** Entries of one family share a row of the docs' table (e.g. the 23 LSTM gate orders). */
  readonly family: string;
  /** The mistake in a few words, for the docs' table, e.g. "dc_next not added to dc_t". */
  readonly title: string;
  /** What the matched values equal, completing "… match <description>". */
  readonly description: string;
  /** The formula it breaks, as the docs write it. */
  readonly formula: string;
  /** Where the docs derive that formula, e.g. `"docs/lstm.md#backward-the-carried-cell-gradient"`. */
  readonly anchor: string;
  /** The outputs and gradients it changes, over every kernel it applies to. */
  readonly affects: readonly string[];
  /** The mutated forward and backward, by kernel name (`lstm-step`, `lstm`, …). */
  readonly implementations: Readonly<Record<string, Required<KernelImplementation>>>;
  /** Gate-order entries only: gate names in the order the mutated forward reads the weight blocks. */
  readonly reads?: readonly string[];
}

const RNN_BACKWARD = 'docs/rnn.md#backward';
const RNN_BPTT = 'docs/rnn.md#backpropagation-through-time-bptt';
const LSTM_BACKWARD = 'docs/lstm.md#backward-the-carried-cell-gradient';
const LSTM_SEQUENCE = 'docs/lstm.md#over-a-sequence';
const GATE_ORDERS = 'docs/shapes.md#gate-orders-and-weight-layouts';
const GRU_FORWARD = 'docs/gru.md#forward';
const GRU_BACKWARD = 'docs/gru.md#backward';

const RNN_STEP_GRADS = ['dWx', 'dWh', 'db', 'dx', 'dhPrev'];
const RNN_ALL_GRADS = [...RNN_STEP_GRADS, 'dh0'];
const LSTM_ALL_GRADS = ['dWx', 'dWh', 'db', 'dx', 'dhPrev', 'dcPrev', 'dh0', 'dc0'];
const GRU_ALL_GRADS = ['dWx', 'dWh', 'dbx', 'dbh', 'dx', 'dhPrev', 'dh0'];
/** What a gate-local slip changes: the step's dA, so everything but dcPrev (the sequence's dc0 comes through dh). */
const LSTM_DA_GRADS = ['dWx', 'dWh', 'db', 'dx', 'dhPrev', 'dh0', 'dc0'];

/** Names of known gate orders, as "i|f|o|g". */
export const KNOWN_GATE_ORDERS: Readonly<Record<string, string>> = {
  'f|i|g|o': "handgrad's order",
  'i|f|o|g': "cs231n's order",
  'i|f|g|o': "PyTorch's and Keras's order, i|f|c|o in Keras's names",
  'r|z|n': "handgrad's and PyTorch's order",
  'z|r|n': "Keras's order, z|r|h in its names",
};

/** "a forward that reads the gate blocks as … while the weights are laid out …". */
export function gateOrderDescription(reads: readonly string[], laidOut: readonly string[]): string {
  const [r, l] = [describeGateOrder(reads), describeGateOrder(laidOut)];
  return `a forward that reads the gate blocks as ${r} while the weights are laid out ${l}`;
}

/**
 * `"i|f|o|g (cs231n's order)"`, or the bare order when it has no name.
 *
 * @throws TypeError when `order` is not an array of strings.
 * @throws RangeError when it is not an order of the LSTM's gates f, i, g, o or of the GRU's r, z, n, each once.
 */
export function describeGateOrder(order: readonly string[]): string {
  const fn = 'describeGateOrder';
  if (!Array.isArray(order) || !order.every((g) => typeof g === 'string')) {
    throw new TypeError(
      `${fn}: order must be an array of gate names, e.g. ['i', 'f', 'o', 'g'], got ${describeValue(order)}`,
    );
  }
  const cells: readonly (readonly string[])[] = [LSTM_GATE_ORDER, GRU_GATE_ORDER];
  const gates = cells.find((c) => c.includes(order[0] as string)) ?? LSTM_GATE_ORDER;
  const unknown = order.find((g) => !gates.includes(g));
  const repeated = order.find((g, i) => order.indexOf(g) !== i);
  if (unknown !== undefined || repeated !== undefined || order.length !== gates.length) {
    const what =
      unknown !== undefined
        ? `an unknown gate ${JSON.stringify(unknown)}`
        : repeated !== undefined
          ? `the gate ${JSON.stringify(repeated)} twice`
          : `${order.length} gates`;
    throw new RangeError(
      `${fn}: order must hold each of the LSTM's gates ${LSTM_GATE_ORDER.join(', ')} or each of the GRU's ` +
        `${GRU_GATE_ORDER.join(', ')} once, got ${JSON.stringify(order.join('|'))} (${what})`,
    );
  }
  const key = order.join('|');
  const name = KNOWN_GATE_ORDERS[key];
  return name === undefined ? key : `${key} (${name})`;
}

function rnnMistakes(): Mistake[] {
  const base = { cell: 'rnn' as const };
  return [
    {
      ...base,
      id: 'rnn-tanh-prime-of-preactivation',
      family: 'derivative-of-preactivation',
      title: "tanh' written 1 − u² of the pre-activation u instead of 1 − h_t²",
      description:
        "a backward that takes tanh' at the pre-activation u (1 − u²) instead of reading it off h_t (1 − h_t²)",
      formula: 'du = dh_t ⊙ (1 − h_t²)',
      anchor: RNN_BACKWARD,
      affects: RNN_ALL_GRADS,
      implementations: rnnWithSlips({ tanhPrimeOfU: true }),
    },
    {
      ...base,
      id: 'rnn-missing-carried-dh',
      family: 'missing-carried-dh',
      title: 'sequence backward without the carried dh',
      description: 'a sequence backward that calls the step with dh_t alone, without the dh carried back from step t+1',
      formula: 'g_t = dh_t (upstream) + dhPrev of step t+1 (carried back)',
      anchor: RNN_BPTT,
      affects: ['dWx', 'dWh', 'db', 'dx', 'dh0'],
      implementations: { rnn: rnnWithSlips({ noCarriedDh: true }).rnn },
    },
    {
      ...base,
      id: 'rnn-transposed-dWx',
      family: 'transposed',
      title: 'a weight gradient returned transposed',
      description: 'dW_x returned transposed (H×D instead of D×H)',
      formula: 'dW_x = x_tᵀ·du (D×H)',
      anchor: RNN_BACKWARD,
      affects: ['dWx'],
      implementations: rnnWithSlips({ transposed: 'dWx' }),
    },
    {
      ...base,
      id: 'rnn-transposed-dWh',
      family: 'transposed',
      title: 'a weight gradient returned transposed',
      description: 'dW_h transposed (duᵀ·h_{t−1} instead of h_{t−1}ᵀ·du)',
      formula: 'dW_h = h_{t−1}ᵀ·du',
      anchor: RNN_BACKWARD,
      affects: ['dWh'],
      implementations: rnnWithSlips({ transposed: 'dWh' }),
    },
    {
      ...base,
      id: 'rnn-bias-row0',
      family: 'bias-not-summed',
      title: 'bias gradient not summed over the batch',
      description: 'db taken from row 0 of du instead of summed over the batch',
      formula: 'db = e_Nᵀ·du (the sum over the N rows)',
      anchor: RNN_BACKWARD,
      affects: ['db'],
      implementations: rnnWithSlips({ bias: 'row0' }),
    },
    {
      ...base,
      id: 'rnn-bias-mean',
      family: 'bias-not-summed',
      title: 'bias gradient not summed over the batch',
      description: 'db taken as the mean over the batch instead of the sum',
      formula: 'db = e_Nᵀ·du (the sum over the N rows)',
      anchor: RNN_BACKWARD,
      affects: ['db'],
      implementations: rnnWithSlips({ bias: 'mean' }),
    },
    {
      ...base,
      id: 'rnn-h-not-hprev',
      family: 'off-by-one-h',
      title: 'h_t instead of h_{t−1} in dW_h (off by one in time)',
      description: 'a backward that uses h_t instead of h_{t−1} in dW_h',
      formula: 'dW_h = h_{t−1}ᵀ·du',
      anchor: RNN_BACKWARD,
      affects: ['dWh'],
      implementations: rnnWithSlips({ hNotPrev: true }),
    },
    {
      ...base,
      id: 'rnn-dx-without-transpose',
      family: 'w-not-transposed',
      title: 'W instead of Wᵀ in dx or dh_{t−1} (only detectable when W is square)',
      description: 'a backward that multiplies du by W_x instead of W_xᵀ',
      formula: 'dx_t = du·W_xᵀ',
      anchor: RNN_BACKWARD,
      affects: ['dx'],
      implementations: rnnWithSlips({ dxWithoutTranspose: true }),
    },
    {
      ...base,
      id: 'rnn-dhprev-without-transpose',
      family: 'w-not-transposed',
      title: 'W instead of Wᵀ in dx or dh_{t−1} (only detectable when W is square)',
      description: 'a backward that multiplies du by W_h instead of W_hᵀ',
      formula: 'dh_{t−1} = du·W_hᵀ',
      anchor: RNN_BACKWARD,
      affects: ['dhPrev', 'dWx', 'dWh', 'db', 'dx', 'dh0'],
      implementations: rnnWithSlips({ dhPrevWithoutTranspose: true }),
    },
  ];
}

const LSTM_DA: Record<LstmGate, string> = {
  f: 'dA_f = df ⊙ f(1 − f)',
  i: 'dA_i = di ⊙ i(1 − i)',
  g: 'dA_g = dg ⊙ (1 − g²)',
  o: 'dA_o = do ⊙ o(1 − o)',
};

function lstmMistakes(): Mistake[] {
  const base = { cell: 'lstm' as const };
  const out: Mistake[] = [
    {
      ...base,
      id: 'lstm-missing-dcnext',
      family: 'missing-dcnext',
      title: 'dc_next not added to dc_t',
      description: 'a backward that does not add dc_next',
      formula: 'dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh² c_t)',
      anchor: LSTM_BACKWARD,
      affects: LSTM_ALL_GRADS,
      implementations: lstmWithSlips({ noDcNext: true }),
    },
    {
      ...base,
      id: 'lstm-missing-carried-dh',
      family: 'missing-carried-dh',
      title: 'sequence backward without the carried dh',
      description: 'a sequence backward that calls the step with dh_t alone, without the dh carried back from step t+1',
      formula: 'g_t = dh_t (upstream) + dhPrev of step t+1 (carried back)',
      anchor: LSTM_SEQUENCE,
      affects: ['dWx', 'dWh', 'db', 'dx', 'dh0', 'dc0'],
      implementations: { lstm: lstmWithSlips({ noCarriedDh: true }).lstm },
    },
    {
      ...base,
      id: 'lstm-dcprev-without-f',
      family: 'dcprev-without-f',
      title: 'dc_{t−1} without the ⊙ f',
      description: 'a backward whose dc_{t−1} is dc_t, without ⊙ f',
      formula: 'dc_{t−1} = dc_t ⊙ f',
      anchor: LSTM_BACKWARD,
      affects: ['dcPrev', 'dWx', 'dWh', 'db', 'dx', 'dh0', 'dc0'],
      implementations: lstmWithSlips({ dcPrevWithoutF: true }),
    },
    {
      ...base,
      id: 'lstm-cell-tanh-prime-of-c',
      family: 'derivative-of-preactivation',
      title: "σ' or tanh' taken at the pre-activation instead of the activation",
      description: "a backward that writes tanh'(c_t) as 1 − c_t² instead of 1 − tanh² c_t",
      formula: 'dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh² c_t)',
      anchor: LSTM_BACKWARD,
      affects: LSTM_ALL_GRADS,
      implementations: lstmWithSlips({ cellTanhPrimeOfC: true }),
    },
  ];
  for (const gate of ['f', 'i', 'o'] as const) {
    out.push({
      ...base,
      id: `lstm-sigma-plus-${gate}`,
      family: 'sigma-plus',
      title: "σ' written σ(1 + σ)",
      description: `a backward that writes the ${gate} gate's σ' as ${gate}(1 + ${gate})`,
      formula: `σ' = σ(1 − σ): ${LSTM_DA[gate]}`,
      anchor: LSTM_BACKWARD,
      affects: LSTM_DA_GRADS,
      implementations: lstmWithSlips({ sigmaPlus: gate }),
    });
  }
  for (const gate of LSTM_GATE_ORDER) {
    const wrong = gate === 'g' ? '1 − A_g²' : `A_${gate}(1 − A_${gate})`;
    const derivative = gate === 'g' ? "tanh'" : "σ'";
    const where = `at its pre-activation, ${wrong}, not at ${gate}`;
    out.push({
      ...base,
      id: `lstm-preactivation-${gate}`,
      family: 'derivative-of-preactivation',
      title: "σ' or tanh' taken at the pre-activation instead of the activation",
      description: `a backward that takes the ${gate} gate's ${derivative} ${where}`,
      formula: LSTM_DA[gate],
      anchor: LSTM_BACKWARD,
      affects: LSTM_DA_GRADS,
      implementations: lstmWithSlips({ ofPreactivation: gate }),
    });
  }
  for (const gate of LSTM_GATE_ORDER) {
    out.push({
      ...base,
      id: `lstm-sign-flip-${gate}`,
      family: 'sign-flip',
      title: "a sign flip in one gate's derivative",
      description: `a backward with the sign of dA_${gate} flipped`,
      formula: LSTM_DA[gate],
      anchor: LSTM_BACKWARD,
      affects: LSTM_DA_GRADS,
      implementations: lstmWithSlips({ flip: gate }),
    });
  }
  out.push(
    {
      ...base,
      id: 'lstm-bias-row0',
      family: 'bias-not-summed',
      title: 'bias gradient not summed over the batch',
      description: 'db taken from row 0 of dA instead of summed over the batch',
      formula: 'db = e_Nᵀ·dA (the sum over the N rows)',
      anchor: LSTM_BACKWARD,
      affects: ['db'],
      implementations: lstmWithSlips({ bias: 'row0' }),
    },
    {
      ...base,
      id: 'lstm-bias-mean',
      family: 'bias-not-summed',
      title: 'bias gradient not summed over the batch',
      description: 'db taken as the mean over the batch instead of the sum',
      formula: 'db = e_Nᵀ·dA (the sum over the N rows)',
      anchor: LSTM_BACKWARD,
      affects: ['db'],
      implementations: lstmWithSlips({ bias: 'mean' }),
    },
    {
      ...base,
      id: 'lstm-h-not-hprev',
      family: 'off-by-one-h',
      title: 'h_t instead of h_{t−1} in dW_h (off by one in time)',
      description: 'a backward that uses h_t instead of h_{t−1} in dW_h',
      formula: 'dW_h = h_{t−1}ᵀ·dA',
      anchor: LSTM_BACKWARD,
      affects: ['dWh'],
      implementations: lstmWithSlips({ hNotPrev: true }),
    },
    {
      ...base,
      id: 'lstm-transposed-dWx',
      family: 'transposed',
      title: 'a weight gradient returned transposed',
      description: 'dW_x returned transposed (4H×D instead of D×4H)',
      formula: 'dW_x = x_tᵀ·dA (D×4H)',
      anchor: LSTM_BACKWARD,
      affects: ['dWx'],
      implementations: lstmWithSlips({ transposed: 'dWx' }),
    },
    {
      ...base,
      id: 'lstm-transposed-dWh',
      family: 'transposed',
      title: 'a weight gradient returned transposed',
      description: 'dW_h returned transposed (4H×H instead of H×4H)',
      formula: 'dW_h = h_{t−1}ᵀ·dA (H×4H)',
      anchor: LSTM_BACKWARD,
      affects: ['dWh'],
      implementations: lstmWithSlips({ transposed: 'dWh' }),
    },
  );
  for (const reads of permutations(LSTM_GATE_ORDER).slice(1)) {
    out.push({
      ...base,
      id: `lstm-gate-order-${reads.join('')}`,
      family: 'gate-order',
      title: 'the forward reads the gate blocks in another order than the weights are laid out',
      description: gateOrderDescription(reads, LSTM_GATE_ORDER),
      formula: "A = h_{t−1}·W_h + x_t·W_x + b, read as A_f | A_i | A_g | A_o in the weights' block order",
      anchor: GATE_ORDERS,
      affects: ['h', 'c', ...LSTM_ALL_GRADS],
      implementations: lstmReadingGatesAs(reads),
      reads,
    });
  }
  return out;
}

function gruMistakes(): Mistake[] {
  const base = { cell: 'gru' as const };
  const out: Mistake[] = [
    {
      ...base,
      id: 'gru-biases-swapped',
      family: 'gru-biases-swapped',
      title: 'the two biases swapped',
      description:
        'a GRU that adds b_h where b_x belongs and b_x where b_h belongs (b_xn inside r ⊙ (…), b_hn outside)',
      formula: 'n = tanh(x·W_xn + b_xn + r ⊙ (h·W_hn + b_hn))',
      anchor: GRU_FORWARD,
      affects: ['h', 'dWx', 'dWh', 'dbx', 'dbh', 'dx', 'dhPrev', 'dh0'],
      implementations: gruBiasesSwapped(),
    },
    {
      ...base,
      id: 'gru-reset-before-product',
      family: 'gru-reset-before-product',
      title: 'the other formulation: r applied to h_{t−1} before the product with W_hn',
      description:
        "a GRU whose reset gate multiplies h_{t−1} before W_hn (the original paper's and Keras's reset_after=False " +
        'formulation), not the product h·W_hn + b_hn',
      formula: 'n = tanh(x·W_xn + b_xn + r ⊙ (h·W_hn + b_hn))',
      anchor: GRU_FORWARD,
      affects: ['h', ...GRU_ALL_GRADS],
      implementations: gruResetBeforeProduct(),
    },
    {
      ...base,
      id: 'gru-missing-direct-dh',
      family: 'gru-missing-direct-dh',
      title: 'dh_{t−1} without the direct term dh_t ⊙ z',
      description: 'a backward whose dh_{t−1} lacks the direct term dh_t ⊙ z',
      formula: 'dh_{t−1} = dh_t ⊙ z + dY·W_hᵀ',
      anchor: GRU_BACKWARD,
      affects: ['dhPrev', 'dWx', 'dWh', 'dbx', 'dbh', 'dx', 'dh0'],
      implementations: gruWithSlips({ noDirect: true }),
    },
    {
      ...base,
      id: 'gru-missing-carried-dh',
      family: 'missing-carried-dh',
      title: 'sequence backward without the carried dh',
      description: 'a sequence backward that calls the step with dh_t alone, without the dh carried back from step t+1',
      formula: 'g_t = dh_t (upstream) + dhPrev of step t+1 (carried back)',
      anchor: RNN_BPTT,
      affects: ['dWx', 'dWh', 'dbx', 'dbh', 'dx', 'dh0'],
      implementations: { gru: gruWithSlips({ noCarriedDh: true }).gru },
    },
    {
      ...base,
      id: 'gru-bias-row0',
      family: 'bias-not-summed',
      title: 'bias gradient not summed over the batch',
      description: 'db_x and db_h taken from row 0 of dX and dY instead of summed over the batch',
      formula: 'db_x = e_Nᵀ·dX, db_h = e_Nᵀ·dY (sums over the N rows)',
      anchor: GRU_BACKWARD,
      affects: ['dbx', 'dbh'],
      implementations: gruWithSlips({ bias: 'row0' }),
    },
    {
      ...base,
      id: 'gru-bias-mean',
      family: 'bias-not-summed',
      title: 'bias gradient not summed over the batch',
      description: 'db_x and db_h taken as means over the batch instead of sums',
      formula: 'db_x = e_Nᵀ·dX, db_h = e_Nᵀ·dY (sums over the N rows)',
      anchor: GRU_BACKWARD,
      affects: ['dbx', 'dbh'],
      implementations: gruWithSlips({ bias: 'mean' }),
    },
    {
      ...base,
      id: 'gru-h-not-hprev',
      family: 'off-by-one-h',
      title: 'h_t instead of h_{t−1} in dW_h (off by one in time)',
      description: 'a backward that uses h_t instead of h_{t−1} in dW_h',
      formula: 'dW_h = h_{t−1}ᵀ·dY',
      anchor: GRU_BACKWARD,
      affects: ['dWh'],
      implementations: gruWithSlips({ hNotPrev: true }),
    },
    {
      ...base,
      id: 'gru-transposed-dWx',
      family: 'transposed',
      title: 'a weight gradient returned transposed',
      description: 'dW_x returned transposed (3H×D instead of D×3H)',
      formula: 'dW_x = x_tᵀ·dX (D×3H)',
      anchor: GRU_BACKWARD,
      affects: ['dWx'],
      implementations: gruWithSlips({ transposed: 'dWx' }),
    },
    {
      ...base,
      id: 'gru-transposed-dWh',
      family: 'transposed',
      title: 'a weight gradient returned transposed',
      description: 'dW_h returned transposed (3H×H instead of H×3H)',
      formula: 'dW_h = h_{t−1}ᵀ·dY (H×3H)',
      anchor: GRU_BACKWARD,
      affects: ['dWh'],
      implementations: gruWithSlips({ transposed: 'dWh' }),
    },
  ];
  for (const reads of permutations<GruGate>(GRU_GATE_ORDER).slice(1)) {
    out.push({
      ...base,
      id: `gru-gate-order-${reads.join('')}`,
      family: 'gate-order',
      title: 'the forward reads the gate blocks in another order than the weights are laid out',
      description: gateOrderDescription(reads, GRU_GATE_ORDER),
      formula: "X = x·W_x + b_x, Y = h·W_h + b_h, read as X_r | X_z | X_n, Y_r | Y_z | Y_n in the weights' order",
      anchor: GATE_ORDERS,
      affects: ['h', ...GRU_ALL_GRADS],
      implementations: gruReadingGatesAs(reads),
      reads,
    });
  }
  return out;
}

let built: readonly Mistake[] | null = null;

/** Every mistake of the catalog: the RNN's, then the LSTM's, then the GRU's. */
export function mistakeCatalog(): readonly Mistake[] {
  built ??= Object.freeze([...rnnMistakes(), ...lstmMistakes(), ...gruMistakes()]);
  return built;
}

/** The mistakes that apply to `kernel` (those with an implementation of it). */
export function mistakesOf(kernel: string): Mistake[] {
  const known = [...new Set(mistakeCatalog().flatMap((m) => Object.keys(m.implementations)))];
  if (typeof kernel !== 'string' || !known.includes(kernel)) {
    const got = typeof kernel === 'string' ? JSON.stringify(kernel) : describeValue(kernel);
    const Err = typeof kernel === 'string' ? RangeError : TypeError;
    throw new Err(`mistakesOf: kernel must be one of ${known.join(', ')}, got ${got}`);
  }
  return mistakesFor(kernel);
}

/** {@link mistakesOf} without the check: none for a kernel the catalog has no implementation of (a registered one). */
export function mistakesFor(kernel: string): Mistake[] {
  return mistakeCatalog().filter((m) => m.implementations[kernel] !== undefined);
}

const CELL_NAMES: Record<Mistake['cell'], string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };

/**
 * The catalog as the Markdown table of docs/gradient-checking-cli.md: one
 * row per cell and family (mistake → what the checker says → the formula it
 * breaks, linked to its derivation). A test keeps the docs equal to it.
 */
export function catalogMarkdownTable(): string {
  const rows = ['| mistake | what the checker says | the formula it breaks |', '| --- | --- | --- |'];
  const seen = new Set<string>();
  for (const m of mistakeCatalog()) {
    const key = `${m.cell} ${m.family}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const family = mistakeCatalog().filter((x) => x.cell === m.cell && x.family === m.family);
    // For a family, show its best-known member: cs231n's gate order, Keras's GRU order.
    const shown = family.find((x) => ['ifog', 'zrn'].includes(x.reads?.join('') ?? '')) ?? m;
    const members = family.map((x) => `\`${x.id}\``).join(', ');
    const count = family.length === 1 ? '' : ` (${family.length} entries: ${members})`;
    const title = m.family === 'gate-order' ? `${m.title}, any of the ${family.length} orders` : m.title;
    const ids = m.family === 'gate-order' ? ` (\`${m.cell}-gate-order-…\`)` : count;
    const cell = (text: string): string => text.replace(/\|/g, '\\|');
    const docsLink = `[${cell(shown.formula)}](${shown.anchor.replace(/^docs\//, '')})`;
    rows.push(`| ${CELL_NAMES[m.cell]}: ${cell(title)}${ids} | … match ${cell(shown.description)} | ${docsLink} |`);
  }
  return rows.join('\n');
}
