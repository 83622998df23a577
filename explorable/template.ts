/** The kernel the editor starts with: a correct vanilla-RNN step, plain loops over the `--impl` contract. */
export const RNN_STEP_TEMPLATE = `// A vanilla-RNN step, forward and backward, in plain JavaScript.
// Matrices are { rows, cols, data } with data row-major: (i, j) is data[i * cols + j].
// Export your functions under the library's names (see "The contract" below).

const zeros = (rows, cols) => ({ rows, cols, data: new Float64Array(rows * cols) });
const at = (m, i, j) => m.data[i * m.cols + j];

// u = h_{t-1} Wh + x Wx + b,  h = tanh(u)
export function rnnStepForward(x, hPrev, p) {
  const [N, D, H] = [x.rows, x.cols, hPrev.cols];
  const h = zeros(N, H);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      let u = p.b.data[j];
      for (let k = 0; k < H; k++) u += at(hPrev, n, k) * at(p.Wh, k, j);
      for (let d = 0; d < D; d++) u += at(x, n, d) * at(p.Wx, d, j);
      h.data[n * H + j] = Math.tanh(u);
    }
  }
  return { h, cache: { x, hPrev, h, p } };
}

// du = dh * (1 - h^2);  dWx = x^T du, dWh = hPrev^T du, db = sum_n du, dx = du Wx^T, dhPrev = du Wh^T
export function rnnStepBackward(dh, cache) {
  const { x, hPrev, h, p } = cache;
  const [N, D, H] = [x.rows, x.cols, h.cols];
  const du = zeros(N, H);
  for (let k = 0; k < N * H; k++) du.data[k] = dh.data[k] * (1 - h.data[k] ** 2);
  const [dx, dhPrev, dWx, dWh, db] = [zeros(N, D), zeros(N, H), zeros(D, H), zeros(H, H), zeros(1, H)];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      const g = at(du, n, j);
      db.data[j] += g;
      for (let d = 0; d < D; d++) {
        dWx.data[d * H + j] += at(x, n, d) * g;
        dx.data[n * D + d] += g * at(p.Wx, d, j);
      }
      for (let k = 0; k < H; k++) {
        dWh.data[k * H + j] += at(hPrev, n, k) * g;
        dhPrev.data[n * H + k] += g * at(p.Wh, k, j);
      }
    }
  }
  return { dx, dhPrev, dWx, dWh, db };
}
`;
