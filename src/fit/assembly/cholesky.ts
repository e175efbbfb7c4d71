// ../cholesky.ts in the fit kernel: Cholesky factor, solve and the diagonal of the inverse (the
// CRLB) of a symmetric positive definite n×n matrix, row-major in a StaticArray.

/** ../cholesky.ts choleskyFactor: A = L·Lᵀ for an n×n matrix (row-major, stride n) into `lower`; false when A is not positive definite. */
export function choleskyFactor(a: StaticArray<f64>, n: i32, lower: StaticArray<f64>): bool {
  for (let r = 0; r < n; r++) {
    for (let c = 0; c <= r; c++) {
      let s = unchecked(a[r * n + c]);
      for (let k = 0; k < c; k++) s -= unchecked(lower[r * n + k]) * unchecked(lower[c * n + k]);
      if (r == c) {
        if (!(s > 0) || !isFinite<f64>(s)) return false;
        unchecked(lower[r * n + r] = Math.sqrt(s));
      } else {
        unchecked(lower[r * n + c] = s / unchecked(lower[c * n + c]));
      }
    }
  }
  return true;
}

/** ../cholesky.ts choleskySolve: A·x = b with A = L·Lᵀ factored by choleskyFactor. */
export function choleskySolve(lower: StaticArray<f64>, n: i32, b: StaticArray<f64>, x: StaticArray<f64>): void {
  for (let r = 0; r < n; r++) {
    let s = unchecked(b[r]);
    for (let k = 0; k < r; k++) s -= unchecked(lower[r * n + k]) * unchecked(x[k]);
    unchecked(x[r] = s / unchecked(lower[r * n + r]));
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = unchecked(x[r]);
    for (let k = r + 1; k < n; k++) s -= unchecked(lower[k * n + r]) * unchecked(x[k]);
    unchecked(x[r] = s / unchecked(lower[r * n + r]));
  }
}

/** ../cholesky.ts choleskyInverseDiagonal: the diagonal of A⁻¹ (n×n) into `out`, with the scratch given: L (n²) and a column (n); false and NaN when singular. */
export function choleskyInverseDiagonal(a: StaticArray<f64>, n: i32, out: StaticArray<f64>, lower: StaticArray<f64>, z: StaticArray<f64>): bool {
  if (!choleskyFactor(a, n, lower)) { for (let i = 0; i < n; i++) unchecked(out[i] = NaN); return false; }
  for (let i = 0; i < n; i++) {
    let sum: f64 = 0;
    for (let r = i; r < n; r++) {
      let s: f64 = r == i ? 1 : 0;
      for (let k = i; k < r; k++) s -= unchecked(lower[r * n + k]) * unchecked(z[k]);
      const v = s / unchecked(lower[r * n + r]);
      unchecked(z[r] = v);
      sum += v * v;
    }
    unchecked(out[i] = sum);
  }
  return true;
}
