import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SplineCalibration } from '../../src/astig/SplineCalibration.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { DEFAULT_ASTIGMATISM, simulateBeadStack } from '../../src/simulate/simulateBeadStack.js';
import { resolveSimulateStackOptions, simulateStack } from '../../src/simulate/simulateStack.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import { SplineSpotPsf } from '../../src/simulate/SplineSpotPsf.js';

const PIXEL = 100;
const BOX = 17;
const Z_STEP = 20;
const PLANES = 61; // z −600 … 600 nm
const { x: CX, y: CY } = DEFAULT_ASTIGMATISM;

/** The astigmatic Gaussian (the simulator's own, exactly pixel-integrated) at depth z, drawn at (x, y) px into a side × side image. */
function gaussian(side: number, x: number, y: number, photons: number, zNm: number): Float64Array {
  // Drawn on a padded canvas (a 31-px window that may overhang the image), then cropped.
  const w = 31, pad = w, big = side + 2 * pad;
  const canvas = new Float64Array(big * big);
  const c0 = Math.round(x + pad) - (w >> 1), r0 = Math.round(y + pad) - (w >> 1);
  renderSpot(canvas, big, c0, r0, new GaussianAxis(w), new GaussianAxis(w), x + pad - c0, y + pad - r0, photons, defocusSigma(CX, zNm) / PIXEL, defocusSigma(CY, zNm) / PIXEL);
  const image = new Float64Array(side * side);
  for (let r = 0; r < side; r++) image.set(canvas.subarray((r + pad) * big + pad, (r + pad) * big + pad + side), r * side);
  return image;
}

/** A spline through that Gaussian sampled on BOX × BOX pixels centred on the emitter, planes every Z_STEP nm from −600 nm (each pixel value at unit photons). */
function gaussianSpline(): SplineCalibration {
  const volume = new Float64Array(BOX * BOX * PLANES);
  const half = (BOX - 1) / 2;
  for (let k = 0; k < PLANES; k++) {
    const plane = gaussian(BOX, half + 0.5, half + 0.5, 1, -600 + k * Z_STEP);
    volume.set(plane, k * BOX * BOX);
  }
  return { psf: buildSpline(volume, BOX, BOX, PLANES, Z_STEP, { zStartNm: -600 }), pixelSizeNm: PIXEL, source: 'a Gaussian volume' };
}

