// ../fitPatch.ts in the fit kernel: the 2-D model (a pixel-integrated Gaussian of fixed or free
// σ on a flat background) fitted to a batch of patches: each patch's start (its warm start, or
// initialGuess.ts), newtonSolve.ts, the final pass and the CRLB, written as the columns of
// ../fitConstants.ts (FIT_START_*, FIT_OUT_*). It keeps its own solver, Newton's method on the
// exact Hessian, as the JavaScript fitPatch does (not FisherScoring.ts, whose steps differ: the
// results would change): every spot gets this fit, and its row-factored f64x2 passes make it the
// kernel's fastest path.
import {
  FIT_OUT_BACKGROUND, FIT_OUT_CHI_SQUARE, FIT_OUT_CRLB_X, FIT_OUT_ITERATIONS, FIT_OUT_LOG_LIKELIHOOD, FIT_OUT_PHOTONS,
  FIT_OUT_RESIDUAL_STD, FIT_OUT_SIGMA, FIT_OUT_STATUS, FIT_OUT_WARM_START, FIT_OUT_X, FIT_OUT_Y, FIT_START_BACKGROUND,
  FIT_START_PHOTONS, FIT_START_SIGMA, FIT_START_X, FIT_START_Y, STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_SINGULAR,
  WARM_START_MARGIN_PX,
} from '../fitConstants';
import { choleskyInverseDiagonal, choleskyInverseDiagonal4 } from './cholesky';
import { BOX, FIT_SIGMA, NOISE_SCALE, SIGMA, SIGMA_MAX, SIGMA_MIN, TB, TN, TS, TX, TY, setShift, setTheta } from './FitWorkspace';
import { initialGuess } from './initialGuess';
import { ITER, LL, READY, STATUS, newton } from './newtonSolve';
import { CHI2, F, F5, RSS, passFree, passInfo } from './PatchLikelihood';

/** The CRLB variances of the last fit (x, y, N, b, σ), and the scratch of their inversion. */
const CR = new StaticArray<f64>(5);
const CR_LOWER = new StaticArray<f64>(25);
const CR_COLUMN = new StaticArray<f64>(5);

/**
 * The start of patch number p at `patch`: its warm start where one is given and usable (in
 * TX…TS; returns 1), else initialGuess's (returns 0), or −1 for bad data (non-finite values or
 * none positive).
 */
function startFit(patch: usize, p: i32, starts: usize, col: usize): i32 {
  if (starts != 0) {
    const s = starts + (<usize>p << 3);
    const x = load<f64>(s + <usize>FIT_START_X * col), y = load<f64>(s + <usize>FIT_START_Y * col);
    const n = load<f64>(s + <usize>FIT_START_PHOTONS * col), b = load<f64>(s + <usize>FIT_START_BACKGROUND * col);
    const sg = load<f64>(s + <usize>FIT_START_SIGMA * col);
    const bx = <f64>BOX;
    if (x > -WARM_START_MARGIN_PX && x < bx + WARM_START_MARGIN_PX && y > -WARM_START_MARGIN_PX && y < bx + WARM_START_MARGIN_PX && n > 0 && b > 0 && isFinite<f64>(n) && isFinite<f64>(b)) {
      const area = BOX * BOX;
      let peak: f64 = -Infinity;
      for (let k = 0; k < area; k++) {
        const v = load<f64>(patch + (<usize>k << 3));
        if (!isFinite<f64>(v)) return -1;
        if (v > peak) peak = v;
      }
      if (!(peak > 0)) return -1;
      setTheta(x, y, n, b, FIT_SIGMA && sg >= SIGMA_MIN && sg <= SIGMA_MAX ? sg : SIGMA);
      return 1;
    }
  }
  return initialGuess(patch) ? 0 : -1;
}

