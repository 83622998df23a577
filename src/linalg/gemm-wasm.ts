/**
 * The WASM-SIMD tier of the matrix products: packs A and B into panels in
 * the kernel's own memory, runs src/linalg/wasm/gemm.wat (f64x2, 6×4 register
 * blocks, cache-blocked), and copies C back. The same module holds the bulk
 * activations ({@link mapWasm}): σ and tanh two values at a time, the same
 * bits as the scalar functions of activations.ts.
 *
 * Memory design: no user-visible array is ever a view into WebAssembly
 * memory. Every call copies (packs) its operands into a scratch arena and
 * copies the result out, so growing the memory — which detaches every old
 * view of it — can only ever detach this module's own `heap` view, and that
 * is refreshed after each growth. The arena grows only between calls; a
 * WebAssembly memory cannot shrink, so after a call that grew it far past
 * the working set {@link releaseWasmArenaIfLarge} drops the kernel with its
 * memory and the next product loads a fresh one.
 *
 * Packing is a copy anyway (the kernel wants K×6 panels of A and K×4 panels
 * of B). For a weight used by every step of a sequence, {@link holdWasmOperand}
 * lets the caller promise that it will not change, so its panels are packed
 * once and kept at the bottom of the arena until released.
 *
 * The one exception to "copy in, copy out per call" is {@link WasmBlocks}: a
 * step loop (src/rnn/resident.ts) keeps its step buffers in the arena for
 * the length of one call, still never visible to the user, and reserves all
 * of it before the loop so the memory does not grow under it.
 *
 * Where the engine allows it (Node; a cross-origin isolated page) and more
 * than one thread is allowed, the memory is a shared one, so the thread
 * pool (threads.ts) runs the kernel on the same packed operands from worker
 * threads: the products below hand their `gemm` calls to
 * {@link gemmInThreads}, which splits the large ones by column panels of C.
 * Packing and copying stay on the calling thread.
 */
import {
  GEMM_RELAXED_BASE64,
  GEMM_RELAXED_SHARED_BASE64,
  GEMM_SIMD128_BASE64,
  GEMM_SIMD128_SHARED_BASE64,
} from './wasm/gemm-bytes.js';
import type { GemmOperands } from './gemm-ts.js';
import type { MatrixView } from './matrix.js';
import {
  type GemmArgs,
  type GemmKernel,
  finishHandOff,
  gemmInThreads,
  getThreads,
  type HandOff,
  handOff,
  sharedMemoryAllowed,
  shutdownThreads,
  threshold,
  whenThreadsChange,
} from './threads.js';

/** The slice of the WebAssembly JS API used here (the core has no DOM typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Which build of the kernel runs: fused multiply-add (relaxed SIMD) or multiply then add (SIMD128). */
export type WasmKernelKind = 'relaxed-simd' | 'simd128';

interface Kernel {
  readonly kind: WasmKernelKind;
  readonly memory: WasmMemory;
  /** The compiled module (instantiated again by each worker of the pool when the memory is shared). */
  readonly module: object;
  /** Whether the memory is a shared one (a SharedArrayBuffer) that the thread pool may use. */
  readonly shared: boolean;
  /**
   * The first `full` of the mp A panels run 6 rows high, the rest 4
   * ({@link rowPanels}); C's rows are `ld` values apart.
   */
  readonly gemm: GemmKernel;
  /** Panels of width w from a raw block whose panel direction is contiguous (byte addresses). */
  readonly packDepthMajor: (
    src: number,
    ld: number,
    kn: number,
    n: number,
    w: number,
    kTotal: number,
    dst: number,
  ) => void;
  /** Panels of width w from a raw block whose depth is contiguous (byte addresses). */
  readonly packIndexMajor: (src: number, ld: number, K: number, n: number, w: number, dst: number) => void;
  /** σ in place on an even count of values at a byte address. */
  readonly sigmoid: (at: number, n: number) => void;
  /** tanh in place on an even count of values at a byte address. */
  readonly tanh: (at: number, n: number) => void;
  /** du = g ⊙ (1 − h²) on an even count of values at byte addresses g, h, du. */
  readonly tanhBackward: (g: number, h: number, du: number, n: number) => void;
}

const PAGE_BYTES = 65536;

/**
 * Rows of A per packed panel, the height of the kernel's register block
 * (gemm.wat: 6×4, twelve f64x2 accumulators). B panels are 4 columns wide.
 * The last one or two panels may run through a 4×4 block instead
 * ({@link rowPanels}), so fewer padded rows are computed.
 */
const MR = 6;

