import type { FrameCamera } from '../camera/CameraModel.js';
import { PHOTONS } from '../camera/CameraModel.js';
import { Candidates } from '../detect/Candidates.js';
import type { RegionPixels } from '../detect/RegionPixels.js';
import type { SpotDetector } from '../detect/SpotDetector.js';
import type { ResolvedFits } from '../fit/CrowdingResolver.js';
import { crowdedWindow } from '../fit/crowdedWindow.js';
import type { ResolvedMultiEmitterOptions } from '../fit/EmitterSelector.js';
import { chiSquareThreshold } from '../fit/EmitterSelector.js';
import { MAX_WINDOW, MULTI_EMITTER_MARGIN_PX } from '../fit/fitConstants.js';
import { MultiEmitterFit } from '../fit/MultiEmitterFit.js';
import { WasmMultiEmitterFit } from '../fit/WasmMultiEmitterFit.js';
import type { JointFits } from '../fit/WasmMultiEmitterFit.js';
import type { ResolvedFitOptions } from '../fit/FitOptions.js';
import { FitRows } from '../fit/FitRows.js';
import { FitStatus } from '../fit/FitStatus.js';
import type { FitWorkspace } from '../fit/FitWorkspace.js';
import { fitPatches } from '../fit/fitPatches.js';
import type { PixelArray } from '../io/Frame.js';
import { extractPatches } from '../patches/extractPatches.js';
import type { PatchOutputs } from '../patches/extractPatches.js';
import { PatchScratch } from './PatchScratch.js';
import { ModelImage, MODEL_RADIUS_SIGMAS } from './ModelImage.js';
import { ResidualRegions } from './ResidualRegions.js';
import { RowCells } from './RowCells.js';
import { subtractKnownBackground } from '../patches/subtractKnownBackground.js';
import { grownKeeping } from './grownKeeping.js';

/**
 * A new fit of a residual pass closer than this to a fit already made (px) is the same molecule
 * seen again through an imperfect subtraction, and is dropped.
 */
export const RESIDUAL_DUPLICATE_PX = 2;

/** Most Gauss–Seidel sweeps of refits after each pass (each row with the others held). */
const REFINE_SWEEPS = 4;

/**
 * A refit that moves its row by less than this many of the row's √CRLB (x, y and N, each by its
 * own) leaves its neighbours' refits of the next sweep as they were: they are refitted only when
 * a row within {@link TOUCH_CELLS} cells of them moved by more ({@link ResidualPass.refineAll}).
 */
export const REFINE_TOLERANCE_CRLB = 0.1;

/**
 * Most rounds of the likelihood-ratio test after a pass ({@link ResidualPass.prune}), each
 * after the refits of the one before: a row dropped lets its neighbours move (they take the
 * joint fit without it, then are refitted), and a row a cluster needed before may then be
 * explained by them. Measured (test/bench/crowdedScore.ts, 3 passes, 4 /µm², 50 frames):
 * 1 round 1.96 false positives a frame, Jaccard 85.12 %, lateral RMSE 45.1 nm; up to 3 rounds
 * 0.54, 85.04 %, 34.8 nm. Stops early when a round drops nothing.
 */
const PRUNE_ROUNDS = 3;

/**
 * Rows within this many cells of {@link ResidualPass}'s reach (3 px for a 7 px box) of another
 * are refitted and tested after a pass; the others are alone and keep their fits.
 */
const TOUCH_CELLS = 2;

/** The first `n` values of `from` into `to` (by index: no view object per call). */
function copyInto(to: Float64Array, from: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) to[i] = from[i];
}

/** ℓ of the saturated model, Σ x log x − x over x = n + s of the window's pixels. */
function saturatedLogLikelihood(data: Float64Array, shift: Float64Array, area: number): number {
  let l = 0;
  for (let i = 0; i < area; i++) {
    const x = data[i] + shift[i];
    if (x > 0) l += x * Math.log(x) - x;
  }
  return l;
}

/**
 * Where the first pass left something to look for (pixel positions, frame px): the candidates
 * of the crowded windows their model did not explain (CrowdingResolver.unexplained; with
 * FrameLocalizer's test-only `residualFrom: 'tried'`, of every window the crowding test tried).
 * The residual pass then runs in their neighbourhoods, and those of the rows with a neighbour,
 * only ({@link ResidualPass.run}).
 */
export interface ResidualSeeds {
  readonly count: number;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
}

/** The current frame, as the residual pass reads it. */
export interface ResidualFrame {
  /** The frame, row-major, in the camera's units (ADU). */
  readonly data: PixelArray;
  readonly width: number;
  readonly height: number;
  readonly camera: FrameCamera;
  /** Pixels at or above this value (the frame's units) are saturated. */
  readonly saturation: number;
  /** The frame's known background B (photons) and the fits' pedestal δ, when it has one (`knownBackground`). */
  readonly known: { readonly photons: Float64Array; readonly pedestal: number } | undefined;
}

