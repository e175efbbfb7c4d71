import { erfcGivenExp } from './erf.js';
import { INV_SQRT_2PI } from './fitConstants.js';

/**
 * The separable factor of the pixel-integrated Gaussian along one axis of a box-wide patch
 * (design.md §3): for pixel i (covering [i, i+1) in patch pixels)
 *
 *     E_i = ½ [erf((i+1−c)/(√2σ)) − erf((i−c)/(√2σ))]
 *
 * and its derivatives with respect to the centre c and the width σ. All transcendental work
 * is done at the box+1 pixel boundaries: one erfc per boundary and two `exp` per axis (the
 * boundary Gaussians follow by recurrence), shared by every pixel of the patch (the cached
 * core). Differences of erfc tails, taken on the side of the centre each boundary lies on, keep
 * the relative accuracy of E_i far from the spot.
 *
 * Scratch is allocated once per axis; `evaluate` allocates nothing.
 */
export class GaussianAxis {
  /** Patch width in pixels. */
  readonly box: number;
  /** E_i: fraction of the PSF's mass on pixel i along this axis. */
  readonly value: Float64Array;
  /** ∂E_i/∂c (1/px). */
  readonly dCenter: Float64Array;
  /** ∂²E_i/∂c² (1/px²). */
  readonly d2Center: Float64Array;
  /** ∂E_i/∂σ (1/px); filled only when `evaluate(…, withSigma = true)`. */
  readonly dSigma: Float64Array;
  /** ∂²E_i/∂σ² (1/px²); filled only with σ. */
  readonly d2Sigma: Float64Array;
  /** ∂²E_i/∂c∂σ (1/px²); filled only with σ. */
  readonly dCenterSigma: Float64Array;
  /** Boundary scratch: exp(−u²/2σ²), u = m − c. */
  private readonly gauss: Float64Array;
  /** Boundary scratch: ½ erfc(|u|/(√2σ)), the Gaussian tail beyond boundary m. */
  private readonly tail: Float64Array;
  /** σ for which `ratioStep` = exp(−1/σ²) was computed. */
  private ratioSigma = Number.NaN;
  private ratioStep = 0;

  /** @param box - patch width in pixels (odd, 3–15 in practice) */
  constructor(box: number) {
    this.box = box;
    this.value = new Float64Array(box);
    this.dCenter = new Float64Array(box);
    this.d2Center = new Float64Array(box);
    this.dSigma = new Float64Array(box);
    this.d2Sigma = new Float64Array(box);
    this.dCenterSigma = new Float64Array(box);
    this.gauss = new Float64Array(box + 1);
    this.tail = new Float64Array(box + 1);
  }

  /**
   * Fill the per-pixel values and derivatives for a Gaussian centred at `center` (px, patch
   * coordinates, pixel i centred at i + ½) with width `sigma` (px).
   *
   * @param center - c in px
   * @param sigma - σ in px, > 0
   * @param withSigma - also fill the σ derivatives (for fits with free σ)
   */
  evaluate(center: number, sigma: number, withSigma: boolean): void {
    const box = this.box;
    const gauss = this.gauss;
    const tail = this.tail;
    const invSigma = 1 / sigma;
    const scale = invSigma * Math.SQRT1_2;
    const inv2s2 = 0.5 * invSigma * invSigma;
    if (sigma !== this.ratioSigma) {
      this.ratioSigma = sigma;
      this.ratioStep = Math.exp(-2 * inv2s2);
    }
    // g_m = exp(−u_m²/2σ²) by recurrence outwards from the boundary nearest the centre:
    // g_{m±1} = g_m · exp(−(1 ± 2u_m)/2σ²), and that ratio changes by exp(−1/σ²) per step.
    // Two exp calls per axis instead of box + 1 (the backward ratio is q over the forward one).
    const q = this.ratioStep;
    let m0 = Math.round(center);
    if (m0 < 0) m0 = 0;
    else if (m0 > box) m0 = box;
    const u0 = m0 - center;
    const g0 = Math.exp(-u0 * u0 * inv2s2);
    gauss[m0] = g0;
    let g = g0;
    const forward = Math.exp(-(2 * u0 + 1) * inv2s2);
    let ratio = forward;
    for (let m = m0 + 1; m <= box; m++) {
      g *= ratio;
      gauss[m] = g;
      ratio *= q;
    }
    g = g0;
    // exp((2u₀ − 1)/2σ²) = q / forward; for a centre far outside the patch forward under- or
    // overflows, and the quotient is then 0 or ∞ with g₀ = 0, which is right (nothing to add).
    ratio = forward > 0 && forward < Infinity ? q / forward : Math.exp((2 * u0 - 1) * inv2s2);
    for (let m = m0 - 1; m >= 0; m--) {
      g *= ratio;
      gauss[m] = g;
      ratio *= q;
    }
    for (let m = 0; m <= box; m++) {
      const t = (m - center) * scale;
      tail[m] = 0.5 * erfcGivenExp(t < 0 ? -t : t, gauss[m]);
    }
    const value = this.value;
    const dCenter = this.dCenter;
    const d2Center = this.d2Center;
    const k1 = INV_SQRT_2PI * invSigma;
    const k3 = k1 * invSigma * invSigma;
    for (let i = 0; i < box; i++) {
      const g0 = gauss[i];
      const g1 = gauss[i + 1];
      const u0 = i - center;
      const u1 = u0 + 1;
      // Mass between the boundaries, from the tails on each boundary's own side of c.
      if (u0 >= 0) value[i] = tail[i] - tail[i + 1];
      else if (u1 <= 0) value[i] = tail[i + 1] - tail[i];
      else value[i] = 1 - tail[i] - tail[i + 1];
      dCenter[i] = (g0 - g1) * k1;
      d2Center[i] = (g0 * u0 - g1 * u1) * k3;
    }
    if (!withSigma) return;
    const dSigma = this.dSigma;
    const d2Sigma = this.d2Sigma;
    const dCenterSigma = this.dCenterSigma;
    const inv2 = invSigma * invSigma;
    const k2 = INV_SQRT_2PI * inv2;
    for (let i = 0; i < box; i++) {
      const g0 = gauss[i];
      const g1 = gauss[i + 1];
      const u0 = i - center;
      const u1 = u0 + 1;
      const h0 = u0 * g0;
      const h1 = u1 * g1;
      const r0 = u0 * u0 * inv2;
      const r1 = u1 * u1 * inv2;
      dSigma[i] = -k2 * (h1 - h0);
      // d/dσ (u g / σ²) = u g (u²/σ² − 2) / σ³
      d2Sigma[i] = -k2 * invSigma * (h1 * (r1 - 2) - h0 * (r0 - 2));
      // d/dσ (g / σ) = g (u²/σ² − 1) / σ²
      dCenterSigma[i] = k2 * (g0 * (r0 - 1) - g1 * (r1 - 1));
    }
  }
}
