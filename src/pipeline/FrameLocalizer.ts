import { createFitEngines } from '../fit/createFitEngines.js';
import { PatchDepths } from '../astig/PatchDepths.js';
import { zModelErrorNm as astigmaticZModelErrorNm } from '../astig/AstigmaticCalibration.js';
import { SPLINE_CALIBRATION_DEFAULTS } from '../astig/SplineCalibration.js';
import type { AstigmaticCalibration } from '../astig/AstigmaticCalibration.js';
import { MAX_Z_ERROR_OVER_NOISE } from '../astig/calibrateAstigmatism.js';
import type { FrameCamera } from '../camera/CameraModel.js';
import { frameCamera, saturationLevel } from '../camera/CameraModel.js';
import { Candidates } from '../detect/Candidates.js';
import { SpotDetector } from '../detect/SpotDetector.js';
import { CrowdingResolver } from '../fit/CrowdingResolver.js';
import { DuplicateFits } from '../fit/DuplicateFits.js';
import type { CrowdedWindows, ResolvedFits } from '../fit/CrowdingResolver.js';
import { FitStatus } from '../fit/FitStatus.js';
import { fitPatches } from '../fit/fitPatches.js';
import type { FitWorkspace } from '../fit/FitWorkspace.js';
import { WarmStarts } from '../fit/WarmStarts.js';
import type { Frame } from '../io/Frame.js';
import { sampleTypeOf } from '../io/Frame.js';
import { extractPatches } from '../patches/extractPatches.js';
import { knownBackground } from '../patches/knownBackground.js';
import { subtractKnownBackground } from '../patches/subtractKnownBackground.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { createLocalizationBatch } from '../table/LocalizationBatch.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import { checkFrameSize } from './LocalizeOptions.js';
import type { LocalizeStats } from './LocalizeStats.js';
import { ResidualPass } from './ResidualPass.js';
import { DepthRefits } from './DepthRefits.js';
import type { ResidualSeeds } from './ResidualPass.js';
import { createLocalizeStats } from './LocalizeStats.js';
import type { BackgroundFrame } from './TemporalMedian.js';
import { PatchScratch } from './PatchScratch.js';

/**
 * Localizes frame after frame: camera model → detection → patches → fit (warm-started from the
 * previous frame within a chunk of `chunkFrames` frames; {@link WarmStarts}) → 3-D fit
 * ({@link PatchDepths}) → crowded windows ({@link CrowdingResolver}) → a {@link LocalizationBatch}
 * in nm. The fits' engines come from one factory ({@link createFitEngines}). Holds the scratch of
 * one run (frame buffers, detector, fit workspace) and the previous frame's localizations; one
 * per subscription. Knows nothing of RxJS or files.
 */
export class FrameLocalizer {
  readonly options: ResolvedLocalizeOptions;
  /** Counters and stage timings since the start (or the last {@link takeStats}). */
  stats: LocalizeStats = createLocalizeStats();
  private readonly workspace: FitWorkspace;
  private readonly crowding: CrowdingResolver;
  /** The 3-D fit of every patch, in a run with an astigmatic or a spline calibration. */
  private readonly depths: PatchDepths | undefined;
  private readonly warmStarts = new WarmStarts();
  /** Marks fits that converged onto an emitter another fit of the frame found. */
  private readonly duplicates = new DuplicateFits();
  /** Find–fit–subtract passes after the first (`multiEmitter.passes` ≥ 2, 2-D). */
  private readonly residualPass: ResidualPass | undefined;
  /** 3-D: each row refitted with its neighbours' models held (multi-emitter fitting on). */
  private readonly depthRefits: DepthRefits | undefined;
  /** The last frame's candidates (overwritten by the next {@link process}): `smlm-stream view` draws them. */
  readonly candidates = new Candidates();
  /** The centres of the crowded windows (scratch of {@link cutWindows}). */
  private readonly windowCentres = new Candidates();
  private detector: SpotDetector | undefined;
  /** The camera for the current frame size (maps cut to it), and whether it has shifts. */
  private camera: FrameCamera | undefined;
  private shifted = false;
  /** Patches, origins, start values and results of this pass's fits. */
  private readonly scratch = new PatchScratch();
  private previousFrame = -2;
  /** The current frame's known background (photons), the frame minus it, and the fits' pedestal. */
  private backgroundPhotons = new Float64Array(0);
  private residual = new Float32Array(0);
  private pedestal = 0;
  /** The residual passes' seeds: the candidates of the windows their model did not explain (frame px). */
  private seeds = { count: 0, x: new Float64Array(64), y: new Float64Array(64) };
  /** Whether the residual passes run where the crowding test looked only (ResidualPass's seeds) or over the whole frame. */
  private readonly residualRegion: 'seeds' | 'frame';
  /** Which crowded windows start the residual passes: those their model did not explain, or every one tried. */
  private readonly residualFrom: 'unexplained' | 'tried';
  /** 3-D rows of the last frame refitted with their neighbours held ({@link DepthRefits}; 0 without them). */
  get depthRefitRows(): number {
    return this.depthRefits?.refits ?? 0;
  }

