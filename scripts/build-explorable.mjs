// Builds the explorable page (explorable/) into explorable-site/ (git-ignored):
// index.html, style.css, one classic bundled script app.js (no ES modules, so
// the page opens from a file URL with no server), KaTeX's CSS and fonts, and
// the Web Worker of "check my kernel" inlined into app.js as text (started
// from a Blob URL). The reference cells' sources are inlined too: the page
// reads its formulas out of their doc comments (explorable/formulas.ts).
//
//   npm run explorable     then open explorable-site/index.html
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'explorable-site');
const src = join(root, 'explorable');

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
  tsconfig: join(root, 'tsconfig.json'),
};

// esbuild strips types without checking them: the page's sources (DOM types) are checked first.
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', src], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('explorable: the type check of explorable/ failed');
  process.exit(1);
}

const worker = await build({ ...common, entryPoints: [join(src, 'worker.ts')] });
const workerSource = new TextDecoder().decode(worker.outputFiles[0].contents);
const referenceSources = Object.fromEntries(
  ['rnn', 'lstm', 'gru'].map((c) => [c, readFileSync(join(root, 'src', c, 'reference.ts'), 'utf8')]),
);
const app = await build({
  ...common,
  entryPoints: [join(src, 'main.ts')],
  define: {
    __WORKER_SOURCE__: JSON.stringify(workerSource),
    __REFERENCE_SOURCES__: JSON.stringify(referenceSources),
  },
});

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'katex'), { recursive: true });
writeFileSync(join(out, 'app.js'), app.outputFiles[0].contents);
cpSync(join(src, 'index.html'), join(out, 'index.html'));
cpSync(join(src, 'style.css'), join(out, 'style.css'));
const katex = join(root, 'node_modules', 'katex', 'dist');
cpSync(join(katex, 'katex.min.css'), join(out, 'katex', 'katex.min.css'));
// The woff2 fonts only: every browser the page targets reads them, and the CSS lists them first.
mkdirSync(join(out, 'katex', 'fonts'), { recursive: true });
for (const f of readdirFonts(join(katex, 'fonts'))) cpSync(join(katex, 'fonts', f), join(out, 'katex', 'fonts', f));

const kib = (p) => `${(statSync(join(out, p)).size / 1024).toFixed(0)} KiB`;
console.log(
  `explorable: wrote ${out}/index.html (app.js ${kib('app.js')}, ` +
    `worker inside it ${(workerSource.length / 1024).toFixed(0)} KiB)`,
);

function readdirFonts(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.woff2'));
}
