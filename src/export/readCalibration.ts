import { readFileSync } from 'node:fs';
import type { AstigmaticCalibration } from '../astig/AstigmaticCalibration.js';
import { parseCalibration } from '../astig/AstigmaticCalibration.js';

/**
 * Read and check a calibration file (`calibrate-3d`'s CALIB.json, as `--calibration` names it):
 * the file access here, the checks in {@link parseCalibration} (src/astig/, free of the file
 * system). A file that cannot be read throws the system's error (ENOENT, EACCES, …) unchanged.
 * @param path - the calibration file
 * @returns the calibration
 * @throws InputFileError naming the file and what is wrong in it
 */
export function readCalibration(path: string): AstigmaticCalibration {
  return parseCalibration(readFileSync(path, 'utf8'), path);
}