  /** 3-D rows of the last frame split into pairs by the refits ({@link DepthRefits}; 0 without them). */
  get depthSplits(): number {
    return this.depthRefits?.splits ?? 0;
  }

  /** Whether the residual passes ran on the last frame ({@link residualPassesRan}). */
  private passesRan = false;
  /** The current frame, for {@link cutWindows}. */
  private frame: { data: Frame['data']; width: number; height: number; camera: FrameCamera; background: boolean } | undefined;

  /**
   * @param options - resolved pipeline options
   * @param internals - `residualRegion: 'frame'`: the residual passes detect over the whole
   *   frame, not only around the candidates the crowding test tried (the reference the tests
   *   compare with) @default 'seeds'; `everyRefit`: the residual passes refit every row with a
   *   neighbour in every sweep and test it in every round, not only near a change (the reference
   *   the tests compare with) @default false; `residualFrom: 'tried'`: every window the crowding
   *   test tried starts the residual passes, not only those its chosen model did not explain
   *   (CrowdingResolver.unexplained; the reference the tests compare with) @default 'unexplained';
   *   `depthRefits: false`: 3-D rows keep their fits alone (no {@link DepthRefits}; the comparison
   *   of the benches and tests) @default true
   */
  constructor(options: ResolvedLocalizeOptions, internals: { residualRegion?: 'seeds' | 'frame'; everyRefit?: boolean; residualFrom?: 'unexplained' | 'tried'; depthRefits?: boolean } = {}) {
    this.options = options;
    this.residualRegion = internals.residualRegion ?? 'seeds';
    this.residualFrom = internals.residualFrom ?? 'unexplained';
    const { fit, multiEmitter, astigmatism, spline, camera } = options;
    const modelFollowsPsf = spline !== undefined || (astigmatism !== undefined && astigmaticModelFollowsBeads(astigmatism));
    // The refits' engines (DepthRefits' model and pair fit) only for a run that refits.
    const refits = internals.depthRefits === false ? undefined : { modelFollowsPsf };
    const engines = createFitEngines(fit, multiEmitter, astigmatism, spline && { psf: spline.psf, pixelSizeNm: camera.pixelSizeNm, everyZStart: spline.everyZStart ?? SPLINE_CALIBRATION_DEFAULTS.everyZStart }, refits);
    this.workspace = engines.workspace;
    const zModelErrorNm = astigmatism ? astigmaticZModelErrorNm(astigmatism) : (spline?.zModelErrorNm ?? SPLINE_CALIBRATION_DEFAULTS.zModelErrorNm);
    this.crowding = new CrowdingResolver(fit, multiEmitter, engines.selector, engines.depthFits && { fits: engines.depthFits, zModelErrorNm, zModelErrorByDepth: spline?.zModelErrorByDepth, pixelSizeNm: camera.pixelSizeNm, modelFollowsPsf });
    this.depths = engines.astigmatic ? new PatchDepths(engines.astigmatic, fit, zModelErrorNm, camera.pixelSizeNm, spline?.zModelErrorByDepth) : undefined;
    this.residualPass = multiEmitter.passes > 1 && !this.depths ? new ResidualPass(fit, this.workspace, multiEmitter, internals.everyRefit) : undefined;
    const pairs = engines.pairFits;
    const split = pairs && { fits: pairs, pValue: multiEmitter.pValue, noiseScale: fit.noiseScale, maxIterations: fit.maxIterations, tolerance: fit.tolerance };
    this.depthRefits = this.depths && engines.depthModel ? new DepthRefits(this.depths, engines.depthModel, fit.box, split) : undefined;
  }

