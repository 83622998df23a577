// The rendered check: open the built documentation site in a real browser
// (headless Chromium, Debian's `chromium` package, driven by playwright-core)
// at two window widths, 1280 px and 390 px (a phone), and fail when
//
//   - a derivation page shows no typeset formula, any page has a KaTeX error,
//     math left as raw `$…$` text, or KaTeX's fonts did not load;
//   - a display formula, a code block or a table is wider than its box and
//     does not scroll inside it (overflow visible or hidden: clipped), sticks
//     out of the text column, or the page scrolls sideways;
//   - a link from a page to a source file does not land on the line that
//     declares what the link names (every link is checked in the built HTML,
//     and one is followed in the browser and must show that line, marked);
//   - the navigation is not in reading order (README, then the guide pages of
//     typedoc.config.mjs, the API, and the contributor pages last), or a page
//     has no proper title;
//   - no function page of the API shows a typeset formula from its doc comment.
//
// Screenshots of the LSTM page's backward derivation, a function page with
// math, a source page and the performance page, at both widths, go to
// docs-site/screenshots/ (git-ignored).
//
//   npm run docs:check        (builds docs-site first if it is missing)
//
// Installs chromium with apt-get when /usr/bin/chromium is missing (as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CONTRIBUTOR_PAGES, READING_ORDER } from '../typedoc.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'docs-site');
const CHROMIUM = '/usr/bin/chromium';
// The derivation pages, which must show typeset formulas; any other page in
// docs/ is checked only for KaTeX errors and math left raw.
const MATH_PAGES = ['Vanilla_RNN.html', 'LSTM.html', 'GRU.html', 'Gradient_checking.html', 'Shapes_and_layouts.html'];

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${CHROMIUM} is missing; install it with: sudo apt-get install chromium`);
  }
  console.log('docs-check: installing chromium with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], {
    stdio: 'inherit',
    env,
  });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

function ensureSite() {
  if (existsSync(join(site, 'index.html'))) return;
  console.log('docs-check: docs-site/ is missing, building it (npm run docs)');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('typedoc failed');
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** A static file server for docs-site/ on 127.0.0.1 and a free port. */
function serve() {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(site, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(site) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    // TypeScript sources copied into media/ are shown as text, not as video/mp2t.
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'text/plain; charset=utf-8' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const WIDTHS = [1280, 390];

/** The title a page gets in the site: its front matter `title`, else its first heading. */
function pageTitle(mdPath) {
  const text = readFileSync(join(root, mdPath), 'utf8');
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(text);
  const title = fm && /^title:\s*(.+)$/m.exec(fm[1]);
  if (title) return title[1].trim().replace(/^(['"])(.*)\1$/, '$2');
  throw new Error(`${mdPath} has no \`title:\` in its front matter (the site would show its file name)`);
}

/** What the page shows: KaTeX counts, errors, and math left as raw text. */
async function inspect(page) {
  return page.evaluate(async () => {
    await document.fonts.ready;
    const prose = document.querySelector('.col-content') ?? document.body;
    const clone = prose.cloneNode(true);
    for (const el of clone.querySelectorAll('pre, code, .katex')) el.remove();
    const text = clone.textContent ?? '';
    return {
      katex: document.querySelectorAll('.katex').length,
      display: document.querySelectorAll('.katex-display').length,
      errors: [...document.querySelectorAll('.katex-error')].map((e) => e.textContent),
      raw: text.match(/\$\$[^$]*\$\$|\$\$|\$[^\s$][^$\n]*\$/g) ?? [],
      katexFontsLoaded: [...document.fonts].filter((f) => f.family.includes('KaTeX') && f.status === 'loaded').length,
    };
  });
}

/**
 * Boxes that do not fit: a display formula, code block or table whose content
 * is wider than it and that does not scroll (overflow visible spills over,
 * hidden clips), any such box or inline formula that sticks out of the text
 * column, and a page that scrolls sideways.
 */
