// ../WasmMultiAstigmaticFit.ts's side of the fit kernel: K astigmatic 3-D emitters on
// one shared background, θ = (x₁, y₁, N₁, z₁, …, x_K, y_K, N_K, z_K, b): MultiEmitterModel.ts's
// K copies of AstigmaticModel.ts's AstigmaticEmitter, fitted by FisherScoring.ts's loop, with
// the CRLB and the residual; the JavaScript reference is models/MultiEmitterModel.ts over
// models/AstigmaticModel.ts through PoissonEstimator and FisherScoring.
import {
  MAX_EMITTERS, MULTI_Z_MAX_PARAMETERS,
  MULTI_Z_OUT_SIGMA_X_NM, MULTI_Z_OUT_SIGMA_Y_NM, MULTI_Z_OUTPUT_COLUMNS,
} from '../fitConstants';
import { AstigmaticEmitter, zCurves } from './AstigmaticModel';
import { MultiEmitterModel } from './MultiEmitterModel';
import { multiDepthFit, multiDepthStart, multiDepthValues } from './multiDepthFit';

const MODEL = new MultiEmitterModel<AstigmaticEmitter>(new AstigmaticEmitter());
/** θ: the start of a fit (written by the caller), θ̂ after it. */
const MZTH = new StaticArray<f64>(MULTI_Z_MAX_PARAMETERS);
const MZCR = new StaticArray<f64>(MULTI_Z_MAX_PARAMETERS);
/** After multiZFit: θ̂, √CRLB, σx and σy of each emitter (nm), ℓ, iterations, residual std (MULTI_Z_OUT_*). */
const MZOUT = new StaticArray<f64>(MULTI_Z_OUTPUT_COLUMNS);

/** Set the 3-D multi-emitter fit: window width (px), pixel size (nm), the calibrated range (nm), the x and y curves (σ0, c, d, A, B each, nm). */
export function multiZConfigure(window: i32, pixelNm: f64, zLo: f64, zHi: f64, sx0: f64, cx: f64, dx: f64, ax: f64, bx: f64, sy0: f64, cy: f64, dy: f64, ay: f64, by: f64): void {
  MODEL.window = window;
  zCurves(pixelNm, zLo, zHi, sx0, cx, dx, ax, bx, sy0, cy, dy, ay, by);
}

/** The address of the start θ (MULTI_Z_MAX_PARAMETERS f64), written before multiZFit. */
export function multiZTheta(): usize { return changetype<usize>(MZTH); }

/** The address of the outputs (MULTI_Z_OUTPUT_COLUMNS f64). */
export function multiZOut(): usize { return changetype<usize>(MZOUT); }

/**
 * Fit K emitters (1 … MAX_EMITTERS) to the window at `data` (window² f64 photons; `shift` 0 or
 * the camera's shift of each pixel, laid out as `data`) from the start θ at multiZTheta();
 * results in multiZOut() (√CRLB NaN unless converged).
 * @returns the status: the solver's, or STATUS_SINGULAR where the Fisher information at θ̂ is singular
 */
export function multiZFit(data: usize, shift: usize, k: i32, maxIterations: i32, tolerance: f64): i32 {
  const status = multiDepthFit<AstigmaticEmitter>(MODEL, MZTH, MZCR, MZOUT, data, shift, k, maxIterations, tolerance);
  const emitter = MODEL.emitter;
  for (let e = 0; e < MAX_EMITTERS; e++) {
    unchecked(MZOUT[MULTI_Z_OUT_SIGMA_X_NM + e] = e < k ? unchecked(emitter.sigmaXNm[e]) : NaN);
    unchecked(MZOUT[MULTI_Z_OUT_SIGMA_Y_NM + e] = e < k ? unchecked(emitter.sigmaYNm[e]) : NaN);
  }
  return status;
}

/**
 * DepthEmitterFits.startOwn: z of emitter e of the (e + 1)-emitter θ at multiZTheta() on the
 * window at `data` (`shift` 0 or the camera's shift of each pixel), the most likely of `starts`
 * depths over zLo … zHi (nm) with the emitters before it held.
 */
export function multiZStart(data: usize, shift: usize, e: i32, zLo: f64, zHi: f64, starts: i32): f64 {
  return multiDepthStart<AstigmaticEmitter>(MODEL, MZTH, data, shift, e, zLo, zHi, starts);
}

/**
 * DepthEmitterFits.refresh: μ of the K-emitter θ at multiZTheta() over the window at `data`
 * (`shift` 0 or the camera's shift of each pixel) into multiZMu(); ℓ, or −∞ where θ is impossible.
 */
export function multiZValues(data: usize, shift: usize, k: i32): f64 {
  return multiDepthValues<AstigmaticEmitter>(MODEL, MZTH, data, shift, k);
}

/** The address of μ after multiZValues (window² f64). */
export function multiZMu(): usize { return changetype<usize>(MODEL.mu); }
