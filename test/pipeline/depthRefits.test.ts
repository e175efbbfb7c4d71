import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { DepthRefits } from '../../src/pipeline/DepthRefits.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import type { LocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticVolume } from '../fit/spline/astigmaticVolume.js';

/** The simulator's curves as calibrate-3d's file holds them (the Gaussian model's own PSF). */
const ASTIGMATISM = { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: 'midway between the foci', zRangeNm: [-600, 600] as const, pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };
/** The same PSF sampled and splined, as a measured PSF comes. */
const SPLINE = { psf: buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 25, -800, 20, 81), 25, 25, 81, 20), pixelSizeNm: 100, zOrigin: 'midway between the foci' };

const SIZE = 40;
const PIXEL_NM = 100;
const PHOTONS = 2000;
const BACKGROUND = 20;
const BASELINE = 100;

/** One frame: a pair `separationNm` apart about the frame's centre in a random direction, depths ≥ 300 nm apart in ±400 nm. */
function pairFrame(rng: Random, separationNm: number, image: Float64Array, axes: { x: GaussianAxis; y: GaussianAxis }): { x: number[]; y: number[]; z: number[]; adu: Uint16Array } {
  const angle = 2 * Math.PI * rng.uniform();
  const cx = (SIZE / 2 + rng.uniform() - 0.5) * PIXEL_NM;
  const cy = (SIZE / 2 + rng.uniform() - 0.5) * PIXEL_NM;
  const dx = (Math.cos(angle) * separationNm) / 2;
  const dy = (Math.sin(angle) * separationNm) / 2;
  let z1 = 0, z2 = 0;
  do {
    z1 = -400 + 800 * rng.uniform();
    z2 = -400 + 800 * rng.uniform();
  } while (Math.abs(z1 - z2) < 300);
  const t = { x: [cx - dx, cx + dx], y: [cy - dy, cy + dy], z: [z1, z2] };
  image.fill(BACKGROUND);
  const box = axes.x.box;
  for (let k = 0; k < 2; k++) {
    const xPx = t.x[k] / PIXEL_NM;
    const yPx = t.y[k] / PIXEL_NM;
    const c0 = Math.floor(xPx) - (box >> 1);
    const r0 = Math.floor(yPx) - (box >> 1);
    renderSpot(image, SIZE, c0, r0, axes.x, axes.y, xPx - c0, yPx - r0, PHOTONS, defocusSigma(DEFAULT_ASTIGMATISM.x, t.z[k]) / PIXEL_NM, defocusSigma(DEFAULT_ASTIGMATISM.y, t.z[k]) / PIXEL_NM);
  }
  const adu = new Uint16Array(SIZE * SIZE);
  for (let i = 0; i < adu.length; i++) adu[i] = BASELINE + rng.poisson(image[i]);
  return { ...t, adu };
}

/** Pairs localized frame by frame, with and without the 3-D refits: each true emitter matched to the nearest converged row within 150 nm. */
function pairs(calibration: LocalizeOptions, separationNm: number, frames: number, depthRefits: boolean): { found: number; truth: number; dz: number[] } {
  const options = resolveLocalizeOptions({ camera: { pixelSizeNm: PIXEL_NM, baselineAdu: BASELINE, photonsPerAdu: 1 }, ...calibration });
  const localizer = new FrameLocalizer(options, { depthRefits });
  const rng = new Random(27 + separationNm);
  const image = new Float64Array(SIZE * SIZE);
  const axes = { x: new GaussianAxis(21), y: new GaussianAxis(21) };
  const dz: number[] = [];
  let found = 0;
  for (let f = 0; f < frames; f++) {
    const t = pairFrame(rng, separationNm, image, axes);
    const b = localizer.process({ index: f, width: SIZE, height: SIZE, data: t.adu });
    for (let k = 0; k < 2; k++) {
      let best = -1;
      let bestD = 150;
      for (let i = 0; i < b.count; i++) {
        if (b.status[i] !== 0) continue;
        const d = Math.hypot(b.x[i] - t.x[k], b.y[i] - t.y[k]);
        if (d < bestD) [bestD, best] = [d, i];
      }
      if (best < 0) continue;
      found++;
      dz.push((b.z as Float64Array)[best] - t.z[k]);
    }
  }
  return { found, truth: 2 * frames, dz };
}

const rms = (v: number[]) => Math.sqrt(v.reduce((s, e) => s + e * e, 0) / v.length);