/** A bad-data patch's outputs at o (columns `col` bytes apart). */
function writeBadData(o: usize, col: usize): void {
  for (let c = FIT_OUT_X; c <= FIT_OUT_RESIDUAL_STD; c++) store<f64>(o + <usize>c * col, NaN);
  store<f64>(o + <usize>FIT_OUT_ITERATIONS * col, 0);
  store<f64>(o + <usize>FIT_OUT_STATUS * col, STATUS_BAD_DATA);
  store<f64>(o + <usize>FIT_OUT_WARM_START * col, 0);
  store<f64>(o + <usize>FIT_OUT_CHI_SQUARE * col, NaN);
}

/**
 * The outputs of the fit that ended at θ = (TX…TS) with STATUS, ITER (and, when READY, LL, F,
 * RSS and CHI2 of its last pass; otherwise the final pass runs here): θ, √CRLB, ℓ, residual
 * std, iterations, status, warm start, χ², at o.
 */
function finishFit(patch: usize, o: usize, col: usize, warm: f64): void {
  const area = BOX * BOX;
  const ll = READY ? LL : FIT_SIGMA ? passFree(patch, false, true, true) : passInfo(patch);
  const parameters = FIT_SIGMA ? 5 : 4;
  const ok = FIT_SIGMA ? choleskyInverseDiagonal(F5, 5, CR, CR_LOWER, CR_COLUMN) : choleskyInverseDiagonal4(F, CR);
  for (let c = 0; c < 5; c++) store<f64>(o + <usize>(FIT_OUT_CRLB_X + c) * col, c < parameters ? Math.sqrt(NOISE_SCALE * unchecked(CR[c])) : NaN);
  const rstd = Math.sqrt(RSS / <f64>(area - parameters));
  const status = !ok && STATUS == STATUS_CONVERGED ? STATUS_SINGULAR : STATUS;
  store<f64>(o + <usize>FIT_OUT_X * col, TX); store<f64>(o + <usize>FIT_OUT_Y * col, TY);
  store<f64>(o + <usize>FIT_OUT_PHOTONS * col, TN); store<f64>(o + <usize>FIT_OUT_BACKGROUND * col, TB);
  store<f64>(o + <usize>FIT_OUT_SIGMA * col, TS);
  store<f64>(o + <usize>FIT_OUT_LOG_LIKELIHOOD * col, ll); store<f64>(o + <usize>FIT_OUT_RESIDUAL_STD * col, rstd);
  store<f64>(o + <usize>FIT_OUT_ITERATIONS * col, <f64>ITER); store<f64>(o + <usize>FIT_OUT_STATUS * col, <f64>status);
  store<f64>(o + <usize>FIT_OUT_WARM_START * col, warm);
  store<f64>(o + <usize>FIT_OUT_CHI_SQUARE * col, CHI2);
}

/**
 * Fit `count` patches at `data` (f64, box² each, row-major, photons). `starts` (0: none) holds
 * the warm starts as START_COLUMNS f64 columns FIT_START_* (x, y, N, b, σ) of `stride` values
 * each (NaN x: none; σ is used when fitted and in range); `out` receives OUTPUT_COLUMNS f64
 * columns FIT_OUT_* of `stride` values: x, y, N, b, σ, √CRLB of x, y, N, b, σ (NaN with σ
 * fixed), ℓ, residual std, iterations, status, warm start (1/0), Pearson's χ². `shift` (0:
 * none) holds the camera's shift of each pixel, laid out as `data`.
 */
export function fitBatch(data: usize, count: i32, starts: usize, out: usize, stride: i32, shift: usize): void {
  const area = BOX * BOX;
  setShift(data, shift);
  const col = <usize>stride << 3;
  for (let p = 0; p < count; p++) {
    const patch = data + (<usize>(p * area) << 3);
    const o = out + (<usize>p << 3);
    const started = startFit(patch, p, starts, col);
    if (started < 0) {
      writeBadData(o, col);
      continue;
    }
    newton(patch);
    finishFit(patch, o, col, started == 1 ? 1 : 0);
  }
}
