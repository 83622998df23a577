/**
 * The ranges `handgrad check` accepts for its numeric options. Outside them a
 * check cannot tell a right kernel from a wrong one, or would not answer in a
 * few seconds, so the value is refused as a usage error (exit 2) naming the
 * option, the range and the value.
 */
import { UsageError } from './usage.js';
import type { KernelSizes } from '../gradcheck/index.js';

/**
 * Accepted finite-difference steps. The step's error on a correct float64
 * kernel is round-off ≈ ε_mach·|L|/h plus truncation ≈ h²·|L'''|: measured on
 * the library's kernels, the worst norm-relative error is 9e-6 at h = 1e-10 and
 * 7e-3 at h = 1e-1, still far below the 0.1 or more of a real mistake. Beyond
 * either end the finite differences themselves are as wrong as the mistakes
 * they should find.
 */
export const EPS_RANGE: readonly [number, number] = [1e-10, 1e-1];
/**
 * Accepted tolerances on the norm-relative error. Below 1e-15 no float64
 * computation can pass (a few units of ε_mach ≈ 1.1e-16); above 0.1 a gradient
 * off by 20 % passes.
 */
export const TOLERANCE_RANGE: readonly [number, number] = [1e-15, 1e-1];
/** Each of N, T, D, H. */
export const SIZE_RANGE: readonly [number, number] = [1, 1000];
/**
 * The largest check, in multiply-adds of the finite differences (see
 * {@link checkWork}): about 2–3 s of the library's kernels on one core.
 */
export const MAX_WORK = 1e9;
/** Accepted `--timeout` values, in seconds. */
export const TIMEOUT_RANGE: readonly [number, number] = [0.1, 3600];
/** The default time limit of a user module's run, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 5;

function fmt(x: number): string {
  return x >= 0.01 && x < 1e4 ? String(x) : x.toExponential().replace('e+', 'e');
}

/** Parses `value` as a number within [lo, hi]; the message names the option, the range and the value. */
export function parseInRange(option: string, value: string, [lo, hi]: readonly [number, number]): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) {
    throw new UsageError(`${option} must be a number between ${fmt(lo)} and ${fmt(hi)}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses a size option (--N, --T, --D, --H) as an integer within {@link SIZE_RANGE}. */
export function parseSize(option: string, value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < SIZE_RANGE[0] || n > SIZE_RANGE[1]) {
    const [lo, hi] = SIZE_RANGE;
    throw new UsageError(`${option} must be an integer between ${lo} and ${hi}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Multiply-adds of the largest default kernel's check (the LSTM sequence, 4H
 * gate columns): two forwards of N·T·4H·(D + H) per perturbed coordinate, and
 * one coordinate per value of x, h0, c0, Wx, Wh and b (at most `samples` each).
 */
export function checkWork(sizes: KernelSizes, samples: number | null): number {
  const { N, T, D, H } = sizes;
  const tensors = [N * T * D, N * H, N * H, D * 4 * H, H * 4 * H, 4 * H];
  const coordinates = tensors.reduce((s, n) => s + (samples === null ? n : Math.min(n, samples)), 0);
  return 2 * coordinates * N * T * 4 * H * (D + H);
}

/** Refuses sizes whose check would take far longer than a few seconds. */
export function checkWorkBound(sizes: KernelSizes, samples: number | null): void {
  const work = checkWork(sizes, samples);
  if (work > MAX_WORK) {
    const { N, T, D, H } = sizes;
    const about = work.toExponential(1).replace('e+', 'e');
    throw new UsageError(
      `--N, --T, --D, --H: N=${N} T=${T} D=${D} H=${H}${samples === null ? '' : ` with --samples ${samples}`} ` +
        `make a check of about ${about} multiply-adds, more than the ${fmt(MAX_WORK)} ` +
        'that answer in a few seconds; use smaller sizes or --samples k',
    );
  }
}
