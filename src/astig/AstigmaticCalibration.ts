import { readFileSync } from 'node:fs';
import { InputFileError } from '../errors/InputFileError.js';
import type { RecordKind } from '../export/checkRecordPath.js';
import type { DefocusCurve } from './DefocusCurve.js';

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
  /** Every bead found: where, whether kept, and its own RMS about the curves (nm). */
  readonly beads: readonly BeadRecord[];
  /** The bead stack's z of its first frame and its step, nm. */
  readonly zStartNm: number;
  readonly zStepNm: number;
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

/** The format string of a calibration file. */
export const CALIBRATION_FORMAT = 'smlm-stream astigmatic calibration 1';

/** A calibration as a kind of record: `calibrate-3d` replaces only a file that is one. */
export const CALIBRATION_RECORD: RecordKind = {
  words: 'a calibration of smlm-stream calibrate-3d',
  matches: (value) => typeof value === 'object' && value !== null && (value as { format?: unknown }).format === CALIBRATION_FORMAT,
};

/**
 * Read and check a calibration file.
 * @throws InputFileError naming the file and what is wrong
 */
export function readCalibration(path: string): AstigmaticCalibration {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as { code?: string }).code) throw error;
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
  return c as AstigmaticCalibration;
}
