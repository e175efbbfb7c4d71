// ../models/AstigmaticModel.ts in the fit kernel: the astigmatic 3-D Gaussian's shared state (the
// defocus curves, their range, the pixel size: zCurves), σx(z), σy(z) and their slopes
// (zSigmas, DefocusCurve.defocusSlope), and AstigmaticEmitter, one emitter of it as a copy of a
// multi-emitter model (MultiEmitterModel.ts). The single 3-D fit (AstigmaticFit.ts) reads the
// same curves through zSigmas.
import { MAX_EMITTERS, MAX_WINDOW, MAX_Z_STEP_NM, MULTI_Z_PER_EMITTER } from '../fitConstants';
import { axisAt } from './GaussianAxis';
import { outsideWindow, proposePhotons } from './proposeLateral';
import { depthDerivative } from './depthDerivative';
import { astigmaticPass1, astigmaticPass2, astigmaticPass3, astigmaticPass4, astigmaticPass5 } from './astigmaticPasses';

/** Pixel size, nm, and the calibrated range of z, nm. */
export let ZPIXEL: f64 = 100;
export let ZLO: f64 = -600;
export let ZHI: f64 = 600;
// The two curves: σ0, c, d, A, B of x, then of y (nm).
const ZCURVE = new StaticArray<f64>(10);

/** Set the curves: pixel size (nm), the calibrated range (nm), the x and y curves (σ0, c, d, A, B each, nm). */
export function zCurves(pixelNm: f64, zLo: f64, zHi: f64, sx0: f64, cx: f64, dx: f64, ax: f64, bx: f64, sy0: f64, cy: f64, dy: f64, ay: f64, by: f64): void {
  ZPIXEL = pixelNm; ZLO = zLo; ZHI = zHi;
  unchecked(ZCURVE[0] = sx0); unchecked(ZCURVE[1] = cx); unchecked(ZCURVE[2] = dx); unchecked(ZCURVE[3] = ax); unchecked(ZCURVE[4] = bx);
  unchecked(ZCURVE[5] = sy0); unchecked(ZCURVE[6] = cy); unchecked(ZCURVE[7] = dy); unchecked(ZCURVE[8] = ay); unchecked(ZCURVE[9] = by);
}

// defocusSlope of curve `at` (0: x, 5: y): σ (nm) into ZSIGMA, dσ/dz into ZSLOPE; NaN where undefined.
let ZSIGMA: f64 = 0;
let ZSLOPE: f64 = 0;
function zSlope(at: i32, z: f64): void {
  const s0 = unchecked(ZCURVE[at]), c = unchecked(ZCURVE[at + 1]), d = unchecked(ZCURVE[at + 2]), a = unchecked(ZCURVE[at + 3]), b = unchecked(ZCURVE[at + 4]);
  const u = (z - c) / d;
  const q = 1 + u * u + a * u * u * u + b * u * u * u * u;
  if (!(q > 0)) { ZSIGMA = NaN; ZSLOPE = NaN; return; }
  const root = Math.sqrt(q);
  const dq = 2 * u + 3 * a * u * u + 4 * b * u * u * u;
  ZSIGMA = s0 * root;
  ZSLOPE = (s0 * dq) / (2 * root * d);
}

/** After zSigmas: σx, σy at z (px) and their slopes dσ/dz (px per nm). */
export let SIGMA_X: f64 = NaN;
export let SIGMA_Y: f64 = NaN;
export let SLOPE_X: f64 = 0;
export let SLOPE_Y: f64 = 0;

/** AstigmaticModel.evaluate's widths: σx, σy (px) and their slopes at z into SIGMA_* / SLOPE_*; false where either σ is undefined or not positive. */
export function zSigmas(z: f64): bool {
  const pixel = ZPIXEL;
  zSlope(0, z);
  SIGMA_X = ZSIGMA / pixel;
  SLOPE_X = ZSLOPE / pixel;
  zSlope(5, z);
  SIGMA_Y = ZSIGMA / pixel;
  SLOPE_Y = ZSLOPE / pixel;
  return SIGMA_X > 0 && SIGMA_Y > 0;
}

