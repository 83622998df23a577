// @ts-check
/**
 * typedoc configuration (a JS file, because `markdownItLoader` is a function).
 * `npm run docs` builds the API reference plus the pages in docs/ into
 * docs-site/ (git-ignored), with every $…$ / $$…$$ formula typeset by KaTeX.
 */
import katex from '@vscode/markdown-it-katex';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  // One module per public subpath of package.json's exports, in the order a reader meets them.
  entryPoints: ['src/index.ts', 'src/gradcheck/index.ts', 'src/interop/index.ts', 'src/train/index.ts', 'src/linalg/public.ts'],
  out: 'docs-site',
  name: 'handgrad',
  // Every page in docs/ (the README, the site's front page, lists them in reading order).
  projectDocuments: ['docs/*.md'],
  treatWarningsAsErrors: true,
  // No public repository URL yet: source links would point nowhere (and typedoc
  // warns when the clone's remote is not a forge URL).
  disableSources: true,
  // typedoc's defaults plus Python, for the PyTorch snippets in docs/interop.md.
  highlightLanguages: ['bash', 'console', 'css', 'html', 'javascript', 'json', 'jsonc', 'json5', 'yaml', 'tsx', 'typescript', 'python'],
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  plugin: ['./scripts/typedoc-katex.mjs'],
  markdownItLoader(parser) {
    parser.use(katex.default ?? katex);
  },
};

export default config;
