// The strict TypeScript consumer of every subpath. The pack check compiles this
// one source four ways against the installed package's declarations (no
// skipLibCheck): as typed.mts and typed.cts under `module nodenext`, and as
// typed.ts under `moduleResolution bundler` and under node10 resolution (types
// through typesVersions); then runs each output.
import { Matrix, Tensor3, ShapeError, LSTM_GATE_ORDER, lstmBackward, lstmForward } from 'handgrad';
import type { LstmCache, LstmGrads, LstmParams, MatrixView } from 'handgrad';
import * as reference from 'handgrad/reference';
import { checkKernel, lstmStepSpec, type KernelReport } from 'handgrad/gradcheck';
import { lstmParamsFromTorch, lstmParamsToTorch, type TorchWeights } from 'handgrad/interop';
import { adam, initLstmParams, type AdamState } from 'handgrad/train';
import { initRecurrentWeights, lastStep, seededRandom, withLastStepAdded, type Rand } from 'handgrad/train';
import { matmul, productTier, type ProductTier } from 'handgrad/linalg';

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`pack check (typed): ${what}`);
  console.log(`  ok  typed: ${what}`);
}

const rand: Rand = seededRandom(3);
const [N, T, D, H] = [2, 4, 3, 5] as const;
const x = new Tensor3(
  N,
  T,
  D,
  Float64Array.from({ length: N * T * D }, () => rand() - 0.5),
);
const p: LstmParams = { ...initRecurrentWeights(D, H, LSTM_GATE_ORDER.length, rand), b: Matrix.zeros(1, 4 * H) };
const h0 = Matrix.zeros(N, H);

const { h, cache }: { h: Tensor3; cache: LstmCache } = lstmForward(x, h0, p);
const hT: Matrix = lastStep(h);
// A loss on h_T only: its gradient enters at the last step.
const dh = withLastStepAdded(Tensor3.zeros(N, T, H), Matrix.from(hT.toArray().map((row) => row.map(() => 1))));
const grads: LstmGrads = lstmBackward(dh, cache);
const dWx: MatrixView = grads.dWx;
check(dWx.rows === D && dWx.cols === 4 * H, 'lstmBackward dWx is D×4H');

const ref = reference.lstmBackward(dh, reference.lstmForward(x, h0, p).cache);
check(
  ref.dWx.data.every((v, i) => Math.abs(v - grads.dWx.data[i]!) < 1e-12),
  'reference dWx equals the fast one',
);

const report: KernelReport = checkKernel(lstmStepSpec, { sizes: { N: 2, D: 3, H: 2 }, seed: 5 });
check(report.ok, 'checkKernel(lstmStepSpec) passes');

const torch: TorchWeights = lstmParamsToTorch(p);
check(torch.weight_ih.length === 4 * H && lstmParamsFromTorch(torch).Wh.cols === 4 * H, 'PyTorch layout round trip');

const tier: ProductTier = productTier();
const product = matmul(Matrix.from([[1, 2]]), Matrix.from([[3], [4]])).get(0, 0);
check(product === 11 && tier.length > 0, 'matmul and productTier');

try {
  lstmForward(x, Matrix.zeros(N + 1, H), p);
  check(false, 'a wrong h0 throws');
} catch (err) {
  check(err instanceof ShapeError && err instanceof RangeError, 'a wrong h0 throws a ShapeError (a RangeError)');
}

// The typed training loop: the optimizer takes the backward's result as it is
// (dWx, dWh, db read by their d-names; dx, dh0, dc0 ignored) and returns
// LstmParams again, with no cast and no renaming.
let q: LstmParams = initLstmParams(D, H, rand);
let state: AdamState<LstmParams> | undefined;
const before = lstmForward(x, h0, q).h.data.slice();
for (let step = 0; step < 3; step++) {
  const { cache: c } = lstmForward(x, h0, q);
  const g = lstmBackward(dh, c);
  ({ params: q, state } = adam(q, g, state, { learningRate: 1e-3 }));
}
const after = lstmForward(x, h0, q).h;
check(state !== undefined && after.data.some((v, i) => v !== before[i]), 'a typed Adam loop runs and moves h');
