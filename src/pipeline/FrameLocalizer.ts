import { zModelErrorNm } from '../astig/AstigmaticCalibration.js';
import { AstigmaticFit } from '../astig/AstigmaticFit.js';
import type { AstigmaticFitter } from '../astig/AstigmaticFitter.js';
import { WasmAstigmaticFit } from '../astig/WasmAstigmaticFit.js';
import type { FrameCamera } from '../camera/CameraModel.js';
import { frameCamera, saturationLevel } from '../camera/CameraModel.js';
import { Candidates } from '../detect/Candidates.js';
import { SpotDetector } from '../detect/SpotDetector.js';
import { createFitResults } from '../fit/FitResults.js';
import type { FitResults } from '../fit/FitResults.js';
import { FitStatus } from '../fit/FitStatus.js';
import { fitPatches } from '../fit/fitPatches.js';
import { FitWorkspace } from '../fit/FitWorkspace.js';
import type { Frame } from '../io/Frame.js';
import { sampleTypeOf } from '../io/Frame.js';
import { extractPatches } from '../patches/extractPatches.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import { createLocalizationBatch } from '../table/LocalizationBatch.js';
import type { ResolvedLocalizeOptions } from './LocalizeOptions.js';
import { checkFrameSize } from './LocalizeOptions.js';
import { UNCONVERGED_START_PHOTONS } from '../fit/fitConstants.js';
import { CrowdingResolver } from './CrowdingResolver.js';
import type { ResolvedFits } from './CrowdingResolver.js';
import type { LocalizeStats } from './LocalizeStats.js';
import { createLocalizeStats } from './LocalizeStats.js';

/** A localization of the previous frame, in image px (for warm starts). */
interface Previous {
  count: number;
  x: Float64Array;
  y: Float64Array;
  photons: Float64Array;
  background: Float64Array;
  sigma: Float64Array;
}

/** Warm start radius, px: a candidate this close to a previous localization starts from it. */
const WARM_RADIUS_PX = 1;

/**
 * Localizes frame after frame: camera model → detection → patches → fit (warm-started from the
 * previous frame within a chunk of `chunkFrames` frames) → a {@link LocalizationBatch} in nm. Holds the scratch of one run (frame
 * buffers, detector, fit workspace) and the previous frame's localizations; one per
 * subscription. Knows nothing of RxJS or files.
 */
export class FrameLocalizer {
  readonly options: ResolvedLocalizeOptions;
  /** Counters and stage timings since the start (or the last {@link takeStats}). */
  stats: LocalizeStats = createLocalizeStats();
  private readonly workspace: FitWorkspace;
  private readonly crowding: CrowdingResolver;
  /** The 3-D fit, in a run with an astigmatic calibration. */
  private readonly astigmatic: AstigmaticFitter | undefined;
  /** The calibration's z model error, nm: added in quadrature to every uncertainty_z. */
  private readonly zModelErrorNm: number;
  private depth: Depths = emptyDepths(0);
  private readonly depthStart = { x: 0, y: 0, photons: 0, background: 0 };
  private readonly candidates = new Candidates();
  private detector: SpotDetector | undefined;
  /** The camera for the current frame size (maps cut to it), and whether it has shifts. */
  private camera: FrameCamera | undefined;
  private shifted = false;
  private patches = new Float64Array(0);
  private shift = new Float64Array(0);
  private originColumn = new Int32Array(0);
  private originRow = new Int32Array(0);
  private saturated = new Uint8Array(0);
  private start = { x: new Float64Array(0), y: new Float64Array(0), photons: new Float64Array(0), background: new Float64Array(0), sigma: new Float64Array(0) };
  private results: FitResults = createFitResults(0);
  private previous: Previous = emptyPrevious(0);
  private current: Previous = emptyPrevious(0);
  private previousFrame = -2;

