import type { ResolvedFitOptions } from './FitOptions.js';
import { PatchLikelihood } from './PatchLikelihood.js';
import type { FitStatusCode } from './FitStatus.js';
import { FitStatus } from './FitStatus.js';
import { WasmFitKernel } from './WasmFitKernel.js';

/**
 * Everything one fitting thread needs, allocated once: the cached likelihood, the solver's
 * scratch, and the outcome of the last fit. Reuse it for every patch of a run (one per worker).
 */
export class FitWorkspace {
  /** The options this workspace was made for. */
  readonly options: ResolvedFitOptions;
  /** The cached likelihood; its `theta` holds the current / final estimate. */
  readonly likelihood: PatchLikelihood;
  /** Scratch: a P×P matrix (the Newton system). */
  readonly matrix = new Float64Array(25);
  /** Scratch: its Cholesky factor. */
  readonly lower = new Float64Array(25);
  /** Scratch: the last accepted θ (guarded Newton). */
  readonly accepted = new Float64Array(5);
  /** Scratch: the step δθ. */
  readonly step = new Float64Array(5);
  /** Scratch for the CRLB inversion (n² + n). */
  readonly inverseScratch = new Float64Array(30);
  /** Scratch: border pixels of a patch (for the background guess). */
  readonly border: Float64Array;
  /** CRLB variances of the last fit, in θ order (px², photons², (photons/px)², px²). */
  readonly crlb = new Float64Array(5);
  /** Status of the last fit. */
  status: FitStatusCode = FitStatus.converged;
  /** Iterations of the last fit (likelihood passes that moved θ). */
  iterations = 0;
  /** ℓ(θ̂) of the last fit (constants dropped, design.md §3). */
  logLikelihood = Number.NaN;
  /**
   * Set by the solver when its last pass already computed the Fisher information, ℓ and the
   * residuals (at the point one sub-tolerance step before θ̂), so no final pass is needed.
   */
  informationReady = false;
  /** Standard deviation of the residuals n − μ(θ̂) of the last fit, photons (K − P degrees of freedom). */
  residualStd = Number.NaN;
  /** Pearson's χ² of the last fit. */
  chiSquare = Number.NaN;
  /** The WebAssembly batch fit, where the options allow it (Newton, engine 'wasm'). */
  readonly kernel: WasmFitKernel | undefined;

  /** @param options - resolved fit options */
  constructor(options: ResolvedFitOptions) {
    this.options = options;
    this.likelihood = new PatchLikelihood(options.box, options.fitSigma);
    this.border = new Float64Array(4 * (options.box - 1));
    this.kernel = options.engine === 'wasm' ? WasmFitKernel.create(options) : undefined;
  }
}
