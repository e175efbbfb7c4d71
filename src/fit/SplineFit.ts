import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { choleskyFactor, choleskySolve } from './cholesky.js';
import { MIN_START_BACKGROUND, MIN_START_PHOTONS, SPLINE_COEFFICIENTS, SPLINE_EDGE_START_PX, SPLINE_SCAN_LOBES, SPLINE_SETTLED_DECREMENT, SPLINE_Z_SCAN_FITS, SPLINE_Z_SCAN_STARTS, STATUS_CONVERGED, STATUS_MAX_ITERATIONS, STATUS_Z_RANGE, Z_EDGE_NM } from './fitConstants.js';
import { SplineModel } from './models/SplineModel.js';
import { poissonLogLikelihood } from './poissonLogLikelihood.js';
import { scanLobes, scanPlane } from './spline/scanLobes.js';
import type { SplinePsf } from './spline/SplinePsf.js';
import { NO_STOPS, ZStartFit } from './ZStartFit.js';

/** Scan starts: each scanned plane at the lateral start, then at each of its lobes ({@link scanLobes}). */
const SCAN_STARTS = SPLINE_Z_SCAN_STARTS * (1 + SPLINE_SCAN_LOBES);

/**
 * The 3-D fit of one spot through a measured PSF (issue 26; Li et al., Nat. Methods 15:367,
 * 2018): the {@link ZStartFit} (Poisson / shifted-Poisson MLE by the shared damped Fisher
 * scoring, the CRLB from the spline's Fisher information) of the {@link SplineModel},
 * μ_k = N·S(pixel k − (x, y), z) + b, from z starts found by a scan of the spline's planes:
 * {@link SPLINE_Z_SCAN_STARTS} planes spread over its range, each with N and b by least squares on the
 * spline's samples nearest the pixels (no interpolation: a few operations a pixel), ranked by
 * the Poisson ℓ of that μ, each plane also placed with each of its lobes ({@link scanLobes},
 * SPLINE_SCAN_LOBES) on the lateral start (a ringed PSF detected on a lobe); the fit runs from the best, from the next ({@link SPLINE_Z_SCAN_FITS} at
 * most) when it does not converge (from all of them, keeping the best ℓ, where the start lies
 * within SPLINE_EDGE_START_PX of the window's edge: a spot the frame cuts); a fit stopped by the
 * iteration limit within SPLINE_SETTLED_DECREMENT of the maximum has converged. The scan finds the basin a defocused spot lies in where three
 * fixed starts let a far one converge to an in-focus spot of a third of the photons.
 * Runs wherever the astigmatic fit runs ({@link AstigmaticFitter}); its σx, σy are the spline
 * PSF's widths over the window at θ̂ ({@link SplineModel.widthsPx}), in nm. Allocates nothing
 * per fit; the kernel's splineFit does the same arithmetic in the same order.
 */
export class SplineFit extends ZStartFit<SplineModel> implements AstigmaticFitter {
  private readonly widths = new Float64Array(2);
  /** The scanned samples, then μ, of one start (box²). */
  private readonly scan: Float64Array;
  /** N and b of each scan start (least squares). */
  private readonly scanNb = new Float64Array(2 * SCAN_STARTS);
  /** The scanned planes' lobes ({@link scanLobes}). */
  private readonly lobes: Float64Array;
  /** The lateral start of the scan start last ranked or placed, px. */
  private readonly lateral = new Float64Array(2);
  /** ∇ℓ, I, its Cholesky factor and I⁻¹·∇ℓ of {@link settle}. */
  private readonly settleGradient = new Float64Array(5);
  private readonly settleFisher = new Float64Array(25);
  private readonly settleLower = new Float64Array(25);
  private readonly settleStep = new Float64Array(5);

  /** The PSF's width along x at θ̂, nm (see {@link SplineModel.widthsPx}). */
  get sigmaXNm(): number {
    this.model.widthsPx(this.theta, this.widths);
    return this.widths[0] * this.pixelSizeNm;
  }
  /** The PSF's width along y at θ̂, nm. */
  get sigmaYNm(): number {
    this.model.widthsPx(this.theta, this.widths);
    return this.widths[1] * this.pixelSizeNm;
  }

  /**
   * @param box - patch width, px
   * @param spline - the PSF, its samples 1 camera px apart
   * @param pixelSizeNm - the camera's pixel size, nm (for σx, σy in nm)
   * @param everyStart - fit from each of the SPLINE_Z_SCAN_FITS best-ranked scan starts (not only until one converges) and keep the best ℓ (2-D optics: z ambiguous about focus); a spot within SPLINE_EDGE_START_PX of the window's edge is fitted so regardless @default false
   */
  constructor(box: number, spline: SplinePsf, private readonly pixelSizeNm: number, everyStart = false) {
    const model = new SplineModel(box, spline);
    super(model, model.zRangeNm, everyStart, SCAN_STARTS, SPLINE_Z_SCAN_FITS, { ...NO_STOPS, settled: SPLINE_SETTLED_DECREMENT });
    this.scan = new Float64Array(box * box);
    this.lobes = scanLobes(spline);
  }

