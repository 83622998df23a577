/**
 * The portable (TypeScript) tier of the matrix products: one strided kernel
 * for C ← A·B, Aᵀ·B and A·Bᵀ, plus the literal triple loop it is tested
 * against.
 *
 * Both address their operands through strides, so a transpose is only a swap
 * of strides, never a copy:
 *
 * ```text
 * C[i][j] (+)= Σ_k A(i,k)·B(k,j)     i < M, j < N, k < K
 * A(i,k) = a[aOff + i·aRow + k·aDepth]     B(k,j) = b[bOff + k·bDepth + j·bCol]
 * C[i][j] = c[cOff + i·cRow + j]
 * ```
 *
 * A·B:  aRow = A.stride, aDepth = 1,  bDepth = B.stride, bCol = 1
 * Aᵀ·B: aRow = 1, aDepth = A.stride,  bDepth = B.stride, bCol = 1
 * A·Bᵀ: aRow = A.stride, aDepth = 1,  bDepth = 1, bCol = B.stride
 */

/** Strided operands of one product; see the module comment for the addressing. */
export interface GemmOperands {
  /** Rows of C. */
  readonly M: number;
  /** Columns of C. */
  readonly N: number;
  /** Depth of the sum. */
  readonly K: number;
  /** Storage of A. */
  readonly a: Float64Array;
  /** Index of A(0,0). */
  readonly aOff: number;
  /** Step in `a` from A(i,k) to A(i+1,k). */
  readonly aRow: number;
  /** Step in `a` from A(i,k) to A(i,k+1). */
  readonly aDepth: number;
  /** Storage of B. */
  readonly b: Float64Array;
  /** Index of B(0,0). */
  readonly bOff: number;
  /** Step in `b` from B(k,j) to B(k+1,j). */
  readonly bDepth: number;
  /** Step in `b` from B(k,j) to B(k,j+1). */
  readonly bCol: number;
  /** Storage of C. */
  readonly c: Float64Array;
  /** Index of C[0][0]. */
  readonly cOff: number;
  /** Step in `c` from C[i][j] to C[i+1][j]. */
  readonly cRow: number;
}

/**
 * The literal definition, C[i][j] (+)= Σ_k A(i,k)·B(k,j), one element at a
 * time: the reference the fast kernels are tested against.
 */
export function gemmReference(op: GemmOperands, accumulate: boolean): void {
  const { M, N, K, a, aOff, aRow, aDepth, b, bOff, bDepth, bCol, c, cOff, cRow } = op;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++)
        sum += (a[aOff + i * aRow + k * aDepth] as number) * (b[bOff + k * bDepth + j * bCol] as number);
      const at = cOff + i * cRow + j;
      c[at] = accumulate ? (c[at] as number) + sum : sum;
    }
  }
}

/**
 * The same product, register-blocked: each 4×4 block of C is summed over all
 * k in sixteen local accumulators (8 loads per 16 multiply-adds instead of
 * 2 per 1), then written once. Rows and columns past the last full block of 4
 * fall back to one dot product per element.
 */
export function gemmBlocked(op: GemmOperands, accumulate: boolean): void {
  const { M, N, K, a, aOff, aRow, aDepth, b, bOff, bDepth, bCol, c, cOff, cRow } = op;
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  for (let j = 0; j < N4; j += 4) {
    const bj = bOff + j * bCol;
    for (let i = 0; i < M4; i += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let pa = aOff + i * aRow;
      let pb = bj;
      for (let k = 0; k < K; k++) {
        const a0 = a[pa] as number;
        const a1 = a[pa + aRow] as number;
        const a2 = a[pa + 2 * aRow] as number;
        const a3 = a[pa + 3 * aRow] as number;
        const b0 = b[pb] as number;
        const b1 = b[pb + bCol] as number;
        const b2 = b[pb + 2 * bCol] as number;
        const b3 = b[pb + 3 * bCol] as number;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
        pa += aDepth;
        pb += bDepth;
      }
      const r0 = cOff + i * cRow + j;
      const r1 = r0 + cRow;
      const r2 = r1 + cRow;
      const r3 = r2 + cRow;
      if (accumulate) {
        c[r0] = (c[r0] as number) + c00;
        c[r0 + 1] = (c[r0 + 1] as number) + c01;
        c[r0 + 2] = (c[r0 + 2] as number) + c02;
        c[r0 + 3] = (c[r0 + 3] as number) + c03;
        c[r1] = (c[r1] as number) + c10;
        c[r1 + 1] = (c[r1 + 1] as number) + c11;
        c[r1 + 2] = (c[r1 + 2] as number) + c12;
        c[r1 + 3] = (c[r1 + 3] as number) + c13;
        c[r2] = (c[r2] as number) + c20;
        c[r2 + 1] = (c[r2 + 1] as number) + c21;
        c[r2 + 2] = (c[r2 + 2] as number) + c22;
        c[r2 + 3] = (c[r2 + 3] as number) + c23;
        c[r3] = (c[r3] as number) + c30;
        c[r3 + 1] = (c[r3 + 1] as number) + c31;
        c[r3 + 2] = (c[r3 + 2] as number) + c32;
        c[r3 + 3] = (c[r3 + 3] as number) + c33;
      } else {
        c[r0] = c00;
        c[r0 + 1] = c01;
        c[r0 + 2] = c02;
        c[r0 + 3] = c03;
        c[r1] = c10;
        c[r1 + 1] = c11;
        c[r1 + 2] = c12;
        c[r1 + 3] = c13;
        c[r2] = c20;
        c[r2 + 1] = c21;
        c[r2 + 2] = c22;
        c[r2 + 3] = c23;
        c[r3] = c30;
        c[r3 + 1] = c31;
        c[r3 + 2] = c32;
        c[r3 + 3] = c33;
      }
    }
  }
  // The edges: rows M4… against every column, then columns N4… of the
  // blocked rows. Each element is one dot product.
  if (M4 < M) edge(op, M4, M, 0, N, accumulate);
  if (N4 < N) edge(op, 0, M4, N4, N, accumulate);
}

function edge(op: GemmOperands, i0: number, i1: number, j0: number, j1: number, accumulate: boolean): void {
  const { K, a, aOff, aRow, aDepth, b, bOff, bDepth, bCol, c, cOff, cRow } = op;
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let sum = 0;
      let pa = aOff + i * aRow;
      let pb = bOff + j * bCol;
      for (let k = 0; k < K; k++) {
        sum += (a[pa] as number) * (b[pb] as number);
        pa += aDepth;
        pb += bDepth;
      }
      const at = cOff + i * cRow + j;
      c[at] = accumulate ? (c[at] as number) + sum : sum;
    }
  }
}
