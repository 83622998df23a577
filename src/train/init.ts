/**
 * Typed starting weights for the three cells: what to pass as `p` to
 * rnnForward, lstmForward and gruForward on the first step of training.
 *
 * Docs: docs/training.md ("Initialisation").
 */
import { Matrix, checkSize } from '../linalg/index.js';
import { checkMemory } from '../linalg/budget.js';
import type { GruParams } from '../gru/params.js';
import type { LstmParams } from '../lstm/params.js';
import type { RnnParams } from '../rnn/params.js';
import { checkRand, randomNormalMatrix, randomOrthogonal, type Rand } from './random.js';

/**
 * Input weights N(0, 1/D) and recurrent blocks orthogonal: each unit's input
 * pre-activation then has unit variance, and W_h neither shrinks nor grows a
 * state on its own — the starting point the flow experiment scales by ρ.
 */
export function initRecurrentWeights(
  D: number,
  H: number,
  gateCount: number,
  rand: Rand,
): {
  /** Input weights, D×(gateCount·H). */
  Wx: Matrix;
  /** Recurrent weights, H×(gateCount·H), each H×H block orthogonal. */
  Wh: Matrix;
} {
  checkSize('initRecurrentWeights', 'D', D);
  checkSize('initRecurrentWeights', 'H', H);
  checkSize('initRecurrentWeights', 'gateCount', gateCount);
  checkRand('initRecurrentWeights', rand);
  const Wx = randomNormalMatrix(D, gateCount * H, rand, 1 / Math.sqrt(D));
  const Wh = Matrix.zeros(H, gateCount * H);
  for (let g = 0; g < gateCount; g++) {
    const q = randomOrthogonal(H, rand);
    for (let i = 0; i < H; i++) Wh.data.set(q.data.subarray(i * H, (i + 1) * H), i * gateCount * H + g * H);
  }
  return { Wx, Wh };
}

function checkInit(fn: string, D: number, H: number, rand: Rand, gateCount: number): void {
  checkSize(fn, 'D', D);
  checkSize(fn, 'H', H);
  checkRand(fn, rand);
  // Wx, Wh and the biases, and the H×H scratch of the orthogonal blocks: refused here, by name, rather than
  // as the engine's "Array buffer allocation failed" from somewhere inside.
  const values = (D + H + 2) * gateCount * H + H * H;
  if (values > MAX_INIT_VALUES) {
    const gib = ((values * 8) / 2 ** 30).toFixed(1);
    throw new RangeError(
      `${fn}: D=${D}, H=${H} needs ${values} weights (${gib} GiB of Float64Array), ` +
        `more than the ${MAX_INIT_VALUES} values (2 GiB) it allocates at most`,
    );
  }
  checkMemory(fn, { D, H }, { weights: values });
}

/** The most weight values an init function allocates (2 GiB of float64): far past any model that trains here. */
const MAX_INIT_VALUES = 2 ** 28;

/**
 * Vanilla RNN weights: W_x ~ N(0, 1/D), W_h a random orthogonal H×H matrix, b = 0.
 *
 * ```text
 * D, H  →  { Wx: D×H, Wh: H×H, b: 1×H }
 * ```
 */
export function initRnnParams(D: number, H: number, rand: Rand): RnnParams {
  checkInit('initRnnParams', D, H, rand, 1);
  return { ...initRecurrentWeights(D, H, 1, rand), b: Matrix.zeros(1, H) };
}

/**
 * LSTM weights: W_x ~ N(0, 1/D), each H×H gate block of W_h orthogonal, b = 0
 * except the forget gate's block, which is 1 (Gers et al. 2000; Jozefowicz et
 * al. 2015) so that f ≈ σ(1) ≈ 0.73 and the cell remembers from the start.
 *
 * ```text
 * D, H  →  { Wx: D×4H, Wh: H×4H, b: 1×4H }   (gate blocks f|i|g|o)
 * ```
 */
export function initLstmParams(D: number, H: number, rand: Rand): LstmParams {
  checkInit('initLstmParams', D, H, rand, 4);
  const b = Matrix.zeros(1, 4 * H);
  b.data.fill(1, 0, H);
  return { ...initRecurrentWeights(D, H, 4, rand), b };
}

/**
 * GRU weights: W_x ~ N(0, 1/D), each H×H gate block of W_h orthogonal, both biases 0.
 *
 * ```text
 * D, H  →  { Wx: D×3H, Wh: H×3H, bx: 1×3H, bh: 1×3H }   (gate blocks r|z|n)
 * ```
 */
export function initGruParams(D: number, H: number, rand: Rand): GruParams {
  checkInit('initGruParams', D, H, rand, 3);
  return { ...initRecurrentWeights(D, H, 3, rand), bx: Matrix.zeros(1, 3 * H), bh: Matrix.zeros(1, 3 * H) };
}
