import { FisherScoring } from './FisherScoring.js';
import { MIN_START_BACKGROUND, MIN_START_PHOTONS, STATUS_BAD_DATA, STATUS_CONVERGED, STATUS_SINGULAR, STATUS_Z_RANGE, Z_EDGE_NM, Z_START_HIGH, Z_START_LOW, Z_START_MID } from './fitConstants.js';
import { PoissonEstimator } from './PoissonEstimator.js';
import type { PsfModel } from './PsfModel.js';

/** Parameters of a 3-D fit: x, y (px in the patch), N (photons), b (photons/px), z (nm). */
const P = 5;
/** The z starts (fitConstants.ts), as fractions of the half range about its centre. */
const Z_STARTS = [Z_START_LOW, Z_START_MID, Z_START_HIGH] as const;

/** The optional convergence tests of {@link FisherScoring.run} (each 0: off). */
export interface ScoringStops {
  /** Converged when a barely damped step begins where the Newton decrement is below this. */
  readonly settled: number;
  /** Converged when a barely damped accepted step raises ℓ by less than this. */
  readonly minGain: number;
  /** A step that gains less than this share of its predicted gain raises the damping. */
  readonly minRatio: number;
}

/** No optional test: a fit converges on the position tolerance alone. */
export const NO_STOPS: ScoringStops = { settled: 0, minGain: 0, minRatio: 0 };

/**
 * The 3-D fit of one spot through any {@link PsfModel} of θ = (x, y, N, b, z) (the astigmatic
 * Gaussian, docs/design.md §8, or a measured spline): Poisson maximum likelihood
 * ({@link PoissonEstimator}) by the one solver ({@link FisherScoring}: Fisher scoring with
 * Levenberg–Marquardt damping), z kept inside the model's range; the likelihood is not
 * convex in z, so three z starts are ranked by their ℓ and the fit runs from the best, from the
 * next only when it does not converge (measured on the astigmatic model: the same precision as
 * fitting all three and keeping the best, 2.4–2.9× faster), or, with `everyStart` (a PSF that
 * looks alike above and below focus), from every start fitted (a subclass may rank more starts
 * than it fits: the spline's scan); with the camera's shift s the shifted Poisson of n + s with
 * mean μ + s. The CRLB of every parameter from the 5-parameter Fisher information. Allocates nothing per fit; never throws: the status says what happened
 * (STATUS_Z_RANGE when z ends at an edge of the range).
 */
export class ZStartFit<M extends PsfModel> {
  readonly box: number;
  /** θ̂ after {@link fit}: x, y (px in the patch), N, b, z (nm). */
  readonly theta = new Float64Array(P);
  /** √CRLB of each parameter (x, y in px, z in nm), before any noise scale. */
  readonly crlb = new Float64Array(P);
  logLikelihood = Number.NaN;
  iterations = 0;
  protected readonly estimator: PoissonEstimator;
  private readonly scoring = new FisherScoring(P);
  private readonly best = new Float64Array(P);
  /** The z starts' ℓ, and their numbers ranked by it (largest first). */
  private readonly startOrder: Float64Array;
  private readonly ranked: Int32Array;

  /**
   * @param model - the PSF model, θ = (x, y, N, b, z)
   * @param zRangeNm - the depths it covers, nm
   * @param everyStart - fit from every start fitted (the best-ranked `fits`: all three Z_START_*
   *   fractions here, the spline's best SPLINE_Z_SCAN_FITS of its scan) and keep the best ℓ (a PSF
   *   whose z is ambiguous, as 2-D optics without astigmatism are above and below focus), not only
   *   until one converges @default false
   * @param starts - how many z starts a subclass ranks with its own {@link rankStart} and
   *   {@link placeStart} (the spline's scan of its planes) @default the three Z_START_* fractions
   * @param fits - the most starts fitted, best ranked first @default every start
   * @param stops - each start's fit's optional convergence tests ({@link FisherScoring.run}'s
   *   `settled`, `minGain`, `minRatio`: the spline's SPLINE_SETTLED_DECREMENT, the astigmatic
   *   fit's Z_MIN_GAIN and Z_MIN_GAIN_RATIO) @default {@link NO_STOPS}: the tolerance alone
   */
  constructor(
    protected readonly model: M,
    private readonly zRangeNm: readonly [number, number],
    private readonly everyStart = false,
    starts: number = Z_STARTS.length,
    private readonly fits: number = starts,
    private readonly stops: ScoringStops = NO_STOPS,
  ) {
    this.box = model.box;
    this.estimator = new PoissonEstimator(model);
    this.startOrder = new Float64Array(starts);
    this.ranked = new Int32Array(starts);
  }

