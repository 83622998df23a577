/**
 * The checker's seeded random source: the same seed draws the same inputs,
 * upstream gradients and sampled coordinates on every machine, so a failing
 * check can be re-run exactly.
 */

/**
 * mulberry32 over a 32-bit seed: uniform draws in [0, 1). Small and fast;
 * statistical quality is ample for drawing test inputs.
 *
 * @param seed - Any integer; only its low 32 bits are used.
 */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One standard normal draw from two uniform ones (Box–Muller:
 * √(−2 ln u)·cos 2πv; 1 − u keeps the log finite).
 */
export function normalDraw(uniform: () => number): number {
  const u = 1 - uniform();
  const v = uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A source of standard normal draws over a uniform one. */
export function gaussianSource(uniform: () => number): () => number {
  return () => normalDraw(uniform);
}

/**
 * `count` distinct indices in [0, length), in increasing order: a partial
 * Fisher–Yates shuffle, so every subset is equally likely. All of them when
 * `count ≥ length`.
 */
export function sampleIndices(length: number, count: number, uniform: () => number): number[] {
  if (count >= length) return Array.from({ length }, (_, i) => i);
  const pool = Array.from({ length }, (_, i) => i);
  for (let k = 0; k < count; k++) {
    const j = k + Math.floor(uniform() * (length - k));
    const picked = pool[j] as number;
    pool[j] = pool[k] as number;
    pool[k] = picked;
  }
  return pool.slice(0, count).sort((a, b) => a - b);
}
