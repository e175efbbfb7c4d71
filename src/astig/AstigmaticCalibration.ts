import { InputFileError } from '../errors/InputFileError.js';
import type { DefocusCurve } from '../fit/models/DefocusCurve.js';

/** What `calibrate-3d` writes (CALIB.json) and `--calibration` reads. */
export interface AstigmaticCalibration {
  /** The file's format: {@link CALIBRATION_FORMAT}. */
  readonly format: string;
  /** σx(z) and σy(z), nm (docs/design.md §8). */
  readonly x: DefocusCurve;
  readonly y: DefocusCurve;
  /** Where z = 0 is. */
  readonly zOrigin: string;
  /** The depths the calibration covers, nm: fits keep z inside. */
  readonly zRangeNm: readonly [number, number];
  /** The beads' pixel size, nm. */
  readonly pixelSizeNm: number;
  /** RMS of the kept beads' widths about the curves, nm. */
  readonly residualsNm: { readonly x: number; readonly y: number };
  /** |c_x − c_y|: how far apart the two foci are, nm. (Absent in files of earlier versions.) */
  readonly fociSeparationNm?: number;
  /**
   * The z precision of one bead frame midway between the foci, nm: the beads' width scatter
   * within a frame over the curves' slopes there. Foci closer than this (× {@link
   * MIN_FOCI_SEPARATION_PRECISIONS}) are refused, by calibrate-3d and when read.
   */
  readonly midpointZPrecisionNm?: number;
  /** How well the curves place the beads in z (absent in files of earlier versions: taken as exact). */
  readonly zError?: CalibrationDepthError;
  /** How the curve fit went (absent in files of earlier versions). */
  readonly quality?: CurveFitQuality;
  /** What calibrate-3d warned about (localize repeats them). */
  readonly warnings?: readonly string[];
  /** Every bead found: where, whether kept, and its own RMS about the curves (nm). */
  readonly beads: readonly BeadRecord[];
  /** The bead stack's z of its first frame and its step, nm. */
  readonly zStartNm: number;
  readonly zStepNm: number;
}

/**
 * How the defocus curves fit the beads' widths (judgeCurves.ts): calibrate-3d refuses curves that
 * did not move from their start or miss the beads, and warns about the rest here.
 */
export interface CurveFitQuality {
  /** RMS of the kept beads' widths about each curve, nm. */
  readonly rmsNm: { readonly x: number; readonly y: number };
  /** The beads' width scatter at one z, nm, what the RMS is judged against (null with one bead). */
  readonly widthScatterNm: { readonly x: number; readonly y: number } | null;
  /** Whether each curve's least-squares fit ended on a convergence test, and its iterations. */
  readonly converged: { readonly x: boolean; readonly y: boolean };
  readonly iterations: { readonly x: number; readonly y: number };
  /** How many of the fit's starts converged ("5 of 5"). */
  readonly startsConverged: { readonly x: string; readonly y: string };
  /** |c_x − c_y|, nm. */
  readonly fociSeparationNm: number;
  /** The curve fit's warnings (also in the calibration's warnings). */
  readonly warnings: readonly string[];
}

/** One bead of a calibration. */
export interface BeadRecord {
  /** Position in the stack, nm from the top-left corner. */
  readonly xNm: number;
  readonly yNm: number;
  /** Frames with a converged elliptical fit. */
  readonly frames: number;
  /** RMS of its σx, σy about the curves, nm. */
  readonly rmsNm: number;
  readonly kept: boolean;
  /** Why it was left out, when it was. */
  readonly reason?: string;
}

/**
 * The calibration's own z error: every kept bead fitted in 3-D (as localize fits) through curves
 * fitted without it (or without its group), ẑ against the stage z, over the usable range.
 */
