import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { PixelArray } from '../io/Frame.js';
import { excessNoiseFactor } from './excessNoiseFactor.js';
import { offsetFromSkew } from './offsetFromSkew.js';
import { brightOrder, brightTiles, chooseNoiseBand, fitNoiseLine, LOWEST_BAND_RING, WINDOW_BIN_CORRELATION } from './fitNoiseLine.js';
import { TileNoise } from './tileNoise.js';

/** One frame given to {@link estimateCamera}: pixels row-major, ADU. */
export interface FrameSample {
  readonly data: PixelArray;
  readonly width: number;
  readonly height: number;
}

/** What is known of the camera beforehand. */
export interface CameraEstimateOptions {
  /** Known EM gain: the gain is then the true photoelectrons per ADU, not an effective one. @default unknown */
  emGain?: number;
  /** Quantum efficiency (does not change the estimate: noise counts photoelectrons). @default 1 */
  qe?: number;
}

/** Every default of the estimator, stated once. */
export const CAMERA_ESTIMATE_DEFAULTS = {
  /** Tile side, px (a smaller one for frames under two tiles wide). */
  tilePx: 16,
  /** Most tiles measured (frames beyond are skipped evenly): bounds the time on long stacks. */
  maxTiles: 20000,
  /**
   * Most tiles measured in one frame (or pair): a larger frame has every n-th tile in reading
   * order measured, spread over all of it. A 2048×2048 frame's 65 025 are all measured: a
   * lattice of 16 384 made the band's test coarser (its standard error grows as fewer bright
   * tiles choose it), and the band leakier: gain ÷ truth 0.956 → 0.930 on EMCCD pairs of 2048²,
   * its spread over 4 seeds 2× (sCMOS-like, CCD).
   */
  maxFrameTiles: 65536,
  /**
   * A frame holding more tiles than this (beyond 1024×1024 px at 16 px tiles) puts into the
   * noise line its brightest quarter (whose spectra chose the band, from every tile measured:
   * the lattice above did not) and every n-th of its other tiles, and into the third cumulant's
   * offset every n-th tile, n = ⌈tiles ÷ this⌉ in reading order, spread over all of the frame:
   * the step's time then stops growing with the frame. 2048×2048 px (one pair, 65 025 tiles):
   * n = 4, ~28 400 tiles in the line, 16 257 in the offset; estimateCamera's CPU 1.7–2.1 →
   * 0.7–1.2 s; gain before → after (3 seeds each, ± its sd): EMCCD 0.02228, 0.02246, 0.02243 →
   * 0.02238, 0.02255, 0.02261 (± 0.0002–0.0003, truth 0.0225), sCMOS 0.435, 0.445, 0.449 →
   * 0.434, 0.448, 0.446 (± 0.017, truth 0.46). Frames of 256×256 px hold 961.
   */
  sampleTiles: 20000,
  /** Huber's cutoff of the robust line fit, in robust standard deviations of the residuals. */
  huberK: 3,
  /** Effective gains below this many photons per ADU suggest an EM register (F² = 2 folded in). */
  emLikelyPhotonsPerAdu: 0.1,
  /** The third cumulant's offset is used when its standard deviation is at most this, ADU… */
  offsetIdentifiedAdu: 1,
  /** …or this share of the read noise's part of the offset (offset − effective offset). */
  offsetIdentifiedShare: 0.25,
} as const;

