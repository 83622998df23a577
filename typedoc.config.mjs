// @ts-check
/**
 * typedoc configuration (a JS file, because `markdownItLoader` is a function).
 * `npm run docs` builds the API reference plus the pages in docs/ into
 * docs-site/ (git-ignored), with every $…$ / $$…$$ formula typeset by KaTeX,
 * in the pages and in doc comments alike. `npm run docs:check` then renders
 * the site in headless Chromium (scripts/docs-check.mjs).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import katex from '@vscode/markdown-it-katex';

/**
 * The guide pages in reading order. The README is the site's front page and
 * heads the sidebar; these follow it, each titled by its front matter
 * `title`, without a group heading (scripts/typedoc-reading-order.mjs puts
 * them in typedoc's "none" group), in this order. Then the API, one module
 * per subpath, and last the pages for contributors, under "Contributing".
 * A docs/*.md page in neither list fails `npm run docs:check`.
 */
export const READING_ORDER = [
  'docs/rnn.md',
  'docs/lstm.md',
  'docs/gru.md',
  'docs/gradient-checking.md',
  'docs/gradient-checking-cli.md',
  'docs/explorable.md',
  'docs/shapes.md',
  'docs/interop.md',
  'docs/training.md',
  'docs/experiments.md',
  'docs/performance.md',
  'docs/reliability.md',
];
const contributorPages = ['docs/architecture.md', 'docs/performance-design.md'];
const here = dirname(fileURLToPath(import.meta.url));
/** The contributor pages this checkout has (a page may arrive with another branch). */
export const CONTRIBUTOR_PAGES = contributorPages.filter((p) => existsSync(join(here, p)));
/** Every docs/*.md, so a page in neither list still builds (and docs:check names it). */
const unplaced = readdirSync(join(here, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`)
  .filter((p) => !READING_ORDER.includes(p) && !contributorPages.includes(p));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  // One module per public subpath of package.json's exports, each named by its `@module` tag.
  entryPoints: [
    'src/index.ts',
    'src/reference.ts',
    'src/gradcheck/index.ts',
    'src/interop/index.ts',
    'src/train/index.ts',
    'src/linalg/public.ts',
  ],
  out: 'docs-site',
  name: 'handgrad',
  readme: 'README.md',
  projectDocuments: [...READING_ORDER, ...CONTRIBUTOR_PAGES, ...unplaced],
  // Documents keep the order above ("kind" puts them before the API; the
  // documents compare equal after that, and the sort is stable).
  sort: ['kind', 'instance-first', 'alphabetical-ignoring-documents'],
  navigation: { includeGroups: true, includeCategories: false, includeFolders: false },
  groupOrder: ['Modules', '*', 'Contributing'],
  treatWarningsAsErrors: true,
  // No public repository URL yet: typedoc's own source links would point
  // nowhere. The docs' links to source lines go to the site's source pages
  // instead (scripts/typedoc-source-pages.mjs writes them).
  disableSources: true,
  customCss: './typedoc.css',
  // typedoc's defaults plus Python, for the PyTorch snippets in docs/interop.md.
  highlightLanguages: [
    'bash',
    'console',
    'css',
    'html',
    'javascript',
    'json',
    'jsonc',
    'json5',
    'yaml',
    'tsx',
    'typescript',
    'python',
  ],
  validation: {
    notExported: true,
    invalidLink: true,
    invalidPath: true,
    rewrittenLink: true,
    notDocumented: true,
    unusedMergeModuleWith: true,
  },
  plugin: [
    './scripts/typedoc-katex.mjs',
    './scripts/typedoc-source-pages.mjs',
    './scripts/typedoc-reading-order.mjs',
    './scripts/typedoc-explorable.mjs',
  ],
  // The same markdown-it instance renders the pages and the doc comments, so
  // $…$ in a comment is typeset as it is in a page.
  markdownItLoader(parser) {
    parser.use(katex.default ?? katex);
  },
};

export default config;