/**
 * How the kernel covers M rows of A: `full` panels run 6 rows high, then
 * `tail` (0–2) panels 4 rows high, each packed in the 6-row layout. M mod 6
 * = 3 or 4 (or M < 6) ends in one 4-row panel; M mod 6 = 1 or 2 (M ≥ 7) in
 * two, 4 rows and 3 or 4, rather than a 6-row panel and a 4-row one holding
 * 1 or 2 real rows; M mod 6 = 5 keeps its last panel 6 high (one padded
 * row either way). M = 32 computes 32 rows (was 34 with one 4-row panel),
 * M = 50 computes 50 (was 52): the medium and cs231n batches.
 */
export function rowPanels(M: number): { full: number; tail: number } {
  const t = M % MR;
  if (t === 0 || t === 5) return { full: Math.ceil(M / MR), tail: 0 };
  if (t >= 3 || M < MR) return { full: Math.floor(M / MR), tail: 1 };
  return { full: Math.floor(M / MR) - 1, tail: 2 };
}

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const value = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) value[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let nbits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    bits = (bits << 6) | (value[clean.charCodeAt(i)] as number);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out[o++] = (bits >> nbits) & 0xff;
    }
  }
  return out;
}

let kernel: Kernel | null | undefined;

/** Pages of the shared memory's maximum (4 GiB, what 32-bit addresses reach): it can grow in place up to that. */
const SHARED_MAX_PAGES = 65536;

function load(): Kernel | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  // validate() is the feature test: an engine without relaxed SIMD rejects
  // the relaxed modules, one without 128-bit SIMD rejects all. The shared
  // builds come first where shared memory is allowed and more than one thread
  // is (copies into and out of a SharedArrayBuffer take V8's relaxed-atomic
  // copy, up to 2–4× slower than a memcpy for long rows, so one thread keeps
  // the module's own memory); an engine without WASM threads rejects them.
  const shared = sharedWanted && sharedMemoryAllowed() && getThreads() > 1;
  for (const [kind, base64, isShared] of [
    ['relaxed-simd', GEMM_RELAXED_SHARED_BASE64, true],
    ['simd128', GEMM_SIMD128_SHARED_BASE64, true],
    ['relaxed-simd', GEMM_RELAXED_BASE64, false],
    ['simd128', GEMM_SIMD128_BASE64, false],
  ] as const) {
    if (isShared && !shared) continue;
    try {
      const bytes = decodeBase64(base64);
      if (!wasm.validate(bytes)) continue;
      const module = new wasm.Module(bytes);
      const memory = isShared ? new wasm.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true }) : undefined;
      // σ's far tail calls Math.exp, as the scalar sigmoid does.
      const { exports } = new wasm.Instance(module, { js: { exp: Math.exp }, ...(memory ? { env: { memory } } : {}) });
      return {
        kind,
        module,
        shared: isShared,
        memory: memory ?? (exports.memory as WasmMemory),
        gemm: exports.gemm as Kernel['gemm'],
        packDepthMajor: exports.pack_depth_major as Kernel['packDepthMajor'],
        packIndexMajor: exports.pack_index_major as Kernel['packIndexMajor'],
        sigmoid: exports.sigmoid as Kernel['sigmoid'],
        tanh: exports.tanh as Kernel['tanh'],
        tanhBackward: exports.tanh_backward as Kernel['tanhBackward'],
      };
    } catch {}
  }
  return null;
}

function getKernel(): Kernel | null {
  if (kernel === undefined) kernel = load();
  return kernel;
}

// A change between one thread and several reloads the kernel on the other kind of memory (before the next product).
whenThreadsChange(() => {
  if (kernel?.shared && !(sharedMemoryAllowed() && getThreads() > 1)) resetWasmKernel();
});

/**
 * Whether the kernel moves to shared memory: only once a product large
 * enough to split has come, so a process that only ever runs small products
 * keeps the engine's faster copies into its own memory at any thread count.
 */
let sharedWanted = false;

/**
 * How many times the split threshold a product must be to move the kernel to
 * shared memory. Once there, every later product pays the slower copies,
 * small ones included, so one product just over the threshold (the small
 * LSTM's weight gradient) would cost the whole forward+backward more than
 * splitting it saves. The sequences of the medium size and up have products
 * over all N·T rows far above this, so they still move where splitting pays
 * (docs/performance-design.md, "The move to shared memory").
 */
const SHARED_MOVE_FACTOR = 4;

/** Reloads the kernel on shared memory before a product large enough to pay for the move (between products only). */
function kernelFor(work: number): Kernel | null {
  const k = getKernel();
  if (k === null || k.shared || work < SHARED_MOVE_FACTOR * threshold()) return k;
  if (!(sharedMemoryAllowed() && getThreads() > 1)) return k;
  wasmKernelHooks.moves++;
  sharedWanted = true;
  resetWasmKernel();
  return getKernel();
}

/**
 * Drops the kernel — its memory, with every packed weight and scratch block,
 * and its instances on the calling thread and in the pool's workers — so the
 * memory is freed; the next product loads it again, on a new memory. Call it
 * only between products (never while a {@link WasmBlocks} is open): held
 * weights are packed again when next used.
 */
