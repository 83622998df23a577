#!/usr/bin/env node
// Paired A/B of two builds: loads the CommonJS build of each (a folder holding dist/cjs, e.g. a worktree of
// the old commit after `node scripts/build.mjs`, or a copy of its dist/) in this one process, runs the same
// forward+backward rows as bench/run.mjs (same sizes and problems) on both, after 500 ms of warm-up each,
// then takes samples that alternate A, B / B, A one by one (each sample repeats the call for ≥ 20 ms of CPU
// time, or --ms, the same call count on both sides), and reports per row the median CPU ms of each side and
// the median of the per-pair ratios B/A with their quartiles and range (< 1: B is faster). Pairing is what
// makes this usable on a shared VM whose speed drifts by tens of percent over seconds: both sides of a pair
// see the same moment. Run it with A = B once to see the noise of the moment. --backward times the backward
// alone (on one cache from one forward), for a change that only touches the backward. --threads=a,b sets the
// thread count of A and B (builds with setThreads; two copies of one build compare 1 and 2 threads): CPU time
// then counts every thread, so read the wall ratio.
//
//   node bench/ab.mjs <A> <B> [--cells=gru] [--modes=sequence] [--sizes=small,medium,cs231n] [--pairs=21]
//                              [--ms=20] [--tier=auto|ts|wasm] [--backward] [--threads=1,2] [--json]
//   node --experimental-wasm-relaxed-simd bench/ab.mjs …   the fused multiply-add kernel on Node 20
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve, join } from 'node:path';

const require = createRequire(import.meta.url);
const SIZES = {
  small: { N: 10, T: 20, D: 32, H: 64 },
  medium: { N: 32, T: 50, D: 128, H: 256 },
  cs231n: { N: 50, T: 16, D: 512, H: 512 },
};
const GATES = { rnn: 1, lstm: 4, gru: 3 };
const WARM_MS = 500;

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [k, v] = a.slice(2).split('=');
      return [k, v ?? true];
    }),
);
const known = ['cells', 'modes', 'sizes', 'pairs', 'ms', 'tier', 'backward', 'threads', 'json'];
const unknown = Object.keys(flags).filter((k) => !known.includes(k));
const list = (name, all, fallback) => {
  const names = flags[name] === undefined ? fallback : String(flags[name]).split(',');
  const bad = names.filter((n) => !all.includes(n));
  if (bad.length > 0) usage(`unknown ${name}: ${bad.join(', ')} (one of ${all.join(', ')})`);
  return names;
};
function usage(message) {
  console.error(`error: ${message}`);
  console.error('usage: node bench/ab.mjs <A build folder> <B build folder> [--cells=…] [--modes=…] [--sizes=…]');
  console.error('         [--pairs=N] [--ms=…] [--tier=auto|ts|wasm] [--backward] [--threads=a,b] [--json]');
  process.exit(2);
}
if (positional.length !== 2) usage('two build folders (each holding dist/cjs) are needed');
if (unknown.length > 0) usage(`unknown option --${unknown[0]}`);
const cells = list('cells', Object.keys(GATES), ['gru']);
const modes = list('modes', ['step', 'sequence'], ['sequence']);
const sizeNames = list('sizes', Object.keys(SIZES), Object.keys(SIZES));
const pairs = Number(flags.pairs ?? 21);
if (!Number.isInteger(pairs) || pairs < 1) usage(`--pairs must be a positive integer, got ${flags.pairs}`);
const backwardOnly = flags.backward === true;
const sampleMs = Number(flags.ms ?? 20);
if (!(sampleMs > 0)) usage(`--ms must be a positive number of milliseconds, got ${flags.ms}`);

const threads = flags.threads === undefined ? undefined : String(flags.threads).split(',').map(Number);
if (threads !== undefined && (threads.length !== 2 || !threads.every((n) => Number.isInteger(n) && n >= 1))) {
  usage(`--threads must be two thread counts, as 1,2, got ${flags.threads}`);
}

const builds = positional.map((folder, side) => {
  const root = resolve(folder);
  // A build from before the subpaths has everything at its root; a current one
  // keeps seededRandom in handgrad/train and the tier switch in handgrad/linalg.
  const entry = (path) => (existsSync(join(root, path)) ? require(join(root, path)) : {});
  const hg = { ...entry('dist/cjs/linalg/public.js'), ...entry('dist/cjs/train/index.js') };
  Object.assign(hg, require(join(root, 'dist/cjs/index.js')));
  if (flags.tier) hg.setProductTier(flags.tier);
  if (threads !== undefined) {
    if (typeof hg.setThreads !== 'function') usage(`--threads: ${root} has no setThreads`);
    hg.setThreads(threads[side]);
  }
  return { root, hg };
});

/** The problem of bench/run.mjs for one cell and size, built with one build's own classes. */
function problem(hg, cell, { N, T, D, H }) {
  const uniform = hg.seededRandom(1);
  const fill = (m, scale) => {
    for (let i = 0; i < m.data.length; i++) m.data[i] = scale * (uniform() - 0.5);
    return m;
  };
  const G = GATES[cell] * H;
  return {
    x: fill(hg.Tensor3.zeros(N, T, D), 1),
    h0: fill(hg.Matrix.zeros(N, H), 1),
    p: {
      Wx: fill(hg.Matrix.zeros(D, G), 2 / Math.sqrt(D)),
      Wh: fill(hg.Matrix.zeros(H, G), 2 / Math.sqrt(H)),
      b: fill(hg.Matrix.zeros(1, G), 0.2),
    },
    dh: fill(hg.Tensor3.zeros(N, T, H), 2),
    xStep: fill(hg.Matrix.zeros(N, D), 1),
    dhStep: fill(hg.Matrix.zeros(N, H), 2),
  };
}