  /** @param options - resolved pipeline options */
  constructor(options: ResolvedLocalizeOptions) {
    this.options = options;
    this.workspace = new FitWorkspace(options.fit);
    this.crowding = new CrowdingResolver(options);
    // The kernel's 3-D fit with the WebAssembly engine, the JavaScript reference otherwise.
    const a = options.astigmatism;
    this.astigmatic = a ? (options.fit.engine === 'wasm' ? new WasmAstigmaticFit(options.fit.box, a) : new AstigmaticFit(options.fit.box, a)) : undefined;
    this.zModelErrorNm = a ? zModelErrorNm(a) : 0;
  }

  /** The counters so far, and start new ones (workers report per chunk). */
  takeStats(): LocalizeStats {
    const stats = this.stats;
    this.stats = createLocalizeStats();
    return stats;
  }

  /**
   * Localize one frame.
   * @param frame - the frame (ADU)
   * @returns the frame's localizations (every fit, with its status), positions in nm
   */
  process(frame: Frame): LocalizationBatch {
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
    this.detector.load(frame.data, camera);
    const t1 = performance.now();
    const candidates = this.candidates;
    this.detector.detectLoaded(candidates);
    const t2 = performance.now();
    const n = candidates.count;
    this.ensureCapacity(n);
    const shift = this.shifted ? this.shift : undefined;
    const outputs = { patches: this.patches, originColumn: this.originColumn, originRow: this.originRow, saturated: this.saturated, shift };
    extractPatches(frame.data, width, height, candidates, box, outputs, camera, saturationLevel(this.options.camera, sampleTypeOf(frame.data)));
    const { warmStart, chunkFrames } = this.options;
    if (warmStart && frame.index === this.previousFrame + 1 && frame.index % chunkFrames !== 0) this.findWarmStarts(n);
    else this.start.x.fill(Number.NaN, 0, n);
    const single = fitPatches(this.patches, this.workspace, { start: this.start, out: this.results, count: n, shift });
    // 3-D: every patch fitted again for z, from its 2-D fit (or the patch's centre).
    if (this.astigmatic) this.fitDepths(single, n, shift);
    // A fit over clipped pixels is wrong whatever the solver says.
    for (let p = 0; p < n; p++) if (this.saturated[p]) single.status[p] = FitStatus.saturated;
    const saturation = saturationLevel(this.options.camera, sampleTypeOf(frame.data));
    const fits = this.crowding.resolve(
      { data: frame.data, width, height, camera, saturation },
      candidates,
      { fits: single, patches: this.patches, shift, originColumn: this.originColumn, originRow: this.originRow },
      this.stats,
    );
    const t3 = performance.now();
    const batch = this.toBatch(frame.index + 1, fits);
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

  /** The 3-D fit of every patch into `single` (x, y, N, b, σ = √(σxσy), uncertainties, status) and the depth columns. */
  private fitDepths(single: FitResults, n: number, shift: Float64Array | undefined): void {
    const fit = this.astigmatic as AstigmaticFitter;
    const { box, maxIterations, tolerance, noiseScale } = this.options.fit;
    const area = box * box;
    const scale = Math.sqrt(noiseScale);
    if (this.depth.z.length < n) this.depth = emptyDepths(2 * n);
    const d = this.depth;
    const pixel = this.options.camera.pixelSizeNm;
    const solver = { maxIterations, tolerance, shift };
    const start = this.depthStart;
    for (let p = 0; p < n; p++) {
      // From the 2-D fit, or the patch's centre when that failed.
      const converged = single.status[p] === FitStatus.converged;
      start.x = converged ? single.x[p] : box / 2;
      start.y = converged ? single.y[p] : box / 2;
      start.photons = converged ? single.photons[p] : UNCONVERGED_START_PHOTONS;
      start.background = converged ? single.background[p] : Math.max(1e-3, single.background[p] || 1);
      const status = this.saturated[p] ? FitStatus.saturated : fit.fit(this.patches, p * area, start, solver);
      const t = fit.theta;
      single.status[p] = status;
      single.x[p] = t[0];
      single.y[p] = t[1];
      single.photons[p] = t[2];
      single.background[p] = t[3];
      single.sigma[p] = Math.sqrt(fit.sigmaXNm * fit.sigmaYNm) / pixel;
      single.uncertaintyX[p] = fit.crlb[0] * scale;
      single.uncertaintyY[p] = fit.crlb[1] * scale;
      single.uncertaintyPhotons[p] = fit.crlb[2] * scale;
      single.uncertaintyBackground[p] = fit.crlb[3] * scale;
      single.logLikelihood[p] = fit.logLikelihood;
      single.residualStd[p] = fit.residualStd(this.patches, p * area);
      single.iterations[p] = fit.iterations;
      single.chiSquare[p] = Number.NaN;
      d.z[p] = t[4];
      // √(CRLB + the calibration's model error²): photon noise and what the curves get wrong.
      const crlbZ = fit.crlb[4] * scale;
      d.uncertaintyZ[p] = Math.sqrt(crlbZ * crlbZ + this.zModelErrorNm * this.zModelErrorNm);
      d.sigma1[p] = fit.sigmaXNm;
      d.sigma2[p] = fit.sigmaYNm;
    }
  }

  private ensureCapacity(n: number): void {
    const area = this.options.fit.box ** 2;
    if (this.patches.length >= n * area) return;
    const capacity = Math.max(64, 2 * n);
    this.patches = new Float64Array(capacity * area);
    this.shift = new Float64Array(this.shifted ? capacity * area : 0);
    this.originColumn = new Int32Array(capacity);
    this.originRow = new Int32Array(capacity);
    this.saturated = new Uint8Array(capacity);
    const f = () => new Float64Array(capacity);
    this.start = { x: f(), y: f(), photons: f(), background: f(), sigma: f() };
    this.results = createFitResults(capacity);
    this.current = emptyPrevious(capacity);
    const previous = emptyPrevious(capacity);
    for (const key of ['x', 'y', 'photons', 'background', 'sigma'] as const) previous[key].set(this.previous[key].subarray(0, this.previous.count));
    previous.count = this.previous.count;
    this.previous = previous;
  }

  /**
   * For each candidate, the previous frame's localization within 1 px of its pixel centre, in
   * its patch's coordinates (the previous localizations are sorted by x; a window scan finds
   * the neighbours). Candidates without one get NaN (the automatic guess).
   */
  private findWarmStarts(n: number): void {
    const prev = this.previous;
    const start = this.start;
    for (let p = 0; p < n; p++) {
      const cx = this.candidates.column[p] + 0.5;
      const cy = this.candidates.row[p] + 0.5;
      let best = -1;
      let bestD2 = WARM_RADIUS_PX * WARM_RADIUS_PX;
      // Lower bound of x ≥ cx − radius by bisection, then scan while x ≤ cx + radius.
      let lo = 0;
      let hi = prev.count;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (prev.x[mid] < cx - WARM_RADIUS_PX) lo = mid + 1;
        else hi = mid;
      }
      for (let q = lo; q < prev.count && prev.x[q] <= cx + WARM_RADIUS_PX; q++) {
        const dx = prev.x[q] - cx;
        const dy = prev.y[q] - cy;
        const d2 = dx * dx + dy * dy;
        if (d2 <= bestD2) {
          bestD2 = d2;
          best = q;
        }
      }
      if (best < 0) {
        start.x[p] = Number.NaN;
        continue;
      }
      start.x[p] = prev.x[best] - this.originColumn[p];
      start.y[p] = prev.y[best] - this.originRow[p];
      start.photons[p] = prev.photons[best];
      start.background[p] = prev.background[best];
      start.sigma[p] = prev.sigma[best];
    }
  }

