#!/usr/bin/env node
// `npm run bench`: forward+backward of every cell, one step and a whole
// sequence, at three sizes; median of repeats after warm-up; ms and GFLOP/s
// per row, and the same math in numpy (bench/reference_numpy.py) timed in the
// same run, its samples alternating with handgrad's one by one, with the ratio
// handgrad/numpy (the median of the ratios of adjacent samples).
//
//   npm run bench                      the full table (about a minute or two)
//   npm run bench -- --tiny            tiny sizes, a few seconds (CI: checks it runs, asserts no timing)
//   npm run bench -- --json            one JSON object instead of the table
//   npm run bench -- --tier=ts|wasm    force a product tier (default: auto)
//   npm run bench -- --no-numpy        skip the numpy side
//   npm run bench -- --sizes=small,medium   a subset of the sizes
//   npm run bench -- --no-floor        skip the kernel floor (bench/floor.mjs)
//   npm run bench -- --help            the options; a bad one is a one-line error, exit 2
//   npm run bench:relaxed              Node 20 with relaxed SIMD enabled (fused multiply-add
//                                      kernel; the default on Node ≥ 22)
//
// numpy runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
// environment (they slow a current OpenBLAS) and one BLAS thread, so both
// sides are single-threaded; the JSON and the table say which OpenBLAS core ran.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
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

const { Command, CommanderError, Option, InvalidArgumentError } = require('commander');
const SIZE_NAMES = ['small', 'medium', 'cs231n'];
const program = new Command('npm run bench --')
  .description('forward+backward timings of every cell against numpy (see docs/performance.md)')
  .option('--tiny', 'tiny sizes, a few seconds (what CI runs; no timing is asserted)')
  .option('--json', 'one JSON object instead of the table')
  .addOption(new Option('--tier <tier>', 'force a product tier').choices(['auto', 'ts', 'wasm']))
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

const numpyEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
delete numpyEnv.OPENBLAS_CORETYPE;
delete numpyEnv.OPENBLAS_L2_SIZE;

