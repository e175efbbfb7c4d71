import type { EmitterSelection } from './EmitterSelection.js';
import { chiSquareThreshold } from './EmitterSelector.js';
import type { ResolvedMultiEmitterOptions } from './EmitterSelector.js';
import {
  MAX_MULTI_PARAMETERS,
  MAX_WINDOW,
  MULTI_OUT_ITERATIONS,
  MULTI_OUT_LOG_LIKELIHOOD,
  MULTI_OUT_RESIDUAL_STD,
  MULTI_OUT_STATUS,
  MULTI_OUTPUT_COLUMNS,
} from './fitConstants.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import { kernelViews } from './kernelViews.js';

interface MultiExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  multiConfigure(window: number, maxEmitters: number, llrThreshold: number): void;
  multiSelect(data: number, shift: number, x: number, y: number, photons: number, background: number, sigma: number, maxIterations: number, tolerance: number): number;
  multiTheta(): number;
  multiCrlb(): number;
  multiOut(): number;
}

/**
 * The multi-emitter model selection of {@link EmitterSelector} in the fit kernel
 * (assembly/EmitterSelector.ts, `multiSelect`): the same fits, tests and constants, the same
 * arithmetic in the same order, so the two agree to rounding (the kernel's `exp` and `log` are
 * not V8's; tested: the same K, θ̂ within 1e-6 px). The window is copied into the module's
 * memory (one instance of fitKernel.wasm per selector), and θ̂, the √CRLB and the scalars are
 * read from it afterwards.
 */
export class WasmEmitterSelector implements EmitterSelection {
  /** x, y, N per emitter (the 2-D Gaussian). */
  readonly perEmitter = 3;
  private readonly exports: MultiExports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number; theta: number; crlb: number; out: number };
  private readonly layout: Record<'data' | 'shift' | 'theta' | 'crlb' | 'out', readonly [number, number]>;
  private views: { data: Float64Array; shift: Float64Array; theta: Float64Array; crlb: Float64Array; out: Float64Array } | undefined;

  /**
   * @param window - window width, px (at most {@link MAX_WINDOW})
   * @param options - resolved multi-emitter options
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(window: number, options: ResolvedMultiEmitterOptions) {
    if (!(window <= MAX_WINDOW)) throw new RangeError(`a multi-emitter window of ${window} px is wider than the kernel's ${MAX_WINDOW}`);
    this.exports = fitKernelInstance<MultiExports>();
    this.exports.multiConfigure(window, options.maxEmitters, chiSquareThreshold(options.pValue, 3));
    this.area = window * window;
    const e = this.exports;
    const p = (this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8), theta: e.multiTheta(), crlb: e.multiCrlb(), out: e.multiOut() });
    this.layout = { data: [p.data, this.area], shift: [p.shift, this.area], theta: [p.theta, MAX_MULTI_PARAMETERS], crlb: [p.crlb, MAX_MULTI_PARAMETERS], out: [p.out, MULTI_OUTPUT_COLUMNS] };
  }

  get theta(): Float64Array {
    return this.memory().theta;
  }
  get crlb(): Float64Array {
    return this.memory().crlb;
  }
  get logLikelihood(): number {
    return this.memory().out[MULTI_OUT_LOG_LIKELIHOOD];
  }
  get iterations(): number {
    return this.memory().out[MULTI_OUT_ITERATIONS];
  }
  get residualStd(): number {
    return this.memory().out[MULTI_OUT_RESIDUAL_STD];
  }
  get status(): number {
    return this.memory().out[MULTI_OUT_STATUS];
  }

  select(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, sigma: number, solver: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const v = this.memory();
    v.data.set(data.subarray(at, at + this.area));
    if (solver.shift) v.shift.set(solver.shift.subarray(at, at + this.area));
    const p = this.pointers;
    return this.exports.multiSelect(p.data, solver.shift ? p.shift : 0, start.x, start.y, start.photons, start.background, sigma, solver.maxIterations, solver.tolerance);
  }

  /** Views of the module's memory (made again if it has grown). */
  private memory(): { data: Float64Array; shift: Float64Array; theta: Float64Array; crlb: Float64Array; out: Float64Array } {
    return (this.views = kernelViews(this.exports.memory.buffer, this.layout, this.views));
  }
}
