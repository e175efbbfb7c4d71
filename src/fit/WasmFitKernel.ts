import {
  FIT_OUT_BACKGROUND,
  FIT_OUT_CHI_SQUARE,
  FIT_OUT_CRLB_BACKGROUND,
  FIT_OUT_CRLB_PHOTONS,
  FIT_OUT_CRLB_SIGMA,
  FIT_OUT_CRLB_X,
  FIT_OUT_CRLB_Y,
  FIT_OUT_ITERATIONS,
  FIT_OUT_LOG_LIKELIHOOD,
  FIT_OUT_PHOTONS,
  FIT_OUT_RESIDUAL_STD,
  FIT_OUT_SIGMA,
  FIT_OUT_STATUS,
  FIT_OUT_WARM_START,
  FIT_OUT_X,
  FIT_OUT_Y,
  FIT_START_BACKGROUND,
  FIT_START_PHOTONS,
  FIT_START_SIGMA,
  FIT_START_X,
  FIT_START_Y,
  OUTPUT_COLUMNS as COLUMNS,
  START_COLUMNS,
} from './fitConstants.js';
import type { ResolvedFitOptions } from './FitOptions.js';
import type { FitResults, FitStartValues } from './FitResults.js';
import { fitKernelInstance } from './fitKernelInstance.js';

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  configure(box: number, sigma: number, maxIterations: number, tolerance: number, maxStepPx: number, fitSigma: number, sigmaMin: number, sigmaMax: number, noiseScale: number): void;
  reserve(bytes: number): number;
  fitBatch(data: number, count: number, starts: number, out: number, stride: number, shift: number): void;
}

/**
 * The Newton fit of a batch of patches in WebAssembly (fitKernel.wasm, compiled from the
 * AssemblyScript port in assembly/; this model's entry is assembly/fitPatch.ts), σ fixed or
 * free: the same start values, solver, final pass and CRLB as {@link fitPatch} with
 * {@link newtonSolve}, the same arithmetic (with σ fixed the pixel loop runs over two rows at a
 * time in f64x2 SIMD lanes); ~1.5–2.5× faster. Results agree with the JavaScript path to
 * rounding (sums in another order, its `exp` and `log` are not V8's; tested: same iterations and
 * statuses, positions within 1e-9 px).
 *
 * Memory: patches are copied into the module's memory (box² f64 each), warm starts into the
 * START_COLUMNS columns FIT_START_* (x, y, N, b, σ), and the kernel writes the OUTPUT_COLUMNS (16)
 * f64 columns FIT_OUT_* (x, y, N, b, σ, the five √CRLB, ℓ, residual std, iterations, status,
 * warm start, Pearson's χ²; fitConstants.ts), copied out into the caller's FitResults. Each column
 * holds `capacity` values. The regions grow by doubling. One instance (its own memory) per
 * FitWorkspace.
 */
export class WasmFitKernel {
  private readonly exports: KernelExports;
  private readonly area: number;
  private capacity = 0;
  private pointers = { data: 0, starts: 0, out: 0, shift: 0 };
  private views: { data: Float64Array; starts: Float64Array; out: Float64Array; shift: Float64Array } | undefined;

