import type { EmitterDepths } from './DepthEmitterFits.js';
import type { EmitterFits } from './EmitterFits.js';
import type { ResolvedMultiEmitterOptions } from './EmitterSelector.js';
import { chiSquareThreshold } from './EmitterSelector.js';
import type { EmitterSelection } from './EmitterSelection.js';
import type { PsfModel } from './PsfModel.js';
import type { ResidualPeak } from './residualPeak.js';
import { WindowSeeds } from './WindowSeeds.js';
import {
  MERGE_REACH_PX,
  MIN_DEPTH_RESIDUAL_SIGNIFICANCE,
  MIN_EMITTER_PHOTONS,
  MIN_START_BACKGROUND,
  MIN_START_PHOTONS,
  MIN_TRIAL_ITERATIONS,
  EDGE_PEAK_PX,
  NEW_EMITTER_PHOTONS_FACTOR,
  SPLIT_CHECK_ITERATIONS,
  SPLIT_HOPELESS_GAIN,
  SPLIT_MIN_PHOTONS_RATIO,
  SPLIT_OFFSET_SIGMA,
  STATUS_CONVERGED,
  STATUS_MAX_ITERATIONS,
  STATUS_SINGULAR,
  TRIAL_ITERATION_SHARE,
  TRIAL_TOLERANCE_PX,
} from './fitConstants.js';

/** A K-emitter fit of a 3-D model ({@link DepthEmitterFits}): z starts of its own, emitters at the z edge refused, the residual's peak away from the window's edge. */
export type DepthFits = EmitterFits & Required<Pick<EmitterFits, 'startOwn' | 'plausibleOwn'>> & Pick<EmitterDepths, 'widthsNm'> & { residualPeak(data: Float64Array, at: number, margin?: number): ResidualPeak };

/**
 * The model selection of a 3-D crowded window ({@link EmitterSelection}), seeded by the window's
 * candidates. Where a defocused spot is wide and a window holds several of them, adding one
 * emitter at a time from a single fit (as {@link EmitterSelector} does) often never converges
 * (one emitter for four spots walks along z) or adds the brightest residuals first and stops at
 * the most emitters before the candidate's own. Here:
 *
 * 0. Hold the seeds' neighbours (single fits centred just outside the window, WindowSeeds) fixed:
 *    their model leaves the window's photons and joins the camera's shift, so their light no
 *    longer raises the shared background (which took photons from the spots inside and pulled
 *    their z toward focus).
 * 1. Start from K₀ = 1 + the seeds (the window's other candidates, up to `maxEmitters`), each at
 *    its single fit where that is near its candidate, else at its pixel; photons from the window
 *    (2 × the 3×3 excess over the background), z of each unknown one the most likely of
 *    Z_SCAN_STARTS depths with the emitters before it held ({@link DepthEmitterFits.startOwn}).
 * 2. Fit jointly (the trial's looser tolerance and share of the iterations, going on to the full
 *    limit where that is not enough). Where that fails, drop the last seed and fit again from the
 *    start; where an emitter leaves the window or has no photons, drop that emitter and fit again.
 * 3. Prune: while the least significant emitter's N̂/σ_N (σ from the joint CRLB) is below
 *    √χ²₄(1 − p) (the likelihood-ratio test's threshold, applied as a Wald test on its photons),
 *    drop it and refit: two candidates on one elongated spot become one. Then, while K > 1, drop
 *    an emitter at the z range's edge (the weakest instead where that one is the brightest) and
 *    refit; a lone emitter there stands (a spot beyond the calibrated range, fitted at its edge
 *    as its single fit was).
 * 3b. Test the seeded model against fewer emitters ({@link merge}): the closest pair within
 *    MERGE_REACH_PX whose photons together are fewer than the frame's typical single emitter's
 *    merged into one start at their photon-weighted mean; K stands only where it beats that
 *    K − 1 fit by the test. A spot at the spline's line focus seeded by two candidates fits as
 *    two dim emitters ~500 nm apart, and the photon test of step 3 passes both.
 * 4. Add emitters while the likelihood-ratio test accepts them, each trial in the trial's share
 *    of the iterations: at the residual's peak (as {@link EmitterSelector}, but only where it
 *    stands MIN_DEPTH_RESIDUAL_SIGNIFICANCE above its noise: a 3-D model's misfit leaves weaker
 *    excesses beside every spot; where that peak lies within EDGE_PEAK_PX of the window's edge
 *    and is refused or too weak, a neighbour's light from outside, the interior's peak), else, where the
 *    brightest emitter carries at least SPLIT_MIN_PHOTONS_RATIO × the split's reference photons
 *    ({@link WindowSeeds.splitPhotons}, a low quantile of the frame's single fits), by splitting
 *    it in two along its longer axis, then along its shorter one: two spots fit as one spot
 *    elongated along some axis, at the wrong depth with both spots' photons, and leave no
 *    residual peak. A split's trial still far from the test's threshold after
 *    SPLIT_CHECK_ITERATIONS is given up ({@link splitTrial}). The photon gate keeps the split off
 *    single spots where the model is not the PSF (ungated, with trials run on to the full
 *    iteration limit, it took storm-analysis's double-helix movie through astigmatic curves from
 *    93.6 to 62.2 %; the split alone to 82.0 %); the resolver also leaves it off (split
 *    photons NaN) where the calibration's own record says its model does not follow the beads.
 * 5. Where the window's first candidate's single fit strayed from its pixel toward another
 *    candidate ({@link WindowSeeds.alternative}: a spline's lobe starts fit two in-focus
 *    neighbours 2–5 px apart as one defocused emitter between them), that one emitter refitted in
 *    the window stands unless the chosen K-emitter model beats it by (K − 1) × the test's
 *    threshold: a ringed spot's two lobes stay one emitter, two neighbours become two.
 *
 * The chosen model's trial θ̂ is the result (no fit to the full tolerance: its last step was
 * below TRIAL_TOLERANCE_PX already).
 *
 * Without seeds it is {@link EmitterSelector}'s selection (K₀ = 1) but for the last fit to the
 * full tolerance. The joint fit is the model's ({@link DepthFits}: JavaScript or the fit kernel).
 */
