/**
 * `handgrad check` end to end, through the real bin spawned as a process
 * (dist/ is built by test/global-setup.cjs when stale).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function handgrad(...args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

describe('handgrad check (built-in kernels)', () => {
  it('prints one row per gradient of every kernel and an ok verdict, exit 0', () => {
    const r = handgrad('check');
    expect(r.code).toBe(0);
    const rows = lines(r.stdout).filter((l) => /^│ (rnn|lstm|gru)/.test(l));
    expect(rows).toHaveLength(34);
    expect(rows.every((l) => /│ ok\s+│$/.test(l))).toBe(true);
    expect(rows[0]).toMatch(/│ rnn-step\s+│ dWx\s+│ 10×4 \(D×H\)\s+│ \S+e-\d+\s+│ \S+e-\d+\s+│ ok/);
    expect(lines(r.stdout).at(-1)).toMatch(
      /^ok: all 34 gradients pass at tolerance 1e-7; worst norm-relative error \S+ \(\S+ \S+\)/,
    );
    expect(r.stderr).toBe('');
  });

  it('--kernel with exact names and a prefix, --quiet prints only the verdict', () => {
    const r = handgrad(
      'check',
      '--kernel',
      'rnn-step',
      'lstm*',
      '--quiet',
      '--N',
      '2',
      '--D',
      '3',
      '--H',
      '2',
      '--T',
      '3',
      '--seed',
      '0',
    );
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([expect.stringMatching(/^ok: all 17 gradients pass/)]);
  });

  it('--samples checks K coordinates per tensor', () => {
    const r = handgrad('check', '--kernel', 'lstm', '--samples', '3', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      settings: { samples: number };
      kernels: { rows: { numeric: { coordinates: number } }[] }[];
    };
    expect(report.settings.samples).toBe(3);
    expect(report.kernels[0]?.rows.map((row) => row.numeric.coordinates)).toEqual([3, 3, 3, 3, 3, 3]);
  });

  it('--tol tighter than round-off makes it FAIL with exit 1', () => {
    const r = handgrad('check', '--kernel', 'rnn-step', '--tol', '1e-15');
    expect(r.code).toBe(1);
    expect(lines(r.stdout).at(-1)).toMatch(
      /^FAIL: \d of 5 gradients wrong; first wrong gradient: rnn-step \w+, worst at \[\d+, \d+\]$/,
    );
  });
});

describe('handgrad check --impl (a student module)', () => {
  it('passes the correct CommonJS homework, exit 0', () => {
    const r = handgrad('check', '--impl', 'test/fixtures/homework-correct.js');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toMatch(/^ok: all 28 checks pass/);
    expect(lines(r.stdout).filter((l) => /^│ (rnn|lstm|gru)/.test(l))).toHaveLength(28);
  });

  it('passes the correct ES-module homework (nested arrays and { shape, data } results), exit 0', () => {
    const r = handgrad('check', '--impl', 'test/fixtures/homework-correct.mjs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/checked test\/fixtures\/homework-correct\.mjs: rnn-step, rnn;/);
  });

  it('names the first wrong gradient, its gate block and worst coordinate, exit 1', () => {
    const r = handgrad('check', '--impl', 'test/fixtures/lstm-sign-flip-o-gate.js');
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^FAIL: first wrong gradient: lstm-step dWx \(o-gate block\), worst at \[\d+, 1[2-5]\]$/);
    expect(out).toContainEqual(expect.stringMatching(/^│ lstm-step │ dWx\s+│ 10×16 \(D×4H\)\s+│ .*│ FAIL │$/));
    // The catalog names this mistake, so its line replaces the gate-block breakdown.
    expect(out).toContain(
      'lstm-step: dWx, dWh, db (o block), dx and dhPrev match a backward with the sign of dA_o flipped: ' +
        'dA_o = do ⊙ o(1 − o) (see docs/lstm.md#backward-the-carried-cell-gradient)',
    );
    expect(out).not.toContainEqual(expect.stringMatching(/^ {2}gate o /));
    expect(out.at(-1)).toBe('5 of 8 checks FAIL');
  });

  it.each([
    ['lstm-missing-dcnext.js', /lstm-step dWx \(f-, i-, g-gate blocks\)/],
    ['rnn-transposed-dwh.js', /rnn-step dWh, worst at/],
    ['lstm-bias-no-batch-sum.js', /lstm-step db \(f-, i-, g-, o-gate blocks\)/],
    ['lstm-bptt-off-by-one.js', /lstm dWx/],
  ])('%s exits 1 and names the broken gradient', (fixture, first) => {
    const r = handgrad('check', '--impl', `test/fixtures/${fixture}`);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)[0]).toMatch(first);
  });
});

describe('usage errors: one line on stderr, exit 2, no stack trace', () => {
  it.each([
    [['--kernel', 'nope'], /^handgrad: --kernel: unknown kernel "nope"; known kernels: rnn-step, rnn, lstm-step, lstm/],
    [['--N', 'abc'], /^handgrad: --N must be an integer between 1 and 1000, got "abc"$/],
    [['--samples', '0'], /^handgrad: --samples must be a positive integer, got "0"$/],
    [['--tol', 'x'], /^handgrad: --tol must be a number between 1e-15 and 0\.1, got "x"$/],
    [['--seed', '-3'], /^handgrad: --seed must be a non-negative integer, got "-3"$/],
    [['--impl', 'test/fixtures/missing.js'], /^handgrad: --impl: cannot find test\/fixtures\/missing\.js/],
    [
      ['--impl', 'test/fixtures/exports-nothing.js'],
      new RegExp(
        /^handgrad: --impl: test\/fixtures\/exports-nothing\.js exports none of the kernel functions /.source +
          /.*; it exports forward, backward$/.source,
      ),
    ],
    [
      ['--impl', 'test/fixtures/rnn-transposed-dwh.js', '--kernel', 'lstm'],
      /^handgrad: --impl: .* does not export lstmForward, needed to check lstm$/,
    ],
    [
      ['--impl', 'src/gradcheck/check.ts'],
      /^handgrad: --impl: src\/gradcheck\/check\.ts is TypeScript source; compile it/,
    ],
    [['--bogus'], /^error: unknown option '--bogus'$/],
  ])('check %j', (args, message) => {
    const r = handgrad('check', ...args);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(message)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it("a kernel returning the wrong shape is the module's mistake, not a usage mistake: exit 1, one line", () => {
    const r = handgrad('check', '--impl', 'test/fixtures/wrong-shape.js');
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(["handgrad: rnn-step: your rnnStepForward's h must be 3×4 (N×H), got 4×3"]);
    expect(r.stdout).toBe('');
  });
});
