import jstat from 'jstat';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import {
  MAX_EMITTERS,
  MIN_EMITTER_PHOTONS,
  MIN_RESIDUAL_SIGNIFICANCE,
  MIN_START_BACKGROUND,
  MIN_START_PHOTONS,
  MIN_TRIAL_ITERATIONS,
  NEW_EMITTER_PHOTONS_FACTOR,
  STATUS_CONVERGED,
  STATUS_SINGULAR,
  TRIAL_ITERATION_SHARE,
  TRIAL_TOLERANCE_PX,
} from './fitConstants.js';
import type { EmitterFits } from './EmitterFits.js';
import type { EmitterSelection } from './EmitterSelection.js';
import { MultiEmitterFit } from './MultiEmitterFit.js';

/** Options of multi-emitter fitting. */
export interface MultiEmitterOptions {
  /**
   * Fit crowded candidates with several emitters. In 3-D it also turns on the refits of every
   * converged row with its neighbours' fitted models held as known background and, where the
   * calibration's model follows the beads (a spline; astigmatic curves whose record says so) and
   * {@link maxEmitters} ≥ 2, the split of rows much brighter than the frame's typical row into
   * pairs (DepthRefits). @default true
   */
  enabled?: boolean;
  /** Most emitters in one window. @default 5 (ThunderSTORM's) */
  maxEmitters?: number;
  /** A model of one more emitter is kept when the likelihood-ratio test's p-value is below this. @default 1e-6 (ThunderSTORM's) */
  pValue?: number;
  /**
   * A single fit is tested for more emitters when its deviance is this unlikely for one emitter
   * (χ² goodness of fit, p-value below this). @default 1e-3
   */
  ambiguityPValue?: number;
  /**
   * Find–fit–subtract passes over the frame (2-D): after the first, the converged fits' models
   * are subtracted, the residual detected again, and each new candidate fitted with the fits so
   * far held as a known background (docs/guides/crowded-spots.md). 1: one pass. Frames in
   * which no window the crowding test tried is left unexplained by its chosen model (a 3×3
   * residual peak above MIN_RESIDUAL_SIGNIFICANCE or a deviance above the χ² quantile:
   * CrowdingResolver.unexplained) skip the rest; the others look around those windows'
   * candidates and the rows with a neighbour (simulated 256², 0.061 /µm², 300 frames: 29 frames
   * run the passes, 212 with any tried window). 3-D runs and frames over a known
   * per-pixel background (the temporal median) take one pass. With 3 passes, at 1.5 / 4 / 6
   * emitters/µm² Jaccard 86.4 → 95.6, 58.0 → 85.0, 41.9 → 73.2 %, at most 0.54 false positives a
   * frame; CPU ×1.0 at 0.05 /µm², ×1.7–2.0 at 0.3 /µm² (test/bench/crowdedScore.ts).
   * @default 3 with multi-emitter fitting on, 1 with it off
   */
  passes?: number;
}

/** The defaults of {@link MultiEmitterOptions}, stated once. */
export const MULTI_EMITTER_DEFAULTS = { enabled: true, maxEmitters: 5, pValue: 1e-6, ambiguityPValue: 1e-3, passes: 3 } as const;

/** The most find–fit–subtract passes ({@link MultiEmitterOptions.passes}). */
export const MAX_PASSES = 5;

/** Resolved {@link MultiEmitterOptions}. */
export type ResolvedMultiEmitterOptions = { readonly [K in keyof MultiEmitterOptions]-?: NonNullable<MultiEmitterOptions[K]> };

/**
 * Defaults filled in and checked.
 * @throws InvalidOptionError naming the option
 */