function numpy(argv) {
  const r = spawnSync('python3', [join(root, 'bench/reference_numpy.py'), ...argv], {
    env: numpyEnv,
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
 * The numpy side as one long-lived process (reference_numpy.py --serve), so
 * that its samples can alternate with handgrad's one by one.
 */
function numpyServer() {
  const child = spawn('python3', [join(root, 'bench/reference_numpy.py'), '--serve'], {
    env: numpyEnv,
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
    prepare: (problemShape) => request({ prepare: problemShape }),
    sample: () => request({ sample: true }),
    close: () => child.stdin.end(),
  };
}
let server = numpyOk ? numpyServer() : null;
let numpyFailure;

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
// First, in a fresh process, so the WASM arena's growth is part of the peak.
const memory = cs231n ? lstmMemory(cs231n) : undefined;

const rows = [];
for (const size of sizes) {
  for (const cell of cells) {
    const pr = problem(cell, size);
    for (const mode of ['step', 'sequence']) {
      const T = mode === 'step' ? 1 : size.T;
      const flops = 6 * size.N * T * (size.D + size.H) * GATES[cell] * size.H;
      const repeats = size.repeats;
      const row = { cell, mode, size: size.name, N: size.N, T, D: size.D, H: size.H, flops, repeats };
      try {
        const run = runner(cell, mode, pr);
        const inner = calibrate(run);
        const npShape = { cell, mode, N: size.N, T, D: size.D, H: size.H, warm_ms: WARM_MS };
        if (server) {
          try {
            row.numpyInner = (await server.prepare(npShape)).inner;
          } catch (e) {
            numpyFailure = String(e.message ?? e);
            server = null;
          }
        }
        // Samples alternate between the two sides, each going first every other
        // time, so that both see the same moments of a machine whose speed
        // drifts; each ratio is of two adjacent samples.
        const hgSamples = [];
        const npSamples = [];
        const npSample = async () => {
          if (!server) return;
          try {
            npSamples.push(await server.sample());
          } catch (e) {
            // Reported once under the table; handgrad's rows go on without numpy.
            numpyFailure = String(e.message ?? e);
            server = null;
          }
        };
        for (let r = 0; r < repeats; r++) {
          if (r % 2 === 1) await npSample();
          hgSamples.push(sample(run, inner));
          if (r % 2 === 0) await npSample();
        }
        row.ms = median(hgSamples.map((s) => s.cpu));
        row.wallMs = median(hgSamples.map((s) => s.wall));
        row.gflops = flops / row.ms / 1e6;
        if (npSamples.length === repeats) {
          row.numpyMs = median(npSamples.map((s) => s.cpu_ms));
          row.numpyWallMs = median(npSamples.map((s) => s.ms));
          row.numpyGflops = flops / row.numpyMs / 1e6;
          row.ratio = median(hgSamples.map((s, i) => s.cpu / npSamples[i].cpu_ms));
        }
      } catch (e) {
        row.error = String(e.message ?? e);
      }
      if (floorTimer) {
        row.kernelFloorMs = floorTimer.floorMs(
          productsOf({ N: size.N, T, D: size.D, H: size.H, gates: GATES[cell], mode, chunkSteps }),
        );
        if (row.numpyMs !== undefined) row.floorRatio = row.kernelFloorMs / row.numpyMs;
      }
      rows.push(row);
    }
  }
}

server?.close();
const machine = {
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  tier: hg.productTier(),
  wasmKernel: hg.wasmKernelKind(),
  loadavg: loadavg(),
};
if (asJson) {
  console.log(
    JSON.stringify(
      { machine, numpy: numpyFailure ? { ...numpyInfo, stopped: numpyFailure } : numpyInfo, rows, memory },
      null,
      2,
    ),
  );
} else {
  const fmt = (v, d = 2) => (v === undefined ? '–' : v.toFixed(d));
  const table = new Table({
    head: [
      'cell',
      'mode',
      'size',
      'N·T·D·H',
      'handgrad ms',
      'GFLOP/s',
      'numpy ms',
      'GFLOP/s',
      'handgrad/numpy',
      'kernel floor ms',
      'floor/numpy',
      'wall ms hg / np',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    table.push([
      r.cell,
      r.mode,
      r.size,
      `${r.N}·${r.T}·${r.D}·${r.H}`,
      r.error ? `error: ${r.error}` : fmt(r.ms),
      fmt(r.gflops),
      fmt(r.numpyMs),
      fmt(r.numpyGflops),
      fmt(r.ratio),
      fmt(r.kernelFloorMs),
      fmt(r.floorRatio),
      `${fmt(r.wallMs)} / ${fmt(r.numpyWallMs)}`,
    ]);
  }
  console.log(
    `handgrad bench — ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, tier ${machine.tier}, ` +
      `WASM kernel ${machine.wasmKernel ?? 'none (no WASM SIMD)'}`,
  );
  if (numpyOk) {
    const i = numpyInfo.info;
    const errors = Object.entries(numpyInfo.gradcheck)
      .map(([c, e]) => `${c} ${e.toExponential(1)}`)
      .join(', ');
    console.log(
      `numpy ${i.numpy}, ${i.blas} (${i.openblas_core ?? '?'} kernels, ${i.openblas_threads ?? '?'} thread); ` +
        `numpy gradients checked: max norm-rel error ${errors}`,
    );
  } else {
    console.log(`numpy: ${numpyInfo.error}`);
  }
  console.log(
    `ms = CPU time (user+sys) per forward+backward, median of repeats after ${WARM_MS} ms of warm-up ` +
      'per row and side; handgrad/numpy = median of the ratios of adjacent samples ' +
      '(the two sides alternate sample by sample); ' +
      'flops = 6·N·T·(D+H)·gH (g = 1 RNN, 4 LSTM, 3 GRU); step = one time step (T = 1)',
  );
  if (floorTimer)
    console.log(
      "kernel floor = the WASM kernel alone on the row's products, already packed (fastest of 5; bench/floor.mjs): " +
        'no change outside the kernel can beat it',
    );
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${machine.cores} cores`,
  );
  console.log(table.toString());
  if (numpyFailure) console.log(`numpy stopped: ${numpyFailure}`);
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
