import { SPLINE_COEFFICIENTS } from './SplinePsf.js';
import type { SplinePsf } from './SplinePsf.js';

/**
 * The value of a {@link SplinePsf} and its derivatives along the sample axes u, v, w (per
 * sample step) at given fractional offsets (dx, dy, dz) of a voxel, from one pass of 64
 * coefficients:
 *
 *     PSF = Σ a_ijk·dx^i·dy^j·dz^k,  ∂PSF/∂u = Σ a_ijk·i·dx^(i−1)·dy^j·dz^k,  likewise v, w.
 *
 * The offsets' powers and their products (the four weight vectors of 64) are computed once by
 * {@link prepare}: every pixel of a fit window shares them (the pixel grid is the sample grid
 * shifted by whole pixels), so each pixel then costs one dot product of its voxel's
 * coefficients with them. Allocates nothing after construction.
 */
export class SplineEvaluator {
  /** The weights of value, ∂/∂u, ∂/∂v, ∂/∂w, interleaved: `weights[m·4 + d]` for coefficient m. */
  private readonly weights = new Float64Array(SPLINE_COEFFICIENTS * 4);
  private readonly px = new Float64Array(4);
  private readonly py = new Float64Array(4);
  private readonly pz = new Float64Array(4);
  private readonly dpx = new Float64Array(4);
  private readonly dpy = new Float64Array(4);
  private readonly dpz = new Float64Array(4);
  /** Per group g = j + 4k of four coefficients (i = 0…3): dy^j·dz^k, ∂/∂v of it, ∂/∂w of it. */
  private readonly yz = new Float64Array(16);
  private readonly dyz = new Float64Array(16);
  private readonly ydz = new Float64Array(16);

  /** @param spline - the spline read */
  constructor(readonly spline: SplinePsf) {}