/**
 * Find–fit–subtract over the whole frame, after 3D-DAOSTORM (Babcock et al., Opt. Nanoscopy
 * 1:6, 2012): the fits of the first pass (every converged row) are drawn into a model image —
 * each N·Ex_i·Ey_j, the fit model's own pixel-integrated Gaussian ({@link ModelImage}) —
 * which is subtracted from the frame in photons; the detector runs again on that residual (the
 * camera's noise model unchanged, the level the residual's own: the fits' background), and each
 * new candidate is fitted in its box with the model image inside the box added as a known
 * background (`subtractKnownBackground`: the neighbours' light is then part of μ, not of the
 * data the new spot explains). A new fit is kept when it converged and lies more than
 * {@link RESIDUAL_DUPLICATE_PX} from every fit so far. Then every row with a neighbour is
 * refitted with the others held ({@link REFINE_SWEEPS} Gauss–Seidel sweeps) and tested: a row
 * its refitted neighbours explain (a likelihood-ratio test with the multi-emitter selection's
 * χ² quantile, {@link prune}) is dropped — the single fit a pair left between its two molecules;
 * after a round that drops rows the rows are refitted and tested again (up to
 * {@link PRUNE_ROUNDS} rounds: a cluster's chain of shifted rows loses its extra row). The rows kept form the model of the next pass. Stops after `passes` passes or when a pass
 * keeps nothing. Rows alone keep their first fits; the new rows come after the first pass's
 * (a single emitter each).
 *
 * 2-D (the Gaussian model) only. One instance per run: the model image, the residual and the
 * patches are scratch of the frame's size, allocated when the size changes.
 */
export class ResidualPass {
  private readonly fit: ResolvedFitOptions;
  private readonly workspace: FitWorkspace;
  private readonly passes: number;
  /** Whether every row with a neighbour is refitted and tested each time (the constructor's `every`). */
  private readonly every: boolean;
  private readonly candidates = new Candidates();
  private readonly out = new FitRows();
  /** The model plus the frame's own known background, over the boxes being fitted ({@link heldBox}); empty unless a frame has one. */
  private known = new Float64Array(0);
  /** The rows' models ({@link ModelImage}). */
  private readonly model: ModelImage;
  private residual = new Float32Array(0);
  /** Patches, origins, start values and results of this pass's fits. */
  private readonly scratch = new PatchScratch();
  /** The joint fit of a tested row and its neighbours, in a window of {@link crowdedWindow}(box) px (the fit kernel's when the run has it). */
  private readonly joint: JointFits;
  /** 2(ℓ₁ − ℓ₀) a row must add to be kept: the χ² quantile of the multi-emitter selection. */
  private readonly threshold: number;
  /** Neighbours within this distance of a tested row (px) are refitted with it, jointly. */
  private readonly reach: number;
  /** fitPatches' options of one refit ({@link refine}; the scratch's arrays set before each). */
  private readonly refit = { start: this.scratch.start, out: this.scratch.results, count: 1, shift: this.scratch.shift };
  /** The joint fits' solver options of a row test ({@link testRow}). */
  private readonly solver = { maxIterations: 0, tolerance: 0, shift: new Float64Array(0) };
  /** extractPatches' outputs for a row test's window. */
  private readonly windowOutputs: PatchOutputs;
  private readonly window = { patch: new Float64Array(0), shift: new Float64Array(0), column: new Int32Array(1), row: new Int32Array(1), saturated: new Uint8Array(1), centre: new Candidates() };
  /** Rows to test (indices), their neighbours (scratch), rows dropped, rows of this pass. */
  private tested = new Int32Array(0);
  private neighbours = new Int32Array(0);
  private dropped = new Uint8Array(0);
  /** Rows near a new row of this pass ({@link markTouched}): refitted and tested. */
  private touched = new Uint8Array(0);
  /**
   * Rows due a refit and a test: every row of the first pass; then a row near a change — a new
   * row, a row dropped, a row that took the joint fit without one, a refit that moved
   * ({@link changed}). Of these, the rows {@link markTouched} marks are refitted ({@link refineAll}) and tested ({@link prune}).
   */
  private refitDue = new Uint8Array(0);
  private testDue = new Uint8Array(0);
  /** Refits of the last {@link run} (for tests and profiles). */
  refits = 0;
  private readonly startTheta: Float64Array;
  /** The converged rows by cells ({@link buildGrid}, and of RESIDUAL_DUPLICATE_PX for {@link nearFit}). */
  private readonly cells = new RowCells();
  /** Where the passes detect, draw and clear, by the detector's tiles, and the next pass's seeds. */
  private readonly regions = new ResidualRegions();
  private local = false;
  /** The frame a local pass detects in, while it does ({@link residualRows}). */
  private current: ResidualFrame | undefined;
  /** The residual of {@link current}'s rows, computed where the detector reads it (a local pass). */
  private readonly residualRows: RegionPixels = {
    copyRow: (target, at, row, c0, c1) => {
      const frame = this.current as ResidualFrame;
      this.residualInto(frame, target, at, row * frame.width + c0, row * frame.width + c1);
    },
  };