  /** Convert fits to the table's units (the one place px become nm) and remember converged ones. */
  private toBatch(frameNumber: number, fits: ResolvedFits): LocalizationBatch {
    const { rows: r, count: n, originColumn, originRow, emitters } = fits;
    // 3-D: the rows are the candidates' own (multi-emitter fitting is off), so the depths line up.
    const depth = this.astigmatic ? this.depth : undefined;
    const batch: LocalizationBatch = depth
      ? { ...createLocalizationBatch(frameNumber, n), z: new Float64Array(n), uncertaintyZ: new Float64Array(n), sigma1: new Float64Array(n), sigma2: new Float64Array(n) }
      : createLocalizationBatch(frameNumber, n);
    const pixel = this.options.camera.pixelSizeNm;
    // Crowded windows can give more rows than candidates.
    if (this.current.x.length < n) this.current = emptyPrevious(2 * n);
    const current = this.current;
    const s = this.stats;
    current.count = 0;
    for (let p = 0; p < n; p++) {
      const xPx = originColumn[p] + r.x[p];
      const yPx = originRow[p] + r.y[p];
      batch.x[p] = xPx * pixel;
      batch.y[p] = yPx * pixel;
      batch.sigma[p] = r.sigma[p] * pixel;
      batch.intensity[p] = r.photons[p];
      batch.offset[p] = r.background[p];
      batch.bkgstd[p] = r.residualStd[p];
      batch.uncertaintyX[p] = r.uncertaintyX[p] * pixel;
      batch.uncertaintyY[p] = r.uncertaintyY[p] * pixel;
      batch.uncertainty[p] = Math.sqrt(0.5 * (r.uncertaintyX[p] ** 2 + r.uncertaintyY[p] ** 2)) * pixel;
      batch.logLikelihood[p] = r.logLikelihood[p];
      batch.iterations[p] = r.iterations[p];
      batch.status[p] = r.status[p];
      batch.emitters[p] = emitters[p];
      if (depth) {
        (batch.z as Float64Array)[p] = depth.z[p];
        (batch.uncertaintyZ as Float64Array)[p] = depth.uncertaintyZ[p];
        (batch.sigma1 as Float64Array)[p] = depth.sigma1[p];
        (batch.sigma2 as Float64Array)[p] = depth.sigma2[p];
      }
      const warm = r.warmStart[p];
      batch.warmStart[p] = warm;
      s.warmStarts += warm;
      if (r.status[p] === FitStatus.saturated) s.saturated++;
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
      const k = current.count++;
      current.x[k] = xPx;
      current.y[k] = yPx;
      current.photons[k] = r.photons[p];
      current.background[k] = r.background[p];
      current.sigma[k] = r.sigma[p];
    }
    sortByX(current);
    const swap = this.previous;
    this.previous = current;
    this.current = swap;
    return batch;
  }
}

