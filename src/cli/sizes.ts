/**
 * A size check before a run allocates: sizes from the command line that the
 * run could never hold (a weight matrix past the library's 2 GiB per-array
 * cap, a cache larger than the machine's memory) are usage errors (exit 2)
 * at once, not an engine failure or the out-of-memory killer minutes later.
 *
 * The estimates are upper bounds of the float64 values a run keeps alive at
 * its peak: the forward cache of a batch over T steps (the LSTM keeps about
 * seven values per hidden unit and step, the other cells fewer; 16 covers
 * them and the backward's temporaries), the input and its gradient, and five
 * copies of the weights (params, gradients, clipped gradients, Adam's m and v).
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { UsageError } from './usage.js';

/** The most values one Float64Array may hold here, as the library's initializers allow (2 GiB). */
export const MAX_ARRAY_VALUES = 2 ** 28;

/** The share of the machine's memory a run may plan to use. */
const MEMORY_SHARE = 0.75;

function gib(values: number): string {
  return `${((values * 8) / 2 ** 30).toFixed(1)} GiB`;
}

/** What a recurrent run over `sequences` × `T` steps of width D, hidden H, read-out V keeps at its peak. */
export interface RunShape {
  /** Sequences in one forward (the batch, or the test set). */
  readonly sequences: number;
  /** Time steps. */
  readonly T: number;
  /** Input width of the cell. */
  readonly D: number;
  /** Hidden size. */
  readonly H: number;
  /** Read-out width per step (the vocabulary of a char model; 0 when only the last step is read). */
  readonly V?: number;
  /** Extra parameter values (an embedding table, a read-out). */
  readonly extraWeights?: number;
  /** JavaScript objects (not typed-array storage) kept per time step, in bytes; they live in the V8 heap. */
  readonly heapBytesPerStep?: number;
}

/**
 * Refuses a run that cannot fit.
 *
 * @param flags - how the sizes were given, for the message, e.g. "--H 100000, --T 50".
 * @throws UsageError naming the flags, the values and bytes needed, and the limit.
 */
export function checkRunFits(flags: string, shape: RunShape): void {
  const { sequences: N, T, D, H } = shape;
  const V = shape.V ?? 0;
  const weights = 4 * H * (D + H + 1) + (shape.extraWeights ?? 0);
  const perStep = N * T;
  const largest = Math.max(4 * H * (D + H), perStep * 4 * H, perStep * Math.max(D, V));
  // 128 values (1 KiB) per time step stand for the step's cache objects and views.
  const total = 5 * weights + perStep * (3 * D + 16 * H + 3 * V) + 128 * T;
  if (largest > MAX_ARRAY_VALUES) {
    throw new UsageError(
      `${flags}: the run needs an array of ${largest.toExponential(2)} values (${gib(largest)}), ` +
        `more than the ${MAX_ARRAY_VALUES} values (2 GiB) one array may hold: use smaller sizes`,
    );
  }
  const heap = T * (shape.heapBytesPerStep ?? 0);
  const heapLimit = getHeapStatistics().heap_size_limit;
  const heapBudget = 0.5 * heapLimit;
  if (heap > heapBudget) {
    throw new UsageError(
      `${flags}: the run keeps about ${gib(heap / 8)} of objects over its ${T} steps, more than half of ` +
        `the JavaScript heap (${gib(heapLimit / 8)}): use a smaller --T`,
    );
  }
  const budget = (MEMORY_SHARE * totalmem()) / 8;
  if (total > budget) {
    throw new UsageError(
      `${flags}: the run needs about ${gib(total)}, more than ${Math.round(MEMORY_SHARE * 100)}% of this ` +
        `machine's ${gib(totalmem() / 8)} of memory: use smaller sizes`,
    );
  }
}