export function resetWasmKernel(): void {
  shutdownThreads();
  kernel = undefined;
  heap = new Float64Array(0);
  for (const entry of held) entry.packs.length = 0;
  heldTop = 0;
}

/**
 * k.gemm, through the thread pool when the memory is shared and the product
 * large enough (the same bits either way). A worker that fails leaves the
 * memory in doubt (it may still be writing into it): the kernel is dropped
 * before the error goes on.
 */
function runGemm(k: Kernel, args: GemmArgs, product: string): void {
  if (k.shared) {
    let done: boolean;
    try {
      done = gemmInThreads(k, args, product);
    } catch (e) {
      resetWasmKernel();
      throw e;
    }
    if (done) return;
  }
  k.gemm(...args);
}

/** Whether this engine runs the WASM-SIMD kernel (checked once, on first use). */
export function wasmSimdAvailable(): boolean {
  return getKernel() !== null;
}

/** Internal counters for tests. @internal */
export const wasmKernelHooks = {
  /**
   * Times a product made the kernel move to shared memory. (It may still stay on its own memory if the
   * engine cannot allocate a shared one: the process's address space is full of earlier memories, say.)
   */
  moves: 0,
};

/** Whether the kernel runs on shared memory now (the thread pool's), false before it is loaded. @internal */
export function wasmMemoryShared(): boolean {
  return kernel?.shared === true;
}

/** Which build of the WASM kernel this engine runs, or null when it has no WASM SIMD. */
export function wasmKernelKind(): WasmKernelKind | null {
  return getKernel()?.kind ?? null;
}

let heap = new Float64Array(0);

/** Grows the memory to hold `doubles` f64 values and refreshes `heap`. */
function ensure(k: Kernel, doubles: number): void {
  const bytes = doubles * 8;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  if (heap.buffer !== k.memory.buffer) heap = new Float64Array(k.memory.buffer);
}

/** A weight the caller promised not to change, and its packed panels. */
interface Held {
  readonly view: MatrixView;
  /** Packed panels for each way it has been used: [bDepth, bCol, start index in heap]. */
  readonly packs: [number, number, number][];
}

const held: Held[] = [];
/** End (in f64 values) of the region holding packed weights; scratch starts here. */
let heldTop = 0;

/**
 * Promises that `view` will not change until the returned function is called:
 * products that use it as their B operand then reuse its packed panels.
 */
export function holdWasmOperand(view: MatrixView): () => void {
  const entry: Held = { view, packs: [] };
  held.push(entry);
  return () => {
    const at = held.indexOf(entry);
    if (at >= 0) held.splice(at, 1);
    // Space is reclaimed when nothing is held: holds are short (one call).
    if (held.length === 0) heldTop = 0;
  };
}

function matchesHeld(op: GemmOperands, v: MatrixView): boolean {
  if (op.b !== v.data || op.bOff !== v.offset) return false;
  if (op.bDepth === v.stride && op.bCol === 1) return op.K === v.rows && op.N === v.cols;
  return op.bDepth === 1 && op.bCol === v.stride && op.K === v.cols && op.N === v.rows;
}

/**
 * Depth of the chunks the packers copy at a time: reading 6 rows (or 4
 * columns) for every k of a long operand touches one page per k, so the
 * packers walk K in chunks that keep those pages in the TLB.
 */
const PACK_CHUNK = 64;

/**
 * Values of the raw block the packers copy an operand into before the
 * kernel's packers reorder it (256 KiB): big enough that the per-row copies
 * are long, small enough to add little to the arena.
 */
const RAW_VALUES = 1 << 15;

/** Shorter contiguous runs are packed by the JS loops: a copy per run would cost more than it saves. */
const MIN_RUN = 16;

/**
 * Copies `count` runs of `len` values, `stride` apart from src[from] on, to
 * h[at …], `pitch` apart (back to back unless given). Runs that are back to
 * back on both sides (a whole matrix) go in one copy: each `subarray` view
 * is an object V8 allocates, ≈ 50–80 ns apiece here, which for small
 * products was as much as the copy.
 */
function copyRuns(
  h: Float64Array,
  at: number,
  src: Float64Array,
  from: number,
  stride: number,
  len: number,
  count: number,
  pitch = len,
): void {
  if (stride === len && pitch === len) {
    h.set(src.subarray(from, from + count * len), at);
    return;
  }
  for (let r = 0; r < count; r++) h.set(src.subarray(from + r * stride, from + r * stride + len), at + r * pitch);
}

