// The kernel floor of a bench row: how long the WASM kernel alone takes for
// the matrix products that row's forward+backward runs, with the same block
// sizes gemmWasm uses, on operands already packed in its memory. Nothing else
// is counted: no packing, no copying C in or out, no gate math, no checks.
// No change outside the kernel can make the row faster than this, so a row
// whose floor is already above a target ratio to numpy cannot meet it with
// this kernel (docs/performance-design.md, "Why not 2×").
//
// It runs its own instance of the same module bytes the library picked
// (relaxed SIMD or SIMD128), so the library's arena is not touched.

/**
 * The products (C = A·B, M×K times K×N) of one forward+backward, as the
 * sequence kernels run them (src/{rnn,lstm,gru}/sequence.ts): the input
 * product over all N·T rows, one h_{t−1}·W_h and one dA_t·W_hᵀ per step with
 * W_h held packed, and per backward chunk dx, dW_x and dW_h. A step (T = 1)
 * runs the same six products through the step functions, nothing held.
 */
export function productsOf({ N, T, D, H, gates, mode, chunkSteps }) {
  const G = gates * H;
  if (mode === 'step') {
    return [
      { M: N, N: G, K: D },
      { M: N, N: G, K: H },
      { M: D, N: G, K: N },
      { M: H, N: G, K: N },
      { M: N, N: D, K: G },
      { M: N, N: H, K: G },
    ];
  }
  const list = [{ M: N * T, N: G, K: D }];
  for (let t = 0; t < T; t++) list.push({ M: N, N: G, K: H, held: true });
  const Tc = chunkSteps(N, T, G);
  // Chunks of the backward, latest first, as in the sequence kernels: the
  // steps' dA_t·W_hᵀ, then dx, dW_x and dW_h over the chunk's N·len rows.
  for (let t1 = T; t1 > 0; t1 -= Tc) {
    const len = t1 - Math.max(0, t1 - Tc);
    for (let t = 0; t < len; t++) list.push({ M: N, N: H, K: G, held: true });
    const rows = N * len;
    list.push({ M: rows, N: D, K: G }, { M: D, N: G, K: rows }, { M: H, N: G, K: rows });
  }
  return list;
}

const MR = 6;

/**
 * A timer for kernel floors: `floorMs(products)` is the sum over the products
 * of the fastest of five samples of the kernel calls each needs. Shapes are
 * timed once and remembered. `rowPanels` is the library's own split of a
 * row block into 6- and 4-row panels (src/linalg/gemm-wasm.ts).
 */
export function kernelFloorTimer({ base64, blockValues, rowPanels }) {
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { js: { exp: Math.exp } });
  const memory = exports.memory;
  const gemm = exports.gemm;
  const known = new Map();

  function calls({ M, N, K, held }) {
    const np = (N + 3) >> 2;
    // Column and row blocks exactly as gemmWasm chooses them.
    const nc = held ? 4 * np : Math.max(4, Math.min(4 * np, (Math.floor(blockValues / K) >> 2) << 2));
    const mc = MR * Math.max(1, Math.min(Math.ceil(M / MR), Math.floor(blockValues / Math.max(K, nc) / MR)));
    const list = [];
    for (let j0 = 0; j0 < N; j0 += nc) {
      const npb = (Math.min(nc, N - j0) + 3) >> 2;
      for (let i0 = 0; i0 < M; i0 += mc) {
        const { full, tail } = rowPanels(Math.min(mc, M - i0));
        list.push({ mp: full + tail, npb, full });
      }
    }
    // Panels of A, B and the C block side by side, sized for the largest call.
    const aValues = Math.max(...list.map((c) => c.mp * MR * K));
    const bValues = Math.max(...list.map((c) => c.npb * 4 * K));
    const cValues = Math.max(...list.map((c) => c.mp * MR * c.npb * 4));
    const bytesNeeded = 8 * (aValues + bValues + cValues);
    if (bytesNeeded > memory.buffer.byteLength) {
      const before = memory.buffer.byteLength;
      memory.grow(Math.ceil((bytesNeeded - before) / 65536));
      // Finite values in the new pages: the kernel's speed does not depend on them, but NaN or subnormals could.
      const heap = new Float64Array(memory.buffer);
      for (let i = before / 8; i < heap.length; i++) heap[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    }
    const aAt = 0;
    const bAt = 8 * aValues;
    const cAt = 8 * (aValues + bValues);
    return () => {
      for (const c of list) gemm(c.mp, c.npb, K, aAt, bAt, cAt, 0, c.full);
    };
  }

  function timeShape(shape) {
    const key = `${shape.M}·${shape.N}·${shape.K}·${shape.held ? 'held' : ''}`;
    const seen = known.get(key);
    if (seen !== undefined) return seen;
    const run = calls(shape);
    run();
    let inner = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < inner; i++) run();
      if (Number(process.hrtime.bigint() - start) / 1e6 >= 10 || inner >= 1 << 16) break;
      inner *= 2;
    }
    let best = Infinity;
    for (let s = 0; s < 5; s++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < inner; i++) run();
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6 / inner);
    }
    known.set(key, best);
    return best;
  }

  return {
    floorMs(products) {
      let ms = 0;
      for (const p of products) ms += timeShape(p);
      return ms;
    },
  };
}
