// @ts-check
/**
 * A local typedoc plugin: the KaTeX markdown-it plugin (typedoc.config.mjs)
 * turns $…$ into KaTeX HTML, but that HTML only looks like math with KaTeX's
 * stylesheet and fonts. This copies both from the installed `katex` package
 * into docs-site/assets/katex/ and links the stylesheet from every page's
 * <head>, so the site needs no network to typeset.
 */
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { JSX, RendererEvent } from 'typedoc';

const require = createRequire(import.meta.url);
const katexDist = join(dirname(require.resolve('katex/package.json')), 'dist');

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.hooks.on('head.end', (context) =>
    JSX.createElement(
      JSX.Fragment,
      null,
      // (A wide display formula scrolls inside its own box: typedoc.css.)
      JSX.createElement('link', { rel: 'stylesheet', href: context.relativeURL('assets/katex/katex.min.css') }),
    ),
  );
  // The README (the site's front page) heads the navigation, before the guide
  // pages, so the sidebar reads in the order the pages are meant to be read.
  app.renderer.hooks.on('sidebar.begin', (context) =>
    JSX.createElement(
      'nav',
      { id: 'handgrad-start', class: 'tsd-navigation' },
      JSX.createElement('a', { href: context.relativeURL('index.html') }, 'Introduction (README)'),
    ),
  );
  app.renderer.on(RendererEvent.END, (event) => {
    const target = join(event.outputDirectory, 'assets', 'katex');
    cpSync(join(katexDist, 'katex.min.css'), join(target, 'katex.min.css'));
    cpSync(join(katexDist, 'fonts'), join(target, 'fonts'), { recursive: true });
  });
}
