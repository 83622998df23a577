/**
 * Links from the docs into the code stay true. A link such as
 * [`lstmStepBackwardInto`](../src/lstm/step.ts#L135-L183) names its
 * declaration; scripts/sync-doc-links.mjs rewrites the range from the
 * TypeScript AST, and these tests fail when running it would change anything.
 * The declaration check below is a second, independent witness (plain text
 * search, no compiler API), and links between pages must hit a heading.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { docFiles, root } from './markdown';

const script = join(root, 'scripts', 'sync-doc-links.mjs');

function runSync(args: string[]): { status: number; output: string } {
  try {
    const stdout = execFileSync(process.execPath, [script, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, output: stdout };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { status: err.status, output: `${err.stdout}${err.stderr}` };
  }
}

interface SourceLink {
  readonly page: string;
  readonly name: string;
  readonly target: string;
  readonly start: number;
  readonly end: number;
}

function sourceLinks(): SourceLink[] {
  const links: SourceLink[] = [];
  for (const page of docFiles()) {
    const text = readFileSync(join(root, page), 'utf8');
    for (const m of text.matchAll(/\[`([\w$.]+)(?:\(\))?`\]\(([^)\s#]+\.ts)#L(\d+)-L(\d+)\)/g)) {
      links.push({
        page,
        name: m[1]!,
        target: resolve(root, dirname(page), m[2]!),
        start: Number(m[3]),
        end: Number(m[4]),
      });
    }
  }
  return links;
}

test('scripts/sync-doc-links.mjs --check: every source link is current', () => {
  const { status, output } = runSync(['--check']);
  expect(output).not.toMatch(/stale|error/);
  expect(status).toBe(0);
});

test('the docs link to the kernels, and each range starts at the declaration it names and fits the file', () => {
  const links = sourceLinks();
  const named = new Set(links.map((l) => l.name));
  for (const kernel of [
    'rnnStepForwardInto',
    'rnnStepBackwardInto',
    'rnnBackward',
    'lstmStepForwardInto',
    'lstmStepBackwardInto',
    'lstmBackward',
  ]) {
    expect(named.has(kernel)).toBe(true);
  }
  for (const l of links) {
    const lines = readFileSync(l.target, 'utf8').split('\n');
    const where = `${l.page} → ${relative(root, l.target)}#L${l.start}-L${l.end}`;
    const member = l.name.split('.').pop()!;
    const declaration = new RegExp(
      '^\\s*(export\\s+)?((async\\s+)?function\\*?|class|interface|type|enum|const|let|(static\\s+)?(readonly\\s+)?)' +
        `\\s*${member.replace('$', '\\$')}\\b`,
    );
    expect({ where, declarationAtStart: declaration.test(lines[l.start - 1] ?? '') }).toEqual({
      where,
      declarationAtStart: true,
    });
    expect({ where, inFile: l.start <= l.end && l.end <= lines.length }).toEqual({ where, inFile: true });
  }
});

/** GitHub's heading slug: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function headingSlugs(file: string): string[] {
  return readFileSync(join(root, file), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => slug(line.replace(/^#+ /, '')));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );
}

test('every link to a section of a page, from a page or a doc comment, names a heading of that page', () => {
  let checked = 0;
  for (const file of [...docFiles(), ...sourceFiles('src')]) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/\]\(([\w./-]*\.md)?#([\w-]+)\)/g)) {
      if (!m[1] && !file.endsWith('.md')) continue;
      const target = m[1] ? join(dirname(file), m[1]) : file;
      const link = `${file} → ${target}#${m[2]}`;
      expect({ link, found: headingSlugs(target).includes(m[2]!) }).toEqual({ link, found: true });
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(0);
});

test('the doc comment of each exported kernel links back to its derivation page', () => {
  for (const file of [
    'src/rnn/step.ts',
    'src/rnn/sequence.ts',
    'src/lstm/step.ts',
    'src/lstm/sequence.ts',
    'src/gru/step.ts',
    'src/gru/sequence.ts',
  ]) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export function (\w+)/g)) {
      const where = `${file}: ${m[2]}`;
      expect({ where, linksPage: /\]\(\.\.\/\.\.\/docs\/(rnn|lstm|gru)\.md#[\w-]+\)/.test(m[1]!) }).toEqual({
        where,
        linksPage: true,
      });
    }
  }
});

describe('sync-doc-links on a fixture checkout', () => {
  let dir = '';
  const source = [
    '/** A doc comment. */',
    'export function alpha(x: number): number {',
    '  return x + 1;',
    '}',
    '',
    '/** Another. */',
    'export class Beta {',
    '  /** A member. */',
    '  gamma(): number {',
    '    return 2;',
    '  }',
    '}',
    '',
  ].join('\n');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'handgrad-links-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'src', 'k.ts'), source);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a stale or missing range fails --check, and a run rewrites it to the declaration', () => {
    const page = join(dir, 'docs', 'p.md');
    writeFileSync(
      page,
      'See [`alpha`](../src/k.ts#L1-L2), [`Beta.gamma`](../src/k.ts) and [`Beta`](../src/k.ts#L7-L12).\n',
    );
    const check = runSync(['--check', '--root', dir]);
    expect(check.status).toBe(1);
    expect(check.output).toContain('alpha: #L1-L2 → #L2-L4');
    const write = runSync(['--root', dir]);
    expect(write.status).toBe(0);
    expect(readFileSync(page, 'utf8')).toBe(
      'See [`alpha`](../src/k.ts#L2-L4), [`Beta.gamma`](../src/k.ts#L9-L11) and [`Beta`](../src/k.ts#L7-L12).\n',
    );
    expect(runSync(['--check', '--root', dir]).status).toBe(0);
  });

  test('a line-range link that names no declaration is an error', () => {
    writeFileSync(join(dir, 'docs', 'p.md'), 'See [these lines](../src/k.ts#L2-L4).\n');
    const r = runSync(['--check', '--root', dir]);
    expect(r.status).toBe(2);
    expect(r.output).toContain('must name its declaration');
  });

  test('a name the file does not declare is an error', () => {
    writeFileSync(join(dir, 'docs', 'p.md'), 'See [`delta`](../src/k.ts#L2-L4).\n');
    const r = runSync(['--check', '--root', dir]);
    expect(r.status).toBe(2);
    expect(r.output).toContain('declares no "delta"');
  });

  test('a link to a missing file is an error', () => {
    writeFileSync(join(dir, 'docs', 'p.md'), 'See [`alpha`](../src/missing.ts#L2-L4).\n');
    const r = runSync(['--check', '--root', dir]);
    expect(r.status).toBe(2);
    expect(r.output).toContain('does not exist');
  });
});
