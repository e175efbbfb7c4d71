import { defocusSigma } from '../../../src/fit/models/DefocusCurve.js';
import type { DefocusCurve } from '../../../src/fit/models/DefocusCurve.js';
import { GaussianAxis } from '../../../src/fit/GaussianAxis.js';

/**
 * A test PSF volume: the astigmatic Gaussian (σx(z), σy(z) from defocus curves, nm) integrated
 * over each pixel, `size` × `size` px about an emitter on the centre of the middle pixel, at
 * planes `zStartNm + k·dzNm`, k < planes; each plane sums to the share of the spot inside it.
 * @returns samples `[(k·size + row)·size + column]`
 */
export function astigmaticVolume(curves: { x: DefocusCurve; y: DefocusCurve }, pixelSizeNm: number, size: number, zStartNm: number, dzNm: number, planes: number): Float64Array {
  const ax = new GaussianAxis(size);
  const ay = new GaussianAxis(size);
  const centre = (size - 1) / 2 + 0.5;
  const out = new Float64Array(size * size * planes);
  for (let k = 0; k < planes; k++) {
    const z = zStartNm + k * dzNm;
    ax.evaluate(centre, defocusSigma(curves.x, z) / pixelSizeNm, false);
    ay.evaluate(centre, defocusSigma(curves.y, z) / pixelSizeNm, false);
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) out[(k * size + r) * size + c] = ax.value[c] * ay.value[r];
  }
  return out;
}
