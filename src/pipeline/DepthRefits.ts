import type { PatchDepths } from '../astig/PatchDepths.js';
import { Candidates } from '../detect/Candidates.js';
import type { ResolvedFits } from '../fit/CrowdingResolver.js';
import { createFitResults } from '../fit/FitResults.js';
import { FitRows } from '../fit/FitRows.js';
import { FitStatus } from '../fit/FitStatus.js';
import type { PsfModel } from '../fit/PsfModel.js';
import type { EmitterFits } from '../fit/EmitterFits.js';
import type { EmitterDepths } from '../fit/DepthEmitterFits.js';
import { chiSquareThreshold } from '../fit/EmitterSelector.js';
import { SPLIT_MIN_SINGLE_FITS } from '../fit/fitConstants.js';
import { storeEmitterRow } from '../fit/storeEmitterRow.js';
import type { EmitterRowDepths } from '../fit/storeEmitterRow.js';
import { selectKth } from '../camera/selectKth.js';
import { extractPatches } from '../patches/extractPatches.js';
import type { PatchOutputs } from '../patches/extractPatches.js';
import { subtractKnownBackground } from '../patches/subtractKnownBackground.js';
import { grownKeeping } from './grownKeeping.js';
import type { ResidualFrame } from './ResidualPass.js';

/** Gauss–Seidel sweeps of 3-D refits over a frame's rows ({@link DepthRefits}). */
export const DEPTH_REFIT_SWEEPS = 2;

/**
 * A refit that moves its row by less than this many of the row's √CRLB (x, y and N each by its
 * own; z's uncertainty holds the calibration's model error, which must not change the fits)
 * leaves its neighbours' refits of the next sweep as they were (as ResidualPass's
 * REFINE_TOLERANCE_CRLB). Measured (depthE2e's stack through FrameLocalizer, 1 000 frames
 * astigmatic, 400 spline; crowdedDepthBench at 1 /µm²): 0.1 → 0.5 refits 12–14 % fewer, Jaccard
 * and z RMSE the same to 0.01 % and 0.1 nm; 1: z RMSE +0.5 nm (astigmatic depthE2e); no second
 * sweep: +2.0 nm (z in the test then; x, y, N alone give crowdedDepthBench's figures unchanged).
 */
export const DEPTH_REFIT_TOLERANCE_CRLB = 0.5;

/**
 * A row brighter than this many times the frame's median converged row is tried as a pair
 * ({@link DepthRefits}' split): two emitters 250–500 nm apart fitted as one wide spot carry
 * both their photons, and a depth neither has (crowdedDepthErrors.ts at 1 /µm²: the outliers'
 * rows hold 1.5–2.5× the frame's typical N). Measured at 1 /µm² (astigmatic, one start): 1.25 /
 * 1.5 / 1.75 gave Jaccard 90.2 / 90.0 / 89.3 %, false positives a frame 0.34 / 0.27 / 0.24.
 */
export const DEPTH_SPLIT_PHOTONS = 1.5;

/**
 * Each emitter of a split must hold more than this share of the frame's median converged row's
 * photons (a faint half is the model's misfit of one spot). Measured (crowdedDepthBench, 100
 * frames): 0 → 0.3 astigmatic 1 /µm² false positives a frame 0.37 → 0.31, Jaccard 90.3 → 90.5 %;
 * spline 2 /µm² 3.08 → 3.02, 68.3 % either way.
 */
export const DEPTH_SPLIT_MIN_PHOTONS = 0.3;

/** The K-emitter 3-D fit a split runs (two emitters in a box of the fit's width). */
export type PairFits = EmitterFits & EmitterDepths & Required<Pick<EmitterFits, 'startOwn' | 'plausibleOwn'>>;

/** The current frame, as the 3-D refits read it: what the residual pass reads. */
export type DepthRefitFrame = ResidualFrame;

