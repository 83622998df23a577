// @ts-check
/**
 * A local typedoc plugin: the docs link a derivation step to the lines that
 * implement it, `[lstmStepBackwardInto](../src/lstm/step.ts#L135-L183)`
 * (scripts/sync-doc-links.mjs keeps the ranges true). GitHub opens such a
 * link at those lines; typedoc on its own copies step.ts into media/ as a
 * plain file, which a browser opens at line 1. So this plugin writes one
 * page per linked source file, docs-site/source/<path>.html, with the code
 * highlighted as typedoc highlights code blocks, an anchor per line (#L12)
 * and one per linked range (#L135-L183; the page marks the range's lines and
 * scrolls to its first line), and points every link to media/<file>.ts at
 * that page instead. The media copies of .ts files are removed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JSX, RendererEvent } from 'typedoc';

const require = createRequire(import.meta.url);
const typedocRoot = dirname(require.resolve('typedoc/package.json'));

/** Where the source page of a file (relative to the project root) lives, relative to the site. */
export function sourcePagePath(relPath) {
  return `source/${relPath.split(sep).join('/')}.html`;
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Every .html file under dir. */
function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? htmlFiles(join(dir, e.name)) : e.name.endsWith('.html') ? [join(dir, e.name)] : [],
  );
}

// Marks the lines of the range in the address (#L12 or #L12-L30) and brings the first into view.
const RANGE_SCRIPT = `
function markRange() {
  for (const el of document.querySelectorAll('.line.in-range')) el.classList.remove('in-range');
  const m = /^#L(\\d+)(?:-L(\\d+))?$/.exec(location.hash);
  if (!m) return;
  const from = Number(m[1]), to = Number(m[2] ?? m[1]);
  for (let i = from; i <= to; i++) document.getElementById('L' + i)?.classList.add('in-range');
  document.getElementById('L' + from)?.scrollIntoView({ block: 'start', behavior: 'instant' });
}
window.addEventListener('hashchange', markRange);
markRange();
`;

const PAGE_CSS = `
html { scroll-behavior: auto; }
body { margin: 0; }
.source-header { padding: 0.75rem 1rem; border-bottom: 1px solid var(--color-accent); display: flex; gap: 1rem;
  flex-wrap: wrap; align-items: baseline; }
.source-header h1 { font-size: 1.1rem; margin: 0; font-family: var(--font-family-code, monospace); }
pre.source { margin: 0; padding: 0.5rem 0; overflow-x: auto; font-size: 0.875rem; line-height: 1.45; border-radius: 0; }
pre.source .line { display: block; white-space: pre; padding-right: 1rem; scroll-margin-top: 4rem; }
pre.source code { display: inline-block; min-width: 100%; }
pre.source .line.in-range, pre.source .line:target { background: var(--color-background-active, #ffe8a8); }
pre.source .ln { display: inline-block; width: 3.5em; padding-right: 1em; text-align: right;
  color: var(--color-text-aside); user-select: none; text-decoration: none; }
`;

/**
 * The HTML of one source page. `lines` are the file's highlighted lines;
 * `ranges` the linked "L<a>-L<b>" fragments, each anchored on its first line.
 */
function sourcePage({ relPath, lines, ranges, base, siteName }) {
  const rangeIds = new Map();
  for (const r of ranges) {
    const m = /^L(\d+)-L\d+$/.exec(r);
    if (!m) continue;
    const at = Number(m[1]);
    rangeIds.set(at, [...(rangeIds.get(at) ?? []), r]);
  }
  const body = lines
    .map((html, i) => {
      const n = i + 1;
      const anchors = (rangeIds.get(n) ?? []).map((id) => `<span id="${id}"></span>`).join('');
      return `<span class="line" id="L${n}">${anchors}<a class="ln" href="#L${n}">${n}</a>${html}</span>`;
    })
    .join('');
  const title = `${escapeHtml(relPath)} | ${escapeHtml(siteName)}`;
  const header = `<a href="${base}index.html">${escapeHtml(siteName)}</a><h1>${escapeHtml(relPath)}</h1>`;
  return `<!DOCTYPE html>
<html class="default" lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${base}assets/style.css"><link rel="stylesheet" href="${base}assets/highlight.css">
<style>${PAGE_CSS}</style></head>
<body><header class="source-header">${header}</header>
<pre class="source"><code>${body}</code></pre>
<script>${RANGE_SCRIPT}</script></body></html>
`;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** @type {Map<string, string[]> | undefined} absolute path → highlighted lines */
  let highlighted;
  /** @type {((code: string, lang: string) => string) | undefined} */
  let highlight;
  const root = () => dirname(app.options.getValue('tsconfig') || join(process.cwd(), 'tsconfig.json'));

  // typedoc's highlighter is loaded only while pages render, and the colours a
  // highlight uses go into assets/highlight.css when rendering ends; so the
  // sources are highlighted from a hook that runs during rendering.
  app.renderer.on(RendererEvent.BEGIN, async () => {
    highlighted = undefined;
    if (!highlight) {
      const utils = await import(pathToFileURL(join(typedocRoot, 'dist', 'node-utils.js')).href);
      highlight = utils.highlight;
    }
  });
  app.renderer.hooks.on('body.end', (context) => {
    if (!highlighted) {
      highlighted = new Map();
      for (const abs of context.page.project.files.getMediaPaths()) {
        if (!abs.endsWith('.ts') || !existsSync(abs)) continue;
        let code = readFileSync(abs, 'utf8');
        if (!code.endsWith('\n')) code += '\n';
        let html;
        try {
          html = highlight ? highlight(code, 'typescript') : escapeHtml(code);
        } catch {
          html = escapeHtml(code);
        }
        // The highlighter separates lines with <br/> (and escapes the text).
        const lines = highlight ? html.split('<br/>') : html.split('\n');
        highlighted.set(abs, lines);
      }
    }
    return JSX.createElement(JSX.Fragment, null);
  });

  app.renderer.on(RendererEvent.END, (event) => {
    const out = event.outputDirectory;
    const files = event.project.files.getNameToAbsoluteMap();
    const projectRoot = root();
    /** @type {Map<string, Set<string>>} absolute path → linked fragments */
    const linked = new Map();
    const LINK = /href="((?:\.\.\/)*)media\/([^"#/]+\.ts)(#[^"]*)?"/g;
    for (const file of htmlFiles(out)) {
      const html = readFileSync(file, 'utf8');
      const next = html.replace(LINK, (whole, up, name, fragment) => {
        const abs = files.get(name);
        if (!abs) return whole;
        const frags = linked.get(abs) ?? new Set();
        if (fragment) frags.add(fragment.slice(1));
        linked.set(abs, frags);
        return `href="${up}${sourcePagePath(relative(projectRoot, abs))}${fragment ?? ''}"`;
      });
      if (next !== html) writeFileSync(file, next);
    }
    for (const [abs, frags] of linked) {
      const relPath = relative(projectRoot, abs).split(sep).join('/');
      const target = join(out, sourcePagePath(relPath));
      mkdirSync(dirname(target), { recursive: true });
      const base = '../'.repeat(sourcePagePath(relPath).split('/').length - 1);
      const lines = highlighted?.get(abs) ?? escapeHtml(readFileSync(abs, 'utf8')).split('\n');
      writeFileSync(target, sourcePage({ relPath, lines, ranges: [...frags], base, siteName: event.project.name }));
    }
    for (const [name] of files) if (name.endsWith('.ts')) rmSync(join(out, 'media', name), { force: true });
  });
}
