/**
 * Reading the documentation pages for the docs tests: which Markdown files
 * are documentation, and the fenced code blocks inside them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

/** README.md and every docs/*.md, as paths relative to the repository root. */
export function docFiles(): string[] {
  const files = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  for (const name of readdirSync(join(root, 'docs')).sort()) {
    if (name.endsWith('.md')) files.push(`docs/${name}`);
  }
  return files;
}

/** A fenced code block of a page. */
export interface CodeBlock {
  /** Page path relative to the root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The info string after the fence (`ts`, `text`, `ts-norun`, …). */
  readonly lang: string;
  /** The block's text, without the fences. */
  readonly code: string;
  /** Whether the line before the fence (blank lines skipped) is `<!-- output -->`. */
  readonly markedOutput: boolean;
}

/** Every fenced block of a page, in order. Fences are ``` or longer runs of backticks. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() !== fence) j++;
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    blocks.push({
      file,
      line: i + 1,
      lang: open[2]!,
      code: lines.slice(i + 1, j).join('\n'),
      markedOutput: k >= 0 && lines[k]!.trim() === '<!-- output -->',
    });
    i = j;
  }
  return blocks;
}

/** A runnable example, with the console output its page promises, if any. */
export interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly expectedOutput: string | undefined;
}

/**
 * The runnable examples of a page: every ```ts / ```typescript block, paired
 * with the ```text block that follows it when that block is marked
 * `<!-- output -->`. Throws when an output marker follows no ts block.
 */
export function examples(file: string): Example[] {
  const blocks = codeBlocks(file);
  const out: Example[] = [];
  blocks.forEach((b, n) => {
    if (b.markedOutput) {
      const prev = blocks[n - 1];
      if (b.lang !== 'text' || !prev || (prev.lang !== 'ts' && prev.lang !== 'typescript')) {
        throw new Error(`${file}:${b.line}: <!-- output --> must mark a \`\`\`text block right after a \`\`\`ts block`);
      }
    }
    if (b.lang !== 'ts' && b.lang !== 'typescript') return;
    const next = blocks[n + 1];
    out.push({
      file,
      line: b.line,
      code: b.code,
      expectedOutput: next?.markedOutput ? next.code : undefined,
    });
  });
  return out;
}
