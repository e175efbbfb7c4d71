// ../AstigmaticFit.ts in the fit kernel: one astigmatic spot, θ = (x, y, N, b, z), its
// σx and σy from the two defocus curves (AstigmaticModel.ts's zSigmas): evaluate, derivatives, the
// z starts ranked by ℓ, the fit from the best (FisherScoring.ts's loop on AstigmaticModel), the
// CRLB and the residual, the same arithmetic in the same order as the JavaScript.
import {
  MAX_WINDOW, MIN_START_BACKGROUND,
  MIN_START_PHOTONS, STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_SINGULAR, STATUS_Z_RANGE, Z_EDGE_NM, Z_OUT_CRLB,
  Z_OUT_ITERATIONS, Z_OUT_LOG_LIKELIHOOD, Z_OUT_RESIDUAL_STD, Z_OUT_SIGMA_X_NM, Z_OUT_SIGMA_Y_NM, Z_OUT_THETA,
  Z_MIN_GAIN, Z_MIN_GAIN_RATIO, Z_OUTPUT_COLUMNS, Z_PARAMETERS, Z_START_HIGH, Z_START_LOW, Z_START_MID,
} from '../fitConstants';
import { choleskyInverseDiagonal } from './cholesky';
import { fisherFive } from './fisherFive';
import { SIGMA_X, SIGMA_Y, SLOPE_X, SLOPE_Y, ZHI, ZLO, ZPIXEL, proposeDepth, zCurves, zSigmas } from './AstigmaticModel';
import { depthDerivative } from './depthDerivative';
import { outsideWindow, proposeBackground, proposePhotons } from './proposeLateral';
import { SCORING_FISHER, SCORING_GRADIENT, SCORING_ITERATIONS, SCORING_LL, fisherScoring } from './FisherScoring';
import { axisAt } from './GaussianAxis';
import { logLikelihoodSum } from './poissonLogLikelihood';
import { residualSpread } from './residualSpread';

const Z_START_FRACTIONS = StaticArray.fromArray<f64>([Z_START_LOW, Z_START_MID, Z_START_HIGH]);
let ZBOX: i32 = 11;
const ZXV = new StaticArray<f64>(MAX_WINDOW);
const ZXD = new StaticArray<f64>(MAX_WINDOW);
const ZXS = new StaticArray<f64>(MAX_WINDOW);
const ZYV = new StaticArray<f64>(MAX_WINDOW);
const ZYD = new StaticArray<f64>(MAX_WINDOW);
const ZYS = new StaticArray<f64>(MAX_WINDOW);
const ZSCRATCH = new StaticArray<f64>(MAX_WINDOW);
const ZMU = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);
const ZTH = new StaticArray<f64>(Z_PARAMETERS);
const ZTRIAL = new StaticArray<f64>(Z_PARAMETERS);
const ZBEST = new StaticArray<f64>(Z_PARAMETERS);
// The CRLB: its variances, then √, and the scratch of the inversion.
const ZLOW = new StaticArray<f64>(Z_PARAMETERS * Z_PARAMETERS);
const ZCR = new StaticArray<f64>(Z_PARAMETERS);
const ZZ = new StaticArray<f64>(Z_PARAMETERS);
const ZORDER = new StaticArray<f64>(3);
const ZRANK = new StaticArray<i32>(3);
/** After zFit: θ̂, √CRLB, ℓ, iterations, σx (nm), σy (nm), residual std (Z_OUT_*). */
const ZOUT = new StaticArray<f64>(Z_OUTPUT_COLUMNS);
let ZSLOPE_X: f64 = 0;
let ZSLOPE_Y: f64 = 0;
let ZSX_NM: f64 = NaN;
let ZSY_NM: f64 = NaN;
let ZLL: f64 = NaN;
let ZITER: i32 = 0;
let ZSHIFTED: bool = false;
let ZSHIFT_DELTA: usize = 0;

/** Set the 3-D fit: patch width (px), pixel size (nm), the calibrated range (nm), the x and y curves (σ0, c, d, A, B each, nm). */
export function zConfigure(box: i32, pixelNm: f64, zLo: f64, zHi: f64, sx0: f64, cx: f64, dx: f64, ax: f64, bx: f64, sy0: f64, cy: f64, dy: f64, ay: f64, by: f64): void {
  ZBOX = box;
  zCurves(pixelNm, zLo, zHi, sx0, cx, dx, ax, bx, sy0, cy, dy, ay, by);
}

/** The address of ZOUT. */
export function zOut(): usize { return changetype<usize>(ZOUT); }