  /**
   * The weight vectors of the offsets (dx, dy, dz), each in [0, 1] within its voxel.
   * @param dx - fractional offset along u (x)
   * @param dy - fractional offset along v (y)
   * @param dz - fractional offset along w (z)
   */
  prepare(dx: number, dy: number, dz: number): void {
    const { px, py, pz, dpx, dpy, dpz, weights } = this;
    powers(dx, px, dpx);
    powers(dy, py, dpy);
    powers(dz, pz, dpz);
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 4; j++) {
        const yz = py[j] * pz[k];
        const dyz = dpy[j] * pz[k];
        const ydz = py[j] * dpz[k];
        this.yz[j + 4 * k] = yz;
        this.dyz[j + 4 * k] = dyz;
        this.ydz[j + 4 * k] = ydz;
        for (let i = 0; i < 4; i++) {
          const w = (i + 4 * j + 16 * k) * 4;
          weights[w] = px[i] * yz;
          weights[w + 1] = dpx[i] * yz;
          weights[w + 2] = px[i] * dyz;
          weights[w + 3] = px[i] * ydz;
        }
      }
    }
  }

  /**
   * PSF, ∂PSF/∂u, ∂PSF/∂v, ∂PSF/∂w (per sample step) of voxel (ix, iy, iz) at the offsets last
   * {@link prepare}d, into `out[at … at + 3]`; zeros where the voxel lies outside the grid (the
   * PSF is taken as 0 beyond its samples).
   */
  voxel(ix: number, iy: number, iz: number, out: Float64Array, at: number): void {
    const s = this.spline;
    if (ix < 0 || iy < 0 || iz < 0 || ix >= s.voxelsX || iy >= s.voxelsY || iz >= s.voxelsZ) {
      out[at] = 0;
      out[at + 1] = 0;
      out[at + 2] = 0;
      out[at + 3] = 0;
      return;
    }
    const a = s.coefficients;
    const w = this.weights;
    const base = ((iz * s.voxelsY + iy) * s.voxelsX + ix) * SPLINE_COEFFICIENTS;
    let v = 0, du = 0, dv = 0, dw = 0;
    for (let m = 0, q = 0; m < SPLINE_COEFFICIENTS; m++, q += 4) {
      const c = a[base + m];
      v += c * w[q];
      du += c * w[q + 1];
      dv += c * w[q + 2];
      dw += c * w[q + 3];
    }
    out[at] = v;
    out[at + 1] = du;
    out[at + 2] = dv;
    out[at + 3] = dw;
  }

  /**
   * PSF alone of voxel (ix, iy, iz) at the offsets last {@link prepare}d (0 outside the grid),
   * factored: per group g = j + 4k of four coefficients X_g = Σ_i a_ijk·dx^i (terms i = 0, 2 and
   * i = 1, 3 summed apart, then added), PSF = Σ_g X_g·dy^j·dz^k (even and odd g summed apart, added
   * at the end): the kernel's two SIMD lanes, so both sides round alike, and the same rounding as
   * {@link gradient}'s pass, which the kernel computes with the value.
   */
  value(ix: number, iy: number, iz: number): number {
    const s = this.spline;
    if (ix < 0 || iy < 0 || iz < 0 || ix >= s.voxelsX || iy >= s.voxelsY || iz >= s.voxelsZ) return 0;
    const a = s.coefficients;
    const { px, yz } = this;
    const p0 = px[0], p1 = px[1], p2 = px[2], p3 = px[3];
    let even = 0, odd = 0;
    for (let g = 0, m = ((iz * s.voxelsY + iy) * s.voxelsX + ix) * SPLINE_COEFFICIENTS; g < 16; g += 2, m += 8) {
      const x0 = (a[m] * p0 + a[m + 2] * p2) + (a[m + 1] * p1 + a[m + 3] * p3);
      const x1 = (a[m + 4] * p0 + a[m + 6] * p2) + (a[m + 5] * p1 + a[m + 7] * p3);
      even += x0 * yz[g];
      odd += x1 * yz[g + 1];
    }
    return even + odd;
  }

  /**
   * ∂PSF/∂u, ∂PSF/∂v, ∂PSF/∂w of voxel (ix, iy, iz) at the offsets last {@link prepare}d, into
   * `out[at … at + 2]` (zeros outside), factored as {@link value}: X_g and its x-derivative
   * D_g = Σ_i a_ijk·i·dx^(i−1) per group, then ∂/∂u = Σ_g D_g·dy^j·dz^k, ∂/∂v = Σ_g X_g·∂(dy^j)·dz^k,
   * ∂/∂w = Σ_g X_g·dy^j·∂(dz^k); even and odd g summed apart.
   */
  gradient(ix: number, iy: number, iz: number, out: Float64Array, at: number): void {
    const s = this.spline;
    if (ix < 0 || iy < 0 || iz < 0 || ix >= s.voxelsX || iy >= s.voxelsY || iz >= s.voxelsZ) {
      out[at] = 0;
      out[at + 1] = 0;
      out[at + 2] = 0;
      return;
    }
    const a = s.coefficients;
    const { px, dpx, yz, dyz, ydz } = this;
    const p0 = px[0], p1 = px[1], p2 = px[2], p3 = px[3];
    const d0 = dpx[0], d1 = dpx[1], d2 = dpx[2], d3 = dpx[3];
    let du0 = 0, dv0 = 0, dw0 = 0, du1 = 0, dv1 = 0, dw1 = 0;
    for (let g = 0, m = ((iz * s.voxelsY + iy) * s.voxelsX + ix) * SPLINE_COEFFICIENTS; g < 16; g += 2, m += 8) {
      const c0 = a[m], c1 = a[m + 1], c2 = a[m + 2], c3 = a[m + 3], c4 = a[m + 4], c5 = a[m + 5], c6 = a[m + 6], c7 = a[m + 7];
      const x0 = (c0 * p0 + c2 * p2) + (c1 * p1 + c3 * p3);
      const x1 = (c4 * p0 + c6 * p2) + (c5 * p1 + c7 * p3);
      const e0 = (c0 * d0 + c2 * d2) + (c1 * d1 + c3 * d3);
      const e1 = (c4 * d0 + c6 * d2) + (c5 * d1 + c7 * d3);
      du0 += e0 * yz[g];
      du1 += e1 * yz[g + 1];
      dv0 += x0 * dyz[g];
      dv1 += x1 * dyz[g + 1];
      dw0 += x0 * ydz[g];
      dw1 += x1 * ydz[g + 1];
    }
    out[at] = du0 + du1;
    out[at + 1] = dv0 + dv1;
    out[at + 2] = dw0 + dw1;
  }

  /**
   * PSF and its u, v, w derivatives at a point in sample coordinates (u ∈ [0, voxelsX], likewise
   * v, w; zeros outside), into `out[0 … 3]`. Locates the voxel and prepares its offsets: for one
   * point; a window's pixels share one {@link prepare}.
   */
  at(u: number, v: number, w: number, out: Float64Array): void {
    const s = this.spline;
    const ix = cell(u, s.voxelsX), iy = cell(v, s.voxelsY), iz = cell(w, s.voxelsZ);
    if (ix < 0 || iy < 0 || iz < 0) {
      out.fill(0, 0, 4);
      return;
    }
    this.prepare(u - ix, v - iy, w - iz);
    this.voxel(ix, iy, iz, out, 0);
  }
}

/** The voxel of coordinate t on a grid of `voxels` (the last holds t = voxels); −1 outside. */
function cell(t: number, voxels: number): number {
  if (!(t >= 0 && t <= voxels)) return -1;
  return Math.min(Math.floor(t), voxels - 1);
}

/** t^0…t^3 into p, their derivatives 0, 1, 2t, 3t² into d. */
function powers(t: number, p: Float64Array, d: Float64Array): void {
  p[0] = 1;
  p[1] = t;
  p[2] = t * t;
  p[3] = t * t * t;
  d[0] = 0;
  d[1] = 1;
  d[2] = 2 * t;
  d[3] = 3 * t * t;
}
