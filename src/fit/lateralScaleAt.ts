import { interpolateSquares } from './interpolateSquares.js';
import type { ZModelErrorTable } from './zModelErrorAt.js';

/**
 * How far a spot's x or y fit spreads beyond its CRLB at a fitted depth: the calibration's
 * κ_x or κ_y (calibrate-psf's left-out beads thinned to a spot's brightness), κ² interpolated
 * linearly between the table's two nodes about `zNm` (the end node's beyond its ends); 1 where
 * the table has none or z is not finite. localize's uncertainty_x = κ_x·√CRLB_x (y likewise).
 * @param zNm - the fitted depth, nm
 * @param table - the calibration's error by depth, if any
 * @param axis - 0: x, 1: y
 * @returns κ ≥ 1
 */
export function lateralScaleAt(zNm: number, table: ZModelErrorTable | undefined, axis: 0 | 1): number {
  const scale = axis === 0 ? table?.crlbScaleX : table?.crlbScaleY;
  if (table === undefined || scale === undefined || table.zNm.length === 0 || !Number.isFinite(zNm)) return 1;
  return Math.sqrt(interpolateSquares(zNm, table.zNm, scale));
}