/**
 * Packs the operand element (i, k) = src[off + i·idxStride + k·depthStride],
 * i = 0 … n−1, k = 0 … K−1, into ⌈n/w⌉ panels of width w at `at` (element
 * (k, c) of panel p at at + (p·K + k)·w + c, zero past n), through the
 * WASM packers: rows of the operand are copied into a raw block at `rawAt`
 * (TypedArray.set, a memcpy) and reordered there. Returns false, having
 * done nothing, when neither stride is 1 or the contiguous runs are short;
 * the caller then packs in JS. A JS loop over typed arrays costs ≈ 4 ns per
 * value on the bench machine, this well under 1.
 */
function packPanels(
  k: Kernel,
  src: Float64Array,
  off: number,
  idxStride: number,
  depthStride: number,
  n: number,
  K: number,
  w: number,
  at: number,
  rawAt: number,
): boolean {
  // Two raw blocks of half the size when a worker reorders one while this thread copies into the other.
  const relay = n * K >= RAW_VALUES && k.shared && getThreads() > 1 ? new Relay(k) : null;
  const budget = relay === null ? RAW_VALUES : RAW_VALUES >> 1;
  if (idxStride === 1 && n >= MIN_RUN) {
    // For each depth k the n panel-direction values are one run.
    const block = Math.max(n, budget);
    ensure(k, rawAt + (relay === null ? 1 : 2) * block);
    const h = heap;
    const depths = Math.max(1, Math.floor(block / n));
    for (let k0 = 0, i = 0; k0 < K; k0 += depths, i++) {
      const kn = Math.min(depths, K - k0);
      const raw = rawAt + (relay === null ? 0 : (i & 1) * block);
      copyRuns(h, raw, src, off + k0 * depthStride, depthStride, n, kn);
      const args = [raw * 8, n, kn, n, w, K, (at + k0 * w) * 8] as const;
      if (relay === null) k.packDepthMajor(...args);
      else relay.next('depth', args);
    }
    relay?.finish();
    return true;
  }
  if (depthStride === 1 && K >= MIN_RUN) {
    // For each index i the K depth values are one run; copy whole panels.
    const block = Math.max(w * K, budget);
    ensure(k, rawAt + (relay === null ? 1 : 2) * block);
    const h = heap;
    const panels = Math.max(1, Math.floor(block / (w * K)));
    for (let i0 = 0, i = 0; i0 < n; i0 += panels * w, i++) {
      const rows = Math.min(panels * w, n - i0);
      const raw = rawAt + (relay === null ? 0 : (i & 1) * block);
      copyRuns(h, raw, src, off + i0 * idxStride, idxStride, K, rows);
      const args = [raw * 8, K, K, rows, w, (at + i0 * K) * 8] as const;
      if (relay === null) k.packIndexMajor(...args);
      else relay.next('index', args);
    }
    relay?.finish();
    return true;
  }
  return false;
}

/**
 * The packer calls of one operand, each handed to a worker of the pool
 * while this thread copies the next raw block, so that copying and
 * reordering overlap. One call is out at a time: the next is handed over
 * once the previous has finished (or been taken back and run here, when the
 * worker had not started it). The packers only copy values: the packed
 * panels are the same whoever runs them.
 */
class Relay {
  private pending: { call: () => void; handOff: HandOff | null } | null = null;

  constructor(private readonly k: Kernel) {}

  /** Finishes the call before, then hands this one over (or runs it, when no worker is ready). */
  next(packer: 'depth' | 'index', args: readonly number[]): void {
    this.finish();
    const { k } = this;
    const call =
      packer === 'depth'
        ? () => k.packDepthMajor(...(args as Parameters<Kernel['packDepthMajor']>))
        : () => k.packIndexMajor(...(args as Parameters<Kernel['packIndexMajor']>));
    let h: HandOff | null;
    try {
      h = handOff(k, packer, args, packingFor);
    } catch (e) {
      resetWasmKernel();
      throw e;
    }
    if (h === null) call();
    else this.pending = { call, handOff: h };
  }

  /** Waits for the call handed over, or runs it here if the worker has not started it. */
  finish(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    let done: boolean;
    try {
      done = p.handOff !== null && finishHandOff(p.handOff);
    } catch (e) {
      // A worker that failed may still be writing into the memory: drop it, as runGemm does.
      resetWasmKernel();
      throw e;
    }
    if (!done) p.call();
  }
}

/** The product being packed for, named in the errors of a worker that fails at packing. */
let packingFor = 'gemmWasm';