export interface CalibrationDepthError {
  /** How the curves were chosen for each bead: 'leave one bead out', without its group (beyond 10 beads), or a single bead's own. */
  readonly method: string;
  /** Bead frames measured, and those whose 3-D fit did not converge (not counted). */
  readonly frames: number;
  readonly failedFits: number;
  /** RMS of ẑ − z_stage, nm. */
  readonly rmsNm: number;
  /** RMS of the fits' √CRLB of z: the part of it the beads' photon noise explains, nm. */
  readonly noiseRmsNm: number;
  /**
   * √max(0, rms² − noise²): what the curves get wrong whatever the photons, nm. localize adds it
   * in quadrature to every uncertainty_z ({@link zModelErrorNm}).
   */
  readonly modelErrorNm: number;
}

/**
 * The model error a calibration's z carries whatever the photons, nm: 0 for files without it.
 * A 3-D fit's uncertainty_z is √(CRLB_z + this²).
 */
export function zModelErrorNm(calibration: AstigmaticCalibration): number {
  const m = calibration.zError?.modelErrorNm;
  return typeof m === 'number' && Number.isFinite(m) && m > 0 ? m : 0;
}

/**
 * The foci must be at least this many z precisions apart (the precision of one bead frame midway
 * between them, {@link AstigmaticCalibration.midpointZPrecisionNm}). At one precision, a spot at
 * one focus is placed past the midpoint, nearer the other focus, in 31 % of its fits (a normal
 * error beyond half a standard deviation on one side); closer foci cannot be told apart by the
 * widths, and the "calibration" is the noise of two identical curves (beads without astigmatism:
 * the foci 1–3 nm apart, the precision midway 1.2–8 µm).
 */
export const MIN_FOCI_SEPARATION_PRECISIONS = 1;

/** The format string of a calibration file. */
export const CALIBRATION_FORMAT = 'smlm-stream astigmatic calibration 1';

/**
 * Check the text of a calibration file (the file is read by `readCalibration` in
 * src/export/readCalibration.ts): its format, both curves, the z range, the pixel size, the
 * foci's separation against the z precision, the z model error and the warnings.
 * @param text - the file's content (JSON)
 * @param path - the file, named in every refusal
 * @returns the calibration, as written by calibrate-3d
 * @throws InputFileError naming the file and what is wrong
 */
export function parseCalibration(text: string, path: string): AstigmaticCalibration {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(`${path}: not a JSON file (${(error as Error).message})`);
  }
  const c = data as Partial<AstigmaticCalibration>;
  if (c?.format !== CALIBRATION_FORMAT) throw new InputFileError(`${path}: not a calibration of smlm-stream calibrate-3d (format '${String(c?.format)}')`);
  for (const axis of ['x', 'y'] as const) {
    const k = c[axis];
    if (!k || ![k.sigma0Nm, k.centerNm, k.depthNm, k.a, k.b].every(Number.isFinite) || !(k.sigma0Nm > 0) || k.depthNm === 0) throw new InputFileError(`${path}: the ${axis} curve is incomplete`);
  }
  const r = c.zRangeNm;
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] < r[1])) throw new InputFileError(`${path}: zRangeNm must be [low, high] nm`);
  if (!(Number(c.pixelSizeNm) > 0)) throw new InputFileError(`${path}: pixelSizeNm is missing`);
  const separation = Math.abs((c.x as DefocusCurve).centerNm - (c.y as DefocusCurve).centerNm);
  const precision = c.midpointZPrecisionNm;
  if (typeof precision === 'number' && !(separation >= MIN_FOCI_SEPARATION_PRECISIONS * precision)) {
    throw new InputFileError(`${path}: its x and y foci are ${separation.toFixed(0)} nm apart, closer than the z precision can separate (${precision.toFixed(0)} nm): a calibration of beads without astigmatism`);
  }
  const m = c.zError?.modelErrorNm;
  if (m !== undefined && m !== null && !(typeof m === 'number' && m >= 0 && Number.isFinite(m))) throw new InputFileError(`${path}: the z model error must be a distance in nm ≥ 0, got ${String(m)}`);
  if (c.warnings !== undefined && !(Array.isArray(c.warnings) && c.warnings.every((w) => typeof w === 'string'))) throw new InputFileError(`${path}: its warnings must be a list of sentences`);
  return c as AstigmaticCalibration;
}
