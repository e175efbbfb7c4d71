import { InputFileError } from '../errors/InputFileError.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { PixelStatistics } from './PixelMoments.js';

/**
 * Every default and limit of the sCMOS calibration ({@link calibrateCameraMaps}), each with its
 * reason.
 */
export const CAMERA_CALIBRATION_DEFAULTS = {
  /**
   * Fewest frames of a dark or flat stack: a pixel's variance from n frames has a relative
   * standard error of √(2/(n − 1)), ±14 % at 100 frames (±4.5 % at 1000); below 100 the
   * variance map (and the gain from it) is too noisy to be worth more than the scalars.
   */
  minFrames: 100,
  /**
   * A pixel is hot when its read noise is above this many times the sensor's median read noise
   * (PYME marks a pixel as a blemish above a fixed read noise, 10.3 e⁻ for its Zyla; a factor
   * of the median works for any camera and unit). Ordinary pixels' read noise spreads by about
   * 25 % (log-normal), so 3× the median is beyond 4 of their standard deviations.
   */
  hotNoiseFactor: 3,
  /**
   * A dark stack whose neighbouring pixels fluctuate together more than this (mean correlation
   * coefficient) has light in it: spots, or light that changes from frame to frame. Independent
   * pixels give 0 ± 1/√(frames·pixels) (≈ 0.0003 for 1000 frames of 64 × 64 px); a blinking
   * sample gives 0.3 and more.
   */
  maxNeighbourCorrelation: 0.1,
  /**
   * A dark stack whose brighter pixels are also noisier by more than this many ADU² per ADU
   * (the photon-transfer slope over the pixels, between the dimmest and the brightest fifth) has
   * light on it, unevenly: shot noise grows with the signal at the camera's gain (0.5–4 ADU per
   * e⁻ for sCMOS cameras). The dark offsets and read noise of a sensor are unrelated (a slope
   * of 0 ± 0.01).
   */
  maxDarkSlope: 0.1,
  /** …and only when that slope is this many standard errors from 0 (so that noise alone never trips it). */
  darkSlopeSignificance: 5,
  /**
   * Flats whose signals (median over the pixels, above the offset) are all within this ratio
   * have the same intensity: photon transfer needs different intensities (2× apart or more is
   * best) for its slope and a check of linearity.
   */
  sameIntensityRatio: 1.25,
  /** A flat must be brighter than the dark by this many times the median read noise (ADU), or it has no light. */
  minFlatSignalOverNoise: 10,
  /**
   * The per-flat gains (medians over the pixels) may differ by this fraction before a warning
   * says the camera is not linear over the flats' range (or a flat is near saturation).
   */
  linearityTolerance: 0.05,
  /**
   * A pixel whose gain is known only to worse than this many times the median pixel's relative
   * standard error gets the median gain instead: a hot pixel's read noise (10–40 e⁻) hides the
   * flats' photon noise, so its gain comes out anywhere from 0.01× to 2× the truth (measured on
   * the simulated sensor), and a gain 100× too low makes its photons and its noise in the fit
   * 100× too large, which hid the spots around it (46 of 1996 lost); the median is within the
   * sensor's spread (5 %) of the truth.
   */
  maxGainErrorFactor: 3,
  /**
   * A flat whose light changes from frame to frame by more than this (relative rms) is warned
   * about: its flicker is taken out of the photon transfer, but it adds noise to it.
   */
  maxLightFlicker: 0.005,
} as const;

/** Options of {@link calibrateCameraMaps}. */
export interface CameraCalibrationOptions {
  /**
   * Photoelectrons per ADU, when known without flats (ThunderSTORM's setting): the read noise is
   * then also said in e⁻. Ignored when flats give the gain map. @default none
   */
  photonsPerAdu?: number;
}