/**
 * The 3-D counterpart of the residual passes' refits ({@link ResidualPass}): after a frame's 3-D
 * fits (single and crowded windows), every converged row whose box holds other converged rows'
 * light is fitted again in a box centred on its pixel with those neighbours' fitted models —
 * N·PSF(pixel − (x, y); z) of the run's own 3-D model, rendered into the box — held as a known
 * per-pixel background (`subtractKnownBackground`'s shifted Poisson: the neighbours' light is
 * part of μ, not of the data the row explains), in {@link DEPTH_REFIT_SWEEPS} Gauss–Seidel
 * sweeps (each refit's new model held by the rows after it). Each refit starts x, y, N, b from
 * the row and ranks the fitter's z starts again on the held data (a neighbour's light that
 * pulled z to its depth no longer does). A refit that does not converge keeps the row as it was.
 * After the sweeps, with a {@link PairFits} (`split`), rows much brighter than the frame's
 * typical row are tried as pairs ({@link splitAll}); a pair's rows keep their joint fit and
 * their neighbours are refitted once with them held. A row whose held light changed too little
 * since its last refit in the same box to move it by DEPTH_REFIT_TOLERANCE_CRLB is not refitted
 * ({@link changeTolerance}; depthE2e's astigmatic stack: 15 % of the refits, CPU −3 %, the
 * rows' accuracy unchanged). Measured: crowdedDepthBench at 1 /µm²,
 * astigmatic Jaccard 85.2 → 90.3 %, z RMSE 169 → 135 nm; spline 86.6 → 89.8 %, 106 → 91 nm
 * (docs/guides/crowded-spots.md, "Refits with the neighbours held").
 *
 * One instance per run; allocates scratch when the rows outgrow it.
 */
export class DepthRefits {
  /** Refits of the last {@link run} (for tests and profiles). */
  refits = 0;
  private readonly out = new FitRows();
  private readonly theta = new Float64Array(5);
  private readonly held: Float64Array;
  private readonly one = createFitResults(1);
  private readonly centre = new Candidates();
  private readonly patch: PatchOutputs & { patches: Float64Array; shift: Float64Array; saturated: Uint8Array };
  private readonly start = { x: 0, y: 0, photons: 0, background: 0 };
  /** 2(ℓ₂ − ℓ₁) a split must gain: the χ² quantile of the multi-emitter selection. */
  private readonly threshold: number;
  private readonly solver: { maxIterations: number; tolerance: number; shift: Float64Array | undefined } = { maxIterations: 0, tolerance: 0, shift: undefined };
  private photons = new Float64Array(0);
  private readonly widths = new Float64Array(2);
  /** A pair's 3-D part of its rows (the pair fit's widths, the calibration's z error): {@link pairRow}. */
  private readonly pairDepths: EmitterRowDepths | undefined;
  /** An emitter of a split holds more photons than this (DEPTH_SPLIT_MIN_PHOTONS of the frame's median row). */
  private minPhotons = 0;
  /** Splits of the last {@link run}. */
  splits = 0;
  /** Rows by x (indices), their frame positions, and each row's neighbours (CSR). */
  private order = new Int32Array(0);
  private fx = new Float64Array(0);
  private fy = new Float64Array(0);
  private first = new Int32Array(0);
  private list: Int32Array<ArrayBuffer> = new Int32Array(0);
  /** Per row: due a refit in this sweep, and moved in it. */
  private due = new Uint8Array(0);
  private moved = new Uint8Array(0);
  /** Per row: a pair's emitter (kept as its joint fit gave it). */
  private fixed = new Uint8Array(0);
  /** Rows from here on were appended by this frame's splits (not in the neighbour lists): {@link cut} holds those within reach too. */
  private appendedFrom = Number.MAX_SAFE_INTEGER;
  /** Per row: its last converged refit's held light (box² values at row·box²) and box origin, where {@link heldKept}. */
  private lastHeld = new Float64Array(0);
  private lastColumn = new Int32Array(0);
  private lastRow = new Int32Array(0);
  private heldKept = new Uint8Array(0);
  /** Refits skipped because the held light had not changed enough to move the row (last {@link run}). */
  skipped = 0;
  /**
   * A row is not refitted in the same box when its held light changed since its last refit by
   * at most this norm ({@link heldChange}, in the row's √CRLB); negative: every row refitted
   * (tests). @default DEPTH_REFIT_TOLERANCE_CRLB
   */
  changeTolerance = DEPTH_REFIT_TOLERANCE_CRLB;

