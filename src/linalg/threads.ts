/**
 * The thread pool of the WASM tier: large products are split by column
 * panels of C between the calling thread and worker threads that run the
 * same kernel module on the same shared WebAssembly memory.
 *
 * Why the results are the same bits with any number of threads: the kernel
 * computes each element of C as one chain of multiply-adds over k = 0 … K−1,
 * in order, starting from zero or from C (gemm.wat; slicing K only stores and
 * reloads the running sum, which is exact). Which call, thread or column
 * block computes an element changes nothing in that chain, and every thread
 * runs the same module build (relaxed SIMD or SIMD128) on the same CPU. The
 * split is by whole panels of 4 columns, so no panel is shared either.
 *
 * Synchronisation: a control block (a SharedArrayBuffer of Int32, one slot
 * per worker) holds each worker's job and its state word, job number × 4 +
 * phase (posted, claimed, done, revoked). The caller stores the job, posts
 * it and notifies, and computes its own share of the panels. A worker claims
 * a posted job with a compare-exchange before it reads it. When the caller
 * is done with its share it tries to revoke each job that is still only
 * posted, with the same compare-exchange, and computes that share itself:
 * exactly one thread wins, so a worker that the OS has not scheduled yet (a
 * busy machine) costs the caller nothing beyond doing the work alone. A
 * claimed job is waited for (Atomics.wait in Node; a spin on Atomics.load
 * where the thread may not block, as a browser's main thread). Workers spin
 * briefly before they sleep in Atomics.wait, so a step loop whose products
 * follow each other within microseconds does not pay a wake-up per step.
 *
 * The workers are started from source text (no file to resolve in dist/, in
 * a bundle or in a tarball): `worker_threads` with `eval: true` in Node, a
 * Blob URL in a browser. Node's module is reached through
 * `process.getBuiltinModule`, so the core has no static `node:` import.
 * Workers are `unref()`ed: they never keep a process alive.
 */
import { describeValue } from './describe.js';

/**
 * gemm.wat's `gemm`: C's mp×np panels (+)= A's mp panels by B's np panels over
 * K; the first `full` A panels run 6 rows high, the rest 4; C's rows are `ld`
 * values apart (byte addresses ap, bp, cp).
 */
export type GemmKernel = (
  mp: number,
  np: number,
  K: number,
  ap: number,
  bp: number,
  cp: number,
  acc: number,
  full: number,
  ld: number,
) => void;

/** The arguments of one {@link GemmKernel} call, in its order. */
export type GemmArgs = Parameters<GemmKernel>;

/** What the pool needs of the kernel: the module to instantiate in each worker and the memory they share. */
export interface PoolKernel {
  readonly module: object;
  readonly memory: object;
  /** The calling thread's own instance of the product kernel (gemm.wat's `gemm`). */
  readonly gemm: GemmKernel;
}

/** Int32 values per worker in the control block (1 KiB: slots never share a cache line). */
const SLOT = 256;
// Fields of a slot.
const STATE = 0; // job number × 4 + one of the phases below
const DELAY = 1; // test hook: ms the worker sleeps before it claims a job
const OP = 2; // what to do: OP_GEMM, OP_PACK_DEPTH, OP_PACK_INDEX, OP_EXIT, or a test hook's OP_THROW / OP_VANISH
const ARGS = 3; // the arguments of the kernel's function: 9 of gemm, 7 of pack_depth_major, 6 of pack_index_major
const STATUS = 12; // 0 done, 1 failed (message below)
const READY = 13; // 1 once the worker has instantiated the kernel
const MESSAGE_LENGTH = 14;
const MESSAGE = 16; // UTF-16 code units of a failure's message
const MESSAGE_MAX = SLOT - MESSAGE;
const OP_GEMM = 1;
const OP_EXIT = 2;
const OP_THROW = 3;
const OP_VANISH = 4;
const OP_PACK_DEPTH = 5;
const OP_PACK_INDEX = 6;
// Phases of STATE: posted by the caller, claimed by the worker, done by the worker, or revoked by the caller.
const POSTED = 1;
const CLAIMED = 2;
const FINISHED = 3;
const REVOKED = 0;