export class DepthEmitterSelector implements EmitterSelection {
  readonly fit: DepthFits;
  /** The window's other candidates for the next {@link select} (cleared by it). */
  readonly seeds: WindowSeeds;
  emitters = 0;
  status = 0;
  residualStd = Number.NaN;
  private readonly threshold: number;
  private readonly best: Float64Array;
  /** The chosen model's √CRLB, kept from its fit (the kernel's) while larger models are tried. */
  private readonly bestCrlb: Float64Array;
  /** The K₀-emitter start, less the seeds dropped since (a failed fit starts again from it). */
  private readonly initial: Float64Array;
  /** The trial fits' solver options (filled by each {@link select}: no object per window). */
  private readonly trial: { maxIterations: number; tolerance: number; shift: Float64Array | undefined } = { maxIterations: 0, tolerance: 0, shift: undefined };
  /** The window less its fixed neighbours' light, and the camera's shift plus that light (scratch of {@link hold}). */
  private readonly held: Float64Array;
  private readonly heldShift: Float64Array;
  private readonly neighbourTheta = new Float64Array(5);
  /** An emitter's σx, σy, nm (scratch of {@link split}). */
  private readonly widths = new Float64Array(2);

  get theta(): Float64Array {
    return this.fit.theta;
  }
  get crlb(): Float64Array {
    return this.fit.crlb;
  }
  /** ℓ(θ̂) of the chosen model. */
  logLikelihood = Number.NaN;
  /** Iterations of the chosen model's fit. */
  iterations = 0;
  /**
   * Split trials ({@link splitTrial}) since construction: not converged after
   * SPLIT_CHECK_ITERATIONS and given up (below SPLIT_HOPELESS_GAIN × the threshold), or gone on to
   * the trial's limit. Counts only (tests and instrumented runs); the selection never reads them.
   */
  readonly splitChecks = { givenUp: 0, wentOn: 0 };
  get perEmitter(): number {
    return this.fit.perEmitter;
  }

