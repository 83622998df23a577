/**
 * The two step loops of src/rnn/sequence.ts again, with their step buffers
 * kept in the WASM kernel's memory ({@link WasmBlocks}): the same formulas,
 * the same kernel calls on the same values in the same order, so the same
 * bits — test/rnn/resident.test.ts checks that against the loops in
 * sequence.ts, which stay the reference to read.
 *
 * Why: through the JS-memory products each step packs h_{t−1} and copies
 * u_t in and out for the product, and again for tanh, one copy per row of a
 * strided view — about as long as the step's arithmetic at the small bench
 * size (docs/performance-design.md, "Step loops in WASM memory"). Here a sequence
 * copies each step's rows in once and out once.
 *
 * Docs: docs/rnn.md ("Over a sequence"); docs/performance-design.md.
 */
import { type Matrix, type SlidingView, WasmBlocks, useWasm, type MatrixView } from '../linalg/index.js';
import { wasmPieces } from '../linalg/products.js';

/**
 * Whether the sequence kernels may use these loops (on the WASM tier). Tests
 * switch it off to run the reference loops of sequence.ts on the same tier.
 * @internal
 */
export const residentLoops = { enabled: true };

/**
 * Whether the step product h_{t−1}·W_h (N×H·H×H) runs on the WASM tier, where these loops apply, and W_h
 * packed whole fits the share of WASM memory a held weight may take (else the loops of sequence.ts run).
 */
function applies(N: number, H: number): boolean {
  return residentLoops.enabled && useWasm(N * H * H) && 4 * Math.ceil(H / 4) * H <= wasmPieces.heldValues;
}

/**
 * The forward recurrence of rnnForward on the WASM tier; false (nothing
 * done) when it does not apply. On entry step t of `h` holds u_t = x_t·W_x + b;
 * on return it holds h_t:
 *
 * ```text
 * for t = 1…T:  u_t += h_{t−1}·W_h;   h_t = tanh(u_t)
 *
 * h: N×T×H (u in, h out)   h0: N×H   Wh: H×H
 * ```
 *
 * Block 0 holds h_{t−1} for the first step of a piece; blocks 1…S its steps.
 */
export function rnnForwardStepsInWasm(h: SlidingView, h0: Matrix, Wh: MatrixView, T: number): boolean {
  const { rows: N, cols: H } = h;
  if (!applies(N, H)) return false;
  const blocks = WasmBlocks.open(N, H, T + 1, 2, [{ W: Wh, transposed: false }], 'rnnForward (step product)');
  if (blocks === null) return false;
  const S = blocks.count - 1;
  blocks.load(0, h0);
  for (let t0 = 0; t0 < T; t0 += S) {
    const len = Math.min(S, T - t0);
    if (t0 > 0) blocks.copy(0, S); // h_{t0−1}, the last step of the previous piece
    for (let i = 1; i <= len; i++) blocks.load(i, h.at(t0 + i - 1));
    for (let i = 1; i <= len; i++) {
      blocks.product(i, i - 1, 0, true); // u_t += h_{t−1}·W_h
      blocks.tanh(i); // h_t = tanh(u_t)
    }
    for (let i = 1; i <= len; i++) blocks.store(i, h.at(t0 + i - 1));
  }
  return true;
}

/**
 * The step loop of one backward chunk of rnnBackward (steps t1−1 down to
 * t0) on the WASM tier; false (nothing done) when it does not apply. `g`
 * holds dL/dh_{t1−1} on entry and, when t0 > 0, dL/dh_{t0−1} on return;
 * when t0 = 0, `dh0` receives dL/dh_0. du_t goes to step t − t0 of `du`:
 *
 * ```text
 * for t = t1−1 … t0:
 *   du_t = g_t ⊙ (1 − h_t²)
 *   g_{t−1} = dh_{t−1} + du_t·W_hᵀ     (at t = 0: dh_0 = du_0·W_hᵀ)
 *
 * g, dh0: N×H   h, dh: N×T×H   du: N×(t1−t0)×H   Wh: H×H
 * ```
 *
 * A piece of S steps first … end−1 keeps h_t in blocks 0…S−1, g_t for
 * t = first−1 … end−1 in blocks S…2S, and du_t in blocks 2S+1…3S.
 */
export function rnnBackwardStepsInWasm(
  g: MatrixView,
  dh0: MatrixView,
  h: SlidingView,
  dh: SlidingView,
  du: SlidingView,
  Wh: MatrixView,
  t0: number,
  t1: number,
): boolean {
  const { rows: N, cols: H } = g;
  if (!applies(N, H)) return false;
  const blocks = WasmBlocks.open(
    N,
    H,
    3 * (t1 - t0) + 1,
    4,
    [{ W: Wh, transposed: true }],
    'rnnBackward (step product)',
  );
  if (blocks === null) return false;
  const S = Math.floor((blocks.count - 1) / 3);
  // Block indices within the piece that starts at step `first`.
  const hAt = (t: number, first: number): number => t - first;
  const gAt = (t: number, first: number): number => S + 1 + t - first; // t ≥ first − 1
  const duAt = (t: number, first: number): number => 2 * S + 1 + t - first;
  for (let end = t1; end > t0; end -= S) {
    const first = Math.max(t0, end - S);
    blocks.load(gAt(end - 1, first), g); // g_{end−1}: carried in from the piece above
    for (let t = first; t < end; t++) blocks.load(hAt(t, first), h.at(t));
    for (let t = first - 1; t < end - 1; t++) if (t >= 0) blocks.load(gAt(t, first), dh.at(t)); // upstream dh_t
    for (let t = end - 1; t >= first; t--) {
      blocks.tanhBackward(duAt(t, first), gAt(t, first), hAt(t, first)); // du_t = g_t ⊙ (1 − h_t²)
      // g_{t−1} = dh_{t−1} + du_t·W_hᵀ; at t = 0: dh_0 = du_0·W_hᵀ
      blocks.product(gAt(t - 1, first), duAt(t, first), 0, t > 0);
    }
    for (let t = first; t < end; t++) blocks.store(duAt(t, first), du.at(t - t0));
    blocks.store(gAt(first - 1, first), first > 0 ? g : dh0); // g_{first−1}, carried on down
  }
  return true;
}