/** Scratch for the depth columns of a 3-D run. */
interface Depths {
  z: Float64Array;
  uncertaintyZ: Float64Array;
  sigma1: Float64Array;
  sigma2: Float64Array;
}

function emptyDepths(n: number): Depths {
  return { z: new Float64Array(n), uncertaintyZ: new Float64Array(n), sigma1: new Float64Array(n), sigma2: new Float64Array(n) };
}

/** The number of NaN and infinite values (float frames). */
function countNonFinite(data: Float32Array | Float64Array): number {
  let bad = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
  return bad;
}

function emptyPrevious(capacity: number): Previous {
  const f = () => new Float64Array(capacity);
  return { count: 0, x: f(), y: f(), photons: f(), background: f(), sigma: f() };
}

/** Insertion sort of the localizations by x (a frame holds tens to hundreds). */
function sortByX(p: Previous): void {
  for (let i = 1; i < p.count; i++) {
    const x = p.x[i], y = p.y[i], n = p.photons[i], b = p.background[i], s = p.sigma[i];
    let j = i - 1;
    while (j >= 0 && p.x[j] > x) {
      p.x[j + 1] = p.x[j];
      p.y[j + 1] = p.y[j];
      p.photons[j + 1] = p.photons[j];
      p.background[j + 1] = p.background[j];
      p.sigma[j + 1] = p.sigma[j];
      j--;
    }
    p.x[j + 1] = x;
    p.y[j + 1] = y;
    p.photons[j + 1] = n;
    p.background[j + 1] = b;
    p.sigma[j + 1] = s;
  }
}