  /**
   * ℓ of z start `s` for the patch at `data[at …]` (bound to the estimator; `shift` the camera's),
   * which ranks it: here θ at {@link placeStart}'s start, evaluated.
   */
  protected rankStart(_data: Float64Array, _at: number, _shift: Float64Array | undefined, start: { x: number; y: number; photons: number; background: number }, s: number): number {
    this.placeStart(start, s);
    return this.estimator.evaluate(this.theta);
  }

  /**
   * Whether to fit from every start (up to `fits`) for this lateral start and keep the best ℓ:
   * here the constructor's `everyStart`.
   */
  protected everyStartFor(_start: { x: number; y: number }): boolean {
    return this.everyStart;
  }

  /**
   * The status of one start's fit, θ at its end (the estimator's patch bound): here the solver's.
   * A subclass may return STATUS_Z_RANGE for a fit at the range's edge: the next start is then
   * tried, and if none converges inside the range the best is reported with its CRLB.
   */
  protected settle(status: number): number {
    return status;
  }

  /** θ = the lateral start with z at start number `s`. */
  protected placeStart(start: { x: number; y: number; photons: number; background: number }, s: number): void {
    const range = this.zRangeNm;
    const lo = range[0], hi = range[1];
    const theta = this.theta;
    theta[0] = start.x;
    theta[1] = start.y;
    theta[2] = Math.max(start.photons, MIN_START_PHOTONS);
    theta[3] = Math.max(start.background, MIN_START_BACKGROUND);
    theta[4] = (lo + hi) / 2 + (Z_STARTS[s] * (hi - lo)) / 2;
  }

  /** The standard deviation of n − μ over the patch at θ̂, photons. */
  residualStd(data: Float64Array, at: number): number {
    this.estimator.bind(data, at, undefined);
    return this.estimator.residualStd();
  }

  /**
   * Fit the spot from a lateral start (x, y px in the patch, N, b) and the z start of largest ℓ
   * (the others if that fit does not converge), with its CRLB.
   * @param data - photons; the patch at `data[at … at + box² − 1]`, row-major
   * @param start - x, y (px), N (photons), b (photons/px)
   * @param options - iteration limit, tolerance (px; z in the model's units of a position step), the camera's shifts
   * @returns a status code (fitConstants.ts)
   */
  fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const { theta, best } = this;
    this.crlb.fill(Number.NaN);
    for (let i = 0; i < this.box * this.box; i++) if (!Number.isFinite(data[at + i])) return STATUS_BAD_DATA;
    const range = this.zRangeNm;
    const lo = range[0], hi = range[1];
    let bestLl = Number.NEGATIVE_INFINITY;
    let bestStatus = STATUS_BAD_DATA;
    let iterations = 0;
    // The starts' likelihoods first; the fit runs from the best one, then from the others only
    // when it does not converge.
    const { estimator, scoring } = this;
    estimator.bind(data, at, options.shift);
    const order = this.startOrder;
    for (let s = 0; s < order.length; s++) order[s] = this.rankStart(data, at, options.shift, start, s);
    // A stable insertion sort, largest ℓ first (−∞ ties keep their order).
    const ranked = this.ranked;
    for (let i = 0; i < ranked.length; i++) {
      let j = i - 1;
      while (j >= 0 && order[ranked[j]] < order[i]) {
        ranked[j + 1] = ranked[j];
        j--;
      }
      ranked[j + 1] = i;
    }
    const every = this.everyStartFor(start);
    for (let k = 0; k < this.fits; k++) {
      const s = ranked[k];
      this.placeStart(start, s);
      const status = this.settle(scoring.run(estimator, theta, P, options.maxIterations, options.tolerance, this.stops.settled, this.stops.minGain, this.stops.minRatio));
      this.logLikelihood = scoring.logLikelihood;
      iterations += scoring.iterations;
      const better = status === STATUS_CONVERGED ? bestStatus !== STATUS_CONVERGED || this.logLikelihood > bestLl : bestStatus !== STATUS_CONVERGED && this.logLikelihood > bestLl;
      if (better) {
        best.set(theta);
        bestLl = this.logLikelihood;
        bestStatus = status;
      }
      if (bestStatus === STATUS_CONVERGED && !every) break;
    }
    theta.set(best);
    this.iterations = iterations;
    this.logLikelihood = estimator.evaluate(theta);
    // A settled fit at the range's edge (STATUS_Z_RANGE from a subclass's settle) keeps its CRLB.
    if (bestStatus !== STATUS_CONVERGED && bestStatus !== STATUS_Z_RANGE) return bestStatus;
    if (!estimator.bound(theta, this.crlb, scoring.gradient, scoring.fisher)) return STATUS_SINGULAR;
    if (theta[4] <= lo + Z_EDGE_NM || theta[4] >= hi - Z_EDGE_NM) return STATUS_Z_RANGE;
    return STATUS_CONVERGED;
  }
}