/** One flat stack's photon transfer: its signal and excess variance over the dark. */
export interface FlatSummary {
  readonly source: string;
  readonly frames: number;
  /** Median over the pixels of the mean above the offset, ADU. */
  readonly signalMedianAdu: number;
  /** Median over the pixels of the variance above the dark variance, ADU². */
  readonly excessVarianceMedianAdu2: number;
  /** Median over the pixels of excess variance over signal: the gain this flat alone gives, ADU per e⁻. */
  readonly gainMedianAduPerElectron: number;
  /**
   * How much the light changes from frame to frame, relative rms: the frames' means vary more
   * than the pixels' noise makes them. A light that flickers by ε adds ε²·x² to the variance of
   * a pixel of signal x, which is taken out of its excess variance before the slope.
   */
  readonly lightFlicker: number;
}

/** What the calibration found, for the summary and the run's record. */
export interface CameraCalibrationSummary {
  readonly width: number;
  readonly height: number;
  readonly dark: { readonly source: string; readonly frames: number; readonly outlierSamples: number; readonly outlierPixels: number; readonly floorSamples: number };
  /** Median of the offset map and the spread of the offsets (1.4826 · MAD), ADU. */
  readonly offsetMedianAdu: number;
  readonly offsetSpreadAdu: number;
  /** The standard error of each pixel's offset (median over the pixels), ADU, and of its variance (relative). */
  readonly offsetStandardErrorAdu: number;
  readonly varianceRelativeError: number;
  /** Read noise (√ of the variance map), median and 99th percentile, ADU and, with a known gain, e⁻. */
  readonly readNoiseAdu: { readonly median: number; readonly p99: number };
  readonly readNoiseElectrons?: { readonly median: number; readonly p99: number; readonly gainFrom: 'flats' | 'photonsPerAdu' };
  /** Hot pixels: read noise above `factor` × the median. */
  readonly hotPixels: { readonly count: number; readonly fraction: number; readonly thresholdAdu: number; readonly factor: number };
  /** The dark stack's checks: neighbours' correlation and the photon-transfer slope over its pixels. */
  readonly darkChecks: { readonly neighbourCorrelation: number; readonly slopeAdu2PerAdu: number; readonly slopeStandardError: number; readonly frameOffsetNoiseAdu: number };
  readonly flats: readonly FlatSummary[];
  /** The gain map's median, its spread over the pixels and the part of it the estimate's own noise explains (relative). */
  readonly gain?: {
    readonly medianAduPerElectron: number;
    readonly photonsPerAdu: number;
    readonly spread: number;
    readonly estimationSpread: number;
    readonly sensorSpread: number;
    /**
     * Pixels whose gain could not be measured (≤ 0, or known to worse than `maxGainErrorFactor`
     * × the median relative standard error: hot pixels) and were given the median.
     */
    readonly replacedPixels: number;
    /** The relative standard error above which a pixel's gain is replaced. */
    readonly replacedAboveError: number;
  };
}

/** The maps `localize --offset-map/--variance-map/--gain-map` take, and what was found. */
export interface CameraCalibration {
  readonly width: number;
  readonly height: number;
  /** Offset of each pixel, ADU. */
  readonly offsetAdu: Float32Array;
  /** Read-noise variance of each pixel, ADU². */
  readonly varianceAdu2: Float32Array;
  /** Gain of each pixel, ADU per e⁻ (with flats). */
  readonly gainAduPerElectron?: Float32Array;
  readonly summary: CameraCalibrationSummary;
  /** Things to tell the user that do not stop the calibration. */
  readonly warnings: readonly string[];
}

/**
 * Refuse a stack with too few frames for a calibration, saying what precision more frames give.
 * @param source - the stack (file name)
 * @param frames - its frame count
 * @param what - "dark stack" or "flat stack"
 * @throws InputFileError naming the file
 */
export function checkCalibrationFrames(source: string, frames: number, what: string): void {
  const min = CAMERA_CALIBRATION_DEFAULTS.minFrames;
  if (frames >= min) return;
  const percent = (n: number) => (100 * Math.sqrt(2 / (n - 1))).toFixed(n > 500 ? 1 : 0);
  throw new InputFileError(
    `${source}: ${frames} frame${frames === 1 ? '' : 's'}; a ${what} needs at least ${min}: a pixel's variance from n frames is known to ±√(2/(n − 1)) (±${percent(min)} % at ${min} frames, ±${percent(1000)} % at 1000; record 1000 or more)`,
  );
}

