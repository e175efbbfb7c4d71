import {
  MAX_EMITTERS,
  MAX_WINDOW,
  MULTI_Z_MAX_PARAMETERS,
  MULTI_Z_OUT_CRLB,
  MULTI_Z_OUT_ITERATIONS,
  MULTI_Z_OUT_LOG_LIKELIHOOD,
  MULTI_Z_OUT_RESIDUAL_STD,
  MULTI_Z_OUT_THETA,
  MULTI_Z_OUTPUT_COLUMNS,
  MULTI_Z_PER_EMITTER,
} from './fitConstants.js';
import type { SplinePsf } from './spline/SplinePsf.js';
import { fitKernelInstance } from './fitKernelInstance.js';

interface MultiSplineExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  multiSplineConfigure(window: number, coefficients: number, vx: number, vy: number, vz: number, zStart: number, dz: number, cx: number, cy: number): void;
  multiSplineFit(data: number, shift: number, k: number, maxIterations: number, tolerance: number): number;
  multiSplineTheta(): number;
  multiSplineOut(): number;
}

/**
 * K emitters of a tricubic spline PSF on one shared background fitted in the fit kernel
 * (fit/assembly/MultiSplineFit.ts, `multiSplineFit`: the kernel's generic MultiEmitterModel of
 * SplineEmitter, run by its one Fisher-scoring loop): the same model, solver, limits and CRLB as
 * the JavaScript {@link MultiEmitterModel} over {@link SplineModel} fitted through
 * {@link PoissonEstimator} by {@link FisherScoring}, so the two agree to rounding (tested through
 * the selection: the same K, θ̂ within 1e-6 px). As {@link WasmMultiAstigmaticFit}: θ = (x₁, y₁,
 * N₁, z₁, …, b), the caller's start, the results by their named offsets (MULTI_Z_OUT_*; the
 * widths are NaN: the JavaScript model gives them). The spline's coefficients are copied once
 * into the module's memory (its own instance of fitKernel.wasm).
 */
export class WasmMultiSplineFit {
  /** θ̂ after {@link fit} (its first MULTI_Z_PER_EMITTER·K + 1 values). */
  readonly theta = new Float64Array(MULTI_Z_MAX_PARAMETERS);
  /** √CRLB of θ̂ (x, y px, N photons, z nm, b photons/px), before any noise scale; NaN unless converged. */
  readonly crlb = new Float64Array(MULTI_Z_MAX_PARAMETERS);
  logLikelihood = Number.NaN;
  iterations = 0;
  /** The standard deviation of n − μ over the window at θ̂, photons. */
  residualStd = Number.NaN;
  private readonly exports: MultiSplineExports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; theta: number; out: number };
  private views: { data: Float64Array; shift: Float64Array; theta: Float64Array; out: Float64Array } | undefined;

  /**
   * @param window - window width, px (at most {@link MAX_WINDOW})
   * @param spline - the PSF (its samples 1 camera px apart)
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(readonly window: number, spline: SplinePsf) {
    if (!(window <= MAX_WINDOW)) throw new RangeError(`a 3-D window of ${window} px is wider than the kernel's ${MAX_WINDOW}`);
    const e = (this.exports = fitKernelInstance<MultiSplineExports>());
    const coefficients = e.reserve(spline.coefficients.length * 8);
    new Float64Array(e.memory.buffer, coefficients, spline.coefficients.length).set(spline.coefficients);
    e.multiSplineConfigure(window, coefficients, spline.voxelsX, spline.voxelsY, spline.voxelsZ, spline.zStartNm, spline.dzNm, spline.centerXPx, spline.centerYPx);
    this.area = window * window;
    this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), theta: e.multiSplineTheta(), out: e.multiSplineOut() };
  }

  /**
   * Fit K emitters to one window from a start θ.
   * @param data - photons; the window at `data[at … at + window² − 1]`, row-major
   * @param emitters - K, 1 … MAX_EMITTERS
   * @param start - the start θ, MULTI_Z_PER_EMITTER·K + 1 values in θ's order
   * @param options - iteration limit, tolerance (px; z in pixel units), the camera's shifts (laid out as `data`) @default no shifts
   * @returns a status code (fitConstants.ts): the solver's, or STATUS_SINGULAR where the Fisher information at θ̂ is singular
   */
  fit(data: Float64Array, at: number, emitters: number, start: Float64Array, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    if (!(Number.isInteger(emitters) && emitters >= 1 && emitters <= MAX_EMITTERS)) throw new RangeError(`emitters must be 1 to ${MAX_EMITTERS}, got ${emitters}`);
    const p = MULTI_Z_PER_EMITTER * emitters + 1;
    const v = this.memory();
    v.data.set(data.subarray(at, at + this.area));
    if (options.shift) v.shift.set(options.shift.subarray(at, at + this.area));
    v.theta.set(start.subarray(0, p));
    const status = this.exports.multiSplineFit(this.pointers.data, options.shift ? this.pointers.shift : 0, emitters, options.maxIterations, options.tolerance);
    const out = v.out;
    this.theta.set(out.subarray(MULTI_Z_OUT_THETA, MULTI_Z_OUT_THETA + MULTI_Z_MAX_PARAMETERS));
    this.crlb.set(out.subarray(MULTI_Z_OUT_CRLB, MULTI_Z_OUT_CRLB + MULTI_Z_MAX_PARAMETERS));
    this.logLikelihood = out[MULTI_Z_OUT_LOG_LIKELIHOOD];
    this.iterations = out[MULTI_Z_OUT_ITERATIONS];
    this.residualStd = out[MULTI_Z_OUT_RESIDUAL_STD];
    return status;
  }

  /** Views of the module's memory (made again if it has grown). */
  private memory(): { data: Float64Array; shift: Float64Array; theta: Float64Array; out: Float64Array } {
    const buffer = this.exports.memory.buffer;
    if (!this.views || this.views.data.buffer !== buffer) {
      const p = this.pointers;
      this.views = {
        data: new Float64Array(buffer, p.data, this.area),
        shift: new Float64Array(buffer, p.shift, this.area),
        theta: new Float64Array(buffer, p.theta, MULTI_Z_MAX_PARAMETERS),
        out: new Float64Array(buffer, p.out, MULTI_Z_OUTPUT_COLUMNS),
      };
    }
    return this.views;
  }
}
