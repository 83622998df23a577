/**
 * Which kernel tier runs the matrix products: the portable TypeScript one
 * (register-blocked, any engine) or the WASM-SIMD one (about 4× faster on
 * large products, where the engine has 128-bit SIMD).
 *
 * `'auto'` (the default) uses WASM for products big enough to repay copying
 * their operands in and out, when the engine supports it, and TypeScript
 * otherwise. The environment variable `HANDGRAD_TIER=ts|wasm|auto` sets the
 * starting choice; it is read only where a global `process` exists, so the
 * core still bundles for a browser.
 */
import { wasmSimdAvailable } from './gemm-wasm.js';

/** A kernel tier: see {@link setProductTier}. */
export type ProductTier = 'auto' | 'ts' | 'wasm';

/**
 * Below this many multiply-adds (M·N·K) the TypeScript kernel beats packing
 * for WASM and copying back: on the bench machine a 4×16×16 product (1024)
 * took 1.2 µs in TS and 2.0 µs in WASM, a 10×16×16 one (2560) 4.2 µs and
 * 2.4 µs (docs/performance-design.md).
 */
export const WASM_MIN_WORK = 2048;

let chosen: ProductTier | undefined;

function fromEnvironment(): ProductTier {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.HANDGRAD_TIER;
  if (value === undefined || value === '') return 'auto';
  if (value === 'auto' || value === 'ts' || value === 'wasm') return value;
  throw new RangeError(`handgrad: HANDGRAD_TIER must be one of ts, wasm, auto, got ${JSON.stringify(value)}`);
}

/**
 * Forces the tier of every later product: `'ts'` always TypeScript, `'wasm'`
 * always WebAssembly (every size, so tests exercise it), `'auto'` by size.
 *
 * @throws RangeError when `tier` is not one of the three.
 * @throws Error when `'wasm'` is asked for and the engine lacks WASM SIMD.
 */
export function setProductTier(tier: ProductTier): void {
  if (tier !== 'auto' && tier !== 'ts' && tier !== 'wasm') {
    throw new RangeError(`setProductTier: tier must be 'auto', 'ts' or 'wasm', got ${JSON.stringify(tier)}`);
  }
  if (tier === 'wasm' && !wasmSimdAvailable()) {
    throw new Error("setProductTier: tier 'wasm' needs WebAssembly 128-bit SIMD, which this engine lacks");
  }
  chosen = tier;
}

/** The tier in force: what {@link setProductTier} or `HANDGRAD_TIER` chose, `'auto'` by default. */
export function productTier(): ProductTier {
  if (chosen === undefined) {
    const tier = fromEnvironment();
    if (tier === 'wasm' && !wasmSimdAvailable()) {
      throw new Error('handgrad: HANDGRAD_TIER=wasm needs WebAssembly 128-bit SIMD, which this engine lacks');
    }
    chosen = tier;
  }
  return chosen;
}

/**
 * Below this many columns per row the bulk activations ({@link sigmoidInto},
 * {@link tanhInto}) stay in JS under `'auto'`: each row costs two copies and
 * saves a few ns per value (docs/performance-design.md).
 */
export const WASM_MIN_MAP_COLS = 32;

/** Whether a bulk activation over rows of `cols` values runs on the WASM tier (the tier covers them too). */
export function useWasmMap(cols: number): boolean {
  const tier = productTier();
  if (tier === 'ts') return false;
  if (tier === 'wasm') return true;
  return cols >= WASM_MIN_MAP_COLS && wasmSimdAvailable();
}

/** Whether a product of M·N·K multiply-adds runs on the WASM tier. */
export function useWasm(work: number): boolean {
  const tier = productTier();
  if (tier === 'ts') return false;
  if (tier === 'wasm') return true;
  return work >= WASM_MIN_WORK && wasmSimdAvailable();
}
