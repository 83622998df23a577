// Fails when a tracked source line is wider than 120 columns.
//
// Biome formats to 120 columns but never splits a string, a template literal
// or a comment, so a long message or doc sentence passes `biome check`; this
// script catches those. It is run by `npm run lint` after Biome.
//
//     node scripts/line-width.mjs    exit 0 when every line fits; otherwise
//                                    exit 1 and print file:line: width
//
// The files are the tracked sources Biome formats (git ls-files, so an
// untracked scratch file does not count), minus the generated WASM bytes and
// the test fixtures (planted-mistake modules made by text substitution).
// Width counts characters (code points), not bytes: the math comments are
// full of ⊙, ᵀ and −, each one column but two or three bytes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const PATTERNS = ['src/*.ts', 'test/*.ts', 'scripts/*.mjs', 'scripts/*/*', 'bench/*.mjs', 'bin/*', 'explorable/*.ts'];
const EXCLUDED = [/^src\/linalg\/wasm\/gemm-bytes\.ts$/, /^test\/fixtures\//];

// git's pathspec `*` also matches `/`, so 'src/*.ts' covers every .ts under src/.
const files = execFileSync('git', ['ls-files', '-z', '--', ...PATTERNS], { encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && !EXCLUDED.some((re) => re.test(f)));

const wide = [];
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    const width = [...line].length;
    if (width > MAX) wide.push(`${file}:${i + 1}: ${width}`);
  });
}

if (wide.length > 0) {
  console.error(`line-width: ${wide.length} line(s) wider than ${MAX} columns:\n${wide.join('\n')}`);
  process.exit(1);
}