describe('3-D refits with the neighbours held (DepthRefits)', () => {
  for (const { name, calibration } of [
    { name: 'astigmatic Gaussian', calibration: { astigmatism: ASTIGMATISM } as LocalizeOptions },
    { name: 'spline', calibration: { spline: SPLINE } as LocalizeOptions },
  ]) {
    test(`${name}: pairs 400–700 nm apart at depths ≥ 300 nm apart: every emitter found, z closer to the truth with the refits`, () => {
      // The same seeded frames with and without the refits (a paired comparison): a pair alone in
      // its frame, each emitter's spot in its partner's box, neither fitted with the other's light
      // held until the refits.
      const on: number[] = [], off: number[] = [], farOn: number[] = [], farOff: number[] = [];
      let foundOn = 0, foundOff = 0, truth = 0;
      for (const separation of [400, 550, 700]) {
        const a = pairs(calibration, separation, 30, true);
        const b = pairs(calibration, separation, 30, false);
        on.push(...a.dz);
        off.push(...b.dz);
        if (separation > 400) {
          farOn.push(...a.dz);
          farOff.push(...b.dz);
        }
        foundOn += a.found;
        foundOff += b.found;
        truth += a.truth;
      }
      // Measured (30 frames a separation): all 180 found either way.
      assert.ok(foundOn >= foundOff && foundOn >= 0.95 * truth, `${foundOn} found with the refits, ${foundOff} without, of ${truth}`);
      // Measured z RMSE with / without, 550–700 nm: astigmatic 24.0 / 29.2 nm, spline 24.0 /
      // 38.5 nm; all three separations 25.9 / 29.3 and 25.3 / 35.1 nm (at 20 frames a
      // separation: 0.79 and 0.88 of 550–700 nm's, 0.87 and 0.94 of all). 0.95 and 1 leave
      // the scatter of 120–180 paired errors.
      assert.ok(rms(farOn) < 0.95 * rms(farOff), `z RMSE 550–700 nm ${rms(farOn).toFixed(1)} nm with the refits, ${rms(farOff).toFixed(1)} nm without`);
      assert.ok(rms(on) < rms(off), `z RMSE ${rms(on).toFixed(1)} nm with the refits, ${rms(off).toFixed(1)} nm without`);
    });
  }

  for (const { name, calibration } of [
    { name: 'astigmatic Gaussian', calibration: { astigmatism: ASTIGMATISM } as LocalizeOptions },
    { name: 'spline', calibration: { spline: SPLINE } as LocalizeOptions },
  ]) {
    test(`${name}: a refit skipped where the held light barely changed leaves the rows within their bound`, () => {
      // The same seeded pair frames with the skip (changeTolerance 0.5 √CRLB) and without (−1):
      // a skipped refit would have moved its row by at most ~0.5 √CRLB (first order), so every
      // row agrees within 0.5 × its uncertainty (x, y, z; uncertainty ≥ √CRLB). Measured: 3 / 2
      // refits skipped (astigmatic / spline), 80 rows each, the largest move 0.10 / 0.12.
      const options = resolveLocalizeOptions({ camera: { pixelSizeNm: PIXEL_NM, baselineAdu: BASELINE, photonsPerAdu: 1 }, ...calibration });
      const gated = new FrameLocalizer(options);
      const every = new FrameLocalizer(options);
      const refitsOf = (l: FrameLocalizer) => (l as unknown as { depthRefits: DepthRefits }).depthRefits;
      refitsOf(every).changeTolerance = -1;
      const rng = new Random(2627);
      const image = new Float64Array(SIZE * SIZE);
      const axes = { x: new GaussianAxis(21), y: new GaussianAxis(21) };
      let skipped = 0, skippedEvery = 0, rows = 0, worst = 0;
      for (let f = 0; f < 40; f++) {
        const t = pairFrame(rng, 450 + 5 * f, image, axes);
        const a = gated.process({ index: f, width: SIZE, height: SIZE, data: t.adu });
        skipped += refitsOf(gated).skipped;
        const ax = Array.from(a.x), ay = Array.from(a.y), az = Array.from(a.z as Float64Array), status = Array.from(a.status);
        const ux = Array.from(a.uncertaintyX), uy = Array.from(a.uncertaintyY), uz = Array.from(a.uncertaintyZ as Float64Array);
        const b = every.process({ index: f, width: SIZE, height: SIZE, data: t.adu });
        skippedEvery += refitsOf(every).skipped;
        assert.equal(b.count, ax.length, `frame ${f}: ${ax.length} rows with the skip, ${b.count} without`);
        for (let i = 0; i < b.count; i++) {
          assert.equal(b.status[i], status[i], `frame ${f} row ${i}: status`);
          if (status[i] !== 0) continue;
          rows++;
          worst = Math.max(worst, Math.abs(b.x[i] - ax[i]) / ux[i], Math.abs(b.y[i] - ay[i]) / uy[i], Math.abs((b.z as Float64Array)[i] - az[i]) / uz[i]);
        }
      }
      assert.equal(skippedEvery, 0, 'changeTolerance −1 refits every row');
      assert.ok(skipped > 0, 'no refit skipped: the test does not reach the skip');
      assert.ok(rows >= 60, `${rows} converged rows compared`);
      assert.ok(worst <= 0.5, `a row moved by ${worst.toFixed(2)} of its uncertainty between the skip and none`);
    });
  }
});
