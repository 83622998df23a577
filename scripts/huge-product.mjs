#!/usr/bin/env node
// The weight-gradient product over 2²⁵ rows on the default (WASM) tier: Aᵀ·B with A 2²⁵×2 and B 2²⁵×1
// (768 MiB of operands). Unsplit, the WASM kernel's blocks for a sum over K rows take about 16·K values —
// all 4 GiB of WASM memory at K = 2²⁵ — so this checks that the product runs in pieces along K, gives the
// TypeScript tier's result to 1e-12 (norm-relative), and leaves the arena small. test/linalg/budget.test.ts
// runs the same path at 2²² rows; this one is too heavy for a jest worker on a shared machine.
// Needs dist/ (npm run build). Exits 1 on a failure.
import { wasmArenaBytes, wasmSimdAvailable } from '../dist/esm/linalg/gemm-wasm.js';
import { Matrix, matmulTransA, setProductTier } from '../dist/esm/linalg/public.js';

const K = 2 ** 25;
/** Values in [−1, 1) from a Weyl sequence: no pattern a sum could cancel exactly. */
function filled(rows, cols, seed) {
  const m = Matrix.zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 2 * (((seed + i) * 0.6180339887498949) % 1) - 1;
  return m;
}
const A = filled(K, 2, 1);
const B = filled(K, 1, 2);
if (!wasmSimdAvailable()) {
  console.log('huge-product: this engine has no WASM SIMD; nothing to check');
  process.exit(0);
}
setProductTier('auto');
let start = performance.now();
const wasm = matmulTransA(A, B);
const wasmMs = performance.now() - start;
const arena = wasmArenaBytes();
setProductTier('ts');
start = performance.now();
const ts = matmulTransA(A, B);
const tsMs = performance.now() - start;
let diff = 0;
let norm = 0;
for (let i = 0; i < ts.data.length; i++) {
  diff += (wasm.data[i] - ts.data[i]) ** 2;
  norm += ts.data[i] ** 2;
}
const rel = Math.sqrt(diff / norm);
const failures = [];
if (!(rel <= 1e-12)) failures.push(`WASM and TS results differ by ${rel} (norm-relative), over 1e-12`);
if (arena > 64 * 2 ** 20) failures.push(`the WASM arena is ${arena} bytes after the call, over 64 MiB`);
console.log(
  `huge-product: Aᵀ·B over 2²⁵ rows — default tier ${wasmMs.toFixed(0)} ms, TS tier ${tsMs.toFixed(0)} ms, ` +
    `norm-relative difference ${rel.toExponential(2)}, arena ${(arena / 2 ** 20).toFixed(1)} MiB`,
);
for (const f of failures) console.error(`huge-product: ${f}`);
process.exit(failures.length === 0 ? 0 : 1);
