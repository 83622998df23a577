// The rendered check: open the built documentation site in a real browser
// (headless Chromium, Debian's `chromium` package, driven by playwright-core)
// and assert that the LSTM page's formulas were typeset by KaTeX — KaTeX
// nodes present, no KaTeX error node, no `$$` left as text, KaTeX's fonts
// loaded — then save a screenshot to docs-site/screenshots/lstm.png.
// Every other docs page is checked for errors and raw math too.
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
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { stdio: 'inherit', env });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

function ensureSite() {
  if (existsSync(join(site, 'index.html'))) return;
  console.log('docs-check: docs-site/ is missing, building it (npm run docs)');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc')], { cwd: root, stdio: 'inherit' });
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

async function main() {
  ensureSite();
  ensureChromium();
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
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
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const failed = [];
    // A request cut short by the next navigation (net::ERR_ABORTED) is not a missing file.
    page.on('requestfailed', (r) => {
      const why = r.failure()?.errorText ?? '';
      if (!why.includes('ERR_ABORTED')) failed.push(`${r.url()} (${why})`);
    });
    page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));

    const documents = readdirSync(join(site, 'documents')).filter((f) => f.endsWith('.html'));
    for (const p of MATH_PAGES) if (!documents.includes(p)) failures.push(`docs-site/documents/${p} is missing`);
    for (const doc of documents) {
      await page.goto(`${base}/documents/${doc}`, { waitUntil: 'networkidle' });
      const r = await inspect(page);
      const line = `${doc}: ${r.katex} KaTeX formulas (${r.display} display), ${r.errors.length} errors, ${r.raw.length} raw, ${r.katexFontsLoaded} KaTeX fonts loaded`;
      console.log(`docs-check: ${line}`);
      if (r.katex === 0 && MATH_PAGES.includes(doc)) failures.push(`${doc}: no KaTeX formula rendered`);
      if (r.errors.length > 0) failures.push(`${doc}: KaTeX errors: ${r.errors.join(' | ')}`);
      if (r.raw.length > 0) failures.push(`${doc}: math left as raw text: ${r.raw.join(' | ')}`);
      if (r.katex > 0 && r.katexFontsLoaded === 0) failures.push(`${doc}: no KaTeX font loaded (is assets/katex/ there?)`);
    }
    if (failed.length > 0) failures.push(`requests failed: ${[...new Set(failed)].join(', ')}`);

    // The screenshot: the LSTM page at its backward derivation.
    await page.goto(`${base}/documents/LSTM.html`, { waitUntil: 'networkidle' });
    await page.evaluate(() => document.fonts.ready);
    await page.locator('#backward-the-carried-cell-gradient').scrollIntoViewIfNeeded();
    await page.evaluate(() => document.querySelector('#backward-the-carried-cell-gradient')?.scrollIntoView());
    const shots = join(site, 'screenshots');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'lstm.png') });
    console.log('docs-check: screenshot saved to docs-site/screenshots/lstm.png');
  } finally {
    await browser.close();
    server.close();
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`docs-check: FAIL ${f}`);
    return 1;
  }
  console.log('docs-check: ok: the derivation pages show typeset math; no page has a KaTeX error or raw math');
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