  /**
   * @param depths - the run's 3-D fit of a patch (its fitter and output)
   * @param model - the run's 3-D model for a box of the fit's width (renders a neighbour's μ)
   * @param box - the fit's box, px
   * @param sweeps - Gauss–Seidel sweeps @default DEPTH_REFIT_SWEEPS
   */
  constructor(
    private readonly depths: PatchDepths,
    private readonly model: PsfModel,
    private readonly box: number,
    private readonly split?: { readonly fits: PairFits; readonly pValue: number; readonly noiseScale: number; readonly maxIterations: number; readonly tolerance: number },
    private readonly sweeps = DEPTH_REFIT_SWEEPS,
  ) {
    const area = box * box;
    this.pairDepths = split && { fits: split.fits, zModelErrorNm: depths.zModelErrorNm, zModelErrorByDepth: depths.zModelErrorByDepth, pixelSizeNm: depths.pixelSizeNm };
    this.threshold = split ? chiSquareThreshold(split.pValue, split.fits.perEmitter) : Number.POSITIVE_INFINITY;
    if (split) {
      this.solver.maxIterations = split.maxIterations;
      this.solver.tolerance = split.tolerance;
    }
    this.held = new Float64Array(area);
    this.patch = { patches: new Float64Array(area), originColumn: new Int32Array(1), originRow: new Int32Array(1), saturated: new Uint8Array(1), shift: new Float64Array(area) };
  }

  /**
   * Refit the rows of one frame with their neighbours held.
   * @param frame - the frame, its camera and known background
   * @param fits - the frame's 3-D rows (after crowding)
   * @returns the rows, refitted (this object's scratch, valid until the next call)
   */
  run(frame: DepthRefitFrame, fits: ResolvedFits): ResolvedFits {
    const out = this.out;
    out.count = 0;
    this.appendedFrom = Number.MAX_SAFE_INTEGER;
    out.appendRange(fits.rows, 0, fits.count, fits.originColumn, fits.originRow);
    out.emitters.set(fits.emitters.subarray(0, fits.count), 0);
    this.refits = 0;
    this.splits = 0;
    this.skipped = 0;
    const n = out.count;
    if (this.neighbours(n) === 0 && !this.split) return this.resolved();
    this.due.fill(1, 0, n);
    this.fixed.fill(0, 0, this.fixed.length);
    this.heldKept.fill(0, 0, this.heldKept.length);
    this.sweepAll(frame, n, this.sweeps);
    if (this.split && this.splitAll(frame, n) > 0) {
      // The pairs' rows keep their joint fit; the rows next to them are refitted once with them held.
      const count = out.count;
      this.appendedFrom = Number.MAX_SAFE_INTEGER; // the lists below hold the pairs' rows
      this.neighbours(count);
      const { due, fixed, first, list } = this;
      for (let p = 0; p < count; p++) {
        due[p] = 0;
        for (let i = first[p]; i < first[p + 1] && !due[p]; i++) due[p] = fixed[list[i]];
      }
      this.sweepAll(frame, count, 1);
    }
    return this.resolved();
  }

  /** Up to `sweeps` Gauss–Seidel sweeps over rows 0 … n − 1 (from {@link due}; after the first, only the rows next to one that moved). */
  private sweepAll(frame: DepthRefitFrame, n: number, sweeps: number): void {
    const { due, moved, fixed, first, list } = this;
    for (let sweep = 0; sweep < sweeps; sweep++) {
      moved.fill(0, 0, n);
      for (let p = 0; p < n; p++) if (due[p] && !fixed[p]) this.refit(frame, p);
      if (sweep === sweeps - 1) break;
      let any = false;
      for (let p = 0; p < n; p++) {
        due[p] = 0;
        for (let i = first[p]; i < first[p + 1] && !due[p]; i++) due[p] = moved[list[i]];
        any ||= due[p] === 1;
      }
      if (!any) break;
    }
  }

  /**
   * Try every converged row DEPTH_SPLIT_PHOTONS times brighter than the frame's median as a
   * pair, its neighbours held: the one-emitter fit against a two-emitter fit started from the
   * residual's peak and its mirror about the row, each emitter's z from a scan; the pair is
   * kept when 2(ℓ₂ − ℓ₁) passes the selection's χ² quantile and both emitters are plausible
   * and inside the box, each with more than DEPTH_SPLIT_MIN_PHOTONS of the median row. Its
   * second emitter becomes a new row, in no neighbour list yet: the frame's later splits hold it
   * ({@link appendedFrom}), and so do the refits after the splits (the lists made again).
   * @returns the rows split
   */
  private splitAll(frame: DepthRefitFrame, n: number): number {
    const rows = this.out.rows;
    if (this.photons.length < n) this.photons = new Float64Array(2 * n);
    let m = 0;
    for (let p = 0; p < n; p++) if (rows.status[p] === FitStatus.converged) this.photons[m++] = rows.photons[p];
    // A frame's typical row needs as many converged rows (single fits and windows' emitters) as the
    // crowded windows' split reference has single fits (CrowdingResolver).
    if (m < SPLIT_MIN_SINGLE_FITS) return 0;
    const typical = selectKth(this.photons, m >> 1, m);
    this.minPhotons = DEPTH_SPLIT_MIN_PHOTONS * typical;
    const limit = DEPTH_SPLIT_PHOTONS * typical;
    this.appendedFrom = n;
    for (let p = 0; p < n; p++) if (rows.status[p] === FitStatus.converged && rows.photons[p] > limit) this.trySplit(frame, p);
    return this.splits;
  }

