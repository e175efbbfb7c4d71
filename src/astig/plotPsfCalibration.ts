import { renderVegaPng } from '../render/renderVegaPng.js';
import type { PsfCalibrationResult } from './calibratePsf.js';
import { psfCalibrationSpec } from './psfCalibrationSpec.js';

/**
 * A PNG of a spline PSF calibration: {@link psfCalibrationSpec}'s plot (the averaged PSF's xz
 * and yz sections, the leave-one-bead-out z error against z with the usable range).
 * @param result - calibrate-psf's result
 * @param pixelSizeNm - camera pixel size, nm
 * @returns the PNG's bytes
 */
export function plotPsfCalibration(result: PsfCalibrationResult, pixelSizeNm: number): Promise<Uint8Array> {
  return renderVegaPng(psfCalibrationSpec(result, pixelSizeNm));
}
