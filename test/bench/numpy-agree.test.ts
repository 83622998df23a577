/**
 * The bench's numpy side computes handgrad's math: before timing, `bench/run.mjs` compares h and every
 * gradient of a small sequence of each cell with numpy's (bench/reference_numpy.py) and stops with exit 1
 * when they differ, so that its ratios compare the same work. Checked both ways: the real reference agrees
 * to rounding, and a copy with one planted mistake per cell (the GRU's reset gate left out of the candidate,
 * the LSTM's forget gate applied to the wrong cell state, the RNN's tanh derivative wrong) stops the bench.
 * Needs python3 with numpy (present in CI); skipped, visibly, without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const reference = join(root, 'bench', 'reference_numpy.py');
const available = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const suite = available ? describe : describe.skip;
if (!available) process.stderr.write('test/bench/numpy-agree.test.ts SKIPPED: python3 with numpy not found\n');

function bench(env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'run.mjs'), '--tiny', '--json', '--no-floor'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

suite('bench: the numpy reference agrees with handgrad before anything is timed', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'handgrad-numpy-agree-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the real reference: every cell to 1e-12 norm-relative, and both numpy processes report their threads', () => {
    const r = bench();
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      agreement: Record<string, number>;
      numpyServers: Record<'one' | 'all', { openblas_threads?: number }>;
    };
    expect(Object.keys(out.agreement).sort()).toEqual(['gru', 'lstm', 'rnn']);
    for (const error of Object.values(out.agreement)) expect(error).toBeLessThan(1e-12);
    expect(out.numpyServers.one.openblas_threads).toBe(1);
  });

  it('a reference with a planted mistake in each cell: exit 1 naming all three, nothing timed', () => {
    const mistakes: [string, string, string][] = [
      ['rnn', 'du = dh * (1 - h * h)', 'du = dh * (1 - h)'],
      ['lstm', 'c = f * c_prev + i * g', 'c = f * c_prev * 0.5 + i * g'],
      ['gru', 'n = np.tanh(a[:, 2 * H:] + r * hn)', 'n = np.tanh(a[:, 2 * H:] + hn)'],
    ];
    let source = readFileSync(reference, 'utf8');
    for (const [, from, to] of mistakes) {
      expect(source.split(from)).toHaveLength(2);
      source = source.replace(from, to);
    }
    const file = join(work, 'reference_planted.py');
    writeFileSync(file, source);
    const r = bench({ HANDGRAD_BENCH_NUMPY: file });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: .*reference_planted\.py does not compute handgrad's math: rnn norm-relative error/,
    );
    for (const [cell] of mistakes)
      expect(lines[0]).toMatch(new RegExp(`${cell} norm-relative error \\d\\.\\d+e[-+]\\d+`));
  });
});
