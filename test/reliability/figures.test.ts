/**
 * docs/reliability.md shows the figures of the newest probe results in
 * bench/results/ (scripts/reliability-probe.mjs writes both:
 * `npm run reliability:update`, or `--doc-from FILE` for an existing file).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const probe = join(root, 'scripts/reliability-probe.mjs');

describe('the reliability figures in the docs', () => {
  const files = readdirSync(join(root, 'bench/results'))
    .filter((f) => f.endsWith('-reliability.json'))
    .sort();
  const latest = join(root, 'bench/results', files[files.length - 1] ?? 'none');

  it('a results file exists, with every call counted once', () => {
    expect(files.length).toBeGreaterThan(0);
    const res = JSON.parse(readFileSync(latest, 'utf8'));
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    expect(sum(res.counts)).toBe(res.tried);
    expect(res.tried).toBeGreaterThanOrEqual(1500);
    const bySub = Object.values(res.bySubpath as Record<string, Record<string, number>>);
    expect(bySub.reduce((a, c) => a + sum(c), 0)).toBe(res.tried);
    // Every call that did not end clear or handled is listed with its outcome.
    const listed =
      res.notClear.length +
      res.huge.filter((h: { outcome: string }) => !['clear', 'handled'].includes(h.outcome)).length;
    expect(listed).toBe(res.counts.unclear + res.counts.silent + res.counts.crash + res.counts.hang);
  });

  it('docs/reliability.md holds the table generated from the newest results file', () => {
    const doc = readFileSync(join(root, 'docs/reliability.md'), 'utf8');
    const table = /<!-- reliability:start -->\n([\s\S]*?)\n<!-- reliability:end -->/.exec(doc)?.[1];
    const expected = execFileSync(process.execPath, [probe, '--table-from', latest], { encoding: 'utf8' }).trimEnd();
    expect(table).toBe(expected);
  });
});
