// The package as a user gets it: packs the tarball, installs it into an empty
// project, and there runs an ESM and a CommonJS consumer of every subpath, a
// strict TypeScript consumer under `module nodenext` (as .mts and .cts), under
// `moduleResolution bundler` and under node10 resolution, and the CLI (`--version`, `check`,
// `check --impl` on a correct homework (CommonJS, ES module and numpy), `flow` without the optional plot
// renderer). Fails when the install exceeds 10 packages or 3 MiB.
// Usage: node scripts/pack-check.mjs [--keep]   (after npm run build)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_PACKAGES = 10;
const MAX_KIB = 3 * 1024;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consumers = join(root, 'scripts/pack-check');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'handgrad-pack-'));
const project = join(work, 'project');
const failures = [];

function seconds(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

/** Runs a command; returns its stdout, or records a failure with its output. */
function run(what, command, args, { cwd = project, expectStatus = 0, stdin } = {}) {
  const start = performance.now();
  const env = { ...process.env, FORCE_COLOR: '0' };
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', input: stdin, env });
  const ok = r.status === expectStatus;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what} (${seconds(start)})`);
  if (!ok) {
    failures.push(what);
    console.log(`     exit ${r.status}, expected ${expectStatus}${r.error ? `: ${r.error.message}` : ''}`);
    console.log(`${r.stdout}${r.stderr}`.trimEnd().replace(/^/gm, '     | '));
  }
  return r;
}

function expect(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

// 1. The tarball, and what is in it.
console.log(`== npm pack (into ${work})`);
const packArgs = ['pack', '--json', '--pack-destination', work];
const packed = JSON.parse(execFileSync('npm', packArgs, { cwd: root, encoding: 'utf8' }))[0];
const tgz = join(work, packed.filename);
const files = packed.files.map((f) => f.path);
const kibOf = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const sizes = `${kibOf(packed.size)} packed, ${kibOf(packed.unpackedSize)} unpacked`;
console.log(`${packed.filename}: ${files.length} files, ${sizes}`);
const needed = ['LICENSE', 'README.md', 'package.json', 'bin/handgrad.cjs', 'data/corpus.txt', 'dist/cjs/cli/main.js'];
for (const file of needed) {
  expect(files.includes(file), `the tarball holds ${file}`);
}
for (const [key, target] of Object.entries(pkg.exports)) {
  const targets = typeof target === 'string' ? [target] : Object.values(target).flatMap((c) => Object.values(c));
  for (const t of targets) {
    expect(files.includes(t.replace(/^\.\//, '')), `exports["${key}"] → ${t} is in the tarball`);
  }
}
const stray = files.filter((f) => /^(src|test|bench|docs|scripts)\//.test(f) || f.endsWith('.map'));
const strayList = stray.length ? `: ${stray.slice(0, 5).join(', ')}` : '';
expect(stray.length === 0, `no sources, tests or source maps in the tarball${strayList}`);

// 2. An empty project installs it.
console.log('== npm install <tarball> into an empty project');
mkdirSync(project);
const consumerPkg = { name: 'handgrad-consumer', version: '1.0.0', private: true };
writeFileSync(join(project, 'package.json'), `${JSON.stringify(consumerPkg, null, 2)}\n`);
run('npm install --no-audit --no-fund <tgz>', 'npm', ['install', '--no-audit', '--no-fund', tgz]);
const lock = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8'));
const installed = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/'));
const kib = Number(execFileSync('du', ['-sk', 'node_modules'], { cwd: project, encoding: 'utf8' }).split('\t')[0]);
const human = execFileSync('du', ['-sh', 'node_modules'], { cwd: project, encoding: 'utf8' }).split('\t')[0];
const names = installed.map((k) => k.replace(/^.*node_modules\//, '')).join(', ');
console.log(`node_modules: ${installed.length} packages, ${human} (du -sh): ${names}`);
expect(installed.length <= MAX_PACKAGES, `at most ${MAX_PACKAGES} packages (${installed.length})`);
expect(kib <= MAX_KIB, `at most 3 MiB of node_modules (${kib} KiB)`);

// 3. Consumers of every subpath: ESM, CommonJS, strict TypeScript (nodenext, bundler).
console.log('== consumers');
for (const f of ['exercise.cjs', 'consumer.mjs', 'consumer.cjs']) copyFileSync(join(consumers, f), join(project, f));
run('node consumer.mjs (ESM, every subpath)', process.execPath, ['consumer.mjs']);
run('node consumer.cjs (CommonJS, every subpath)', process.execPath, ['consumer.cjs']);

const typed = readFileSync(join(consumers, 'typed.ts'), 'utf8');
const strict = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  target: 'ES2022',
  lib: ['ES2022', 'DOM'],
  types: [],
};
for (const [name, options, sources] of [
  ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['typed.mts', 'typed.cts']],
  ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['typed.ts']],
  // Older setups that ignore `exports` find the subpaths' types through typesVersions.
  ['node10', { module: 'commonjs', moduleResolution: 'node10' }, ['typed.ts']],
]) {
  const dir = join(project, `ts-${name}`);
  mkdirSync(dir);
  for (const s of sources) writeFileSync(join(dir, s), typed);
  const config = { compilerOptions: { ...strict, ...options, outDir: 'out', rootDir: '.' }, include: sources };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(config, null, 2)}\n`);
  // Bundler output is ES modules; this marker lets Node run it as such.
  if (name === 'bundler') mkdirSync(join(dir, 'out'), { recursive: true });
  if (name === 'bundler') writeFileSync(join(dir, 'out/package.json'), '{ "type": "module" }\n');
  const what = `tsc strict, ${JSON.stringify(options)}: ${sources.join(', ')}`;
  run(what, process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir });
  for (const s of sources) {
    const out = join(
      'out',
      s
        .replace(/\.mts$/, '.mjs')
        .replace(/\.cts$/, '.cjs')
        .replace(/\.ts$/, '.js'),
    );
    if (existsSync(join(dir, out))) run(`node ts-${name}/${out}`, process.execPath, [out], { cwd: dir });
    else expect(false, `ts-${name}/${out} was emitted`);
  }
}

