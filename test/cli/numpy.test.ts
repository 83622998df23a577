/**
 * `handgrad check --impl file.py` on numpy homework: a correct cs231n-style
 * rnn_layers.py written for these tests (test/fixtures/numpy/), the same file
 * with one classic mistake planted (each mistake is a find/replace on the
 * correct source, shown below, applied to a copy in a temporary folder), and
 * modules that misbehave. Each case runs the real bin through python3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');
const fixtures = join(root, 'test', 'fixtures', 'numpy');
const fixture = (name: string): string => `test/fixtures/numpy/${name}`;
const correct = readFileSync(join(fixtures, 'rnn_layers.py'), 'utf8');

const probe = spawnSync(process.env.HANDGRAD_PYTHON ?? 'python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const available = probe.status === 0;
const suite = available ? describe : describe.skip;
if (!available) {
  // Visible in the run's output: these tests need python3 with numpy (present in CI).
  const why = probe.error?.message ?? probe.stderr.trim();
  process.stderr.write(`test/cli/numpy.test.ts SKIPPED: python3 with numpy not found (${why})\n`);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function handgrad(args: string[], env: Record<string, string> = {}): Run {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'check', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', ...env },
    timeout: 60_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds };
}

interface Cmp {
  ok: boolean;
  normRelError: number;
}
interface Row {
  name: string;
  kind: string;
  ok: boolean;
  numeric: Cmp | null;
  reference: Cmp | null;
  gates: { gate: string; ok: boolean; numeric: Cmp | null; reference: Cmp | null }[] | null;
}
interface Diagnosis {
  id: string;
  sentence: string;
  gradients: string[];
  matches: { name: string; gates: string[] | null }[];
}
interface Report {
  ok: boolean;
  impl: string;
  kernels: { kernel: string; ok: boolean; rows: Row[]; diagnoses: Diagnosis[] }[];
  error: {
    kind: string;
    message: string;
    kernel: string | null;
    location: { file: string; line: number; column: number } | null;
  } | null;
}

/** Runs with --json (a generous --timeout: the machine may be busy) and parses stdout, which must be one object. */
function json(args: string[], env: Record<string, string> = {}): Run & { report: Report } {
  const r = handgrad([...args, '--json', ...(args.includes('--timeout') ? [] : ['--timeout', '60'])], env);
  return { ...r, report: JSON.parse(r.stdout) as Report };
}

