// Rewrites the catalog table of docs/gradient-checking-cli.md (between its
// catalog markers) from the catalog in src/gradcheck/mistakes/catalog.ts.
// Build dist/ first (node scripts/build.mjs); test/gradcheck/catalog-docs.test.ts
// fails while the docs and the catalog differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { catalogMarkdownTable } = createRequire(import.meta.url)(join(root, 'dist/cjs/gradcheck/index.js'));
const path = join(root, 'docs/gradient-checking-cli.md');
const doc = readFileSync(path, 'utf8');
const re = /<!-- catalog:start -->\n[\s\S]*?<!-- catalog:end -->/;
if (!re.test(doc)) throw new Error('docs/gradient-checking-cli.md has no catalog markers');
writeFileSync(
  path,
  doc.replace(re, () => `<!-- catalog:start -->\n${catalogMarkdownTable()}\n<!-- catalog:end -->`),
);
