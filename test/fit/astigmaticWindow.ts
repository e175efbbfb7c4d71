import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import type { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';

/**
 * A width × width window of emitters (x, y px in the window, z nm) drawn through the simulator's
 * pixel-integrated astigmatic Gaussian (DEFAULT_ASTIGMATISM's curves) over a flat background,
 * with Poisson noise: the 3-D selection tests' patches.
 * @param rng - the seeded generator
 * @param width - the window's side, px
 * @param emitters - positions, px in the window, and depths, nm
 * @param photons - each emitter's photons
 * @param background - photons per pixel
 * @param pixelNm - the pixel size, nm (the curves' σ are in nm)
 */
export function astigmaticWindow(rng: Random, width: number, emitters: readonly { x: number; y: number; z: number }[], photons: number, background: number, pixelNm: number): Float64Array {
  const image = new Float64Array(width * width);
  const ax = new GaussianAxis(width);
  const ay = new GaussianAxis(width);
  for (const e of emitters) renderSpot(image, width, 0, 0, ax, ay, e.x, e.y, photons, defocusSigma(DEFAULT_ASTIGMATISM.x, e.z) / pixelNm, defocusSigma(DEFAULT_ASTIGMATISM.y, e.z) / pixelNm);
  for (let i = 0; i < image.length; i++) image[i] = rng.poisson(image[i] + background);
  return image;
}
