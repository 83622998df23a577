/**
 * The page's formulas are read out of the reference cells' source: every
 * gate, state and gradient it shows must find its derivation line there, and
 * every line must typeset in KaTeX.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import katex from 'katex';
import { makeCase, runCase } from '../../explorable/compute';
import { codeName, derivationOf, equationsOf, toTex } from '../../explorable/formulas';

const root = join(__dirname, '..', '..');
const source = (cell: string): string => readFileSync(join(root, 'src', cell, 'reference.ts'), 'utf8');

describe.each(['rnn', 'lstm', 'gru'])('%s: the derivation read from src/%s/reference.ts', (cell) => {
  const d = derivationOf(cell, source(cell));
  const step = runCase(makeCase(cell, { N: 2, D: 3, H: 2, T: 3 })).steps[1];

  it('gives every matrix the step forward keeps or returns a formula', () => {
    const names = Object.keys(step?.forward ?? {});
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !d.forward.some((e) => e.name === n))).toEqual([]);
  });

  it('gives every gradient the step backward returns a formula', () => {
    const names = Object.keys(step?.backward ?? {});
    expect(names).toContain('dWx');
    expect(names.filter((n) => !d.backward.some((e) => e.name === n))).toEqual([]);
  });

  it('quotes the source: each formula is in the file, and typesets without a KaTeX error', () => {
    const text = source(cell).replace(/\s*\n\s*\*\s*/g, ' ');
    for (const e of [...d.forward, ...d.backward]) {
      const [lhs, ...rhs] = e.text.split(' = ');
      expect(text).toContain(`${(lhs as string).split(', ').pop()} = ${rhs.join(' = ')}`);
      expect(() => katex.renderToString(e.tex, { throwOnError: true })).not.toThrow();
    }
  });
});

describe('reading the comments', () => {
  it('names symbols as the code does', () => {
    expect(['h_t', 'dh_{t−1}', 'dc_{t−1}', 'dW_x', 'db_x', 'dx_t', 'A'].map(codeName)).toEqual([
      'h',
      'dhPrev',
      'dcPrev',
      'dWx',
      'dbx',
      'dx',
      'A',
    ]);
  });

  it('splits a formula sentence at top-level commas and semicolons, keeping f, i, o = σ(…) whole', () => {
    const eqs = equationsOf('A = x·W + b; f, i, o = σ(A_f, A_i, A_o), g = tanh(A_g): one step forward.');
    expect(eqs.map((e) => e.lhs)).toEqual([['A'], ['f', 'i', 'o'], ['g']]);
    expect(eqs[1]?.text).toBe('f, i, o = σ(A_f, A_i, A_o)');
  });

  it('writes unicode math as LaTeX', () => {
    expect(toTex('dW_x = x_tᵀ·dA')).toBe('dW_x = x_t^{\\top}\\cdot dA');
    expect(toTex('dc_t = dc_next + dh_t ⊙ o ⊙ (1 − tanh²(c_t))')).toBe(
      'dc_t = dc_{\\text{next}} + dh_t \\odot  o \\odot  (1 - \\tanh ^2(c_t))',
    );
  });
});