/**
 * AstigmaticModel.derivatives of one pixel: ∂μ/∂(x, y, N) into d[at…at+2] and ∂μ/∂z into
 * d[zAt], from the pixel's axis terms (Ex, ∂Ex/∂x, ∂Ex/∂σx of its column; the same of y of its
 * row) and the slopes σx′, σy′ (px per nm): ∂μ/∂z = N·(∂Ex/∂σx·σx′·Ey + Ex·∂Ey/∂σy·σy′).
 */
// @ts-ignore
@inline export function pixelDerivatives(n: f64, ex: f64, dex: f64, sex: f64, ey: f64, dey: f64, sey: f64, slopeX: f64, slopeY: f64, d: StaticArray<f64>, at: i32, zAt: i32): void {
  unchecked(d[at] = n * dex * ey);
  unchecked(d[at + 1] = n * ex * dey);
  unchecked(d[at + 2] = ex * ey);
  unchecked(d[zAt] = depthDerivative(n, ex, sex, ey, sey, slopeX, slopeY));
}

/** z + δ with δ limited to ±MAX_Z_STEP_NM, kept inside the calibrated range (AstigmaticModel.propose). */
// @ts-ignore
@inline export function proposeDepth(z: f64, step: f64): f64 {
  return Math.min(ZHI, Math.max(ZLO, z + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, step))));
}

/**
 * One emitter of the 3-D multi-emitter model (the per-emitter side of MultiEmitterModel.ts, as
 * the JavaScript AstigmaticModel is one copy of models/MultiEmitterModel.ts): θ_e = (x, y, N, z)
 * at θ[at…] (px, px, photons, nm; the background is the sum's), μ += N·Ex(x; σx(z))·Ey(y; σy(z)).
 * Emitter e's axis terms and slopes live at e·MAX_WINDOW (e) of its arrays, kept from addSignal
 * for derivatives. A per-emitter model has these five members:
 *   parameters: i32                                        its parameters, the background left out
 *   addSignal(e, θ, at, mu, window): bool                  emitter e's terms at θ[at…], its signal added to μ; false where impossible
 *   derivatives(e, θ, at, row, column, d, dAt): void       ∂μ/∂θ_e of one pixel into d[dAt…] (terms of the θ last added)
 *   propose(θ, step, trial, at): f64                       trial = θ + δ for θ_e within its limits; its largest position change (px)
 *   leftWindow(θ, at, window): bool                        whether emitter's position has left the window
 */
