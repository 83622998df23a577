/**
 * The derivation lines the page typesets, read out of the reference cells'
 * own source (src/<cell>/reference.ts) rather than copied: the first doc
 * sentence of each step function (its formulas), the doc comment of each
 * cache field (`The forget gate f = σ(A_f), N×H.`) and the `// lhs = rhs`
 * comment beside a line. Rewording a comment there rewords the page;
 * test/explorable/formulas.test.ts fails when a quantity the page shows loses
 * its formula.
 */

/** One equation of the derivation, as written in the source and as LaTeX. */
export interface Equation {
  /** The quantity it defines, in the code's names: `f`, `dhPrev`, `dWx`, or an intermediate (`u`, `dA`). */
  readonly name: string;
  /** Where it was read: the function's doc comment, a cache field's doc comment, or a line comment. */
  readonly from: 'doc' | 'field' | 'line';
  /** The text as in the source, e.g. `c_t = f ⊙ c_{t−1} + i ⊙ g`. */
  readonly text: string;
  /** The same for KaTeX. */
  readonly tex: string;
}

/** The derivation of one cell's step, forward and backward, in source order. */
export interface CellDerivation {
  readonly cell: string;
  readonly forward: Equation[];
  readonly backward: Equation[];
  /** The first doc sentence of the sequence backward (how the carried gradients enter each step). */
  readonly bptt: string;
}

/** The code's name for a symbol on the left of `=`: h_t → h, dh_{t−1} → dhPrev, dW_x → dWx, dA_f → dAf. */
export function codeName(symbol: string): string {
  const s = symbol.trim();
  if (/_\{t[−-]1\}$/.test(s)) return `${s.replace(/_\{t[−-]1\}$/, '')}Prev`;
  if (/_t$/.test(s)) return s.slice(0, -2);
  return s.replace(/_\{?([A-Za-z]+)\}?/g, '$1');
}