  /** Refits of the residual passes on the last frame (0 without them). */
  get residualRefits(): number {
    return this.residualPass?.refits ?? 0;
  }

  /** Whether the residual passes ran on the last frame (its gate opened: tests). */
  get residualPassesRan(): boolean {
    return this.passesRan;
  }

  /** The counters so far, and start new ones (workers report per chunk). */
  takeStats(): LocalizeStats {
    const stats = this.stats;
    this.stats = createLocalizeStats();
    return stats;
  }

  /**
   * Localize one frame.
   * @param frame - the frame (ADU); with a known per-pixel `background` (ADU, e.g. the
   *   {@link TemporalMedian}'s), detection sees the frame minus it and every fit takes it as
   *   known, its constant background a free offset on top (`subtractKnownBackground`)
   * @returns the frame's localizations (every fit, with its status), positions in nm
   */
  process(frame: BackgroundFrame): LocalizationBatch {
    const { width, height } = frame;
    const { box } = this.options.fit;
    checkFrameSize(width, height, box);
    if (!this.detector || !this.camera || this.detector.width !== width || this.detector.height !== height) {
      this.camera = frameCamera(this.options.camera, width, height);
      this.shifted = this.camera.shiftMap !== undefined || this.camera.shiftPhotons > 0;
      this.detector = new SpotDetector(width, height, this.options.detect, this.camera);
    }
    const camera = this.camera;
    // The frame is converted to photons once for detection (f32, in the kernel); each patch
    // converts its own pixels from the frame in f64 for the fit.
    const t0 = performance.now();
    const background = frame.background;
    if (background) {
      if (background.length !== width * height) throw new RangeError(`frame ${frame.index + 1}: a background of ${background.length} pixels for ${width}×${height}`);
      if (this.residual.length !== background.length) {
        this.residual = new Float32Array(background.length);
        this.backgroundPhotons = new Float64Array(background.length);
      }
      this.pedestal = knownBackground(frame.data, background, camera, this.backgroundPhotons, this.residual, camera.shiftPhotons);
      this.detector.loadResidual(this.residual, this.backgroundPhotons);
    } else {
      this.detector.load(frame.data, camera);
    }
    const t1 = performance.now();
    const candidates = this.candidates;
    this.detector.detectLoaded(candidates);
    const t2 = performance.now();
    const n = candidates.count;
    const shifted = this.shifted || background !== undefined;
    this.scratch.ensure(n, this.options.fit.box ** 2, shifted);
    const shift = shifted ? this.scratch.shift : undefined;
    const outputs = { patches: this.scratch.patches, originColumn: this.scratch.originColumn, originRow: this.scratch.originRow, saturated: this.scratch.saturated, shift };
    const saturation = saturationLevel(this.options.camera, sampleTypeOf(frame.data));
    extractPatches(frame.data, width, height, candidates, box, outputs, camera, saturation);
    if (background) subtractKnownBackground(this.backgroundPhotons, width, this.pedestal, n, box, this.scratch.originColumn, this.scratch.originRow, this.scratch.patches, this.scratch.shift);
    const { warmStart, chunkFrames } = this.options;
    if (warmStart && frame.index === this.previousFrame + 1 && frame.index % chunkFrames !== 0) {
      this.warmStarts.find(n, candidates.column, candidates.row, this.scratch.originColumn, this.scratch.originRow, this.scratch.start);
    } else {
      this.scratch.start.x.fill(Number.NaN, 0, n);
    }
    const single = fitPatches(this.scratch.patches, this.workspace, { start: this.scratch.start, out: this.scratch.results, count: n, shift });
    // 3-D: every patch fitted again for z, from its 2-D fit (or the patch's centre).
    this.depths?.fit(this.scratch.patches, this.scratch.saturated, single, n, shift);
    // A fit over clipped pixels is wrong whatever the solver says.
    for (let p = 0; p < n; p++) if (this.scratch.saturated[p]) single.status[p] = FitStatus.saturated;
    this.frame = { data: frame.data, width, height, camera, background: background !== undefined };
    const tried = this.stats.multiEmitterTried;
    // Over a known background the passes do not run: the windows need no check.
    this.crowding.checkWindows = !background;
    const resolved = this.crowding.resolve(
      { width, height, cut: this.cutWindows },
      candidates,
      { fits: single, patches: this.scratch.patches, shift, originColumn: this.scratch.originColumn, originRow: this.scratch.originRow },
      this.stats,
    );
    const known = background ? { photons: this.backgroundPhotons, pedestal: this.pedestal } : undefined;
    // 3-D: two rows of one spot would each hold the other: the duplicates are marked first.
    if (this.depthRefits) this.duplicates.mark(resolved, true);
    const refitted = this.depthRefits ? this.depthRefits.run({ data: frame.data, width, height, camera, saturation, known }, resolved) : resolved;
    // Find–fit–subtract where the first pass left something: a crowded window its chosen model
    // does not explain (CrowdingResolver.unexplained; with residualFrom 'tried', any window the
    // crowding test tried), every frame with multi-emitter fitting off. Measured on a simulated
    // 256² stack (0.061 /µm², seed 5, 300 frames, true camera): the passes ran on 212 of 300
    // frames (70 %) with every tried window, on 29 (10 %) from the unexplained ones. On 1 000
    // frames each of seeds 5 and 6 (CLI defaults) 40 183 and 39 867 spots found (39 869 with
    // every tried window), lateral RMSE 7.613 and 7.769 nm (7.612, 7.780).
    // Over a known per-pixel background the residual's noise peaks pass as spots (24 false
    // positives a frame at 1.5 /µm² over a temporal median): one pass there.
    const from = this.residualFrom === 'tried' ? this.crowding.tried : this.crowding.unexplained;
    const residual = this.residualPass && !background && (!this.options.multiEmitter.enabled || (this.stats.multiEmitterTried > tried && from.length > 0));
    // Multi-emitter fitting on, the later passes look where those windows are (elsewhere the
    // first pass's fits explain the frame: the residual there holds nothing it did not detect).
    const seeds = residual && this.options.multiEmitter.enabled && this.residualRegion === 'seeds' ? this.seedsAt(candidates, from) : undefined;
    this.passesRan = Boolean(residual) && this.residualPass !== undefined;
    const fits = residual && this.residualPass ? this.residualPass.run({ data: frame.data, width, height, camera, saturation, known }, this.detector, refitted, seeds) : refitted;
    this.frame = undefined;
    this.duplicates.mark(fits, this.depths !== undefined);
    const t3 = performance.now();
    const batch = this.toBatch(frame.index + 1, fits, background ? width : 0, height);
    const s = this.stats;
    s.engines.fit = this.workspace.kernel ? 'wasm' : 'js';
    s.engines.detect = this.detector.filter.engine;
    if (frame.data instanceof Float32Array || frame.data instanceof Float64Array) {
      const bad = countNonFinite(frame.data);
      s.nonFinitePixels += bad;
      if (bad > 0) s.framesWithNonFinite++;
    }
    s.frames++;
    s.candidates += n;
    s.fits += fits.count;
    s.ms.camera += t1 - t0;
    s.ms.detect += t2 - t1;
    s.ms.fit += t3 - t2;
    this.previousFrame = frame.index;
    return batch;
  }

