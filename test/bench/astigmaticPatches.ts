import type { AstigmaticCalibration } from '../../src/astig/AstigmaticCalibration.js';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { Random } from '../../src/simulate/Random.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';

/**
 * The 3-D benchmarks' input: `count` patches of `box` × `box` px of astigmatic spots (the
 * simulator's curves, 100 nm pixels, z uniform in ±400 nm, N = 2000 photons, b = 20 photons/px,
 * the spot within ±½ px of the patch centre, Poisson noise; seed 2026), and those curves as a
 * calibration over ±600 nm.
 * @returns `data` (patch p at `p·box²`, row-major, photons) and `calibration`
 */
export function astigmaticPatches(count: number, box: number): { data: Float64Array; calibration: AstigmaticCalibration } {
  const rng = new Random(2026);
  const ax = new GaussianAxis(box);
  const ay = new GaussianAxis(box);
  const data = new Float64Array(count * box * box);
  for (let p = 0; p < count; p++) {
    const z = -400 + 800 * rng.uniform();
    ax.evaluate(box / 2 + rng.uniform() - 0.5, defocusSigma(DEFAULT_ASTIGMATISM.x, z) / 100, false);
    ay.evaluate(box / 2 + rng.uniform() - 0.5, defocusSigma(DEFAULT_ASTIGMATISM.y, z) / 100, false);
    for (let r = 0; r < box; r++) for (let c = 0; c < box; c++) data[p * box * box + r * box + c] = rng.poisson(2000 * ax.value[c] * ay.value[r] + 20);
  }
  const calibration: AstigmaticCalibration = { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: '', zRangeNm: [-600, 600], pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };
  return { data, calibration };
}
