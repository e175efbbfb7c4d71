import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { RENDER_LIMITS } from './SuperResolutionImage.js';

/**
 * The output pixel chosen from the localization precision: `fraction` of it (half: Picasso's
 * automatic oversampling, 2 / median precision in camera pixels, gives the same pixel of
 * precision / 2; the Nyquist rate for structures of the precision's size), rounded to whole nm
 * and at least `minNm`; raised when the image would be more than `maxSidePx` a side (a default
 * should not make a 512 MB image: 4096² px take 268 MB of counts and some 5 s to encode).
 */
export const PIXEL_FROM_PRECISION = { fraction: 0.5, minNm: 1, maxSidePx: 4096 } as const;

/**
 * The render pixel for a table of a given localization precision (e.g. NeNA's): half the
 * precision, rounded to whole nm (at least 1 nm), raised to the smallest whole nm that keeps the
 * image of `range` within `maxSidePx` a side and {@link RENDER_LIMITS} when it would be larger.
 * @param precisionNm - the mean localization precision, nm (> 0)
 * @param range - the region rendered, nm
 * @returns the pixel, nm, the pixel the precision alone gives, and whether the size limit raised it
 */
export function pixelFromPrecision(precisionNm: number, range: { x0: number; x1: number; y0: number; y1: number }): { pixelNm: number; precisionPixelNm: number; raised: boolean } {
  if (!(precisionNm > 0 && Number.isFinite(precisionNm))) throw new InvalidOptionError(`a pixel from the precision needs a precision > 0 nm, got ${precisionNm}`);
  const width = range.x1 - range.x0;
  const height = range.y1 - range.y0;
  const fits = (p: number) => {
    const w = Math.ceil(width / p);
    const h = Math.ceil(height / p);
    return w <= PIXEL_FROM_PRECISION.maxSidePx && h <= PIXEL_FROM_PRECISION.maxSidePx && w * h <= RENDER_LIMITS.maxPixels;
  };
  const wanted = Math.max(PIXEL_FROM_PRECISION.minNm, Math.round(PIXEL_FROM_PRECISION.fraction * precisionNm));
  if (fits(wanted)) return { pixelNm: wanted, precisionPixelNm: wanted, raised: false };
  // The smallest whole nm that fits: from the bound on the pixel count, then up one at a time (the ceilings).
  let p = Math.max(wanted, Math.floor(Math.max(width, height) / PIXEL_FROM_PRECISION.maxSidePx), Math.floor(Math.sqrt((width * height) / RENDER_LIMITS.maxPixels)));
  while (!fits(p)) p++;
  return { pixelNm: p, precisionPixelNm: wanted, raised: true };
}
