/**
 * docs/gradient-checking-cli.md shows the catalog of classic mistakes as a
 * table generated from the catalog itself (scripts/catalog-table.mjs writes
 * it), and every anchor the catalog links to exists in the docs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogMarkdownTable, mistakeCatalog } from '../../src/gradcheck/index';

const root = join(__dirname, '..', '..');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-');

describe('the catalog in the docs', () => {
  it('docs/gradient-checking-cli.md holds the table generated from the catalog', () => {
    // Regenerate it with: node scripts/build.mjs && node scripts/catalog-table.mjs
    const doc = readFileSync(join(root, 'docs/gradient-checking-cli.md'), 'utf8');
    const table = /<!-- catalog:start -->\n([\s\S]*?)\n<!-- catalog:end -->/.exec(doc)?.[1];
    expect(table).toBe(catalogMarkdownTable());
  });

  it('has one table row per cell and family, and every family member is listed', () => {
    const rows = catalogMarkdownTable().split('\n').slice(2);
    const families = new Set(mistakeCatalog().map((m) => `${m.cell} ${m.family}`));
    expect(rows).toHaveLength(families.size);
    for (const m of mistakeCatalog().filter((x) => x.family !== 'gate-order')) {
      const family = mistakeCatalog().filter((x) => x.cell === m.cell && x.family === m.family);
      if (family.length > 1) expect(rows.some((r) => r.includes(`\`${m.id}\``))).toBe(true);
    }
  });

  it.each([...new Set(mistakeCatalog().map((m) => m.anchor))])('%s is a heading of its page', (anchor) => {
    const [file, hash] = anchor.split('#') as [string, string];
    const headings = readFileSync(join(root, file), 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, '')));
    expect(headings).toContain(hash);
  });
});
