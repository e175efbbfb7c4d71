// ../FitWorkspace.ts in the fit kernel: the state of one 2-D fit (the Gaussian of fixed or free σ
// that fitBatch fits, fitPatch.ts): the configuration, θ = (x, y, N, b, σ) in TX…TS and the axis
// terms at θ. Module globals: one kernel instance per FitWorkspace. The other files of the 2-D
// path read them and write θ through setTheta.
import { MAX_BOX_PX } from '../fitConstants';
import { axisAt, axisPair, forgetAxisRatio } from './GaussianAxis';

// Configuration, set by configure() before any fit (the defaults are FitOptions' FIT_DEFAULTS).
export let BOX: i32 = 5;
export let SIGMA: f64 = 1;
export let MAX_IT: i32 = 50;
export let TOL: f64 = NaN;
export let MAX_STEP: f64 = 1;
export let FIT_SIGMA: bool = false;
export let SIGMA_MIN: f64 = NaN;
export let SIGMA_MAX: f64 = NaN;
// The CRLB's factor: a pixel's variance is NOISE_SCALE · (μ + s) (F²/QE, 2 with an EM register).
export let NOISE_SCALE: f64 = 1;
// The camera's shifts: whether the batch has them, and where a pixel's shift is relative to its
// datum (fitBatch).
export let SHIFTED: bool = false;
export let SHIFT_DELTA: usize = 0;

// θ = (x, y, N, b, σ), and the x, y and σ the axis terms were computed for.
export let TX: f64 = 0, TY: f64 = 0, TN: f64 = 0, TB: f64 = 0, TS: f64 = 1;
let AX: f64 = NaN, AY: f64 = NaN, AS: f64 = NaN;

// Axis terms (GaussianAxis): E, ∂E/∂c, ∂²E/∂c² along x and y, and with σ free ∂E/∂σ, ∂²E/∂σ²,
// ∂²E/∂c∂σ, one value per pixel boundary of the widest box.
export const EX = new StaticArray<f64>(MAX_BOX_PX + 1);
export const DEX = new StaticArray<f64>(MAX_BOX_PX + 1);
export const D2EX = new StaticArray<f64>(MAX_BOX_PX + 1);
export const EY = new StaticArray<f64>(MAX_BOX_PX + 1);
export const DEY = new StaticArray<f64>(MAX_BOX_PX + 1);
export const D2EY = new StaticArray<f64>(MAX_BOX_PX + 1);
export const SEX = new StaticArray<f64>(MAX_BOX_PX + 1);
export const S2EX = new StaticArray<f64>(MAX_BOX_PX + 1);
export const CSEX = new StaticArray<f64>(MAX_BOX_PX + 1);
export const SEY = new StaticArray<f64>(MAX_BOX_PX + 1);
export const S2EY = new StaticArray<f64>(MAX_BOX_PX + 1);
export const CSEY = new StaticArray<f64>(MAX_BOX_PX + 1);

/**
 * Set the fit: box (odd, 3–15), σ (px; the start value when fitted), iteration limit, step
 * tolerance, largest x/y step (px), whether σ is a fifth parameter, its range (px), and the
 * camera's noise scale (the CRLB's factor, F²/QE).
 */
export function configure(box: i32, sigma: f64, maxIterations: i32, tolerance: f64, maxStepPx: f64, fitSigma: bool, sigmaMin: f64, sigmaMax: f64, noiseScale: f64): void {
  BOX = box; SIGMA = sigma; MAX_IT = maxIterations; TOL = tolerance; MAX_STEP = maxStepPx;
  FIT_SIGMA = fitSigma; SIGMA_MIN = sigmaMin; SIGMA_MAX = sigmaMax; NOISE_SCALE = noiseScale;
  TS = sigma; forgetAxisRatio();
  AX = NaN; AY = NaN; AS = NaN;
}

/** The batch's shifts: `shift` (0: none) laid out as `data`. */
export function setShift(data: usize, shift: usize): void {
  SHIFTED = shift != 0;
  SHIFT_DELTA = shift - data;
}

/** θ = (x, y, N, b, σ). */
// @ts-ignore
@inline export function setTheta(x: f64, y: f64, photons: f64, background: f64, sigma: f64): void {
  TX = x; TY = y; TN = photons; TB = background; TS = sigma;
}

/** The single fit's axis terms, for the patch's box and the current σ. */
// @ts-ignore
@inline function axis(
  center: f64, value: StaticArray<f64>, dCenter: StaticArray<f64>, d2Center: StaticArray<f64>,
  dSigma: StaticArray<f64>, d2Sigma: StaticArray<f64>, dCenterSigma: StaticArray<f64>,
): void {
  axisAt(center, BOX, TS, FIT_SIGMA, changetype<usize>(value), changetype<usize>(dCenter), changetype<usize>(d2Center), changetype<usize>(dSigma), changetype<usize>(d2Sigma), changetype<usize>(dCenterSigma));
}

/** The axis terms at θ, computed again where x, y or σ changed. */
export function shape(): void {
  if (TS != AS) { AS = TS; AX = NaN; AY = NaN; }
  if (!FIT_SIGMA && TX != AX && TY != AY) {
    // Both axes in one pass, x and y in the two f64x2 lanes (the same values as two axisAt).
    axisPair(TX, TY, BOX, TS, changetype<usize>(EX), changetype<usize>(DEX), changetype<usize>(D2EX), changetype<usize>(EY), changetype<usize>(DEY), changetype<usize>(D2EY));
    AX = TX; AY = TY;
    return;
  }
  if (TX != AX) { axis(TX, EX, DEX, D2EX, SEX, S2EX, CSEX); AX = TX; }
  if (TY != AY) { axis(TY, EY, DEY, D2EY, SEY, S2EY, CSEY); AY = TY; }
}
