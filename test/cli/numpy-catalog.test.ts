/**
 * Every RNN and LSTM entry of the mistake catalog, planted in the correct
 * numpy homework (test/fixtures/numpy/rnn_layers.py) the way a student would
 * write it in numpy: each case is a find/replace on the correct source, the
 * checker exits 1 and names that entry for the kernel the mistake is in.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mistakeCatalog } from '../../src/gradcheck/mistakes/catalog';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');
const correct = readFileSync(join(root, 'test', 'fixtures', 'numpy', 'rnn_layers.py'), 'utf8');

const probe = spawnSync(process.env.HANDGRAD_PYTHON ?? 'python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const suite = probe.status === 0 ? describe : describe.skip;
if (probe.status !== 0) {
  process.stderr.write('test/cli/numpy-catalog.test.ts SKIPPED: python3 with numpy not found\n');
}

type Edit = [find: string, replace: string];

/** The LSTM step's terms for the derivative of each gate's pre-activation, as the fixture writes them. */
const dA = { i: 'di * i * (1 - i)', f: 'df * f * (1 - f)', o: 'do * o * (1 - o)', g: 'dg * (1 - g ** 2)' } as const;
/** A gate's pre-activation read back from its activation: the logit of a sigmoid, arctanh of tanh. */
const logit = (s: string): string => `np.log(${s} / (1 - ${s}))`;
const pre = { i: logit('i'), f: logit('f'), o: logit('o'), g: 'np.arctanh(g)' } as const;

/** The fixture's gate order (cs231n's): the blocks of Wx, Wh and b. */
const FILE_ORDER = ['i', 'f', 'o', 'g'] as const;
type Gate = (typeof FILE_ORDER)[number];
/** Block k of the pre-activations, as the fixture slices it. */
const SLICES = ['0:H', 'H:2 * H', '2 * H:3 * H', '3 * H:4 * H'];
const gateLine = (gate: Gate, k: number): string =>
  `    ${gate} = ${gate === 'g' ? 'np.tanh' : 'sigmoid'}(a[:, ${SLICES[k]}])`;
/** The fixture's four gate lines, each reading its own block. */
const FORWARD_GATES = FILE_ORDER.map((gate, k) => gateLine(gate, k)).join('\n');
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((first, k) =>
    permutations([...items.slice(0, k), ...items.slice(k + 1)]).map((rest) => [first, ...rest]),
  );
}

interface Plant {
  /** The catalog entry. */
  readonly id: string;
  /** The kernel checked (the mistake is in it). */
  readonly kernel: string;
  readonly edits: readonly Edit[];
  /** Extra options (a square Wx for the dx-without-transpose entry). */
  readonly args?: readonly string[];
}

