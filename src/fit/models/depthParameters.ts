import { LEAVE_PATCH_PX, MIN_BACKGROUND, MIN_PHOTONS } from '../fitConstants.js';
import type { PsfParameter } from '../PsfModel.js';

/**
 * θ = (x, y, N, b, z) of a 3-D model (AstigmaticModel, SplineModel): x, y px in the window (at
 * most LEAVE_PATCH_PX outside it), N photons (at least MIN_PHOTONS), b photons/px (at least
 * MIN_BACKGROUND), z nm inside `zRangeNm`.
 * @param zRangeNm - the depths the model covers, nm: z's bounds
 * @param zStart - how the fit starts z, in words (the parameter table's `start`)
 */
export function depthParameters(zRangeNm: readonly [number, number], zStart: string): readonly PsfParameter[] {
  const [lo, hi] = zRangeNm;
  return [
    { name: 'x', unit: 'px', min: -LEAVE_PATCH_PX, max: Number.POSITIVE_INFINITY, start: 'centroid above the border median' },
    { name: 'y', unit: 'px', min: -LEAVE_PATCH_PX, max: Number.POSITIVE_INFINITY, start: 'centroid above the border median' },
    { name: 'N', unit: 'photons', min: MIN_PHOTONS, max: Number.POSITIVE_INFINITY, start: 'sum above the border median' },
    { name: 'b', unit: 'photons/px', min: MIN_BACKGROUND, max: Number.POSITIVE_INFINITY, start: 'median of the border pixels' },
    { name: 'z', unit: 'nm', min: lo, max: hi, start: zStart },
  ];
}