/** Packs rows rowStart … rowStart+M−1 of A into mp panels of MR rows at `at`. */
function packA(k: Kernel, op: GemmOperands, rowStart: number, M: number, mp: number, at: number, rawAt: number): void {
  const { K, a, aRow, aDepth } = op;
  const aOff = op.aOff + rowStart * aRow;
  if (packPanels(k, a, aOff, aRow, aDepth, M, K, MR, at, rawAt)) return;
  const h = heap;
  for (let k0 = 0; k0 < K; k0 += PACK_CHUNK) {
    const k1 = Math.min(K, k0 + PACK_CHUNK);
    for (let p = 0; p < mp; p++) {
      const i0 = p * MR;
      let dst = at + (p * K + k0) * MR;
      let src = aOff + i0 * aRow + k0 * aDepth;
      if (i0 + MR <= M) {
        for (let k = k0; k < k1; k++) {
          h[dst] = a[src] as number;
          h[dst + 1] = a[src + aRow] as number;
          h[dst + 2] = a[src + 2 * aRow] as number;
          h[dst + 3] = a[src + 3 * aRow] as number;
          h[dst + 4] = a[src + 4 * aRow] as number;
          h[dst + 5] = a[src + 5 * aRow] as number;
          dst += MR;
          src += aDepth;
        }
      } else {
        const rows = M - i0;
        for (let k = k0; k < k1; k++) {
          for (let r = 0; r < MR; r++) h[dst + r] = r < rows ? (a[src + r * aRow] as number) : 0;
          dst += MR;
          src += aDepth;
        }
      }
    }
  }
}

/** Packs columns colStart … colStart+N−1 of B into np panels at `at`. */
function packB(k: Kernel, op: GemmOperands, colStart: number, N: number, np: number, at: number, rawAt: number): void {
  const { K, b, bDepth, bCol } = op;
  const bOff = op.bOff + colStart * bCol;
  if (packPanels(k, b, bOff, bCol, bDepth, N, K, 4, at, rawAt)) return;
  const h = heap;
  for (let k0 = 0; k0 < K; k0 += PACK_CHUNK) {
    const k1 = Math.min(K, k0 + PACK_CHUNK);
    for (let q = 0; q < np; q++) {
      const j0 = q * 4;
      let dst = at + (q * K + k0) * 4;
      let src = bOff + j0 * bCol + k0 * bDepth;
      if (j0 + 4 <= N) {
        for (let k = k0; k < k1; k++) {
          h[dst] = b[src] as number;
          h[dst + 1] = b[src + bCol] as number;
          h[dst + 2] = b[src + 2 * bCol] as number;
          h[dst + 3] = b[src + 3 * bCol] as number;
          dst += 4;
          src += bDepth;
        }
      } else {
        const cols = N - j0;
        for (let k = k0; k < k1; k++) {
          for (let c = 0; c < 4; c++) h[dst + c] = c < cols ? (b[src + c * bCol] as number) : 0;
          dst += 4;
          src += bDepth;
        }
      }
    }
  }
}

/** Panels of B for this product: reused if B is a held weight, else packed into scratch at `scratch`. */
function heldPanels(k: Kernel, op: GemmOperands, np: number): number {
  for (const entry of held) {
    if (!matchesHeld(op, entry.view)) continue;
    for (const [depth, col, start] of entry.packs) if (depth === op.bDepth && col === op.bCol) return start;
    const start = heldTop;
    ensure(k, start + np * op.K * 4);
    packB(k, op, 0, op.N, np, start, start + np * op.K * 4);
    heldTop = start + np * op.K * 4;
    entry.packs.push([op.bDepth, op.bCol, start]);
    return start;
  }
  return -1;
}

/**
 * Scratch budget per packed operand and per C block, in f64 values (2 MiB
 * each): a large product runs as blocks of rows × columns that fit, so the
 * arena stays a few MiB whatever the shapes (B is packed once per column
 * block, A once per row block and column block).
 */
export const WASM_BLOCK_VALUES = 1 << 18;

/**
 * C (+)= A·B through the WASM kernel, for the same strided operands as
 * {@link gemmBlocked}. Throws if the kernel is unavailable (callers check
 * {@link wasmSimdAvailable} first).
 */
export function gemmWasm(
  op: GemmOperands,
  accumulate: boolean,
  blockValues = WASM_BLOCK_VALUES,
  product = 'gemmWasm',
): void {
  const k = kernelFor(op.M * op.N * op.K);
  if (k === null) throw new Error('gemmWasm: WebAssembly SIMD is not available in this engine');
  packingFor = product;
  const { M, N, K } = op;
  const np = (N + 3) >> 2;
  const heldAt = heldPanels(k, op, np);
  // Column blocks of B (K×nc), multiples of 4, and row blocks of A (mc×K), multiples of MR.
  const nc = heldAt >= 0 ? 4 * np : Math.max(4, Math.min(4 * np, (Math.floor(blockValues / K) >> 2) << 2));
  const mc = MR * Math.max(1, Math.min(Math.ceil(M / MR), Math.floor(blockValues / Math.max(K, nc) / MR)));
  // Scratch: [B block][A block][C block][raw rows for the packers], sized for the largest block.
  const npMax = (Math.min(nc, N) + 3) >> 2;
  const mpMax = Math.ceil(Math.min(mc, M) / MR);
  const rawAt = heldTop + (heldAt >= 0 ? 0 : npMax * K * 4) + mpMax * MR * (K + 4 * npMax);
  for (let j0 = 0; j0 < N; j0 += nc) {
    const nb = Math.min(nc, N - j0);
    const npb = (nb + 3) >> 2;
    let bAt = heldAt >= 0 ? heldAt + (j0 >> 2) * K * 4 : -1;
    const aAt = heldTop + (bAt < 0 ? npb * K * 4 : 0);
    if (bAt < 0) {
      bAt = heldTop;
      ensure(k, aAt);
      packB(k, op, j0, nb, npb, bAt, rawAt);
    }
    for (let i0 = 0; i0 < M; i0 += mc) {
      multiplyBlock(k, op, accumulate, i0, Math.min(mc, M - i0), j0, nb, aAt, bAt, npb, rawAt, product);
    }
  }
}

