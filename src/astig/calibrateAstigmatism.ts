import { InputFileError } from '../errors/InputFileError.js';
import { FIT_DEFAULTS } from '../fit/FitOptions.js';
import { STATUS_CONVERGED, STATUS_Z_RANGE } from '../fit/fitConstants.js';
import { AstigmaticFit } from '../fit/AstigmaticFit.js';
import type { AstigmaticCalibration, BeadRecord, CalibrationDepthError } from './AstigmaticCalibration.js';
import { CALIBRATION_FORMAT, MIN_FOCI_SEPARATION_PRECISIONS } from './AstigmaticCalibration.js';
import type { DefocusCurve } from '../fit/models/DefocusCurve.js';
import { defocusSigma, defocusSlope } from '../fit/models/DefocusCurve.js';
import type { DefocusCurveFit } from './fitDefocusCurve.js';
import { fitDefocusCurve } from './fitDefocusCurve.js';
import { fitEllipticalSpot } from './fitEllipticalSpot.js';
import { judgeCurves } from './judgeCurves.js';
import type { BeadWindows } from './readBeadWindows.js';
import { beadWindowsOf } from './readBeadWindows.js';

/**
 * The defaults of {@link calibrateAstigmatism}: the window of each bead's fit, px (odd), and the
 * factor over the beads' median RMS about the curves above which a bead is left out.
 */
export const CALIBRATION_DEFAULTS = { boxPx: 15, rejectFactor: 3 } as const;

/** Options of {@link calibrateAstigmatism}. */
export interface CalibrationOptions {
  /** Frame k (0-based) is imaged at z = zStartNm + k·zStepNm. */
  zStartNm: number;
  zStepNm: number;
  pixelSizeNm: number;
  /** Window of each bead's fit, px (odd; with windows already cut, theirs). @default {@link CALIBRATION_DEFAULTS} (15) */
  boxPx?: number;
  /** A bead is left out when its RMS about the curves exceeds this many times the beads' median. @default {@link CALIBRATION_DEFAULTS} (3) */
  rejectFactor?: number;
}

/** One bead's widths, frame by frame (NaN where its fit failed), nm. */
export interface BeadWidths {
  readonly xNm: number;
  readonly yNm: number;
  readonly sigmaXNm: Float64Array;
  readonly sigmaYNm: Float64Array;
}

/** The outcome: the calibration, and every bead's widths for plotting. */
export interface CalibrationResult {
  readonly calibration: AstigmaticCalibration;
  readonly beads: readonly BeadWidths[];
  /** The z of each frame after z = 0 was put midway between the foci, nm. */
  readonly zNm: Float64Array;
}

/** A bead's RMS about the curves is judged against at least this, nm (beads agreeing to a nanometre are all good). */
const MIN_REJECT_RMS_NM = 5;
/** Rounds of fitting the curves and leaving out beads that disagree. */
const REJECT_ROUNDS = 3;

/**
 * The curves fit the beads when the beads' own z error (each bead fitted in 3-D through curves
 * fitted without it, against the stage z) is at most this many times what their photon noise
 * explains (the RMS of the fits' √CRLB of z). Measured on Gaussian beads (the model's own
 * shape): 0.96–1.08 (seeds 3–8 with 41 frames, 3–4 with 81, foci 100–400 nm apart; the left-out
 * bead's curves come from 8 beads, their own error adds a little); 2 is a model error of
 * √3 ≈ 1.7× the noise, far more than those curves' uncertainty explains. Beads with a defocus
 * ring (20 % of the photons above focus) give 11–12.
 */
export const MAX_Z_ERROR_OVER_NOISE = 2;

/**
 * The z error is measured on each bead through curves fitted without its group: the kept beads
 * dealt into at most this many groups (one bead each up to this many beads: leave one bead out).
 * Each group costs one refit of the curves to all the others' widths, which for a field of
 * hundreds of beads over hundreds of frames takes seconds; a tenth of the beads left out moves
 * the curves little more than one bead does.
 */
const Z_ERROR_GROUPS = 10;

