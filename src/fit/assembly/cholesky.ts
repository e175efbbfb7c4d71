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

/**
 * choleskyInverseDiagonal for n = 4, unrolled: the same operations in the same order (so the
 * same values), the factor's tests gathered into one at the end (branch-free until then).
 */
export function choleskyInverseDiagonal4(a: StaticArray<f64>, out: StaticArray<f64>): bool {
  const d0 = unchecked(a[0]);
  const l00 = Math.sqrt(d0);
  const l10 = unchecked(a[4]) / l00;
  const l20 = unchecked(a[8]) / l00;
  const l30 = unchecked(a[12]) / l00;
  const d1 = unchecked(a[5]) - l10 * l10;
  const l11 = Math.sqrt(d1);
  const l21 = (unchecked(a[9]) - l20 * l10) / l11;
  const l31 = (unchecked(a[13]) - l30 * l10) / l11;
  const d2 = unchecked(a[10]) - l20 * l20 - l21 * l21;
  const l22 = Math.sqrt(d2);
  const l32 = (unchecked(a[14]) - l30 * l20 - l31 * l21) / l22;
  const d3 = unchecked(a[15]) - l30 * l30 - l31 * l31 - l32 * l32;
  const l33 = Math.sqrt(d3);
  if (!(d0 > 0 && d1 > 0 && d2 > 0 && d3 > 0 && isFinite<f64>(d0) && isFinite<f64>(d1) && isFinite<f64>(d2) && isFinite<f64>(d3))) {
    for (let i = 0; i < 4; i++) unchecked(out[i] = NaN);
    return false;
  }
  // Column i of L⁻¹ (rows i…3), summed in squares: (A⁻¹)_ii.
  const a0 = 1 / l00;
  const a1 = (0 - l10 * a0) / l11;
  const a2 = (0 - l20 * a0 - l21 * a1) / l22;
  const a3 = (0 - l30 * a0 - l31 * a1 - l32 * a2) / l33;
  unchecked(out[0] = 0 + a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3);
  const b1 = 1 / l11;
  const b2 = (0 - l21 * b1) / l22;
  const b3 = (0 - l31 * b1 - l32 * b2) / l33;
  unchecked(out[1] = 0 + b1 * b1 + b2 * b2 + b3 * b3);
  const c2 = 1 / l22;
  const c3 = (0 - l32 * c2) / l33;
  unchecked(out[2] = 0 + c2 * c2 + c3 * c3);
  const e3 = 1 / l33;
  unchecked(out[3] = 0 + e3 * e3);
  return true;
}