  /** {@link splitAll}'s test of row p. @returns whether it was split */
  private trySplit(frame: DepthRefitFrame, p: number): boolean {
    const split = this.split as NonNullable<DepthRefits['split']>;
    const fits = split.fits;
    if (!this.cut(frame, p, true)) return false;
    const { patch, box, solver } = this;
    const out = this.out;
    const rows = out.rows;
    const c0 = patch.originColumn[0];
    const r0 = patch.originRow[0];
    const t = fits.theta;
    const x = out.column[p] + rows.x[p] - c0;
    const y = out.row[p] + rows.y[p] - r0;
    t[0] = x;
    t[1] = y;
    t[2] = rows.photons[p];
    t[3] = rows.z[p];
    t[4] = rows.background[p];
    solver.shift = patch.shift;
    if (fits.fit(patch.patches, 0, 1, 0, solver) !== FitStatus.converged) return false;
    const l1 = fits.logLikelihood;
    const x1 = t[0], y1 = t[1], n1 = t[2], b1 = t[4];
    const peak = fits.residualPeak(patch.patches, 0);
    const px = peak.column + 0.5, py = peak.row + 0.5;
    let st2 = -1;
    for (let attempt = 0; attempt < 2 && st2 !== FitStatus.converged; attempt++) {
      // The second emitter at the peak; the first at its mirror about the single fit, then (where
      // that fit fails) at the single fit itself.
      const share = attempt === 0 ? 0.5 : 0.6;
      t[0] = attempt === 0 ? 2 * x1 - px : x1;
      t[1] = attempt === 0 ? 2 * y1 - py : y1;
      t[2] = n1 * share;
      t[4] = b1;
      fits.startOwn(patch.patches, 0, 0, patch.shift);
      t[4] = px;
      t[5] = py;
      t[6] = n1 * (1 - share);
      t[7] = t[3];
      t[8] = b1;
      fits.startOwn(patch.patches, 0, 1, patch.shift);
      st2 = fits.fit(patch.patches, 0, 2, 0, solver);
      // A pair wanders in z: it gets the iteration limit again from where it stopped.
      if (st2 === FitStatus.maxIterations) st2 = fits.fit(patch.patches, 0, 2, 0, solver);
    }
    if (st2 !== FitStatus.converged) return false;
    if (2 * (fits.logLikelihood - l1) < this.threshold) return false;
    for (let e = 0; e < 2; e++) {
      const ex = t[4 * e], ey = t[4 * e + 1];
      if (!fits.plausibleOwn(2, e) || !(ex > 0.5 && ex < box - 0.5 && ey > 0.5 && ey < box - 0.5) || !(t[4 * e + 2] > this.minPhotons)) return false;
    }
    if (!fits.bound(2, patch.patches, 0, patch.shift)) return false;
    const residualStd = fits.residualStd(patch.patches, 0);
    const warm = rows.warmStart[p];
    this.pairRow(0, residualStd, warm);
    out.replace(p, this.one, 0, c0, r0);
    out.emitters[p] = 2;
    this.pairRow(1, residualStd, warm);
    out.append(this.one, 0, c0, r0, 2);
    this.fixed = grownKeeping(this.fixed, out.count);
    this.fixed[p] = 1;
    this.fixed[out.count - 1] = 1;
    this.splits++;
    return true;
  }

  /** Emitter e of the pair fit (θ̂, its CRLB) into {@link one}, warm-started as the row it split (`warm`, as CrowdingResolver's rows of a window). */
  private pairRow(e: number, residualStd: number, warm: number): void {
    const split = this.split as NonNullable<DepthRefits['split']>;
    storeEmitterRow(this.one, 0, split.fits, e, 2, split.noiseScale, Number.NaN, residualStd, warm, this.pairDepths, this.widths);
  }

