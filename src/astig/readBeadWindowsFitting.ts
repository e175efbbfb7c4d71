import { PSF_CALIBRATION_DEFAULTS } from './calibratePsf.js';
import type { BeadFrameReader, BeadWindows } from './readBeadWindows.js';
import { readBeadWindows } from './readBeadWindows.js';

/** The windows a box gave, the box, and a sentence when a smaller box than asked was used. */
export interface FittingBeadWindows {
  windows: BeadWindows;
  /** The spline's side used, px. */
  boxPx: number;
  /** Why a smaller box was used (for a warning and the run record), or undefined. */
  note?: string;
}

/**
 * Read a first bead stack's windows for a spline of `boxPx` px, and where they hold fewer than
 * `fallbackMinBeads` beads apart and inside the frame (dense beads or a small field), read it
 * again with the smaller `fallbackBoxesPx` (after `boxPx`'s default where a wider box was asked): the first that holds that many is kept, else the one
 * that holds most ({@link PSF_CALIBRATION_DEFAULTS} says why these sizes).
 * @param readFrames - a new pass over the stack per call
 * @param width - frame width, px
 * @param height - frame height, px
 * @param boxPx - the spline's side asked for, px @default {@link PSF_CALIBRATION_DEFAULTS}
 * @param defaults - window margin and the fallback's boxes and bead count @default {@link PSF_CALIBRATION_DEFAULTS}
 * @throws InputFileError as {@link readBeadWindows}
 */
export async function readBeadWindowsFitting(
  readFrames: BeadFrameReader,
  width: number,
  height: number,
  boxPx: number = PSF_CALIBRATION_DEFAULTS.boxPx,
  defaults: Pick<typeof PSF_CALIBRATION_DEFAULTS, 'marginPx' | 'fallbackBoxesPx' | 'fallbackMinBeads'> = PSF_CALIBRATION_DEFAULTS,
): Promise<FittingBeadWindows> {
  const margin = 2 * defaults.marginPx;
  let windows = await readBeadWindows(readFrames, width, height, boxPx + margin);
  const asked = { boxPx, found: windows.positions.length };
  let box = boxPx;
  // A box wider than the default (small pixels: defaultPsfBox) falls back to the default first.
  const fallbacks = [...(boxPx > PSF_CALIBRATION_DEFAULTS.boxPx ? [PSF_CALIBRATION_DEFAULTS.boxPx] : []), ...defaults.fallbackBoxesPx].filter((b) => b < boxPx);
  for (const smaller of fallbacks) {
    if (windows.positions.length >= defaults.fallbackMinBeads) break;
    const w = await readBeadWindows(readFrames, width, height, smaller + margin);
    if (w.positions.length > windows.positions.length) [windows, box] = [w, smaller];
  }
  if (box === asked.boxPx) return { windows, boxPx: box };
  return {
    windows,
    boxPx: box,
    note: `${asked.found} beads lie apart and inside the frame in windows of the ${asked.boxPx} px box (${asked.boxPx + margin} px); the ${box} px box's hold ${windows.positions.length}: the PSF is ${box} px (a defocused PSF may reach beyond it; --box chooses)`,
  };
}