/** One forward+backward of bench/run.mjs's row; with --backward, the forward once and then the backward alone. */
function runner(hg, cell, mode, pr) {
  const { x, h0, p, dh, xStep, dhStep } = pr;
  const zeros = hg.Matrix.zeros(h0.rows, h0.cols);
  const gp = { Wx: p.Wx, Wh: p.Wh, bx: p.b, bh: p.b };
  const step = mode === 'step';
  const [forward, backward] = {
    rnn: step
      ? [() => hg.rnnStepForward(xStep, h0, p).cache, (c) => hg.rnnStepBackward(dhStep, c)]
      : [() => hg.rnnForward(x, h0, p).cache, (c) => hg.rnnBackward(dh, c)],
    lstm: step
      ? [() => hg.lstmStepForward(xStep, h0, h0, p).cache, (c) => hg.lstmStepBackward(dhStep, zeros, c)]
      : [() => hg.lstmForward(x, h0, p).cache, (c) => hg.lstmBackward(dh, c)],
    // The GRU keeps two biases (b_hn sits inside the reset product).
    gru: step
      ? [() => hg.gruStepForward(xStep, h0, gp).cache, (c) => hg.gruStepBackward(dhStep, c)]
      : [() => hg.gruForward(x, h0, gp).cache, (c) => hg.gruBackward(dh, c)],
  }[cell];
  if (!backwardOnly) return () => backward(forward());
  const cache = forward(); // the backwards only read it
  return () => backward(cache);
}

function warm(run) {
  const start = process.hrtime.bigint();
  do run();
  while (Number(process.hrtime.bigint() - start) / 1e6 < WARM_MS);
}

/** Calls per sample so that one sample of `run` takes ≥ sampleMs of CPU time (wall time counts waits on a busy VM). */
function calibrate(run) {
  for (let inner = 1; ; inner *= 2) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < inner; i++) run();
    const c = process.cpuUsage(c0);
    if ((c.user + c.system) / 1e3 >= sampleMs || inner >= 1 << 16) return inner;
  }
}

/** CPU (user + system) and wall ms per call over `inner` calls. */
function sample(run, inner) {
  const c0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < inner; i++) run();
  const wall = Number(process.hrtime.bigint() - start) / 1e6 / inner;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e3 / inner, wall };
}

const quantile = (values, q) => {
  const s = [...values].sort((x, y) => x - y);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};

const rows = [];
for (const sizeName of sizeNames) {
  for (const cell of cells) {
    for (const mode of modes) {
      const size = SIZES[sizeName];
      const runs = builds.map(({ hg }) => runner(hg, cell, mode, problem(hg, cell, size)));
      for (const run of runs) warm(run);
      const inner = Math.max(...runs.map(calibrate));
      const samples = [[], []];
      for (let r = 0; r < pairs; r++) {
        const order = r % 2 === 0 ? [0, 1] : [1, 0];
        for (const side of order) samples[side].push(sample(runs[side], inner));
      }
      const ratios = samples[1].map((s, i) => s.cpu / samples[0][i].cpu);
      const wallRatios = samples[1].map((s, i) => s.wall / samples[0][i].wall);
      rows.push({
        cell,
        mode,
        size: sizeName,
        ...size,
        pairs,
        inner,
        msA: quantile(
          samples[0].map((s) => s.cpu),
          0.5,
        ),
        msB: quantile(
          samples[1].map((s) => s.cpu),
          0.5,
        ),
        ratio: quantile(ratios, 0.5),
        q1: quantile(ratios, 0.25),
        q3: quantile(ratios, 0.75),
        min: Math.min(...ratios),
        max: Math.max(...ratios),
        wallRatio: quantile(wallRatios, 0.5),
      });
    }
  }
}

const hg = builds[0].hg;
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  tier: hg.productTier(),
  wasmKernel: hg.wasmKernelKind(),
  loadavg: loadavg(),
};
if (flags.json) {
  console.log(JSON.stringify({ A: builds[0].root, B: builds[1].root, threads, machine, backwardOnly, rows }, null, 2));
} else {
  const t = (side) => (threads === undefined ? '' : `, ${threads[side]} thread(s)`);
  console.log(`A = ${builds[0].root}${t(0)}\nB = ${builds[1].root}${t(1)}`);
  const load = machine.loadavg.map((l) => l.toFixed(1)).join(' ');
  console.log(
    `${machine.cpu} (${machine.cores} cores), Node ${machine.node}, tier ${machine.tier}, ` +
      `WASM kernel ${machine.wasmKernel ?? 'none'}, load ${load}`,
  );
  const what = backwardOnly ? 'backward alone' : 'forward+backward';
  console.log(`CPU ms per ${what} (medians); B/A = median of the per-pair ratios [quartiles] (range)`);
  for (const r of rows) {
    const f = (v, d = 3) => v.toFixed(d);
    console.log(
      `${r.cell} ${r.mode} ${r.size} ${r.N}·${r.T}·${r.D}·${r.H}: A ${f(r.msA, 2)} B ${f(r.msB, 2)} ms  ` +
        `B/A ${f(r.ratio)} [${f(r.q1)}–${f(r.q3)}] (${f(r.min)}–${f(r.max)}), wall ${f(r.wallRatio)}, ` +
        `${r.pairs} pairs × ${r.inner} calls`,
    );
  }
}
