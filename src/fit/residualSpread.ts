/** The standard deviation of n − μ over a window, photons (data at `data[at…]`, μ for each pixel). */
export function residualSpread(data: Float64Array, at: number, mu: Float64Array): number {
  const n = mu.length;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const d = data[at + i] - mu[i];
    s += d;
    s2 += d * d;
  }
  return Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
}
