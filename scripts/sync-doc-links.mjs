// Keeps the line ranges in the docs' links into the source true.
//
// A derivation step in docs/*.md (or README.md) links to the code that
// implements it as
//
//     [`lstmStepBackwardInto`](../src/lstm/step.ts#L127-L180)
//
// The link text names a declaration (a function, class, interface, type or
// const; `Class.member` for a member), and this script finds that declaration
// with the TypeScript compiler API and rewrites the fragment to its current
// lines: from the line of the declaration itself (after its doc comment)
// through its closing line. A link with no fragment gets one.
//
//     node scripts/sync-doc-links.mjs            rewrite the files in place
//     node scripts/sync-doc-links.mjs --check    change nothing; exit 1 and
//                                                list every stale link
//     --root DIR                                 work on another checkout
//                                                (the tests use a fixture)
//
// Errors (exit 2 in either mode): a link into a .ts file that does not exist,
// a name the file does not declare, and a line-range link whose text does not
// name a declaration (an unanchored range cannot be kept true, so it is not
// allowed).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

/** Every Markdown file whose links are kept: README.md and docs/*.md. */
export function markdownFiles(root) {
  const files = [];
  if (existsSync(join(root, 'README.md'))) files.push(join(root, 'README.md'));
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const name of readdirSync(docs).sort()) if (name.endsWith('.md')) files.push(join(docs, name));
  }
  return files;
}

/**
 * Line ranges (1-based, inclusive) of the named declarations of a TypeScript
 * file: top-level functions, classes, interfaces, type aliases, enums and
 * const/let bindings, and `Class.member` for class members.
 */
export function declarationRanges(path) {
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const line = (pos) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const span = (node) => ({ start: line(node.getStart(sf)), end: line(node.getEnd()) });
  /** @type {Map<string, {start: number, end: number}>} */
  const ranges = new Map();
  const add = (name, range) => {
    // Overloads: keep the span from the first signature to the implementation.
    const old = ranges.get(name);
    ranges.set(name, old ? { start: Math.min(old.start, range.start), end: Math.max(old.end, range.end) } : range);
  };
  for (const st of sf.statements) {
    if (
      (ts.isFunctionDeclaration(st) ||
        ts.isClassDeclaration(st) ||
        ts.isInterfaceDeclaration(st) ||
        ts.isTypeAliasDeclaration(st) ||
        ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      add(st.name.text, span(st));
      if (ts.isClassDeclaration(st)) {
        for (const member of st.members) {
          if (member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name))) {
            add(`${st.name.text}.${member.name.text}`, span(member));
          } else if (ts.isConstructorDeclaration(member)) {
            add(`${st.name.text}.constructor`, span(member));
          }
        }
      }
    } else if (ts.isVariableStatement(st)) {
      for (const decl of st.declarationList.declarations) {
        if (ts.isIdentifier(decl.name)) add(decl.name.text, span(st));
      }
    }
  }
  return ranges;
}

// [`name`](path.ts#L1-L2) — the name may end in "()" for readability.
const NAMED_LINK = /\[`([A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)?)(?:\(\))?`\]\(([^)\s#]+\.ts)(#L\d+(?:-L\d+)?)?\)/g;
// Any link into a .ts file with a line fragment, named or not.
const RANGE_LINK = /\[([^\][\n]*)\]\(([^)\s#]+\.ts)#L\d+(?:-L\d+)?\)/g;

/**
 * Computes the synced text of one Markdown file. Returns the new text, the
 * stale links (old → new) and the errors.
 */
export function syncFile(mdPath, root) {
  const text = readFileSync(mdPath, 'utf8');
  const errors = [];
  const stale = [];
  const cache = new Map();
  const rel = relative(root, mdPath);
  const lineOf = (index) => text.slice(0, index).split('\n').length;

  for (const m of text.matchAll(RANGE_LINK)) {
    if (!/^`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$#][\w$]*)?(?:\(\))?`$/.test(m[1])) {
      errors.push(`${rel}:${lineOf(m.index)}: line-range link "${m[0]}" must name its declaration as [\`name\`](…)`);
    }
  }

  const next = text.replace(NAMED_LINK, (whole, name, target, fragment, offset) => {
    if (/^[a-z]+:/i.test(target)) return whole; // an absolute URL: not ours
    const tsPath = resolve(dirname(mdPath), target);
    if (!tsPath.startsWith(root)) return whole;
    if (!existsSync(tsPath)) {
      errors.push(`${rel}:${lineOf(offset)}: ${target} does not exist`);
      return whole;
    }
    let ranges = cache.get(tsPath);
    if (!ranges) {
      ranges = declarationRanges(tsPath);
      cache.set(tsPath, ranges);
    }
    const range = ranges.get(name);
    if (!range) {
      errors.push(`${rel}:${lineOf(offset)}: ${target} declares no "${name}"`);
      return whole;
    }
    const wanted = `#L${range.start}-L${range.end}`;
    if (fragment === wanted) return whole;
    const updated = whole.replace(`${target}${fragment ?? ''})`, `${target}${wanted})`);
    stale.push(`${rel}:${lineOf(offset)}: ${name}: ${fragment ?? '(no range)'} → ${wanted}`);
    return updated;
  });
  return { text: next, changed: next !== text, stale, errors };
}

function main(argv) {
  const check = argv.includes('--check');
  const rootAt = argv.indexOf('--root');
  const root = resolve(rootAt >= 0 ? argv[rootAt + 1] : join(dirname(fileURLToPath(import.meta.url)), '..'));
  const errors = [];
  const stale = [];
  for (const md of markdownFiles(root)) {
    const r = syncFile(md, root);
    errors.push(...r.errors);
    stale.push(...r.stale);
    if (r.changed && !check) writeFileSync(md, r.text);
  }
  for (const e of errors) console.error(`error: ${e}`);
  if (errors.length > 0) return 2;
  if (stale.length === 0) {
    console.log('sync-doc-links: every source link names its declaration and its line range is current');
    return 0;
  }
  for (const s of stale) console.log(`${check ? 'stale' : 'updated'}: ${s}`);
  if (check) {
    console.error(`sync-doc-links: ${stale.length} link(s) out of date; run \`npm run docs:links\``);
    return 1;
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