// 4. The CLI, as `npx handgrad` finds it in node_modules/.bin.
console.log('== npx handgrad');
const version = run('npx handgrad --version', 'npx', ['handgrad', '--version']);
const printed = version.stdout.trim();
expect(printed === pkg.version, `--version prints ${pkg.version} (got ${JSON.stringify(printed)})`);
const check = run('npx handgrad check', 'npx', ['handgrad', 'check']);
expect(/^ok: all \d+ gradients pass/m.test(check.stdout), 'check reports every built-in gradient passing');
// Correct homework as a student would write it: CommonJS (with a helper module beside it), an ES module, and
// a cs231n-style numpy file checked through python3 (numpy is on the machines this runs on).
mkdirSync(join(project, 'homework'));
copyFileSync(join(root, 'test/fixtures/homework/matrix.js'), join(project, 'homework/matrix.js'));
const homework = [
  ['homework-correct.js', 'hw.js', 'a CommonJS homework'],
  ['homework-correct.mjs', 'hw.mjs', 'an ES module homework'],
  ['numpy/rnn_layers.py', 'rnn_layers.py', 'a numpy homework'],
];
for (const [fixture, file, what] of homework) {
  copyFileSync(join(root, 'test/fixtures', fixture), join(project, file));
  const hw = run(`npx handgrad check --impl ./${file} (${what})`, 'npx', ['handgrad', 'check', '--impl', `./${file}`]);
  expect(/^ok: /m.test(hw.stdout), `check --impl ./${file} passes`);
}
const flowArgs = ['handgrad', 'flow', '--T', '5', '--H', '4'];
const flow = run('npx handgrad flow --T 5 --H 4 (no vega installed)', 'npx', flowArgs);
const hinted = /npm install vega vega-lite/.test(flow.stderr) && !existsSync(join(project, 'flow.svg'));
expect(hinted, 'flow prints the table and a one-line hint instead of the SVG');

if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
console.log(failures.length === 0 ? 'pack check: ok' : `pack check: ${failures.length} failed: ${failures.join('; ')}`);
process.exit(failures.length === 0 ? 0 : 1);