/**
 * One block, rows i0 … i0+M−1 and columns j0 … j0+N−1 of C: packs those rows
 * of A at `aAt` (through the raw block at `rawAt`, past every other buffer),
 * runs the kernel on the B panels at `bAt`, and copies C out.
 * When accumulating, C's rows are first copied in, so the kernel adds to
 * them in its own memory.
 */
function multiplyBlock(
  k: Kernel,
  op: GemmOperands,
  accumulate: boolean,
  i0: number,
  M: number,
  j0: number,
  N: number,
  aAt: number,
  bAt: number,
  npb: number,
  rawAt: number,
  product: string,
): void {
  const { K, c, cRow } = op;
  const cOff = op.cOff + i0 * cRow + j0;
  const { full, tail } = rowPanels(M);
  const mp = full + tail;
  const cAt = aAt + mp * K * MR;
  const ldc = npb * 4;
  ensure(k, cAt + mp * MR * ldc);
  if (tail < 2) {
    // The last panel, if partial, is the rows that are left: one packing.
    packA(k, op, i0, M, mp, aAt, rawAt);
  } else {
    // The second-to-last panel holds 4 rows (2 zero), not 6.
    const r0 = full * MR;
    if (full > 0) packA(k, op, i0, r0, full, aAt, rawAt);
    packA(k, op, i0 + r0, 4, 1, aAt + full * K * MR, rawAt);
    packA(k, op, i0 + r0 + 4, M - r0 - 4, 1, aAt + (full + 1) * K * MR, rawAt);
  }
  const h = heap;
  // C's rows back to back on both sides (a whole matrix of a width that is a
  // multiple of 4): one copy each way, no view per row.
  if (cRow === N && ldc === N) {
    if (accumulate) h.set(c.subarray(cOff, cOff + M * N), cAt);
    runGemm(k, [mp, npb, K, aAt * 8, bAt * 8, cAt * 8, accumulate ? 1 : 0, full, ldc], product);
    c.set(h.subarray(cAt, cAt + M * N), cOff);
    return;
  }
  // Short rows copy faster element by element than through subarray views.
  const short = N < 32;
  if (accumulate) {
    for (let i = 0; i < M; i++) {
      const src = cOff + i * cRow;
      const dst = cAt + i * ldc;
      if (short) for (let j = 0; j < N; j++) h[dst + j] = c[src + j] as number;
      else h.set(c.subarray(src, src + N), dst);
    }
  }
  runGemm(k, [mp, npb, K, aAt * 8, bAt * 8, cAt * 8, accumulate ? 1 : 0, full, ldc], product);
  for (let i = 0; i < M; i++) {
    const src = cAt + i * ldc;
    const dst = cOff + i * cRow;
    if (short) for (let j = 0; j < N; j++) c[dst + j] = h[src + j] as number;
    else c.set(h.subarray(src, src + N), dst);
  }
}

/**
 * dst ← f(src) element-wise for f = σ or tanh, through the module's f64x2
 * loops: the rows are copied into scratch (one memcpy each), mapped in
 * place, and copied out. The results are the bits the scalar `sigmoid` /
 * `tanh` give. dst may be src. Throws if the kernel is unavailable.
 */
export function mapWasm(f: 'sigmoid' | 'tanh', dst: MatrixView, src: MatrixView): void {
  const k = getKernel();
  if (k === null) throw new Error('mapWasm: WebAssembly SIMD is not available in this engine');
  const { rows, cols } = src;
  const n = rows * cols;
  // Scratch above the held weights; the loops take pairs, so pad to even.
  const at = heldTop;
  ensure(k, at + n + 1);
  const h = heap;
  const s = src.data;
  if (src.stride === cols) h.set(s.subarray(src.offset, src.offset + n), at);
  else
    for (let i = 0; i < rows; i++)
      h.set(s.subarray(src.offset + i * src.stride, src.offset + i * src.stride + cols), at + i * cols);
  h[at + n] = 0;
  (f === 'sigmoid' ? k.sigmoid : k.tanh)(at * 8, n + (n & 1));
  const d = dst.data;
  if (dst.stride === cols) d.set(h.subarray(at, at + n), dst.offset);
  else
    for (let i = 0; i < rows; i++) d.set(h.subarray(at + i * cols, at + (i + 1) * cols), dst.offset + i * dst.stride);
}