/**
 * The sCMOS calibration maps from a dark stack and, optionally, flat stacks (Huang et al.,
 * Nat. Methods 10:653, 2013, supplement; docs/design.md §6, §9):
 * - offset_k = the mean of pixel k over the dark frames, ADU;
 * - variance_k = its variance over the dark frames (read noise², ADU²);
 * - gain_k from photon transfer over the flats f: the excess variance y_f = var_f,k − variance_k
 *   against the signal x_f = mean_f,k − offset_k is the line y = gain_k · x through the dark
 *   (0, 0); gain_k = Σ w x y / Σ w x², weighted by w_f = (n_f − 1) / (2 (variance_k + ĝ x_f)²),
 *   the inverse variance of a variance of n_f samples at the variance the median gain ĝ
 *   predicts (not the observed one, which would pull the slope down).
 *
 * Rare events are already out of the statistics ({@link PixelMoments}).
 *
 * @param dark - the dark stack's per-pixel statistics
 * @param flats - each flat stack's (none: offset and variance only)
 * @param options - see {@link CameraCalibrationOptions}
 * @throws InputFileError naming the file: too few frames, saturated pixels, frames of another
 *   size, a dark stack with light in it, a flat without light, flats of one intensity
 */
export function calibrateCameraMaps(dark: PixelStatistics, flats: readonly PixelStatistics[] = [], options: CameraCalibrationOptions = {}): CameraCalibration {
  const limits = CAMERA_CALIBRATION_DEFAULTS;
  const { width, height } = dark;
  const n = width * height;
  const { photonsPerAdu } = options;
  if (photonsPerAdu !== undefined && !(photonsPerAdu > 0 && Number.isFinite(photonsPerAdu))) throw new InvalidOptionError(`photoelectrons per A/D count must be > 0, got ${photonsPerAdu}`, 'photonsPerAdu');
  checkCalibrationFrames(dark.source, dark.frames, 'dark stack');
  checkSaturation(dark);
  for (const flat of flats) {
    if (flat.width !== width || flat.height !== height) throw new InputFileError(`${flat.source}: frames of ${flat.width}×${flat.height} px, where the dark stack ${dark.source} has ${width}×${height} px: the flats and the dark stack must be of one sensor area`);
    checkCalibrationFrames(flat.source, flat.frames, 'flat stack');
    checkSaturation(flat);
  }
  const warnings: string[] = [];
  const offsetAdu = Float32Array.from(dark.meanAdu);
  const varianceAdu2 = Float32Array.from(dark.varianceAdu2);
  const noiseAdu = dark.varianceAdu2.map(Math.sqrt);
  const noiseMedian = quantile(noiseAdu, 0.5);
  const hotThreshold = limits.hotNoiseFactor * noiseMedian;
  const hot = new Uint8Array(n);
  let hotCount = 0;
  for (let k = 0; k < n; k++) {
    if (noiseAdu[k] > hotThreshold) {
      hot[k] = 1;
      hotCount++;
    }
  }
  const darkChecks = checkDark(dark, hot);
  if (dark.floorSamples > 0) warnings.push(`${dark.source}: ${dark.floorSamples} samples are at the lowest value the data can hold: the camera's offset is too low for its noise there, and those pixels' offset and variance are biased`);
  const offsetMedianAdu = quantile(dark.meanAdu, 0.5);
  const offsetSpreadAdu = 1.4826 * quantile(dark.meanAdu.map((v) => Math.abs(v - offsetMedianAdu)), 0.5);
  const frames = dark.frames;
  const flatSummaries = flats.map((flat) => summarizeFlat(flat, dark));
  for (const f of flatSummaries) {
    if (!(f.signalMedianAdu > limits.minFlatSignalOverNoise * noiseMedian)) {
      throw new InputFileError(`${f.source}: the flat is only ${f.signalMedianAdu.toFixed(2)} ADU above the dark stack's offset (the read noise is ${noiseMedian.toFixed(2)} ADU): a flat needs light, at least ${limits.minFlatSignalOverNoise}× the read noise`);
    }
  }
  if (flats.length >= 2) {
    const signals = flatSummaries.map((f) => f.signalMedianAdu);
    const ratio = Math.max(...signals) / Math.min(...signals);
    if (ratio < limits.sameIntensityRatio) {
      throw new InputFileError(`${flatSummaries.map((f) => f.source).join(', ')}: the flats have one intensity (${signals.map((s) => s.toFixed(0)).join(', ')} ADU above the offset, ${((ratio - 1) * 100).toFixed(0)} % apart): photon transfer needs flats of different intensities for its slope (2× apart or more; change the light or the exposure)`);
    }
  }
  for (const f of flatSummaries) {
    if (f.lightFlicker > limits.maxLightFlicker) warnings.push(`${f.source}: the light changes from frame to frame by ${(100 * f.lightFlicker).toFixed(2)} % rms (beyond the pixels' noise); the gain is corrected for it, but a steadier light is better`);
  }
  const gain = flats.length > 0 ? gainMap(dark, flats, flatSummaries) : undefined;
  if (gain && flats.length >= 2) {
    const gains = flatSummaries.map((f) => f.gainMedianAduPerElectron);
    const lowest = Math.min(...gains);
    const highest = Math.max(...gains);
    if (highest / lowest - 1 > limits.linearityTolerance) {
      warnings.push(`the flats give different gains (${flatSummaries.map((f) => `${f.gainMedianAduPerElectron.toFixed(3)} at ${f.signalMedianAdu.toFixed(0)} ADU`).join(', ')} ADU per e⁻): the camera is not linear over this range, or a flat is near saturation; the gain map is their weighted fit`);
    }
  }
  let readNoiseElectrons: CameraCalibrationSummary['readNoiseElectrons'];
  if (gain) {
    const electrons = new Float64Array(n);
    for (let k = 0; k < n; k++) electrons[k] = noiseAdu[k] / gain.map[k];
    readNoiseElectrons = { median: quantile(electrons, 0.5), p99: quantile(electrons, 0.99), gainFrom: 'flats' };
  } else if (photonsPerAdu !== undefined) {
    readNoiseElectrons = { median: quantile(noiseAdu, 0.5) * photonsPerAdu, p99: quantile(noiseAdu, 0.99) * photonsPerAdu, gainFrom: 'photonsPerAdu' };
  }
  const summary: CameraCalibrationSummary = {
    width,
    height,
    dark: { source: dark.source, frames, outlierSamples: dark.outlierSamples, outlierPixels: dark.outlierPixels, floorSamples: dark.floorSamples },
    offsetMedianAdu,
    offsetSpreadAdu,
    offsetStandardErrorAdu: noiseMedian / Math.sqrt(frames),
    varianceRelativeError: Math.sqrt(2 / (frames - 1)),
    readNoiseAdu: { median: noiseMedian, p99: quantile(noiseAdu, 0.99) },
    ...(readNoiseElectrons ? { readNoiseElectrons } : {}),
    hotPixels: { count: hotCount, fraction: hotCount / n, thresholdAdu: hotThreshold, factor: limits.hotNoiseFactor },
    darkChecks,
    flats: flatSummaries,
    ...(gain ? { gain: gain.summary } : {}),
  };
  return { width, height, offsetAdu, varianceAdu2, ...(gain ? { gainAduPerElectron: gain.map } : {}), summary, warnings };
}

