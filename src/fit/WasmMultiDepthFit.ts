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
import type { DepthKernelMemory } from './WasmDepthFit.js';
import { kernelViews } from './kernelViews.js';

/**
 * The shared half of the K-emitter 3-D fits in the fit kernel ({@link WasmMultiAstigmaticFit},
 * `multiZFit`; {@link WasmMultiSplineFit}, `multiSplineFit`), as {@link WasmDepthFit} is for the
 * single ones: both take θ = (x₁, y₁, N₁, z₁, …, b) from the caller's start and write the result
 * in the same out layout (MULTI_Z_OUT_* in fitConstants.ts). This class holds the window's and
 * the camera shift's buffers in the module's memory, copies each window and start in and reads the
 * result out; a subclass configures its kernel and names its entry point ({@link kernelFit}).
 */
export abstract class WasmMultiDepthFit<Exports extends DepthKernelMemory> {
  /** θ̂ after {@link fit} (its first MULTI_Z_PER_EMITTER·K + 1 values). */
  readonly theta = new Float64Array(MULTI_Z_MAX_PARAMETERS);
  /** √CRLB of θ̂ (x, y px, N photons, z nm, b photons/px), before any noise scale; NaN unless converged. */
  readonly crlb = new Float64Array(MULTI_Z_MAX_PARAMETERS);
  logLikelihood = Number.NaN;
  iterations = 0;
  /** The standard deviation of n − μ over the window at θ̂, photons. */
  residualStd = Number.NaN;
  /** The kernel instance's exports (its own instance of fitKernel.wasm). */
  protected readonly exports: Exports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; theta: number; out: number };
  private readonly layout: Record<'data' | 'shift' | 'theta' | 'out', readonly [number, number]>;
  private views: { data: Float64Array; shift: Float64Array; theta: Float64Array; out: Float64Array } | undefined;
  /** The kernel's μ of the last {@link evaluate}, viewed (made again if the memory grew): no view per refresh. */
  private muView: Float64Array | undefined;

  /**
   * @param window - window width, px (at most {@link MAX_WINDOW})
   * @param setUp - makes and configures the kernel instance (after the width is checked), returns its exports and its θ and out pointers
   * @throws RangeError when `window` exceeds MAX_WINDOW; KernelLoadError (from `setUp`) when fitKernel.wasm cannot be loaded
   */
  protected constructor(readonly window: number, setUp: () => { exports: Exports; theta: number; out: number }) {
    if (!(window <= MAX_WINDOW)) throw new RangeError(`a 3-D window of ${window} px is wider than the kernel's ${MAX_WINDOW}`);
    const { exports: e, theta, out } = setUp();
    this.exports = e;
    this.area = window * window;
    const p = (this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), theta, out });
    this.layout = { data: [p.data, this.area], shift: [p.shift, this.area], theta: [theta, MULTI_Z_MAX_PARAMETERS], out: [out, MULTI_Z_OUTPUT_COLUMNS] };
  }

  /**
   * The kernel's entry point for one window (pointers into its memory; `shift` 0 for none; the start θ already in place).
   * @returns a status code (fitConstants.ts); the result is in the out layout
   */
  protected abstract kernelFit(data: number, shift: number, emitters: number, maxIterations: number, tolerance: number): number;

  /**
   * The kernel's z start for one emitter (pointers into its memory; `shift` 0 for none; the θ already in place).
   * @returns the z chosen, nm
   */
  protected abstract kernelStart(data: number, shift: number, e: number, zLo: number, zHi: number, starts: number): number;

  /**
   * The kernel's μ of the K-emitter θ already in place (pointers into its memory; `shift` 0 for none).
   * @returns ℓ, or −∞ where θ is impossible; μ at {@link kernelMu}
   */
  protected abstract kernelValues(data: number, shift: number, emitters: number): number;

  /** The address of the kernel's μ (window² f64) after {@link kernelValues}. */
  protected abstract kernelMu(): number;

  /**
   * Reads what a subclass adds to the result from the out layout (called after each fit).
   * @param _out - the kernel's out columns (MULTI_Z_OUTPUT_COLUMNS values)
   */
  protected readExtra(_out: Float64Array): void {}

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
    const status = this.kernelFit(this.pointers.data, options.shift ? this.pointers.shift : 0, emitters, options.maxIterations, options.tolerance);
    const out = v.out;
    this.theta.set(out.subarray(MULTI_Z_OUT_THETA, MULTI_Z_OUT_THETA + MULTI_Z_MAX_PARAMETERS));
    this.crlb.set(out.subarray(MULTI_Z_OUT_CRLB, MULTI_Z_OUT_CRLB + MULTI_Z_MAX_PARAMETERS));
    this.readExtra(out);
    this.logLikelihood = out[MULTI_Z_OUT_LOG_LIKELIHOOD];
    this.iterations = out[MULTI_Z_OUT_ITERATIONS];
    this.residualStd = out[MULTI_Z_OUT_RESIDUAL_STD];
    return status;
  }

  /**
   * DepthEmitterFits.startOwn in the kernel: z of emitter e of the (e + 1)-emitter θ (its x, y,
   * N and b placed; b at θ[MULTI_Z_PER_EMITTER·(e + 1)]), the most likely of `starts` depths
   * zLo + (s + ½)·(zHi − zLo)/starts with the emitters before it held at their θ; (zLo + zHi)/2
   * where no depth is possible.
   * @param data - photons; the window at `data[at … at + window² − 1]`, row-major
   * @param e - the emitter, 0 … MAX_EMITTERS − 1
   * @param theta - θ, at least MULTI_Z_PER_EMITTER·(e + 1) + 1 values (not changed)
   * @param shift - the camera's shifts, laid out as `data` @default none
   * @param zLo - the range's low end, nm
   * @param zHi - its high end, nm
   * @param starts - depths tried
   * @returns z, nm
   */
  startOwn(data: Float64Array, at: number, e: number, theta: Float64Array, shift: Float64Array | undefined, zLo: number, zHi: number, starts: number): number {
    const v = this.memory();
    v.data.set(data.subarray(at, at + this.area));
    if (shift) v.shift.set(shift.subarray(at, at + this.area));
    v.theta.set(theta.subarray(0, MULTI_Z_PER_EMITTER * (e + 1) + 1));
    return this.kernelStart(this.pointers.data, shift ? this.pointers.shift : 0, e, zLo, zHi, starts);
  }

  /**
   * DepthEmitterFits.refresh in the kernel: μ of the K-emitter θ over the window (the emitters'
   * values alone) into `mu`.
   * @param data - photons; the window at `data[at … at + window² − 1]`, row-major
   * @param emitters - K, 1 … MAX_EMITTERS
   * @param theta - θ, MULTI_Z_PER_EMITTER·K + 1 values (not changed)
   * @param shift - the camera's shifts, laid out as `data` @default none
   * @param mu - window² values, overwritten
   * @returns ℓ(θ), or −∞ where θ is impossible or some μ + s ≤ 0 (μ then partly written)
   */
  evaluate(data: Float64Array, at: number, emitters: number, theta: Float64Array, shift: Float64Array | undefined, mu: Float64Array): number {
    if (!(Number.isInteger(emitters) && emitters >= 1 && emitters <= MAX_EMITTERS)) throw new RangeError(`emitters must be 1 to ${MAX_EMITTERS}, got ${emitters}`);
    const v = this.memory();
    v.data.set(data.subarray(at, at + this.area));
    if (shift) v.shift.set(shift.subarray(at, at + this.area));
    v.theta.set(theta.subarray(0, MULTI_Z_PER_EMITTER * emitters + 1));
    const ll = this.kernelValues(this.pointers.data, shift ? this.pointers.shift : 0, emitters);
    const muAt = this.kernelMu();
    const buffer = this.exports.memory.buffer;
    let view = this.muView;
    if (!view || view.buffer !== buffer || view.byteOffset !== muAt) view = this.muView = new Float64Array(buffer, muAt, this.area);
    mu.set(view);
    return ll;
  }

  /** Views of the module's memory (made again if it has grown). */
  private memory(): { data: Float64Array; shift: Float64Array; theta: Float64Array; out: Float64Array } {
    return (this.views = kernelViews(this.exports.memory.buffer, this.layout, this.views));
  }
}