/** Bytes of memory the WASM kernel holds now (it grows between calls; only {@link resetWasmKernel} frees it). */
export function wasmArenaBytes(): number {
  return kernel ? kernel.memory.buffer.byteLength : 0;
}

/**
 * Values a {@link WasmBlocks} may take in the arena (2 MiB, as one packed
 * operand of {@link gemmWasm}): a loop over more steps than fit runs in
 * pieces, so keeping blocks resident never grows the arena past what large
 * products already make it.
 */
export const WASM_RESIDENT_VALUES = 1 << 18;

/**
 * Blocks of rows×cols values kept in the kernel's memory for the length of a
 * loop, and the operations on them a recurrent step needs, each a single
 * call on values already in place: a product with a square weight packed
 * once, tanh, and tanh's backward. The step loop of a sequence then copies
 * nothing per step (each product through {@link gemmWasm} packs its left
 * operand from JS memory and copies C in and out, one copy per row of a
 * strided view).
 *
 * Every operation runs the same kernel calls on the same values in the same
 * order as the JS-memory route (packing, then `gemm`), so results are the
 * same bits. Each block is laid out as the kernel's C (rows padded to the
 * row panels, columns to a multiple of 4, padding kept at zero), so a block
 * is a product's C and, packed, the next product's A.
 *
 * The blocks live where products and maps of this module keep their scratch:
 * no other product or map may run between {@link WasmBlocks.open} and the
 * last use. The memory never grows while they are open, so `heap` stays valid.
 */
export class WasmBlocks {
  /** Blocks in this set. */
  readonly count: number;
  private readonly k: Kernel;
  private readonly rows: number;
  private readonly cols: number;
  /** Row pitch of a block (cols rounded up to 4) and values per block. */
  private readonly ld: number;
  private readonly size: number;
  private readonly full: number;
  private readonly tail: number;
  /** f64 index of the first block, of the A panels, and of each weight's panels. */
  private readonly at: number;
  private readonly aAt: number;
  private readonly weightAt: number[];
  /** What the products are part of, for errors. */
  private readonly name: string;

  private constructor(
    name: string,
    k: Kernel,
    rows: number,
    cols: number,
    count: number,
    weights: readonly { W: MatrixView; transposed: boolean }[],
  ) {
    this.name = name;
    this.k = k;
    this.rows = rows;
    this.cols = cols;
    this.count = count;
    const { full, tail } = rowPanels(rows);
    this.full = full;
    this.tail = tail;
    const np = (cols + 3) >> 2;
    this.ld = 4 * np;
    this.size = (MR * full + 4 * tail) * this.ld;
    // [weights' panels][A panels][blocks][raw rows for packing the weights]
    const base = heldTop;
    const panels = np * cols * 4;
    this.weightAt = weights.map((_, i) => base + i * panels);
    this.aAt = base + weights.length * panels;
    this.at = this.aAt + (full + tail) * MR * cols;
    const end = this.at + count * this.size;
    // The packers' raw block follows (packPanels takes at most this much).
    ensure(k, end + Math.max(4 * cols, RAW_VALUES));
    heap.fill(0, this.at, end);
    packingFor = name;
    weights.forEach(({ W, transposed }, i) => {
      // packB reads only the B fields (and N, K) of an operand.
      const op: GemmOperands = transposed
        ? {
            M: 0,
            N: cols,
            K: cols,
            a: W.data,
            aOff: 0,
            aRow: 0,
            aDepth: 0,
            b: W.data,
            bOff: W.offset,
            bDepth: 1,
            bCol: W.stride,
            c: W.data,
            cOff: 0,
            cRow: 0,
          }
        : {
            M: 0,
            N: cols,
            K: cols,
            a: W.data,
            aOff: 0,
            aRow: 0,
            aDepth: 0,
            b: W.data,
            bOff: W.offset,
            bDepth: W.stride,
            bCol: 1,
            c: W.data,
            cOff: 0,
            cRow: 0,
          };
      packB(k, op, 0, cols, np, this.weightAt[i] as number, end);
    });
  }

  /**
   * Opens up to `wanted` blocks of rows×cols, as many as fit in
   * {@link WASM_RESIDENT_VALUES}, with each weight (cols×cols, used as W or
   * as Wᵀ) packed for {@link WasmBlocks.product}. Null when the engine has no
   * WASM SIMD or fewer than `least` blocks fit (the caller then loops through
   * JS memory). `name` (the kernel using the blocks) is what errors of the
   * thread pool name.
   */
  static open(
    rows: number,
    cols: number,
    wanted: number,
    least: number,
    weights: readonly { W: MatrixView; transposed: boolean }[],
    name = 'WasmBlocks.product',
  ): WasmBlocks | null {
    const k = getKernel();
    if (k === null) return null;
    const { full, tail } = rowPanels(rows);
    const size = (MR * full + 4 * tail) * 4 * ((cols + 3) >> 2);
    const fit = Math.floor(WASM_RESIDENT_VALUES / size);
    if (fit < least) return null;
    return new WasmBlocks(name, k, rows, cols, Math.max(least, Math.min(wanted, fit)), weights);
  }