  /**
   * @param options - resolved multi-emitter options (most emitters, the test's p-value)
   * @param fit - the K-emitter fit of the run's 3-D model, for the resolver's windows
   * @param neighbour - the run's 3-D model for one emitter over the window, to hold the seeds'
   *   neighbours outside the window fixed @default none: their light goes to the background
   */
  constructor(
    private readonly options: ResolvedMultiEmitterOptions,
    fit: DepthFits,
    private readonly neighbour?: PsfModel,
  ) {
    this.fit = fit;
    const area = fit.box * fit.box;
    this.held = new Float64Array(neighbour ? area : 0);
    this.heldShift = new Float64Array(neighbour ? area : 0);
    this.threshold = chiSquareThreshold(options.pValue, fit.perEmitter);
    this.best = new Float64Array(fit.theta.length);
    this.bestCrlb = new Float64Array(fit.theta.length);
    this.initial = new Float64Array(fit.theta.length);
    this.seeds = new WindowSeeds(options.maxEmitters - 1);
  }

  select(windowData: Float64Array, windowAt: number, start: { x: number; y: number; photons: number; background: number; z?: number }, sigma: number, solver: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const { fit, best, seeds } = this;
    const box = fit.box;
    // Neighbours outside the window held fixed: their light leaves the data and joins the
    // shift, so the likelihood is the window's with their model added (n + s ~ Poisson(μ + s)).
    let data = windowData;
    let at = windowAt;
    let shift = solver.shift;
    if (this.neighbour && seeds.neighbours > 0) {
      this.hold(windowData, windowAt, solver.shift);
      data = this.held;
      at = 0;
      shift = this.heldShift;
    }
    seeds.neighbours = 0;
    const typical = seeds.typicalPhotons;
    const splitPhotons = seeds.splitPhotons;
    const alternative = seeds.hasAlternative;
    seeds.hasAlternative = false;
    const theta = fit.theta;
    const q = fit.perEmitter;
    const trial = this.trial;
    trial.tolerance = Math.max(solver.tolerance, TRIAL_TOLERANCE_PX);
    trial.maxIterations = Math.max(MIN_TRIAL_ITERATIONS, Math.ceil(solver.maxIterations * TRIAL_ITERATION_SHARE));
    trial.shift = shift;
    const b = Math.max(start.background, MIN_START_BACKGROUND);
    // 1. K₀ emitters: the window's own start, then its other candidates.
    let k = 1 + seeds.count;
    seeds.count = 0;
    theta[0] = start.x;
    theta[1] = start.y;
    theta[2] = Math.max(start.photons, MIN_START_PHOTONS);
    theta[q] = b;
    const z0 = start.z ?? Number.NaN;
    if (Number.isFinite(z0)) theta[3] = z0;
    else fit.startOwn(data, at, 0, shift);
    for (let e = 1; e < k; e++) {
      const x = seeds.x[e - 1];
      const y = seeds.y[e - 1];
      theta[q * e] = x;
      theta[q * e + 1] = y;
      const photons = seeds.photons[e - 1];
      theta[q * e + 2] = Number.isFinite(photons) ? Math.max(photons, MIN_START_PHOTONS) : Math.max(NEW_EMITTER_PHOTONS_FACTOR * excess(data, at, box, x, y, b), MIN_START_PHOTONS);
      theta[q * (e + 1)] = b;
      const z = seeds.z[e - 1];
      if (Number.isFinite(z)) theta[q * e + 3] = z;
      else fit.startOwn(data, at, e, shift);
    }
    theta[q * k] = b;
    this.initial.set(theta.subarray(0, q * k + 1));
    // 2.–3. Fit; drop what the window does not support.
    this.emitters = 0;
    for (;;) {
      // From rough starts (a pixel's centre, a scanned z) several emitters may need more than the
      // trial's share of the iterations: they go on to the full limit before one is dropped.
      this.status = this.fitOn(data, at, k, trial, solver.maxIterations);
      if (this.status !== STATUS_CONVERGED) {
        if (k === 1) return 0;
        theta.set(this.initial.subarray(0, q * k + 1));
        k = this.drop(k, k - 1);
        continue;
      }
      const outside = this.outside(k, box);
      if (outside >= 0) {
        if (k === 1) return 0;
        k = this.drop(k, outside);
        continue;
      }
      // A lone emitter at the z edge stands (as EmitterSelector's first emitter): a spot beyond
      // the calibrated range is still a spot, fitted at the range's edge as its single fit was.
      if (k === 1) break;
      if (!fit.bound(k, data, at, shift)) {
        k = this.drop(k, k - 1);
        continue;
      }
      // The insignificant emitter goes before the one at the z edge, and where that one is the
      // window's brightest the weakest goes instead: a spot beyond the range with a seed on its
      // other lobe (a double helix's two candidates) fits as the spot at the edge and a faint
      // second emitter (the model's mismatch there); dropping the spot left the faint one, which
      // then left the window, and the spot was lost.
      let weakest = -1;
      let least = Number.POSITIVE_INFINITY;
      let brightest = 0;
      for (let e = 0; e < k; e++) {
        const w = theta[q * e + 2] / fit.crlb[q * e + 2];
        if (w < least) {
          least = w;
          weakest = e;
        }
        if (theta[q * e + 2] > theta[q * brightest + 2]) brightest = e;
      }
      if (least * least < this.threshold) {
        k = this.drop(k, weakest);
        continue;
      }
      const edge = this.atEdge(k);
      if (edge < 0) break;
      k = this.drop(k, edge === brightest ? weakest : edge);
    }
    if (k === 1 && !fit.bound(1, data, at, shift)) {
      this.status = STATUS_SINGULAR;
      return 0;
    }
    let ll = fit.logLikelihood;
    this.keep(k);
    if (k >= 2) {
      k = this.merge(k, ll, typical, data, at, shift);
      ll = this.mergedLogLikelihood;
    }
    // 4. More emitters, while the test accepts them: one at the residual's peak (where that peak
    // lies at the window's edge and is refused or too weak, then at the interior's), else (where the
    // brightest emitter has a pair's photons) that emitter split in two along its longer axis,
    // then along its shorter one.
    fit.refresh(data, at, k, 0, shift);
    for (let next = k + 1; next <= this.options.maxEmitters; next++) {
      const peak = fit.residualPeak(data, at);
      const atEdge = peak.column < EDGE_PEAK_PX || peak.row < EDGE_PEAK_PX || peak.column >= box - EDGE_PEAK_PX || peak.row >= box - EDGE_PEAK_PX;
      let accepted = this.tryPeak(peak, k, ll, data, at, shift);
      if (!accepted && atEdge) {
        // μ of the chosen model again (the refused trial's is in the fit).
        theta.set(best.subarray(0, q * k + 1));
        fit.refresh(data, at, k, 0, shift);
        accepted = this.tryPeak(fit.residualPeak(data, at, EDGE_PEAK_PX), k, ll, data, at, shift);
      }
      for (let axis = 0; axis < 2 && !accepted; axis++) {
        if (!this.split(k, splitPhotons, sigma, data, at, shift, axis === 1)) break;
        accepted = this.accepts(this.splitTrial(data, at, next, ll), next, ll, data, at, shift);
      }
      if (!accepted) break;
      k = next;
      ll = fit.logLikelihood;
      this.keep(k);
      fit.refresh(data, at, k, 0, shift);
    }
    // 5. A first candidate whose single fit strayed toward another candidate: the window's model
    // must beat that one emitter (refitted in the window) by the test, per emitter more.
    if (alternative && k > 1) {
      const a = seeds.alternative;
      theta[0] = a[0];
      theta[1] = a[1];
      theta[2] = Math.max(a[2], MIN_START_PHOTONS);
      theta[3] = a[4];
      theta[q] = Math.max(a[3], MIN_START_BACKGROUND);
      if (fit.fit(data, at, 1, 0, trial) === STATUS_CONVERGED && this.outside(1, box) < 0 && this.atEdge(1) < 0 && 2 * (ll - fit.logLikelihood) <= (k - 1) * this.threshold && fit.bound(1, data, at, shift)) {
        k = 1;
        ll = fit.logLikelihood;
        this.keep(1);
      }
    }
    // The chosen model's trial θ̂ stands, with the bound its fit computed: its last step was
    // within TRIAL_TOLERANCE_PX, far below the CRLB, and fitting on to the full tolerance changed
    // no measured error (it was a third of the selection's cost; many emitters' z converge slowly).
    theta.set(best.subarray(0, q * k + 1));
    fit.crlb.set(this.bestCrlb.subarray(0, q * k + 1));
    fit.refresh(data, at, k, 0, shift);
    this.status = STATUS_CONVERGED;
    this.logLikelihood = ll;
    this.residualStd = fit.residualStd(data, at);
    this.emitters = k;
    return k;
  }

