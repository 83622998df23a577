/**
 * Seeded randomness for initialisation, data and sampling, so that every
 * experiment in docs/experiments.md reproduces bit for bit from its seed.
 */
import { describeValue } from '../linalg/describe.js';
import { normalDraw, seededUniform } from '../gradcheck/random.js';
import { Matrix, checkMemory, checkSize } from '../linalg/index.js';

/** A source of uniform draws in [0, 1). */
export type Rand = () => number;

/**
 * mulberry32: a 32-bit seeded generator, small and fast. Not for
 * cryptography; plenty for drawing weights and toy data.
 *
 * @throws TypeError when `seed` is not a finite number.
 */
export function seededRandom(seed: number): Rand {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`seededRandom: seed must be a finite number, got ${describeValue(seed)}`);
  }
  // The checker's generator: one mulberry32 in the library (ToUint32 truncates the seed).
  return seededUniform(seed);
}

/** Throws unless `rand` is a function, naming `fn` and what `rand` was instead. */
export function checkRand(fn: string, rand: unknown): void {
  if (typeof rand !== 'function') {
    const seed = typeof rand === 'number' ? `; for the seed ${rand}, pass seededRandom(${rand})` : '';
    throw new TypeError(
      `${fn}: rand must be a function returning draws in [0, 1), e.g. seededRandom(1), ` +
        `got ${describeValue(rand)}${seed}`,
    );
  }
}

/** A standard normal draw from uniform ones (Box–Muller; 1 − u keeps log finite). */
export function gaussianFrom(rand: Rand): number {
  return normalDraw(rand);
}

/**
 * A rows×cols matrix of independent N(0, scale²) draws.
 *
 * @throws RangeError when `scale` is not a finite number ≥ 0 (a standard deviation), or the matrix is over the
 *   memory budget.
 */
export function randomNormalMatrix(rows: number, cols: number, rand: Rand, scale = 1): Matrix {
  const fn = 'randomNormalMatrix';
  checkSize(fn, 'rows', rows);
  checkSize(fn, 'cols', cols);
  checkRand(fn, rand);
  // scale is a standard deviation: NaN or ±Infinity would fill the matrix with NaN, a negative one is a sign slip.
  if (typeof scale !== 'number') throw new TypeError(`${fn}: scale must be a number, got ${describeValue(scale)}`);
  if (!Number.isFinite(scale) || scale < 0) {
    throw new RangeError(`${fn}: scale must be a finite number ≥ 0 (a standard deviation), got ${scale}`);
  }
  checkMemory(fn, { rows, cols }, { data: rows * cols });
  const m = Matrix.zeros(rows, cols);
  for (let k = 0; k < m.data.length; k++) m.data[k] = scale * gaussianFrom(rand);
  return m;
}

/**
 * A random H×H orthogonal matrix Q (QᵀQ = I): Gram–Schmidt on the columns of
 * a Gaussian matrix, re-orthogonalised twice for float64 accuracy.
 *
 * Every eigenvalue of Q has modulus 1 and every singular value is 1, so
 * ρ·Q has spectral radius exactly ρ and ‖ρ·Q‖₂ = ρ: the cleanest way to set
 * "W_h's largest eigenvalue" in the gradient-flow experiment.
 */
export function randomOrthogonal(H: number, rand: Rand): Matrix {
  checkSize('randomOrthogonal', 'H', H);
  checkRand('randomOrthogonal', rand);
  const q = randomNormalMatrix(H, H, rand).data;
  for (let j = 0; j < H; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < H; i++) dot += (q[i * H + j] as number) * (q[i * H + k] as number);
        for (let i = 0; i < H; i++) q[i * H + j] = (q[i * H + j] as number) - dot * (q[i * H + k] as number);
      }
    }
    let norm = 0;
    for (let i = 0; i < H; i++) norm += (q[i * H + j] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < H; i++) q[i * H + j] = (q[i * H + j] as number) / norm;
  }
  return new Matrix(H, H, q);
}

/**
 * Draws an index from a discrete distribution given as non-negative weights
 * (they need not sum to 1): the inverse-CDF method.
 */
export function sampleIndex(weights: ArrayLike<number>, rand: Rand): number {
  const fn = 'sampleIndex';
  const w = weights as unknown;
  if (typeof w !== 'object' || w === null || typeof (w as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${fn}: weights must be an array of non-negative numbers, got ${describeValue(w)}`);
  }
  checkRand(fn, rand);
  if (weights.length === 0) throw new RangeError(`${fn}: weights must hold at least one weight, got an empty array`);
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    const wk = weights[k];
    // A negative or NaN weight has no probability; the draw would be an index no distribution gives.
    if (typeof wk !== 'number' || !Number.isFinite(wk) || wk < 0) {
      const got = typeof wk === 'number' ? String(wk) : describeValue(wk);
      throw new RangeError(`${fn}: weights must be finite numbers ≥ 0, got weights[${k}] = ${got}`);
    }
    total += wk;
  }
  if (!(total > 0 && Number.isFinite(total))) {
    throw new RangeError(
      `${fn}: weights must have a positive, finite sum, got ${total} over ${weights.length} weights (all zero?)`,
    );
  }
  let u = rand() * total;
  for (let k = 0; k < weights.length; k++) {
    u -= weights[k] as number;
    if (u < 0) return k;
  }
  return weights.length - 1;
}