const plants: Plant[] = [
  {
    id: 'rnn-tanh-prime-of-preactivation',
    kernel: 'rnn-step',
    edits: [['(1 - next_h ** 2)', '(1 - np.arctanh(next_h) ** 2)']],
  },
  {
    id: 'rnn-missing-carried-dh',
    kernel: 'rnn',
    edits: [['rnn_step_backward(dh[:, t, :] + dprev,', 'rnn_step_backward(dh[:, t, :],']],
  },
  { id: 'rnn-transposed-dWx', kernel: 'rnn-step', edits: [['dWx = x.T @ da', 'dWx = da.T @ x']] },
  { id: 'rnn-transposed-dWh', kernel: 'rnn-step', edits: [['dWh = prev_h.T @ da', 'dWh = da.T @ prev_h']] },
  { id: 'rnn-bias-row0', kernel: 'rnn-step', edits: [['db = da.sum(axis=0)', 'db = da[0]']] },
  { id: 'rnn-bias-mean', kernel: 'rnn-step', edits: [['db = da.sum(axis=0)', 'db = da.mean(axis=0)']] },
  { id: 'rnn-h-not-hprev', kernel: 'rnn-step', edits: [['dWh = prev_h.T @ da', 'dWh = next_h.T @ da']] },
  {
    id: 'rnn-dx-without-transpose',
    kernel: 'rnn-step',
    edits: [['next_h ** 2)\n    dx = da @ Wx.T', 'next_h ** 2)\n    dx = da @ Wx']],
    // da @ Wx is only defined when Wx is square.
    args: ['--D', '4'],
  },
  {
    id: 'rnn-dhprev-without-transpose',
    kernel: 'rnn-step',
    edits: [['    dprev_h = da @ Wh.T\n    dWx = x.T', '    dprev_h = da @ Wh\n    dWx = x.T']],
  },
  { id: 'lstm-missing-dcnext', kernel: 'lstm-step', edits: [['dc = dnext_c + dnext_h', 'dc = dnext_h']] },
  {
    id: 'lstm-missing-carried-dh',
    kernel: 'lstm',
    edits: [['lstm_step_backward(dh[:, t, :] + dprev_h,', 'lstm_step_backward(dh[:, t, :],']],
  },
  { id: 'lstm-dcprev-without-f', kernel: 'lstm-step', edits: [['dprev_c = dc * f', 'dprev_c = dc']] },
  {
    id: 'lstm-cell-tanh-prime-of-c',
    kernel: 'lstm-step',
    edits: [['(1 - tanh_c ** 2)', '(1 - np.arctanh(tanh_c) ** 2)']],
  },
  ...(['i', 'f', 'o'] as const).map((gate) => ({
    id: `lstm-sigma-plus-${gate}`,
    kernel: 'lstm-step',
    edits: [[dA[gate], `d${gate} * ${gate} * (1 + ${gate})`]] as Edit[],
  })),
  ...(['i', 'f', 'o', 'g'] as const).map((gate) => ({
    id: `lstm-preactivation-${gate}`,
    kernel: 'lstm-step',
    edits: [
      [dA[gate], gate === 'g' ? `dg * (1 - ${pre.g} ** 2)` : `d${gate} * ${pre[gate]} * (1 - ${pre[gate]})`],
    ] as Edit[],
  })),
  ...(['i', 'f', 'o', 'g'] as const).map((gate) => ({
    id: `lstm-sign-flip-${gate}`,
    kernel: 'lstm-step',
    edits: [[dA[gate], `-${dA[gate]}`]] as Edit[],
  })),
  { id: 'lstm-bias-row0', kernel: 'lstm-step', edits: [['db = np.sum(da, axis=0)', 'db = da[0]']] },
  { id: 'lstm-bias-mean', kernel: 'lstm-step', edits: [['db = np.sum(da, axis=0)', 'db = np.mean(da, axis=0)']] },
  {
    id: 'lstm-h-not-hprev',
    kernel: 'lstm-step',
    edits: [['dWh = np.dot(prev_h.T, da)', 'dWh = np.dot((o * tanh_c).T, da)']],
  },
  { id: 'lstm-transposed-dWx', kernel: 'lstm-step', edits: [['dWx = np.dot(x.T, da)', 'dWx = np.dot(da.T, x)']] },
  {
    id: 'lstm-transposed-dWh',
    kernel: 'lstm-step',
    edits: [['dWh = np.dot(prev_h.T, da)', 'dWh = np.dot(da.T, prev_h)']],
  },
  // Every other order the forward could read the blocks of weights laid out i|f|o|g in, the backward stacking
  // dA in the same (wrong) order, so the step agrees with finite differences of its own forward.
  ...permutations(FILE_ORDER)
    .filter((reads) => reads.join('') !== FILE_ORDER.join(''))
    .map((reads) => ({
      id: `lstm-gate-order-${reads.join('')}`,
      kernel: 'lstm-step',
      edits: [
        [FORWARD_GATES, reads.map((gate, k) => gateLine(gate, k)).join('\n')],
        [`${dA.i}, ${dA.f}, ${dA.o}, ${dA.g}])`, `${reads.map((gate) => dA[gate]).join(', ')}])`],
      ] as Edit[],
    })),
];

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'handgrad-numpy-catalog-'));
});
afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

suite('every RNN and LSTM catalog entry, planted in a numpy homework, is named', () => {
  it('the plants cover every RNN and LSTM entry, every gate order but the file’s own included', () => {
    // Gate-order ids name the order the forward reads: the catalog's are the 23 orders other than handgrad's
    // f|i|o|g layout, the numpy homework's the 23 other than its own i|f|o|g.
    const isOrder = (id: string): boolean => id.startsWith('lstm-gate-order-');
    const entries = mistakeCatalog()
      .filter((m) => m.cell === 'rnn' || m.cell === 'lstm')
      .map((m) => m.id);
    const planted = plants.map((p) => p.id);
    expect(planted.filter((id) => !isOrder(id)).sort()).toEqual(entries.filter((id) => !isOrder(id)).sort());
    const orders = permutations(FILE_ORDER).map((reads) => `lstm-gate-order-${reads.join('')}`);
    const ownOrder = `lstm-gate-order-${FILE_ORDER.join('')}`;
    expect(planted.filter(isOrder).sort()).toEqual(orders.filter((id) => id !== ownOrder).sort());
    expect(planted.filter(isOrder)).toHaveLength(entries.filter(isOrder).length);
  });

  it.each(plants.map((p) => [p.id, p] as const))('%s', (_id, plant) => {
    let source = correct;
    for (const [find, replace] of plant.edits) {
      expect(source.split(find).length - 1).toBe(1);
      source = source.replace(find, replace);
    }
    const dir = mkdtempSync(join(scratch, `${plant.id}-`));
    const file = join(dir, 'rnn_layers.py');
    writeFileSync(file, source);
    const r = spawnSync(
      process.execPath,
      [bin, 'check', '--impl', file, '--kernel', plant.kernel, '--json', '--timeout', '60', ...(plant.args ?? [])],
      { cwd: root, encoding: 'utf8', timeout: 90_000 },
    );
    expect(r.stderr).not.toMatch(/^handgrad: /m);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { kernels: { kernel: string; diagnoses: { id: string }[] }[] };
    const k = report.kernels.find((x) => x.kernel === plant.kernel);
    expect(k?.diagnoses.map((d) => d.id)).toContain(plant.id);
  });
});