/**
 * Calibrate an astigmatic PSF from a z-stack of fixed beads (Huang et al., Science 319:810, 2008),
 * in named steps:
 * 1. find the beads on the stack's mean image (local maxima well above the background, a
 *    window apart, away from the border) and
 * 2. cut a `box` × `box` window around each bead from every frame (float32): nothing else of a
 *    frame is kept ({@link readBeadWindows} reads a stack so, in two passes);
 * 3. fit σx and σy of each bead in each frame ({@link fitEllipticalSpot}: Poisson MLE);
 * 4. fit one defocus curve per axis to all beads' widths by least squares ({@link
 *    fitDefocusCurve}: Levenberg–Marquardt with Marquardt's scaling, several starts, a real
 *    convergence test); leave out beads whose RMS about the curves
 *    exceeds `rejectFactor` × the median (a bead at another height, stuck, or two beads in one
 *    window) and refit, up to three rounds;
 * 5. judge the curves ({@link judgeCurves}): refuse a fit that did not move or curves that
 *    miss the beads, warn when a fit did not converge or the widths do not follow the model;
 *    z = 0 midway between the two foci; refuse foci closer than the z precision at the midpoint
 *    can separate ({@link MIN_FOCI_SEPARATION_PRECISIONS}: no astigmatism);
 * 6. the usable range: the largest interval around 0, inside the stack's depths, where σx − σy
 *    changes monotonically (so a width pair names one z);
 * 7. how well the curves place the beads in z: each kept bead's windows fitted in 3-D
 *    ({@link AstigmaticFit}, as `localize` fits) through curves fitted without that bead, ẑ
 *    against the stage z over the usable range; the RMS error, the part photon noise explains
 *    (√CRLB), and the rest, the model error that `localize` adds to uncertainty_z; a warning
 *    when the error is above {@link MAX_Z_ERROR_OVER_NOISE} × the noise.
 * @param frames - the stack in photons per pixel (above the camera's offset), row-major; or its
 *   beads' windows, read as a stream by {@link readBeadWindows} (their box is then the window)
 * @param width - frame width, px
 * @param height - frame height, px
 * @param options - the stack's z, pixel size, window, rejection factor
 * @throws InputFileError when a frame has another size, no bead is found, fewer than 5 frames
 *   fit, the curve fit did not move or its curves miss the beads ({@link judgeCurves}), or the
 *   foci are too close to tell apart
 */