describe('spots through a spline PSF', () => {
  const spline = gaussianSpline();

  test('a spline of the Gaussian draws the Gaussian: within 0.6 % of the peak pixel off the samples, equal on them', () => {
    const psf = new SplineSpotPsf(spline.psf);
    const side = 40;
    let worst = 0;
    // On the samples (pixel-centred, a sample plane) the spline interpolates: equal to rounding
    // (measured 2e-16 of the peak). Between them, the natural cubic's error on a Gaussian of
    // σ 1.3–2.6 px and planes 20 nm apart: measured 0.28 % of the peak at worst over these
    // points; 0.6 % allows for other points, and a wrong offset of ½ px would give ~30 %.
    for (const [x, y, z, exact] of [[20.5, 20.5, 0, true], [20.5, 17.5, -400, true], [20.13, 19.71, 7, false], [15.5, 22.38, -333, false], [21.9, 20.05, 512, false], [20.37, 20.62, -590, false]] as const) {
      const a = new Float64Array(side * side);
      psf.add(a, side, side, x, y, 1000, z);
      const b = gaussian(side, x, y, 1000, z);
      const peak = Math.max(...b);
      let diff = 0;
      // Inside the spline's box (pixel centres from −8 px to below +8 px of the emitter: the last
      // sample is a voxel's far face, which the fit's model leaves out too); beyond it, nothing.
      for (let r = 0; r < side; r++) {
        for (let c = 0; c < side; c++) {
          const inside = c + 0.5 - x >= -8 && c + 0.5 - x < 8 && r + 0.5 - y >= -8 && r + 0.5 - y < 8;
          if (inside) diff = Math.max(diff, Math.abs(a[r * side + c] - b[r * side + c]));
          else assert.equal(a[r * side + c], 0);
        }
      }
      if (exact) assert.ok(diff / peak < 1e-12, `(${x}, ${y}, ${z}): ${diff / peak}`);
      else worst = Math.max(worst, diff / peak);
      const sumA = a.reduce((s, v) => s + v, 0), sumB = b.reduce((s, v) => s + v, 0);
      // The box holds all but the Gaussian's tails beyond ±8 px (≤ 2 % at ±600 nm, where σy is 2.5 px).
      assert.ok(sumA <= sumB * (1 + 1e-3) && sumA > 0.98 * sumB, `(${x}, ${y}, ${z}): photons ${sumA} vs ${sumB}`);
    }
    assert.ok(worst < 6e-3, `worst ${worst}`);
  });

  test('a spot at the image corner draws only the pixels inside; nothing below 0', () => {
    const psf = new SplineSpotPsf(spline.psf);
    const image = new Float64Array(10 * 10);
    psf.add(image, 10, 10, 0.3, 9.6, 1000, 100);
    assert.ok(image.every((v) => v >= 0 && Number.isFinite(v)));
    assert.ok(image[9 * 10] > 50, String(image[90]));
  });

  test('a stack through the spline: the truth keeps z; the frame holds the spots\' photons', () => {
    const options = { width: 32, height: 32, frames: 1, density: 1, photons: 2000, background: 10, readNoiseAdu: 0, baselineAdu: 100, photonsPerAdu: 1, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-500, 500] as const }, seed: 3 };
    const [frame] = [...simulateStack({ ...options, spline })];
    const [gauss] = [...simulateStack(options)];
    // Positions and depths are drawn before any pixel: the same emitters as through the Gaussian.
    assert.deepEqual(frame.truth.x, gauss.truth.x);
    assert.deepEqual(frame.truth.z, gauss.truth.z);
    assert.ok(frame.truth.z!.length > 3 && frame.truth.z!.every((z) => z >= -500 && z <= 500));
    // Photons above the background: the spots' (Poisson: the total's σ is √(all photons) ≈ 190; 5σ).
    const above = (f: typeof frame) => f.adu.reduce((s, v) => s + v - 100 - 10, 0);
    assert.ok(Math.abs(above(frame) - above(gauss)) < 5 * Math.sqrt(2 * (32 * 32 * 10 + 2000 * frame.truth.x.length)), `${above(frame)} vs ${above(gauss)}`);
  });

  test('refusals: depths beyond the spline, another pixel size, two PSFs', () => {
    assert.throws(() => resolveSimulateStackOptions({ spline, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-800, 800] } }), /z from -800 to 800 nm, beyond the spline PSF's z range -600 … 600 nm/);
    assert.throws(() => resolveSimulateStackOptions({ spline, pixelSizeNm: 110 }), /measured with 100 nm pixels, the simulation's are 110 nm/);
    assert.throws(() => resolveSimulateStackOptions({ spline, pupil: {} }), /pupil and spline are two PSFs/);
    assert.doesNotThrow(() => resolveSimulateStackOptions({ spline }));
    assert.throws(() => simulateBeadStack({ spline, zStartNm: -800, frames: 5, zStepNm: 20 }), /the bead stack's frames asks for z from -800 to -720 nm, beyond the spline PSF's z range -600 … 600 nm/);
    // A bead stuck 250 nm above the others needs 250 nm more of the range.
    assert.throws(() => simulateBeadStack({ spline, zStartNm: 300, frames: 5, zStepNm: 20, bad: { 0: { zOffsetNm: 250 } } }), /z from 300 to 630 nm/);
    // A spline whose pixel size is not known is taken at its word.
    assert.doesNotThrow(() => resolveSimulateStackOptions({ spline: { psf: spline.psf }, pixelSizeNm: 160 }));
  });
});