  /** The centres of the given candidates (indices; frame px). */
  private seedsAt(candidates: Candidates, from: readonly number[]): ResidualSeeds {
    const seeds = this.seeds;
    if (seeds.x.length < from.length) seeds.x = new Float64Array(2 * from.length);
    if (seeds.y.length < from.length) seeds.y = new Float64Array(2 * from.length);
    for (let i = 0; i < from.length; i++) {
      seeds.x[i] = candidates.column[from[i]] + 0.5;
      seeds.y[i] = candidates.row[from[i]] + 0.5;
    }
    seeds.count = from.length;
    return seeds;
  }

  /** Cut the crowded windows the resolver asks for from the current frame (photons, with the camera's shift). */
  private readonly cutWindows = (windows: CrowdedWindows): void => {
    const frame = this.frame as NonNullable<FrameLocalizer['frame']>;
    const centres = this.windowCentres;
    centres.count = 0;
    for (let q = 0; q < windows.count; q++) centres.push(windows.row[q], windows.column[q], 0);
    extractPatches(frame.data, frame.width, frame.height, centres, windows.width, windows.out, frame.camera);
    const { out } = windows;
    if (frame.background && out.shift) subtractKnownBackground(this.backgroundPhotons, frame.width, this.pedestal, windows.count, windows.width, out.originColumn, out.originRow, out.patches, out.shift);
  };