/** Refuse a stack with saturated pixels (beyond the rare events left out), naming the first. */
function checkSaturation(stats: PixelStatistics): void {
  if (stats.saturatedPixels === 0) return;
  const k = stats.firstSaturated;
  throw new InputFileError(`${stats.source}: ${stats.saturatedPixels} pixel${stats.saturatedPixels === 1 ? ' is' : 's are'} saturated in some frames (the first at x ${k % stats.width}, y ${Math.floor(k / stats.width)}): a saturated pixel's mean and variance are wrong; record it with less light or a shorter exposure`);
}

/**
 * Refuse a dark stack with light in it: neighbours that fluctuate together (spots, changing
 * light), or brighter pixels that are noisier (uneven light: shot noise grows with the signal).
 */
function checkDark(dark: PixelStatistics, hot: Uint8Array): CameraCalibrationSummary['darkChecks'] {
  const limits = CAMERA_CALIBRATION_DEFAULTS;
  const c = dark.neighbourCorrelation;
  const neighbourCorrelation = c ? Math.min(c.horizontal, c.vertical) : 0;
  if (neighbourCorrelation > limits.maxNeighbourCorrelation) {
    throw new InputFileError(`${dark.source}: this is not a dark stack: neighbouring pixels fluctuate together (mean correlation ${neighbourCorrelation.toFixed(2)}, about 0 for a dark sensor): spots or changing light; record it with the camera shut (cap on, shutter closed)`);
  }
  // Photon transfer over the pixels: the dimmest and the brightest fifth (hot pixels aside).
  const means: number[] = [];
  for (let k = 0; k < hot.length; k++) if (!hot[k]) means.push(dark.meanAdu[k]);
  const sorted = Float64Array.from(means).sort();
  const low = sorted[Math.floor(0.2 * (sorted.length - 1))];
  const high = sorted[Math.ceil(0.8 * (sorted.length - 1))];
  const groups = { low: { mean: [] as number[], variance: [] as number[] }, high: { mean: [] as number[], variance: [] as number[] } };
  for (let k = 0; k < hot.length; k++) {
    if (hot[k]) continue;
    const m = dark.meanAdu[k];
    const group = m <= low ? groups.low : m >= high ? groups.high : undefined;
    if (!group) continue;
    group.mean.push(m);
    group.variance.push(dark.varianceAdu2[k]);
  }
  let slope = 0;
  let slopeError = 0;
  if (groups.low.mean.length >= 8 && groups.high.mean.length >= 8) {
    const stats = (values: number[]) => {
      const a = Float64Array.from(values);
      const median = quantile(a, 0.5);
      const mad = quantile(a.map((v) => Math.abs(v - median)), 0.5);
      // The standard error of a median: 1.2533 · σ/√n, σ = 1.4826 · MAD.
      return { median, error: (1.2533 * 1.4826 * mad) / Math.sqrt(a.length) };
    };
    const dm = stats(groups.high.mean).median - stats(groups.low.mean).median;
    const vHigh = stats(groups.high.variance);
    const vLow = stats(groups.low.variance);
    if (dm > 0) {
      slope = (vHigh.median - vLow.median) / dm;
      slopeError = Math.hypot(vHigh.error, vLow.error) / dm;
    }
  }
  if (slope > limits.maxDarkSlope && slope > limits.darkSlopeSignificance * slopeError) {
    throw new InputFileError(`${dark.source}: this is not a dark stack: its brighter pixels are noisier (${slope.toFixed(2)} ± ${slopeError.toFixed(2)} ADU² per ADU, about 0 for a dark sensor), as shot noise makes them under light; record it with the camera shut (cap on, shutter closed)`);
  }
  return { neighbourCorrelation, slopeAdu2PerAdu: slope, slopeStandardError: slopeError, frameOffsetNoiseAdu: Math.sqrt(dark.commonVarianceAdu2) };
}

