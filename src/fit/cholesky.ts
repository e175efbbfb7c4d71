/**
 * Small dense Cholesky routines for the 4×4 / 5×5 symmetric matrices of the fit (Newton
 * systems and Fisher information). Row-major, allocation-free: callers pass scratch.
 */

/**
 * Factor a symmetric positive-definite n×n matrix A = L·Lᵀ into `lower` (row-major, only the
 * lower triangle is written and read back).
 *
 * @param a - A, row-major n×n (only the lower triangle is read)
 * @param n - size
 * @param lower - output L, length ≥ n²
 * @returns false when A is not (numerically) positive definite or holds NaN
 */
export function choleskyFactor(a: Float64Array, n: number, lower: Float64Array): boolean {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c <= r; c++) {
      let s = a[r * n + c];
      for (let k = 0; k < c; k++) s -= lower[r * n + k] * lower[c * n + k];
      if (r === c) {
        // `!(s > 0)` also rejects NaN.
        if (!(s > 0) || !Number.isFinite(s)) return false;
        lower[r * n + r] = Math.sqrt(s);
      } else {
        lower[r * n + c] = s / lower[c * n + c];
      }
    }
  }
  return true;
}

/**
 * Solve A·x = b with A factored by {@link choleskyFactor}.
 *
 * @param lower - L from `choleskyFactor`
 * @param n - size
 * @param b - right-hand side, length n
 * @param x - output, length n (may alias `b`)
 */
export function choleskySolve(lower: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let r = 0; r < n; r++) {
    let s = b[r];
    for (let k = 0; k < r; k++) s -= lower[r * n + k] * x[k];
    x[r] = s / lower[r * n + r];
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= lower[k * n + r] * x[k];
    x[r] = s / lower[r * n + r];
  }
}

/**
 * Diagonal of A⁻¹ for a symmetric positive-definite A (the CRLB variances when A is the Fisher
 * information): (A⁻¹)_ii = ‖L⁻¹ e_i‖², computed column by column of L⁻¹.
 *
 * @param a - A, row-major n×n
 * @param n - size
 * @param diagonal - output, length n
 * @param scratch - length ≥ n² + n
 * @returns false (and NaN diagonal) when A is not positive definite
 */
export function choleskyInverseDiagonal(
  a: Float64Array,
  n: number,
  diagonal: Float64Array,
  scratch: Float64Array,
): boolean {
  if (!choleskyFactor(a, n, scratch)) {
    diagonal.fill(Number.NaN, 0, n);
    return false;
  }
  // (A⁻¹)_ii = Σ_k (L⁻¹)_{k i}²: solve L z = e_i by forward substitution from row i on.
  const z = n * n;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let r = i; r < n; r++) {
      let s = r === i ? 1 : 0;
      for (let k = i; k < r; k++) s -= scratch[r * n + k] * scratch[z + k];
      const v = s / scratch[r * n + r];
      scratch[z + r] = v;
      sum += v * v;
    }
    diagonal[i] = sum;
  }
  return true;
}