/** AstigmaticFit.evaluate: μ of every pixel for θ into ZMU, σx and σy (nm) and their slopes; ℓ, or −∞ where impossible. */
function zEvaluate(theta: StaticArray<f64>, data: usize): f64 {
  const box = ZBOX;
  const pixel = ZPIXEL;
  if (!zSigmas(unchecked(theta[4]))) return -Infinity;
  const sx = SIGMA_X, sy = SIGMA_Y;
  ZSLOPE_X = SLOPE_X;
  ZSLOPE_Y = SLOPE_Y;
  ZSX_NM = sx * pixel;
  ZSY_NM = sy * pixel;
  const scratch = changetype<usize>(ZSCRATCH);
  axisAt(unchecked(theta[0]), box, sx, true, changetype<usize>(ZXV), changetype<usize>(ZXD), scratch, changetype<usize>(ZXS), scratch, scratch);
  axisAt(unchecked(theta[1]), box, sy, true, changetype<usize>(ZYV), changetype<usize>(ZYD), scratch, changetype<usize>(ZYS), scratch, scratch);
  const n = unchecked(theta[2]);
  const b = unchecked(theta[3]);
  for (let r = 0; r < box; r++) {
    for (let col = 0; col < box; col++) {
      const i = r * box + col;
      const m = n * unchecked(ZXV[col]) * unchecked(ZYV[r]) + b;
      unchecked(ZMU[i] = m);
      const s: f64 = ZSHIFTED ? load<f64>(data + (<usize>i << 3) + ZSHIFT_DELTA) : 0;
      if (!(m + s > 0)) return -Infinity;
    }
  }
  return logLikelihoodSum(changetype<usize>(ZMU), data, box * box, ZSHIFTED, ZSHIFT_DELTA);
}

/** AstigmaticFit.derivatives: ∇ℓ into `gradient` and the Fisher information (5 × 5) into `fisher` at the θ last evaluated. */
function zDerivatives(theta: StaticArray<f64>, data: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  ASTIG_TERMS.n = unchecked(theta[2]);
  fisherFive<AstigTerms>(ASTIG_TERMS, ZBOX, data, changetype<usize>(ZMU), ZSHIFTED, ZSHIFT_DELTA, gradient, fisher);
}

/** One pixel's ∂μ/∂(x, y, N, b, z) from the axis terms, in fisherFive's pairs (AstigmaticModel.ts's pixelDerivatives, ∂μ/∂z by its depthDerivative; N of the θ last evaluated in `n`). */
class AstigTerms {
  n: f64 = 0;

  /** (N·∂Ex/∂x·Ey, N·Ex·∂Ey/∂y). */
  // @ts-ignore
  @inline d01(r: i32, col: i32): v128 {
    const n = this.n;
    return f64x2.replace_lane(f64x2.splat(n * unchecked(ZXD[col]) * unchecked(ZYV[r])), 1, n * unchecked(ZXV[col]) * unchecked(ZYD[r]));
  }

  /** (Ex·Ey, 1). */
  // @ts-ignore
  @inline d23(r: i32, col: i32): v128 {
    return f64x2.replace_lane(f64x2.splat(unchecked(ZXV[col]) * unchecked(ZYV[r])), 1, 1.0);
  }

  /** (N·(∂Ex/∂σx·σx′·Ey + Ex·∂Ey/∂σy·σy′), 0). */
  // @ts-ignore
  @inline d4(r: i32, col: i32): v128 {
    return f64x2.replace_lane(f64x2.splat(depthDerivative(this.n, unchecked(ZXV[col]), unchecked(ZXS[col]), unchecked(ZYV[r]), unchecked(ZYS[r]), ZSLOPE_X, ZSLOPE_Y)), 1, 0.0);
  }
}

const ASTIG_TERMS = new AstigTerms();

/** The 3-D model of FisherScoring.ts: the patch at `data`. */
class AstigmaticModel {
  data: usize = 0;

  evaluate(theta: StaticArray<f64>): f64 {
    return zEvaluate(theta, this.data);
  }

  derivatives(theta: StaticArray<f64>, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
    zDerivatives(theta, this.data, gradient, fisher);
  }

  /** θ + δ with N and b shrinking by at most MAX_SHRINK, z moving by at most MAX_Z_STEP_NM within the range; the largest position change (px, z in pixels). */
  propose(theta: StaticArray<f64>, step: StaticArray<f64>, trial: StaticArray<f64>): f64 {
    unchecked(trial[0] = unchecked(theta[0]) + unchecked(step[0]));
    unchecked(trial[1] = unchecked(theta[1]) + unchecked(step[1]));
    unchecked(trial[2] = proposePhotons(unchecked(theta[2]), unchecked(step[2])));
    unchecked(trial[3] = proposeBackground(unchecked(theta[3]), unchecked(step[3])));
    unchecked(trial[4] = proposeDepth(unchecked(theta[4]), unchecked(step[4])));
    return Math.max(Math.max(Math.abs(unchecked(trial[0]) - unchecked(theta[0])), Math.abs(unchecked(trial[1]) - unchecked(theta[1]))), Math.abs(unchecked(trial[4]) - unchecked(theta[4])) / ZPIXEL);
  }

  leftWindow(theta: StaticArray<f64>): bool {
    return outsideWindow(unchecked(theta[0]), unchecked(theta[1]), ZBOX);
  }
}

const MODEL = new AstigmaticModel();

