/**
 * A spline run's default fitting window is the spline's own lateral size (odd, at most the
 * kernel's largest box, at least the σ rule 2⌈1.5·σ_max⌉ + 1), and a window that size is what
 * resolveLocalizeOptions gives when no box is given.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { splineWidestSigmaPx } from '../../src/astig/SplineCalibration.js';
import { splineDefaultBox } from '../../src/astig/splineDefaultBox.js';
import { readCalibrationFile } from '../../src/export/readCalibrationFile.js';
import { writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { MAX_BOX_PX } from '../../src/fit/fitConstants.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';

/** A Gaussian spot of σ px sampled on n×n px about the centre, 5 planes: a spline of n samples. */
function gaussianSpline(n: number, sigmaPx: number) {
  const planes = 5;
  const volume = new Float64Array(n * n * planes);
  const c = (n - 1) / 2;
  for (let z = 0; z < planes; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) volume[(z * n + y) * n + x] = Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigmaPx * sigmaPx));
  return buildSpline(volume, n, n, planes, 50);
}

describe('splineDefaultBox', () => {
  test('the spline of 15 samples (calibrate-psf): a 15 px window, not the 13 px of the σ rule', () => {
    const psf = gaussianSpline(15, 1.3);
    assert.equal(splineDefaultBox(psf), 15);
    assert.equal(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, spline: { psf, pixelSizeNm: 100, zOrigin: 'test' } }).fit.box, 15);
  });

  test('an odd size under the cap is kept; an even one is rounded down to odd; a larger one is capped', () => {
    assert.equal(splineDefaultBox(gaussianSpline(11, 1.0)), 11);
    assert.equal(splineDefaultBox(gaussianSpline(12, 1.0)), 11);
    assert.equal(splineDefaultBox(gaussianSpline(25, 1.3)), MAX_BOX_PX);
  });

  test('a small spline of a wide PSF gets at least the σ rule', () => {
    // 5×5 samples, light only on the outer ring (a defocused ring): its spread about the centre
    // is ≥ 1.6 px, so the σ rule asks for 2⌈1.5·1.6⌉ + 1 = 7 px or more, wider than the spline.
    const n = 5;
    const volume = new Float64Array(n * n * 5);
    for (let z = 0; z < 5; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) volume[(z * n + y) * n + x] = x === 0 || y === 0 || x === n - 1 || y === n - 1 ? 1 : 0;
    const psf = buildSpline(volume, n, n, 5, 50);
    assert.equal(splineDefaultBox(psf), 2 * Math.ceil(1.5 * splineWidestSigmaPx(psf)) + 1);
    assert.ok(splineDefaultBox(psf) > n);
  });
  test("a spline padded beyond its measured box (calibrate-psf's) keeps the measured box's window", async () => {
    // An 11 px Gaussian PSF (σ 1.0 px) on a small positive floor, padded to 31 px by repeating
    // its border samples, written with its measured box as calibrate-psf writes it: the default
    // window is 11 px, as for the unpadded spline, not the padded side (capped at 15) nor a σ
    // rule widened by the repeated floor.
    const P = 11;
    const S = 31;
    const planes = 5;
    const m = (S - P) / 2;
    const clamp = (i: number) => Math.min(P - 1, Math.max(0, i - m));
    const sample = (x: number, y: number) => 0.002 + Math.exp(-((x - 5) ** 2 + (y - 5) ** 2) / 2);
    const volume = new Float64Array(S * S * planes);
    for (let z = 0; z < planes; z++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) volume[(z * S + y) * S + x] = sample(clamp(x), clamp(y));
    const padded = buildSpline(volume, S, S, planes, -50);
    assert.equal(splineDefaultBox(padded), MAX_BOX_PX, 'without the measured box the padded side counts');
    const dir = mkdtempSync(join(tmpdir(), 'smlm-spline-box-'));
    try {
      const path = join(dir, 'psf.h5');
      await writeSplineCalibration(path, padded, { pixelSizeNm: 100, boxPx: P, record: { zOrigin: 'test' } });
      const { spline } = await readCalibrationFile(path);
      assert.equal(spline?.measuredBoxPx, P);
      assert.equal(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, spline }).fit.box, P);
      assert.equal(splineDefaultBox(padded, P), splineDefaultBox(gaussianSpline(P, 1.0)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
