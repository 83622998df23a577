#!/usr/bin/env node
// `npm run bench`: forward+backward of every cell, one step and a whole
// sequence, at three sizes; median of repeats after warm-up; ms and GFLOP/s
// per row, handgrad on 1 and 2 threads (when the build has setThreads) beside
// the same math in numpy (bench/reference_numpy.py) on one BLAS thread and on
// its default threads, all timed in the same run, their samples taking turns
// one by one, with the ratios handgrad/numpy (the median of the ratios of
// samples of the same turn). Before timing, it checks that the numpy
// reference computes handgrad's outputs and gradients (exit 1 if not).
//
//   npm run bench                      the full table (a few minutes)
//   npm run bench:lts                  the same on Node 24, fetched once by scripts/node-lts.mjs
//   npm run bench -- --tiny            tiny sizes, a few seconds (CI: checks it runs, asserts no timing)
//   npm run bench -- --json            one JSON object instead of the table
//   npm run bench -- --markdown        also the sequence rows and targets as Markdown (docs/performance.md)
//   npm run bench -- --tier=ts|wasm    force a product tier (default: auto)
//   npm run bench -- --threads=1       handgrad's thread counts to time (default 1,2)
//   npm run bench -- --no-numpy        skip the numpy side
//   npm run bench -- --sizes=small,medium   a subset of the sizes
//   npm run bench -- --no-floor        skip the kernel floor (bench/floor.mjs)
//   npm run bench -- --help            the options; a bad one is a one-line error, exit 2
//   npm run bench:relaxed              Node 20 with relaxed SIMD enabled (fused multiply-add
//                                      kernel; the default on Node ≥ 22)
//
// numpy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
// environment (they slow a current OpenBLAS), as two processes: one held to
// one BLAS thread, one at OpenBLAS's default; the JSON and the table say
// which OpenBLAS core and how many threads ran.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
if (!existsSync(join(root, 'dist/cjs/index.js'))) {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}
// The cells from the package's main entry; the tier switch and the seeded
// generator from their subpaths (handgrad/linalg, handgrad/train).
const hg = {
  ...require(join(root, 'dist/cjs/index.js')),
  ...require(join(root, 'dist/cjs/linalg/public.js')),
  ...require(join(root, 'dist/cjs/train/index.js')),
};
const { wasmArenaBytes, rowPanels, WASM_BLOCK_VALUES } = require(join(root, 'dist/cjs/linalg/gemm-wasm.js'));
const { chunkSteps } = require(join(root, 'dist/cjs/linalg/batch-first.js'));
const { GEMM_RELAXED_BASE64, GEMM_SIMD128_BASE64 } = require(join(root, 'dist/cjs/linalg/wasm/gemm-bytes.js'));
const { kernelFloorTimer, productsOf } = await import('./floor.mjs');
const Table = require('cli-table3');

/** The CPU as /proc/cpuinfo names it (else Node's), with its widest x86 vector extension. */
function cpuName() {
  let info = '';
  try {
    info = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: Node's name alone.
  }
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpus()[0]?.model ?? 'unknown CPU';
  const flags = /^flags\s*:\s*(.+)$/m.exec(info)?.[1].split(' ') ?? [];
  const vector = flags.includes('avx512f') ? 'AVX-512' : flags.includes('avx2') ? 'AVX2' : undefined;
  return vector ? `${model} (${vector})` : model;
}
const noThreads = 'this build has no setThreads: one thread only';