  /** Block i ← src (rows×cols). */
  load(i: number, src: MatrixView): void {
    copyRuns(heap, this.at + i * this.size, src.data, src.offset, src.stride, this.cols, this.rows, this.ld);
  }

  /** dst (rows×cols) ← block i. */
  store(i: number, dst: MatrixView): void {
    const h = heap;
    const at = this.at + i * this.size;
    for (let r = 0; r < this.rows; r++) {
      dst.data.set(h.subarray(at + r * this.ld, at + r * this.ld + this.cols), dst.offset + r * dst.stride);
    }
  }

  /** Block dst ← block src. */
  copy(dst: number, src: number): void {
    const from = this.at + src * this.size;
    heap.copyWithin(this.at + dst * this.size, from, from + this.size);
  }

  /** Block c ← block a · weight w, or block c + block a · weight w when `accumulate` (c ≠ a). */
  product(c: number, a: number, w: number, accumulate: boolean): void {
    const { k, rows, cols, full, tail } = this;
    const src = (this.at + a * this.size) * 8;
    const ld = this.ld;
    // The row panels exactly as multiplyBlock packs them.
    if (tail < 2) {
      k.packIndexMajor(src, ld, cols, rows, MR, this.aAt * 8);
    } else {
      const r0 = full * MR;
      if (full > 0) k.packIndexMajor(src, ld, cols, r0, MR, this.aAt * 8);
      k.packIndexMajor(src + r0 * ld * 8, ld, cols, 4, MR, (this.aAt + full * cols * MR) * 8);
      k.packIndexMajor(src + (r0 + 4) * ld * 8, ld, cols, rows - r0 - 4, MR, (this.aAt + (full + 1) * cols * MR) * 8);
    }
    const b = (this.weightAt[w] as number) * 8;
    const cAt = (this.at + c * this.size) * 8;
    runGemm(k, [full + tail, ld >> 2, cols, this.aAt * 8, b, cAt, accumulate ? 1 : 0, full, ld], this.name);
  }

  /** Block i ← tanh(block i). */
  tanh(i: number): void {
    this.k.tanh((this.at + i * this.size) * 8, this.size);
  }

  /** Block du ← block g ⊙ (1 − (block h)²). */
  tanhBackward(du: number, g: number, h: number): void {
    const { at, size } = this;
    this.k.tanhBackward((at + g * size) * 8, (at + h * size) * 8, (at + du * size) * 8, size);
  }
}

// ─── Arena release ──────────────────────────────────────────────────────────
// Reads `kernel` and `held` above and drops them through resetWasmKernel (which
// also stops the pool's workers, restarted on the next large product).
// Products call it after every WASM product and when a hold ends
// (src/linalg/products.ts).

/** An arena this small is always kept (64 MiB). */
export const WASM_RELEASE_MIN_BYTES = 64 * 2 ** 20;

/** The largest arena kept so far (ordinary calls' high-water), and the size last released. */
let ordinaryArenaBytes = 0;
let releasedArenaBytes = 0;

/**
 * Gives the kernel's memory back after a call that grew it far beyond what
 * ordinary calls need: past {@link WASM_RELEASE_MIN_BYTES} and past 4× the
 * largest arena kept before. WebAssembly memory cannot shrink, so the
 * kernel instance is dropped with it (the engine frees the memory when it
 * collects them); the next product instantiates a fresh kernel (≈ 20 ms,
 * measured on a loaded 2-core machine: decode, validate, compile)
 * with a one-page memory. Nothing is dropped while a weight is held (a
 * sequence is running). A size that comes back after being released (up to
 * 2× it) is the working set — a training loop over the same large batch —
 * and is kept from then on. Returns whether it released.
 */
export function releaseWasmArenaIfLarge(): boolean {
  if (!kernel || held.length > 0) return false;
  const bytes = kernel.memory.buffer.byteLength;
  if (bytes <= WASM_RELEASE_MIN_BYTES || bytes <= 4 * ordinaryArenaBytes) {
    ordinaryArenaBytes = Math.max(ordinaryArenaBytes, bytes);
    return false;
  }
  if (releasedArenaBytes > 0 && bytes <= 2 * releasedArenaBytes) {
    ordinaryArenaBytes = bytes;
    return false;
  }
  releasedArenaBytes = bytes;
  resetWasmKernel(); // with the pool's workers, which hold instances on the same memory
  return true;
}