  private resolved(): ResolvedFits {
    const out = this.out;
    return { rows: out.rows, emitters: out.emitters, originColumn: out.column, originRow: out.row, count: out.count };
  }

  /**
   * Each converged row's converged neighbours whose light may reach its box (centres within
   * `box` px along each axis), into {@link first}/{@link list}; positions into {@link fx}, {@link fy}.
   * @returns the pairs found
   */
  private neighbours(n: number): number {
    if (this.fx.length < n) {
      this.fx = new Float64Array(2 * n);
      this.fy = new Float64Array(2 * n);
      this.order = new Int32Array(2 * n);
      this.first = new Int32Array(2 * n + 1);
      this.due = new Uint8Array(2 * n);
      this.moved = new Uint8Array(2 * n);
      this.fixed = grownKeeping(this.fixed, 2 * n);
    }
    if (this.heldKept.length < n) {
      const area = this.box * this.box;
      const lastHeld = new Float64Array(2 * n * area);
      lastHeld.set(this.lastHeld);
      this.lastHeld = lastHeld;
      const lastColumn = new Int32Array(2 * n);
      lastColumn.set(this.lastColumn);
      this.lastColumn = lastColumn;
      const lastRow = new Int32Array(2 * n);
      lastRow.set(this.lastRow);
      this.lastRow = lastRow;
      this.heldKept = grownKeeping(this.heldKept, n);
    }
    const { fx, fy, order, first } = this;
    const { rows, column, row } = this.out;
    let m = 0;
    for (let p = 0; p < n; p++) {
      fx[p] = column[p] + rows.x[p];
      fy[p] = row[p] + rows.y[p];
      if (rows.status[p] === FitStatus.converged) order[m++] = p;
    }
    order.subarray(0, m).sort((a, b) => fx[a] - fx[b]);
    const reach = this.box;
    let pairs = 0;
    first[0] = 0;
    for (let p = 0; p < n; p++) {
      if (rows.status[p] === FitStatus.converged) {
        // The first row at x ≥ fx[p] − reach (binary search), then along x.
        let lo = 0, hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (fx[order[mid]] < fx[p] - reach) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < m && fx[order[i]] <= fx[p] + reach; i++) {
          const q = order[i];
          if (q === p || Math.abs(fy[q] - fy[p]) > reach) continue;
          if (this.list.length <= pairs) this.list = growInt(this.list, pairs + 1);
          this.list[pairs++] = q;
        }
      }
      first[p + 1] = pairs;
    }
    return pairs;
  }

  /**
   * Cut row p's box from the frame (photons, the camera's shift) with its neighbours' models
   * held (data − H, shift + H) into {@link patch}.
   * @param always - cut it even where no neighbour's light is held
   * @returns false where the box is saturated or (without `always`) holds no neighbour
   */
  private cut(frame: DepthRefitFrame, p: number, always: boolean): boolean {
    const { first, list, fx, fy, box, held, theta, model, patch } = this;
    const out = this.out;
    const rows = out.rows;
    const { width, height, known } = frame;
    const centre = this.centre;
    centre.count = 0;
    centre.push(Math.floor(fy[p]), Math.floor(fx[p]), p);
    patch.shift.fill(0);
    extractPatches(frame.data, width, height, centre, box, patch, frame.camera, frame.saturation);
    if (patch.saturated[0]) return false;
    const c0 = patch.originColumn[0];
    const r0 = patch.originRow[0];
    if (known) subtractKnownBackground(known.photons, width, known.pedestal, 1, box, patch.originColumn, patch.originRow, patch.patches, patch.shift);
    held.fill(0);
    let any = false;
    for (let i = first[p]; i < first[p + 1]; i++) {
      const q = list[i];
      if (rows.status[q] !== FitStatus.converged) continue;
      theta[0] = out.column[q] + rows.x[q] - c0;
      theta[1] = out.row[q] + rows.y[q] - r0;
      theta[2] = rows.photons[q];
      theta[3] = 0;
      theta[4] = rows.z[q];
      if (model.evaluate(theta, held, true)) any = true;
    }
    // A pair's second emitter split off earlier in this frame is in no list yet.
    for (let q = this.appendedFrom; q < out.count; q++) {
      const cx = out.column[q] + rows.x[q];
      const cy = out.row[q] + rows.y[q];
      if (q === p || Math.abs(cx - fx[p]) > box || Math.abs(cy - fy[p]) > box) continue;
      theta[0] = cx - c0;
      theta[1] = cy - r0;
      theta[2] = rows.photons[q];
      theta[3] = 0;
      theta[4] = rows.z[q];
      if (model.evaluate(theta, held, true)) any = true;
    }
    if (!any && !always) return false;
    const area = box * box;
    for (let k = 0; k < area; k++) {
      patch.patches[k] -= held[k];
      patch.shift[k] += held[k];
    }
    return true;
  }

  /**
   * How far the change of the held light since row p's last refit (same box) can move that
   * refit, in its own √CRLB: ‖δ‖ = √(Σ δ²/μ) over the box, μ the row's background plus the
   * shift now (the spot's own light left out: larger than the true norm). To first order the
   * maximum-likelihood fit moves by Δθ = I⁻¹JᵀWδ (W = diag(1/μ)), whose Fisher norm ΔθᵀIΔθ
   * ≤ δᵀWδ (a projection), and |Δθᵢ|/√(I⁻¹)ᵢᵢ ≤ √(ΔθᵀIΔθ): no parameter (z too) moves by more.
   * Two caveats: μ is floored at 1 photon/px (below it the norm is smaller than δᵀWδ), and the
   * bound is first-order: a refit re-ranks its z starts, and a small δ can change which wins
   * (measured: the skipped refits' rows within 0.12 of their uncertainty of a full refit's).
   */
  private heldChange(p: number): number {
    const { held, lastHeld, patch, box } = this;
    const area = box * box;
    const b = this.out.rows.background[p];
    const at = p * area;
    let sum = 0;
    for (let k = 0; k < area; k++) {
      const d = held[k] - lastHeld[at + k];
      sum += (d * d) / Math.max(b + patch.shift[k], 1);
    }
    return Math.sqrt(sum);
  }

  /** Refit row p with its neighbours' models held (nothing where it has none or did not converge). */
  private refit(frame: DepthRefitFrame, p: number): void {
    const { first, fx, fy, patch, start } = this;
    const out = this.out;
    const rows = out.rows;
    if (first[p + 1] === first[p] || rows.status[p] !== FitStatus.converged) return;
    if (!this.cut(frame, p, false)) return;
    const c0 = patch.originColumn[0];
    const r0 = patch.originRow[0];
    if (this.heldKept[p] && c0 === this.lastColumn[p] && r0 === this.lastRow[p] && this.heldChange(p) <= this.changeTolerance) {
      this.skipped++;
      return;
    }
    start.x = out.column[p] + rows.x[p] - c0;
    start.y = out.row[p] + rows.y[p] - r0;
    start.photons = rows.photons[p];
    start.background = rows.background[p];
    this.refits++;
    const status = this.depths.fitRow(patch.patches, 0, start, patch.shift, this.one, 0);
    if (status !== FitStatus.converged) {
      this.heldKept[p] = 0;
      return;
    }
    const area = this.box * this.box;
    this.lastHeld.set(this.held, p * area); // held is box² long
    this.lastColumn[p] = c0;
    this.lastRow[p] = r0;
    this.heldKept[p] = 1;
    const photons = rows.photons[p];
    // What the 3-D fit does not write stays the row's own (a warm start, the 2-D fit's σ uncertainty).
    this.one.warmStart[0] = rows.warmStart[p];
    this.one.uncertaintySigma[0] = rows.uncertaintySigma[p];
    out.replace(p, this.one, 0, c0, r0);
    const x = c0 + rows.x[p];
    const y = r0 + rows.y[p];
    // How far it moved, in its own √CRLB (NaN bounds: moved).
    const by = Math.max(Math.abs(x - fx[p]) / rows.uncertaintyX[p], Math.abs(y - fy[p]) / rows.uncertaintyY[p], Math.abs(rows.photons[p] - photons) / rows.uncertaintyPhotons[p]);
    if (!(by <= DEPTH_REFIT_TOLERANCE_CRLB)) this.moved[p] = 1;
    fx[p] = x;
    fy[p] = y;
  }
}

/** `a` grown to hold at least `n` values (doubling), its values kept. */
function growInt(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(2 * a.length, n, 16));
  b.set(a);
  return b;
}