export class AstigmaticEmitter {
  readonly parameters: i32 = MULTI_Z_PER_EMITTER;
  private readonly xv: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
  private readonly xd: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
  private readonly xs: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
  private readonly yv: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
  private readonly yd: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
  private readonly ys: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
  private readonly scratch: StaticArray<f64> = new StaticArray<f64>(MAX_WINDOW);
  private readonly slopeX: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS);
  private readonly slopeY: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS);
  /** σx, σy of each emitter at the θ last added, nm. */
  readonly sigmaXNm: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS);
  readonly sigmaYNm: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS);

  /** AstigmaticModel.evaluate with `accumulate`: μ += N·Ex·Ey over the window; false where σx or σy is undefined at z. */
  addSignal(e: i32, theta: StaticArray<f64>, at: i32, mu: StaticArray<f64>, window: i32): bool {
    if (!zSigmas(unchecked(theta[at + 3]))) return false;
    const sx = SIGMA_X, sy = SIGMA_Y;
    unchecked(this.slopeX[e] = SLOPE_X);
    unchecked(this.slopeY[e] = SLOPE_Y);
    unchecked(this.sigmaXNm[e] = sx * ZPIXEL);
    unchecked(this.sigmaYNm[e] = sy * ZPIXEL);
    const o = <usize>(e * MAX_WINDOW) << 3;
    const xv = changetype<usize>(this.xv) + o, yv = changetype<usize>(this.yv) + o;
    const s = changetype<usize>(this.scratch);
    axisAt(unchecked(theta[at]), window, sx, true, xv, changetype<usize>(this.xd) + o, s, changetype<usize>(this.xs) + o, s, s);
    axisAt(unchecked(theta[at + 1]), window, sy, true, yv, changetype<usize>(this.yd) + o, s, changetype<usize>(this.ys) + o, s, s);
    const n = unchecked(theta[at + 2]);
    for (let r = 0; r < window; r++) {
      const ey = load<f64>(yv + (<usize>r << 3));
      for (let col = 0; col < window; col++) {
        const i = r * window + col;
        unchecked(mu[i] += n * load<f64>(xv + (<usize>col << 3)) * ey);
      }
    }
    return true;
  }

  /** AstigmaticModel.derivatives without the background: ∂μ/∂(x, y, N, z) of pixel (row, column). */
  derivatives(e: i32, theta: StaticArray<f64>, at: i32, row: i32, column: i32, d: StaticArray<f64>, dAt: i32): void {
    const c = e * MAX_WINDOW + column, r = e * MAX_WINDOW + row;
    pixelDerivatives(unchecked(theta[at + 2]), unchecked(this.xv[c]), unchecked(this.xd[c]), unchecked(this.xs[c]), unchecked(this.yv[r]), unchecked(this.yd[r]), unchecked(this.ys[r]), unchecked(this.slopeX[e]), unchecked(this.slopeY[e]), d, dAt, dAt + 3);
  }

  /**
   * MultiEmitterModel.derivatives for K ≤ 5 emitters by the unrolled pass of
   * astigmaticPasses.ts (the same values as the generic pass, without its stored Jacobian);
   * false (the generic pass) for more.
   */
  windowDerivatives(k: i32, theta: StaticArray<f64>, data: usize, window: i32, mu: StaticArray<f64>, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): bool {
    if (k == 1) astigmaticPass1(theta, this.xv, this.xd, this.xs, this.yv, this.yd, this.ys, this.slopeX, this.slopeY, data, window, mu, shifted, delta, gradient, fisher);
    else if (k == 2) astigmaticPass2(theta, this.xv, this.xd, this.xs, this.yv, this.yd, this.ys, this.slopeX, this.slopeY, data, window, mu, shifted, delta, gradient, fisher);
    else if (k == 3) astigmaticPass3(theta, this.xv, this.xd, this.xs, this.yv, this.yd, this.ys, this.slopeX, this.slopeY, data, window, mu, shifted, delta, gradient, fisher);
    else if (k == 4) astigmaticPass4(theta, this.xv, this.xd, this.xs, this.yv, this.yd, this.ys, this.slopeX, this.slopeY, data, window, mu, shifted, delta, gradient, fisher);
    else if (k == 5) astigmaticPass5(theta, this.xv, this.xd, this.xs, this.yv, this.yd, this.ys, this.slopeX, this.slopeY, data, window, mu, shifted, delta, gradient, fisher);
    else return false;
    return true;
  }

  /** AstigmaticModel.propose for θ_e: x, y free, N shrinking by at most MAX_SHRINK, z by ≤ MAX_Z_STEP_NM in range; max(|Δx|, |Δy|, |Δz| in pixels). */
  propose(theta: StaticArray<f64>, step: StaticArray<f64>, trial: StaticArray<f64>, at: i32): f64 {
    const x = unchecked(theta[at]), y = unchecked(theta[at + 1]), z = unchecked(theta[at + 3]);
    const tx = x + unchecked(step[at]);
    const ty = y + unchecked(step[at + 1]);
    const tz = proposeDepth(z, unchecked(step[at + 3]));
    unchecked(trial[at] = tx);
    unchecked(trial[at + 1] = ty);
    unchecked(trial[at + 2] = proposePhotons(unchecked(theta[at + 2]), unchecked(step[at + 2])));
    unchecked(trial[at + 3] = tz);
    return Math.max(Math.max(Math.abs(tx - x), Math.abs(ty - y)), Math.abs(tz - z) / ZPIXEL);
  }

  /** outsideWindow of θ_e's position. */
  leftWindow(theta: StaticArray<f64>, at: i32, window: i32): bool {
    return outsideWindow(unchecked(theta[at]), unchecked(theta[at + 1]), window);
  }
}
