/**
 * `npm run bench` arguments: a bad one is a one-line error naming it, exit 2,
 * before anything is timed. One test per error.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function bench(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return benchOn([], ...args);
}

function benchOn(nodeFlags: string[], ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, join(root, 'bench', 'run.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bench arguments', () => {
  it.each([
    [
      ['--tier=gpu'],
      /^error: option '--tier <tier>' argument 'gpu' is invalid\. Allowed choices are auto, ts, wasm\.$/,
    ],
    [
      ['--sizes=small,huge'],
      new RegExp(
        /^error: option '--sizes <names>' argument 'small,huge' is invalid\. /.source +
          /unknown size "huge"; the sizes are small, medium, cs231n\.$/.source,
      ),
    ],
    [
      ['--threads=0,2'],
      new RegExp(
        /^error: option '--threads <counts>' argument '0,2' is invalid\. /.source +
          /the thread counts are positive integers, e\.g\. 1,2\.$/.source,
      ),
    ],
    [['--repeats=3'], /^error: unknown option '--repeats=3'$/],
    [['small'], /^error: too many arguments/],
  ])('%j: one line on stderr, exit 2, nothing timed', (args, message) => {
    const r = bench(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(r.stdout).toBe('');
  });

  it('--tier=wasm where the engine has no WebAssembly: one line, exit 2', () => {
    const r = benchOn(['--noexpose_wasm'], '--tier=wasm', '--tiny', '--no-numpy');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "error: setProductTier: tier 'wasm' needs WebAssembly 128-bit SIMD, which this engine lacks",
    ]);
    expect(r.stdout).toBe('');
  });

  it('--help lists every option, exit 0', () => {
    const r = bench('--help');
    expect(r.code).toBe(0);
    for (const option of ['--tiny', '--json', '--tier', '--threads', '--no-numpy', '--no-floor', '--sizes'])
      expect(r.stdout).toContain(option);
  });
});
