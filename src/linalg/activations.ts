/**
 * σ(z) = 1 / (1 + e^(−z)), computed so that e^(±z) never overflows: for
 * z ≥ 0 it uses 1/(1 + e^(−z)); for z < 0 the equal form e^z/(1 + e^z).
 * Both stay in [0, 1] for any finite z, including ±1e3. NaN stays NaN.
 */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
