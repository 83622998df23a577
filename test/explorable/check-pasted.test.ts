/**
 * "Check my kernel" says what the CLI says: the page's checker (the function
 * its Web Worker runs) and `handgrad check --impl file --json`, on the same
 * module text at the same settings, give the same verdict, rows, errors and
 * diagnoses. The texts are the CLI tests' homeworks, made self-contained (the
 * page has no require), with catalog mistakes planted as the catalog test does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EPS, DEFAULT_SEED, DEFAULT_TOLERANCE, type GradcheckJsonReport } from '../../src/gradcheck/index';
import { PASTED, checkPasted, moduleBody, pastedExports, type CheckSettings } from '../../explorable/check-pasted';
import { PLANTS, applyPlant } from '../fixtures/mistakes/plants';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'handgrad.cjs');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');

/** The catalog's homework with its matrix helpers pasted in place of the require. */
const homework = read('test/fixtures/mistakes/homework.js').replace(
  "const M = require('../homework/matrix.js');",
  () =>
    `const M = (() => {\nconst module = { exports: {} };\n${read('test/fixtures/homework/matrix.js')}\n` +
    'return module.exports;\n})();',
);

const CASES: Record<string, string> = {
  'the correct homework (CommonJS, every cell)': homework,
  'homework-correct.mjs (an ES module, nested-array results)': read('test/fixtures/homework-correct.mjs'),
  'an LSTM step that forgets dc_next': applyPlant(homework, PLANTS['lstm-missing-dcnext'] ?? []),
  'an RNN dW_h transposed': applyPlant(homework, PLANTS['rnn-transposed-dWh'] ?? []),
  'a GRU with the reset gate before the product': applyPlant(homework, PLANTS['gru-reset-before-product'] ?? []),
  'a kernel that throws': 'export function rnnStepForward(x, hPrev, p) {\n  return p.missing.h;\n}\n',
  'a kernel returning the wrong shape':
    'export function rnnStepForward(x, hPrev, p) {\n  return { h: [[1, 2]], cache: null };\n}\n',
  'a module with no kernel': 'export const answer = 42;\n',
};

const settings: CheckSettings = {
  sizes: { N: 2, T: 3, D: 3, H: 3 },
  seed: DEFAULT_SEED,
  eps: DEFAULT_EPS,
  tolerance: DEFAULT_TOLERANCE,
  samples: null,
};

function cli(file: string): Promise<GradcheckJsonReport> {
  const { N, T, D, H } = settings.sizes;
  const args = [bin, 'check', '--impl', file, '--json', '--timeout', '60'];
  args.push('--N', String(N), '--T', String(T), '--D', String(D), '--H', String(H));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as GradcheckJsonReport);
      } catch (err) {
        reject(new Error(`no JSON from the CLI on ${file}: ${out.slice(0, 300)} (${String(err)})`));
      }
    });
  });
}

/** The report without what differs by design: the module's name, timings, locations' file names. */
function comparable(r: GradcheckJsonReport, name: string): unknown {
  const text = JSON.stringify({ ...r, impl: null, kernels: r.kernels.map((k) => ({ ...k, milliseconds: 0 })) });
  return JSON.parse(
    text
      .split(name)
      .join('MODULE')
      .replace(/, at [^"]*?:\d+:\d+/g, ', at LOCATION'),
  );
}

let dir = '';
const reports: Record<string, GradcheckJsonReport> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handgrad-explorable-'));
  const names = Object.keys(CASES);
  const runs = await Promise.all(
    names.map((name, k) => {
      const file = join(dir, `case${k}.${/^export /m.test(CASES[name] as string) ? 'mjs' : 'js'}`);
      writeFileSync(file, CASES[name] as string);
      return cli(file).then((r) => [name, r, file] as const);
    }),
  );
  for (const [name, r, file] of runs) {
    reports[name] = r;
    (reports as Record<string, unknown>)[`${name}:file`] = file;
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(Object.keys(CASES))('%s', (name) => {
  it('gets the same report in the page as from the CLI', () => {
    const page = checkPasted(CASES[name] as string, settings).report;
    const cliReport = reports[name] as GradcheckJsonReport;
    const file = (reports as Record<string, unknown>)[`${name}:file`] as string;
    expect(page.ok).toBe(cliReport.ok);
    expect(page.error?.kind ?? null).toBe(cliReport.error?.kind ?? null);
    expect(page.kernels.map((k) => k.diagnoses.map((d) => d.id))).toEqual(
      cliReport.kernels.map((k) => k.diagnoses.map((d) => d.id)),
    );
    const said = (r: GradcheckJsonReport): string | undefined => r.error?.message.replace(/, at .*$/, '');
    if (page.error !== null && page.error.kind !== 'usage') expect(said(page)).toBe(said(cliReport));
    if (page.error === null) {
      const relative = file.slice(root.length + 1);
      expect(comparable(page, PASTED)).toEqual(comparable(cliReport, relative));
    }
  });
});

it('covers a passing, a diagnosed and an erroring case', () => {
  expect(reports['the correct homework (CommonJS, every cell)']?.ok).toBe(true);
  expect(reports['an LSTM step that forgets dc_next']?.kernels[2]?.diagnoses.map((d) => d.id)).toContain(
    'lstm-missing-dcnext',
  );
  expect(reports['a kernel that throws']?.error?.kind).toBe('threw');
});

describe('the module text', () => {
  it('exports export function / const / { a as b } / default, and module.exports', () => {
    const src = [
      'export function rnnStepForward() { return 1; }',
      'export const rnnStepBackward = () => 2;',
      'function f() { return 3; }',
      'export { f as rnnForward };',
      'export default { rnnBackward: () => 4 };',
      'module.exports.lstmStepForward = () => 5;',
    ].join('\n');
    const e = pastedExports(src) as Record<string, () => number>;
    expect(
      ['rnnStepForward', 'rnnStepBackward', 'rnnForward', 'rnnBackward', 'lstmStepForward'].map((n) => e[n]?.()),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps line numbers, so an error points at the student’s line', () => {
    const r = checkPasted('\n\nexport function rnnStepForward() {\n  throw new Error("here");\n}\n', settings).report;
    expect(r.error?.location?.line).toBe(4);
    expect(moduleBody('a\nb\nc').split('\n')).toHaveLength(4);
  });

  it('refuses import with its line', () => {
    const r = checkPasted("const a = 1;\nimport { x } from 'handgrad';\n", settings).report;
    expect(r.error?.kind).toBe('load');
    expect(r.error?.message).toMatch(/import is not available in the page \(line 2\)/);
  });
});
