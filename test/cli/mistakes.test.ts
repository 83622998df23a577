/**
 * Every catalog mistake, planted in a correct JavaScript homework
 * (test/fixtures/mistakes/homework.js) by a small text substitution, is named
 * by the real CLI: exit 1 and the mistake's id in the `--json` diagnoses of
 * every kernel it applies to. One RNN, one LSTM and one GRU mistake share a
 * process (the cells are independent); the processes run a few at a time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mistakeCatalog, type Mistake } from '../../src/gradcheck/index';
import { PLANTS, applyPlant, gateOrderPlant, type Plant } from '../fixtures/mistakes/plants';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');
const homework = readFileSync(join(root, 'test/fixtures/mistakes/homework.js'), 'utf8').replace(
  "require('../homework/matrix.js')",
  () => `require(${JSON.stringify(join(root, 'test/fixtures/homework/matrix.js'))})`,
);
// D = H: "W instead of Wᵀ in dx" is only possible for a square W_x.
// A generous time limit: the processes run side by side on a shared machine.
const SIZES = ['--N', '3', '--T', '3', '--D', '3', '--H', '3', '--timeout', '60'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function handgrad(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: width }, async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await work(items[k] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

const catalog = mistakeCatalog();
const plantOf = (id: string): Plant => PLANTS[id] ?? gateOrderPlant(id) ?? [];

// Group k plants the k-th mistake of each cell.
const byCell = (cell: Mistake['cell']): Mistake[] => catalog.filter((m) => m.cell === cell);
const [rnn, lstm, gru] = [byCell('rnn'), byCell('lstm'), byCell('gru')];
const groups: string[][] = Array.from({ length: Math.max(rnn.length, lstm.length, gru.length) }, (_, k) =>
  [rnn[k], lstm[k], gru[k]].filter((m): m is Mistake => m !== undefined).map((m) => m.id),
);
// Two mistakes at once in one cell: in different gradients (RNN), in different gate blocks (LSTM).
const COMBINED = ['rnn-bias-row0', 'rnn-h-not-hprev', 'lstm-sign-flip-o', 'lstm-sigma-plus-f'];
// A weight gradient returned transposed (4H×H, 3H×D) that is also wrong otherwise (LSTM), or alone (GRU).
const TRANSPOSED_TOO = ['lstm-missing-dcnext', 'lstm-transposed-dWh', 'gru-transposed-dWx', 'gru-bias-row0'];

interface KernelJson {
  kernel: string;
  ok: boolean;
  diagnoses: { id: string; sentence: string; anchor: string; gradients: string[] }[];
}

let dir = '';
let results: Run[] = [];
let combinedText: Run = { code: null, stdout: '', stderr: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handgrad-mistakes-'));
  const files = [...groups, COMBINED, TRANSPOSED_TOO].map((ids, k) => {
    const file = join(dir, `planted-${k}.js`);
    writeFileSync(
      file,
      ids.reduce((src, id) => applyPlant(src, plantOf(id)), homework),
    );
    return file;
  });
  const runs = files.map((file) => ['check', '--impl', file, '--json', ...SIZES]);
  runs.push(['check', '--impl', files[groups.length] as string, ...SIZES, '--kernel', 'rnn-step', 'lstm-step']);
  const all = await pool(runs, 3, handgrad);
  combinedText = all.pop() as Run;
  results = all;
}, 240_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('every catalog mistake has a plant', () => {
  it.each(catalog.map((m) => m.id))('%s', (id) => {
    expect(plantOf(id).length).toBeGreaterThan(0);
    expect(() => applyPlant(homework, plantOf(id))).not.toThrow();
  });
});

describe('a planted mistake is named by handgrad check --impl (exit 1)', () => {
  const cases = groups.flatMap((ids, k) => ids.map((id) => [id, k] as const));
  it.each(cases)('%s', (id, k) => {
    const run = results[k] as Run;
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { error: unknown; kernels: KernelJson[] };
    expect(report.error).toBeNull();
    const mistake = catalog.find((m) => m.id === id) as Mistake;
    for (const kernel of Object.keys(mistake.implementations)) {
      const k2 = report.kernels.find((x) => x.kernel === kernel) as KernelJson;
      expect(k2.ok).toBe(false);
      const d = k2.diagnoses.find((x) => x.id === id);
      expect(d).toMatchObject({ anchor: mistake.anchor });
      expect(d?.sentence).toContain(mistake.formula);
    }
    // Nothing else is claimed for this cell's kernels.
    const planted = groups[k] as string[];
    for (const kr of report.kernels.filter((x) => x.kernel.startsWith(mistake.cell))) {
      for (const d of kr.diagnoses) expect(planted).toContain(d.id);
    }
  });
});

describe('two mistakes at once are both named', () => {
  it('in the JSON report', () => {
    const run = results[groups.length] as Run;
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { kernels: KernelJson[] };
    const ids = (kernel: string): string[] =>
      (report.kernels.find((x) => x.kernel === kernel) as KernelJson).diagnoses.map((d) => d.id);
    expect(ids('rnn-step')).toEqual(['rnn-bias-row0', 'rnn-h-not-hprev']);
    expect(ids('rnn')).toEqual(['rnn-bias-row0', 'rnn-h-not-hprev']);
    expect(ids('lstm-step')).toEqual(['lstm-sigma-plus-f', 'lstm-sign-flip-o']);
  });

  it('in the table output, one line per mistake with its formula and docs anchor', () => {
    expect(combinedText.code).toBe(1);
    const lines = combinedText.stdout.split('\n');
    expect(lines).toContain(
      'rnn-step: db matches db taken from row 0 of du instead of summed over the batch: ' +
        'db = e_Nᵀ·du (the sum over the N rows) (see docs/rnn.md#backward)',
    );
    expect(lines).toContain(
      'rnn-step: dWh matches a backward that uses h_t instead of h_{t−1} in dW_h: ' +
        'dW_h = h_{t−1}ᵀ·du (see docs/rnn.md#backward)',
    );
    expect(lines).toContain(
      "lstm-step: dWx, dWh and db (f block) match a backward that writes the f gate's σ' as f(1 + f): " +
        "σ' = σ(1 − σ): dA_f = df ⊙ f(1 − f) (see docs/lstm.md#backward-the-carried-cell-gradient)",
    );
    expect(lines).toContain(
      'lstm-step: dWx, dWh and db (o block) match a backward with the sign of dA_o flipped: ' +
        'dA_o = do ⊙ o(1 − o) (see docs/lstm.md#backward-the-carried-cell-gradient)',
    );
    // dx and dhPrev mix both mistakes: no catalog entry explains them, so they keep the worst-coordinate line.
    expect(lines).toContainEqual(expect.stringMatching(/^lstm-step dx: worst at/));
    expect(lines).not.toContainEqual(expect.stringMatching(/^lstm-step dWx: worst at/));
  });

  it('a transposed weight gradient is a FAIL with its diagnosis, not a usage error, and the run goes on', () => {
    const run = results[groups.length + 1] as Run;
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { error: unknown; kernels: (KernelJson & { notes: string[] })[] };
    expect(report.error).toBeNull();
    expect(report.kernels.map((k) => k.kernel)).toEqual(['rnn-step', 'rnn', 'lstm-step', 'lstm', 'gru-step', 'gru']);
    const of = (kernel: string): KernelJson & { notes: string[] } =>
      report.kernels.find((x) => x.kernel === kernel) as KernelJson & { notes: string[] };
    for (const kernel of ['lstm-step', 'lstm']) {
      expect(of(kernel).diagnoses.map((d) => d.id)).toEqual(['lstm-missing-dcnext', 'lstm-transposed-dWh']);
      expect(of(kernel).diagnoses[0]?.gradients).toContain('dWh');
    }
    // The step returns dWh as 12×3; the homework's sequence sums it into a 3×12 zero matrix, in the same order.
    const note = /dWh is 12×3, the transpose of its shape H×4H \(3×12\)/;
    expect(of('lstm-step').notes).toContainEqual(expect.stringMatching(note));
    for (const kernel of ['gru-step', 'gru']) {
      expect(of(kernel).diagnoses.map((d) => d.id)).toEqual(['gru-bias-row0', 'gru-transposed-dWx']);
    }
  });
});
