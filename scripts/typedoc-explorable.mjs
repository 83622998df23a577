// @ts-check
/**
 * A local typedoc plugin: puts the explorable page (explorable/, built by
 * scripts/build-explorable.mjs) into the site as <out>/explorable/, so the
 * page docs/explorable.md links to is served beside the docs. Builds it first
 * (into explorable-site/) when it is missing or older than any of its sources
 * (explorable/, src/), so the copy is never stale. A page links to it as `explorable:index.html`:
 * typedoc would take a relative link for a file of the repository and copy
 * that alone into media/; this plugin turns the link into the site's path.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PageEvent, RendererEvent } from 'typedoc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.on(PageEvent.END, (page) => {
    if (page.contents === undefined || !page.contents.includes('href="explorable:')) return;
    const up = '../'.repeat(page.url.split('/').length - 1);
    page.contents = page.contents.replace(/href="explorable:([^"]*)"/g, (_m, path) => `href="${up}explorable/${path}"`);
  });
  app.renderer.on(RendererEvent.END, (event) => {
    const built = join(root, 'explorable-site');
    if (stale(join(built, 'app.js'))) {
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-explorable.mjs')], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('typedoc-explorable: building the explorable page failed');
    }
    const out = join(event.outputDirectory, 'explorable');
    cpSync(built, out, { recursive: true, filter: (src) => !src.includes(`${join(built, 'screenshots')}`) });
  });
}

/** Whether `app` is missing or older than a file under explorable/ or src/. */
function stale(app) {
  if (!existsSync(app)) return true;
  const built = statSync(app).mtimeMs;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > built,
    );
  return newer(join(root, 'explorable')) || newer(join(root, 'src'));
}