/** The camera as estimated from frames, with standard deviations. */
export interface CameraEstimate {
  /** Camera offset (base level), ADU. */
  baselineAdu: number;
  baselineSdAdu: number;
  /** Photoelectrons per A/D count (CameraModel's `photonsPerAdu`). */
  photonsPerAdu: number;
  photonsPerAduSd: number;
  /** Read noise at the readout, e⁻ rms. */
  readNoiseElectrons: number;
  readNoiseSdElectrons: number;
  /** true when an EM register's excess noise (F² = 2) is folded into the gain: photon counts are per F² then. */
  effectiveGain: boolean;
  /**
   * The offset that folds the read noise into a shifted Poisson (read noise 0): positions, photon
   * counts and uncertainties of a fit are the same with it as with the true offset and read
   * noise; only the fitted background is larger, by the read noise² in photoelectrons. ADU.
   */
  effectiveBaselineAdu: number;
  effectiveBaselineSdAdu: number;
  /** Whether offset and read noise were told apart (else baselineAdu is the effective one, read noise 0). */
  offsetIdentified: boolean;
  /** Slope of noise variance against mean, ADU (F²/photonsPerAdu·emGain), and its intercept, ADU². */
  slopeAdu: number;
  interceptAdu2: number;
  /** The background level: the lower quartile of the tiles' means, ADU (where compareCamera compares noise). */
  backgroundAdu: number;
  frames: number;
  pixelsUsed: number;
  /** Tiles measured and tiles the robust fit kept (weight above one half). */
  tiles: number;
  method: string;
  /** reasons the estimate is weak (too few frames, too little brightness range, ...) in words */
  warnings: string[];
}

/**
 * Estimate a camera's offset (ADU), gain (photoelectrons per ADU, CameraModel's `photonsPerAdu`)
 * and read noise (e⁻ rms) from the frames of the stack itself, with standard deviations.
 *
 * **Noise against brightness (PCFO, Heintzmann et al. 2016, arXiv:1611.05654).** A pixel's
 * variance is linear in its mean: var = slope·(mean − offset) + σ_r², slope = F²·emGain /
 * photonsPerAdu ADU (F² = 2 behind an EM register, else 1), σ_r the read noise in ADU
 * (docs/design.md §9). The frames are cut into tiles of 16×16 px at 8 px steps (8×8 px for frames
 * under 32 px); each tile, Hann-windowed, gives its w²-weighted mean and, from the power of its
 * spectrum at high spatial frequencies, its w²-weighted mean variance ({@link TileNoise}): a
 * band-limited image (spots, cells, gradients) has no power there, so spots and structure do not
 * count as noise, and they give the tiles the range of brightness the line needs. The band is the
 * widest whose power in the brightest tiles is that of the spectrum's corners (spots leak into
 * lower frequencies first: {@link chooseNoiseBand}). One frame: its tiles; several: the
 * differences of every two consecutive frames, 1–2, 2–3, … (fixed structure, sCMOS pixel offsets
 * and spots that stay on cancel; the variance halved, the pair's mean). The line is fitted by
 * weighted least squares (weights 1/var²) with Huber's weights on log var ({@link fitNoiseLine});
 * its covariance gives the standard deviations. On differences it has a third term, the pixels'
 * gain spread (PRNU) times the power of the spots that switched between the two frames, which
 * also takes up what those spots leak into the band.
 *
 * **Offset and read noise.** The line fixes σ_r² − slope·offset only. The offset that puts the
 * read noise to 0, the effective offset = −intercept/slope, is exact for localization: with it,
 * pixels in photons are x + σ_e² (σ_e the read noise in e⁻), which is what the shifted-Poisson
 * likelihood (Huang et al. 2013) fits anyway, so positions, photon counts and uncertainties are
 * the same; only the fitted background is larger by σ_e² photons. To tell them apart, the third
 * cumulant of the background tiles' pixels is used (Poisson has κ3 = slope²·S above the offset,
 * Gaussian read noise none: {@link offsetFromSkew}); it is weak (relative standard error
 * √(6/n)·var^1.5/κ3) and used only when its standard deviation is ≤ 1 ADU or ≤ a quarter of the
 * read noise's share of the offset; else the estimate is the effective offset with read noise 0,
 * `offsetIdentified` false and a warning that says so.
 *
 * **EM gain.** An EM register's excess noise F² = 2 scales the variance as the gain does: without
 * `options.emGain` the gain is an effective one (photon counts are per F²; positions and
 * uncertainties stay right), flagged by `effectiveGain` when it is below 0.1 photons per ADU
 * (no sCMOS or CCD converts so coarsely); with it, photonsPerAdu = 2·emGain/slope.
 *
 * **Measured** (test/bench/cameraEstimateTable.ts: 128×128 px, 100 nm pixels, PSF σ 1.3 px,
 * 2000-photon spots, 20 photons/px, 0.5 and 1.5 emitters/µm², gain est ÷ truth over 3 seeds):
 * sCMOS-like (offset 100, 1 e⁻/ADU, 1.5 e⁻): one frame 0.93–0.98 ± 0.05–0.08, 10 frames
 * 1.00–1.04, 50 frames 1.00–1.01 ± 0.01–0.03; CCD (offset 500, 2 e⁻/ADU, 12 e⁻: read noise 36
 * of the background's 41 ADU²): one frame ± 10–60 % (a dense one can fail: no slope), 10 frames
 * 1.10 ± 0.15, 50 frames 1.00–1.03 ± 0.05–0.10, offset from κ3 within a few ADU on sparse frames
 * (not identifiable on dense ones: too few background tiles; nor at 48 ADU of read noise); EMCCD
 * (EM gain 100, offset 500): effective gain 0.97–1.06 from one frame, 0.99–1.01 from 10–50,
 * offset ±5–35 ADU (an extrapolation over the background's λ·G ADU); the simulator's sCMOS with
 * per-pixel maps (5 % PRNU, 3 % hot pixels of 10–40 e⁻): 0.96–1.04 from 10 frames, 0.97–1.01
 * from 50, but 0.70–0.78 from one frame (there the PRNU of the spots themselves, p²·(s −
 * offset)², cannot be told from shot noise without the offset; real sensors have well under 5 %).
 * Structured, bleaching backgrounds help (they widen the range of brightness). Weak spots: a
 * single sparse frame (the band that keeps the slope's spread at 5 % lets spots leak 5 % into
 * it); a PSF narrower than a pixel (only the corners are clean: warned); tiny frames with high
 * backgrounds (Picasso's 32×32 px test movie, 250 photons/px: 0.74 ± 0.29 photons/ADU from 100
 * frames, truth 1). An offset within 1 ADU needs the background's ADU above the offset times the
 * gain's relative error below 1.
 *
 * @param frames - one or more frames of one stack (same size, at least 16×16 px), ADU
 * @param options - what is known of the camera
 * @throws InvalidOptionError when the frames differ in size, are too small, saturated, or their
 *   noise does not grow with brightness (a flat or noiseless stack: no estimate possible)
 */
