import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { matchPoints } from '../../src/evaluate/matchPoints.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-ringed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Another optical model than the default pupil: NA 1.4 oil into water (sample index 1.33), 600 nm,
 * 100 nm astigmatism, 40 nm spherical aberration (test/bench/splineVsGaussian.ts --optics na14):
 * below −350 nm its PSF is a ring with two bright lobes 4–7 px apart along y.
 */
const OPTICS_FLAGS = ['--na', '1.4', '--sample-index', '1.33', '--wavelength', '600', '--zernike-astigmatism', '100', '--zernike-spherical', '40'];
const OPTICS = { numericalAperture: 1.4, sampleIndex: 1.33, wavelengthNm: 600, astigmatismNm: 100, sphericalNm: 40 };

/** A CSV of numbers by column name (unquoted, with units). */
function table(path: string): { rows: number[][]; col: (name: string) => number } {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',').map((c) => c.replace(/"/g, ''));
  return { rows: lines.map((l) => l.split(',').map(Number)), col: (name) => names.indexOf(name) };
}

test('localize --calibration on a ringed pupil PSF (NA 1.4 into water): each ring one localization at its depth, not one per lobe', async () => {
  // The true PSF's spline (25 px, 20 nm planes over ±800 nm; calibrate-psf's from beads behaves
  // alike: test/bench/splineVsGaussian.ts --optics na14, which calibrates as a user would).
  const psf = new PupilPsf(100, OPTICS);
  const size = 25, planes = 81;
  const volume = new Float64Array(size * size * planes);
  for (let k = 0; k < planes; k++) psf.add(volume.subarray(k * size * size, (k + 1) * size * size), size, size, size / 2, size / 2, 1, -800 + k * 20);
  const calibration = join(dir, 'psf.h5');
  await writeSplineCalibration(calibration, buildSpline(volume, size, size, planes, 20), { pixelSizeNm: 100, beads: 0, record: {} });
  const stack = join(dir, 'spots.tif');
  const made = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--psf', 'pupil', ...OPTICS_FLAGS, '--astigmatism', '600', '--width', '64', '--height', '64', '--frames', '40', '--density', '0.1', '--min-separation', '1500', '--seed', '8', '--quiet'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const out = join(dir, 'locs.csv');
  const run = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', out, '--calibration', calibration, '--workers', '1', '--quiet'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const truth = table(join(dir, 'spots.truth.csv'));
  const found = table(out);
  const [tf, tx, ty, tz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map(truth.col);
  const [ff, fx, fy, fz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map(found.col);
  let matched = 0, ringed = 0, ringedGood = 0;
  for (const frame of new Set(truth.rows.map((r) => r[tf]))) {
    const t = truth.rows.filter((r) => r[tf] === frame);
    const l = found.rows.filter((r) => r[ff] === frame);
    const m = matchPoints(t.map((r) => r[tx]), t.map((r) => r[ty]), l.map((r) => r[fx]), l.map((r) => r[fy]), 250);
    matched += m.truth.length;
    const good = new Set(m.truth.filter((i, k) => Math.abs(l[m.found[k]][fz] - t[i][tz]) <= 250));
    t.forEach((r, i) => {
      // The ringed depths, away from the range's last 40 nm (there the ring is too dim to detect at all).
      if (r[tz] < -400 && r[tz] > -560) {
        ringed++;
        if (good.has(i)) ringedGood++;
      }
    });
  }
  const falsePositives = found.rows.length - matched;
  // Before the lobe starts (and 3-D duplicates within 3 combined SDs), each ring gave one
  // localization per lobe (an in-focus spot of a quarter of the photons): on the benchmark 677
  // false positives for 2 773 emitters (24 %) and 199 of ~445 of −600…−400 nm found; after, 38 (1.4 %).
  assert.ok(ringed >= 15, `${ringed} emitters at −560…−400 nm: too few to test`);
  assert.ok(ringedGood >= 0.9 * ringed, `${ringedGood} of ${ringed} ringed emitters found within 250 nm in z`);
  assert.ok(falsePositives <= 0.04 * truth.rows.length, `${falsePositives} false positives for ${truth.rows.length} emitters`);
});