/**
 * How long a waiting thread spins (re-reading its state word) before it
 * sleeps in Atomics.wait, in ms. A futex wake-up costs tens of µs on a
 * virtual machine, as much as splitting saves on a step's product, so both
 * sides spin through the usual gaps instead: a worker through the caller's
 * packing and cell arithmetic between the products of a step loop, the
 * caller through the end of a worker's share of the same size as its own.
 * Measured: docs/performance-design.md ("Synchronisation").
 */
const SPIN_MS = 1;

/** Loads between two looks at the clock while spinning (a clock read costs more than a load). */
const SPIN_CHECK = 255;

/** The caller's clock: performance.now() where the engine has it (Node, browsers), else Date.now(). */
const clock: { now(): number } = (globalThis as { performance?: { now(): number } }).performance ?? Date;

/** The worker's program, run from source text in a Node worker (CommonJS, eval) or a browser Worker (Blob URL). */
const WORKER_SOURCE = `'use strict';
function start(d) {
  const ctl = new Int32Array(d.control);
  const base = d.slot * ${SLOT};
  const { exports } = new WebAssembly.Instance(d.module, { env: { memory: d.memory }, js: { exp: Math.exp } });
  const gemm = exports.gemm;
  const packDepth = exports.pack_depth_major;
  const packIndex = exports.pack_index_major;
  // Read before READY is set: the caller posts no job before it sees READY.
  let seen = Atomics.load(ctl, base + ${STATE});
  Atomics.store(ctl, base + ${READY}, 1);
  Atomics.notify(ctl, base + ${READY});
  for (;;) {
    const until = performance.now() + ${SPIN_MS};
    let spins = 0;
    while (Atomics.load(ctl, base + ${STATE}) === seen) {
      if ((++spins & ${SPIN_CHECK}) === 0 && performance.now() > until) Atomics.wait(ctl, base + ${STATE}, seen);
    }
    seen = Atomics.load(ctl, base + ${STATE});
    if ((seen & 3) !== ${POSTED}) continue;
    const delay = ctl[base + ${DELAY}];
    if (delay > 0) Atomics.wait(ctl, base + ${DELAY}, delay, delay);
    // Claim the job; if the caller revoked it meanwhile, it does this share itself.
    if (Atomics.compareExchange(ctl, base + ${STATE}, seen, seen + 1) !== seen) continue;
    seen += 1;
    const op = ctl[base + ${OP}];
    if (op === ${OP_EXIT}) return;
    if (op === ${OP_VANISH}) {
      if (typeof process === 'object') process.exit(0);
      else close();
      return;
    }
    let status = 0;
    try {
      if (op === ${OP_THROW}) throw new Error('made to throw by a test hook');
      const a = base + ${ARGS};
      const v = (i) => ctl[a + i];
      if (op === ${OP_PACK_DEPTH}) packDepth(v(0), v(1), v(2), v(3), v(4), v(5), v(6));
      else if (op === ${OP_PACK_INDEX}) packIndex(v(0), v(1), v(2), v(3), v(4), v(5));
      else gemm(v(0), v(1), v(2), v(3), v(4), v(5), v(6), v(7), v(8));
    } catch (e) {
      status = 1;
      const text = String(e && e.message !== undefined ? e.message : e).slice(0, ${MESSAGE_MAX});
      for (let i = 0; i < text.length; i++) ctl[base + ${MESSAGE} + i] = text.charCodeAt(i);
      ctl[base + ${MESSAGE_LENGTH}] = text.length;
    }
    ctl[base + ${STATUS}] = status;
    seen += 1;
    Atomics.store(ctl, base + ${STATE}, seen);
    Atomics.notify(ctl, base + ${STATE});
  }
}
if (typeof require === 'function') start(require('node:worker_threads').workerData);
else self.onmessage = (event) => start(event.data);
`;

/** The slice of Node's worker_threads used here. */
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'exit' | 'error', listener: (arg: unknown) => void): void;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown; stdout?: boolean }) => NodeWorker;
  isMainThread: boolean;
}
/** The slice of a browser's Worker, Blob and URL used here. */
interface BrowserWorker {
  postMessage(data: unknown): void;
  terminate(): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
}
interface BrowserGlobals {
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  document?: unknown;
  process?: {
    env?: Record<string, string | undefined>;
    getBuiltinModule?: (id: string) => unknown;
    versions?: { node?: string };
  };
}

const global = globalThis as BrowserGlobals;