/** Splits at depth 0 (outside (), [], {}) on any of `seps`. */
function splitTop(text: string, seps: string[]): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let k = 0; k < text.length; k++) {
    const ch = text[k] as string;
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    const sep = depth === 0 ? seps.find((s) => text.startsWith(s, k)) : undefined;
    if (sep !== undefined) {
      out.push(cur);
      cur = '';
      k += sep.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The equations of a doc comment's formula sentence: `a = …, b = …; c, d = …: words` → one per left side. */
export function equationsOf(sentence: string): { lhs: string[]; text: string }[] {
  // The formulas end where the prose starts: at ': ' (": one step forward") or the final period.
  const formulas = (splitTop(sentence, [': '])[0] ?? '').replace(/\.\s*$/, '');
  const pieces = splitTop(formulas, [';', ', ']).map((p) => p.trim().replace(/^then\s+/, ''));
  const out: { lhs: string[]; text: string }[] = [];
  let pending: string[] = [];
  for (const piece of pieces) {
    if (!piece.includes('=')) {
      // `f, i, o = σ(…)`: the names before the `=` arrive as their own pieces.
      if (/^[\p{L}_{}0-9−-]+$/u.test(piece)) pending.push(piece);
      continue;
    }
    const [left, ...right] = piece.split(' = ');
    if (right.length === 0) continue;
    const lhs = [...pending, ...(left as string).split(',').map((s) => s.trim())];
    out.push({ lhs, text: `${lhs.join(', ')} = ${right.join(' = ')}` });
    pending = [];
  }
  return out;
}

const SUPERSCRIPTS: Record<string, string> = { '²': '^2', ᵀ: '^{\\top}' };

/** The unicode math of the comments as LaTeX. */
export function toTex(text: string): string {
  let s = text;
  s = s.replace(/_\{?([A-Za-z]{2,})\}?/g, (_m, w: string) => `_{\\text{${w}}}`);
  s = s.replace(/\btanh\b/g, '\\tanh ');
  s = s.replace(/[²ᵀ]/g, (c) => SUPERSCRIPTS[c] as string);
  s = s
    .replace(/⊙/g, '\\odot ')
    .replace(/·/g, '\\cdot ')
    .replace(/σ/g, '\\sigma ')
    .replace(/Σ/g, '\\Sigma ')
    .replace(/−/g, '-')
    .replace(/…/g, '\\dots ')
    .replace(/\|/g, '\\;|\\; ');
  return s.trim();
}

/** The text of `export function <name>(` … its closing brace, and the doc comment before it. */
function functionOf(source: string, name: string): { doc: string; body: string } {
  const at = source.indexOf(`export function ${name}(`);
  if (at < 0) throw new Error(`formulas: no export function ${name} in the reference source`);
  const docEnd = source.lastIndexOf('*/', at);
  const docStart = source.lastIndexOf('/**', docEnd);
  const doc = source
    .slice(docStart + 3, docEnd)
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const end = source.indexOf('\n}\n', at);
  return { doc, body: source.slice(at, end < 0 ? undefined : end) };
}

/** `// lhs = rhs` comments beside code lines, keyed by the name of what the line writes. */
function lineEquations(body: string): Equation[] {
  const out: Equation[] = [];
  for (const line of body.split('\n')) {
    const m = /^(.*?)\s\/\/\s(.+)$/.exec(line);
    if (m === null || !(m[2] as string).includes(' = ')) continue;
    const text = (m[2] as string).trim();
    out.push({ name: codeName(text.split(' = ')[0] as string), from: 'line', text, tex: toTex(text) });
  }
  return out;
}

/** `/** … x = …, N×H. *\/ readonly name: Matrix;` → the field's equation, when its comment has one. */
function fieldEquations(source: string, iface: string): Equation[] {
  const at = source.indexOf(`export interface ${iface} {`);
  if (at < 0) return [];
  const body = source.slice(at, source.indexOf('\n}\n', at));
  const out: Equation[] = [];
  for (const m of body.matchAll(/\/\*\*\s*(.+?)\s*\*\/\s*readonly (\w+):/gs)) {
    const doc = (m[1] as string).replace(/\s*\n\s*\*\s*/g, ' ');
    const formula = (doc.split(/, [NDH1]×/)[0] as string).trim();
    const eq = /(\S+) = (.+)$/.exec(formula);
    if (eq === null) continue;
    const text = `${eq[1]} = ${eq[2]}`;
    out.push({ name: m[2] as string, from: 'field', text, tex: toTex(text) });
  }
  return out;
}

function fromDoc(doc: string): Equation[] {
  const sentence = doc.split(/\.\s|\.$/)[0] ?? doc;
  return equationsOf(sentence).flatMap(({ lhs, text }) =>
    lhs.map((s) => ({ name: codeName(s), from: 'doc' as const, text, tex: toTex(text) })),
  );
}

/** Drops repeated (name, text) pairs, keeping the first. */
function unique(eqs: Equation[]): Equation[] {
  const seen = new Set<string>();
  return eqs.filter((e) => {
    const key = `${e.name}\u0000${e.text.replace(/\s+/g, '')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads the derivation of cell `cell` (`rnn`, `lstm`, `gru`) out of its reference source text. */
export function derivationOf(cell: string, source: string): CellDerivation {
  const title = cell.charAt(0).toUpperCase() + cell.slice(1);
  const fwd = functionOf(source, `${cell}StepForward`);
  const bwd = functionOf(source, `${cell}StepBackward`);
  const seq = functionOf(source, `${cell}Backward`);
  return {
    cell,
    forward: unique([...fromDoc(fwd.doc), ...fieldEquations(source, `${title}StepCache`), ...lineEquations(fwd.body)]),
    backward: unique([...fromDoc(bwd.doc), ...lineEquations(bwd.body)]),
    bptt: (seq.doc.split(/:\s/)[0] ?? seq.doc).replace(/\.$/, ''),
  };
}

/** The equations defining `name`, the function's own first. */
export function equationsFor(eqs: readonly Equation[], name: string): Equation[] {
  return eqs.filter((e) => e.name === name);
}
