// The explorable page in a real browser: headless Chromium (Debian's
// `chromium`, driven by playwright-core) opens explorable-site/index.html
// from a file URL — no server, as a student opens it — and fails when
//
//   - the page logs a console error or throws, a file it loads is missing, or
//     it asks for anything outside its folder (the network is refused);
//   - changing the cell and the sizes does not redraw the step (the LSTM's
//     gates f | i | g | o, the shapes N×4H), or stepping through time (buttons
//     and arrow keys) does not move t;
//   - a formula is not typeset by KaTeX, or KaTeX's fonts did not load;
//   - the gradient check table is missing a row or a column, or fails;
//   - a correct pasted kernel does not pass, or an LSTM step that forgets
//     dc_next is not diagnosed as lstm-missing-dcnext; a kernel that never
//     returns is not stopped at the time limit;
//   - moving the ρ slider does not change the plot's data;
//   - at 390 px or 1280 px the page scrolls sideways.
//
// Screenshots at both widths go to explorable-site/screenshots/.
//
//   npm run explorable:check      (builds explorable-site first if it is missing)
//
// Installs chromium with apt-get when /usr/bin/chromium is missing (as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'explorable-site');
const CHROMIUM = '/usr/bin/chromium';

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${CHROMIUM} is missing; install it with: sudo apt-get install chromium`);
  }
  console.log('explorable-check: installing chromium with apt-get');
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
  console.log('explorable-check: explorable-site/ is missing, building it (npm run explorable)');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-explorable.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('build-explorable failed');
}

// The LSTM homework of the CLI's tests, made one self-contained module: its
// matrix helpers pasted in place of the require, as a student would paste.
function lstmHomework(forgetDcNext) {
  const matrix = readFileSync(join(root, 'test/fixtures/homework/matrix.js'), 'utf8');
  let hw = readFileSync(join(root, 'test/fixtures/mistakes/homework.js'), 'utf8').replace(
    "const M = require('../homework/matrix.js');",
    () => `const M = (() => {\nconst module = { exports: {} };\n${matrix}\nreturn module.exports;\n})();`,
  );
  const right = 'const dc = M.add(dcNext, M.mul(M.mul(dh, o), M.map(tanhC, (v) => 1 - v * v)));';
  if (!hw.includes(right)) throw new Error('explorable-check: the homework no longer has its dc line');
  if (forgetDcNext) hw = hw.replace(right, 'const dc = M.mul(M.mul(dh, o), M.map(tanhC, (v) => 1 - v * v));');
  return hw;
}

const failures = [];
function expect(ok, what) {
  if (!ok) failures.push(what);
  console.log(`explorable-check: ${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

async function noSideScroll(page, width) {
  const { scroll, client, wide } = await page.evaluate(() => {
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .filter((el) => !el.closest('.scroll'))
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}`);
    return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, wide };
  });
  expect(
    scroll <= client && wide.length === 0,
    `${width} px: no sideways page scroll (${scroll} ≤ ${client}` +
      `${wide.length ? `; sticking out: ${wide.join(', ')}` : ''})`,
  );
}

async function setEditor(page, text) {
  await page.locator('#editor').fill(text);
}

async function runMine(page) {
  await page.locator('#run-mine').click();
  await page.waitForFunction(
    () => /^(done|stopped|failed)/.test(document.getElementById('mine-status').textContent),
    null,
    {
      timeout: 30000,
    },
  );
}

async function main() {
  ensureSite();
  ensureChromium();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--hide-scrollbars'],
    // playwright starts every launch with a fresh temporary --user-data-dir of its own.
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
  const url = pathToFileURL(join(site, 'index.html')).href;
  const shots = join(site, 'screenshots');
  mkdirSync(shots, { recursive: true });
  try {
    for (const width of [1280, 390]) {
      const page = await browser.newPage({ viewport: { width, height: width > 600 ? 1000 : 844 } });
      const errors = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => errors.push(`failed to load ${r.url()}: ${r.failure()?.errorText}`));
      // Offline: anything but the folder's own files (and the worker's Blob URL) is refused and reported.
      await page.route(/^(?!file:|blob:|data:)/, (route) => {
        errors.push(`requested the network: ${route.request().url()}`);
        return route.abort();
      });
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('#flow-plot svg', { timeout: 30000 });
      await page.waitForSelector('#check-table table');

      expect(
        (await page.locator('#forward-col .katex').count()) > 3 && (await page.locator('.katex-error').count()) === 0,
        `${width} px: formulas typeset by KaTeX, none in error`,
      );
      const fonts = await page.evaluate(async () => {
        await document.fonts.ready;
        return [...document.fonts].filter((f) => f.family.includes('KaTeX') && f.status === 'loaded').length;
      });
      expect(fonts > 0, `${width} px: KaTeX fonts loaded from the folder (${fonts})`);

      if (width === 1280) {
        // The cell and the sizes.
        await page.selectOption('#cell', 'lstm');
        await page.fill('#size-H', '3');
        await page.fill('#size-T', '5');
        await page.fill('#size-N', '2');
        const gates = await page.locator('#backward-col table.heat[data-name="dWx"] th.gate').allTextContents();
        expect(gates.join('|') === 'f|i|g|o', `LSTM dWx shows gate blocks f | i | g | o (${gates.join('|')})`);
        const caption = await page.locator('#backward-col table.heat[data-name="dWx"] caption').textContent();
        expect(/×12$/.test(caption ?? ''), `dWx is D×4H = …×12 at H = 3 (${caption})`);
        const cForm = await page.locator('#forward-col [data-quantity="c"] .eq').first().getAttribute('title');
        expect(cForm === 'c_t = f ⊙ c_{t−1} + i ⊙ g', `c_t beside its formula from the reference (${cForm})`);
        await page.selectOption('#cell', 'gru');
        const gruGates = await page.locator('#backward-col table.heat[data-name="dWx"] th.gate').allTextContents();
        expect(gruGates.join('|') === 'r|z|n', `GRU dWx shows gate blocks r | z | n (${gruGates.join('|')})`);
        await page.selectOption('#cell', 'lstm');

        // Time: buttons and keys.
        const tText = () => page.locator('#t-out').textContent();
        await page.locator('#t-next').click();
        await page.locator('#t-next').click();
        expect((await tText()) === 't = 3 of 5', `two clicks on t + 1 reach t = 3 (${await tText()})`);
        await page.keyboard.press('ArrowLeft');
        expect((await tText()) === 't = 2 of 5', `← steps back to t = 2 (${await tText()})`);
        await page.keyboard.press('End');
        expect((await tText()) === 't = 5 of 5', `End reaches t = 5 (${await tText()})`);
        const carried = await page.locator('#backward-col .note').first().textContent();
        expect(/last step/.test(carried ?? ''), 'at the last step, nothing is carried back');
        await page.keyboard.press('Home');
        expect((await tText()) === 't = 1 of 5', `Home returns to t = 1 (${await tText()})`);

        // The gradient check table, the CLI's columns (computed in the worker: wait for the LSTM's).
        await page.waitForFunction(
          () => /^ok: all 12 /.test(document.getElementById('check-verdict').textContent),
          null,
          {
            timeout: 30000,
          },
        );
        const head = await page.locator('#check-table th').allTextContents();
        expect(
          head.join('|') === 'kernel|gradient|shape|rel error|norm rel|ok',
          `check table columns (${head.join('|')})`,
        );
        const rows = await page.locator('#check-table tbody tr').count();
        expect(rows === 12, `lstm-step and lstm: 6 + 6 gradient rows (${rows})`);
        expect(
          /^ok: all 12 gradients pass/.test((await page.locator('#check-verdict').textContent()) ?? ''),
          'the library passes its check',
        );

        // Gradient flow: the ρ slider changes the plot's data.
        const before = await page.locator('#flow-plot').getAttribute('data-grad-first');
        const pathsBefore = await page
          .locator('#flow-plot svg path')
          .evaluateAll((ps) => ps.map((p) => p.getAttribute('d')).join());
        await page.locator('#rho').focus();
        for (let k = 0; k < 6; k++) await page.keyboard.press('ArrowRight');
        await page.waitForFunction((b) => document.getElementById('flow-plot').dataset.gradFirst !== b, before);
        const after = await page.locator('#flow-plot').getAttribute('data-grad-first');
        const pathsAfter = await page
          .locator('#flow-plot svg path')
          .evaluateAll((ps) => ps.map((p) => p.getAttribute('d')).join());
        expect(before !== after && pathsBefore !== pathsAfter, `ρ slider redraws the plot (${before} → ${after})`);

        // Check my kernel: the template passes, a forgotten dc_next is named, an endless loop is stopped.
        await page.fill('#size-D', '3');
        await runMine(page);
        const v1 = await page.locator('#mine-report .verdict').textContent();
        expect(/^ok: all \d+ checks pass/.test(v1 ?? ''), `the template RNN step passes (${v1})`);
        await setEditor(page, lstmHomework(false));
        await runMine(page);
        const v2 = await page.locator('#mine-report .verdict').textContent();
        expect(/^ok: all \d+ checks pass/.test(v2 ?? ''), `a correct LSTM/RNN/GRU homework passes (${v2})`);
        await setEditor(page, lstmHomework(true));
        await runMine(page);
        const v3 = await page.locator('#mine-report .verdict').textContent();
        const diagnosis = (await page.locator('#mine-report .diagnosis').allTextContents()).join('\n');
        expect(/^FAIL/.test(v3 ?? ''), `forgetting dc_next fails (${v3})`);
        expect(
          /dc_next/.test(diagnosis) && /lstm-step:/.test(diagnosis),
          `the diagnosis names dc_next (${diagnosis.split('\n')[0]})`,
        );
        await page.locator('#mine-report').scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, 'check-my-kernel-1280.png'), fullPage: false });
        await setEditor(
          page,
          'export function rnnStepForward() { for (;;) {} }\nexport function rnnStepBackward() {}\n',
        );
        const started = Date.now();
        await runMine(page);
        const v4 = await page.locator('#mine-report .verdict').getAttribute('data-error-kind');
        expect(v4 === 'timeout', `an endless loop is stopped at the time limit (${v4}, ${Date.now() - started} ms)`);
        await page.locator('#reset-mine').click();
      } else {
        await page.locator('#t-next').click();
        expect((await page.locator('#t-out').textContent()) === 't = 2 of 4', 'the stepper works at 390 px');
      }

      // Keyboard: Tab reaches the controls in order, with a visible focus ring.
      await page.evaluate(() => window.scrollTo(0, 0));
      // From the skip link, the first stop of the page.
      await page.evaluate(() => document.querySelector('.skip').focus());
      const order = [];
      for (let k = 0; k < 7; k++) {
        await page.keyboard.press('Tab');
        order.push(
          await page.evaluate(() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const ring = style.outlineStyle !== 'none' && style.outlineWidth !== '0px';
            return `${el.id || el.tagName.toLowerCase()}:${ring}`;
          }),
        );
      }
      const ids = order.map((o) => o.split(':')[0]);
      expect(
        ['cell', 'size-N', 'size-D', 'size-H', 'size-T', 'seed'].every(
          (id, k) => ids.indexOf(id) === ids.indexOf('cell') + k,
        ),
        `${width} px: Tab order cell, N, D, H, T, seed (${ids.join(' ')})`,
      );
      expect(
        order.filter((o) => ['cell', 'size-N', 'seed'].includes(o.split(':')[0])).every((o) => o.endsWith(':true')),
        `${width} px: focus is visible`,
      );

      await noSideScroll(page, width);
      await page.screenshot({ path: join(shots, `explorable-${width}.png`), fullPage: true });
      expect(
        errors.length === 0,
        `${width} px: no console errors${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''}`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`explorable-check: screenshots in ${shots}`);
  if (failures.length > 0) {
    console.error(`explorable-check: ${failures.length} failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('explorable-check: all checks pass');
}

await main();