export function calibrateAstigmatism(frames: readonly ArrayLike<number>[] | BeadWindows, width: number, height: number, options: CalibrationOptions): CalibrationResult {
  const cut = Array.isArray(frames) ? beadWindowsOf(frames, width, height, options.boxPx ?? CALIBRATION_DEFAULTS.boxPx) : (frames as BeadWindows);
  const box = cut.box;
  const half = box >> 1;
  const area = box * box;
  const p = options.pixelSizeNm;
  const n = cut.frames;
  if (n < 5) throw new InputFileError(`a bead z-stack needs at least 5 frames, got ${n}`);
  const positions = cut.positions;
  if (positions.length === 0) throw new InputFileError('no beads found on the stack (bright spots a window apart, away from the border)');
  const windows = cut.windows;
  const window = new Float64Array(area);
  const starts: BeadStarts[] = [];
  const beads: BeadWidths[] = positions.map(([column, row], b) => {
    const sigmaXNm = new Float64Array(n).fill(Number.NaN);
    const sigmaYNm = new Float64Array(n).fill(Number.NaN);
    const start: BeadStarts = { x: new Float64Array(n), y: new Float64Array(n), photons: new Float64Array(n), background: new Float64Array(n) };
    starts.push(start);
    const c0 = column - half;
    const r0 = row - half;
    let xs = 0;
    let ys = 0;
    let count = 0;
    for (let k = 0; k < n; k++) {
      const at = (b * n + k) * area;
      for (let i = 0; i < area; i++) window[i] = windows[at + i];
      const f = fitEllipticalSpot(window, box, { sigmaPx: 1.5 });
      if (!f.ok) continue;
      sigmaXNm[k] = f.sigmaX * p;
      sigmaYNm[k] = f.sigmaY * p;
      start.x[k] = f.x;
      start.y[k] = f.y;
      start.photons[k] = f.photons;
      start.background[k] = f.background;
      xs += f.x;
      ys += f.y;
      count++;
    }
    return { xNm: (c0 + (count ? xs / count : half + 0.5)) * p, yNm: (r0 + (count ? ys / count : half + 0.5)) * p, sigmaXNm, sigmaYNm };
  });
  const zRaw = Float64Array.from({ length: n }, (_, k) => options.zStartNm + k * options.zStepNm);
  const kept = beads.map(() => true);
  const reasons: (string | undefined)[] = beads.map(() => undefined);
  const factor = options.rejectFactor ?? CALIBRATION_DEFAULTS.rejectFactor;
  let curves = fitCurves(beads, kept, zRaw);
  let rms = beads.map((b) => beadRms(b, curves, zRaw));
  for (let round = 0; round < REJECT_ROUNDS; round++) {
    const good = rms.filter((v, i) => kept[i] && Number.isFinite(v)).sort((a, b) => a - b);
    const limit = Math.max(MIN_REJECT_RMS_NM, factor * good[good.length >> 1]);
    let changed = false;
    beads.forEach((b, i) => {
      const frames = fittedFrames(b);
      const why = frames < 5 ? `only ${frames} frames fitted` : rms[i] > limit ? `disagrees with the others: RMS ${rms[i].toFixed(1)} nm about the curves fitted with it, above ${limit.toFixed(1)} nm (${factor} × the median)` : undefined;
      if (kept[i] && why) {
        kept[i] = false;
        reasons[i] = why;
        changed = true;
      }
    });
    if (!kept.some(Boolean)) throw new InputFileError('no bead agrees with the others: the stack holds no usable calibration');
    if (!changed) break;
    curves = fitCurves(beads, kept, zRaw);
    rms = beads.map((b) => beadRms(b, curves, zRaw));
  }
  // z = 0 midway between the foci.
  const shift = (curves.x.centerNm + curves.y.centerNm) / 2;
  const x = { ...curves.x, centerNm: curves.x.centerNm - shift };
  const y = { ...curves.y, centerNm: curves.y.centerNm - shift };
  const zNm = zRaw.map((z) => z - shift);
  const residuals = { x: axisResidual(beads, kept, x, zNm, 'x'), y: axisResidual(beads, kept, y, zNm, 'y') };
  const separation = Math.abs(x.centerNm - y.centerNm);
  const scatter = widthNoise(beads, kept);
  // Curves that did not move or miss the beads are refused; a misfit is warned about.
  const quality = judgeCurves({ fits: curves.fits, rmsNm: residuals, scatterNm: scatter, medianWidthNm: medianWidths(beads, kept), fociSeparationNm: separation });
  // Two foci the widths cannot tell apart: no astigmatism to calibrate.
  const precision = midpointZPrecision(x, y, scatter ?? residuals);
  if (!(separation >= MIN_FOCI_SEPARATION_PRECISIONS * precision)) {
    throw new InputFileError(
      `the x and y foci are ${separation.toFixed(0)} nm apart, closer than the z precision can separate (${Number.isFinite(precision) ? precision.toFixed(0) : 'none at all'} nm): the beads show no astigmatism — is the cylindrical lens in?`,
    );
  }
  const zRangeNm = usableRange(x, y, Math.min(zNm[0], zNm[n - 1]), Math.max(zNm[0], zNm[n - 1]));
  const depthError = measureDepthError({ beads, starts, windows, kept, zRaw, box, pixelSizeNm: p, curves, rangeNm: [zRangeNm[0] + shift, zRangeNm[1] + shift] });
  const warnings: string[] = [...quality.warnings];
  if (depthError.frames === 0) {
    warnings.push('no bead frame could be fitted in 3-D through the curves: how well they place a spot in z is unknown');
  } else if (!(depthError.rmsNm <= MAX_Z_ERROR_OVER_NOISE * depthError.noiseRmsNm)) {
    warnings.push(
      `the curves do not fit the beads: their z error is ${depthError.rmsNm.toFixed(1)} nm RMS against the stage, ${(depthError.rmsNm / depthError.noiseRmsNm).toFixed(1)} × what photon noise explains (${depthError.noiseRmsNm.toFixed(1)} nm): the PSF is not the astigmatic Gaussian (aberrations, a defocus ring?); localize adds the model error, ${depthError.modelErrorNm.toFixed(1)} nm, to every uncertainty_z`,
    );
  }
  const records: BeadRecord[] = beads.map((b, i) => ({
    xNm: b.xNm,
    yNm: b.yNm,
    frames: fittedFrames(b),
    rmsNm: rms[i],
    kept: kept[i],
    ...(reasons[i] ? { reason: reasons[i] } : {}),
  }));
  return {
    calibration: {
      format: CALIBRATION_FORMAT,
      x,
      y,
      zOrigin: 'midway between the x and y foci',
      zRangeNm,
      pixelSizeNm: p,
      residualsNm: residuals,
      fociSeparationNm: separation,
      midpointZPrecisionNm: precision,
      zError: depthError,
      quality,
      warnings,
      beads: records,
      zStartNm: options.zStartNm - shift,
      zStepNm: options.zStepNm,
    },
    beads,
    zNm,
  };
}