const { Command, CommanderError, Option, InvalidArgumentError } = require('commander');
const SIZE_NAMES = ['small', 'medium', 'cs231n'];
const program = new Command('npm run bench --')
  .description('forward+backward timings of every cell against numpy (see docs/performance.md)')
  .option('--tiny', 'tiny sizes, a few seconds (what CI runs; no timing is asserted)')
  .option('--json', 'one JSON object instead of the table')
  .option('--markdown', "also the sequence rows and the targets as Markdown tables (docs/performance.md's form)")
  .addOption(new Option('--tier <tier>', 'force a product tier').choices(['auto', 'ts', 'wasm']))
  .option('--threads <counts>', "handgrad's thread counts to time, comma-separated (default 1,2)", (value) => {
    const counts = value.split(',').map(Number);
    if (counts.some((n) => !Number.isInteger(n) || n < 1))
      throw new InvalidArgumentError('the thread counts are positive integers, e.g. 1,2.');
    return counts;
  })
  .option('--no-numpy', 'skip the numpy side')
  .option('--no-floor', 'skip the kernel floor (bench/floor.mjs)')
  .option('--sizes <names>', `a subset of the sizes, comma-separated: ${SIZE_NAMES.join(', ')}`, (value) => {
    const names = value.split(',');
    const unknown = names.filter((n) => !SIZE_NAMES.includes(n));
    if (unknown.length > 0)
      throw new InvalidArgumentError(
        `unknown size ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the sizes are ${SIZE_NAMES.join(', ')}.`,
      );
    return names;
  })
  .allowExcessArguments(false)
  .exitOverride();
let opts;
try {
  opts = program.parse().opts();
} catch (e) {
  // commander has printed the one-line error (or the help); usage errors exit 2, as `handgrad` does.
  if (!(e instanceof CommanderError)) throw e;
  process.exit(e.exitCode === 0 ? 0 : 2);
}
const tiny = opts.tiny === true;
const asJson = opts.json === true;
const withNumpy = opts.numpy;
try {
  if (opts.tier) hg.setProductTier(opts.tier);
} catch (e) {
  // --tier=wasm on an engine without WASM SIMD.
  console.error(`error: ${e.message}`);
  process.exit(2);
}
// handgrad's thread counts: 1 and 2 when the build has setThreads (the worker pool), else 1 alone.
const hasThreads = typeof hg.setThreads === 'function' && typeof hg.getThreads === 'function';
const defaultThreads = hasThreads ? hg.getThreads() : 1;
const threadCounts = hasThreads ? (opts.threads ?? [1, 2]) : [1];
if (!hasThreads && opts.threads?.some((t) => t !== 1)) {
  console.error('error: --threads: this build of handgrad has no setThreads, so it runs on one thread only');
  process.exit(2);
}
const useThreads = (t) => {
  if (hasThreads) hg.setThreads(t);
};

// The kernel floor needs the WASM kernel, and is what it would run only when the WASM tier does.
const kernelKind = hg.productTier() === 'ts' ? null : hg.wasmKernelKind();
const floorTimer =
  kernelKind && opts.floor
    ? kernelFloorTimer({
        base64: kernelKind === 'relaxed-simd' ? GEMM_RELAXED_BASE64 : GEMM_SIMD128_BASE64,
        blockValues: WASM_BLOCK_VALUES,
        rowPanels,
      })
    : null;

const SIZES = tiny
  ? [{ name: 'tiny', N: 2, T: 3, D: 4, H: 5, repeats: 3 }]
  : [
      { name: 'small', N: 10, T: 20, D: 32, H: 64, repeats: 7 },
      { name: 'medium', N: 32, T: 50, D: 128, H: 256, repeats: 7 },
      { name: 'cs231n', N: 50, T: 16, D: 512, H: 512, repeats: 5 },
    ];
/** Warm-up per row and side, ms (see calibrate); none for the tiny CI run. */
const WARM_MS = tiny ? 0 : 500;
// After a sample on more than one thread, the next sample waits until that side's idle threads have stopped
// spinning, so that it does not share a core with them: OpenBLAS's threads spin for about 0.1 s after every call
// before they sleep (0.104 s of CPU time in the 0.3 s after one product, measured with getrusage; a handgrad
// sample on 2 threads right after a numpy one had one core for most of that time), handgrad's for up to 1 ms.
const SETTLE_MS = { numpy: tiny ? 0 : 150, handgrad: tiny ? 0 : 5 };
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sizes = opts.sizes && !tiny ? SIZES.filter((s) => opts.sizes.includes(s.name)) : SIZES;

/** Gate blocks per cell: the weight matrices are D×(k·H) and H×(k·H). */
const GATES = { rnn: 1, lstm: 4, gru: 3 };
const cells = ['rnn', 'lstm', ...(typeof hg.gruForward === 'function' ? ['gru'] : [])];

