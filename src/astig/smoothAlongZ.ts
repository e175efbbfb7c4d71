/**
 * Smooth a stack of planes along z, pixel by pixel, by a Gaussian-weighted local polynomial
 * (kernel regression): the value at plane k is the intercept a of the weighted least-squares fit
 * of a + b·j + c·j² (degree 2; a alone for degree 0) to the samples at planes k + j, weights
 * exp(−j²/2σ²) for |j| ≤ ⌈3σ⌉ within the stack. Degree 0 is the Gaussian smoothing with its kernel
 * renormalised at the ends; its bias is about (σ²/2)·∂²f/∂z² where the PSF's depth profile
 * curves (near focus), degree 2 has none of that order (its bias is of order σ⁴·∂⁴f/∂z⁴), so a
 * wider σ averages more of the beads' noise at the same bias. The weights of plane k depend on k
 * alone (the same for every pixel): its equivalent kernel is computed once a plane.
 * @param volume - planes of `area` values each, `[plane·area + pixel]`
 * @param planes - planes in the stack
 * @param area - values a plane
 * @param sigmaPlanes - σ of the weights, planes (> 0)
 * @param degree - 0 (local mean) or 2 (local quadratic)
 * @param out - receives the smoothed stack (not `volume`)
 */
export function smoothAlongZ(volume: Float64Array, planes: number, area: number, sigmaPlanes: number, degree: 0 | 2, out: Float64Array): void {
  const reach = Math.ceil(3 * sigmaPlanes);
  const kernel = new Float64Array(2 * reach + 1);
  for (let z = 0; z < planes; z++) {
    const first = Math.max(-reach, -z);
    const last = Math.min(reach, planes - 1 - z);
    equivalentKernel(first, last, sigmaPlanes, degree, kernel, reach);
    const base = z * area;
    for (let p = 0; p < area; p++) {
      let s = 0;
      for (let j = first; j <= last; j++) s += kernel[j + reach] * volume[(z + j) * area + p];
      out[base + p] = s;
    }
  }
}

/**
 * The weights h_j (j = first…last, at `kernel[j + reach]`) with a = Σ h_j·f_j for the weighted
 * least-squares intercept: h = e₀ᵀ(XᵀWX)⁻¹XᵀW, X's rows (1, j, j²) (or (1) for degree 0). Where
 * the window is too short for a quadratic (under 3 planes, or a singular system) the local mean.
 */
function equivalentKernel(first: number, last: number, sigma: number, degree: 0 | 2, kernel: Float64Array, reach: number): void {
  const weight = (j: number) => Math.exp(-(j * j) / (2 * sigma * sigma));
  // Moments Σ w·j^m, m = 0…4.
  const m = [0, 0, 0, 0, 0];
  for (let j = first; j <= last; j++) {
    const w = weight(j);
    let t = w;
    for (let e = 0; e < 5; e++) {
      m[e] += t;
      t *= j;
    }
  }
  if (degree === 2 && last - first >= 2) {
    // (XᵀWX) = [[m0, m1, m2], [m1, m2, m3], [m2, m3, m4]]; its inverse's first row by cofactors.
    const c0 = m[2] * m[4] - m[3] * m[3];
    const c1 = -(m[1] * m[4] - m[3] * m[2]);
    const c2 = m[1] * m[3] - m[2] * m[2];
    const det = m[0] * c0 + m[1] * c1 + m[2] * c2;
    if (Math.abs(det) > 1e-12 * Math.abs(m[0] * c0)) {
      for (let j = first; j <= last; j++) kernel[j + reach] = (weight(j) * (c0 + c1 * j + c2 * j * j)) / det;
      return;
    }
  }
  for (let j = first; j <= last; j++) kernel[j + reach] = weight(j) / m[0];
}
