import {
  MAX_WINDOW,
  Z_OUT_CRLB,
  Z_OUT_ITERATIONS,
  Z_OUT_LOG_LIKELIHOOD,
  Z_OUT_RESIDUAL_STD,
  Z_OUT_SIGMA_X_NM,
  Z_OUT_SIGMA_Y_NM,
  Z_OUT_THETA,
  Z_OUTPUT_COLUMNS,
  Z_PARAMETERS,
} from './fitConstants.js';
import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import type { SplinePsf } from './spline/SplinePsf.js';

interface SplineExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  splineConfigure(box: number, pixelNm: number, coefficients: number, vx: number, vy: number, vz: number, zStart: number, dz: number, cx: number, cy: number, everyStart: number): void;
  splineFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number;
  splineOut(): number;
}

/**
 * The 3-D fit of {@link SplineFit} in the fit kernel (fit/assembly/SplineFit.ts, `splineFit`):
 * the same evaluation, solver, starts and constants, the same arithmetic in the same order, so
 * the two agree to rounding (tested: the same statuses and iterations, θ̂ within 1e-6). The
 * spline's coefficients are copied once, as f64, into the module's memory (its own instance of
 * fitKernel.wasm: 8 bytes a coefficient); each patch is copied in, the results read out.
 */
export class WasmSplineFit implements AstigmaticFitter {
  readonly theta = new Float64Array(Z_PARAMETERS);
  readonly crlb = new Float64Array(Z_PARAMETERS);
  sigmaXNm = Number.NaN;
  sigmaYNm = Number.NaN;
  logLikelihood = Number.NaN;
  iterations = 0;
  private residual = Number.NaN;
  private readonly exports: SplineExports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; out: number };
  private views: { data: Float64Array; shift: Float64Array; out: Float64Array } | undefined;

  /**
   * @param box - patch width, px (at most {@link MAX_WINDOW})
   * @param spline - the PSF, its samples 1 camera px apart
   * @param pixelSizeNm - the camera's pixel size, nm (for σx, σy in nm)
   * @param everyStart - fit from every z start, keep the best ℓ (2-D optics: z ambiguous about focus) @default false
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(readonly box: number, spline: SplinePsf, pixelSizeNm: number, everyStart = false) {
    if (!(box <= MAX_WINDOW)) throw new RangeError(`a 3-D patch of ${box} px is wider than the kernel's ${MAX_WINDOW}`);
    const e = (this.exports = fitKernelInstance<SplineExports>());
    const coefficients = e.reserve(spline.coefficients.length * 8);
    new Float64Array(e.memory.buffer, coefficients, spline.coefficients.length).set(spline.coefficients);
    e.splineConfigure(box, pixelSizeNm, coefficients, spline.voxelsX, spline.voxelsY, spline.voxelsZ, spline.zStartNm, spline.dzNm, spline.centerXPx, spline.centerYPx, everyStart ? 1 : 0);
    this.area = box * box;
    this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), out: e.splineOut() };
  }

  fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const v = this.memory();
    const p = this.pointers;
    v.data.set(data.subarray(at, at + this.area));
    if (options.shift) v.shift.set(options.shift.subarray(at, at + this.area));
    const status = this.exports.splineFit(p.data, options.shift ? p.shift : 0, start.x, start.y, start.photons, start.background, options.maxIterations, options.tolerance);
    const out = v.out;
    this.theta.set(out.subarray(Z_OUT_THETA, Z_OUT_THETA + Z_PARAMETERS));
    this.crlb.set(out.subarray(Z_OUT_CRLB, Z_OUT_CRLB + Z_PARAMETERS));
    this.logLikelihood = out[Z_OUT_LOG_LIKELIHOOD];
    this.iterations = out[Z_OUT_ITERATIONS];
    this.sigmaXNm = out[Z_OUT_SIGMA_X_NM];
    this.sigmaYNm = out[Z_OUT_SIGMA_Y_NM];
    this.residual = out[Z_OUT_RESIDUAL_STD];
    return status;
  }

  /** Views of the module's memory (made again if it has grown). */
  private memory(): { data: Float64Array; shift: Float64Array; out: Float64Array } {
    const buffer = this.exports.memory.buffer;
    if (!this.views || this.views.data.buffer !== buffer) {
      const p = this.pointers;
      this.views = { data: new Float64Array(buffer, p.data, this.area), shift: new Float64Array(buffer, p.shift, this.area), out: new Float64Array(buffer, p.out, Z_OUTPUT_COLUMNS) };
    }
    return this.views;
  }

  /** The residual's standard deviation of the last fit (computed by the kernel; the arguments name the same patch). */
  residualStd(_data: Float64Array, _at: number): number {
    return this.residual;
  }
}