  /**
   * @returns a kernel for these options, or undefined where it does not apply (the
   *   conjugate-gradient solver runs in JavaScript)
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  static create(options: ResolvedFitOptions): WasmFitKernel | undefined {
    if (options.solver !== 'newton') return undefined;
    return new WasmFitKernel(options);
  }

  private constructor(options: ResolvedFitOptions) {
    this.exports = fitKernelInstance<KernelExports>();
    const o = options;
    this.exports.configure(o.box, o.sigmaPx, o.maxIterations, o.tolerance, o.maxStepPx, o.fitSigma ? 1 : 0, o.sigmaMinPx, o.sigmaMaxPx, o.noiseScale);
    this.area = options.box * options.box;
  }

  /**
   * Fit patches 0…count−1 of `data` into `out` (elements 0…count−1).
   * @param data - photon counts, patch p at data[p·box²…]
   * @param count - number of patches
   * @param start - warm starts (NaN x: none) @default none
   * @param out - outputs
   * @param shift - the camera's shift of each pixel, laid out as `data` @default none (Poisson)
   */
  fit(data: Float64Array, count: number, start: FitStartValues | undefined, out: FitResults, shift?: Float64Array): void {
    const v = this.ensure(count);
    const stride = this.capacity;
    v.data.set(data.subarray(0, count * this.area));
    if (shift) v.shift.set(shift.subarray(0, count * this.area));
    if (start) {
      v.starts.set(start.x.subarray(0, count), FIT_START_X * stride);
      v.starts.set(start.y.subarray(0, count), FIT_START_Y * stride);
      v.starts.set(start.photons.subarray(0, count), FIT_START_PHOTONS * stride);
      v.starts.set(start.background.subarray(0, count), FIT_START_BACKGROUND * stride);
      if (start.sigma) v.starts.set(start.sigma.subarray(0, count), FIT_START_SIGMA * stride);
      else v.starts.fill(Number.NaN, FIT_START_SIGMA * stride, FIT_START_SIGMA * stride + count);
    }
    this.exports.fitBatch(this.pointers.data, count, start ? this.pointers.starts : 0, this.pointers.out, stride, shift ? this.pointers.shift : 0);
    const o = v.out;
    const column = (c: number) => o.subarray(c * stride, c * stride + count);
    out.x.set(column(FIT_OUT_X));
    out.y.set(column(FIT_OUT_Y));
    out.photons.set(column(FIT_OUT_PHOTONS));
    out.background.set(column(FIT_OUT_BACKGROUND));
    out.sigma.set(column(FIT_OUT_SIGMA));
    out.uncertaintyX.set(column(FIT_OUT_CRLB_X));
    out.uncertaintyY.set(column(FIT_OUT_CRLB_Y));
    out.uncertaintyPhotons.set(column(FIT_OUT_CRLB_PHOTONS));
    out.uncertaintyBackground.set(column(FIT_OUT_CRLB_BACKGROUND));
    out.uncertaintySigma.set(column(FIT_OUT_CRLB_SIGMA));
    out.logLikelihood.set(column(FIT_OUT_LOG_LIKELIHOOD));
    out.residualStd.set(column(FIT_OUT_RESIDUAL_STD));
    out.iterations.set(column(FIT_OUT_ITERATIONS));
    out.status.set(column(FIT_OUT_STATUS));
    out.warmStart.set(column(FIT_OUT_WARM_START));
    out.chiSquare.set(column(FIT_OUT_CHI_SQUARE));
  }

  /** Views of regions for at least `count` patches (reserved anew, doubled, when too small). */
  private ensure(count: number): { data: Float64Array; starts: Float64Array; out: Float64Array; shift: Float64Array } {
    const e = this.exports;
    if (count > this.capacity) {
      this.capacity = Math.max(count, 2 * this.capacity, 256);
      const n = this.capacity;
      this.pointers = { data: e.reserve(n * this.area * 8), starts: e.reserve(n * START_COLUMNS * 8), out: e.reserve(n * COLUMNS * 8), shift: e.reserve(n * this.area * 8) };
      this.views = undefined;
    }
    // Memory growth replaces the buffer: views are made again then.
    if (!this.views || this.views.data.buffer !== e.memory.buffer) {
      const buffer = e.memory.buffer;
      const n = this.capacity;
      this.views = {
        data: new Float64Array(buffer, this.pointers.data, n * this.area),
        starts: new Float64Array(buffer, this.pointers.starts, n * START_COLUMNS),
        out: new Float64Array(buffer, this.pointers.out, n * COLUMNS),
        shift: new Float64Array(buffer, this.pointers.shift, n * this.area),
      };
    }
    return this.views;
  }
}