/** A bead's elliptical fits frame by frame (px in its window, photons, photons/px): the 3-D fits start there. */
interface BeadStarts {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly photons: Float64Array;
  readonly background: Float64Array;
}

/** Frames of a bead with a fitted width. */
function fittedFrames(b: BeadWidths): number {
  return b.sigmaXNm.reduce((m, v) => m + (Number.isFinite(v) ? 1 : 0), 0);
}

/** Both axes' curves fitted to the kept beads' widths ({@link fitDefocusCurve}), with how each fit went. */
function fitCurves(beads: readonly BeadWidths[], kept: readonly boolean[], z: Float64Array): { x: DefocusCurve; y: DefocusCurve; fits: { x: DefocusCurveFit; y: DefocusCurveFit } } {
  const fit = (axis: 'x' | 'y'): DefocusCurveFit => {
    const xs: number[] = [];
    const ys: number[] = [];
    beads.forEach((b, i) => {
      if (!kept[i]) return;
      (axis === 'x' ? b.sigmaXNm : b.sigmaYNm).forEach((w, k) => {
        if (Number.isFinite(w)) {
          xs.push(z[k]);
          ys.push(w);
        }
      });
    });
    if (xs.length < 5) throw new InputFileError('too few bead widths to fit a defocus curve');
    return fitDefocusCurve(xs, ys);
  };
  const x = fit('x');
  const y = fit('y');
  return { x: x.curve, y: y.curve, fits: { x, y } };
}

/** The median of the kept beads' widths per axis, nm. */
function medianWidths(beads: readonly BeadWidths[], kept: readonly boolean[]): { x: number; y: number } {
  const median = (axis: 'x' | 'y') => {
    const all: number[] = [];
    beads.forEach((b, i) => {
      if (kept[i]) for (const w of axis === 'x' ? b.sigmaXNm : b.sigmaYNm) if (Number.isFinite(w)) all.push(w);
    });
    all.sort((a, b) => a - b);
    return all.length ? all[all.length >> 1] : Number.NaN;
  };
  return { x: median('x'), y: median('y') };
}

/** A bead's RMS (both axes) about the curves, nm. */
function beadRms(b: BeadWidths, curves: { x: DefocusCurve; y: DefocusCurve }, z: Float64Array): number {
  let s = 0;
  let m = 0;
  for (let k = 0; k < z.length; k++) {
    if (!Number.isFinite(b.sigmaXNm[k])) continue;
    s += (b.sigmaXNm[k] - defocusSigma(curves.x, z[k])) ** 2 + (b.sigmaYNm[k] - defocusSigma(curves.y, z[k])) ** 2;
    m += 2;
  }
  return m ? Math.sqrt(s / m) : Number.POSITIVE_INFINITY;
}