/** A flat's signal and excess variance over the dark (medians over the pixels). */
function summarizeFlat(flat: PixelStatistics, dark: PixelStatistics): FlatSummary {
  const n = flat.width * flat.height;
  const signal = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    signal[k] = flat.meanAdu[k] - dark.meanAdu[k];
    total += signal[k];
  }
  const lightFlicker = Math.sqrt(flat.commonVarianceAdu2) / (total / n);
  const excess = new Float64Array(n);
  const ratio = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    excess[k] = flat.varianceAdu2[k] - dark.varianceAdu2[k] - (lightFlicker * signal[k]) ** 2;
    ratio[k] = excess[k] / signal[k];
  }
  return {
    source: flat.source,
    frames: flat.frames,
    signalMedianAdu: quantile(signal, 0.5),
    excessVarianceMedianAdu2: quantile(excess, 0.5),
    gainMedianAduPerElectron: quantile(ratio.filter(Number.isFinite), 0.5),
    lightFlicker: Number.isFinite(lightFlicker) ? lightFlicker : 0,
  };
}

/** Each pixel's gain from photon transfer through the dark (see {@link calibrateCameraMaps}). */
function gainMap(dark: PixelStatistics, flats: readonly PixelStatistics[], summaries: readonly FlatSummary[]): { map: Float32Array; summary: NonNullable<CameraCalibrationSummary['gain']> } {
  const n = dark.width * dark.height;
  // The median gain over the flats, weighted by their signals: the yardstick of the weights.
  let num = 0;
  let den = 0;
  for (const f of summaries) {
    num += f.excessVarianceMedianAdu2 * f.signalMedianAdu;
    den += f.signalMedianAdu ** 2;
  }
  const typical = num / den;
  const gains = new Float64Array(n);
  const relativeErrors = new Float64Array(n);
  let replaced = 0;
  const darkVarianceError = 2 / (dark.frames - 1);
  for (let k = 0; k < n; k++) {
    const v0 = dark.varianceAdu2[k];
    let sxy = 0;
    let sxx = 0;
    let sx = 0;
    for (const [f, flat] of flats.entries()) {
      const x = flat.meanAdu[k] - dark.meanAdu[k];
      const y = flat.varianceAdu2[k] - v0 - (summaries[f].lightFlicker * x) ** 2;
      const predicted = v0 + typical * x;
      const w = (flat.samples[k] - 1) / (2 * predicted * predicted);
      sxy += w * x * y;
      sxx += w * x * x;
      sx += w * x;
    }
    const g = sxy / sxx;
    // The slope's variance: the flats' variances, and the dark variance every y shares.
    const variance = 1 / sxx + ((sx / sxx) ** 2) * darkVarianceError * v0 * v0;
    if (g > 0 && Number.isFinite(g)) {
      gains[k] = g;
      // Relative to the typical gain, not to g: a gain that came out too high would look surer.
      relativeErrors[k] = Math.sqrt(variance) / typical;
    } else {
      gains[k] = Number.NaN;
      relativeErrors[k] = Number.NaN;
      replaced++;
    }
  }
  // The median pixel's relative error, and the pixels known to worse than a few times it
  // (hot pixels): those get the median gain, and leave the spread's figures.
  const estimationSpread = quantile(relativeErrors.filter((e) => !Number.isNaN(e)), 0.5);
  const limit = CAMERA_CALIBRATION_DEFAULTS.maxGainErrorFactor * estimationSpread;
  for (let k = 0; k < n; k++) {
    if (!Number.isNaN(gains[k]) && !(relativeErrors[k] <= limit)) {
      gains[k] = Number.NaN;
      replaced++;
    }
  }
  const measured = gains.filter((g) => !Number.isNaN(g));
  const median = quantile(measured, 0.5);
  const spread = (1.4826 * quantile(measured.map((g) => Math.abs(g - median)), 0.5)) / median;
  const map = new Float32Array(n);
  for (let k = 0; k < n; k++) map[k] = Number.isNaN(gains[k]) ? median : gains[k];
  return {
    map,
    summary: {
      medianAduPerElectron: median,
      photonsPerAdu: 1 / median,
      spread,
      estimationSpread,
      sensorSpread: Math.sqrt(Math.max(0, spread * spread - estimationSpread * estimationSpread)),
      replacedPixels: replaced,
      replacedAboveError: limit,
    },
  };
}

/**
 * The q-quantile of values (the nearest rank of a sorted copy).
 * @param values - any numbers
 * @param q - 0…1
 */
function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}
