/**
 * The package's subpaths and the source entry file behind each, read from
 * package.json's `exports` (dist/cjs/X.js ← src/X.ts), so the docs' examples
 * resolve `handgrad/…` exactly as an installed package would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface Conditions {
  readonly require?: { readonly default?: string };
}

function sources(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, Conditions | string>;
  };
  const out: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue; // ./package.json
    const built = target.require?.default;
    if (built === undefined) throw new Error(`package.json exports["${key}"] has no require.default`);
    const name = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
    out[name] = built.replace(/^\.\/dist\/cjs\//, 'src/').replace(/\.js$/, '.ts');
  }
  return out;
}

/** `{ 'handgrad': 'src/index.ts', 'handgrad/train': 'src/train/index.ts', … }`. */
export const SUBPATH_SOURCES: Readonly<Record<string, string>> = sources();

/** The module a subpath names, loaded from src/ (undefined for any other specifier). */
export function loadSubpath(spec: string): unknown {
  const file = SUBPATH_SOURCES[spec];
  return file === undefined ? undefined : (require(join(root, file)) as unknown);
}