function nodeProcess(): BrowserGlobals['process'] | undefined {
  const p = global.process;
  return p?.versions?.node === undefined ? undefined : p;
}

function nodeModule<T>(id: string): T | undefined {
  try {
    return nodeProcess()?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/** The cores this engine reports (os.availableParallelism in Node, navigator.hardwareConcurrency in a browser). */
export function availableCores(): number {
  const os = nodeModule<{ availableParallelism?: () => number; cpus?: () => unknown[] }>('node:os');
  const n = os?.availableParallelism?.() ?? os?.cpus?.().length ?? global.navigator?.hardwareConcurrency ?? 1;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * Whether this engine can run the pool at all: shared memory, and a way to
 * start workers (Node's worker_threads; a browser's Worker on a page that is
 * cross-origin isolated, the condition for SharedArrayBuffer there).
 */
export function sharedMemoryAllowed(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (nodeProcess() !== undefined) return true;
  return global.crossOriginIsolated === true;
}

/** Set when the engine refused to start a worker (a page's content security policy, say): one thread from then on. */
let workersRefused = false;

function canStartWorkers(): boolean {
  if (workersRefused || !sharedMemoryAllowed()) return false;
  if (nodeProcess() !== undefined) return nodeModule<NodeWorkerThreads>('node:worker_threads') !== undefined;
  return global.Worker !== undefined && global.Blob !== undefined && global.URL !== undefined;
}

let chosen: number | undefined;

function fromEnvironment(): number {
  const value = nodeProcess()?.env?.HANDGRAD_THREADS;
  const cores = availableCores();
  if (value === undefined || value === '') return cores;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > cores) {
    throw new RangeError(
      `handgrad: HANDGRAD_THREADS must be a whole number from 1 to ${cores} (the cores available), ` +
        `got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function setting(): number {
  if (chosen === undefined) chosen = fromEnvironment();
  return chosen;
}

/**
 * Sets how many threads the large WASM products may use, 1 … the cores
 * available: the calling thread and up to n − 1 workers. 1 stops the
 * workers. Every count gives the same bits. Where workers cannot run (no
 * SharedArrayBuffer, or a browser page that is not cross-origin isolated)
 * products use one thread whatever is set.
 *
 * @throws RangeError when `n` is not a whole number from 1 to the cores available.
 */
export function setThreads(n: number): void {
  const cores = availableCores();
  if (typeof n !== 'number') {
    throw new TypeError(`setThreads: n must be a whole number from 1 to ${cores}, got ${describeValue(n)}`);
  }
  if (!Number.isInteger(n) || n < 1 || n > cores) {
    throw new RangeError(
      `setThreads: n must be a whole number from 1 to ${cores} (the cores available), got ${String(n)}`,
    );
  }
  chosen = n;
  if (pool !== undefined && pool.workers.length !== n - 1) shutdownThreads();
  onThreadsChange?.();
}

let onThreadsChange: (() => void) | undefined;

/**
 * Registers what gemm-wasm.ts does when the thread count changes: it keeps
 * the kernel on a shared memory only while more than one thread is allowed
 * (copies into and out of a SharedArrayBuffer take V8's slower relaxed-atomic
 * copy), so a switch between 1 and more reloads it. @internal
 */
export function whenThreadsChange(f: () => void): void {
  onThreadsChange = f;
}

/**
 * The threads the large WASM products may use: what {@link setThreads} or
 * the environment variable `HANDGRAD_THREADS` chose, every core by default;
 * 1 where workers cannot run.
 */
export function getThreads(): number {
  const n = setting();
  return n > 1 && canStartWorkers() ? n : 1;
}

/**
 * Below this many multiply-adds (rows × columns × depth, padded to the
 * kernel's panels) a product stays on the calling thread: handing half of
 * it to a worker and waiting costs more than it saves (measured,
 * docs/performance-design.md). Tests lower it through `HANDGRAD_THREAD_MIN_WORK`.
 */
export const THREAD_MIN_WORK = 1 << 21;

let minWork: number | undefined;

/** The fewest multiply-adds of a kernel call that the pool splits. @internal */
export function threshold(): number {
  if (threadPoolHooks.minWork !== undefined) return threadPoolHooks.minWork;
  if (minWork === undefined) {
    const value = nodeProcess()?.env?.HANDGRAD_THREAD_MIN_WORK;
    const n = value === undefined || value === '' ? THREAD_MIN_WORK : Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `handgrad: HANDGRAD_THREAD_MIN_WORK must be a whole number ≥ 0, got ${JSON.stringify(value)}`,
      );
    }
    minWork = n;
  }
  return minWork;
}

interface Member {
  readonly slot: number;
  readonly stop: () => void;
  /** Set from the worker's exit or error event (which run only when the caller's thread is idle). */
  dead: string | undefined;
}

interface Pool {
  readonly kernel: PoolKernel;
  readonly control: Int32Array;
  readonly workers: Member[];
  /** Whether this thread may block in Atomics.wait (not a browser's main thread). */
  readonly canWait: boolean;
}

let pool: Pool | undefined;

/** Internal counters and switches for tests. @internal */
export const threadPoolHooks = {
  /** Products split between threads so far. */
  parallelProducts: 0,
  /** Shares of those products that a worker computed. */
  workerShares: 0,
  /** Shares the caller took back from a worker that had not claimed them yet, and computed itself. */
  revoked: 0,
  /** Packing jobs a worker did while the caller copied the next block of the operand ({@link handOff}). */
  packHandoffs: 0,
  /** Milliseconds each worker sleeps before it claims a job (tests of revocation). */
  claimDelayMs: 0,
  /** Whether the caller takes back unclaimed shares (tests switch it off so the workers compute theirs). */
  revoke: true,
  /**
   * How long the caller waits for a worker's claimed share before it reports the worker dead or stuck (ms),
   * plus 1 ms per 10^5 multiply-adds of the share (a rate a hundred times below the kernel's, for the largest
   * shares on a busy machine).
   */
  stallMs: 10_000,
  /** How long starting the pool waits for the workers to load the kernel in Node (ms). */
  startMs: 5_000,
  /** Overrides {@link THREAD_MIN_WORK} (and HANDGRAD_THREAD_MIN_WORK) when set. */
  minWork: undefined as number | undefined,
  /** Node workers started and not yet exited (their exit event has run). */
  liveWorkers: 0,
};

function probeWait(control: Int32Array): boolean {
  try {
    // A value that is not there returns at once where blocking is allowed, throws where it is not.
    Atomics.wait(control, 0, -1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts one worker on the kernel's module and memory (Node's worker_threads, or a browser Worker). */
function startWorker(
  threads: NodeWorkerThreads | undefined,
  data: { module: object; memory: object; control: SharedArrayBuffer; slot: number },
): Member {
  const { slot } = data;
  let member: Member;
  if (threads !== undefined) {
    const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: data });
    worker.unref();
    threadPoolHooks.liveWorkers++;
    member = { slot, dead: undefined, stop: () => void worker.terminate() };
    const m = member;
    worker.on('error', (e) => {
      m.dead ??= `it threw ${String((e as Error)?.message ?? e)}`;
    });
    worker.on('exit', (code) => {
      threadPoolHooks.liveWorkers--;
      m.dead ??= `it exited (code ${String(code)})`;
    });
  } else {
    const { Worker, Blob, URL } = global as Required<BrowserGlobals>;
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.postMessage(data);
    member = { slot, dead: undefined, stop: () => worker.terminate() };
    const m = member;
    worker.addEventListener('error', (e) => {
      m.dead ??= `it threw ${String(e.message)}`;
    });
  }
  return member;
}

function startPool(kernel: PoolKernel, workers: number): Pool {
  const control = new Int32Array(new SharedArrayBuffer(4 * SLOT * workers));
  const p: Pool = { kernel, control, workers: [], canWait: probeWait(control) };
  const threads = nodeModule<NodeWorkerThreads>('node:worker_threads');
  for (let slot = 0; slot < workers; slot++) {
    try {
      p.workers.push(
        startWorker(threads, { module: kernel.module, memory: kernel.memory, control: control.buffer, slot }),
      );
    } catch {
      workersRefused = true;
      for (const w of p.workers) w.stop();
      p.workers.length = 0;
      return p;
    }
  }
  if (p.canWait) {
    // Node: wait (briefly) for the workers to load the kernel, so the first large product already uses them.
    const until = Date.now() + threadPoolHooks.startMs;
    for (const w of p.workers) {
      const at = w.slot * SLOT + READY;
      while (Atomics.load(control, at) === 0 && Date.now() < until) Atomics.wait(control, at, 0, 20);
    }
  }
  return p;
}

/** Stops the pool's workers now; a later large product starts them again. Results are unaffected. */
export function shutdownThreads(): void {
  const p = pool;
  pool = undefined;
  if (p === undefined) return;
  for (const w of p.workers) {
    const base = w.slot * SLOT;
    p.control[base + OP] = OP_EXIT;
    Atomics.store(p.control, base + STATE, nextJob(p.control, base) + POSTED);
    Atomics.notify(p.control, base + STATE);
    w.stop();
  }
}

function currentPool(kernel: PoolKernel, threads: number): Pool {
  if (pool !== undefined && (pool.kernel !== kernel || pool.workers.length !== threads - 1)) shutdownThreads();
  pool ??= startPool(kernel, threads - 1);
  return pool;
}

function fail(product: string, slot: number, why: string, task = 'its share of the columns'): never {
  // A worker that did not answer may still write into the shared memory: the
  // caller's error handler in gemm-wasm.ts drops that memory too.
  shutdownThreads();
  throw new Error(`${product}: worker ${slot + 1} of the thread pool failed on ${task}: ${why}`);
}

/** STATE of slot `base` with the job number after the current one and no phase. */
function nextJob(control: Int32Array, base: number): number {
  return ((Atomics.load(control, base + STATE) >> 2) + 1) << 2;
}

/**
 * After the caller's own share: revokes worker w's job if it is still only
 * posted (then returns false: the caller computes that share), else waits for
 * the worker's answer (true).
 */
function collect(p: Pool, w: Member, job: number, work: number, product: string, task?: string): boolean {
  const { control } = p;
  const base = w.slot * SLOT;
  if (
    threadPoolHooks.revoke &&
    Atomics.compareExchange(control, base + STATE, job + POSTED, job + REVOKED) === job + POSTED
  ) {
    threadPoolHooks.revoked++;
    return false;
  }
  const started = Date.now();
  const allowed = threadPoolHooks.stallMs + Math.floor(work / 1e5);
  const spinUntil = clock.now() + SPIN_MS;
  let spins = 0;
  while (Atomics.load(control, base + STATE) !== job + FINISHED) {
    if ((++spins & SPIN_CHECK) !== 0 || clock.now() < spinUntil) continue;
    if (p.canWait) Atomics.wait(control, base + STATE, job + CLAIMED, 50);
    if (Date.now() - started > allowed) {
      fail(product, w.slot, `no answer after ${allowed} ms (the worker died or is stuck)`, task);
    }
  }
  if (control[base + STATUS] !== 0) {
    const length = control[base + MESSAGE_LENGTH] as number;
    let text = '';
    for (let i = 0; i < length; i++) text += String.fromCharCode(control[base + MESSAGE + i] as number);
    fail(product, w.slot, `it threw ${text}`, task);
  }
  return true;
}

/**
 * C (+)= Ap·Bp as {@link PoolKernel.gemm} takes it, split by column panels
 * between this thread and the pool's workers when the product is large
 * enough and more than one thread is allowed; false (nothing done) otherwise,
 * and the caller runs the kernel itself. `product` names the product in
 * errors. Throws when a worker fails or does not answer.
 */
export function gemmInThreads(kernel: PoolKernel, args: GemmArgs, product: string): boolean {
  const [mp, np, K, ap, bp, cp, acc, full, ld] = args;
  if (np < 2 || mp * 6 * np * 4 * K < threshold()) return false;
  const threads = Math.min(getThreads(), np);
  if (threads < 2) return false;
  const p = currentPool(kernel, getThreads());
  for (const w of p.workers) if (w.dead !== undefined) fail(product, w.slot, w.dead);
  const ready = p.workers.filter((w) => Atomics.load(p.control, w.slot * SLOT + READY) === 1);
  const parts = Math.min(threads, ready.length + 1);
  if (parts < 2) return false;
  // Contiguous ranges of panels, sizes differing by at most one; this thread takes the first.
  const start = (i: number): number => Math.floor((i * np) / parts);
  const { control } = p;
  const jobs: number[] = [];
  for (let i = 1; i < parts; i++) {
    const w = ready[i - 1] as Member;
    const base = w.slot * SLOT;
    const q0 = start(i);
    const a = base + ARGS;
    control[base + DELAY] = threadPoolHooks.claimDelayMs;
    control[base + OP] = sabotaged.get(w.slot) ?? OP_GEMM;
    sabotaged.delete(w.slot);
    control[a] = mp;
    control[a + 1] = start(i + 1) - q0;
    control[a + 2] = K;
    control[a + 3] = ap;
    control[a + 4] = bp + q0 * K * 32;
    control[a + 5] = cp + q0 * 32;
    control[a + 6] = acc;
    control[a + 7] = full;
    control[a + 8] = ld;
    const job = nextJob(control, base);
    jobs.push(job);
    Atomics.store(control, base + STATE, job + POSTED);
    Atomics.notify(control, base + STATE);
  }
  threadPoolHooks.parallelProducts++;
  kernel.gemm(mp, start(1), K, ap, bp, cp, acc, full, ld);
  for (let i = 1; i < parts; i++) {
    const q0 = start(i);
    const work = mp * 6 * (start(i + 1) - q0) * 4 * K;
    if (collect(p, ready[i - 1] as Member, jobs[i - 1] as number, work, product)) {
      threadPoolHooks.workerShares++;
      continue;
    }
    kernel.gemm(mp, start(i + 1) - q0, K, ap, bp + q0 * K * 32, cp + q0 * 32, acc, full, ld);
  }
  return true;
}

/** A packing job given to a worker while the caller goes on ({@link handOff}); see {@link finishHandOff}. */
export interface HandOff {
  readonly pool: Pool;
  readonly worker: Member;
  readonly job: number;
  readonly product: string;
}

/**
 * Gives one call of the kernel's packer (`pack_depth_major` or
 * `pack_index_major`, on the shared memory) to a ready worker, so that the
 * caller can copy the next block of the operand meanwhile; null (nothing
 * done) when only one thread may run or no worker is ready. Every hand-off
 * must be finished with {@link finishHandOff} before the next product, pack
 * or hand-off. The packers only copy values, so who runs them changes no bit.
 */
export function handOff(
  kernel: PoolKernel,
  packer: 'depth' | 'index',
  args: readonly number[],
  product: string,
): HandOff | null {
  if (getThreads() < 2) return null;
  const p = currentPool(kernel, getThreads());
  for (const w of p.workers) if (w.dead !== undefined) fail(product, w.slot, w.dead, 'packing an operand');
  const w = p.workers.find((m) => Atomics.load(p.control, m.slot * SLOT + READY) === 1);
  if (w === undefined) return null;
  const { control } = p;
  const base = w.slot * SLOT;
  control[base + DELAY] = threadPoolHooks.claimDelayMs;
  control[base + OP] = sabotaged.get(w.slot) ?? (packer === 'depth' ? OP_PACK_DEPTH : OP_PACK_INDEX);
  sabotaged.delete(w.slot);
  for (let i = 0; i < args.length; i++) control[base + ARGS + i] = args[i] as number;
  const job = nextJob(control, base);
  Atomics.store(control, base + STATE, job + POSTED);
  Atomics.notify(control, base + STATE);
  return { pool: p, worker: w, job, product };
}

/**
 * Waits for a hand-off's worker to finish it (true), or takes it back if the
 * worker has not started it (false: the caller then runs the packer itself).
 * Throws, as a split product does, when the worker fails or does not answer.
 */
export function finishHandOff(h: HandOff): boolean {
  if (!collect(h.pool, h.worker, h.job, 0, h.product, 'packing an operand')) return false;
  threadPoolHooks.packHandoffs++;
  return true;
}

/**
 * Test hook: makes worker `slot` (0-based) throw on its next job
 * (`'throw'`), leave without answering (`'vanish'`), or be terminated now
 * (`'terminate'`). @internal
 */
export function sabotageWorker(slot: number, how: 'throw' | 'vanish' | 'terminate'): void {
  const p = pool;
  const w = p?.workers[slot];
  if (p === undefined || w === undefined) throw new Error(`sabotageWorker: no worker ${slot} in the pool`);
  if (how === 'terminate') {
    w.stop();
    return;
  }
  sabotaged.set(slot, how === 'throw' ? OP_THROW : OP_VANISH);
}

const sabotaged = new Map<number, number>();