export function estimateCamera(frames: readonly FrameSample[], options: CameraEstimateOptions = {}): CameraEstimate {
  if (frames.length === 0) throw new InvalidOptionError('the camera cannot be estimated from no frames', 'camera');
  const { width, height } = frames[0];
  for (const f of frames) {
    if (f.width !== width || f.height !== height || f.data.length !== width * height) throw new InvalidOptionError(`the frames to estimate the camera from must all be ${width}×${height} px`, 'camera');
  }
  const emGain = options.emGain;
  if (emGain !== undefined && !(emGain >= 1 && Number.isFinite(emGain))) throw new InvalidOptionError(`EM gain must be ≥ 1 (1 without EM), got ${emGain}`, 'camera.emGain');
  const d = CAMERA_ESTIMATE_DEFAULTS;
  const side = Math.min(width, height);
  const tilePx = side >= 2 * d.tilePx ? d.tilePx : side >= 16 ? 8 : 0;
  if (tilePx === 0) throw new InvalidOptionError(`frames of ${width}×${height} px are too small to estimate the camera from (at least 16×16 px)`, 'camera');
  const noise = new TileNoise(tilePx);
  const stepPx = tilePx / 2;
  const stride = 1 + noise.rings;
  const perFrame = tilesOf(width, height, tilePx, stepPx);
  // Every pair of consecutive frames, overlapping (their difference cancels fixed structure), or
  // the one frame: 1–2, 2–3, … rather than 1–2, 3–4, … made the gain's spread over 6 seeds of 10
  // frames 0.38 → 0.13 (CCD, sparse), 0.024 → 0.014 (sCMOS-like, dense), about equal elsewhere.
  const pairs: [PixelArray, PixelArray | undefined, number][] = [];
  if (frames.length === 1) pairs.push([frames[0].data, undefined, 0]);
  for (let f = 0; f + 1 < frames.length; f++) pairs.push([frames[f].data, frames[f + 1].data, f]);
  const step = Math.max(1, Math.ceil((pairs.length * perFrame) / d.maxTiles));
  const used = pairs.filter((_, i) => i % step === 0);
  // A frame with more tiles than maxFrameTiles (beyond 2048² px): every `every`-th tile, in reading order.
  const every = Math.ceil(perFrame / d.maxFrameTiles);
  const tilesPerFrame = Math.ceil(perFrame / every);
  const range = integerRange(frames[0].data);
  // A frame with more than sampleTiles tiles: the line and the offset take every `sample`-th.
  const sample = perFrame > d.sampleTiles ? Math.ceil((used.length * tilesPerFrame) / d.sampleTiles) : 1;
  // Differences of frames: each tile's mean square, for the PRNU term of the line (fitNoiseLine).
  const tiles = new Float64Array(stride * used.length * tilesPerFrame);
  const squares = new Float64Array(used.length * tilesPerFrame);
  /** Each tile's pair (index into used) and top-left corner, for the second pass. */
  const where = new Int32Array(3 * used.length * tilesPerFrame);
  const measureAll = () => {
    // Two passes, the same numbers as measuring every ring of every tile: the means first, which
    // pick the brightest tiles that choose the band (rings from 2: chooseNoiseBand's lowest);
    // then only the band's rings of the other tiles (a third of a tile's frequencies or fewer).
    let count = 0;
    for (let p = 0; p < used.length; p++) {
      const [a, b] = used[p];
      let index = 0;
      for (let r0 = 0; r0 + tilePx <= height; r0 += stepPx) {
        for (let c0 = 0; c0 + tilePx <= width; c0 += stepPx) {
          if (index++ % every !== 0) continue;
          if (clipped(a, width, r0, c0, tilePx, range) || (b && clipped(b, width, r0, c0, tilePx, range))) continue;
          tiles[stride * count] = noise.mean(a, width, r0, c0, b);
          squares[count] = noise.squareMean;
          where[3 * count] = p;
          where[3 * count + 1] = r0;
          where[3 * count + 2] = c0;
          count++;
        }
      }
    }
    if (count < 8) throw new InvalidOptionError(`only ${count} unsaturated ${tilePx}×${tilePx} px tiles: too few to estimate the camera from`, 'camera');
    const measureTile = (t: number, fromRing: number) => {
      const [a, b] = used[where[3 * t]];
      noise.load(a, width, where[3 * t + 1], where[3 * t + 2], b);
      noise.spectrum(tiles, stride * t, fromRing);
    };
    const order = brightOrder(tiles.subarray(0, stride * count), stride);
    const bright = brightTiles(tiles.subarray(0, stride * count), stride, order);
    for (let t = 0; t < count; t++) if (bright[t]) measureTile(t, LOWEST_BAND_RING);
    const band = chooseNoiseBand(tiles.subarray(0, stride * count), noise.ringBins, order);
    // The line: every tile, or (sample > 1) every bright one (their spectra are measured) and
    // every sample-th of the others: chosen by their means, which does not bias the line's fit.
    let lineCount = 0;
    for (let t = 0; t < count; t++) {
      if (bright[t] || t % sample === 0) lineCount++;
      if (!bright[t] && t % sample === 0) measureTile(t, band.ring);
    }
    const points = new Float64Array(2 * lineCount);
    const lineSquares = sample === 1 ? squares.subarray(0, count) : new Float64Array(lineCount);
    let k = 0;
    for (let t = 0; t < count; t++) {
      if (!bright[t] && t % sample !== 0) continue;
      let power = 0;
      for (let j = band.ring; j < noise.rings; j++) power += tiles[stride * t + 1 + j];
      points[2 * k] = tiles[stride * t];
      points[2 * k + 1] = power / band.bins;
      lineSquares[k++] = squares[t];
    }
    const line = fitNoiseLine(points, band.bins / WINDOW_BIN_CORRELATION, d.huberK, frames.length > 1 ? lineSquares : undefined);
    if (!(line.slope > 0)) throw new InvalidOptionError(`the frames' noise does not grow with their brightness (slope ${line.slope.toPrecision(3)} ADU): the camera cannot be estimated from them`, 'camera');
    return { band, points, line, count: lineCount };
  };
  const { band, points, line, count: n } = measureAll();
  const framesUsed = new Set(used.flatMap(([, b, f]) => (b ? [f, f + 1] : [f]))).size;
  const warnings: string[] = [];
  const { slope, intercept } = line;
  const effective = -intercept / slope;
  const effectiveSd = Math.sqrt((intercept / slope ** 2) ** 2 * line.varSlope + line.varIntercept / slope ** 2 - (2 * intercept / slope ** 3) * line.covariance);
  const f2 = excessNoiseFactor(emGain);
  const gainFactor = emGain !== undefined ? f2 * emGain : 1;
  const photonsPerAdu = gainFactor / slope;
  const photonsPerAduSd = (photonsPerAdu * Math.sqrt(line.varSlope)) / slope;
  const effectiveGain = emGain === undefined && photonsPerAdu < d.emLikelyPhotonsPerAdu;
  if (effectiveGain) warnings.push(`the gain (${photonsPerAdu.toPrecision(3)} photons per ADU) suggests an EM camera: without its EM gain the gain is an effective one (photon counts per F² = 2); give the EM gain for true photon counts`);
  if (line.range < 0.5) warnings.push(`too little brightness range: the tiles' noise varies by ${(100 * line.range).toFixed(0)} % only (more spots or structure, or more frames, would help)`);
  if (!band.clean) warnings.push(`spots reach the highest spatial frequencies (their power there is ${band.leak.toFixed(2)}× the noise's in the brightest tiles: a PSF narrower than a pixel): the gain may come out too small`);
  if (frames.length < 2) warnings.push('one frame: the offset includes fixed pattern noise (sCMOS pixel offsets); more frames remove it');
  // Offset and read noise: the line gives σ² − slope·offset only; the third cumulant splits them.
  const skewFrames = frames.filter((_, i) => i % Math.max(1, Math.ceil((frames.length * perFrame) / d.maxTiles)) === 0).map((f) => f.data);
  const skewEvery = perFrame > d.sampleTiles ? every * Math.ceil((skewFrames.length * tilesPerFrame) / d.sampleTiles) : every;
  const skew = offsetFromSkew({ frames: skewFrames, width, height, noise, stepPx, every: skewEvery, slope, intercept, slopeVariance: line.varSlope, skewFactor: f2 > 1 || effectiveGain ? 1.5 : 1, range });
  const readNoiseAt = (offset: number) => Math.sqrt(Math.max(0, intercept + slope * offset));
  /** photoelectrons at the readout per ADU: the read noise's conversion (without EM gain known, the effective one). */
  const readoutPerAdu = emGain !== undefined ? photonsPerAdu : 1 / slope;
  const gap = skew ? skew.offsetAdu - effective : 0;
  const identified = skew !== undefined && skew.offsetSdAdu <= Math.max(d.offsetIdentifiedAdu, d.offsetIdentifiedShare * gap);
  let baselineAdu = effective;
  let baselineSdAdu = effectiveSd;
  let readNoiseElectrons = 0;
  let readNoiseSdElectrons = 0;
  if (skew && identified) {
    baselineAdu = Math.max(effective, skew.offsetAdu);
    baselineSdAdu = skew.offsetSdAdu;
    const sigma = readNoiseAt(baselineAdu);
    const varSigma2 = line.varIntercept + baselineAdu ** 2 * line.varSlope + 2 * baselineAdu * line.covariance + slope ** 2 * baselineSdAdu ** 2;
    readNoiseElectrons = sigma * readoutPerAdu;
    readNoiseSdElectrons = sigma > 0 ? (Math.sqrt(varSigma2) / (2 * sigma)) * readoutPerAdu : Math.sqrt(Math.sqrt(varSigma2)) * readoutPerAdu;
  } else {
    const upper = skew ? Math.max(effective, skew.offsetAdu) + 2 * skew.offsetSdAdu : undefined;
    if (upper !== undefined) readNoiseSdElectrons = readNoiseAt(upper) * readoutPerAdu;
    warnings.push(`offset and read noise could not be told apart (${skew ? `the third cumulant of ${skew.pixels} background pixels gives ${skew.offsetAdu.toFixed(1)} ± ${skew.offsetSdAdu.toFixed(1)} ADU` : 'too few background pixels for the third cumulant'}): the base level is the effective one, ${effective.toFixed(1)} ADU, with the read noise (≤ ${(upper === undefined ? Number.NaN : readNoiseAt(upper) * readoutPerAdu).toFixed(1)} e⁻) folded into a shifted Poisson; positions, photon counts and uncertainties are the same, backgrounds come out larger by the read noise² in photons`);
  }
  return {
    baselineAdu,
    baselineSdAdu,
    photonsPerAdu,
    photonsPerAduSd,
    readNoiseElectrons,
    readNoiseSdElectrons,
    effectiveGain,
    effectiveBaselineAdu: effective,
    effectiveBaselineSdAdu: effectiveSd,
    offsetIdentified: identified,
    slopeAdu: slope,
    interceptAdu2: intercept,
    backgroundAdu: quartile(points),
    frames: framesUsed,
    pixelsUsed: n * tilePx * tilePx,
    tiles: n,
    method: `${identified ? 'offset from the third cumulant of background pixels; ' : ''}PCFO: noise power at |fx|,|fy| ≥ ${(band.ring / tilePx).toFixed(3)} cycles/px against the mean in ${n} tiles of ${tilePx}×${tilePx} px${frames.length > 1 ? ', differences of consecutive frames' : ', one frame'}; robust weighted line fit`,
    warnings,
  };
}