  /**
   * The K + 1 trial at a residual peak of the chosen K-emitter model (in {@link best}, ℓ =
   * `ll`): where it stands
   * MIN_DEPTH_RESIDUAL_SIGNIFICANCE above its noise, an emitter there (photons from its excess,
   * z from the scan) fitted with the others from their θ̂.
   * @returns whether the test accepts it ({@link accepts}; θ̂ is then the fit's)
   */
  private tryPeak(peak: ResidualPeak, k: number, ll: number, data: Float64Array, at: number, shift: Float64Array | undefined): boolean {
    if (!(peak.significance > MIN_DEPTH_RESIDUAL_SIGNIFICANCE)) return false;
    const { fit, best } = this;
    const theta = fit.theta;
    const q = fit.perEmitter;
    theta.set(best.subarray(0, q * k));
    theta[q * k] = peak.column + 0.5;
    theta[q * k + 1] = peak.row + 0.5;
    theta[q * k + 2] = NEW_EMITTER_PHOTONS_FACTOR * peak.excess;
    theta[q * k + q] = best[q * k];
    fit.startOwn(data, at, k, shift);
    return this.accepts(fit.fit(data, at, k + 1, 0, this.trial), k + 1, ll, data, at, shift);
  }

  /** ℓ of the model {@link merge} chose. */
  private mergedLogLikelihood = Number.NaN;

