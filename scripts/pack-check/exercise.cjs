'use strict';
// One real call into every subpath of the installed package, shared by the
// ESM consumer (consumer.mjs) and the CommonJS one (consumer.cjs): `m` holds
// the six modules as each consumer loaded them. Throws on the first failure.

function check(ok, what) {
  if (!ok) throw new Error(`pack check: ${what}`);
  console.log(`  ok  ${what}`);
}

function maxAbsDiff(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

module.exports = function exercise(m, label) {
  const { main, reference, gradcheck, interop, train, linalg } = m;
  const { Matrix, Tensor3 } = main;

  // handgrad: an LSTM forward/backward over 3 steps.
  const rand = train.seededRandom(7);
  const [N, T, D, H] = [2, 3, 4, 5];
  const x = train.randomNormalMatrix(N * T, D, rand);
  const xs = new Tensor3(N, T, D, x.data);
  const p = { ...train.initRecurrentWeights(D, H, 4, rand), b: Matrix.zeros(1, 4 * H) };
  const h0 = Matrix.zeros(N, H);
  const { h, cache } = main.lstmForward(xs, h0, p);
  const dh = new Tensor3(N, T, H, new Float64Array(N * T * H).fill(1));
  const grads = main.lstmBackward(dh, cache);
  const shapesOk = h.dims.join('×') === '2×3×5' && grads.dWx.rows === D && grads.dWx.cols === 4 * H;
  check(shapesOk, `${label} handgrad: lstmForward/lstmBackward shapes`);

  // handgrad/reference: the derivation agrees with the fast cell.
  const ref = reference.lstmForward(xs, h0, p);
  const refGrads = reference.lstmBackward(dh, ref.cache);
  check(
    maxAbsDiff(ref.h.data, h.data) < 1e-12 && maxAbsDiff(refGrads.dWx.data, grads.dWx.data) < 1e-12,
    `${label} handgrad/reference: lstm forward and dWx equal the fast cell's to 1e-12`,
  );

  // handgrad/gradcheck: the library's RNN step against finite differences.
  const report = gradcheck.checkKernel(gradcheck.rnnStepSpec, { sizes: { N: 2, D: 3, H: 4 }, seed: 1 });
  check(report.ok === true && report.rows.length > 0, `${label} handgrad/gradcheck: checkKernel(rnnStepSpec) passes`);

  // handgrad/interop: PyTorch layout round trip.
  const back = interop.lstmParamsFromTorch(interop.lstmParamsToTorch(p));
  check(
    maxAbsDiff(back.Wx.data, p.Wx.data) === 0 && maxAbsDiff(back.Wh.data, p.Wh.data) === 0,
    `${label} handgrad/interop: lstmParams to PyTorch and back is exact`,
  );

  // handgrad/train: one Adam step moves the weights; the last step is h_T.
  const last = train.lastStep(h);
  check(last.rows === N && last.get(1, 2) === h.get(1, T - 1, 2), `${label} handgrad/train: lastStep reads h_T`);
  const trainOk = typeof train.adam === 'function' && typeof train.gruCell.forward === 'function';
  check(trainOk, `${label} handgrad/train: adam and gruCell exported`);

  // handgrad/linalg: a product known by hand, and the same Matrix class as the main entry.
  const c = linalg.matmul(
    Matrix.from([
      [1, 2],
      [3, 4],
    ]),
    linalg.Matrix.from([
      [5, 6],
      [7, 8],
    ]),
  );
  check(JSON.stringify(c.toArray()) === '[[19,22],[43,50]]', `${label} handgrad/linalg: matmul of two 2×2 matrices`);
  check(linalg.Matrix === Matrix && reference.Matrix === Matrix, `${label} one Matrix class across subpaths`);
  check(['auto', 'ts', 'wasm'].includes(linalg.productTier()), `${label} handgrad/linalg: productTier()`);

  // Internals and experiments stay out of the entries.
  const internals = ['SlidingView', 'allocationCount', 'holdOperand', 'WASM_MIN_WORK', 'trainChars', 'saveCharModel'];
  for (const name of internals) {
    check(!Object.values(m).some((mod) => name in mod), `${label} no entry exports ${name}`);
  }
};
