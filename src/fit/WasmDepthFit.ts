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

/** What every 3-D fit needs of its kernel instance: the memory and the allocator. */
export interface DepthKernelMemory {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
}

/**
 * The shared half of the 3-D fits in the fit kernel ({@link WasmAstigmaticFit}, `zFit`;
 * {@link WasmSplineFit}, `splineFit`): both write θ = (x, y, N, b, z) and the rest of a fit's
 * result in the same out layout (Z_OUT_* in fitConstants.ts). This class holds the patch's and
 * the camera shift's buffers in the module's memory, copies each patch in and reads the result
 * out; a subclass configures its kernel and names its entry point ({@link kernelFit}).
 */
export abstract class WasmDepthFit<Exports extends DepthKernelMemory> implements AstigmaticFitter {
  readonly theta = new Float64Array(Z_PARAMETERS);
  readonly crlb = new Float64Array(Z_PARAMETERS);
  sigmaXNm = Number.NaN;
  sigmaYNm = Number.NaN;
  logLikelihood = Number.NaN;
  iterations = 0;
  private residual = Number.NaN;
  /** The kernel instance's exports (its own instance of fitKernel.wasm). */
  protected readonly exports: Exports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; out: number };
  private views: { data: Float64Array; shift: Float64Array; out: Float64Array } | undefined;

  /**
   * @param box - patch width, px (at most {@link MAX_WINDOW})
   * @param setUp - makes and configures the kernel instance (after the width is checked), returns its exports and the out pointer
   * @throws RangeError when `box` exceeds MAX_WINDOW; KernelLoadError (from `setUp`) when fitKernel.wasm cannot be loaded
   */
  protected constructor(readonly box: number, setUp: () => { exports: Exports; out: number }) {
    if (!(box <= MAX_WINDOW)) throw new RangeError(`a 3-D patch of ${box} px is wider than the kernel's ${MAX_WINDOW}`);
    const { exports: e, out } = setUp();
    this.exports = e;
    this.area = box * box;
    this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), out };
  }

  /**
   * The kernel's entry point for one patch (pointers into its memory; `shift` 0 for none).
   * @returns a status code (fitConstants.ts); the result is in the out layout
   */
  protected abstract kernelFit(data: number, shift: number, x: number, y: number, photons: number, background: number, maxIterations: number, tolerance: number): number;

  fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const v = this.memory();
    const p = this.pointers;
    v.data.set(data.subarray(at, at + this.area));
    if (options.shift) v.shift.set(options.shift.subarray(at, at + this.area));
    const status = this.kernelFit(p.data, options.shift ? p.shift : 0, start.x, start.y, start.photons, start.background, options.maxIterations, options.tolerance);
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
