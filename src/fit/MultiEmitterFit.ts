import { FisherScoring } from './FisherScoring.js';
import type { EmitterFits } from './EmitterFits.js';
import { STATUS_BAD_DATA } from './fitConstants.js';
import { GaussianModel } from './models/GaussianModel.js';
import { MultiEmitterModel } from './models/MultiEmitterModel.js';
import { PoissonEstimator } from './PoissonEstimator.js';
import { residualPeak } from './residualPeak.js';
import type { ResidualPeak } from './residualPeak.js';

/**
 * The joint Poisson maximum-likelihood fit of K emitters of one fixed σ on one background in a
 * square window (docs/design.md §3 and §9): the model of pixel i is
 *
 *     μ_i = b + Σ_k N_k · X_k(column_i) · Y_k(row_i)
 *
 * — the generic {@link MultiEmitterModel} of K copies of the 2-D {@link GaussianModel}, whose
 * pixel-integrated factors are computed once per iteration per emitter (the cached core).
 * Parameters θ = (x₁, y₁, N₁, …, x_K, y_K, N_K, b), 3K + 1 of them. The estimator is the one
 * of every model ({@link PoissonEstimator}: with the camera's shift s, the shifted Poisson of
 * n + s with mean μ + s), the solver the one of every model ({@link FisherScoring}: the step
 * solves (I + λ·diag I)·δ = ∇ℓ with I = Σ ∂μ∂μᵀ/(μ + s), and a step that lowers ℓ is retried
 * with more damping). At θ̂ the same I is the Fisher information: its inverse's diagonal gives
 * each emitter's CRLB from the joint model, so a crowded emitter reports its larger uncertainty.
 *
 * One instance holds the scratch for windows of `box` px and up to `maxEmitters` emitters;
 * fitting allocates nothing. Never throws for numeric reasons: the status says what happened.
 */
export class MultiEmitterFit implements EmitterFits {
  readonly box: number;
  /** x, y, N per emitter. */
  readonly perEmitter = 3;
  /** Neighbours centred just outside the window are held in the model ({@link EmitterFits.neighboursOutside}). */
  readonly neighboursOutside = true;
  readonly maxEmitters: number;
  /** θ̂ after {@link fit}: x, y (px in the window), N (photons) per emitter, then b. */
  readonly theta: Float64Array;
  /** √CRLB of each parameter, in θ's order (before any noise scale). */
  readonly crlb: Float64Array;
  /** ℓ(θ̂) = Σ (n + s) log(μ + s) − (μ + s) after {@link fit}. */
  logLikelihood = Number.NaN;
  /** Iterations of the last fit. */
  iterations = 0;
  private readonly model: MultiEmitterModel;
  /** The model's copies, typed (their σ is set per fit). */
  private readonly gaussians: GaussianModel[] = [];
  private readonly estimator: PoissonEstimator;
  private readonly scoring: FisherScoring;
  private readonly peak: ResidualPeak = { column: 0, row: 0, excess: 0, significance: 0 };

  /**
   * @param box - window width, px
   * @param maxEmitters - most emitters one fit may hold
   */
  constructor(box: number, maxEmitters: number) {
    this.box = box;
    this.maxEmitters = maxEmitters;
    const p = 3 * maxEmitters + 1;
    this.theta = new Float64Array(p);
    this.crlb = new Float64Array(p);
    const gaussians = this.gaussians;
    this.model = new MultiEmitterModel(() => {
      const copy = new GaussianModel(box, 1);
      gaussians.push(copy);
      return copy;
    }, maxEmitters);
    this.estimator = new PoissonEstimator(this.model, p);
    this.scoring = new FisherScoring(p);
  }

  /** The model of K emitters of σ (px) on the window at `data[at…]`. */
  private prepare(emitters: number, sigma: number | undefined, data: Float64Array, at: number, shift: Float64Array | undefined): void {
    this.model.emitters = emitters;
    if (sigma !== undefined) for (const copy of this.gaussians) copy.sigmaPx = sigma;
    this.estimator.bind(data, at, shift);
  }

  /**
   * Fit K emitters from the start in {@link theta} (x, y in window px, N, …, b).
   * @param data - photons; the window's pixels at `data[at … at + box² − 1]`, row-major
   * @param at - first pixel of the window
   * @param emitters - K
   * @param sigma - the PSF σ, px
   * @param options - iteration limit, tolerance on the position step (px), the camera's shifts
   * @returns a status code (fitConstants.ts); θ̂, ℓ and the iterations in the fields ({@link bound} gives the CRLB)
   */
  fit(data: Float64Array, at: number, emitters: number, sigma: number, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const { box } = this;
    this.iterations = 0;
    for (let i = 0; i < box * box; i++) if (!Number.isFinite(data[at + i])) return STATUS_BAD_DATA;
    this.prepare(emitters, sigma, data, at, options.shift);
    const status = this.scoring.run(this.estimator, this.theta, 3 * emitters + 1, options.maxIterations, options.tolerance);
    this.iterations = this.scoring.iterations;
    this.logLikelihood = this.scoring.logLikelihood;
    return status;
  }

  /**
   * The CRLB at the θ last fitted or refreshed (its axes and μ current): √ of the diagonal of
   * the inverse Fisher information, into {@link crlb}.
   * @returns false when the information is singular (the bounds are NaN)
   */
  bound(emitters: number, data: Float64Array, at: number, shift?: Float64Array): boolean {
    this.prepare(emitters, undefined, data, at, shift);
    return this.estimator.bound(this.theta, this.crlb, this.scoring.gradient, this.scoring.fisher);
  }

  /**
   * Evaluate the model of θ (K emitters) again, so that the residual and its spread are those
   * of θ (after a larger model was tried and refused).
   * @returns ℓ(θ)
   */
  refresh(data: Float64Array, at: number, emitters: number, sigma: number, shift?: Float64Array): number {
    this.prepare(emitters, sigma, data, at, shift);
    return this.estimator.evaluate(this.theta);
  }

  /** The standard deviation of n − μ over the window for the model last evaluated, photons. */
  residualStd(data: Float64Array, at: number): number {
    this.estimator.bind(data, at, undefined);
    return this.estimator.residualStd();
  }

  /** The 3×3-smoothed residual of the model last evaluated and where it is largest ({@link residualPeak}; scratch, reused). */
  residualPeak(data: Float64Array, at: number): ResidualPeak {
    return residualPeak(data, at, this.estimator.mu, this.box, this.peak);
  }
}
