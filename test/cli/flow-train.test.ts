import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';

/** Runs the CLI in-process, capturing what it writes. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    const code = await runCli(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('handgrad flow', () => {
  it('prints the table (rnn and lstm rows at each ρ)', async () => {
    const { code, out } = await run(['flow', '--T', '12', '--H', '8', '--no-out']);
    expect(code).toBe(0);
    expect(out).toMatch(/‖dL\/dh_1‖/);
    for (const rho of ['0.5', '1', '1.5']) expect(out).toMatch(new RegExp(`rnn\\s*│\\s*${rho.replace('.', '\\.')}\\s`));
    expect(out).toMatch(/lstm/);
  });

  it.each([
    [['flow', '--rho', '0.5,-1'], /--rho must be a positive number, got "-1"/],
    [['flow', '--T', '0'], /--T must be a positive integer, got "0"/],
    [['flow', '--cells', 'rnn,tree'], /--cell must be one of rnn, lstm, gru/],
    [['train'], /train needs a task: adding or chars/],
    [['train', 'sorting'], /unknown train task "sorting"/],
    [['train', 'adding', '--cell', 'transformer'], /--cell must be one of rnn, lstm, gru/],
    [['train', 'adding', '--T', '1'], /--T must be at least 2/],
    [['train', 'adding', '--steps', 'many'], /--steps must be a positive integer/],
    [['train', 'adding', '--lr', '-0.1'], /--lr must be a positive number/],
    [
      ['train', 'chars', '--corpus', '/nonexistent/corpus.txt', '--steps', '1'],
      /cannot read corpus \/nonexistent\/corpus\.txt: ENOENT/,
    ],
    [['train', 'chars', '--temperature', '100'], /--temperature must be at most 10/],
    [['train', 'chars', '--load', '/nonexistent/model.json', '--steps', '0'], /cannot read model/],
  ])('%j exits 2 with one line naming the problem', async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(err).toMatch(message as RegExp);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown option exits 2 with one line', async () => {
    const { code, err } = await run(['train', 'adding', '--bogus']);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});

describe('handgrad train', () => {
  it('train adding prints the test MSE against the baseline', async () => {
    const { code, out } = await run([
      'train',
      'adding',
      '--T',
      '6',
      '--H',
      '4',
      '--steps',
      '5',
      '--batch',
      '4',
      '--test-size',
      '8',
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/test MSE \d\.\d{5} on 8 sequences \(baseline 0\.16667\)/);
  });

  it('train chars trains, samples, saves, and a saved model loads to sample again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'handgrad-chars-'));
    const file = join(dir, 'model.json');
    const first = await run([
      'train',
      'chars',
      '--H',
      '6',
      '--E',
      '4',
      '--T',
      '8',
      '--batch',
      '2',
      '--steps',
      '3',
      '--sample-length',
      '20',
      '--save',
      file,
    ]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/loss\/char/);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('handgrad-char-model');
    const again = await run(['train', 'chars', '--load', file, '--steps', '0', '--sample-length', '20']);
    expect(again.code).toBe(0);
    expect(again.out.trim()).toHaveLength('The '.length + 20);
  });
});

// vega and vega-lite are ES modules that jest's CommonJS runtime cannot load,
// so the SVG is checked through the built CLI (CI builds before testing).
describe('the SVG output (built CLI)', () => {
  const bin = join(__dirname, '..', '..', 'bin', 'handgrad.cjs');
  const built = join(__dirname, '..', '..', 'dist', 'cjs', 'cli', 'main.js');

  it('handgrad flow writes an SVG with a log axis', () => {
    if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build` before this test');
    const dir = mkdtempSync(join(tmpdir(), 'handgrad-flow-'));
    const svg = join(dir, 'flow.svg');
    const out = execFileSync(process.execPath, [bin, 'flow', '--T', '10', '--H', '6', '--out', svg], {
      encoding: 'utf8',
    });
    expect(out).toMatch(new RegExp(`wrote ${svg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toMatch(/‖dL\/dh_t‖ \(log\)/);
    expect(text).toMatch(/1e-\d/); // log-axis tick labels
  }, 30_000);

  describe('without the optional renderer (vega, vega-lite hidden by a resolve hook)', () => {
    const hide = join(__dirname, '..', 'fixtures', 'hide-vega.mjs');
    const cli = (args: string[], cwd: string) =>
      spawnSync(process.execPath, ['--import', hide, bin, ...args], { cwd, encoding: 'utf8' });
    const hint = /^handgrad: .*SVG plots need the optional packages vega and vega-lite: npm install vega vega-lite/m;

    it('handgrad flow prints its table, skips the default flow.svg with a one-line hint, exits 0', () => {
      const dir = mkdtempSync(join(tmpdir(), 'handgrad-novega-'));
      const r = cli(['flow', '--T', '5', '--H', '4'], dir);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/‖dL\/dh_t‖|Gradient flow/);
      expect(r.stderr).toMatch(hint);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'flow.svg'))).toBe(false);
    }, 30_000);

    it('an SVG asked for by name (--out, --curve) fails with exit 2 and the hint, before any training', () => {
      const dir = mkdtempSync(join(tmpdir(), 'handgrad-novega-'));
      const flow = cli(['flow', '--T', '5', '--H', '4', '--out', 'plot.svg'], dir);
      expect(flow.status).toBe(2);
      expect(flow.stderr).toMatch(hint);
      const train = cli(['train', 'adding', '--steps', '3', '--curve', 'curve.svg'], dir);
      expect(train.status).toBe(2);
      expect(train.stderr).toMatch(hint);
      expect(train.stdout).not.toMatch(/test MSE/);
    }, 30_000);
  });
});
