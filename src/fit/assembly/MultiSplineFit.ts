// ../WasmMultiSplineFit.ts's side of the fit kernel: K emitters of a tricubic spline PSF on one
// shared background, θ = (x₁, y₁, N₁, z₁, …, x_K, y_K, N_K, z_K, b): MultiEmitterModel.ts's K
// copies of SplineEmitter (SplineFit.ts's spline: its coefficients, grid and evaluation), fitted
// by FisherScoring.ts's loop, with the CRLB and the residual; the JavaScript reference is
// models/MultiEmitterModel.ts over models/SplineModel.ts through PoissonEstimator and FisherScoring.
import {
  MAX_EMITTERS, MAX_WINDOW, MAX_Z_STEP_NM, MULTI_Z_MAX_PARAMETERS,
  MULTI_Z_OUT_SIGMA_X_NM, MULTI_Z_OUT_SIGMA_Y_NM, MULTI_Z_OUTPUT_COLUMNS, MULTI_Z_PER_EMITTER,
} from '../fitConstants';
import { MultiEmitterModel } from './MultiEmitterModel';
import { multiDepthFit, multiDepthStart, multiDepthValues } from './multiDepthFit';
import { outsideWindow, proposePhotons } from './proposeLateral';
import { FAR, SCX, SCY, SDZ, SVZ, SZ0, SZHI, SZLO, prepare, splineConfigure, windowTerms, windowValues } from './SplineFit';

/** f64 of one emitter's terms: S, ∂S/∂u, ∂S/∂v, ∂S/∂w of every pixel of the largest window. */
const TERMS = 4 * MAX_WINDOW * MAX_WINDOW;
/** addValue's S of every pixel. */
const VALUES = new StaticArray<f64>(MAX_WINDOW * MAX_WINDOW);

/**
 * One emitter of the spline multi-emitter model (SplineModel as a copy of the JavaScript
 * MultiEmitterModel): θ_e = (x, y, N, z) at θ[at…], μ += N·S(pixel − (x, y), z). Emitter e's
 * terms (value and gradient of every pixel, SplineFit.ts's windowTerms) live at e·TERMS,
 * kept from addSignal for derivatives; the five members of a per-emitter model (see
 * AstigmaticModel.ts's AstigmaticEmitter).
 */
export class SplineEmitter {
  readonly parameters: i32 = MULTI_Z_PER_EMITTER;
  private readonly terms: StaticArray<f64> = new StaticArray<f64>(MAX_EMITTERS * TERMS);
  private window: i32 = 0;

  /** The voxel of the window's first pixel (set by {@link locate}). */
  private iu: i32 = 0;
  private iv: i32 = 0;
  private iz: i32 = 0;

  /**
   * Where emitter θ[at…] = (x, y, N, z) puts the window's first pixel in the spline: its voxel
   * (iu, iv, iz) and the fractional offsets' powers, shared by every pixel ({@link prepare});
   * false where z is outside the spline or x, y absurd.
   */
  private locate(theta: StaticArray<f64>, at: i32): bool {
    const w = (unchecked(theta[at + 3]) - SZ0) / SDZ;
    if (!(w >= 0 && w <= <f64>SVZ)) return false;
    const iz = <i32>Math.min(Math.floor(w), <f64>(SVZ - 1));
    const u0 = SCX + 0.5 - unchecked(theta[at]);
    const v0 = SCY + 0.5 - unchecked(theta[at + 1]);
    if (!(Math.abs(u0) < FAR && Math.abs(v0) < FAR)) return false;
    const fu = Math.floor(u0);
    const fv = Math.floor(v0);
    this.iu = <i32>fu;
    this.iv = <i32>fv;
    this.iz = iz;
    prepare(u0 - fu, v0 - fv, w - <f64>iz);
    return true;
  }

  /** SplineModel.evaluate with `accumulate`: μ += N·S over the window; false where z is outside the spline or x, y absurd. */
  addSignal(e: i32, theta: StaticArray<f64>, at: i32, mu: StaticArray<f64>, window: i32): bool {
    this.window = window;
    if (!this.locate(theta, at)) return false;
    const iu = this.iu;
    const iv = this.iv;
    const iz = this.iz;
    const n = unchecked(theta[at + 2]);
    const t0 = changetype<usize>(this.terms) + (<usize>(e * TERMS) << 3);
    windowTerms(iu, iv, iz, window, t0);
    const area = window * window;
    for (let i = 0; i < area; i++) unchecked(mu[i] += n * load<f64>(t0 + (<usize>i << 5)));
    return true;
  }

  /**
   * SplineModel.evaluate's values alone (μ += N·S over the window, no gradients, the emitter's
   * terms left as they were): the z start's scan (MultiEmitterModel.startOwn), whose trials are
   * never followed by derivatives. false where addSignal's would be.
   */
  addValue(e: i32, theta: StaticArray<f64>, at: i32, mu: StaticArray<f64>, window: i32): bool {
    if (!this.locate(theta, at)) return false;
    const iu = this.iu;
    const iv = this.iv;
    const iz = this.iz;
    const n = unchecked(theta[at + 2]);
    const values = changetype<usize>(VALUES);
    windowValues(iu, iv, iz, window, values, 8);
    const area = window * window;
    for (let i = 0; i < area; i++) unchecked(mu[i] += n * unchecked(VALUES[i]));
    return true;
  }

