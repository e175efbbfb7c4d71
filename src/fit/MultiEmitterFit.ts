import { choleskyInverseDiagonal } from './cholesky.js';
import type { ScoringModel } from './FisherScoring.js';
import { FisherScoring } from './FisherScoring.js';
import { LEAVE_PATCH_PX, MAX_SHRINK, MIN_BACKGROUND, MIN_PHOTONS, MIN_RESIDUAL_VARIANCE, STATUS_BAD_DATA } from './fitConstants.js';
import { residualSpread } from './residualSpread.js';
import { GaussianAxis } from './GaussianAxis.js';
import { poissonLogLikelihood } from './poissonLogLikelihood.js';

/**
 * The joint Poisson maximum-likelihood fit of K emitters of one fixed σ on one background in a
 * square window (docs/design.md §3 and §9): the model of pixel i is
 *
 *     μ_i = b + Σ_k N_k · X_k(column_i) · Y_k(row_i)
 *
 * with the pixel-integrated Gaussian factors of each emitter computed once per iteration
 * ({@link GaussianAxis}: the cached core, per emitter). Parameters θ = (x₁, y₁, N₁, …, x_K, y_K,
 * N_K, b), 3K + 1 of them. The solver is Fisher scoring with Levenberg–Marquardt damping: the
 * step solves (I + λ·diag I)·δ = ∇ℓ with I = Σ ∂μ∂μᵀ/(μ + s), positive definite wherever the
 * model is identifiable, and a step that lowers ℓ is retried with more damping. With the
 * camera's shift s (read noise), the likelihood is the shifted Poisson of n + s with mean μ + s.
 * At θ̂ the same I is the Fisher information: its inverse's diagonal gives each emitter's CRLB
 * from the joint model, so a crowded emitter reports its larger uncertainty.
 *
 * One instance holds the scratch for windows of `box` px and up to `maxEmitters` emitters;
 * fitting allocates nothing. Never throws for numeric reasons: the status says what happened.
 */
