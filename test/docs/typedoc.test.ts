/**
 * The documentation site builds with zero warnings (typedoc runs with
 * treatWarningsAsErrors, so every export is documented and no link is broken),
 * and the built pages carry typeset math: KaTeX HTML, no KaTeX error, no `$$`
 * left raw, and no Markdown link that typedoc failed to resolve.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docFiles, root } from './markdown';

// Built into a temporary folder, so the test never races `npm run docs`.
const out = mkdtempSync(join(tmpdir(), 'handgrad-typedoc-'));
let log = '';
let exitCode = 0;

beforeAll(() => {
  try {
    log = execFileSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    exitCode = err.status;
    log = `${err.stdout}\n${err.stderr}`;
  }
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The derivation pages (by their titles), which must show typeset formulas. */
const MATH_PAGES = ['Vanilla_RNN.html', 'LSTM.html', 'GRU.html', 'Gradient_checking.html', 'Shapes_and_layouts.html'];

/** Prose of a page: tags, code, scripts and KaTeX's MathML annotations dropped. */
function visibleText(html: string): string {
  return html
    .replace(/<pre[\s\S]*?<\/pre>/g, '')
    .replace(/<code[\s\S]*?<\/code>/g, '')
    .replace(/<annotation[\s\S]*?<\/annotation>/g, '')
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '');
}

test('typedoc builds with no warning and no error', () => {
  expect(log).not.toMatch(/\[warning\]|\[error\]/);
  expect(exitCode).toBe(0);
  expect(existsSync(join(out, 'index.html'))).toBe(true);
});

test(
  'every docs page is in the site, the derivations with typeset math, ' +
    'none with a KaTeX error, raw math or an unresolved link',
  () => {
    const pages = readdirSync(join(out, 'documents')).filter((f) => f.endsWith('.html'));
    expect(MATH_PAGES.filter((p) => !pages.includes(p))).toEqual([]);
    const mdPages = docFiles().filter((f) => f.startsWith('docs/'));
    expect(pages.length).toBe(mdPages.length);
    for (const page of pages) {
      const html = readFileSync(join(out, 'documents', page), 'utf8');
      const where = `documents/${page}`;
      if (MATH_PAGES.includes(page))
        expect({ where, katex: /class="katex"/.test(html) }).toEqual({ where, katex: true });
      expect({ where, errors: html.match(/katex-error/g) ?? [] }).toEqual({ where, errors: [] });
      expect({ where, rawMath: visibleText(html).match(/\$\$[^$]*\$\$|\$[^\s$][^$\n]*\$/g) ?? [] }).toEqual({
        where,
        rawMath: [],
      });
      expect({ where, mdLinks: html.match(/href="[^"]*\.md(#[^"]*)?"/g) ?? [] }).toEqual({ where, mdLinks: [] });
      // KaTeX needs its stylesheet to look like math.
      expect(html).toContain('assets/katex/katex.min.css');
    }
    expect(existsSync(join(out, 'assets', 'katex', 'katex.min.css'))).toBe(true);
    expect(readdirSync(join(out, 'assets', 'katex', 'fonts')).some((f) => f.endsWith('.woff2'))).toBe(true);
  },
);

test('the API reference documents every public function', () => {
  const functions = readdirSync(join(out, 'functions'));
  for (const name of ['rnnStepForward', 'rnnBackward', 'lstmStepBackward', 'lstmForward', 'matmulInto']) {
    expect(functions.some((f) => f.includes(name))).toBe(true);
  }
});

test('links into the source open the site’s source page at the declaration they name', () => {
  const pages = ['index.html', ...readdirSync(join(out, 'documents')).map((f) => `documents/${f}`)];
  let checked = 0;
  for (const page of pages) {
    const html = readFileSync(join(out, page), 'utf8');
    // typedoc's own copy of a .ts file opens at line 1: none may be linked.
    expect({ page, media: html.match(/href="[^"]*media\/[^"]*\.ts[^"]*"/g) ?? [] }).toEqual({ page, media: [] });
    for (const m of html.matchAll(/href="((?:\.\.\/)*)(source\/[^"#]+\.html)#L(\d+)-L\d+"><code>([\w$]+)<\/code>/g)) {
      const source = readFileSync(join(out, m[2]!), 'utf8');
      const line = new RegExp(
        `<span class="line" id="L${m[3]}">([\\s\\S]*?)</span>(?=<span class="line"|</code>)`,
      ).exec(source);
      const text = (line?.[1] ?? '').replace(/<a class="ln"[^>]*>\d+<\/a>/, '').replace(/<[^>]+>/g, '');
      const where = `${page} → ${m[2]}#L${m[3]}`;
      expect({
        where,
        declares: new RegExp(`\\b(function|class|interface|type|const|let)\\s+${m[4]}\\b`).test(text),
      }).toEqual({
        where,
        declares: true,
      });
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(10);
});

test('a doc comment’s $$…$$ is typeset on its function page', () => {
  const withMath = readdirSync(join(out, 'functions')).filter((f) =>
    readFileSync(join(out, 'functions', f), 'utf8').includes('class="katex-display"'),
  );
  expect(withMath.length).toBeGreaterThan(0);
});