/** AstigmaticFit.fitFrom: θ from ZTH; θ̂ in ZTH, ℓ in ZLL, iterations in ZITER. */
function zFitFrom(data: usize, maxIterations: i32, tolerance: f64): i32 {
  MODEL.data = data;
  const status = fisherScoring<AstigmaticModel>(MODEL, ZTH, ZTRIAL, Z_PARAMETERS, maxIterations, tolerance, 0, Z_MIN_GAIN, Z_MIN_GAIN_RATIO);
  ZITER = SCORING_ITERATIONS;
  ZLL = SCORING_LL;
  return status;
}

function zPlace(x: f64, y: f64, n: f64, b: f64, s: i32): void {
  unchecked(ZTH[0] = x);
  unchecked(ZTH[1] = y);
  unchecked(ZTH[2] = Math.max(n, MIN_START_PHOTONS));
  unchecked(ZTH[3] = Math.max(b, MIN_START_BACKGROUND));
  unchecked(ZTH[4] = (ZLO + ZHI) / 2 + (unchecked(Z_START_FRACTIONS[s]) * (ZHI - ZLO)) / 2);
}

/**
 * AstigmaticFit.fit for the patch at `data` (ZBOX² f64 photons; `shift` 0 or the camera's
 * shift of each pixel, laid out as `data`) from (x, y) px, N, b: the z starts ranked by ℓ, the
 * fit from the best (the next when it does not converge), the CRLB; results in zOut().
 * @returns the status
 */
export function zFit(data: usize, shift: usize, x: f64, y: f64, n: f64, b: f64, maxIterations: i32, tolerance: f64): i32 {
  ZSHIFTED = shift != 0;
  ZSHIFT_DELTA = shift - data;
  const status = zChoose(data, x, y, n, b, maxIterations, tolerance);
  for (let a = 0; a < Z_PARAMETERS; a++) { unchecked(ZOUT[Z_OUT_THETA + a] = unchecked(ZTH[a])); unchecked(ZOUT[Z_OUT_CRLB + a] = unchecked(ZCR[a])); }
  unchecked(ZOUT[Z_OUT_LOG_LIKELIHOOD] = ZLL);
  unchecked(ZOUT[Z_OUT_ITERATIONS] = <f64>ZITER);
  unchecked(ZOUT[Z_OUT_SIGMA_X_NM] = ZSX_NM);
  unchecked(ZOUT[Z_OUT_SIGMA_Y_NM] = ZSY_NM);
  unchecked(ZOUT[Z_OUT_RESIDUAL_STD] = residualSpread(data, ZMU, ZBOX * ZBOX));
  return status;
}

function zChoose(data: usize, x: f64, y: f64, n: f64, b: f64, maxIterations: i32, tolerance: f64): i32 {
  for (let a = 0; a < 5; a++) unchecked(ZCR[a] = NaN);
  const area = ZBOX * ZBOX;
  for (let i = 0; i < area; i++) if (!isFinite<f64>(load<f64>(data + (<usize>i << 3)))) return STATUS_BAD_DATA;
  for (let s = 0; s < 3; s++) {
    zPlace(x, y, n, b, s);
    unchecked(ZORDER[s] = zEvaluate(ZTH, data));
    unchecked(ZRANK[s] = s);
  }
  // A stable sort by ℓ, largest first.
  for (let i = 1; i < 3; i++) {
    const v = unchecked(ZRANK[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(ZORDER[unchecked(ZRANK[j])]) < unchecked(ZORDER[v])) { unchecked(ZRANK[j + 1] = unchecked(ZRANK[j])); j--; }
    unchecked(ZRANK[j + 1] = v);
  }
  let bestLl: f64 = -Infinity;
  let bestStatus = STATUS_BAD_DATA;
  let iterations = 0;
  for (let k = 0; k < 3; k++) {
    zPlace(x, y, n, b, unchecked(ZRANK[k]));
    const status = zFitFrom(data, maxIterations, tolerance);
    iterations += ZITER;
    const better = status == STATUS_CONVERGED ? bestStatus != STATUS_CONVERGED || ZLL > bestLl : bestStatus != STATUS_CONVERGED && ZLL > bestLl;
    if (better) {
      for (let a = 0; a < 5; a++) unchecked(ZBEST[a] = unchecked(ZTH[a]));
      bestLl = ZLL;
      bestStatus = status;
    }
    if (bestStatus == STATUS_CONVERGED) break;
  }
  for (let a = 0; a < 5; a++) unchecked(ZTH[a] = unchecked(ZBEST[a]));
  ZITER = iterations;
  ZLL = zEvaluate(ZTH, data);
  if (bestStatus != STATUS_CONVERGED) return bestStatus;
  zDerivatives(ZTH, data, SCORING_GRADIENT, SCORING_FISHER);
  if (!choleskyInverseDiagonal(SCORING_FISHER, 5, ZCR, ZLOW, ZZ)) return STATUS_SINGULAR;
  for (let a = 0; a < 5; a++) unchecked(ZCR[a] = Math.sqrt(unchecked(ZCR[a])));
  const z = unchecked(ZTH[4]);
  if (z <= ZLO + Z_EDGE_NM || z >= ZHI - Z_EDGE_NM) return STATUS_Z_RANGE;
  return STATUS_CONVERGED;
}