/** RMS of the kept beads' widths of one axis about its curve, nm. */
function axisResidual(beads: readonly BeadWidths[], kept: readonly boolean[], curve: DefocusCurve, z: Float64Array, axis: 'x' | 'y'): number {
  let s = 0;
  let m = 0;
  beads.forEach((b, i) => {
    if (!kept[i]) return;
    const widths = axis === 'x' ? b.sigmaXNm : b.sigmaYNm;
    widths.forEach((w, k) => {
      if (!Number.isFinite(w)) return;
      s += (w - defocusSigma(curve, z[k])) ** 2;
      m++;
    });
  });
  return Math.sqrt(s / Math.max(1, m));
}

/**
 * The scatter of one bead's width measurement, nm, per axis: the kept beads' widths about their
 * mean in the same frame (the same z), pooled over frames — noise and bead-to-bead differences,
 * whatever the curves' shape (a PSF the curves fit badly does not inflate it).
 * @returns undefined when no frame has two kept beads' widths
 */
function widthNoise(beads: readonly BeadWidths[], kept: readonly boolean[]): { x: number; y: number } | undefined {
  const pooled = (axis: 'x' | 'y') => {
    let squares = 0;
    let freedom = 0;
    const n = beads[0].sigmaXNm.length;
    for (let k = 0; k < n; k++) {
      let sum = 0;
      let count = 0;
      beads.forEach((b, i) => {
        const w = (axis === 'x' ? b.sigmaXNm : b.sigmaYNm)[k];
        if (kept[i] && Number.isFinite(w)) {
          sum += w;
          count++;
        }
      });
      if (count < 2) continue;
      const mean = sum / count;
      beads.forEach((b, i) => {
        const w = (axis === 'x' ? b.sigmaXNm : b.sigmaYNm)[k];
        if (kept[i] && Number.isFinite(w)) squares += (w - mean) ** 2;
      });
      freedom += count - 1;
    }
    return freedom > 0 ? Math.sqrt(squares / freedom) : undefined;
  };
  const x = pooled('x');
  const y = pooled('y');
  return x === undefined || y === undefined ? undefined : { x, y };
}

/**
 * The z precision of one bead frame at z = 0 (midway between the foci), nm: its two widths are
 * measurements of σx(z), σy(z) with a scatter (sx, sy) ({@link widthNoise}), so the information
 * on z is (σx′/sx)² + (σy′/sy)² and the precision its inverse root. Without astigmatism both
 * slopes vanish there (one common focus) and the precision is unbounded.
 */
function midpointZPrecision(x: DefocusCurve, y: DefocusCurve, scatter: { x: number; y: number }): number {
  const slope = new Float64Array(2);
  defocusSlope(x, 0, slope);
  const ix = (slope[1] / Math.max(scatter.x, Number.MIN_VALUE)) ** 2;
  defocusSlope(y, 0, slope);
  const iy = (slope[1] / Math.max(scatter.y, Number.MIN_VALUE)) ** 2;
  const information = ix + iy;
  return information > 0 ? 1 / Math.sqrt(information) : Number.POSITIVE_INFINITY;
}

/** The largest interval around z = 0 within [lo, hi] where σx − σy is monotonic (1 nm steps). */
function usableRange(x: DefocusCurve, y: DefocusCurve, lo: number, hi: number): [number, number] {
  const d = (z: number) => defocusSigma(x, z) - defocusSigma(y, z);
  const sign = Math.sign(d(1) - d(-1)) || 1;
  let a = 0;
  while (a - 1 >= lo && sign * (d(a) - d(a - 1)) > 0) a--;
  let b = 0;
  while (b + 1 <= hi && sign * (d(b + 1) - d(b)) > 0) b++;
  return [a, b];
}

/** What {@link measureDepthError} needs: the beads, their windows and starts, the stage z, the curves (stage z). */
interface DepthErrorInput {
  readonly beads: readonly BeadWidths[];
  readonly starts: readonly BeadStarts[];
  readonly windows: Float32Array;
  readonly kept: readonly boolean[];
  readonly zRaw: Float64Array;
  readonly box: number;
  readonly pixelSizeNm: number;
  /** The curves of all kept beads, in the stage's z. */
  readonly curves: { x: DefocusCurve; y: DefocusCurve };
  /** The usable range in the stage's z: frames outside are not measured. */
  readonly rangeNm: readonly [number, number];
}