  /**
   * @param fit - the resolved fit options (box, σ)
   * @param workspace - the run's fit workspace (shared with the first pass; used after it)
   * @param multiEmitter - the resolved multi-emitter options: the passes in all, the first
   *   included (≥ 2 to do anything), the most emitters of a joint refit and the p-value of the
   *   likelihood-ratio test that keeps a row
   * @param every - every row with a neighbour refitted in every sweep and tested in every round,
   *   not only those near a change (the reference the tests compare with) @default false
   */
  constructor(fit: ResolvedFitOptions, workspace: FitWorkspace, multiEmitter: ResolvedMultiEmitterOptions, every = false) {
    this.fit = fit;
    this.every = every;
    this.workspace = workspace;
    this.passes = multiEmitter.passes;
    const w = crowdedWindow(fit.box);
    const most = Math.max(2, multiEmitter.maxEmitters);
    this.joint = workspace.kernel && w <= MAX_WINDOW ? new WasmMultiEmitterFit(w, most) : new MultiEmitterFit(w, most);
    this.threshold = chiSquareThreshold(multiEmitter.pValue, this.joint.perEmitter);
    this.reach = (w >> 1) - MULTI_EMITTER_MARGIN_PX;
    this.window.patch = new Float64Array(w * w);
    this.window.shift = new Float64Array(w * w);
    const win = this.window;
    this.windowOutputs = { patches: win.patch, originColumn: win.column, originRow: win.row, saturated: win.saturated, shift: win.shift };
    this.solver.maxIterations = fit.maxIterations;
    this.solver.tolerance = fit.tolerance;
    this.solver.shift = win.shift;
    this.startTheta = new Float64Array(this.joint.theta.length);
    this.model = new ModelImage(this.regions, fit.fitSigma ? fit.sigmaMaxPx : fit.sigmaPx);
  }

