/**
 * The memory plan of the public functions. Each one adds up, from its sizes
 * alone, the float64 values it is about to allocate — its outputs, its cache,
 * its scratch — and calls {@link checkMemory} after its argument checks and
 * before its first allocation. A call that cannot fit is refused there, in
 * microseconds, with a {@link MemoryBudgetError} naming the function, the
 * sizes and the bytes, instead of growing until the engine's allocation fails
 * (an error naming no function) or the operating system kills the process.
 *
 * Two limits apply:
 *
 * - the engine's: no single Float64Array may be longer than
 *   {@link maxFloat64Length} (2³² values on Node 20's V8, ⌊(2⁵³−1)/8⌋ on
 *   Node 22 and later);
 * - the memory budget: the bytes one call allocates may not exceed
 *   {@link getMemoryBudget}. It is what {@link setMemoryBudget} set, else the
 *   environment variable `HANDGRAD_MAX_BYTES`, else ¾ of the machine's memory
 *   (the lower of physical memory and a container's limit) where a global
 *   `process` can tell it (Node ≥ 20.16, or a container's limit from 19.6),
 *   else 4 GiB (a browser, which does not say).
 *
 * The core reads `process` only through `globalThis`, with no import of a
 * Node module, so it still bundles for a browser.
 *
 * Not counted: the inputs (already allocated), and the WASM tier's scratch
 * arena, which products keep to a few tens of MiB by running in pieces
 * (src/linalg/products.ts) and which is released after a call that grew it
 * far (src/linalg/gemm-wasm.ts).
 *
 * Docs: README.md ("Memory"), for users; docs/architecture.md ("Memory"), for contributors.
 */
import { describeValue } from './describe.js';

/** Bytes per float64 value. */
const VALUE_BYTES = 8;

/** The budget where the machine's memory cannot be learned (a browser tab): 4 GiB. */
export const FALLBACK_BUDGET_BYTES = 2 ** 32;

/** The share of the machine's memory one call may allocate by default. */
export const DEFAULT_BUDGET_SHARE = 0.75;

/**
 * Thrown when a call would allocate more than the memory budget or a longer
 * Float64Array than the engine allows. The message names the function, its
 * sizes, the bytes needed (and its largest parts) and the limit, e.g.
 * `gruForward: N = 1000, T = 1000, D = 1, H = 512 needs 24.0 GiB (cache.gates 11.4 GiB, …)
 * — over the memory budget of 16.0 GiB (setMemoryBudget / HANDGRAD_MAX_BYTES)`.
 *
 * It extends `RangeError`, as a size out of range is one.
 */
export class MemoryBudgetError extends RangeError {
  /** The function that refused, e.g. `"gruForward"`. */
  readonly fn: string;
  /** The bytes the call would have allocated. */
  readonly bytes: number;
  /** The limit it went over: the budget in bytes, or the engine's Float64Array length in values. */
  readonly limit: number;
  /** Which limit: the memory budget, or the engine's longest Float64Array. */
  readonly reason: 'budget' | 'engine';

  /**
   * @param message - The full, human-readable message.
   * @param fn - The refusing function.
   * @param bytes - The bytes needed.
   * @param limit - The limit exceeded.
   * @param reason - Which limit.
   */
  constructor(message: string, fn: string, bytes: number, limit: number, reason: 'budget' | 'engine') {
    super(message);
    this.name = 'MemoryBudgetError';
    this.fn = fn;
    this.bytes = bytes;
    this.limit = limit;
    this.reason = reason;
  }
}

interface ProcessLike {
  env?: Record<string, string | undefined>;
  versions?: { v8?: string };
  constrainedMemory?: () => number | undefined;
  getBuiltinModule?: (id: string) => unknown;
}

function processLike(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

let maxLength: number | undefined;

/**
 * The longest Float64Array this engine creates. V8 before 12 (Node 20)
 * refuses more than 2³² elements; V8 12 and later (Node 22, 24) take up to
 * 2⁵³−1 bytes, ⌊(2⁵³−1)/8⌋ values (probed: `new Float64Array(n)` throws
 * "Invalid typed array length" past these, before allocating). Elsewhere 2³⁰
 * (8 GiB, Firefox's largest ArrayBuffer), which no default budget reaches.
 */
export function maxFloat64Length(): number {
  if (maxLength === undefined) {
    const v8 = processLike()?.versions?.v8;
    const major = v8 === undefined ? Number.NaN : Number.parseInt(v8, 10);
    if (Number.isNaN(major)) maxLength = 2 ** 30;
    else maxLength = major >= 12 ? Math.floor(Number.MAX_SAFE_INTEGER / VALUE_BYTES) : 2 ** 32;
  }
  return maxLength;
}

/**
 * The machine's memory in bytes, or undefined where it cannot be learned
 * without importing a Node module: physical memory from `os.totalmem()`
 * through `process.getBuiltinModule` (Node ≥ 20.16), lowered to a
 * container's limit (`process.constrainedMemory()`) when there is one.
 */
function machineBytes(): number | undefined {
  const p = processLike();
  if (p === undefined) return undefined;
  let total: number | undefined;
  try {
    const os = p.getBuiltinModule?.('os') as { totalmem?: () => number } | undefined;
    const t = os?.totalmem?.();
    if (typeof t === 'number' && t > 0) total = t;
  } catch {}
  try {
    const limit = p.constrainedMemory?.();
    // Node reports 0 or a huge number (2⁶³ rounded) when there is no limit.
    if (typeof limit === 'number' && limit > 0 && limit < 2 ** 60) total = Math.min(total ?? limit, limit);
  } catch {}
  return total;
}

const UNITS: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * Parses a byte count: a whole number of bytes, optionally with a binary unit
 * (`512M`, `16G`, `16GiB`, `1.5T`), or `Infinity` for no budget.
 */
export function parseBytes(text: string): number | undefined {
  const s = text.trim();
  if (/^infinity$/i.test(s)) return Number.POSITIVE_INFINITY;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(s);
  if (m === null) return undefined;
  const bytes = Math.floor(Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number));
  return bytes > 0 ? bytes : undefined;
}

