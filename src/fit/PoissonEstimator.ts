import { cramerRaoBound } from './cramerRaoBound.js';
import type { ScoringModel } from './FisherScoring.js';
import { poissonLogLikelihood } from './poissonLogLikelihood.js';
import type { PsfModel } from './PsfModel.js';
import { residualSpread } from './residualSpread.js';

/**
 * The one estimator of every {@link PsfModel}: Poisson maximum likelihood over one window
 * (docs/design.md §3, §6), given to {@link FisherScoring} as its {@link ScoringModel}:
 *
 *     ℓ(θ) = Σ_k (n_k + s_k)·ln(μ_k + s_k) − (μ_k + s_k)
 *     ∂ℓ/∂θ_a = Σ_k ((n_k + s_k)/(μ_k + s_k) − 1)·∂μ_k/∂θ_a
 *     I_ab = Σ_k ∂μ_k/∂θ_a·∂μ_k/∂θ_b / (μ_k + s_k)
 *
 * s the camera's shift of each pixel (sCMOS read noise σ_k² in photons: the shifted Poisson of
 * Huang et al. 2013), 0 for a Poisson camera. An EMCCD's excess noise scales the variance, not
 * the mean: ℓ is maximized as is, and the bound is scaled by {@link cramerRaoBound}'s noiseScale.
 * Holds μ of the window (box² values) and one pixel's ∂μ/∂θ; allocates nothing per call.
 */
export class PoissonEstimator implements ScoringModel {
  /** μ of every pixel at the θ last evaluated (photons, without the shift). */
  readonly mu: Float64Array;
  private readonly d: Float64Array;
  private readonly scratch: Float64Array;
  private data: Float64Array = new Float64Array(0);
  private at = 0;
  private shift: Float64Array | undefined = undefined;

  /**
   * @param model - the PSF model (its parameter count may change between fits, up to `maxParameters`)
   * @param maxParameters - the most parameters the model has @default model.parameters.length
   */
  constructor(readonly model: PsfModel, maxParameters = model.parameters.length) {
    this.mu = new Float64Array(model.box * model.box);
    this.d = new Float64Array(maxParameters);
    this.scratch = new Float64Array(maxParameters * maxParameters + maxParameters);
  }

  /**
   * The window the next calls fit.
   * @param data - photons; the window at `data[at … at + box² − 1]`, row-major
   * @param at - its first pixel
   * @param shift - the camera's shift of each pixel, laid out as `data` @default none
   */
  bind(data: Float64Array, at: number, shift: Float64Array | undefined): void {
    this.data = data;
    this.at = at;
    this.shift = shift;
  }

  /** μ at θ into {@link mu}; ℓ(θ), or −∞ where θ is impossible or some μ + s ≤ 0. */
  evaluate(theta: Float64Array): number {
    const box = this.model.box;
    if (!this.model.evaluate(theta, this.mu, false)) return Number.NEGATIVE_INFINITY;
    return poissonLogLikelihood(this.mu, this.data, this.at, box * box, this.shift);
  }

  /** ∇ℓ and the Fisher information (p × p, row-major) at the θ last evaluated. */
  derivatives(theta: Float64Array, gradient: Float64Array, fisher: Float64Array): void {
    const { model, mu, d, data, at, shift } = this;
    const p = model.parameters.length;
    const count = model.box * model.box;
    gradient.fill(0, 0, p);
    fisher.fill(0, 0, p * p);
    for (let i = 0; i < count; i++) {
      model.derivatives(theta, i, d, 0, false);
      const s = shift ? shift[at + i] : 0;
      // One pixel's terms: (n/μ − 1)·∂μ/∂θ into ∇ℓ, ∂μ/∂θ_a·∂μ/∂θ_b/μ into I's lower triangle.
      const inv = 1 / (mu[i] + s);
      const w = (data[at + i] + s) * inv - 1;
      for (let a = 0; a < p; a++) {
        gradient[a] += w * d[a];
        const da = d[a] * inv;
        for (let e = 0; e <= a; e++) fisher[a * p + e] += da * d[e];
      }
    }
    for (let a = 0; a < p; a++) for (let e = 0; e < a; e++) fisher[e * p + a] = fisher[a * p + e];
  }

  propose(theta: Float64Array, step: Float64Array, trial: Float64Array): number {
    return this.model.propose(theta, step, trial);
  }

  leftWindow(theta: Float64Array): boolean {
    return this.model.leftWindow(theta);
  }

  /**
   * √CRLB of every parameter at the θ last evaluated (before any noise scale), into `out`.
   * @param fisher - scratch for the Fisher information, p² values
   * @param gradient - scratch for ∇ℓ, p values
   * @returns false where the information is singular (the bounds are NaN)
   */
  bound(theta: Float64Array, out: Float64Array, gradient: Float64Array, fisher: Float64Array): boolean {
    const p = this.model.parameters.length;
    this.derivatives(theta, gradient, fisher);
    if (!cramerRaoBound(fisher, p, 1, out, this.scratch)) return false;
    for (let a = 0; a < p; a++) out[a] = Math.sqrt(out[a]);
    return true;
  }

  /** The standard deviation of n − μ over the window at the θ last evaluated, photons. */
  residualStd(): number {
    return residualSpread(this.data, this.at, this.mu);
  }
}