  /**
   * Run the passes after the first on one frame. With `seeds` (and the detector's WebAssembly
   * filter, no known background) the passes are local: the second detects only in the tiles of
   * the detector's grid within a model's reach (MODEL_RADIUS_SIGMAS·σ) of a seed, each later
   * one in those of the rows its refits and tests changed — elsewhere the residual is what an
   * earlier pass (the first) already detected. Within those tiles the candidates are the ones
   * a pass over the whole residual finds there: the model image is drawn over them and the
   * filter's margin, and the residual is computed there as the detector loads it (straight into
   * its kernel: RegionPixels), which reads nothing else. Without seeds every pass detects over
   * the whole frame (the residual then a frame-sized array).
   * @param frame - the frame, its camera and known background
   * @param detector - the run's detector (loaded again with the residual)
   * @param first - the first pass's rows
   * @param seeds - where the first pass left something (the candidates of the crowded windows
   *   their model did not explain) @default the whole frame
   * @returns the first pass's rows followed by the new fits (this object's scratch, valid until the next call)
   */
  run(frame: ResidualFrame, detector: SpotDetector, first: ResolvedFits, seeds?: ResidualSeeds): ResolvedFits {
    const { width, height, data, camera, known } = frame;
    const size = width * height;
    const grid = detector.grid;
    const regions = this.regions;
    if (this.model.image.length !== size || regions.grid !== grid) {
      this.model.resize(size);
      regions.resize(grid);
    }
    const out = this.out;
    this.refits = 0;
    out.count = 0;
    out.appendRange(first.rows, 0, first.count, first.originColumn, first.originRow);
    out.emitters.set(first.emitters.subarray(0, first.count), 0);
    this.ensureDue(out.count);
    this.refitDue.fill(1, 0, out.count);
    this.testDue.fill(1, 0, out.count);
    this.local = seeds !== undefined && !known && detector.local;
    regions.seedCount = 0;
    if (this.local && seeds) {
      for (let i = 0; i < seeds.count; i++) regions.addSeed(seeds.x[i], seeds.y[i]);
      // Rows with a neighbour (those the refits would touch) seed too: a pair the crowding test
      // passed may hide a third spot (measured on output-sums' sparse stack: without them 12 of
      // 9 600 true spots that whole-frame passes find are missed; with the passes started by
      // the unexplained windows only, leaving these seeds out found 5 of 9 709 fewer than every
      // window tried, keeping them 1 fewer). A 2048² frame has an unexplained window in nearly
      // every frame, so its crowded rows seed every frame (simulated 2048² × 24 frames at
      // 0.061 /µm², in-process, one thread: 84.6 ms a frame with them, 68.4 without, 19 % of
      // its localization time; 2 spots of 60 623 fewer without).
      this.markTouched(width, height, out.count);
      this.seedTouched();
    }
    const { box } = this.fit;
    for (let pass = 2; pass <= this.passes; pass++) {
      const candidates = this.candidates;
      if (this.local) {
        if (regions.seedCount === 0) break;
        regions.markSeeds(Math.ceil(MODEL_RADIUS_SIGMAS * this.fit.sigmaPx), detector.marginPx);
        const model = this.model;
        model.clear();
        for (let p = 0; p < out.count; p++) if (model.footprint(out, p) && regions.needs(model.foot.c0, model.foot.r0, model.foot.w)) model.draw(out, p, width, height);
        // The residual computed where the detector reads it, straight into its kernel.
        this.current = frame;
        detector.detectTiles(this.residualRows, regions.marked, candidates);
        this.current = undefined;
      } else {
        this.drawAll(width, height);
        this.residualOf(frame);
        if (known) detector.loadResidual(this.residual, known.photons);
        else detector.load(this.residual, PHOTONS);
        detector.detectLoaded(candidates);
      }
      const n = candidates.count;
      if (n === 0) break;
      this.scratch.ensure(n, box ** 2, true);
      extractPatches(data, width, height, candidates, box, this.scratch.outputs, camera, frame.saturation);
      // The known background of each box: the fits so far, on top of the frame's own known background.
      let held: Float64Array = this.model.image;
      for (let q = 0; q < n; q++) held = this.heldBox(frame, this.scratch.originColumn[q], this.scratch.originRow[q], box);
      subtractKnownBackground(held, width, known ? known.pedestal : 0, n, box, this.scratch.originColumn, this.scratch.originRow, this.scratch.patches, this.scratch.shift);
      this.scratch.start.x.fill(Number.NaN, 0, n);
      const fits = fitPatches(this.scratch.patches, this.workspace, { start: this.scratch.start, out: this.scratch.results, count: n, shift: this.scratch.shift });
      const before = out.count;
      this.cells.build(out, width, height, RESIDUAL_DUPLICATE_PX);
      for (let p = 0; p < n; p++) {
        if (this.scratch.saturated[p] || fits.status[p] !== FitStatus.converged) continue;
        const x = this.scratch.originColumn[p] + fits.x[p];
        const y = this.scratch.originRow[p] + fits.y[p];
        if (!(x >= 0 && x < width && y >= 0 && y < height) || this.nearFit(x, y, before)) continue;
        out.append(fits, p, this.scratch.originColumn[p], this.scratch.originRow[p], 1);
      }
      if (out.count === before) break;
      this.markTouched(width, height, before);
      // The new rows into the model image; the rows a local pass did not draw are drawn where a
      // refit or a row test needs them (drawAround), then the refits and tests keep it current.
      for (let p = before; p < out.count; p++) this.model.draw(out, p, width, height);
      this.refineAll(frame);
      this.seedTouched();
      for (let round = 0; round < PRUNE_ROUNDS; round++) {
        const kept = out.count;
        this.prune(frame);
        if (out.count === kept) break;
        // Every row with a neighbour refitted again around the rows dropped (none is new; the
        // row tests took the dropped rows out of the model image).
        this.markTouched(width, height, out.count);
        this.refineAll(frame);
        this.seedTouched();
      }
    }
    return { rows: out.rows, emitters: out.emitters, originColumn: out.column, originRow: out.row, count: out.count };
  }

  /**
   * The background held in a box at (c0, r0) of `side` px: the model image itself, or, over a
   * frame's own known background, the model plus that background written into {@link known}
   * over the box (allocated only for such frames: 32 MB less per worker at 2048²).
   */
  private heldBox(frame: ResidualFrame, c0: number, r0: number, side: number): Float64Array {
    const known = frame.known;
    if (!known) return this.model.image;
    const { width } = frame;
    const model = this.model.image;
    if (this.known.length !== model.length) this.known = new Float64Array(model.length);
    const b = this.known;
    for (let j = 0; j < side; j++) {
      const base = (r0 + j) * width + c0;
      for (let i = 0; i < side; i++) b[base + i] = model[base + i] + known.photons[base + i];
    }
    return b;
  }

  /** The rows just refitted seed the next pass (a local one): where they moved, the residual changed. */
  private seedTouched(): void {
    if (!this.local) return;
    const { rows, column, row, count } = this.out;
    for (let p = 0; p < count; p++) if (this.touched[p] && rows.status[p] === FitStatus.converged) this.regions.addSeed(column[p] + rows.x[p], row[p] + rows.y[p]);
  }