let chosen: number | undefined;
let resolved: number | undefined;

function fromEnvironment(): number | undefined {
  const value = processLike()?.env?.HANDGRAD_MAX_BYTES;
  if (value === undefined || value === '') return undefined;
  const bytes = parseBytes(value);
  if (bytes === undefined) {
    throw new RangeError(
      `handgrad: HANDGRAD_MAX_BYTES must be a byte count such as 8000000000, 512M or 16G (or Infinity), ` +
        `got ${JSON.stringify(value)}`,
    );
  }
  return bytes;
}

/** The budget when neither {@link setMemoryBudget} nor `HANDGRAD_MAX_BYTES` sets one. */
export function defaultMemoryBudget(): number {
  const machine = machineBytes();
  return machine === undefined ? FALLBACK_BUDGET_BYTES : Math.floor(machine * DEFAULT_BUDGET_SHARE);
}

/**
 * Sets how many bytes one call of the library may allocate (outputs, cache
 * and scratch together); a call that needs more throws a
 * {@link MemoryBudgetError} before allocating anything. `Infinity` leaves
 * only the engine's limits; `undefined` goes back to `HANDGRAD_MAX_BYTES`
 * or the default (¾ of the machine's memory, 4 GiB where unknown).
 *
 * @throws RangeError when `bytes` is not a positive number (or undefined).
 */
export function setMemoryBudget(bytes: number | undefined): void {
  if (bytes !== undefined && typeof bytes !== 'number') {
    throw new TypeError(
      `setMemoryBudget: bytes must be a number of bytes, Infinity, or undefined for the default, ` +
        `got ${describeValue(bytes)}` +
        (typeof bytes === 'string' ? ' (write 16 * 2 ** 30, not "16G"; HANDGRAD_MAX_BYTES takes "16G")' : ''),
    );
  }
  if (bytes !== undefined && (Number.isNaN(bytes) || bytes <= 0)) {
    throw new RangeError(
      `setMemoryBudget: bytes must be a positive number of bytes, Infinity, or undefined for the default, ` +
        `got ${String(bytes)}`,
    );
  }
  chosen = bytes;
  resolved = undefined;
}

/** The bytes one call may allocate now: see {@link setMemoryBudget}. */
export function getMemoryBudget(): number {
  if (chosen !== undefined) return chosen;
  if (resolved === undefined) resolved = fromEnvironment() ?? defaultMemoryBudget();
  return resolved;
}

/** `1.5 GiB`, `300.0 MiB`, `12 KiB`: bytes in the largest binary unit under them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

function describeSizes(sizes: Readonly<Record<string, number>>): string {
  return Object.entries(sizes)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');
}

function describeParts(parts: Readonly<Record<string, number>>): string {
  const list = Object.entries(parts)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  const shown = list.slice(0, 4).map(([k, v]) => `${k} ${formatBytes(v * VALUE_BYTES)}`);
  if (list.length > 4) shown.push(`${list.length - 4} more`);
  return shown.join(', ');
}

/**
 * The memory plan's check: `parts` maps each buffer the call is about to
 * allocate to its length in float64 values (a name may stand for a few
 * buffers, e.g. `"dXs, dYs"`: then its total, checked against the engine's
 * longest array as if one — conservative). Returns when the total fits the
 * budget and every part the engine's longest Float64Array.
 *
 * @param fn - The public function, named in the error.
 * @param sizes - Its sizes, e.g. `{ N, T, D, H }`, named in the error.
 * @param parts - Buffer name → float64 values.
 * @throws MemoryBudgetError when a limit is exceeded.
 */
export function checkMemory(
  fn: string,
  sizes: Readonly<Record<string, number>>,
  parts: Readonly<Record<string, number>>,
): void {
  let values = 0;
  let largest = 0;
  for (const key in parts) {
    const v = parts[key] as number;
    values += v;
    if (v > largest) largest = v;
  }
  const budget = getMemoryBudget();
  const limit = maxFloat64Length();
  // NaN from a size no check caught still refuses (no comparison with NaN is true).
  if (values * VALUE_BYTES <= budget && largest <= limit) return;
  const bytes = values * VALUE_BYTES;
  const head = `${fn}: ${describeSizes(sizes)} needs ${formatBytes(bytes)} (${describeParts(parts)})`;
  if (!(largest <= limit)) {
    const [name] = Object.entries(parts).find(([, v]) => v === largest) ?? ['?'];
    throw new MemoryBudgetError(
      `${head} — ${name} alone is ${largest} values, more than the ${limit} this engine allows in one ` +
        'Float64Array',
      fn,
      bytes,
      limit,
      'engine',
    );
  }
  throw new MemoryBudgetError(
    `${head} — over the memory budget of ${formatBytes(budget)} (setMemoryBudget / HANDGRAD_MAX_BYTES)`,
    fn,
    bytes,
    budget,
    'budget',
  );
}

/**
 * Values of a recurrent backward's gradients: dx (N×T×D), `carried` N×H
 * matrices (dh0, dc0, the carried g), and the weight and bias gradients of a
 * cell with `gates` H-wide blocks and `biases` bias rows:
 * N·T·D + carried·N·H + gates·H·(D + H + biases).
 */
export function cellGrads(
  N: number,
  T: number,
  D: number,
  H: number,
  gates: number,
  carried: number,
  biases = 1,
): number {
  return N * T * D + carried * N * H + gates * H * (D + H + biases);
}
