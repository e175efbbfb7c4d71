import { closeSync, openSync, readSync } from 'node:fs';
import type { AstigmaticCalibration } from '../astig/AstigmaticCalibration.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import { InputFileError } from '../errors/InputFileError.js';
import type { ZModelErrorTable } from '../fit/zModelErrorAt.js';
import { readCalibration } from './readCalibration.js';
import { readSplineCalibration } from './readSplineCalibration.js';

/** HDF5's signature, at the file's start or after a 512-byte user block (MATLAB v7.3). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the file holds HDF5's signature at byte 0 or 512. */
function isHdf5(path: string): boolean {
  const head = Buffer.alloc(520);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return [0, 512].some((at) => n >= at + 8 && HDF5_SIGNATURE.every((b, i) => head[at + i] === b));
}

/**
 * Read the 3-D calibration `--calibration` names, whichever kind it is: an HDF5 file is a
 * spline PSF (calibrate-psf's PSF.h5, Picasso 0.11's `*_spline_calib.hdf5`, SMAPpy's, SMAP's
 * v7.3 `_3dcal.mat`: {@link readSplineCalibration}), anything else calibrate-3d's astigmatic
 * CALIB.json ({@link readCalibration}). A spline written by calibrate-psf brings its
 * leave-one-bead-out z error RMS (`smlm_stream.zErrorRmsNm`) as its `zModelErrorNm`, the model
 * term of every uncertainty_z (σ_z² = CRLB_z + model², as an astigmatic calibration's), and its
 * z origin, its error by depth (`smlm_stream.zErrorByDepth`, where present: the model error at each
 * fitted z instead), and the box its PSF was measured over (Picasso's `box`: calibrate-psf pads its spline
 * beyond it, and the default window keeps to it); another tool's file has none of these (model
 * error 0, which the run record says; the window from the spline's own size).
 * @param path - the calibration file
 * @returns `astigmatism` or `spline`, the other undefined
 * @throws InputFileError naming the file and what is wrong in it (a missing file throws the system's error)
 */
export async function readCalibrationFile(path: string): Promise<{ astigmatism?: AstigmaticCalibration; spline?: SplineCalibration }> {
  if (!isHdf5(path)) return { astigmatism: readCalibration(path) };
  const file = await readSplineCalibration(path);
  // calibrate-psf's record: its leave-one-bead-out z error is the model's own; another tool's file has none (0).
  const record = file.record ?? {};
  const zError = record.zErrorRmsNm;
  const zModelErrorNm = typeof zError === 'number' && Number.isFinite(zError) && zError >= 0 ? zError : undefined;
  const zOrigin = typeof record.zOrigin === 'string' ? record.zOrigin : undefined;
  const zModelErrorByDepth = errorByDepth(path, record.zErrorByDepth);
  return { spline: { psf: file.spline, pixelSizeNm: file.pixelSizeNm, source: path, ...(file.boxPx === undefined || file.record === undefined ? {} : { measuredBoxPx: file.boxPx }), ...(zModelErrorNm === undefined ? {} : { zModelErrorNm }), ...(zModelErrorByDepth === undefined ? {} : { zModelErrorByDepth }), ...(zOrigin === undefined ? {} : { zOrigin }) } };
}

/**
 * calibrate-psf's z error by depth (`smlm_stream.zErrorByDepth`: `zNm`, `errorNm`, equal-length
 * arrays, z increasing, errors ≥ 0; with `modelErrorNm` ≥ 0 and `crlbScale` ≥ 1 of the same
 * length where calibrate-psf measured them, and `crlbScaleX`, `crlbScaleY` ≥ 1: see zModelErrorAt
 * and lateralScaleAt); undefined where the record has none (older files: the one
 * zErrorRmsNm at every depth).
 * @throws InputFileError naming the file when the record holds one that is malformed
 */
function errorByDepth(path: string, value: unknown): ZModelErrorTable | undefined {
  if (value === undefined || value === null) return undefined;
  const { zNm, errorNm } = value as { zNm?: unknown; errorNm?: unknown };
  const ok = Array.isArray(zNm) && Array.isArray(errorNm) && zNm.length === errorNm.length
    && zNm.every((z, i) => typeof z === 'number' && Number.isFinite(z) && (i === 0 || z > (zNm[i - 1] as number)))
    && errorNm.every((e) => typeof e === 'number' && Number.isFinite(e) && e >= 0);
  if (!ok) throw new InputFileError(`${path}: smlm_stream.zErrorByDepth is not two equal-length lists of finite numbers (zNm increasing, errorNm ≥ 0)`);
  // An empty table (an older calibrate-psf wrote one when no bin had enough frames) is no table.
  if (zNm.length === 0) return undefined;
  // The model error and the CRLB's scale (calibrate-psf since issue 26's spot-brightness term): both or neither.
  const { modelErrorNm, crlbScale } = value as { modelErrorNm?: unknown; crlbScale?: unknown };
  if ((modelErrorNm === undefined || modelErrorNm === null) && (crlbScale === undefined || crlbScale === null)) return { zNm: zNm as number[], errorNm: errorNm as number[] };
  const list = (v: unknown, least: number) => Array.isArray(v) && v.length === zNm.length && v.every((e) => typeof e === 'number' && Number.isFinite(e) && e >= least);
  if (!list(modelErrorNm, 0) || !list(crlbScale, 1)) throw new InputFileError(`${path}: smlm_stream.zErrorByDepth's modelErrorNm and crlbScale are not both lists of zNm's length (modelErrorNm ≥ 0, crlbScale ≥ 1)`);
  const table = { zNm: zNm as number[], errorNm: errorNm as number[], modelErrorNm: modelErrorNm as number[], crlbScale: crlbScale as number[] };
  // κ_x, κ_y by depth (calibrate-psf since the lateral scale): both or neither, ≥ 1.
  const { crlbScaleX, crlbScaleY } = value as { crlbScaleX?: unknown; crlbScaleY?: unknown };
  if ((crlbScaleX === undefined || crlbScaleX === null) && (crlbScaleY === undefined || crlbScaleY === null)) return table;
  if (!list(crlbScaleX, 1) || !list(crlbScaleY, 1)) throw new InputFileError(`${path}: smlm_stream.zErrorByDepth's crlbScaleX and crlbScaleY are not both lists of zNm's length (≥ 1)`);
  return { ...table, crlbScaleX: crlbScaleX as number[], crlbScaleY: crlbScaleY as number[] };
}