  /**
   * Refit the rows {@link markTouched} marked, in up to {@link REFINE_SWEEPS} Gauss–Seidel
   * sweeps: the first sweep refits every one; a later one only those with a row within
   * {@link TOUCH_CELLS} cells that moved by more than {@link REFINE_TOLERANCE_CRLB} of its √CRLB
   * since their last refit (the others' held models are as they were: their refit would return
   * them where they are). Stops when a sweep has nothing to refit.
   */
  private refineAll(frame: ResidualFrame): void {
    for (let sweep = 0; sweep < REFINE_SWEEPS; sweep++) {
      if (this.every) this.refitDue.fill(1, 0, this.out.count);
      if (!this.refine(frame) && !this.every) break;
    }
  }

  /**
   * One sweep of refits (Gauss–Seidel): every converged row {@link pending} marks is fitted
   * again in a box centred on its pixel, the model of all the others (and the frame's known
   * background) held as known background, started from where it is, and its neighbours are
   * marked when it moved ({@link refineAll}). A refit that does not converge keeps the row as it was.
   * @returns whether a row is marked for the next sweep
   */
  private refine(frame: ResidualFrame): boolean {
    const { width, height, data, camera, known } = frame;
    const out = this.out;
    const rows = out.rows;
    const { box } = this.fit;
    this.scratch.ensure(1, this.fit.box ** 2, true);
    const candidates = this.candidates;
    const start = this.scratch.start;
    const { refitDue, touched } = this;
    for (let p = 0; p < out.count; p++) {
      if (!refitDue[p] || !touched[p] || rows.status[p] !== FitStatus.converged) continue;
      refitDue[p] = 0;
      this.refits++;
      // Gauss–Seidel: the row's own model out of the image, refitted, its new model back in.
      this.model.drawAround(out, this.cells, this.dropped, out.column[p] + rows.x[p], out.row[p] + rows.y[p], box, width, height);
      this.model.draw(out, p, width, height, -1);
      const x = out.column[p] + rows.x[p];
      const y = out.row[p] + rows.y[p];
      const photons = rows.photons[p];
      candidates.count = 0;
      candidates.push(Math.floor(y), Math.floor(x), p);
      extractPatches(data, width, height, candidates, box, this.scratch.outputs, camera, frame.saturation);
      const c0 = this.scratch.originColumn[0];
      const r0 = this.scratch.originRow[0];
      const b = this.heldBox(frame, c0, r0, box);
      subtractKnownBackground(b, width, known ? known.pedestal : 0, 1, box, this.scratch.originColumn, this.scratch.originRow, this.scratch.patches, this.scratch.shift);
      start.x[0] = x - c0;
      start.y[0] = y - r0;
      start.photons[0] = photons;
      start.background[0] = rows.background[p];
      start.sigma[0] = rows.sigma[p];
      const refit = this.refit;
      refit.start = start;
      refit.out = this.scratch.results;
      refit.shift = this.scratch.shift;
      const fits = fitPatches(this.scratch.patches, this.workspace, refit);
      if (!this.scratch.saturated[0] && fits.status[0] === FitStatus.converged) {
        out.replace(p, fits, 0, c0, r0);
        // How far it moved, in its own √CRLB (NaN bounds: moved).
        const moved = Math.max(Math.abs(c0 + rows.x[p] - x) / rows.uncertaintyX[p], Math.abs(r0 + rows.y[p] - y) / rows.uncertaintyY[p], Math.abs(rows.photons[p] - photons) / rows.uncertaintyPhotons[p]);
        if (!(moved <= REFINE_TOLERANCE_CRLB)) {
          this.changed(x, y, p);
          // Moved out of its cell's reach: the rows near where it went are due too (the cells hold where it was).
          const nx = c0 + rows.x[p];
          const ny = r0 + rows.y[p];
          if ((nx - x) ** 2 + (ny - y) ** 2 > this.cells.size ** 2) this.changed(nx, ny, p);
        }
      }
      this.model.draw(out, p, width, height, 1);
    }
    for (let p = 0; p < out.count; p++) if (refitDue[p] && touched[p] && rows.status[p] === FitStatus.converged) return true;
    return false;
  }

  /**
   * Row `p` (at x, y frame px before it changed) changed: the rows within {@link TOUCH_CELLS}
   * cells of it are due a refit, they and p a test ({@link refitDue}, by the cells last built).
   */
  private changed(x: number, y: number, p: number): void {
    const cells = this.cells;
    const n = cells.near(x, y, TOUCH_CELLS);
    for (let i = 0; i < n; i++) {
      const q = cells.found[i];
      if (q !== p) this.refitDue[q] = 1;
      this.testDue[q] = 1;
    }
    this.testDue[p] = 1;
  }

  /** {@link refitDue} and {@link testDue} hold `count` rows (kept as they are). */
  private ensureDue(count: number): void {
    this.refitDue = grownKeeping(this.refitDue, count);
    this.testDue = grownKeeping(this.testDue, count);
    this.model.ensureRows(count);
  }

