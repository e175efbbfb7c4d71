/**
 * The second derivatives M of the natural cubic spline through `n` equally spaced samples
 * (spacing 1) read at `f[at + q·stride]`: M₀ = M_{n−1} = 0 and
 *
 *     M_{q−1} + 4·M_q + M_{q+1} = 6·(f_{q+1} − 2·f_q + f_{q−1}),  0 < q < n − 1,
 *
 * solved by the Thomas algorithm. Between samples q and q + 1 at t ∈ [0, 1], u = 1 − t, the
 * spline is u·f_q + t·f_{q+1} + ((u³ − u)·M_q + (t³ − t)·M_{q+1}) / 6. Allocates nothing.
 *
 * @param f - the samples
 * @param at - index of sample 0 in f
 * @param stride - step between samples in f
 * @param n - samples
 * @param m - out: the n second derivatives
 * @param c - scratch of n (the eliminated super-diagonal)
 */
export function naturalSecondDerivatives(f: ArrayLike<number>, at: number, stride: number, n: number, m: Float64Array, c: Float64Array): void {
  m[0] = 0;
  m[n - 1] = 0;
  if (n < 3) return;
  let prevC = 0;
  let prevD = 0;
  for (let q = 1; q < n - 1; q++) {
    const rhs = 6 * (f[at + (q + 1) * stride] - 2 * f[at + q * stride] + f[at + (q - 1) * stride]);
    const denom = 4 - prevC;
    c[q] = 1 / denom;
    m[q] = (rhs - prevD) / denom;
    prevC = c[q];
    prevD = m[q];
  }
  for (let q = n - 3; q >= 1; q--) m[q] -= c[q] * m[q + 1];
}
