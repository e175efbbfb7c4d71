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
import type { AstigmatismCurves } from './models/AstigmaticModel.js';
import type { AstigmaticFitter } from './AstigmaticFitter.js';
import { fitKernelInstance } from './fitKernelInstance.js';

interface ZExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  zConfigure(box: number, pixelNm: number, zLo: number, zHi: number, sx0: number, cx: number, dx: number, ax: number, bx: number, sy0: number, cy: number, dy: number, ay: number, by: number): void;
  zFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number;
  zOut(): number;
}

/**
 * The 3-D fit of {@link AstigmaticFit} in the fit kernel (fit/assembly/AstigmaticFit.ts, `zFit`): the
 * same evaluation, solver, starts and constants, the same arithmetic in the same order, so the
 * two agree to rounding (tested: the same statuses and iterations, θ̂ within 1e-6). The patch
 * is copied into the module's memory (its own instance of fitKernel.wasm); the results are read
 * from it.
 */
export class WasmAstigmaticFit implements AstigmaticFitter {
  readonly theta = new Float64Array(Z_PARAMETERS);
  readonly crlb = new Float64Array(Z_PARAMETERS);
  sigmaXNm = Number.NaN;
  sigmaYNm = Number.NaN;
  logLikelihood = Number.NaN;
  iterations = 0;
  private residual = Number.NaN;
  private readonly exports: ZExports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; out: number };
  private views: { data: Float64Array; shift: Float64Array; out: Float64Array } | undefined;

  /**
   * @param box - patch width, px (at most {@link MAX_WINDOW})
   * @param curves - the defocus curves and their range
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(readonly box: number, curves: AstigmatismCurves) {
    if (!(box <= MAX_WINDOW)) throw new RangeError(`a 3-D patch of ${box} px is wider than the kernel's ${MAX_WINDOW}`);
    this.exports = fitKernelInstance<ZExports>();
    const { x, y } = curves;
    this.exports.zConfigure(box, curves.pixelSizeNm, curves.zRangeNm[0], curves.zRangeNm[1], x.sigma0Nm, x.centerNm, x.depthNm, x.a, x.b, y.sigma0Nm, y.centerNm, y.depthNm, y.a, y.b);
    this.area = box * box;
    const e = this.exports;
    this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), out: e.zOut() };
  }

  fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const v = this.memory();
    const p = this.pointers;
    v.data.set(data.subarray(at, at + this.area));
    if (options.shift) v.shift.set(options.shift.subarray(at, at + this.area));
    const status = this.exports.zFit(p.data, options.shift ? p.shift : 0, start.x, start.y, start.photons, start.background, options.maxIterations, options.tolerance);
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