  /**
   * The likelihood-ratio test of every row that has a neighbour within {@link reach}: the row
   * and its neighbours within reach are fitted jointly ({@link MultiEmitterFit}, one shared
   * background) in a window centred on it, every other row's model held as known background,
   * with and without the row; the row is dropped when 2(ℓ₁ − ℓ₀), divided by the larger model's
   * dispersion (its deviance per degree of freedom, when above 1), is below the χ² quantile of
   * the multi-emitter selection (p-value `multiEmitter.pValue`, one emitter's parameters), and
   * its neighbours then take the fit without it. Rows are tested faintest first. A row without
   * neighbours is not tested (the detector found it, alone). Every row with a neighbour, not only
   * this pass's: the refits move older rows too (measured, test/bench/crowdedScore.ts, 3 passes
   * at 4 /µm²: 5.5 → 2.5 false positives a frame, Jaccard 85.1 → 85.2 %).
   */
  private prune(frame: ResidualFrame): void {
    const out = this.out;
    const n = out.count;
    const rows = out.rows;
    const w = this.joint.box;
    if (frame.width < w || frame.height < w) return;
    if (this.tested.length < n) {
      this.tested = new Int32Array(2 * n);
      this.dropped = new Uint8Array(2 * n);
    }
    if (this.neighbours.length < this.joint.maxEmitters) this.neighbours = new Int32Array(this.joint.maxEmitters);
    const { dropped, tested } = this;
    dropped.fill(0, 0, n);
    this.cells.build(out, frame.width, frame.height, this.reach);
    let t = 0;
    const testDue = this.testDue;
    if (this.every) testDue.fill(1, 0, n);
    for (let p = 0; p < n; p++) if (testDue[p] && rows.status[p] === FitStatus.converged && this.touched[p] && this.nearest(p, this.neighbours, 1) > 0) tested[t++] = p;
    const order = tested.subarray(0, t);
    order.sort((a, b) => rows.photons[a] - rows.photons[b]);
    for (let i = 0; i < t; i++) {
      const p = order[i];
      if (dropped[p]) continue;
      testDue[p] = 0;
      this.testRow(frame, p);
    }
    // Compact the rows kept, in order (a dropped row seeds the next local pass: its light is back in the residual).
    let k = 0;
    for (let p = 0; p < n; p++) {
      if (dropped[p]) {
        if (this.local) this.regions.addSeed(out.column[p] + rows.x[p], out.row[p] + rows.y[p]);
        continue;
      }
      if (k !== p) {
        out.replace(k, rows, p, out.column[p], out.row[p]);
        out.emitters[k] = out.emitters[p];
        this.refitDue[k] = this.refitDue[p];
        testDue[k] = testDue[p];
        this.model.move(k, p);
      }
      k++;
    }
    out.count = k;
  }

  /**
   * Mark the rows to refit and test after a pass: the new rows (from `newFrom`) and every
   * converged row within {@link TOUCH_CELLS} cells of another (an isolated row's refit, with
   * nothing near it held, is its first fit again). Refitting every row with neighbours, not only
   * those near a new row, is measured to matter (crowdedScore, 3 passes, 1.5 /µm²: lateral RMSE
   * 22.0 against 25.6 nm, Jaccard 95.5 against 95.0 %).
   */
  private markTouched(width: number, height: number, newFrom: number): void {
    const { rows, column, row, count } = this.out;
    if (this.touched.length < count) this.touched = new Uint8Array(2 * count);
    const touched = this.touched;
    touched.fill(0, 0, count);
    if (this.tested.length < count) {
      this.tested = new Int32Array(2 * count);
      this.dropped = new Uint8Array(2 * count);
    }
    this.dropped.fill(0, 0, count);
    const cells = this.cells;
    cells.build(this.out, width, height, this.reach);
    this.ensureDue(count);
    for (let q = newFrom; q < count; q++) {
      if (rows.status[q] !== FitStatus.converged) continue;
      touched[q] = 1;
      this.refitDue[q] = 1;
      this.changed(column[q] + rows.x[q], row[q] + rows.y[q], q);
    }
    // Rows with a neighbour within TOUCH_CELLS cells: in the cells, one sweep; a row beyond them, by its own scan.
    cells.markCrowded(TOUCH_CELLS, touched);
    for (let k = 0; k < cells.outsideCount; k++) {
      const q = cells.outside[k];
      const n = cells.near(column[q] + rows.x[q], row[q] + rows.y[q], TOUCH_CELLS);
      for (let i = 0; i < n; i++) {
        const p = cells.found[i];
        if (p === q) continue;
        touched[p] = 1;
        touched[q] = 1;
      }
    }
  }

