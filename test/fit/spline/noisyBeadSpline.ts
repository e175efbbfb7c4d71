import { buildSpline } from '../../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../../src/fit/spline/SplinePsf.js';
import type { PupilPsf } from '../../../src/simulate/PupilPsf.js';
import { Random } from '../../../src/simulate/Random.js';

/**
 * A spline as calibrate-psf measures it from a few beads, noise and all: the mean of 3 beads of
 * 20 000 photons over 50 photons/px, each plane drawn with Poisson noise (seed 5), 25 × 25 px,
 * 81 planes 20 nm apart from −800 nm, normalised to one photon, then splined.
 * @param psf - the optics the beads are drawn through (not the fitter's model)
 */
export function noisyBeadSpline(psf: PupilPsf): SplinePsf {
  const size = 25, dz = 20, planes = 81, beads = 3, beadPhotons = 20000, beadBackground = 50;
  const rng = new Random(5);
  const volume = new Float64Array(size * size * planes);
  const bead = new Float64Array(size * size);
  for (let k = 0; k < planes; k++) {
    for (let b = 0; b < beads; b++) {
      bead.fill(0);
      psf.add(bead, size, size, size / 2, size / 2, beadPhotons, -800 + k * dz);
      for (let i = 0; i < bead.length; i++) volume[k * size * size + i] += (rng.poisson(bead[i] + beadBackground) - beadBackground) / (beadPhotons * beads);
    }
  }
  return buildSpline(volume, size, size, planes, dz);
}