export class MultiEmitterFit {
  readonly box: number;
  readonly maxEmitters: number;
  /** θ̂ after {@link fit}: x, y (px in the window), N (photons) per emitter, then b. */
  readonly theta: Float64Array;
  /** √CRLB of each parameter, in θ's order (before any noise scale). */
  readonly crlb: Float64Array;
  /** ℓ(θ̂) = Σ (n + s) log(μ + s) − (μ + s) after {@link fit}. */
  logLikelihood = Number.NaN;
  /** Iterations of the last fit. */
  iterations = 0;
  private readonly xAxes: GaussianAxis[];
  private readonly yAxes: GaussianAxis[];
  private readonly mu: Float64Array;
  private readonly scoring: FisherScoring;
  private readonly derivative: Float64Array;
  private readonly scratch: Float64Array;
  /** The window being fitted (set by {@link fit} for the model's callbacks). */
  private readonly job: { data: Float64Array; at: number; emitters: number; sigma: number; shift: Float64Array | undefined } = { data: new Float64Array(0), at: 0, emitters: 1, sigma: 1, shift: undefined };
  private readonly model: ScoringModel;

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
    this.xAxes = Array.from({ length: maxEmitters }, () => new GaussianAxis(box));
    this.yAxes = Array.from({ length: maxEmitters }, () => new GaussianAxis(box));
    this.mu = new Float64Array(box * box);
    this.scoring = new FisherScoring(p);
    this.derivative = new Float64Array(p);
    const job = this.job;
    this.model = {
      evaluate: (theta) => this.evaluate(theta, job.emitters, job.sigma, job.data, job.at, job.shift),
      derivatives: (theta) => this.derivatives(theta, job.emitters, job.data, job.at, job.shift),
      propose: (theta, step, trial) => {
        // N and b shrink by at most half a step (they stay positive); x, y move freely.
        const q = 3 * job.emitters + 1;
        let moved = 0;
        for (let a = 0; a < q; a++) {
          let v = theta[a] + step[a];
          if (a === q - 1 || a % 3 === 2) v = Math.max(v, Math.max(a === q - 1 ? MIN_BACKGROUND : MIN_PHOTONS, theta[a] * (1 - MAX_SHRINK)));
          else moved = Math.max(moved, Math.abs(v - theta[a]));
          trial[a] = v;
        }
        return moved;
      },
      leftWindow: (theta) => {
        for (let k = 0; k < job.emitters; k++) {
          const x = theta[3 * k];
          const y = theta[3 * k + 1];
          if (x < -LEAVE_PATCH_PX || y < -LEAVE_PATCH_PX || x > box + LEAVE_PATCH_PX || y > box + LEAVE_PATCH_PX) return true;
        }
        return false;
      },
    };
    this.scratch = new Float64Array(p * p + p);
  }

  /**
   * μ of every pixel for θ (K emitters), into `mu`, with the axes evaluated at θ.
   * @returns ℓ(θ) against the data, or −∞ where μ + s ≤ 0
   */
  private evaluate(theta: Float64Array, emitters: number, sigma: number, data: Float64Array, at: number, shift: Float64Array | undefined): number {
    const { box, mu, xAxes, yAxes } = this;
    for (let k = 0; k < emitters; k++) {
      xAxes[k].evaluate(theta[3 * k], sigma, false);
      yAxes[k].evaluate(theta[3 * k + 1], sigma, false);
    }
    const b = theta[3 * emitters];
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) {
        const i = r * box + c;
        let m = b;
        for (let k = 0; k < emitters; k++) m += theta[3 * k + 2] * xAxes[k].value[c] * yAxes[k].value[r];
        mu[i] = m;
      }
    }
    return poissonLogLikelihood(mu, data, at, box * box, shift);
  }

  /**
   * Gradient of ℓ and the Fisher information at the θ last evaluated (axes and μ current).
   */
  private derivatives(theta: Float64Array, emitters: number, data: Float64Array, at: number, shift: Float64Array | undefined): void {
    const { box, mu, xAxes, yAxes, derivative: d, scoring } = this;
    const p = 3 * emitters + 1;
    scoring.clear(p);
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) {
        const i = r * box + c;
        for (let k = 0; k < emitters; k++) {
          const n = theta[3 * k + 2];
          const xv = xAxes[k].value[c];
          const yv = yAxes[k].value[r];
          d[3 * k] = n * xAxes[k].dCenter[c] * yv;
          d[3 * k + 1] = n * xv * yAxes[k].dCenter[r];
          d[3 * k + 2] = xv * yv;
        }
        d[p - 1] = 1;
        const s = shift ? shift[at + i] : 0;
        scoring.addPixel(d, p, data[at + i] + s, mu[i] + s);
      }
    }
    scoring.mirror(p);
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
    const job = this.job;
    job.data = data;
    job.at = at;
    job.emitters = emitters;
    job.sigma = sigma;
    job.shift = options.shift;
    const status = this.scoring.run(this.model, this.theta, 3 * emitters + 1, options.maxIterations, options.tolerance);
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
    const p = 3 * emitters + 1;
    this.derivatives(this.theta, emitters, data, at, shift);
    if (!choleskyInverseDiagonal(this.scoring.fisher, p, this.crlb, this.scratch)) return false;
    for (let a = 0; a < p; a++) this.crlb[a] = Math.sqrt(this.crlb[a]);
    return true;
  }

  /**
   * Evaluate the model of θ (K emitters) again, so that the residual and its spread are those
   * of θ (after a larger model was tried and refused).
   * @returns ℓ(θ)
   */
  refresh(data: Float64Array, at: number, emitters: number, sigma: number, shift?: Float64Array): number {
    return this.evaluate(this.theta, emitters, sigma, data, at, shift);
  }

  /** The standard deviation of n − μ over the window for the model last evaluated, photons. */
  residualStd(data: Float64Array, at: number): number {
    return residualSpread(data, at, this.mu);
  }

  /**
   * The residual n − μ of the last fit, smoothed over 3×3 pixels, and the pixel where it is
   * largest: where the next emitter starts (Huang et al. 2011; ThunderSTORM's multi-emitter
   * analysis).
   * @returns the pixel (column, row), the residual's sum over the 3×3 there (photons), and that
   *   sum over its Poisson standard deviation √Σμ (how many σ the excess is)
   */
  residualPeak(data: Float64Array, at: number): { column: number; row: number; excess: number; significance: number } {
    const { box, mu } = this;
    let best = Number.NEGATIVE_INFINITY;
    let bestVariance = 1;
    let column = box >> 1;
    let row = box >> 1;
    for (let r = 0; r < box; r++) {
      for (let c = 0; c < box; c++) {
        let s = 0;
        let variance = 0;
        for (let dr = -1; dr <= 1; dr++) {
          const rr = r + dr;
          if (rr < 0 || rr >= box) continue;
          for (let dc = -1; dc <= 1; dc++) {
            const cc = c + dc;
            if (cc < 0 || cc >= box) continue;
            const i = rr * box + cc;
            s += data[at + i] - mu[i];
            variance += mu[i];
          }
        }
        if (s > best) {
          best = s;
          bestVariance = variance;
          column = c;
          row = r;
        }
      }
    }
    return { column, row, excess: best, significance: best / Math.sqrt(Math.max(bestVariance, MIN_RESIDUAL_VARIANCE)) };
  }
}