  /**
   * The rows (converged, not dropped) within {@link reach} of row p, at most `most`, the
   * nearest kept, into `out`. @returns how many
   */
  private nearest(p: number, out: Int32Array, most: number): number {
    const { rows, column, row } = this.out;
    const cells = this.cells;
    const r2 = this.reach * this.reach;
    const found = cells.near(column[p] + rows.x[p], row[p] + rows.y[p], 1);
    let k = 0;
    for (let i = 0; i < found; i++) {
      const q = cells.found[i];
      if (q === p || this.dropped[q] || rows.status[q] !== FitStatus.converged) continue;
      const d = this.distance2(p, q);
      if (d > r2) continue;
      if (k < most) out[k++] = q;
      else {
        let far = 0;
        for (let j = 1; j < k; j++) if (this.distance2(p, out[j]) > this.distance2(p, out[far])) far = j;
        if (this.distance2(p, out[far]) > d) out[far] = q;
      }
    }
    return k;
  }

  /** Squared distance between rows a and b, frame px. */
  private distance2(a: number, b: number): number {
    const { rows, column, row } = this.out;
    const dx = column[a] + rows.x[a] - column[b] - rows.x[b];
    const dy = row[a] + rows.y[a] - row[b] - rows.y[b];
    return dx * dx + dy * dy;
  }

  /** The test of row p ({@link prune}): p is marked dropped, or kept with its neighbours as they were. */
  private testRow(frame: ResidualFrame, p: number): void {
    const out = this.out;
    const rows = out.rows;
    const { width, height, data, camera, known } = frame;
    const joint = this.joint;
    const w = joint.box;
    const nb = this.neighbours;
    const k = this.nearest(p, nb, joint.maxEmitters - 1);
    if (k === 0) return;
    // The window centred on p's pixel, every other row's model (and the frame's known background) held.
    this.model.drawAround(out, this.cells, this.dropped, out.column[p] + rows.x[p], out.row[p] + rows.y[p], w, width, height);
    this.model.draw(out, p, width, height, -1);
    for (let j = 0; j < k; j++) this.model.draw(out, nb[j], width, height, -1);
    const win = this.window;
    win.centre.count = 0;
    win.centre.push(Math.floor(out.row[p] + rows.y[p]), Math.floor(out.column[p] + rows.x[p]), 0);
    extractPatches(data, width, height, win.centre, w, this.windowOutputs, camera, frame.saturation);
    const c0 = win.column[0];
    const r0 = win.row[0];
    const b = this.heldBox(frame, c0, r0, w);
    subtractKnownBackground(b, width, known ? known.pedestal : 0, 1, w, win.column, win.row, win.patch, win.shift);
    const { sigmaPx } = this.fit;
    const solver = this.solver;
    // θ with p (last) and without it: the neighbours first, then b.
    const theta = joint.theta;
    const start = this.startTheta;
    for (let j = 0; j < k; j++) {
      const q = nb[j];
      start[3 * j] = out.column[q] + rows.x[q] - c0;
      start[3 * j + 1] = out.row[q] + rows.y[q] - r0;
      start[3 * j + 2] = rows.photons[q];
    }
    start[3 * k] = out.column[p] + rows.x[p] - c0;
    start[3 * k + 1] = out.row[p] + rows.y[p] - r0;
    start[3 * k + 2] = rows.photons[p];
    start[3 * k + 3] = rows.background[p];
    let keep = true;
    if (!win.saturated[0]) {
      copyInto(theta, start, 3 * k + 4);
      const s1 = joint.fit(win.patch, 0, k + 1, sigmaPx, solver);
      let l1 = s1 === FitStatus.converged ? joint.logLikelihood : Number.NEGATIVE_INFINITY;
      copyInto(theta, start, 3 * k + 4);
      l1 = Math.max(l1, joint.refresh(win.patch, 0, k + 1, sigmaPx, win.shift));
      copyInto(theta, start, 3 * k);
      theta[3 * k] = rows.background[p];
      const s0 = joint.fit(win.patch, 0, k, sigmaPx, solver);
      const dof = w * w - 3 * (k + 1) - 1;
      // Model error (the held neighbours' errors, a spot no row has) inflates every deviance in a
      // crowded window: the statistic is divided by the larger model's deviance per degree of
      // freedom when that exceeds 1 (quasi-likelihood dispersion).
      const dispersion = Math.max(1, (2 * (saturatedLogLikelihood(win.patch, win.shift, w * w) - l1)) / dof);
      if (s0 === FitStatus.converged && this.plausible(k) && (2 * (l1 - joint.logLikelihood)) / dispersion < this.threshold) keep = false;
    }
    if (!keep) {
      this.dropped[p] = 1;
      // Its neighbourhood changes: it goes, they take the joint fit without it (and are refitted).
      this.changed(out.column[p] + rows.x[p], out.row[p] + rows.y[p], p);
      for (let j = 0; j < k; j++) {
        const q = nb[j];
        this.changed(out.column[q] + rows.x[q], out.row[q] + rows.y[q], q);
        this.refitDue[q] = 1;
      }
      this.adopt(k, c0, r0);
    } else {
      this.model.draw(out, p, width, height, 1);
    }
    for (let j = 0; j < k; j++) this.model.draw(out, nb[j], width, height, 1);
  }