const uniform = hg.seededRandom(1);
const rand = () => uniform() - 0.5;
const fill = (m, scale) => {
  for (let i = 0; i < m.data.length; i++) m.data[i] = scale * rand();
  return m;
};

function problem(cell, { N, T, D, H }) {
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

/** One forward+backward; returns nothing, the work is the point. */
function runner(cell, mode, pr) {
  const { x, h0, p, dh, xStep, dhStep } = pr;
  const zeros = hg.Matrix.zeros(h0.rows, h0.cols);
  if (cell === 'rnn') {
    return mode === 'step'
      ? () => hg.rnnStepBackward(dhStep, hg.rnnStepForward(xStep, h0, p).cache)
      : () => hg.rnnBackward(dh, hg.rnnForward(x, h0, p).cache);
  }
  if (cell === 'lstm') {
    return mode === 'step'
      ? () => hg.lstmStepBackward(dhStep, zeros, hg.lstmStepForward(xStep, h0, h0, p).cache)
      : () => hg.lstmBackward(dh, hg.lstmForward(x, h0, p).cache);
  }
  // The GRU keeps two biases (b_hn sits inside the reset product).
  const gp = { Wx: p.Wx, Wh: p.Wh, bx: p.b, bh: p.b };
  return mode === 'step'
    ? () => hg.gruStepBackward(dhStep, hg.gruStepForward(xStep, h0, gp).cache)
    : () => hg.gruBackward(dh, hg.gruForward(x, h0, gp).cache);
}

/**
 * Warm-up, then the calls per sample, so that a sample lasts ≥ 20 ms and fast
 * rows are not timer noise. The warm-up runs the row for WARM_MS first: V8
 * starts a function in its baseline tiers (Ignition/Sparkplug for JS,
 * Liftoff for WASM) and optimises it only after it has run a while, which at
 * the small size took the first 100–250 ms (a sequence at 1.5–3× its later
 * time). numpy gets the same warm-up (it has nothing to tier up).
 */
function calibrate(run) {
  const warmStart = process.hrtime.bigint();
  do run();
  while (Number(process.hrtime.bigint() - warmStart) / 1e6 < WARM_MS);
  let inner = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < inner; i++) run();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= 20 || inner >= 1 << 16) return inner;
    inner *= Math.min(16, Math.max(2, Math.ceil(20 / Math.max(ms, 0.01))));
  }
}

/**
 * One sample: time per call, wall clock and CPU (user + system of this
 * process). On a machine shared with other work the CPU time is the steadier
 * figure: it leaves out the time the process waited for a core.
 */
function sample(run, inner) {
  const c0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < inner; i++) run();
  const wall = Number(process.hrtime.bigint() - start) / 1e6 / inner;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e3 / inner };
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

// numpy's BLAS thread count is fixed when OpenBLAS loads, so the two numpy sides are two processes: one held
// to one thread, one left at its default (every core). Both without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
// (they slow a current OpenBLAS).
const numpyBaseEnv = { ...process.env };
for (const name of [
  'OPENBLAS_CORETYPE',
  'OPENBLAS_L2_SIZE',
  'OPENBLAS_NUM_THREADS',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
])
  delete numpyBaseEnv[name];
