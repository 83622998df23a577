// Builds dist/cjs (CommonJS) and dist/esm (ES modules) from src/, each with
// its own declarations, so both `require('handgrad')` and `import 'handgrad'`
// resolve to real files with matching types.
//
// --if-stale (npm's `prepare`) skips the build when dist/ is newer than every
// input. `npx handgrad` inside a clone installs the clone itself into npx's
// cache, and npm runs `prepare` for that install: without this check the
// first `npx handgrad check` after `npm ci` silently rebuilt everything.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const esbuild = require('esbuild');

/** Rewrites every .js under `dir` through esbuild without its comments (same code, no minifying). */
function stripComments(dir, format) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) stripComments(path, format);
    else if (name.endsWith('.js') && !/[\\/]reference([\\/]|\.js$)/.test(path)) {
      const { code } = esbuild.transformSync(readFileSync(path, 'utf8'), { loader: 'js', format, target: 'node20' });
      writeFileSync(path, code);
    }
  }
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

// Written last by a build that completed, so both exist only after a whole build.
const markers = ['dist/cjs/package.json', 'dist/esm/package.json'].map((f) => join(root, f));
const inputs = ['src', 'scripts/build.mjs', 'scripts/build-wasm.mjs'];
inputs.push('tsconfig.base.json', 'tsconfig.cjs.json', 'tsconfig.esm.json');
if (process.argv.includes('--if-stale') && markers.every((f) => existsSync(f))) {
  const built = Math.min(...markers.map((f) => statSync(f).mtimeMs));
  if (built >= Math.max(...inputs.map((f) => newestMtime(join(root, f))))) process.exit(0);
}

// The WASM kernel first: assembles src/linalg/wasm/gemm.wat into the
// committed gemm-bytes.ts (under CI=true a stale committed copy fails here).
execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs'), '--check'], { stdio: 'inherit', cwd: root });
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.cjs.json', 'tsconfig.esm.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit', cwd: root });
}
// The compiled JavaScript keeps no comments, except the reference cells' (the
// derivation, read beside its code): comments are in src/, in the docs site's
// source pages and, as doc comments, in the .d.ts files (editor hovers), while
// in dist/ they were a third of the install, twice (ESM and CJS).
for (const format of ['cjs', 'esm']) stripComments(join(root, 'dist', format), format);
// The package itself is CommonJS; this marker makes Node read dist/esm as ESM.
mkdirSync(join(root, 'dist/esm'), { recursive: true });
writeFileSync(join(root, 'dist/esm/package.json'), '{\n  "type": "module"\n}\n');
writeFileSync(join(root, 'dist/cjs/package.json'), '{\n  "type": "commonjs"\n}\n');
