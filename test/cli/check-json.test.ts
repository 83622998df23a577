/**
 * `handgrad check --json` output validated against the GradcheckJsonReport
 * interface itself (compiled to a JSON Schema from src/gradcheck/report.ts),
 * and the docs' copy of that interface kept identical to the source.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';

const root = join(__dirname, '..', '..');

function json(...args: string[]): { code: number | null; report: unknown } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'handgrad.cjs'), 'check', '--json', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, report: JSON.parse(r.stdout) as unknown };
}

describe('handgrad check --json', () => {
  const schema = createGenerator({
    path: join(root, 'src/gradcheck/report.ts'),
    tsconfig: join(root, 'tsconfig.json'),
    type: 'GradcheckJsonReport',
    skipTypeCheck: true,
  }).createSchema('GradcheckJsonReport');
  const validate = new Ajv({ allErrors: true }).compile(schema);

  it('the schema is strict: extra or missing fields are rejected', () => {
    const { report } = json('--kernel', 'rnn-step');
    expect(validate({ ...(report as object), extra: 1 })).toBe(false);
    const { kernels: _dropped, ...missing } = report as Record<string, unknown>;
    expect(validate(missing)).toBe(false);
  });

  it.each([
    ['the built-in kernels', [] as string[], 0],
    ['a broken user module', ['--impl', 'test/fixtures/lstm-sign-flip-o-gate.js'], 1],
    ['a correct ES module, sampled', ['--impl', 'test/fixtures/homework-correct.mjs', '--samples', '4'], 0],
    ['a module that hangs (error report)', ['--impl', 'test/fixtures/robust/hang-in-backward.js', '--timeout', '1'], 1],
    ['a kernel that throws (error report with a location)', ['--impl', 'test/fixtures/kernel-throws.js'], 1],
    ['an out-of-range option (usage error report)', ['--eps', '1e-300'], 2],
  ])('validates for %s', (_what, args, exitCode) => {
    const { code, report } = json(...args);
    expect(code).toBe(exitCode);
    const ok = validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('reports the first failure of a broken module with its gate blocks', () => {
    const { report } = json('--impl', 'test/fixtures/lstm-sign-flip-o-gate.js');
    expect(report).toMatchObject({
      ok: false,
      impl: 'test/fixtures/lstm-sign-flip-o-gate.js',
      counts: { rows: 8, failed: 5 },
      firstFailure: { kernel: 'lstm-step', name: 'dWx', against: 'finite differences', gates: ['o'] },
    });
  });
});

describe('docs/gradient-checking-cli.md', () => {
  it('quotes the GradcheckJsonReport interfaces exactly as src/gradcheck/report.ts declares them', () => {
    const doc = readFileSync(join(root, 'docs/gradient-checking-cli.md'), 'utf8');
    const section = doc.split('## The `--json` shape')[1] ?? '';
    const block = /```ts\n([\s\S]*?)\n```/.exec(section)?.[1];
    const source = readFileSync(join(root, 'src/gradcheck/report.ts'), 'utf8')
      .split('*/\n')
      .slice(1)
      .join('*/\n')
      .trim();
    expect(block?.trim()).toBe(source);
  });
});