export function resolveMultiEmitterOptions(options: MultiEmitterOptions = {}): ResolvedMultiEmitterOptions {
  const o = { ...MULTI_EMITTER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as ResolvedMultiEmitterOptions;
  // Multi-emitter fitting off is single-emitter fitting: no passes unless asked for.
  if (options.passes === undefined && !o.enabled) (o as { passes: number }).passes = 1;
  if (!(Number.isInteger(o.maxEmitters) && o.maxEmitters >= 1 && o.maxEmitters <= MAX_EMITTERS)) throw new InvalidOptionError(`multi-emitter option maxEmitters must be a whole number from 1 to ${MAX_EMITTERS}, got ${o.maxEmitters}`, 'multiEmitter.maxEmitters');
  if (!(Number.isInteger(o.passes) && o.passes >= 1 && o.passes <= MAX_PASSES)) throw new InvalidOptionError(`multi-emitter option passes must be a whole number from 1 to ${MAX_PASSES}, got ${o.passes}`, 'multiEmitter.passes');
  for (const key of ['pValue', 'ambiguityPValue'] as const) {
    if (!(o[key] > 0 && o[key] < 1)) throw new InvalidOptionError(`multi-emitter option ${key} must be between 0 and 1, got ${o[key]}`, `multiEmitter.${key}`);
  }
  return o;
}

/** The χ² value a statistic must exceed for a p-value below `p` with `dof` degrees of freedom. */
export function chiSquareThreshold(p: number, dof: number): number {
  return jstat.jStat.chisquare.inv(1 - p, dof);
}

/**
 * How many emitters a window holds, by ThunderSTORM's multi-emitter analysis (after Huang et
 * al., Biomed. Opt. Express 2:1377, 2011): fit one emitter; add the next at the maximum of the
 * smoothed residual and refit all jointly from the data; keep the larger model while the
 * likelihood-ratio statistic 2(ℓ_K − ℓ_{K−1}) exceeds the χ² quantile of 1 − p with as many
 * degrees of freedom as one emitter has parameters (3 in 2-D: x, y, N; 4 in 3-D: x, y, N, z),
 * the fit converged, and every emitter is bright (N > 0) and inside the window (in 2-D a
 * neighbour centred up to LEAVE_PATCH_PX outside it counts too: {@link EmitterFits.neighboursOutside};
 * in 3-D also inside the z range: {@link EmitterFits.plausibleOwn}). The background is shared. One
 * selection for every PSF model: the K-emitter fit ({@link EmitterFits}) is the model's, the
 * 2-D Gaussian's ({@link MultiEmitterFit}) unless another is given; a 3-D model's z of an
 * added emitter starts from the residual ({@link EmitterFits.startOwn}). Afterwards
 * {@link theta} holds the chosen model's θ̂ and {@link emitters} its K.
 */
export class EmitterSelector<F extends EmitterFits = MultiEmitterFit> implements EmitterSelection {
  readonly fit: F;
  /** K of the chosen model after {@link select}. */
  emitters = 0;
  /** Status of the chosen model's fit. */
  status = 0;
  /** The standard deviation of the chosen model's residual, photons. */
  residualStd = Number.NaN;
  private readonly threshold: number;
  private readonly best: Float64Array;

  get theta(): Float64Array {
    return this.fit.theta;
  }
  get crlb(): Float64Array {
    return this.fit.crlb;
  }
  get logLikelihood(): number {
    return this.fit.logLikelihood;
  }
  get iterations(): number {
    return this.fit.iterations;
  }
  /** Parameters of one emitter in {@link theta} (the fit's). */
  get perEmitter(): number {
    return this.fit.perEmitter;
  }

  /**
   * @param box - window width, px
   * @param options - resolved multi-emitter options
   * @param fit - the K-emitter fit of the model, for windows of `box` px and up to
   *   `options.maxEmitters` emitters @default the 2-D Gaussian's MultiEmitterFit
   */
  constructor(box: number, private readonly options: ResolvedMultiEmitterOptions, fit?: F) {
    this.fit = fit ?? (new MultiEmitterFit(box, options.maxEmitters) as unknown as F);
    this.threshold = chiSquareThreshold(options.pValue, this.fit.perEmitter);
    this.best = new Float64Array(this.fit.theta.length);
  }

  /**
   * Choose K for one window and fit it.
   * @param data - photons of the window at `data[at…]`
   * @param at - its first pixel
   * @param start - one emitter's start (window px, photons), the background, and in 3-D its z
   *   (nm; NaN or absent: from the window, {@link EmitterFits.startOwn})
   * @param sigma - PSF σ, px (2-D)
   * @param solver - iteration limit, position tolerance (px), the camera's shifts
   * @returns the chosen K (0 when even one emitter does not fit)
   */
  select(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number; z?: number }, sigma: number, solver: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const { fit, best } = this;
    const box = fit.box;
    const theta = fit.theta;
    const q = fit.perEmitter;
    // Models are compared after fits to a looser tolerance and a share of the iterations (as
    // ThunderSTORM's model selection); the chosen one is then fitted to the full tolerance.
    const trial = { ...solver, tolerance: Math.max(solver.tolerance, TRIAL_TOLERANCE_PX), maxIterations: Math.max(MIN_TRIAL_ITERATIONS, Math.ceil(solver.maxIterations * TRIAL_ITERATION_SHARE)) };
    theta[0] = start.x;
    theta[1] = start.y;
    theta[2] = Math.max(start.photons, MIN_START_PHOTONS);
    theta[q] = Math.max(start.background, MIN_START_BACKGROUND);
    if (q > 3) {
      const z = start.z ?? Number.NaN;
      if (Number.isFinite(z)) theta[3] = z;
      else fit.startOwn?.(data, at, 0, solver.shift);
    }
    this.emitters = 0;
    this.status = fit.fit(data, at, 1, sigma, trial);
    // A 3-D single fit of a pair walks along z: it goes on to the full limit before the window is given up.
    if (this.status !== STATUS_CONVERGED && fit.continueFirst) this.status = fit.fit(data, at, 1, sigma, solver);
    if (this.status !== STATUS_CONVERGED) return 0;
    let k = 1;
    let ll = fit.logLikelihood;
    best.set(theta.subarray(0, q + 1));
    for (let next = 2; next <= this.options.maxEmitters; next++) {
      // The new emitter at the residual's peak, with the excess photons there (a 3×3 sum holds
      // about half of a σ ≈ 1.3 px spot); the others from the last model; a 3-D emitter's z
      // from the residual of the others.
      const peak = fit.residualPeak(data, at);
      if (!(peak.significance > MIN_RESIDUAL_SIGNIFICANCE)) break;
      theta.set(best.subarray(0, q * k));
      theta[q * k] = peak.column + 0.5;
      theta[q * k + 1] = peak.row + 0.5;
      theta[q * k + 2] = NEW_EMITTER_PHOTONS_FACTOR * peak.excess;
      theta[q * k + q] = best[q * k];
      fit.startOwn?.(data, at, k, solver.shift);
      const status = fit.fit(data, at, next, sigma, trial);
      if (status !== STATUS_CONVERGED || !(2 * (fit.logLikelihood - ll) > this.threshold) || !this.plausible(next, box)) break;
      k = next;
      ll = fit.logLikelihood;
      best.set(theta.subarray(0, q * k + 1));
      // The residual of the model kept, for the next emitter's start.
      fit.refresh(data, at, k, sigma, solver.shift);
    }
    theta.set(best.subarray(0, q * k + 1));
    this.status = fit.fit(data, at, k, sigma, solver);
    if (this.status !== STATUS_CONVERGED) return 0;
    if (!fit.bound(k, data, at, solver.shift)) {
      this.status = STATUS_SINGULAR;
      return 0;
    }
    this.residualStd = fit.residualStd(data, at);
    this.emitters = k;
    return k;
  }

  /**
   * Every emitter of a fit brighter than nothing, inside the window (or, where the fit models
   * neighbours outside it, {@link EmitterFits.neighboursOutside}, anywhere the fit did not leave),
   * and plausible to the model.
   */
  private plausible(k: number, box: number): boolean {
    const { fit } = this;
    const theta = fit.theta;
    const q = fit.perEmitter;
    for (let e = 0; e < k; e++) {
      const x = theta[q * e];
      const y = theta[q * e + 1];
      const inside = fit.neighboursOutside || (x >= 0 && x <= box && y >= 0 && y <= box);
      if (!(inside && theta[q * e + 2] > MIN_EMITTER_PHOTONS)) return false;
      if (fit.plausibleOwn && !fit.plausibleOwn(k, e)) return false;
    }
    return true;
  }
}