  /**
   * Convert fits to the table's units (the one place px become nm) and remember converged ones.
   * With a known background (`width` > 0), the offset is the fit's free offset above the
   * pedestal plus the known background at the spot's pixel.
   */
  private toBatch(frameNumber: number, fits: ResolvedFits, width: number, height: number): LocalizationBatch {
    const { rows: r, count: n, originColumn, originRow, emitters } = fits;
    // 3-D: each row (a single fit or an emitter of a crowded window) carries its own depth columns.
    const depth = this.depths;
    const batch: LocalizationBatch = depth
      ? { ...createLocalizationBatch(frameNumber, n), z: new Float64Array(n), uncertaintyZ: new Float64Array(n), sigma1: new Float64Array(n), sigma2: new Float64Array(n) }
      : createLocalizationBatch(frameNumber, n);
    const pixel = this.options.camera.pixelSizeNm;
    // Crowded windows can give more rows than candidates.
    this.warmStarts.begin(n);
    const s = this.stats;
    for (let p = 0; p < n; p++) {
      const xPx = originColumn[p] + r.x[p];
      const yPx = originRow[p] + r.y[p];
      batch.x[p] = xPx * pixel;
      batch.y[p] = yPx * pixel;
      batch.sigma[p] = r.sigma[p] * pixel;
      batch.intensity[p] = r.photons[p];
      batch.offset[p] = width > 0 ? r.background[p] - this.pedestal + this.backgroundPhotons[pixelOf(yPx, height) * width + pixelOf(xPx, width)] : r.background[p];
      batch.bkgstd[p] = r.residualStd[p];
      batch.uncertaintyX[p] = r.uncertaintyX[p] * pixel;
      batch.uncertaintyY[p] = r.uncertaintyY[p] * pixel;
      batch.uncertainty[p] = Math.sqrt(0.5 * (r.uncertaintyX[p] ** 2 + r.uncertaintyY[p] ** 2)) * pixel;
      batch.logLikelihood[p] = r.logLikelihood[p];
      batch.iterations[p] = r.iterations[p];
      batch.status[p] = r.status[p];
      batch.emitters[p] = emitters[p];
      if (depth) {
        (batch.z as Float64Array)[p] = r.z[p];
        (batch.uncertaintyZ as Float64Array)[p] = r.uncertaintyZ[p];
        (batch.sigma1 as Float64Array)[p] = r.sigma1[p];
        (batch.sigma2 as Float64Array)[p] = r.sigma2[p];
      }
      const warm = r.warmStart[p];
      batch.warmStart[p] = warm;
      s.warmStarts += warm;
      if (r.status[p] === FitStatus.saturated) s.saturated++;
      else if (r.status[p] === FitStatus.duplicate) s.duplicates++;
      if (r.status[p] !== FitStatus.converged) continue;
      s.converged++;
      const it = r.iterations[p];
      s.iterationHistogram[Math.min(it, s.iterationHistogram.length - 1)]++;
      if (warm) {
        s.convergedWarm++;
        s.iterationsWarm += it;
      } else {
        s.convergedCold++;
        s.iterationsCold += it;
      }
      this.warmStarts.add(xPx, yPx, r.photons[p], r.background[p], r.sigma[p]);
    }
    this.warmStarts.end();
    return batch;
  }
}

/** The pixel holding coordinate `v` (px), kept inside 0 … size − 1 (a failed fit's may be anywhere). */
function pixelOf(v: number, size: number): number {
  const i = Math.floor(v);
  return i >= 0 && i < size ? i : i >= size ? size - 1 : 0;
}

/** The number of NaN and infinite values (float frames). */
function countNonFinite(data: Float32Array | Float64Array): number {
  let bad = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
  return bad;
}

/**
 * Whether an astigmatic calibration's own record says its curves follow the beads: their z error
 * against the stage within MAX_Z_ERROR_OVER_NOISE × photon noise (calibrate-3d warns beyond it).
 * A file without that record (older calibrate-3d) does not say so. Crowded 3-D windows split an
 * emitter with a pair's photons only where it does (CrowdedDepths.modelFollowsPsf).
 */
function astigmaticModelFollowsBeads(calibration: AstigmaticCalibration): boolean {
  const e = calibration.zError;
  return e !== undefined && e.frames > 0 && e.rmsNm <= MAX_Z_ERROR_OVER_NOISE * e.noiseRmsNm;
}