async function overflows(page) {
  return page.evaluate(() => {
    const bad = [];
    const column = document.querySelector('.col-content') ?? document.body;
    const col = column.getBoundingClientRect();
    const describe = (el) => {
      const tex = el.querySelector('annotation')?.textContent ?? el.textContent ?? '';
      const text = tex.trim().replace(/\s+/g, ' ').slice(0, 60);
      return `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${text}"`;
    };
    for (const el of column.querySelectorAll('.katex-display, pre, table')) {
      const style = getComputedStyle(el);
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
      if (el.scrollWidth > el.clientWidth + 1 && !scrolls) {
        bad.push(
          `${describe(el)}: content ${el.scrollWidth}px in a ${el.clientWidth}px box ` +
            `with overflow-x ${style.overflowX}`,
        );
      }
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > col.right + 1 || r.left < col.left - 1)) {
        bad.push(
          `${describe(el)}: box ${Math.round(r.left)}–${Math.round(r.right)}px ` +
            `outside the column ${Math.round(col.left)}–${Math.round(col.right)}px`,
        );
      }
    }
    // Inside a box that scrolls (a wide table), a formula past the column's edge is reached by scrolling.
    const inScrollBox = (el) => {
      for (let p = el.parentElement; p && p !== column; p = p.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    for (const el of column.querySelectorAll('.katex')) {
      if (el.closest('.katex-display') || inScrollBox(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > col.right + 1)
        bad.push(
          `${describe(el)}: inline formula ends at ${Math.round(r.right)}px, the column at ${Math.round(col.right)}px`,
        );
    }
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) {
      // Name the outermost elements that stick out, not every descendant.
      const wide = [...document.body.querySelectorAll('*')].filter((el) => {
        if (inScrollBox(el) && el.closest('.col-content')) return false;
        return (
          el.getBoundingClientRect().right > doc.clientWidth + 1 &&
          !(el.parentElement && el.parentElement.getBoundingClientRect().right > doc.clientWidth + 1)
        );
      });
      bad.push(
        `the page scrolls sideways (${doc.scrollWidth}px wide in ${doc.clientWidth}px): ` +
          wide.slice(0, 3).map(describe).join(', '),
      );
    }
    return bad;
  });
}