/**
 * Step 7: the kept beads fitted in 3-D, frame by frame, through curves fitted without them
 * (leave one bead out, or one group in {@link Z_ERROR_GROUPS} for more beads; with one bead, its
 * own curves), and ẑ compared with the stage z over the
 * usable range. Every frame whose fit converged (or ended at the range's edge: an error too)
 * counts; the noise part is the RMS of the fits' √CRLB of z.
 */
function measureDepthError(input: DepthErrorInput): CalibrationDepthError {
  const { beads, starts, windows, kept, zRaw, box, pixelSizeNm, rangeNm } = input;
  const n = zRaw.length;
  const area = box * box;
  const data = new Float64Array(area);
  const start = { x: 0, y: 0, photons: 0, background: 0 };
  const solver = { maxIterations: FIT_DEFAULTS.maxIterations, tolerance: FIT_DEFAULTS.tolerance };
  // Kept beads dealt into groups in turn; each group's curves are fitted without it.
  const keptIndices = kept.flatMap((k, i) => (k ? [i] : []));
  const groups = Math.min(Z_ERROR_GROUPS, keptIndices.length);
  const groupOf = new Int32Array(beads.length).fill(-1);
  keptIndices.forEach((b, j) => (groupOf[b] = j % groups));
  const groupCurves = Array.from({ length: groups }, (_, g) => (groups > 1 ? fitCurves(beads, kept.map((k, i) => k && groupOf[i] !== g), zRaw) : input.curves));
  let squares = 0;
  let noise = 0;
  let frames = 0;
  let failed = 0;
  beads.forEach((bead, b) => {
    if (!kept[b]) return;
    const curves = groupCurves[groupOf[b]];
    const mid = (curves.x.centerNm + curves.y.centerNm) / 2;
    const shifted = (c: DefocusCurve) => ({ ...c, centerNm: c.centerNm - mid });
    const range = usableRange(shifted(curves.x), shifted(curves.y), rangeNm[0] - mid, rangeNm[1] - mid);
    if (!(range[1] > range[0])) return;
    const calibration: AstigmaticCalibration = {
      format: CALIBRATION_FORMAT,
      x: curves.x,
      y: curves.y,
      zOrigin: 'the stage',
      zRangeNm: [range[0] + mid, range[1] + mid],
      pixelSizeNm,
      residualsNm: { x: 0, y: 0 },
      beads: [],
      zStartNm: zRaw[0],
      zStepNm: n > 1 ? zRaw[1] - zRaw[0] : 0,
    };
    const fit = new AstigmaticFit(box, calibration);
    const s = starts[b];
    for (let k = 0; k < n; k++) {
      if (!(zRaw[k] >= rangeNm[0] && zRaw[k] <= rangeNm[1]) || !Number.isFinite(bead.sigmaXNm[k])) continue;
      const at = (b * n + k) * area;
      for (let i = 0; i < area; i++) data[i] = windows[at + i];
      start.x = s.x[k];
      start.y = s.y[k];
      start.photons = s.photons[k];
      start.background = s.background[k];
      const status = fit.fit(data, 0, start, solver);
      if (status !== STATUS_CONVERGED && status !== STATUS_Z_RANGE) {
        failed++;
        continue;
      }
      squares += (fit.theta[4] - zRaw[k]) ** 2;
      noise += Number.isFinite(fit.crlb[4]) ? fit.crlb[4] ** 2 : 0;
      frames++;
    }
  });
  const rmsNm = Math.sqrt(squares / frames);
  const noiseRmsNm = Math.sqrt(noise / frames);
  return {
    method: groups === 1 ? 'the one bead through its own curves' : groups === keptIndices.length ? 'leave one bead out' : `each bead through curves fitted without its group (${groups} groups)`,
    frames,
    failedFits: failed,
    rmsNm: frames ? rmsNm : Number.NaN,
    noiseRmsNm: frames ? noiseRmsNm : Number.NaN,
    modelErrorNm: frames ? Math.sqrt(Math.max(0, rmsNm ** 2 - noiseRmsNm ** 2)) : 0,
  };
}