/** Tiles of `tilePx` at steps of `stepPx` in a frame of `width` × `height` px. */
function tilesOf(width: number, height: number, tilePx: number, stepPx: number): number {
  return (Math.floor((width - tilePx) / stepPx) + 1) * (Math.floor((height - tilePx) / stepPx) + 1);
}

/** The range of an integer pixel array's type, [lowest, highest] (clipped pixels lie on them); none for floats. */
function integerRange(data: PixelArray): readonly [number, number] {
  if (data instanceof Uint8Array) return [0, 255];
  if (data instanceof Uint16Array) return [0, 65535];
  if (data instanceof Int16Array) return [-32768, 32767];
  if (data instanceof Int8Array) return [-128, 127];
  if (data instanceof Uint32Array) return [0, 4294967295];
  if (data instanceof Int32Array) return [-2147483648, 2147483647];
  return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
}

/** Whether a tile has a pixel at either end of its type's range (saturated, or clipped at 0). */
function clipped(data: PixelArray, width: number, row0: number, column0: number, t: number, range: readonly [number, number]): boolean {
  const [low, high] = range;
  for (let r = 0; r < t; r++) {
    const base = (row0 + r) * width + column0;
    for (let c = 0; c < t; c++) {
      const v = data[base + c];
      if (v >= high || v <= low) return true;
    }
  }
  return false;
}

/** The lower quartile of the means of (mean, variance) pairs. */
function quartile(points: Float64Array): number {
  const means = new Float64Array(points.length / 2);
  for (let i = 0; i < means.length; i++) means[i] = points[2 * i];
  means.sort();
  return means[means.length >> 2];
}