  /**
   * Scan start `s` (plane {@link scanPlane}(s mod SPLINE_Z_SCAN_STARTS); lobe j = ⌊s /
   * SPLINE_Z_SCAN_STARTS⌋, 0: none) at its lateral start ({@link lateralStart}): the plane's
   * samples at the samples nearest the pixels' offsets, N and b by least squares on them (b at
   * least MIN_START_BACKGROUND, N at least MIN_START_PHOTONS), the Poisson ℓ of that μ; −∞ for a
   * lobe the plane lacks or that puts the emitter outside the window.
   */
  protected override rankStart(data: Float64Array, at: number, shift: Float64Array | undefined, start: { x: number; y: number }, s: number): number {
    const { box, scan, scanNb, lateral } = this;
    if (!this.lateralStart(start, s)) return Number.NEGATIVE_INFINITY;
    const spline = this.model.spline;
    const { voxelsX, voxelsY, coefficients } = spline;
    const iz = scanPlane(s % SPLINE_Z_SCAN_STARTS, spline.voxelsZ);
    const iu = Math.floor(spline.centerXPx + 1 - lateral[0]);
    const iv = Math.floor(spline.centerYPx + 1 - lateral[1]);
    let ss = 0, s1 = 0, sd = 0, d1 = 0;
    for (let r = 0; r < box; r++) {
      for (let col = 0; col < box; col++) {
        const ix = iu + col, iy = iv + r;
        const v = ix < 0 || iy < 0 || ix >= voxelsX || iy >= voxelsY ? 0 : coefficients[((iz * voxelsY + iy) * voxelsX + ix) * SPLINE_COEFFICIENTS];
        const k = r * box + col;
        scan[k] = v;
        const d = data[at + k];
        s1 += v; ss += v * v; sd += v * d; d1 += d;
      }
    }
    const m = box * box;
    const det = m * ss - s1 * s1;
    let n = det > 0 ? (m * sd - s1 * d1) / det : 0;
    let b = (d1 - n * s1) / m;
    if (!(b >= MIN_START_BACKGROUND)) {
      b = MIN_START_BACKGROUND;
      n = ss > 0 ? (sd - b * s1) / ss : 0;
    }
    if (!(n >= MIN_START_PHOTONS)) n = MIN_START_PHOTONS;
    scanNb[2 * s] = n;
    scanNb[2 * s + 1] = b;
    for (let k = 0; k < m; k++) scan[k] = n * scan[k] + b;
    return poissonLogLikelihood(scan, data, at, m, shift);
  }

  /**
   * A fit that stopped at an edge of the spline's z range is STATUS_Z_RANGE (the next start is
   * tried; the best ℓ of such fits is reported if no start converges inside). A fit stopped by the
   * iteration limit has converged where the Newton decrement at θ̂,
   * ∇ℓᵀ·I⁻¹·∇ℓ, is below SPLINE_SETTLED_DECREMENT (θ̂ within a few hundredths of a standard
   * error of the maximum).
   */
  protected override settle(status: number): number {
    const [lo, hi] = this.model.zRangeNm;
    const z = this.theta[4];
    // Stopped at the range's edge (a step clamped there moves nothing, which reads as converged):
    // the next start is tried.
    if (status === STATUS_CONVERGED && (z <= lo + Z_EDGE_NM || z >= hi - Z_EDGE_NM)) return STATUS_Z_RANGE;
    if (status !== STATUS_MAX_ITERATIONS) return status;
    const { estimator, theta, settleGradient: g, settleFisher: fisher, settleLower: lower, settleStep: step } = this;
    if (!Number.isFinite(estimator.evaluate(theta))) return status;
    estimator.derivatives(theta, g, fisher);
    if (!choleskyFactor(fisher, 5, lower)) return status;
    choleskySolve(lower, 5, g, step);
    let decrement = 0;
    for (let a = 0; a < 5; a++) decrement += g[a] * step[a];
    return decrement < SPLINE_SETTLED_DECREMENT ? STATUS_CONVERGED : status;
  }

  /** Every start where asked, and where the lateral start lies within SPLINE_EDGE_START_PX of the window's edge. */
  protected override everyStartFor(start: { x: number; y: number }): boolean {
    const e = SPLINE_EDGE_START_PX, far = this.box - SPLINE_EDGE_START_PX;
    return super.everyStartFor(start) || start.x < e || start.y < e || start.x > far || start.y > far;
  }

  /**
   * The lateral start of scan start `s` into {@link lateral}: the start itself (lobe 0), or the
   * emitter whose lobe j of the plane lies on the start, (x − dx, y − dy).
   * @returns false where the plane lacks that lobe or it puts the emitter outside the window (½ px in)
   */
  private lateralStart(start: { x: number; y: number }, s: number): boolean {
    const j = Math.floor(s / SPLINE_Z_SCAN_STARTS);
    const { lateral } = this;
    if (j === 0) {
      lateral[0] = start.x;
      lateral[1] = start.y;
      return true;
    }
    const at = 2 * (SPLINE_SCAN_LOBES * (s % SPLINE_Z_SCAN_STARTS) + j - 1);
    lateral[0] = start.x - this.lobes[at];
    lateral[1] = start.y - this.lobes[at + 1];
    const far = this.box - 0.5;
    return lateral[0] >= 0.5 && lateral[0] <= far && lateral[1] >= 0.5 && lateral[1] <= far;
  }

  /** θ = the lateral start of scan start `s` ({@link lateralStart}), its N and b, z at its plane. */
  protected override placeStart(start: { x: number; y: number }, s: number): void {
    const theta = this.theta;
    const spline = this.model.spline;
    this.lateralStart(start, s);
    theta[0] = this.lateral[0];
    theta[1] = this.lateral[1];
    theta[2] = Math.max(this.scanNb[2 * s], MIN_START_PHOTONS);
    theta[3] = Math.max(this.scanNb[2 * s + 1], MIN_START_BACKGROUND);
    theta[4] = spline.zStartNm + scanPlane(s % SPLINE_Z_SCAN_STARTS, spline.voxelsZ) * spline.dzNm;
  }
}
