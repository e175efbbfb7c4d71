import {
  MAX_EMITTERS,
  MAX_WINDOW,
  MULTI_Z_MAX_PARAMETERS,
  MULTI_Z_OUT_CRLB,
  MULTI_Z_OUT_ITERATIONS,
  MULTI_Z_OUT_LOG_LIKELIHOOD,
  MULTI_Z_OUT_RESIDUAL_STD,
  MULTI_Z_OUT_SIGMA_X_NM,
  MULTI_Z_OUT_SIGMA_Y_NM,
  MULTI_Z_OUT_THETA,
  MULTI_Z_OUTPUT_COLUMNS,
  MULTI_Z_PER_EMITTER,
} from './fitConstants.js';
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import { fitKernelInstance } from './fitKernelInstance.js';

interface MultiZExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  multiZConfigure(window: number, pixelNm: number, zLo: number, zHi: number, sx0: number, cx: number, dx: number, ax: number, bx: number, sy0: number, cy: number, dy: number, ay: number, by: number): void;
  multiZFit(data: number, shift: number, k: number, maxIterations: number, tolerance: number): number;
  multiZTheta(): number;
  multiZOut(): number;
}

/**
 * K astigmatic 3-D emitters on one shared background fitted in the fit kernel
 * (fit/assembly/MultiAstigmaticFit.ts, `multiZFit`: the kernel's generic MultiEmitterModel of
 * AstigmaticEmitter, run by its one Fisher-scoring loop): the same model, solver, limits and
 * CRLB as the JavaScript {@link MultiEmitterModel} over {@link AstigmaticModel} fitted through
 * {@link PoissonEstimator} by {@link FisherScoring}, the same arithmetic in the same order, so
 * the two agree to rounding (tested: the same statuses and iterations, θ̂ within 1e-6 px).
 *
 * θ = (x₁, y₁, N₁, z₁, …, x_K, y_K, N_K, z_K, b): x, y px in the window, N photons, z nm, b
 * photons/px; MULTI_Z_PER_EMITTER·K + 1 values. The caller gives the start θ; the fit runs from
 * it alone (no z starts: a multi-emitter fit starts from earlier fits). The window is copied
 * into the module's memory (its own instance of fitKernel.wasm); the results are read from it
 * by their named offsets (MULTI_Z_OUT_*).
 */
export class WasmMultiAstigmaticFit {
  /** θ̂ after {@link fit} (its first MULTI_Z_PER_EMITTER·K + 1 values). */
  readonly theta = new Float64Array(MULTI_Z_MAX_PARAMETERS);
  /** √CRLB of θ̂ (x, y px, N photons, z nm, b photons/px), before any noise scale; NaN unless converged. */
  readonly crlb = new Float64Array(MULTI_Z_MAX_PARAMETERS);
  /** σx, σy of each emitter at θ̂, nm (the first K values). */
  readonly sigmaXNm = new Float64Array(MAX_EMITTERS);
  readonly sigmaYNm = new Float64Array(MAX_EMITTERS);
  logLikelihood = Number.NaN;
  iterations = 0;
  /** The standard deviation of n − μ over the window at θ̂, photons. */
  residualStd = Number.NaN;
  private readonly exports: MultiZExports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; theta: number; out: number };
  private views: { data: Float64Array; shift: Float64Array; theta: Float64Array; out: Float64Array } | undefined;

  /**
   * @param window - window width, px (at most {@link MAX_WINDOW})
   * @param curves - the defocus curves, their range and the pixel size (an AstigmaticCalibration is one)
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(readonly window: number, curves: AstigmatismCurves) {
    if (!(window <= MAX_WINDOW)) throw new RangeError(`a 3-D window of ${window} px is wider than the kernel's ${MAX_WINDOW}`);
    this.exports = fitKernelInstance<MultiZExports>();
    const { x, y } = curves;
    this.exports.multiZConfigure(window, curves.pixelSizeNm, curves.zRangeNm[0], curves.zRangeNm[1], x.sigma0Nm, x.centerNm, x.depthNm, x.a, x.b, y.sigma0Nm, y.centerNm, y.depthNm, y.a, y.b);
    this.area = window * window;
    const e = this.exports;
    this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), theta: e.multiZTheta(), out: e.multiZOut() };
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
    const status = this.exports.multiZFit(this.pointers.data, options.shift ? this.pointers.shift : 0, emitters, options.maxIterations, options.tolerance);
    const out = v.out;
    this.theta.set(out.subarray(MULTI_Z_OUT_THETA, MULTI_Z_OUT_THETA + MULTI_Z_MAX_PARAMETERS));
    this.crlb.set(out.subarray(MULTI_Z_OUT_CRLB, MULTI_Z_OUT_CRLB + MULTI_Z_MAX_PARAMETERS));
    this.sigmaXNm.set(out.subarray(MULTI_Z_OUT_SIGMA_X_NM, MULTI_Z_OUT_SIGMA_X_NM + MAX_EMITTERS));
    this.sigmaYNm.set(out.subarray(MULTI_Z_OUT_SIGMA_Y_NM, MULTI_Z_OUT_SIGMA_Y_NM + MAX_EMITTERS));
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
