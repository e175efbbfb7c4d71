import { MAX_MULTI_PARAMETERS, MAX_WINDOW } from './fitConstants.js';
import { fitKernelInstance } from './fitKernelInstance.js';
import { kernelViews } from './kernelViews.js';
import type { MultiEmitterFit } from './MultiEmitterFit.js';

interface JointExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  jointConfigure(window: number): void;
  jointFit(data: number, shift: number, sigma: number, k: number, maxIterations: number, tolerance: number): number;
  jointRefresh(data: number, shift: number, sigma: number, k: number): number;
  jointBound(data: number, shift: number, sigma: number, k: number): number;
  jointResidualStd(data: number): number;
  jointLogLikelihood(): number;
  jointIterations(): number;
  multiTheta(): number;
  multiCrlb(): number;
}

/** The calls of {@link MultiEmitterFit} a caller driving the joint fit itself uses (the residual passes). */
export type JointFits = Pick<MultiEmitterFit, 'box' | 'perEmitter' | 'maxEmitters' | 'theta' | 'crlb' | 'logLikelihood' | 'iterations' | 'fit' | 'refresh' | 'bound' | 'residualStd'>;

/**
 * {@link MultiEmitterFit}'s joint fit of K emitters of one σ on one background in the fit kernel
 * (assembly/JointFit.ts over assembly/MultiEmitterFit.ts: the same model, Fisher-scoring loop,
 * limits and CRLB, the same arithmetic in the same order, so the two agree to rounding — the
 * kernel's `exp` and `log` are not V8's; tested: the same statuses, θ̂ within 1e-6 px). Each
 * call copies the window (and its shifts) into the module's memory (its own instance of
 * fitKernel.wasm); θ and the √CRLB are views of the kernel's own arrays, so a start written
 * into {@link theta} is where the next fit starts.
 */
export class WasmMultiEmitterFit implements JointFits {
  readonly box: number;
  /** x, y, N per emitter. */
  readonly perEmitter = 3;
  readonly maxEmitters: number;
  private readonly exports: JointExports;
  private readonly area: number;
  private readonly pointers: { data: number; shift: number };
  private readonly layout: Record<'data' | 'shift' | 'theta' | 'crlb', readonly [number, number]>;
  private views: Record<'data' | 'shift' | 'theta' | 'crlb', Float64Array> | undefined;
  private sigma = 1;

  /**
   * @param box - window width, px (at most {@link MAX_WINDOW})
   * @param maxEmitters - most emitters one fit may hold
   * @throws KernelLoadError naming fitKernel.wasm when it cannot be loaded
   */
  constructor(box: number, maxEmitters: number) {
    if (!(box <= MAX_WINDOW)) throw new RangeError(`a joint-fit window of ${box} px is wider than the kernel's ${MAX_WINDOW}`);
    this.box = box;
    this.maxEmitters = maxEmitters;
    const e = (this.exports = fitKernelInstance<JointExports>());
    e.jointConfigure(box);
    this.area = box * box;
    const p = (this.pointers = { data: e.reserve(this.area * 8), shift: e.reserve(this.area * 8) });
    this.layout = { data: [p.data, this.area], shift: [p.shift, this.area], theta: [e.multiTheta(), MAX_MULTI_PARAMETERS], crlb: [e.multiCrlb(), MAX_MULTI_PARAMETERS] };
  }

  /** θ (x₁, y₁, N₁, …, b): the start of {@link fit}, θ̂ after it (the kernel's memory). */
  get theta(): Float64Array {
    return this.memory().theta;
  }
  /** √CRLB of each parameter after {@link bound}, in θ's order (the kernel's memory). */
  get crlb(): Float64Array {
    return this.memory().crlb;
  }
  /** ℓ(θ̂) of the last fit. */
  get logLikelihood(): number {
    return this.exports.jointLogLikelihood();
  }
  /** Iterations of the last fit. */
  get iterations(): number {
    return this.exports.jointIterations();
  }

  /** {@link MultiEmitterFit.fit}: K emitters from the start in {@link theta}. @returns a status code (fitConstants.ts) */
  fit(data: Float64Array, at: number, emitters: number, sigma: number, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    this.sigma = sigma;
    return this.exports.jointFit(this.pointers.data, this.load(data, at, options.shift), sigma, emitters, options.maxIterations, options.tolerance);
  }

  /** {@link MultiEmitterFit.refresh}: the model of θ evaluated again. @returns ℓ(θ) */
  refresh(data: Float64Array, at: number, emitters: number, sigma: number, shift?: Float64Array): number {
    this.sigma = sigma;
    return this.exports.jointRefresh(this.pointers.data, this.load(data, at, shift), sigma, emitters);
  }

  /** {@link MultiEmitterFit.bound}: the CRLB at the θ last fitted or refreshed. @returns false when singular */
  bound(emitters: number, data: Float64Array, at: number, shift?: Float64Array): boolean {
    return this.exports.jointBound(this.pointers.data, this.load(data, at, shift), this.sigma, emitters) !== 0;
  }

  /** {@link MultiEmitterFit.residualStd}: the spread of n − μ for the model last evaluated, photons. */
  residualStd(data: Float64Array, at: number): number {
    this.load(data, at, undefined);
    return this.exports.jointResidualStd(this.pointers.data);
  }

  /** Copy the window (and its shifts) into the kernel's memory. @returns the shifts' address, 0 without */
  private load(data: Float64Array, at: number, shift: Float64Array | undefined): number {
    const v = this.memory();
    const area = this.area;
    // Copied by index: a subarray view would be one object per call (a joint fit loads 2–4 times).
    const d = v.data;
    for (let i = 0; i < area; i++) d[i] = data[at + i];
    if (!shift) return 0;
    const s = v.shift;
    for (let i = 0; i < area; i++) s[i] = shift[at + i];
    return this.pointers.shift;
  }

  /** Views of the module's memory (made again if it has grown). */
  private memory(): Record<'data' | 'shift' | 'theta' | 'crlb', Float64Array> {
    return (this.views = kernelViews(this.exports.memory.buffer, this.layout, this.views));
  }
}
