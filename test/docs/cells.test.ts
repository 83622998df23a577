/**
 * The docs' per-cell tables say what the cell descriptors (src/cells.ts) say:
 * the checker's kernel table in docs/gradient-checking-cli.md is rendered from
 * them, and every cell page and docs/shapes.md give each parameter its shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CELL_DESCRIPTORS } from '../../src/cells';
import { blocksOf, kernelsOf, type CellDescriptor } from '../../src/descriptor';
import { root } from './markdown';

const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** The rows of the kernel table: signature and result names of every kernel, from the call conventions. */
function kernelTable(cells: readonly CellDescriptor[]): string {
  const rows = ['| kernel | forward → returns | backward → returns |', '| --- | --- | --- |'];
  for (const cell of cells) {
    const params = `{ ${cell.params.map((p) => p.name).join(', ')} }`;
    for (const k of kernelsOf(cell)) {
      const names = Object.fromEntries(k.activations.map((a) => [a.name, a.name]));
      const forwardArgs = k.forwardArgs({ ...names, p: params }).join(', ');
      const upstream = Object.fromEntries(k.outputs.map((o) => [o.name, o.upstream]));
      const backwardArgs = k.backwardArgs(upstream, 'cache').join(', ');
      const results = `{ ${[...k.outputs.map((o) => o.name), 'cache'].join(', ')} }`;
      const grads = [...k.activations, ...cell.params].map((a) => `d${a.name}`).join(', ');
      rows.push(
        `| \`${k.kernel}\` | \`${k.forwardName}(${forwardArgs})\` → \`${results}\` ` +
          `| \`${k.backwardName}(${backwardArgs})\` → \`{ ${grads} }\` |`,
      );
    }
  }
  return rows.join('\n');
}

/** `$D \times 4H$` for a D-row parameter of a four-gate cell. */
const texShape = (cell: CellDescriptor, rows: string): string =>
  `$${rows} \\times ${blocksOf(cell) === 1 ? '' : blocksOf(cell)}H$`;
/** `W_x` for `Wx`, `b` for `b`. */
const texSymbol = (name: string): string => (name.length === 1 ? name : `${name[0]}_${name.slice(1)}`);

describe('the per-cell tables agree with the cell descriptors', () => {
  test('docs/gradient-checking-cli.md: the kernel table is the one the descriptors render', () => {
    const page = read('docs/gradient-checking-cli.md');
    const table = kernelTable(CELL_DESCRIPTORS);
    // On a mismatch, paste the table below over the page's (it is generated from src/cells.ts).
    expect({ inPage: page.includes(`${table}\n`), table }).toEqual({ inPage: true, table });
  });

  const byName = CELL_DESCRIPTORS.map((c) => [c.name, c] as const);
  test.each(byName)('%s: its page gives every parameter its shape', (_, cell) => {
    const page = read(cell.doc);
    for (const p of cell.params) {
      const symbol = `| $${texSymbol(p.name)}$ |`;
      const shape = `| ${texShape(cell, p.rows)} |`;
      const found = page.split('\n').some((line) => line.startsWith(symbol) && line.endsWith(shape));
      expect({ param: p.name, row: found }).toEqual({ param: p.name, row: true });
    }
  });

  test.each(byName)('%s: docs/shapes.md gives every parameter its shape', (_, cell) => {
    const rows = read('docs/shapes.md')
      .split('\n')
      .filter((l) => l.startsWith('|'));
    for (const p of cell.params) {
      const shape = texShape(cell, p.rows).slice(1, -1);
      expect({ param: p.name, found: rows.some((r) => r.includes(`\`${p.name}\``) && r.includes(shape)) }).toEqual({
        param: p.name,
        found: true,
      });
    }
  });

  test.each(CELL_DESCRIPTORS.filter((c) => c.gateOrder.length > 0).map((c) => [c.name, c] as const))(
    '%s: its page states the gate order',
    (_, cell) => {
      const order = cell.gateOrder.join(' | ');
      const page = read(cell.doc);
      const forms = [cell.gateOrder.join(' \\mid '), `(${cell.gateOrder.join(', ')})`];
      expect({ order, stated: forms.some((f) => page.includes(f)) }).toEqual({ order, stated: true });
    },
  );
});
