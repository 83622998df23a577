/**
 * `handgrad check --impl` against modules that misbehave: each case runs the
 * real bin on a fixture in test/fixtures/robust/ and asserts that the checker
 * reports what happened, with exit 1 (never 0), and that `--json` stdout stays
 * one valid JSON object.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');
const fixture = (name: string): string => `test/fixtures/robust/${name}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function handgrad(...args: string[]): Run {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'check', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    // A checker that hangs fails the test here instead of hanging jest.
    timeout: 20_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds };
}

interface ErrorReport {
  ok: boolean;
  error: {
    kind: string;
    message: string;
    kernel: string | null;
    location: { file: string; line: number; column: number } | null;
  } | null;
  kernels: { kernel: string; ok: boolean }[];
}

/** Runs with --json and parses stdout, which must be exactly one JSON object. */
function json(...args: string[]): Run & { report: ErrorReport } {
  const r = handgrad(...args, '--json');
  return { ...r, report: JSON.parse(r.stdout) as ErrorReport };
}

describe('a module that never finishes', () => {
  it('an endless loop in a kernel is stopped at --timeout 1: exit 1 within the limit, reported as a timeout', () => {
    const r = handgrad('--impl', fixture('hang-in-backward.js'), '--timeout', '1');
    expect(r.code).toBe(1);
    // 1 s of limit plus the start of two Node processes (slow on a loaded machine); a hang would reach
    // spawnSync's 20 s.
    expect(r.seconds).toBeLessThan(10);
    expect(r.stderr).toMatch(/^handgrad: rnn-step: your kernels did not finish within 1 s \(an infinite loop\?\);/m);
    expect(r.stdout).toBe('');
  });

  it('the same hang with --json: a JSON report with error.kind "timeout"', () => {
    const r = json('--impl', fixture('hang-in-backward.js'), '--timeout', '1');
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ ok: false, error: { kind: 'timeout', kernel: 'rnn-step', location: null } });
  });

  it('a top-level await that never settles: exit 1, reported as never loaded', () => {
    const r = json('--impl', fixture('never-loads.mjs'), '--timeout', '2');
    expect(r.code).toBe(1);
    expect(r.seconds).toBeLessThan(10);
    expect(r.report).toMatchObject({ ok: false, kernels: [], error: { kind: 'never-loaded', kernel: null } });
    expect(r.stderr).toMatch(/^handgrad: test\/fixtures\/robust\/never-loads\.mjs never finished loading/m);
  });
});

