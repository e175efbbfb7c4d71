import { MIN_START_BACKGROUND, UNCONVERGED_START_BACKGROUND, UNCONVERGED_START_PHOTONS } from './fitConstants.js';

/**
 * The start of a fit that follows a single 2-D fit which did not converge (a crowded window's
 * multi-emitter fit, a patch's 3-D fit): the given position, UNCONVERGED_START_PHOTONS photons,
 * and the failed fit's background, at least MIN_START_BACKGROUND, or UNCONVERGED_START_BACKGROUND
 * where it left none (0 or NaN). Written into `start`; allocates nothing.
 * @param start - receives x, y (px, in the window or patch), photons and background (photons/px)
 * @param x - start column, px
 * @param y - start row, px
 * @param background - the failed fit's background, photons/px (0 or NaN where it has none)
 */
export function unconvergedStart(start: { x: number; y: number; photons: number; background: number }, x: number, y: number, background: number): void {
  start.x = x;
  start.y = y;
  start.photons = UNCONVERGED_START_PHOTONS;
  start.background = Math.max(MIN_START_BACKGROUND, background || UNCONVERGED_START_BACKGROUND);
}