  /** Whether the joint fit's K emitters are all bright and inside the window. */
  private plausible(k: number): boolean {
    const theta = this.joint.theta;
    const w = this.joint.box;
    for (let j = 0; j < k; j++) {
      const x = theta[3 * j];
      const y = theta[3 * j + 1];
      if (!(theta[3 * j + 2] > 0 && x >= 0 && x <= w && y >= 0 && y <= w)) return false;
    }
    return true;
  }

  /** The joint fit without the dropped row into its K neighbours' rows (window at c0, r0). */
  private adopt(k: number, c0: number, r0: number): void {
    const { joint, out } = this;
    const rows = out.rows;
    const theta = joint.theta;
    const win = this.window;
    const scale = Math.sqrt(this.fit.noiseScale);
    const bounded = joint.bound(k, win.patch, 0, win.shift);
    const residualStd = joint.residualStd(win.patch, 0);
    for (let j = 0; j < k; j++) {
      const q = this.neighbours[j];
      out.column[q] = c0;
      out.row[q] = r0;
      rows.x[q] = theta[3 * j];
      rows.y[q] = theta[3 * j + 1];
      rows.photons[q] = theta[3 * j + 2];
      rows.background[q] = theta[3 * k];
      rows.uncertaintyX[q] = bounded ? joint.crlb[3 * j] * scale : Number.NaN;
      rows.uncertaintyY[q] = bounded ? joint.crlb[3 * j + 1] * scale : Number.NaN;
      rows.uncertaintyPhotons[q] = bounded ? joint.crlb[3 * j + 2] * scale : Number.NaN;
      rows.uncertaintyBackground[q] = bounded ? joint.crlb[3 * k] * scale : Number.NaN;
      rows.logLikelihood[q] = joint.logLikelihood;
      rows.residualStd[q] = residualStd;
      rows.chiSquare[q] = Number.NaN;
      rows.iterations[q] = joint.iterations;
    }
  }

  /**
   * Whether a row so far (converged) lies within {@link RESIDUAL_DUPLICATE_PX} of (x, y), frame
   * px: the rows before `from` by their cells of that size ({@link cells}, built before the
   * pass's new rows; those beyond the cells one by one), those appended since one by one.
   */
  private nearFit(x: number, y: number, from: number): boolean {
    const { rows, column, row, count } = this.out;
    const r2 = RESIDUAL_DUPLICATE_PX * RESIDUAL_DUPLICATE_PX;
    const cells = this.cells;
    const found = cells.near(x, y, 1);
    for (let i = 0; i < found; i++) {
      const q = cells.found[i];
      const dx = column[q] + rows.x[q] - x;
      const dy = row[q] + rows.y[q] - y;
      if (dx * dx + dy * dy < r2) return true;
    }
    for (let i = 0; i < cells.outsideCount; i++) {
      const q = cells.outside[i];
      const dx = column[q] + rows.x[q] - x;
      const dy = row[q] + rows.y[q] - y;
      if (dx * dx + dy * dy < r2) return true;
    }
    for (let q = from; q < count; q++) {
      if (rows.status[q] !== FitStatus.converged) continue;
      const dx = column[q] + rows.x[q] - x;
      const dy = row[q] + rows.y[q] - y;
      if (dx * dx + dy * dy < r2) return true;
    }
    return false;
  }

  /** The model image of every row so far. */
  private drawAll(width: number, height: number): void {
    this.model.clear();
    for (let p = 0; p < this.out.count; p++) this.model.draw(this.out, p, width, height);
  }

  /**
   * The frame in photons less the model image (less the known background too, when the frame
   * has one: the frame minus B is what detection sees then).
   */
  private residualOf(frame: ResidualFrame): void {
    const size = frame.width * frame.height;
    if (this.residual.length !== size) this.residual = new Float32Array(size);
    this.residualInto(frame, this.residual, 0, 0, size);
  }

  /** The residual ({@link residualOf}) at frame pixel indices [from, to) into `out[at …]`. */
  private residualInto(frame: ResidualFrame, out: Float32Array, at: number, from: number, to: number): void {
    const { data, camera, known } = frame;
    const { offsetMap, factorMap } = camera;
    const model = this.model.image;
    const baseline = camera.baselineAdu;
    const factor = camera.photonsPerAduNet;
    const shift = at - from;
    if (offsetMap && factorMap) {
      for (let i = from; i < to; i++) out[i + shift] = (data[i] - offsetMap[i]) * factorMap[i] - model[i] - (known ? known.photons[i] : 0);
    } else if (known) {
      for (let i = from; i < to; i++) out[i + shift] = (data[i] - baseline) * factor - model[i] - known.photons[i];
    } else {
      for (let i = from; i < to; i++) out[i + shift] = (data[i] - baseline) * factor - model[i];
    }
  }
}