describe('process.exit in the module', () => {
  it('process.exit(0) while loading: exit 1, with the line that called it', () => {
    const r = json('--impl', fixture('exit-at-load.mjs'));
    expect(r.code).toBe(1);
    expect(r.report.error).toEqual({
      kind: 'exit',
      kernel: null,
      location: { file: 'test/fixtures/robust/exit-at-load.mjs', line: 6, column: 9 },
      message: expect.stringMatching(/^your module called process\.exit\(0\) while loading, at \S+\.mjs:6:9;/),
    });
  });

  it('process.exit(0) inside a kernel: exit 1, naming the kernel and the line', () => {
    const r = handgrad('--impl', fixture('exit-in-kernel.js'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^handgrad: your module called process\.exit\(0\) while lstm-step was checked, at \S+\/exit-in-kernel\.js:7:11;/m,
    );
    expect(r.stdout).toBe('');
  });
});

describe('errors the module throws', () => {
  it('a kernel that throws: exit 1, the message names the function, the error and file:line', () => {
    const r = handgrad('--impl', 'test/fixtures/kernel-throws.js');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'handgrad: lstm-step: your lstmStepForward threw Error: TODO: implement lstmStepForward, ' +
        'at test/fixtures/kernel-throws.js:5:9',
    );
  });

  it('a throw in compiled TypeScript is located in the .ts source, through its source map', () => {
    const r = handgrad('--impl', fixture('typescript/hw.js'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^handgrad: rnn-step: your rnnStepForward threw Error: not written yet .*, at \S+\/typescript\/hw\.ts:11:9$/m,
    );
  });

  it('a module that throws while loading: exit 1 with file:line', () => {
    const r = json('--impl', fixture('throws-at-load.js'));
    expect(r.code).toBe(1);
    const location = { file: 'test/fixtures/robust/throws-at-load.js', line: 6 };
    expect(r.report.error).toMatchObject({ kind: 'load', location });
  });

  it('a timer that throws after the kernels returned: exit 1 although every check passed', () => {
    const r = json('--impl', fixture('timer-throws.js'));
    expect(r.code).toBe(1);
    expect(r.report.kernels.map((k) => [k.kernel, k.ok])).toEqual([['rnn-step', true]]);
    expect(r.report.error).toMatchObject({
      kind: 'async',
      message: expect.stringMatching(/^an uncaught exception in your module outside any kernel call .*: Error: late/),
      location: { file: 'test/fixtures/robust/timer-throws.js', line: 11 },
    });
  });

  it('a promise that rejects with nobody awaiting it: exit 1', () => {
    const r = handgrad('--impl', fixture('unhandled-rejection.js'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^handgrad: an unhandled promise rejection in your module .*could not reach the logging server, at \S+\.js:6:9$/m,
    );
  });
});

describe('a process that dies', () => {
  it('killed by a signal in a kernel: exit 1, the signal and the kernel named', () => {
    const r = json('--impl', fixture('kills-itself.js'));
    expect(r.code).toBe(1);
    expect(r.report.error).toEqual({
      kind: 'crash',
      kernel: 'rnn-step',
      location: null,
      message:
        'the process running test/fixtures/robust/kills-itself.js was killed by SIGKILL while checking rnn-step, ' +
        'before it reported',
    });
  });
});

describe("the module's console output", () => {
  it('goes to stderr; with --json stdout is only the report', () => {
    const r = json('--impl', fixture('console-log.js'));
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ ok: true, error: null });
    expect(r.stderr).toMatch(/^loading my homework$/m);
    expect(r.stderr).toMatch(/^forward called with 3 rows$/m);
    expect(r.stderr).toMatch(/^\{ not json$/m);
    expect(r.stderr).toMatch(/^backward called$/m);
  });

  it('goes to stderr in the table mode too', () => {
    const r = handgrad('--impl', fixture('console-log.js'), '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: all 6 checks pass/);
    expect(r.stdout).not.toMatch(/loading my homework/);
  });
});

describe('out-of-range settings are usage errors (exit 2) naming the option, the range and the value', () => {
  it.each([
    [['--eps', '1e-300'], '--eps must be a number between 1e-10 and 0.1, got "1e-300"'],
    [['--eps', '1e300'], '--eps must be a number between 1e-10 and 0.1, got "1e300"'],
    [['--tol', '0'], '--tol must be a number between 1e-15 and 0.1, got "0"'],
    [['--tol', '0.5'], '--tol must be a number between 1e-15 and 0.1, got "0.5"'],
    [['--tolerance', '0'], '--tolerance must be a number between 1e-15 and 0.1, got "0"'],
    [['--N', '0'], '--N must be an integer between 1 and 1000, got "0"'],
    [['--N', '100000'], '--N must be an integer between 1 and 1000, got "100000"'],
    [['--H', '2.5'], '--H must be an integer between 1 and 1000, got "2.5"'],
    [['--timeout', '0'], '--timeout must be a number between 0.1 and 3600, got "0"'],
  ])('check %j', (args, message) => {
    const r = handgrad(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`handgrad: ${message}\n`);
    expect(r.stdout).toBe('');
  });

  it('sizes within range whose product makes a slow check', () => {
    const r = handgrad('--N', '50', '--T', '50', '--D', '50', '--H', '50');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^handgrad: --N, --T, --D, --H: N=50 T=50 D=50 H=50 make a check of about 1\.5e13 multiply-adds, more than/m,
    );
  });

  it('the same sizes with --samples are accepted when the sampled check is small', () => {
    const sizes = ['--N', '50', '--D', '50', '--H', '50', '--T', '1'];
    const r = handgrad('--kernel', 'rnn-step', ...sizes, '--samples', '3', '--quiet');
    expect(r.code).toBe(0);
  });

  it('with --json the usage error is also a JSON report, error.kind "usage"', () => {
    const r = json('--eps', '1e-300', '--impl', 'test/fixtures/homework-correct.js');
    expect(r.code).toBe(2);
    const error = { kind: 'usage', message: expect.stringMatching(/^--eps must be/) as unknown };
    expect(r.report).toMatchObject({ ok: false, kernels: [], error });
    expect(r.stderr).toMatch(/^handgrad: --eps must be/);
  });

  it('--eps at both ends of its range still passes the correct homework at a tolerance that fits the step', () => {
    const homework = ['--impl', 'test/fixtures/homework-correct.js', '--quiet'];
    expect(handgrad(...homework, '--eps', '1e-10', '--tol', '1e-4').code).toBe(0);
    expect(handgrad(...homework, '--eps', '0.1', '--tol', '0.05').code).toBe(0);
  });
});

describe('wherever the homework is', () => {
  // A folder outside this clone, with no node_modules above it.
  const outside = mkdtempSync(join(tmpdir(), 'handgrad-hw-'));
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  it.each(['uses-package.js', 'uses-package.mjs'])(
    "%s, which imports 'handgrad' from a folder that has not installed it, resolves it to the running checker",
    (name) => {
      copyFileSync(join(root, fixture(name)), join(outside, name));
      const options = { cwd: outside, encoding: 'utf8', timeout: 20_000 } as const;
      const r = spawnSync(process.execPath, [bin, 'check', '--impl', name, '--quiet'], options);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^ok: all 6 checks pass/);
      expect(r.status).toBe(0);
    },
  );

  it('a throw is located relative to the working directory, ../ included', () => {
    const sub = join(outside, 'sub');
    mkdirSync(sub, { recursive: true });
    copyFileSync(join(root, 'test/fixtures/kernel-throws.js'), join(outside, 'kernel-throws.js'));
    const options = { cwd: sub, encoding: 'utf8', timeout: 20_000 } as const;
    const r = spawnSync(process.execPath, [bin, 'check', '--impl', '../kernel-throws.js'], options);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/threw Error: TODO: implement lstmStepForward, at \.\.\/kernel-throws\.js:5:9$/m);
  });
});
