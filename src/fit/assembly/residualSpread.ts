// ../residualSpread.ts in the fit kernel.

/** ../residualSpread.ts: the standard deviation of n − μ over `n` pixels (the multi-emitter and 3-D fits' residual std). */
export function residualSpread(data: usize, mu: StaticArray<f64>, n: i32): f64 {
  let s: f64 = 0, s2: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = load<f64>(data + (<usize>i << 3)) - unchecked(mu[i]);
    s += d;
    s2 += d * d;
  }
  const mean = s / <f64>n;
  return Math.sqrt(Math.max(0, s2 / <f64>n - mean * mean));
}