/** The visible text of line n of a source page's HTML, or undefined when the page has no such line. */
function sourceLine(html, n) {
  const m = new RegExp(`<span class="line" id="L${n}">([\\s\\S]*?)</span>(?=<span class="line"|</code>)`).exec(html);
  if (!m) return undefined;
  return m[1]
    .replace(/<a class="ln"[^>]*>\d+<\/a>/, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Does a line of TypeScript declare `name`? */
function declares(line, name) {
  const esc = name.replace(/\$/g, '\\$');
  return new RegExp(
    '^\\s*(export\\s+)?(declare\\s+)?((async\\s+)?function\\*?|class|interface|type|enum|const|let|var|' +
      `(public\\s+|private\\s+|protected\\s+)?(static\\s+)?(readonly\\s+)?(get\\s+|set\\s+)?)\\s*${esc}\\b`,
  ).test(line);
}

/**
 * Every link from a built page to a source page: the target exists, has the
 * anchor, and its first line declares the name the link shows.
 */
function checkSourceLinks(pages, failures) {
  let checked = 0;
  const cache = new Map();
  for (const pagePath of pages) {
    const html = readFileSync(join(site, pagePath), 'utf8');
    for (const m of html.matchAll(/<a href="((?:\.\.\/)*)(source\/[^"#]+\.html)(#[^"]*)?"[^>]*>([\s\S]*?)<\/a>/g)) {
      const [, , target, fragment, inner] = m;
      const where = `${pagePath} → ${target}${fragment ?? ''}`;
      const file = join(site, target);
      if (!existsSync(file)) {
        failures.push(`${where}: the source page is missing`);
        continue;
      }
      if (!cache.has(file)) cache.set(file, readFileSync(file, 'utf8'));
      const src = cache.get(file);
      const range = fragment && /^#L(\d+)(?:-L(\d+))?$/.exec(fragment);
      if (!fragment) continue; // a link to the whole file opens at its top
      if (!range) {
        failures.push(`${where}: a source link's fragment must be its lines (#L<a>-L<b>)`);
        continue;
      }
      if (!src.includes(`id="${fragment.slice(1)}"`)) failures.push(`${where}: the page has no anchor ${fragment}`);
      const start = Number(range[1]);
      const end = Number(range[2] ?? range[1]);
      if (sourceLine(src, end) === undefined) failures.push(`${where}: the file has no line ${end}`);
      const text = inner.replace(/<[^>]+>/g, '').trim();
      const name = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)?)(?:\(\))?$/.exec(text)?.[1];
      if (!name) {
        failures.push(`${where}: the link text "${text}" names no declaration`);
        continue;
      }
      const line = sourceLine(src, start) ?? '';
      if (!declares(line, name.split('.').pop()))
        failures.push(`${where}: line ${start} is "${line.trim()}", not the declaration of ${name}`);
      checked++;
    }
  }
  return checked;
}

/** The navigation's links in order (the sidebar is built by typedoc's script). */
async function navigation(page) {
  await page.waitForSelector('.site-menu nav a, #tsd-nav-container a', { state: 'attached', timeout: 10_000 });
  return page.evaluate(() =>
    [...document.querySelectorAll('.site-menu nav a, #tsd-nav-container a')].map((a) => ({
      text: (a.textContent ?? '').trim(),
      href: new URL(a.getAttribute('href') ?? '', location.href).pathname,
      hash: new URL(a.getAttribute('href') ?? '', location.href).hash,
    })),
  );
}

function checkNavigation(links, failures) {
  const guides = READING_ORDER.map(pageTitle);
  const contributors = CONTRIBUTOR_PAGES.map(pageTitle);
  const docs = links.filter((l) => l.href.includes('/documents/')).map((l) => l.text);
  const expected = [...guides, ...contributors];
  if (JSON.stringify(docs) !== JSON.stringify(expected)) {
    failures.push(`navigation order: ${docs.join(' → ')}; expected ${expected.join(' → ')}`);
  }
  if (links[0]?.href !== '/index.html' && links[0]?.href !== '/') {
    failures.push(`navigation: the first link is ${links[0]?.href} (${links[0]?.text}), not the README (index.html)`);
  }
  // The API: every link but the README, the pages, and the project's own entry (modules.html, the API index).
  const isApi = (l) => !l.href.includes('/documents/') && !/^\/(index\.html|modules\.html)?$/.test(l.href);
  const lastApi = links.findLastIndex(isApi);
  const firstContributor = links.findIndex((l) => contributors.includes(l.text));
  if (firstContributor >= 0 && lastApi > firstContributor)
    failures.push('navigation: an API page comes after the contributor pages');
  const lastGuide = links.findIndex((l) => l.text === guides.at(-1));
  const firstApi = links.findIndex(isApi);
  if (firstApi >= 0 && firstApi < lastGuide) failures.push('navigation: API pages come before the last guide page');
  for (const l of links)
    if (/\.md$|^[a-z-]+$/.test(l.text) && l.href.includes('/documents/'))
      failures.push(`navigation: page title "${l.text}" looks like a file name`);
  // The API: one module per public subpath, named as it is imported.
  const subpaths = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports ?? {})
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'handgrad' : `handgrad/${k.slice(2)}`));
  const modules = links.filter((l) => /\/modules\/[^/]+\.html$/.test(l.href) && !l.hash).map((l) => l.text);
  for (const m of modules)
    if (!subpaths.includes(m))
      failures.push(`navigation: API module "${m}" is not a subpath of package.json's exports`);
  if (!modules.includes('handgrad')) failures.push('navigation: no API module "handgrad"');
  const missing = subpaths.filter((p) => !modules.includes(p));
  return { docs, modules, missing };
}

