/**
 * Finding the user's line in an error's stack: the first frame that is
 * neither Node's own code nor this package's, with its path made relative to
 * the working directory so it reads like the path the student typed.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../gradcheck/index.js';

/** This package's root: dist/cjs/cli/ → the package (src/cli/ → the clone when run from source). */
const PACKAGE_ROOT = resolve(__dirname, '..', '..', '..');
const OWN_CODE = [resolve(PACKAGE_ROOT, 'dist') + sep, resolve(PACKAGE_ROOT, 'src') + sep];

// "    at fn (/abs/file.js:12:5)", "    at file:///abs/file.mjs:3:9", "    at async Promise.all (index 0)"
const FRAME = /^\s*at (?:.*?\()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

function toPath(file: string): string | null {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return null;
    }
  }
  return isAbsolute(file) ? file : null;
}

/**
 * How a path is shown: relative to `cwd` (`hw.js`, `../hw.js`) as the student
 * would type it, or absolute when no relative path exists (another drive).
 */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== '' && !isAbsolute(rel) ? rel : path;
}

/**
 * The first frame of `stack` in the user's code (not `node:` internals, not
 * this package's dist/ or src/), or null when there is none.
 */
export function userLocation(stack: string | undefined, cwd: string = process.cwd()): SourceLocation | null {
  if (stack === undefined) return null;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (m === null) continue;
    const path = toPath(m[1] as string);
    if (path === null || OWN_CODE.some((own) => path.startsWith(own))) continue;
    return { file: displayPath(path, cwd), line: Number(m[2]), column: Number(m[3]) };
  }
  return null;
}

/**
 * Where a SyntaxError points: Node prints the file and line as the stack's
 * first line ("/abs/hw.js:12") rather than as an "at" frame.
 */
export function syntaxErrorLocation(stack: string | undefined, cwd: string = process.cwd()): SourceLocation | null {
  const first = stack?.split('\n')[0] ?? '';
  const m = /^((?:file:\/\/)?\S+?):(\d+)$/.exec(first);
  if (m === null) return null;
  const path = toPath(m[1] as string);
  return path === null ? null : { file: displayPath(path, cwd), line: Number(m[2]), column: 1 };
}

/** `file:line:column`. */
export function formatLocation(where: SourceLocation): string {
  return `${where.file}:${where.line}:${where.column}`;
}