  /** SplineModel.derivatives without the background: ∂μ/∂(x, y, N, z) of pixel (row, column). */
  derivatives(e: i32, theta: StaticArray<f64>, at: i32, row: i32, column: i32, d: StaticArray<f64>, dAt: i32): void {
    const q = changetype<usize>(this.terms) + (<usize>(e * TERMS + 4 * (row * this.window + column)) << 3);
    const n = unchecked(theta[at + 2]);
    unchecked(d[dAt] = -n * load<f64>(q, 8));
    unchecked(d[dAt + 1] = -n * load<f64>(q, 16));
    unchecked(d[dAt + 2] = load<f64>(q));
    unchecked(d[dAt + 3] = (n * load<f64>(q, 24)) / SDZ);
  }

  /** SplineModel.propose for θ_e: x, y free, N shrinking by at most MAX_SHRINK, z by ≤ MAX_Z_STEP_NM inside the spline's range; max(|Δx|, |Δy|, |Δz| in planes). */
  propose(theta: StaticArray<f64>, step: StaticArray<f64>, trial: StaticArray<f64>, at: i32): f64 {
    const x = unchecked(theta[at]), y = unchecked(theta[at + 1]), z = unchecked(theta[at + 3]);
    const tx = x + unchecked(step[at]);
    const ty = y + unchecked(step[at + 1]);
    const tz = Math.min(SZHI, Math.max(SZLO, z + Math.max(-MAX_Z_STEP_NM, Math.min(MAX_Z_STEP_NM, unchecked(step[at + 3])))));
    unchecked(trial[at] = tx);
    unchecked(trial[at + 1] = ty);
    unchecked(trial[at + 2] = proposePhotons(unchecked(theta[at + 2]), unchecked(step[at + 2])));
    unchecked(trial[at + 3] = tz);
    return Math.max(Math.max(Math.abs(tx - x), Math.abs(ty - y)), Math.abs(tz - z) / Math.abs(SDZ));
  }

  /** outsideWindow of θ_e's position. */
  leftWindow(theta: StaticArray<f64>, at: i32, window: i32): bool {
    return outsideWindow(unchecked(theta[at]), unchecked(theta[at + 1]), window);
  }
}

const MODEL = new MultiEmitterModel<SplineEmitter>(new SplineEmitter());
/** θ: the start of a fit (written by the caller), θ̂ after it. */
const MSTH = new StaticArray<f64>(MULTI_Z_MAX_PARAMETERS);
const MSCR = new StaticArray<f64>(MULTI_Z_MAX_PARAMETERS);
/** After multiSplineFit: θ̂, √CRLB, (σx, σy: NaN, the JavaScript computes the widths), ℓ, iterations, residual std (MULTI_Z_OUT_*). */
const MSOUT = new StaticArray<f64>(MULTI_Z_OUTPUT_COLUMNS);

/** Set the spline multi-emitter fit: window width (px), then splineConfigure's spline (coefficients at `coefficients`, f32 where `f32` is 1, else f64; voxels, plane 0's z and step, nm, the sample position, px). */
export function multiSplineConfigure(window: i32, coefficients: usize, f32: i32, vx: i32, vy: i32, vz: i32, zStart: f64, dz: f64, cx: f64, cy: f64): void {
  splineConfigure(window, 1, coefficients, f32, vx, vy, vz, zStart, dz, cx, cy, 0);
  MODEL.window = window;
}

/** The address of the start θ (MULTI_Z_MAX_PARAMETERS f64), written before multiSplineFit. */
export function multiSplineTheta(): usize { return changetype<usize>(MSTH); }

/** The address of the outputs (MULTI_Z_OUTPUT_COLUMNS f64). */
export function multiSplineOut(): usize { return changetype<usize>(MSOUT); }

/**
 * Fit K spline emitters (1 … MAX_EMITTERS) to the window at `data` (window² f64 photons; `shift`
 * 0 or the camera's shift of each pixel) from the start θ at multiSplineTheta(); results in
 * multiSplineOut() (√CRLB NaN unless converged).
 * @returns the status: the solver's, or STATUS_SINGULAR where the Fisher information at θ̂ is singular
 */
export function multiSplineFit(data: usize, shift: usize, k: i32, maxIterations: i32, tolerance: f64): i32 {
  const status = multiDepthFit<SplineEmitter>(MODEL, MSTH, MSCR, MSOUT, data, shift, k, maxIterations, tolerance);
  for (let e = 0; e < MAX_EMITTERS; e++) {
    unchecked(MSOUT[MULTI_Z_OUT_SIGMA_X_NM + e] = NaN);
    unchecked(MSOUT[MULTI_Z_OUT_SIGMA_Y_NM + e] = NaN);
  }
  return status;
}

/**
 * DepthEmitterFits.startOwn: z of emitter e of the (e + 1)-emitter θ at multiSplineTheta() on
 * the window at `data` (`shift` 0 or the camera's shift of each pixel), the most likely of
 * `starts` depths over zLo … zHi (nm) with the emitters before it held.
 */
export function multiSplineStart(data: usize, shift: usize, e: i32, zLo: f64, zHi: f64, starts: i32): f64 {
  return multiDepthStart<SplineEmitter>(MODEL, MSTH, data, shift, e, zLo, zHi, starts);
}

/**
 * DepthEmitterFits.refresh: μ of the K-emitter θ at multiSplineTheta() over the window at `data`
 * (`shift` 0 or the camera's shift of each pixel) into multiSplineMu(); ℓ, or −∞ where θ is impossible.
 */
export function multiSplineValues(data: usize, shift: usize, k: i32): f64 {
  return multiDepthValues<SplineEmitter>(MODEL, MSTH, data, shift, k);
}

/** The address of μ after multiSplineValues (window² f64). */
export function multiSplineMu(): usize { return changetype<usize>(MODEL.mu); }