/** Function pages whose doc comment carries typeset math. */
function functionPagesWithMath() {
  const dir = join(site, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html') && readFileSync(join(dir, f), 'utf8').includes('class="katex'))
    .map((f) => `functions/${f}`);
}

async function main() {
  ensureSite();
  ensureChromium();
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Show scrollbars as a reader's browser does, so the screenshots show which boxes scroll.
    ignoreDefaultArgs: ['--hide-scrollbars'],
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const failures = [];
  const shots = join(site, 'screenshots');
  mkdirSync(shots, { recursive: true });
  try {
    for (const f of readdirSync(join(root, 'docs'))) {
      const page = `docs/${f}`;
      if (f.endsWith('.md') && !READING_ORDER.includes(page) && !CONTRIBUTOR_PAGES.includes(page)) {
        failures.push(
          `${page} has no place in the navigation: ` +
            'add it to READING_ORDER or the contributor pages in typedoc.config.mjs',
        );
      }
    }
    const documents = readdirSync(join(site, 'documents')).filter((f) => f.endsWith('.html'));
    for (const p of MATH_PAGES) if (!documents.includes(p)) failures.push(`docs-site/documents/${p} is missing`);
    const mathFunctions = functionPagesWithMath();
    if (mathFunctions.length === 0) failures.push('no function page shows a typeset formula from its doc comment');
    const pages = ['index.html', ...documents.map((d) => `documents/${d}`), ...mathFunctions];

    // Source links, from the built HTML of every page.
    const linked = checkSourceLinks(['index.html', ...documents.map((d) => `documents/${d}`)], failures);
    console.log(`docs-check: ${linked} source links land on the declaration they name`);
    if (linked === 0) failures.push('no source link found on any page');

    for (const width of WIDTHS) {
      const page = await browser.newPage({ viewport: { width, height: width > 600 ? 1000 : 844 } });
      const failed = [];
      // A request cut short by the next navigation (net::ERR_ABORTED) is not a missing file.
      page.on('requestfailed', (r) => {
        const why = r.failure()?.errorText ?? '';
        if (!why.includes('ERR_ABORTED')) failed.push(`${r.url()} (${why})`);
      });
      page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));

      let boxes = 0;
      for (const p of pages) {
        await page.goto(`${base}/${p}`, { waitUntil: 'networkidle' });
        const r = await inspect(page);
        const name = p.replace(/^documents\//, '');
        if (width === WIDTHS[0]) {
          console.log(
            `docs-check: ${p}: ${r.katex} KaTeX formulas (${r.display} display), ${r.errors.length} errors, ` +
              `${r.raw.length} raw, ${r.katexFontsLoaded} KaTeX fonts loaded`,
          );
          if (r.katex === 0 && (MATH_PAGES.includes(name) || p.startsWith('functions/')))
            failures.push(`${p}: no KaTeX formula rendered`);
          if (r.errors.length > 0) failures.push(`${p}: KaTeX errors: ${r.errors.join(' | ')}`);
          if (r.raw.length > 0) failures.push(`${p}: math left as raw text: ${r.raw.join(' | ')}`);
          if (r.katex > 0 && r.katexFontsLoaded === 0)
            failures.push(`${p}: no KaTeX font loaded (is assets/katex/ there?)`);
        }
        for (const b of await overflows(page)) failures.push(`${p} at ${width}px: ${b}`);
        boxes += r.display;
      }
      console.log(`docs-check: ${width}px: ${pages.length} pages, ${boxes} display formulas checked for overflow`);

      // The navigation, in reading order.
      await page.goto(`${base}/index.html`, { waitUntil: 'networkidle' });
      const nav = checkNavigation(await navigation(page), failures);
      if (width === WIDTHS[0]) {
        console.log(`docs-check: navigation: README → ${nav.docs.join(' → ')}`);
        console.log(`docs-check: API modules: ${nav.modules.join(', ')}`);
        // A subpath left out of typedoc's entryPoints is reported, not failed (its entry may not be documented yet).
        if (nav.missing.length > 0) console.log(`docs-check: note: no API module for ${nav.missing.join(', ')}`);
      }

      // The LSTM page at its backward derivation.
      await page.goto(`${base}/documents/LSTM.html`, { waitUntil: 'networkidle' });
      await page.evaluate(() => document.fonts.ready);
      await page.evaluate(() =>
        document.querySelector('#backward-the-carried-cell-gradient')?.scrollIntoView({ behavior: 'instant' }),
      );
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(shots, `lstm-${width}.png`) });

      // Follow one source link in the browser: the declaration's line must be marked and in view.
      const link = page
        .locator('a[href*="source/src/lstm/step.ts.html#L"]', { hasText: 'lstmStepBackwardInto' })
        .first();
      if ((await link.count()) === 0) {
        failures.push('LSTM.html: no link to lstmStepBackwardInto in src/lstm/step.ts');
      } else {
        const href = await link.getAttribute('href');
        await page.goto(new URL(href ?? '', page.url()).href, { waitUntil: 'networkidle' });
        await page
          .waitForFunction(
            () => {
              const m = /^#L(\d+)/.exec(location.hash);
              const r = m && document.getElementById(`L${m[1]}`)?.getBoundingClientRect();
              return r && r.top >= 0 && r.bottom <= innerHeight;
            },
            null,
            { timeout: 5000 },
          )
          .catch(() => undefined);
        const landed = await page.evaluate(() => {
          const m = /^#L(\d+)(?:-L(\d+))?$/.exec(location.hash);
          const line = m && document.getElementById(`L${m[1]}`);
          if (!line) return { ok: false, why: `no line for ${location.hash}` };
          const r = line.getBoundingClientRect();
          return {
            ok: r.top >= 0 && r.bottom <= innerHeight && line.classList.contains('in-range'),
            why: `line top ${Math.round(r.top)}px of ${innerHeight}px, marked ${line.classList.contains('in-range')}`,
            text: line.textContent?.replace(/^\d+/, '') ?? '',
          };
        });
        if (!landed.ok || !declares(landed.text ?? '', 'lstmStepBackwardInto')) {
          failures.push(`following ${href} at ${width}px: ${landed.why}; the line reads "${landed.text?.trim()}"`);
        } else if (width === WIDTHS[0]) {
          console.log(
            `docs-check: followed ${href}: lands on "${landed.text.trim().slice(0, 60)}", marked and in view`,
          );
        }
        await page.screenshot({ path: join(shots, `source-${width}.png`) });
      }

      if (mathFunctions[0]) {
        await page.goto(`${base}/${mathFunctions[0]}`, { waitUntil: 'networkidle' });
        await page.evaluate(() =>
          document.querySelector('.katex-display')?.scrollIntoView({ block: 'center', behavior: 'instant' }),
        );
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(shots, `function-${width}.png`) });
      }
      await page.goto(`${base}/documents/Performance.html`, { waitUntil: 'networkidle' });
      await page.screenshot({ path: join(shots, `performance-${width}.png`) });

      if (failed.length > 0) failures.push(`requests failed at ${width}px: ${[...new Set(failed)].join(', ')}`);
      await page.close();
    }
    console.log(`docs-check: screenshots saved to docs-site/screenshots/ (${WIDTHS.join(' and ')} px)`);
  } catch (e) {
    failures.push(`the check stopped: ${e instanceof Error ? e.message : e}`);
  } finally {
    await browser.close();
    server.close();
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`docs-check: FAIL ${f}`);
    return 1;
  }
  console.log(
    `docs-check: ok at ${WIDTHS.join(' and ')} px: typeset math, nothing clipped, source links on their lines, ` +
      'navigation in reading order',
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`docs-check: ${e instanceof Error ? e.stack : e}`);
    process.exitCode = 1;
  },
);
