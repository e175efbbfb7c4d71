/**
 * The width of an astigmatic PSF along one axis against depth (Huang et al., Science 319:810,
 * 2008; docs/design.md §8):
 *
 *     σ(z) = σ0 · √(1 + u² + A·u³ + B·u⁴),  u = (z − c)/d
 *
 * σ0 the width in focus (nm), c the axis's focal plane (nm), d the focal depth (nm), A and B
 * (dimensionless) the higher-order terms.
 */
export interface DefocusCurve {
  readonly sigma0Nm: number;
  readonly centerNm: number;
  readonly depthNm: number;
  readonly a: number;
  readonly b: number;
}

/** The {@link DefocusCurve} of parameters σ0, c, d, A, B. */
export function curveOf(p: ArrayLike<number>): DefocusCurve {
  return { sigma0Nm: p[0], centerNm: p[1], depthNm: p[2], a: p[3], b: p[4] };
}

/**
 * σ(z), nm; NaN where the polynomial under the root is not positive (outside any usable range).
 * @param curve - the axis's curve
 * @param zNm - depth, nm
 */
export function defocusSigma(curve: DefocusCurve, zNm: number): number {
  const u = (zNm - curve.centerNm) / curve.depthNm;
  const q = 1 + u * u + curve.a * u * u * u + curve.b * u * u * u * u;
  return q > 0 ? curve.sigma0Nm * Math.sqrt(q) : Number.NaN;
}

/**
 * dσ/dz (nm/nm) and σ at z, into `out` [σ, dσ/dz]; NaN where σ is.
 * @param curve - the axis's curve
 * @param zNm - depth, nm
 * @param out - receives σ (nm) and dσ/dz
 */
export function defocusSlope(curve: DefocusCurve, zNm: number, out: Float64Array): void {
  const u = (zNm - curve.centerNm) / curve.depthNm;
  const q = 1 + u * u + curve.a * u * u * u + curve.b * u * u * u * u;
  if (!(q > 0)) {
    out[0] = Number.NaN;
    out[1] = Number.NaN;
    return;
  }
  const root = Math.sqrt(q);
  const dq = 2 * u + 3 * curve.a * u * u + 4 * curve.b * u * u * u;
  out[0] = curve.sigma0Nm * root;
  out[1] = (curve.sigma0Nm * dq) / (2 * root * curve.depthNm);
}

/**
 * ∂σ/∂(σ0, c, d, A, B) at z, for fitting a curve to measured widths.
 * @returns the five partial derivatives (nm per unit of each parameter)
 */
export function defocusJacobian(p: ArrayLike<number>, zNm: number): number[] {
  const [s0, c, d, a, b] = [p[0], p[1], p[2], p[3], p[4]];
  const u = (zNm - c) / d;
  const q = Math.max(1 + u * u + a * u ** 3 + b * u ** 4, 1e-12);
  const root = Math.sqrt(q);
  const dq = 2 * u + 3 * a * u * u + 4 * b * u ** 3;
  const half = s0 / (2 * root);
  return [root, half * dq * (-1 / d), half * dq * (-u / d), half * u ** 3, half * u ** 4];
}