function row(report: Report, kernel: string, name: string): Row {
  const k = report.kernels.find((x) => x.kernel === kernel);
  const r = k?.rows.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no row ${kernel} ${name} in the report`);
  return r;
}

/** The names of the rows of `kernel` that fail. */
function failing(report: Report, kernel: string): string[] {
  return (report.kernels.find((x) => x.kernel === kernel)?.rows ?? []).filter((r) => !r.ok).map((r) => r.name);
}

/** The catalog's diagnoses of `kernel`: [id, sentence]. */
function diagnoses(report: Report, kernel: string): [string, string][] {
  return (report.kernels.find((x) => x.kernel === kernel)?.diagnoses ?? []).map((d) => [d.id, d.sentence]);
}

/** The gate names of `row`'s blocks that fail, in the report's (the file's) order. */
function wrongGates(r: Row): string[] {
  return (r.gates ?? []).filter((g) => !g.ok).map((g) => g.gate);
}

let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'handgrad-numpy-'));
});
afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

/** The correct homework with each `[find, replace]` applied (each `find` must occur exactly once), as a file. */
function planted(name: string, ...edits: [string, string][]): string {
  let source = correct;
  for (const [find, replace] of edits) {
    expect(source.split(find).length - 1).toBe(1);
    source = source.replace(find, replace);
  }
  const dir = mkdtempSync(join(scratch, `${name}-`));
  writeFileSync(join(dir, 'rnn_layers.py'), source);
  return relative(root, join(dir, 'rnn_layers.py'));
}

suite('a correct numpy homework', () => {
  it('passes: exit 0, every kernel of rnn_layers.py checked, the LSTM gate blocks in the file order i|f|o|g', () => {
    const r = json(['--impl', fixture('rnn_layers.py')]);
    expect(r.code).toBe(0);
    expect(r.report.ok).toBe(true);
    expect(r.report.kernels.map((k) => k.kernel)).toEqual([
      'rnn-step',
      'rnn',
      'lstm-step',
      'lstm',
      'word-embedding',
      'temporal-affine',
      'temporal-softmax-loss',
    ]);
    expect(row(r.report, 'lstm-step', 'dWx').gates?.map((g) => g.gate)).toEqual(['i', 'f', 'o', 'g']);
    for (const k of r.report.kernels) {
      for (const x of k.rows) {
        // Every gradient checked against finite differences and the library; outputs against the library.
        if (x.kind === 'gradient') expect(x.numeric?.normRelError).toBeLessThan(1e-8);
        expect(x.reference?.normRelError).toBeLessThan(1e-12);
      }
    }
  });

  it('the table names the functions by their cs231n names and ends with the verdict', () => {
    const r = handgrad(['--impl', fixture('rnn_layers.py'), '--kernel', 'lstm-step', '--timeout', '60']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: all 8 checks pass/);
    expect(r.stdout).toMatch(/lstm-step +│ dprev_c +│ 3×4 \(N×H\)/);
    expect(r.stdout).toMatch(/all checks pass\n$/);
  });

  it('a module defining only the RNN functions checks only those', () => {
    const r = json(['--impl', fixture('rnn_only.py')]);
    expect(r.code).toBe(0);
    expect(r.report.kernels.map((k) => k.kernel)).toEqual(['rnn-step', 'rnn']);
  });

  it('--kernel selects among the homework kernels', () => {
    const r = json(['--impl', fixture('rnn_layers.py'), '--kernel', 'temporal*']);
    expect(r.code).toBe(0);
    expect(r.report.kernels.map((k) => k.kernel)).toEqual(['temporal-affine', 'temporal-softmax-loss']);
  });
});

suite("mistakes planted in the numpy homework: exit 1, the mistake named in the file's names and gate order", () => {
  it('lstm_step_backward without dnext_c: dprev_c and the i, f, g blocks wrong, the o block right', () => {
    const file = planted('missing-dcnext', [
      'dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)',
      'dc = dnext_h * o * (1 - tanh_c ** 2)',
    ]);
    const r = json(['--impl', file, '--kernel', 'lstm*']);
    expect(r.code).toBe(1);
    expect(failing(r.report, 'lstm-step')).toEqual(expect.arrayContaining(['dWx', 'dWh', 'db', 'dprev_c']));
    for (const name of ['dWx', 'dWh', 'db']) {
      expect(wrongGates(row(r.report, 'lstm-step', name))).toEqual(['i', 'f', 'g']);
    }
    expect(row(r.report, 'lstm-step', 'dprev_c').numeric?.ok).toBe(false);
    expect(diagnoses(r.report, 'lstm-step')).toEqual([
      [
        'lstm-missing-dcnext',
        'dWx, dWh, db (i, f, g blocks), dx, dprev_h and dprev_c match a backward that does not add dc_next: ' +
          'dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh² c_t)',
      ],
    ]);
    expect(diagnoses(r.report, 'lstm').map(([id]) => id)).toEqual(['lstm-missing-dcnext']);
  });

  it("the table names the mistake in one line, in the file's names and gate order", () => {
    const file = planted('missing-dcnext-table', [
      'dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)',
      'dc = dnext_h * o * (1 - tanh_c ** 2)',
    ]);
    const r = handgrad(['--impl', file, '--kernel', 'lstm-step', '--timeout', '60']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '\nlstm-step: dWx, dWh, db (i, f, g blocks), dx, dprev_h and dprev_c ' +
        'match a backward that does not add dc_next: ',
    );
  });

  it('lstm_backward without the carried dh: the step passes, the sequence fails', () => {
    const file = planted('missing-carried-dh-lstm', [
      'lstm_step_backward(dh[:, t, :] + dprev_h, dprev_c, cache[t])',
      'lstm_step_backward(dh[:, t, :], dprev_c, cache[t])',
    ]);
    const r = json(['--impl', file, '--kernel', 'lstm*']);
    expect(r.code).toBe(1);
    expect(r.report.kernels.map((k) => [k.kernel, k.ok])).toEqual([
      ['lstm-step', true],
      ['lstm', false],
    ]);
    expect(failing(r.report, 'lstm')).toEqual(expect.arrayContaining(['dWx', 'dWh', 'db', 'dx', 'dh0']));
    expect(diagnoses(r.report, 'lstm')).toEqual([
      [
        'lstm-missing-carried-dh',
        expect.stringMatching(/^dWx, dWh, db, dx and dh0 match a sequence backward that calls the step with dh_t/),
      ],
    ]);
  });

  it('rnn_backward without the carried dh: the step passes, the sequence fails', () => {
    const file = planted('missing-carried-dh-rnn', [
      'rnn_step_backward(dh[:, t, :] + dprev, cache[t])',
      'rnn_step_backward(dh[:, t, :], cache[t])',
    ]);
    const r = json(['--impl', file, '--kernel', 'rnn*']);
    expect(r.code).toBe(1);
    expect(r.report.kernels.map((k) => [k.kernel, k.ok])).toEqual([
      ['rnn-step', true],
      ['rnn', false],
    ]);
    expect(diagnoses(r.report, 'rnn').map(([id]) => id)).toEqual(['rnn-missing-carried-dh']);
  });

  it('db taken from the first example instead of summed over the batch: only db fails, in every gate block', () => {
    const file = planted('bias-not-summed', ['db = np.sum(da, axis=0)', 'db = da[0]']);
    const r = json(['--impl', file, '--kernel', 'lstm-step']);
    expect(r.code).toBe(1);
    expect(failing(r.report, 'lstm-step')).toEqual(['db']);
    expect(wrongGates(row(r.report, 'lstm-step', 'db'))).toEqual(['i', 'f', 'o', 'g']);
    expect(diagnoses(r.report, 'lstm-step')).toEqual([
      ['lstm-bias-row0', expect.stringMatching(/^db matches db taken from row 0 of dA instead of summed over the/)],
    ]);
  });

  it('dWh computed transposed (da.T @ prev_h): a FAIL of dWh, and the rest of the run goes on', () => {
    const file = planted('transposed-dwh', ['dWh = prev_h.T @ da', 'dWh = da.T @ prev_h']);
    const r = json(['--impl', file]);
    expect(r.code).toBe(1);
    expect(r.report.error).toBeNull();
    expect(failing(r.report, 'rnn-step')).toEqual(['dWh']);
    expect(row(r.report, 'rnn-step', 'dWh').numeric?.ok).toBe(false);
    expect(diagnoses(r.report, 'rnn-step')).toEqual([
      ['rnn-transposed-dWh', expect.stringMatching(/^dWh matches dW_h transposed /)],
    ]);
    // The sequence uses the step, so it inherits the mistake; the other kernels are all checked.
    expect(r.report.kernels.map((k) => [k.kernel, k.ok])).toEqual([
      ['rnn-step', false],
      ['rnn', false],
      ['lstm-step', true],
      ['lstm', true],
      ['word-embedding', true],
      ['temporal-affine', true],
      ['temporal-softmax-loss', true],
    ]);
  });

  it('the LSTM step returning dWh transposed, (4H, H): a FAIL of dWh named as such, not a usage error', () => {
    const file = planted('transposed-dwh-lstm', ['dWh = np.dot(prev_h.T, da)', 'dWh = np.dot(da.T, prev_h)']);
    const r = json(['--impl', file, '--kernel', 'lstm-step']);
    expect(r.code).toBe(1);
    expect(r.report.error).toBeNull();
    expect(failing(r.report, 'lstm-step')).toEqual(['dWh']);
    expect(diagnoses(r.report, 'lstm-step')).toEqual([
      ['lstm-transposed-dWh', expect.stringMatching(/^dWh matches dW_h returned transposed \(4H×H instead of H×4H/)],
    ]);
  });

  it('i and f swapped in forward and backward: gradients match finite differences, not the library', () => {
    const file = planted(
      'gates-swapped',
      [
        '    i = sigmoid(a[:, 0:H])\n    f = sigmoid(a[:, H:2 * H])',
        '    f = sigmoid(a[:, 0:H])\n    i = sigmoid(a[:, H:2 * H])',
      ],
      ['da = np.hstack([di * i * (1 - i), df * f * (1 - f),', 'da = np.hstack([df * f * (1 - f), di * i * (1 - i),'],
    );
    const r = json(['--impl', file, '--kernel', 'lstm-step']);
    expect(r.code).toBe(1);
    expect(row(r.report, 'lstm-step', 'next_h').ok).toBe(false);
    expect(row(r.report, 'lstm-step', 'next_c').ok).toBe(false);
    const dWx = row(r.report, 'lstm-step', 'dWx');
    expect(dWx.numeric?.ok).toBe(true);
    expect(dWx.reference?.ok).toBe(false);
    // Named in the file's own layout: it reads f|i|o|g from weights laid out i|f|o|g.
    expect(diagnoses(r.report, 'lstm-step')).toEqual([
      [
        'lstm-gate-order-fiog',
        expect.stringMatching(
          new RegExp(
            '^next_h, next_c \\(forward\\), dWx, dWh, db, dx, dprev_h and dprev_c match a forward that reads ' +
              "the gate blocks as f\\|i\\|o\\|g while the weights are laid out i\\|f\\|o\\|g \\(cs231n's order\\)",
          ),
        ),
      ],
    ]);
  });
});

suite('a numpy module that misbehaves', () => {
  it('an exception in a function: exit 1, the Python error and the file:line of the raising line', () => {
    const r = json(['--impl', fixture('raises.py')]);
    expect(r.code).toBe(1);
    expect(r.report.error).toMatchObject({
      kind: 'threw',
      kernel: 'lstm-step',
      location: { file: 'test/fixtures/numpy/raises.py', line: 8 },
      message: expect.stringMatching(
        /^lstm-step: your lstm_step_forward threw ValueError: .*, at test\/fixtures\/numpy\/raises\.py:8:\d+$/,
      ),
    });
    // The kernels before it were checked and reported.
    expect(r.report.kernels.map((k) => [k.kernel, k.ok])).toEqual([
      ['rnn-step', true],
      ['rnn', true],
    ]);
  });

  it('a syntax error: exit 1, reported as a load error with its file:line', () => {
    const r = handgrad(['--impl', fixture('syntax_error.py')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^handgrad: --impl: could not load \S+: SyntaxError: .*, at test\/fixtures\/numpy\/syntax_error\.py:5:\d/m,
    );
  });

  it('an infinite loop: exit 1 within --timeout, and no python3 left running', () => {
    const r = handgrad(['--impl', fixture('hangs.py'), '--timeout', '2']);
    expect(r.code).toBe(1);
    // 2 s of limit plus starting Node and python3; a hang would reach spawnSync's 60 s.
    expect(r.seconds).toBeLessThan(8);
    expect(r.stderr).toMatch(/^handgrad: rnn-step: your kernels did not finish within 2 s \(an infinite loop\?\)/m);
    expect(r.stdout).toBe('');
    // The python3 process notices its parent is gone (it checks every 0.2 s) and ends.
    const deadline = Date.now() + 3000;
    let left = '';
    do {
      spawnSync('sleep', ['0.3']);
      const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n');
      left = ps.filter((l) => l.includes('handgrad_check.py') && l.includes(root)).join('\n');
    } while (left !== '' && Date.now() < deadline);
    expect(left).toBe('');
  });

  it('print() output goes to stderr; with --json stdout is only the report', () => {
    const r = json(['--impl', fixture('prints.py'), '--kernel', 'rnn-step']);
    expect(r.code).toBe(0);
    expect(r.report.ok).toBe(true);
    expect(r.stderr).toMatch(/^loading prints\.py$/m);
    expect(r.stderr).toMatch(/^rnn_step_forward called with x of shape \(3, 10\)$/m);
  });

  it("input() reads an empty stdin (EOFError, exit 1), never the checker's requests", () => {
    const r = json(['--impl', fixture('reads_stdin.py')]);
    expect(r.code).toBe(1);
    expect(r.report.error).toMatchObject({
      kind: 'load',
      location: { file: 'test/fixtures/numpy/reads_stdin.py', line: 4 },
      message: expect.stringMatching(/: EOFError: EOF when reading a line, at /),
    });
  });

  it('no python3: exit 2 with one line saying what is missing', () => {
    const r = handgrad(['--impl', fixture('rnn_layers.py')], { HANDGRAD_PYTHON: join(root, 'no-such-python3') });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^handgrad: checking a \.py module needs python3 with numpy; .*no-such-python3 was not/);
  });

  it('a python3 without numpy: exit 2 with one line saying how to install it', () => {
    const r = handgrad(['--impl', fixture('rnn_layers.py')], { PYTHONPATH: join(fixtures, 'no-numpy') });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^handgrad: checking a \.py module needs numpy, which .* cannot import .*install numpy$/m);
  });
});
