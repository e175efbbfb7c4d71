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
   * PSF alone of voxel (ix, iy, iz) at the offsets last {@link prepare}d (0 outside the grid, but
   * the last samples themselves at u = voxelsX or v = voxelsY with offset 0): one
   * 64-term pass, the even and the odd terms summed apart and added at the end (the kernel's two
   * SIMD lanes, so both sides round alike).
   */
  value(ix: number, iy: number, iz: number): number {
    const s = this.spline;
    if (ix < 0 || iy < 0 || iz < 0 || ix >= s.voxelsX || iy >= s.voxelsY || iz >= s.voxelsZ) return this.edge(ix, iy, iz, 0);
    const a = s.coefficients;
    const w = this.weights;
    const base = ((iz * s.voxelsY + iy) * s.voxelsX + ix) * SPLINE_COEFFICIENTS;
    let even = 0, odd = 0;
    for (let m = 0, q = 0; m < SPLINE_COEFFICIENTS; m += 2, q += 8) {
      even += a[base + m] * w[q];
      odd += a[base + m + 1] * w[q + 4];
    }
    return even + odd;
  }

  /**
   * ∂PSF/∂u, ∂PSF/∂v, ∂PSF/∂w of voxel (ix, iy, iz) at the offsets last {@link prepare}d, into
   * `out[at … at + 2]` (zeros outside); even and odd terms summed apart, as {@link value}.
   */
  gradient(ix: number, iy: number, iz: number, out: Float64Array, at: number): void {
    const s = this.spline;
    if (ix < 0 || iy < 0 || iz < 0 || ix >= s.voxelsX || iy >= s.voxelsY || iz >= s.voxelsZ) {
      out[at] = this.edge(ix, iy, iz, 1);
      out[at + 1] = this.edge(ix, iy, iz, 2);
      out[at + 2] = this.edge(ix, iy, iz, 3);
      return;
    }
    const a = s.coefficients;
    const w = this.weights;
    const base = ((iz * s.voxelsY + iy) * s.voxelsX + ix) * SPLINE_COEFFICIENTS;
    let du0 = 0, dv0 = 0, dw0 = 0, du1 = 0, dv1 = 0, dw1 = 0;
    for (let m = 0, q = 0; m < SPLINE_COEFFICIENTS; m += 2, q += 8) {
      const c0 = a[base + m];
      const c1 = a[base + m + 1];
      du0 += c0 * w[q + 1];
      du1 += c1 * w[q + 5];
      dv0 += c0 * w[q + 2];
      dv1 += c1 * w[q + 6];
      dw0 += c0 * w[q + 3];
      dw1 += c1 * w[q + 7];
    }
    out[at] = du0 + du1;
    out[at + 1] = dv0 + dv1;
    out[at + 2] = dw0 + dw1;
  }

  /**
   * The last samples (u = voxelsX or v = voxelsY exactly, offset 0 prepared): voxel ix − 1 (iy − 1)
   * at offset 1, so a window as wide as the spline reads its edge samples rather than 0 (every
   * other voxel outside the grid is 0). `what`: 0 the PSF, 1–3 its u, v, w derivative. Only at
   * whole-sample positions; a few pixels of a window at most.
   */
  private edge(ix: number, iy: number, iz: number, what: number): number {
    const s = this.spline;
    const ex = ix === s.voxelsX && this.px[1] === 0;
    const ey = iy === s.voxelsY && this.py[1] === 0;
    if (!(ex || ey) || ix < 0 || iy < 0 || iz < 0 || iz >= s.voxelsZ || (ix >= s.voxelsX && !ex) || (iy >= s.voxelsY && !ey)) return 0;
    const px = ex ? ONES : this.px, dpx = ex ? POWER_SLOPES_AT_1 : this.dpx;
    const py = ey ? ONES : this.py, dpy = ey ? POWER_SLOPES_AT_1 : this.dpy;
    const { pz, dpz } = this;
    const a = s.coefficients;
    const base = ((iz * s.voxelsY + (ey ? iy - 1 : iy)) * s.voxelsX + (ex ? ix - 1 : ix)) * SPLINE_COEFFICIENTS;
    let sum = 0;
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 4; j++) {
        for (let i = 0; i < 4; i++) {
          const w = what === 0 ? px[i] * py[j] * pz[k] : what === 1 ? dpx[i] * py[j] * pz[k] : what === 2 ? px[i] * dpy[j] * pz[k] : px[i] * py[j] * dpz[k];
          sum += a[base + i + 4 * j + 16 * k] * w;
        }
      }
    }
    return sum;
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

/** t^0…t^3 at t = 1, and their derivatives there. */
const ONES = new Float64Array([1, 1, 1, 1]);
const POWER_SLOPES_AT_1 = new Float64Array([0, 1, 2, 3]);

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