const numpyEnvs = {
  one: { ...numpyBaseEnv, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  all: numpyBaseEnv,
};

/**
 * The numpy side's script; HANDGRAD_BENCH_NUMPY replaces it (test/bench/numpy-agree.test.ts plants a mistake
 * in a copy to see the agreement check stop the bench).
 */
const numpyReference = process.env.HANDGRAD_BENCH_NUMPY ?? join(root, 'bench/reference_numpy.py');

function numpy(argv) {
  const r = spawnSync('python3', [numpyReference, ...argv], {
    env: numpyEnvs.one,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.error || r.status !== 0)
    return { error: (r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}` };
  return JSON.parse(r.stdout);
}

const numpyInfo = withNumpy ? numpy(['--check']) : { error: 'skipped (--no-numpy)' };
const numpyOk = !numpyInfo.error;

/**
 * One numpy side as a long-lived process (reference_numpy.py --serve), so that its samples can alternate with
 * handgrad's one by one.
 */
function numpyServer(env) {
  const child = spawn('python3', [numpyReference, '--serve'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // A child that dies (or never starts) ends its stdout; that is reported by
  // `request`, so these errors need no handler of their own beyond not throwing.
  child.on('error', (e) => (stderr += e.message));
  child.stdin.on('error', () => undefined);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const request = async (message) => {
    child.stdin.write(`${JSON.stringify(message)}\n`);
    const { value, done } = await lines.next();
    if (done) {
      // Its stderr may still be arriving: wait for the process to close.
      if (child.exitCode === null && child.signalCode === null)
        await new Promise((resolve) => child.once('close', resolve));
      throw new Error(
        `numpy --serve ended (exit ${child.exitCode ?? child.signalCode}): ${stderr.trim().split('\n').pop() ?? ''}`,
      );
    }
    return JSON.parse(value);
  };
  return {
    info: () => request({ info: true }),
    compute: (problemData) => request({ compute: problemData }),
    prepare: (problemShape) => request({ prepare: problemShape }),
    sample: () => request({ sample: true }),
    close: () => child.stdin.end(),
  };
}
/** The two numpy sides: `one` with one BLAS thread, `all` with OpenBLAS's default. */
const servers = numpyOk ? { one: numpyServer(numpyEnvs.one), all: numpyServer(numpyEnvs.all) } : {};
let numpyFailure;
const stopNumpy = (e) => {
  // Reported once under the table; handgrad's rows go on without numpy.
  numpyFailure ??= String(e.message ?? e);
  for (const key of Object.keys(servers)) {
    servers[key].close();
    delete servers[key];
  }
};
const serverInfo = {};
for (const key of Object.keys(servers)) {
  try {
    serverInfo[key] = await servers[key].info();
  } catch (e) {
    stopNumpy(e);
  }
}

/**
 * Before timing anything: the numpy reference computes the same math as handgrad (h and every gradient of a
 * small sequence, each cell, the GRU with distinct b_x and b_h), so that the ratios compare the same work.
 * Norm-relative error per output; over 1e-10 the bench stops (exit 1).
 */
const AGREE_TOLERANCE = 1e-10;
async function agreement() {
  const result = {};
  for (const cell of cells) {
    const size = { N: 3, T: 4, D: 5, H: 6 };
    const pr = problem(cell, size);
    const params = cell === 'gru' ? { Wx: pr.p.Wx, Wh: pr.p.Wh, bx: pr.p.b, bh: fill(pr.p.b.clone(), 0.3) } : pr.p;
    const forward = { rnn: hg.rnnForward, lstm: hg.lstmForward, gru: hg.gruForward }[cell];
    const backward = { rnn: hg.rnnBackward, lstm: hg.lstmBackward, gru: hg.gruBackward }[cell];
    const out = forward(pr.x, pr.h0, params);
    const grads = backward(pr.dh, out.cache);
    const flat = (m) => Array.from(m.data);
    const request = { cell, ...size, x: flat(pr.x), h0: flat(pr.h0), dh: flat(pr.dh) };
    for (const [name, m] of Object.entries(params)) request[name] = flat(m);
    const reference = await servers.one.compute(request);
    const ours = { h: out.h, ...grads };
    let worst = 0;
    for (const [name, values] of Object.entries(reference)) {
      const mine = ours[name]?.data;
      // An output numpy has and handgrad has not (or of another size) is a disagreement too.
      if (!mine || mine.length !== values.length) {
        worst = Number.POSITIVE_INFINITY;
        continue;
      }
      let diff = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < values.length; i++) {
        diff += (mine[i] - values[i]) ** 2;
        a += mine[i] ** 2;
        b += values[i] ** 2;
      }
      const scale = Math.sqrt(a) + Math.sqrt(b);
      worst = Math.max(worst, scale === 0 ? 0 : Math.sqrt(diff) / scale);
    }
    result[cell] = worst;
  }
  return result;
}
let agree;
if (servers.one) {
  try {
    agree = await agreement();
  } catch (e) {
    stopNumpy(e);
  }
  const bad = Object.entries(agree ?? {}).filter(([, e]) => !(e <= AGREE_TOLERANCE));
  if (bad.length > 0) {
    console.error(
      `error: ${relative(root, numpyReference)} does not compute handgrad's math: ` +
        `${bad.map(([c, e]) => `${c} norm-relative error ${e.toExponential(2)}`).join(', ')} ` +
        `(over ${AGREE_TOLERANCE}); the timings would compare different work`,
    );
    stopNumpy('disagrees');
    process.exit(1);
  }
}

/** Peak memory of an LSTM sequence forward+backward against what its cache must keep. */
function lstmMemory(size) {
  const pr = problem('lstm', size);
  const { N, T, D, H } = size;
  globalThis.gc?.();
  const arenaBefore = wasmArenaBytes();
  const base = process.memoryUsage().arrayBuffers;
  const fwd = hg.lstmForward(pr.x, pr.h0, pr.p);
  const afterForward = process.memoryUsage().arrayBuffers;
  const grads = hg.lstmBackward(pr.dh, fwd.cache);
  const afterBackward = process.memoryUsage().arrayBuffers;
  const arena = wasmArenaBytes() - arenaBefore;
  const peak = Math.max(afterForward, afterBackward) - base + arena;
  const cacheBytes = 8 * (N * T * D + N * H + N * T * H + (T + 1) * N * H + T * N * H + T * N * 4 * H);
  const outputBytes =
    8 * (N * T * H + N * H) +
    grads.dx.data.byteLength +
    8 * (grads.dWx.data.length + grads.dWh.data.length + grads.db.data.length + 2 * N * H);
  return {
    size: size.name,
    peakNewBytes: peak,
    cacheBytes,
    outputBytes,
    wasmArenaGrowth: arena,
    wasmArenaBytes: wasmArenaBytes(),
    ratio: peak / cacheBytes,
    ratioWithoutOutputs: (peak - outputBytes) / cacheBytes,
    note: globalThis.gc ? 'after gc()' : 'run node with --expose-gc for a clean baseline',
  };
}
const cs231n = sizes.find((s) => s.name === 'cs231n');
// First, in a fresh process, so the WASM arena's growth is part of the peak (at handgrad's default threads).
const memory = cs231n ? lstmMemory(cs231n) : undefined;

/** Median of the ratios of the paired samples a[r]/b[r] by `key` (both sides of a pair ran side by side). */
const pairedRatio = (a, b, key) => median(a.map((s, i) => s[key] / b[i][key]));

const rows = [];
for (const size of sizes) {
  for (const cell of cells) {
    const pr = problem(cell, size);
    for (const mode of ['step', 'sequence']) {
      const T = mode === 'step' ? 1 : size.T;
      const flops = 6 * size.N * T * (size.D + size.H) * GATES[cell] * size.H;
      const repeats = size.repeats;
      const row = { cell, mode, size: size.name, N: size.N, T, D: size.D, H: size.H, flops, repeats, handgrad: [] };
      try {
        const run = runner(cell, mode, pr);
        // The sides of this row: handgrad at each thread count, numpy on one thread and on its default threads.
        const sides = threadCounts.map((threads) => {
          useThreads(threads);
          return { kind: 'handgrad', threads, inner: calibrate(run), samples: [] };
        });
        const npShape = { cell, mode, N: size.N, T, D: size.D, H: size.H, warm_ms: WARM_MS };
        for (const key of ['one', 'all']) {
          if (!servers[key]) continue;
          try {
            const { inner } = await servers[key].prepare(npShape);
            if (key === 'all') await settle(SETTLE_MS.numpy);
            sides.push({ kind: 'numpy', key, inner, samples: [] });
          } catch (e) {
            stopNumpy(e);
          }
        }
        // Samples go round the sides, each side going first in turn, so that all of them see the same
        // moments of a machine whose speed drifts; each ratio is of two samples of the same round.
        for (let r = 0; r < repeats; r++) {
          for (let k = 0; k < sides.length; k++) {
            const side = sides[(r + k) % sides.length];
            if (side.kind === 'handgrad') {
              // A change of thread count reloads the WASM kernel on the other kind of memory and starts or stops
              // the workers: one untimed run takes that cost, so the sample times the work, not the switch.
              if (threadCounts.length > 1) {
                useThreads(side.threads);
                run();
              }
              const s = sample(run, side.inner);
              side.samples.push({ wall: s.wall, cpu: s.cpu });
              if (side.threads > 1) await settle(SETTLE_MS.handgrad);
            } else if (servers[side.key]) {
              try {
                const s = await servers[side.key].sample();
                side.samples.push({ wall: s.ms, cpu: s.cpu_ms });
                if (side.key === 'all') await settle(SETTLE_MS.numpy);
              } catch (e) {
                stopNumpy(e);
              }
            }
          }
        }
        const summary = (side) => ({
          ms: median(side.samples.map((s) => s.wall)),
          cpuMs: median(side.samples.map((s) => s.cpu)),
          gflops: flops / median(side.samples.map((s) => s.wall)) / 1e6,
        });
        const complete = (key) => sides.find((s) => s.key === key && s.samples.length === repeats);
        const one = complete('one');
        const all = complete('all');
        if (one) row.numpyOne = { threads: 1, ...summary(one) };
        if (all) row.numpyDefault = { threads: serverInfo.all?.openblas_threads, ...summary(all) };
        for (const side of sides.filter((s) => s.kind === 'handgrad')) {
          const entry = { threads: side.threads, ...summary(side) };
          if (one) {
            entry.ratioOne = pairedRatio(side.samples, one.samples, 'wall');
            if (side.threads === 1) entry.ratioOneCpu = pairedRatio(side.samples, one.samples, 'cpu');
          }
          if (all) entry.ratioDefault = pairedRatio(side.samples, all.samples, 'wall');
          row.handgrad.push(entry);
        }
      } catch (e) {
        row.error = String(e.message ?? e);
      }
      if (floorTimer) {
        row.kernelFloorMs = floorTimer.floorMs(
          productsOf({ N: size.N, T, D: size.D, H: size.H, gates: GATES[cell], mode, chunkSteps }),
        );
        if (row.numpyOne) row.floorRatio = row.kernelFloorMs / row.numpyOne.cpuMs;
      }
      rows.push(row);
    }
  }
}
useThreads(defaultThreads);
// The pool keeps no process alive, but its workers are shut down once the timing is over all the same.
if (typeof hg.shutdownThreads === 'function') hg.shutdownThreads();
for (const key of Object.keys(servers)) servers[key].close();

/**
 * The speed targets, counted with handgrad at its default thread count: RNN and LSTM sequences ≤ 1.0× numpy
 * on one thread and ≤ 1.5× numpy on its default threads at the medium and cs231n sizes, ≤ 1.0× numpy on one
 * thread at the small size.
 */
function targets() {
  const out = [];
  for (const r of rows) {
    if (r.mode !== 'sequence' || !['rnn', 'lstm'].includes(r.cell)) continue;
    const hgDefault = r.handgrad.find((h) => h.threads === defaultThreads) ?? r.handgrad[0];
    if (!hgDefault) continue;
    // More than one thread on either side is unreadable when other work shares the cores (see busy).
    const readable = (against) => !busy() || (hgDefault.threads === 1 && against === 'numpy 1 thread');
    const check = (against, limit, ratio) =>
      ratio === undefined
        ? undefined
        : { cell: r.cell, size: r.size, against, limit, ratio, met: readable(against) ? ratio <= limit : null };
    const wanted =
      r.size === 'small'
        ? [check('numpy 1 thread', 1.0, hgDefault.ratioOne)]
        : ['medium', 'cs231n'].includes(r.size)
          ? [check('numpy 1 thread', 1.0, hgDefault.ratioOne), check('numpy default', 1.5, hgDefault.ratioDefault)]
          : [];
    for (const t of wanted) if (t) out.push({ ...t, threads: hgDefault.threads });
  }
  return out;
}

/**
 * Whether other work shared the cores during the run (the load average counts this run too, about one per
 * busy thread). A second thread of numpy or handgrad waits for a core then: OpenBLAS's threads, which spin
 * while waiting for each other, ran 5–17× slower than one thread at a load of 14–18 on 2 cores here.
 */
const busy = () => Math.max(loadavg()[0], loadavg()[1]) > cpus().length + 0.5;

/** A target's verdict: met, not met, or null when the machine was too busy to tell. */
const verdict = (met, yes, no) => (met === null ? 'unreadable (machine busy)' : met ? yes : no);

/** The sequence rows and the targets as the Markdown tables of docs/performance.md. */
function markdown() {
  const fmt = (v, d = 2) => (v === undefined ? '–' : v.toFixed(d));
  const ms = (v) => (v === undefined ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0));
  const allThreads = serverInfo.all?.openblas_threads ?? '?';
  const lines = [
    `${machine.cpu}, ${machine.cores} cores; Node ${machine.node}, WASM kernel ${machine.wasmKernel ?? 'none'}; ` +
      `numpy ${numpyInfo.info?.numpy ?? '?'} with OpenBLAS (${serverInfo.one?.openblas_core ?? '?'} kernels); ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}${busy() ? ' (busy: the figures of more than one thread are not worth reading)' : ''}.`,
    '',
    `| cell | size N·T·D·H | handgrad threads | handgrad ms | numpy 1 thread ms | numpy ${allThreads} threads ms ` +
      `| ÷ numpy 1 thread | ÷ numpy ${allThreads} threads | ÷ numpy 1 thread, CPU time |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows.filter((row) => row.mode === 'sequence')) {
    r.handgrad.forEach((h, i) => {
      const name = i === 0 ? `${r.cell.toUpperCase()} | ${r.size} ${r.N}·${r.T}·${r.D}·${r.H}` : ' | ';
      const numpyMs = i === 0 ? `${ms(r.numpyOne?.ms)} | ${ms(r.numpyDefault?.ms)}` : ' | ';
      lines.push(
        `| ${name} | ${h.threads} | ${ms(h.ms)} | ${numpyMs} | ` +
          `${fmt(h.ratioOne)} | ${fmt(h.ratioDefault)} | ${fmt(h.ratioOneCpu)} |`,
      );
    });
  }
  const met = targets();
  if (met.length > 0) {
    lines.push('', `| target (handgrad at ${met[0].threads} thread(s)) | measured | met |`, '|---|---:|---|');
    for (const t of met)
      lines.push(
        `| ${t.cell.toUpperCase()} ${t.size} ≤ ${t.limit.toFixed(1)}× ${t.against} | ${t.ratio.toFixed(2)}× | ` +
          `${verdict(t.met, 'yes', 'no')} |`,
      );
  }
  return lines.join('\n');
}

const machine = {
  cpu: cpuName(),
  cores: cpus().length,
  node: process.version,
  tier: hg.productTier(),
  wasmKernel: hg.wasmKernelKind(),
  threads: hasThreads ? { default: defaultThreads, timed: threadCounts } : { default: 1, timed: [1], note: noThreads },
  loadavg: loadavg(),
  busy: busy(),
};
if (asJson) {
  console.log(
    JSON.stringify(
      {
        machine,
        numpy: numpyFailure ? { ...numpyInfo, stopped: numpyFailure } : numpyInfo,
        numpyServers: serverInfo,
        agreement: agree,
        rows,
        targets: targets(),
        memory,
      },
      null,
      2,
    ),
  );
} else {
  const fmt = (v, d = 2) => (v === undefined ? '–' : v.toFixed(d));
  const allThreads = serverInfo.all?.openblas_threads ?? '?';
  const table = new Table({
    head: [
      'cell',
      'mode',
      'size',
      'N·T·D·H',
      'threads',
      'handgrad ms',
      'GFLOP/s',
      'numpy 1-thr ms',
      `numpy ${allThreads}-thr ms`,
      'hg / np 1-thr',
      `hg / np ${allThreads}-thr`,
      'hg / np 1-thr (CPU)',
      'kernel floor ms',
      'floor / np',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    const lines = r.error ? [{ threads: '–' }] : r.handgrad;
    lines.forEach((h, i) => {
      const first = i === 0;
      table.push([
        first ? r.cell : '',
        first ? r.mode : '',
        first ? r.size : '',
        first ? `${r.N}·${r.T}·${r.D}·${r.H}` : '',
        String(h.threads),
        r.error ? `error: ${r.error}` : fmt(h.ms),
        fmt(h.gflops),
        first ? fmt(r.numpyOne?.ms) : '',
        first ? fmt(r.numpyDefault?.ms) : '',
        fmt(h.ratioOne),
        fmt(h.ratioDefault),
        fmt(h.ratioOneCpu),
        first ? fmt(r.kernelFloorMs) : '',
        first ? fmt(r.floorRatio) : '',
      ]);
    });
  }
  console.log(
    `handgrad bench — ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; tier ${machine.tier}; ` +
      `WASM kernel ${machine.wasmKernel ?? 'none (no WASM SIMD)'}; handgrad threads ${threadCounts.join(' and ')}` +
      (hasThreads ? ` (default ${defaultThreads})` : ` (${noThreads})`),
  );
  if (numpyOk) {
    const i = numpyInfo.info;
    const errors = Object.entries(numpyInfo.gradcheck)
      .map(([c, e]) => `${c} ${e.toExponential(1)}`)
      .join(', ');
    console.log(
      `numpy ${i.numpy}, ${i.blas} (${serverInfo.one?.openblas_core ?? '?'} kernels), side by side on ` +
        `${serverInfo.one?.openblas_threads ?? '?'} thread and on its default ${allThreads} threads; ` +
        `numpy gradients checked by finite differences: max norm-rel error ${errors}`,
    );
    if (agree)
      console.log(
        `numpy computes handgrad's math: h and every gradient agree to ${Object.entries(agree)
          .map(([c, e]) => `${c} ${e.toExponential(1)}`)
          .join(', ')} (norm-relative)`,
      );
  } else {
    console.log(`numpy: ${numpyInfo.error}`);
  }
  console.log(
    `ms = wall time per forward+backward, median of repeats after ${WARM_MS} ms of warm-up per row and side; ` +
      'the sides take turns sample by sample (each going first in turn) and each ratio is the median of the ' +
      "ratios of samples of the same turn; after a sample on 2 threads the next one waits until that side's idle " +
      `threads stop spinning (${SETTLE_MS.numpy} ms after numpy's, ${SETTLE_MS.handgrad} ms after handgrad's); ` +
      '"(CPU)" = the same with CPU time (user+sys), the steadier figure on ' +
      'a shared machine, for one thread on each side; ' +
      'flops = 6·N·T·(D+H)·gH (g = 1 RNN, 4 LSTM, 3 GRU); step = one time step (T = 1)',
  );
  if (floorTimer)
    console.log(
      "kernel floor = the WASM kernel alone on the row's products on one thread, already packed " +
        '(fastest of 5; bench/floor.mjs), over numpy 1-thread CPU time: no change outside the kernel can beat it',
    );
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${machine.cores} cores`,
  );
  console.log(table.toString());
  if (busy())
    console.log(
      `warning: the load average (${loadavg()[0].toFixed(1)}) was above the ${machine.cores} cores: other work ` +
        'shared them, so the figures of more than one thread (numpy default, handgrad 2) are not worth reading',
    );
  if (numpyFailure) console.log(`numpy stopped: ${numpyFailure}`);
  const met = targets();
  if (met.length > 0) {
    console.log(`targets (sequence forward+backward, handgrad at ${met[0].threads} thread(s), wall time):`);
    for (const t of met)
      console.log(
        `  ${t.cell} ${t.size}: ${t.ratio.toFixed(2)}× ${t.against} (target ≤ ${t.limit.toFixed(1)}) ` +
          `${verdict(t.met, 'met', 'not met')}`,
      );
  }
  if (memory) {
    const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    console.log(
      `LSTM ${memory.size} sequence fwd+bwd memory: peak new ${mb(memory.peakNewBytes)} ` +
        `(WASM arena growth ${mb(memory.wasmArenaGrowth)}), cache ${mb(memory.cacheBytes)} → ` +
        `${memory.ratio.toFixed(2)}× the cache; without the returned outputs (${mb(memory.outputBytes)}) ` +
        `${memory.ratioWithoutOutputs.toFixed(2)}× (${memory.note})`,
    );
  }
}
if (opts.markdown === true && !asJson) console.log(`\n${markdown()}`);
