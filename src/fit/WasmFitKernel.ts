import { instantiate, wasmModule } from '../wasm/wasmModule.js';
import { OUTPUT_COLUMNS as COLUMNS, START_COLUMNS } from './fitConstants.js';
import type { ResolvedFitOptions } from './FitOptions.js';
import type { FitResults, FitStartValues } from './FitResults.js';

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  configure(box: number, sigma: number, maxIterations: number, tolerance: number, maxStepPx: number, fitSigma: number, sigmaMin: number, sigmaMax: number, noiseScale: number): void;
  reserve(bytes: number): number;
  fitBatch(data: number, count: number, starts: number, out: number, stride: number, shift: number): void;
}


/**
 * The Newton fit of a batch of patches in WebAssembly (fitKernel.wasm, compiled from the
 * AssemblyScript port assembly/fitKernel.ts), σ fixed or free: the same start values, solver,
 * final pass and CRLB as {@link fitPatch} with {@link newtonSolve}, the same arithmetic (with σ
 * fixed the pixel loop runs over two rows at a time in f64x2 SIMD lanes); ~1.5–2.5× faster. Results agree with the JavaScript path to
 * rounding (sums in another order, its `exp` and `log` are not V8's; tested: same iterations and
 * statuses, positions within 1e-9 px).
 *
 * Memory: patches are copied into the module's memory (box² f64 each), warm starts into five
 * columns x, y, N, b, σ, and the kernel writes 15 f64 columns (x, y, N, b, σ, the five √CRLB, ℓ,
 * residual std, iterations, status, warm start), copied out into the caller's FitResults. The
 * regions grow by doubling. One instance (its own memory) per FitWorkspace.
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
    return new WasmFitKernel(wasmModule(new URL('./fitKernel.wasm', import.meta.url)), options);
  }

  private constructor(module: object, options: ResolvedFitOptions) {
    this.exports = instantiate<KernelExports>(module, { env: { abort: () => { throw new Error('fitKernel.wasm aborted'); } } });
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
      v.starts.set(start.x.subarray(0, count), 0);
      v.starts.set(start.y.subarray(0, count), stride);
      v.starts.set(start.photons.subarray(0, count), 2 * stride);
      v.starts.set(start.background.subarray(0, count), 3 * stride);
      if (start.sigma) v.starts.set(start.sigma.subarray(0, count), 4 * stride);
      else v.starts.fill(Number.NaN, 4 * stride, 4 * stride + count);
    }
    this.exports.fitBatch(this.pointers.data, count, start ? this.pointers.starts : 0, this.pointers.out, stride, shift ? this.pointers.shift : 0);
    const o = v.out;
    const column = (c: number) => o.subarray(c * stride, c * stride + count);
    out.x.set(column(0));
    out.y.set(column(1));
    out.photons.set(column(2));
    out.background.set(column(3));
    out.sigma.set(column(4));
    out.uncertaintyX.set(column(5));
    out.uncertaintyY.set(column(6));
    out.uncertaintyPhotons.set(column(7));
    out.uncertaintyBackground.set(column(8));
    out.uncertaintySigma.set(column(9));
    out.logLikelihood.set(column(10));
    out.residualStd.set(column(11));
    out.iterations.set(column(12));
    out.status.set(column(13));
    out.warmStart.set(column(14));
    out.chiSquare.set(column(15));
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
