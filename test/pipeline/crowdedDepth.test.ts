import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { LocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { depthAccuracy } from '../astig/depthAccuracy.js';
import { astigmaticVolume } from '../fit/spline/astigmaticVolume.js';

/** The simulator's curves as calibrate-3d's file holds them (the Gaussian model's own PSF). */
const ASTIGMATISM = { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: 'midway between the foci', zRangeNm: [-600, 600] as const, pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };
/** The same PSF sampled and splined, as a measured PSF comes (not the Gaussian that draws the data). */
const SPLINE = { psf: buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 25, -800, 20, 81), 25, 25, 81, 20), pixelSizeNm: 100, zOrigin: 'midway between the foci' };

describe('3-D crowded spots: multi-emitter fitting on by default', () => {
  for (const { name, calibration, frames } of [
    { name: 'astigmatic Gaussian', calibration: { astigmatism: ASTIGMATISM } as LocalizeOptions, frames: 16 },
    { name: 'spline', calibration: { spline: SPLINE } as LocalizeOptions, frames: 6 },
  ]) {
    test(`${name}, 1 emitter/µm²: more emitters found within 100 nm and |Δz| ≤ 250 nm than single fits, fewer z outliers, each row with its own depth`, () => {
      // 64×64 px at 100 nm, z uniform in ±400 nm, N = 2000, b = 20: ~40 emitters a frame, whose
      // defocused spots (σ up to 3 px) overlap.
      const sim = { width: 64, height: 64, frames, density: 1, photons: 2000, background: 20, seed: 9, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-400, 400] as const } };
      let multiRows = 0;
      const on = depthAccuracy(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, ...calibration }), sim, (b, i) => {
        if (b.emitters[i] < 2) return;
        multiRows++;
        // An emitter of a crowded window has its own z and widths, and z's CRLB from the joint fit.
        assert.ok(b.z && Math.abs(b.z[i]) <= 600 && b.uncertaintyZ && b.uncertaintyZ[i] > 0 && Number.isFinite(b.uncertaintyZ[i]), `z ${b.z?.[i]}, uncertainty ${b.uncertaintyZ?.[i]}`);
        assert.ok(b.sigma1 && b.sigma2 && b.sigma1[i] > 100 && b.sigma2[i] > 100, `widths ${b.sigma1?.[i]}, ${b.sigma2?.[i]} nm`);
      });
      const off = depthAccuracy(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, ...calibration, multiEmitter: { enabled: false } }), sim);
      assert.ok(multiRows > 0.2 * on.n, `${multiRows} rows from crowded windows of ${on.n}`);
      // Measured (seed 9), seeded 3-D windows: astigmatic (16 frames, 607 emitters) 394 found vs
      // 161, z outliers 3.4 % vs 10.1 %, z RMSE 64 vs 91 nm; spline (6 frames, 221 emitters) 136
      // vs 60, 5.6 % vs 14 %, 64 vs 92 nm (one emitter added at a time, before: 278 and 123 found).
      // Twice as many found leaves room for the scatter of counts of 60–400.
      assert.ok(on.n > 2 * off.n, `${on.n} found (of ${on.truth}) with multi-emitter fitting, ${off.n} with single fits`);
      assert.ok(on.outliers / (on.n + on.outliers) < off.outliers / (off.n + off.outliers), `z outliers ${on.outliers} of ${on.n + on.outliers}, single fits ${off.outliers} of ${off.n + off.outliers}`);
      // Measured ratio 0.70 (both models); 0.85 leaves the RMSE's scatter over 140–400 matches.
      assert.ok(on.rmse < 0.85 * off.rmse, `z RMSE ${on.rmse} nm, single fits ${off.rmse} nm`);
    });
  }
});
