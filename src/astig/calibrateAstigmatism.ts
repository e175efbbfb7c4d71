import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { InputFileError } from '../errors/InputFileError.js';
import type { AstigmaticCalibration, BeadRecord } from './AstigmaticCalibration.js';
import { CALIBRATION_FORMAT } from './AstigmaticCalibration.js';
import type { DefocusCurve } from './DefocusCurve.js';
import { curveOf, defocusJacobian, defocusSigma } from './DefocusCurve.js';
import { fitEllipticalSpot } from './fitEllipticalSpot.js';

/** Options of {@link calibrateAstigmatism}. */
export interface CalibrationOptions {
  /** Frame k (0-based) is imaged at z = zStartNm + k·zStepNm. */
  zStartNm: number;
  zStepNm: number;
  pixelSizeNm: number;
  /** Window of each bead's fit, px (odd). @default 15 */
  boxPx?: number;
  /** A bead is left out when its RMS about the curves exceeds this many times the beads' median. @default 3 */
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
 * Calibrate an astigmatic PSF from a z-stack of fixed beads (Huang et al., Science 319:810, 2008):
 * find the beads on the stack's mean image (local maxima well above the background, a window
 * apart, away from the border); fit σx and σy of each bead in each frame
 * ({@link fitEllipticalSpot}); fit one defocus curve per axis to all beads' widths by least
 * squares (ml-levenberg-marquardt, analytic Jacobian); leave out beads whose RMS about the
 * curves exceeds `rejectFactor` × the median (a bead at another height, stuck, or two beads in
 * one window) and refit, up to three rounds. z = 0 is put midway between the two foci; the
 * usable range is the largest interval around it, inside the stack's depths, where σx − σy
 * changes monotonically (so a width pair names one z).
 * @param frames - the stack in photons per pixel (above the camera's offset), row-major
 * @throws InputFileError when no bead is found or fewer than 5 frames fit
 */
export function calibrateAstigmatism(frames: readonly Float64Array[], width: number, height: number, options: CalibrationOptions): CalibrationResult {
  const box = options.boxPx ?? 15;
  const half = box >> 1;
  const n = frames.length;
  if (n < 5) throw new InputFileError(`a bead z-stack needs at least 5 frames, got ${n}`);
  const positions = findBeads(frames, width, height, box);
  if (positions.length === 0) throw new InputFileError('no beads found on the stack (bright spots a window apart, away from the border)');
  const window = new Float64Array(box * box);
  const p = options.pixelSizeNm;
  const beads: BeadWidths[] = positions.map(([column, row]) => {
    const sigmaXNm = new Float64Array(n).fill(Number.NaN);
    const sigmaYNm = new Float64Array(n).fill(Number.NaN);
    const c0 = column - half;
    const r0 = row - half;
    let xs = 0;
    let ys = 0;
    let count = 0;
    for (let k = 0; k < n; k++) {
      for (let r = 0; r < box; r++) for (let c = 0; c < box; c++) window[r * box + c] = frames[k][(r0 + r) * width + c0 + c];
      const f = fitEllipticalSpot(window, box, { sigmaPx: 1.5 });
      if (!f.ok) continue;
      sigmaXNm[k] = f.sigmaX * p;
      sigmaYNm[k] = f.sigmaY * p;
      xs += f.x;
      ys += f.y;
      count++;
    }
    return { xNm: (c0 + (count ? xs / count : half + 0.5)) * p, yNm: (r0 + (count ? ys / count : half + 0.5)) * p, sigmaXNm, sigmaYNm };
  });
  const zRaw = Float64Array.from({ length: n }, (_, k) => options.zStartNm + k * options.zStepNm);
  const kept = beads.map(() => true);
  const reasons: (string | undefined)[] = beads.map(() => undefined);
  const factor = options.rejectFactor ?? 3;
  let curves = fitCurves(beads, kept, zRaw);
  let rms = beads.map((b) => beadRms(b, curves, zRaw));
  for (let round = 0; round < REJECT_ROUNDS; round++) {
    const good = rms.filter((v, i) => kept[i] && Number.isFinite(v)).sort((a, b) => a - b);
    const limit = Math.max(MIN_REJECT_RMS_NM, factor * good[good.length >> 1]);
    let changed = false;
    beads.forEach((b, i) => {
      const frames = b.sigmaXNm.reduce((m, v) => m + (Number.isFinite(v) ? 1 : 0), 0);
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
  const residual = (axis: 'x' | 'y') => {
    let s = 0;
    let m = 0;
    beads.forEach((b, i) => {
      if (!kept[i]) return;
      const widths = axis === 'x' ? b.sigmaXNm : b.sigmaYNm;
      const curve = axis === 'x' ? x : y;
      widths.forEach((w, k) => {
        if (!Number.isFinite(w)) return;
        s += (w - defocusSigma(curve, zNm[k])) ** 2;
        m++;
      });
    });
    return Math.sqrt(s / Math.max(1, m));
  };
  const records: BeadRecord[] = beads.map((b, i) => ({
    xNm: b.xNm,
    yNm: b.yNm,
    frames: b.sigmaXNm.reduce((m, v) => m + (Number.isFinite(v) ? 1 : 0), 0),
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
      zRangeNm: usableRange(x, y, Math.min(zNm[0], zNm[n - 1]), Math.max(zNm[0], zNm[n - 1])),
      pixelSizeNm: p,
      residualsNm: { x: residual('x'), y: residual('y') },
      beads: records,
      zStartNm: options.zStartNm - shift,
      zStepNm: options.zStepNm,
    },
    beads,
    zNm,
  };
}

/** Local maxima of the mean image, far above its background, a window apart and inside the border. */
function findBeads(frames: readonly Float64Array[], width: number, height: number, box: number): [number, number][] {
  const mean = new Float64Array(width * height);
  for (const f of frames) for (let i = 0; i < mean.length; i++) mean[i] += f[i] / frames.length;
  const sorted = Float64Array.from(mean).sort();
  const median = sorted[sorted.length >> 1];
  const mad = Float64Array.from(mean, (v) => Math.abs(v - median)).sort()[mean.length >> 1] * 1.4826;
  const threshold = median + Math.max(20 * mad, 1);
  const half = box >> 1;
  const peaks: [number, number, number][] = [];
  for (let r = half; r < height - half; r++) {
    for (let c = half; c < width - half; c++) {
      const v = mean[r * width + c];
      if (!(v > threshold)) continue;
      let top = true;
      for (let dr = -2; dr <= 2 && top; dr++) for (let dc = -2; dc <= 2; dc++) if ((dr || dc) && mean[(r + dr) * width + c + dc] > v) { top = false; break; }
      if (top) peaks.push([c, r, v]);
    }
  }
  // Beads whose windows overlap are both left out (their widths would mix).
  return peaks.filter(([c, r], i) => peaks.every(([c2, r2], j) => i === j || Math.abs(c - c2) >= box || Math.abs(r - r2) >= box)).map(([c, r]) => [c, r]);
}

/** Both axes' curves fitted to the kept beads' widths. */
function fitCurves(beads: readonly BeadWidths[], kept: readonly boolean[], z: Float64Array): { x: DefocusCurve; y: DefocusCurve } {
  const fit = (axis: 'x' | 'y'): DefocusCurve => {
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
    // Start: the focus at the narrowest width, a depth of a quarter of the stack.
    let best = 0;
    for (let i = 1; i < ys.length; i++) if (ys[i] < ys[best]) best = i;
    const span = Math.max(...xs) - Math.min(...xs);
    const result = levenbergMarquardt({ x: xs, y: ys }, (p) => (zz) => defocusSigma(curveOf(p), zz) || 0, {
      initialValues: [ys[best], xs[best], span / 4, 0, 0],
      jacobianFunction: (p) => (zz) => defocusJacobian(p, zz),
      damping: 1e-2,
      maxIterations: 100,
      minValues: [1, Math.min(...xs) - span, span / 100, -5, -5],
      maxValues: [1e4, Math.max(...xs) + span, 10 * span, 5, 5],
    });
    return curveOf(result.parameterValues);
  };
  return { x: fit('x'), y: fit('y') };
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