  /**
   * Step 3b: the chosen K-emitter model (in {@link best}, ℓ = `ll`) tested against K − 1. The
   * closest pair of emitters within MERGE_REACH_PX whose photons together are fewer than the
   * frame's typical single emitter's becomes one emitter at their photon-weighted mean with their
   * summed photons (z from the scan), and the (K − 1)-emitter fit (in the trial's share of the
   * iterations only: going on to the full limit cost the spline ~15 % of its CPU for 0.1 point of
   * Jaccard) replaces the K unless K beats it by the likelihood-ratio threshold of the K + 1
   * trials; repeated while pairs merge. A spot
   * near the spline's line focus (z ≈ −350…−400 nm) makes two candidates, and the window seeded
   * with both fits two dim emitters ~500 nm apart at the wrong z; a true pair keeps two
   * emitters' photons and is not tried.
   * @param typical - the frame's typical single emitter's photons (NaN: no merge)
   * @returns the emitters chosen (its ℓ in {@link mergedLogLikelihood}; θ holds {@link best})
   */
  private merge(k: number, ll: number, typical: number, data: Float64Array, at: number, shift: Float64Array | undefined): number {
    const { fit, best } = this;
    const theta = fit.theta;
    const q = fit.perEmitter;
    const reach2 = MERGE_REACH_PX * MERGE_REACH_PX;
    while (k >= 2) {
      let pi = -1;
      let pj = -1;
      let closest = reach2;
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++) {
          const dx = best[q * i] - best[q * j];
          const dy = best[q * i + 1] - best[q * j + 1];
          const d2 = dx * dx + dy * dy;
          if (!(d2 <= closest)) continue;
          if (!(best[q * i + 2] + best[q * j + 2] < typical)) continue;
          closest = d2;
          pi = i;
          pj = j;
        }
      }
      if (pi < 0) break;
      let n = 0;
      for (let e = 0; e < k; e++) {
        if (e === pi || e === pj) continue;
        for (let a = 0; a < q; a++) theta[q * n + a] = best[q * e + a];
        n++;
      }
      const ni = best[q * pi + 2];
      const nj = best[q * pj + 2];
      const sum = ni + nj;
      theta[q * n] = (best[q * pi] * ni + best[q * pj] * nj) / sum;
      theta[q * n + 1] = (best[q * pi + 1] * ni + best[q * pj + 1] * nj) / sum;
      theta[q * n + 2] = sum;
      theta[q * (n + 1)] = best[q * k];
      fit.startOwn(data, at, n, shift);
      const status = fit.fit(data, at, k - 1, 0, this.trial);
      if (status === STATUS_CONVERGED && this.outside(k - 1, fit.box) < 0 && this.atEdge(k - 1) < 0 && 2 * (ll - fit.logLikelihood) <= this.threshold && fit.bound(k - 1, data, at, shift)) {
        k--;
        ll = fit.logLikelihood;
        this.keep(k);
        continue;
      }
      theta.set(best.subarray(0, q * k + 1));
      break;
    }
    this.mergedLogLikelihood = ll;
    return k;
  }

  /**
   * The K-emitter trial fit from θ; where it has not converged in the trial's share of the
   * iterations, on from where it stopped up to the full limit (`maxIterations`).
   * @returns its status
   */
  private fitOn(data: Float64Array, at: number, k: number, trial: { maxIterations: number; tolerance: number; shift?: Float64Array }, maxIterations: number): number {
    const status = this.fit.fit(data, at, k, 0, trial);
    if (status === STATUS_CONVERGED) return status;
    const share = trial.maxIterations;
    trial.maxIterations = maxIterations;
    const full = this.fit.fit(data, at, k, 0, trial);
    trial.maxIterations = share;
    return full;
  }

  /**
   * A split's (K = `next`)-emitter trial fit from θ: SPLIT_CHECK_ITERATIONS iterations first; one
   * not converged by then whose 2Δℓ over the chosen model (ℓ = `ll`) is below SPLIT_HOPELESS_GAIN ×
   * the test's threshold is given up (STATUS_MAX_ITERATIONS), the others go on from where they
   * stopped to the trial's iteration limit. After one that went on, `fit.iterations` (and the
   * chosen model's {@link iterations}, if it is kept) counts the second segment only.
   * @returns its status
   */
  private splitTrial(data: Float64Array, at: number, next: number, ll: number): number {
    const { fit, trial } = this;
    const share = trial.maxIterations;
    if (share <= SPLIT_CHECK_ITERATIONS) return fit.fit(data, at, next, 0, trial);
    trial.maxIterations = SPLIT_CHECK_ITERATIONS;
    let status = fit.fit(data, at, next, 0, trial);
    trial.maxIterations = share - SPLIT_CHECK_ITERATIONS;
    if (status === STATUS_MAX_ITERATIONS) {
      if (2 * (fit.logLikelihood - ll) >= SPLIT_HOPELESS_GAIN * this.threshold) {
        this.splitChecks.wentOn++;
        status = fit.fit(data, at, next, 0, trial);
      } else this.splitChecks.givenUp++;
    }
    trial.maxIterations = share;
    return status;
  }

  /** {@link held} and {@link heldShift}: the window at `data[at…]` less the seeds' neighbours' light, the shift plus it. */
  private hold(data: Float64Array, at: number, shift: Float64Array | undefined): void {
    const { held, heldShift, neighbourTheta: t, seeds } = this;
    const model = this.neighbour as PsfModel;
    const area = held.length;
    heldShift.fill(0);
    t[3] = 0;
    for (let n = 0; n < seeds.neighbours; n++) {
      t[0] = seeds.neighbourX[n];
      t[1] = seeds.neighbourY[n];
      t[2] = seeds.neighbourPhotons[n];
      t[4] = seeds.neighbourZ[n];
      model.evaluate(t, heldShift, true);
    }
    for (let i = 0; i < area; i++) {
      held[i] = data[at + i] - heldShift[i];
      if (shift) heldShift[i] += shift[at + i];
    }
  }

  /** Whether the (K = `next`)-emitter fit just made is accepted over the chosen model of ℓ = `ll`: converged, the likelihood-ratio test, every emitter in the window and inside the z range, a bound. */
  private accepts(status: number, next: number, ll: number, data: Float64Array, at: number, shift: Float64Array | undefined): boolean {
    const fit = this.fit;
    return status === STATUS_CONVERGED && 2 * (fit.logLikelihood - ll) > this.threshold && this.outside(next, fit.box) < 0 && this.atEdge(next) < 0 && fit.bound(next, data, at, shift);
  }

  /**
   * θ of K + 1 emitters from the chosen K-emitter model with its brightest emitter split in two:
   * the others first, then the two halves SPLIT_OFFSET_SIGMA·σ either side of it along its longer
   * axis (`shorter`: its shorter one), each with half its photons and z from the scan
   * ({@link DepthFits.startOwn}); only where that emitter's photons are at least
   * SPLIT_MIN_PHOTONS_RATIO × `reference`.
   * @param reference - the split's reference photons (WindowSeeds.splitPhotons, the
   *   SPLIT_PHOTONS_QUANTILE quantile of the frame's converged single fits; NaN: no split)
   * @param sigma - the PSF's σ, px
   * @returns whether θ holds the split (false: the brightest emitter is no pair's)
   */
  private split(k: number, reference: number, sigma: number, data: Float64Array, at: number, shift: Float64Array | undefined, shorter: boolean): boolean {
    const { fit, best, widths } = this;
    const theta = fit.theta;
    const q = fit.perEmitter;
    let s = 0;
    for (let e = 1; e < k; e++) if (best[q * e + 2] > best[q * s + 2]) s = e;
    if (!(best[q * s + 2] >= SPLIT_MIN_PHOTONS_RATIO * reference)) return false;
    theta.set(best.subarray(0, q * k + 1));
    fit.widthsNm(s, widths);
    const alongX = !(widths[1] > widths[0]) !== shorter;
    const x = best[q * s];
    const y = best[q * s + 1];
    const photons = best[q * s + 2] / 2;
    const b = best[q * k];
    theta.copyWithin(q * s, q * (s + 1), q * k);
    const d = SPLIT_OFFSET_SIGMA * sigma;
    for (let h = 0; h < 2; h++) {
      const e = k - 1 + h;
      const sign = h === 0 ? -1 : 1;
      theta[q * e] = alongX ? x + sign * d : x;
      theta[q * e + 1] = alongX ? y : y + sign * d;
      theta[q * e + 2] = photons;
      theta[q * (e + 1)] = b;
      fit.startOwn(data, at, e, shift);
    }
    theta[q * (k + 1)] = b;
    return true;
  }

  /** Keep the K-emitter fit just made (θ̂, its bound, its iterations) as the chosen model so far. */
  private keep(k: number): void {
    const { fit } = this;
    const p = fit.perEmitter * k + 1;
    this.best.set(fit.theta.subarray(0, p));
    this.bestCrlb.set(fit.crlb.subarray(0, p));
    this.iterations = fit.iterations;
  }

  /** Remove emitter e of the K-emitter θ and of the start (the later ones move up, b follows). @returns K − 1 */
  private drop(k: number, e: number): number {
    const q = this.fit.perEmitter;
    this.fit.theta.copyWithin(q * e, q * (e + 1), q * k + 1);
    this.initial.copyWithin(q * e, q * (e + 1), q * k + 1);
    return k - 1;
  }

  /** The first emitter of θ̂ outside the window or without photons; −1: none. */
  private outside(k: number, box: number): number {
    const theta = this.fit.theta;
    const q = this.fit.perEmitter;
    for (let e = 0; e < k; e++) {
      const x = theta[q * e];
      const y = theta[q * e + 1];
      if (!(x >= 0 && x <= box && y >= 0 && y <= box && theta[q * e + 2] > MIN_EMITTER_PHOTONS)) return e;
    }
    return -1;
  }

  /** The first emitter of θ̂ implausible to the model (z at the range's edge); −1: none. */
  private atEdge(k: number): number {
    for (let e = 0; e < k; e++) if (!this.fit.plausibleOwn(k, e)) return e;
    return -1;
  }
}

/** The excess photons over b in the 3×3 pixels about (x, y) (window px), clipped to the window. */
function excess(data: Float64Array, at: number, box: number, x: number, y: number, b: number): number {
  const c0 = Math.floor(x);
  const r0 = Math.floor(y);
  let s = 0;
  for (let r = Math.max(0, r0 - 1); r <= Math.min(box - 1, r0 + 1); r++) {
    for (let c = Math.max(0, c0 - 1); c <= Math.min(box - 1, c0 + 1); c++) s += data[at + r * box + c] - b;
  }
  return s;
}
