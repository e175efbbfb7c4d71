import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readCalibration } from '../../src/astig/AstigmaticCalibration.js';
import { calibrateAstigmatism } from '../../src/astig/calibrateAstigmatism.js';
import { defocusSigma } from '../../src/astig/DefocusCurve.js';
import type { DefocusCurve } from '../../src/astig/DefocusCurve.js';
import { plotCalibration } from '../../src/astig/plotCalibration.js';
import { DEFAULT_ASTIGMATISM, simulateBeadStack } from '../../src/simulate/simulateBeadStack.js';
import type { BeadStackOptions } from '../../src/simulate/simulateBeadStack.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-calib-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 41 frames from −800 to +800 nm, 9 beads of 20 000 photons on 50/px (the simulator's defaults). */
async function calibrate(options: BeadStackOptions = {}) {
  const s = simulateBeadStack({ frames: 41, zStartNm: -800, zStepNm: 40, ...options });
  const photons = s.frames.map((f) => f.map((v) => v - 100));
  return { ...(await calibrateAstigmatism(() => photons, s.width, s.height, { zStartNm: -800, zStepNm: 40, pixelSizeNm: 100 })), truth: s.beads };
}

/** Largest difference between a fitted and the true curve over z = −600…600 nm (the true foci are ±200 nm, so z = 0 is where it was). */
function worst(fitted: DefocusCurve, truth: DefocusCurve): number {
  let m = 0;
  for (let z = -600; z <= 600; z += 10) m = Math.max(m, Math.abs(defocusSigma(fitted, z) - defocusSigma(truth, z)));
  return m;
}

describe('astigmatic calibration from a bead z-stack', () => {
  test('9 beads: the curves within 2.5 nm of the truth over ±600 nm, z = 0 midway between the foci, a plot', async () => {
    // Each width is measured to ~2.5 nm (the fits' RMS); 369 widths per axis pin the curves:
    // over seeds 3, 4 and 11–14, with and without a bad bead, the worst deviation was 1.2 nm.
    const r = await calibrate({ seed: 3 });
    const c = r.calibration;
    assert.equal(c.beads.length, 9);
    assert.ok(c.beads.every((b) => b.kept), JSON.stringify(c.beads));
    assert.ok(worst(c.x, DEFAULT_ASTIGMATISM.x) < 2.5, `x: ${worst(c.x, DEFAULT_ASTIGMATISM.x)} nm`);
    assert.ok(worst(c.y, DEFAULT_ASTIGMATISM.y) < 2.5, `y: ${worst(c.y, DEFAULT_ASTIGMATISM.y)} nm`);
    assert.ok(Math.abs(c.x.centerNm + c.y.centerNm) < 1e-9, 'foci symmetric about z = 0');
    assert.ok(c.residualsNm.x < 5 && c.residualsNm.y < 5, JSON.stringify(c.residualsNm));
    assert.ok(c.zRangeNm[0] <= -600 && c.zRangeNm[1] >= 600, JSON.stringify(c.zRangeNm));
    const png = await plotCalibration(r);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  });

  for (const [kind, bad] of [['a bead 250 nm above the others', { zOffsetNm: 250 }], ['a stuck bead that does not defocus', { fixedSigmaNm: 180 }]] as const) {
    test(`${kind} is left out, and the curves stay right`, async () => {
      const r = await calibrate({ seed: 4, bad: { 4: bad } });
      const c = r.calibration;
      // The bad bead found again by its position (beads are listed in the order found).
      const bad4 = c.beads.findIndex((b) => Math.hypot(b.xNm - r.truth[4].xNm, b.yNm - r.truth[4].yNm) < 50);
      assert.ok(bad4 >= 0);
      assert.deepEqual(c.beads.map((b, i) => b.kept || i === bad4), c.beads.map(() => true), 'the good beads are kept');
      assert.equal(c.beads[bad4].kept, false);
      assert.match(c.beads[bad4].reason ?? '', /disagrees with the others/);
      assert.ok(worst(c.x, DEFAULT_ASTIGMATISM.x) < 2.5 && worst(c.y, DEFAULT_ASTIGMATISM.y) < 2.5);
    });
  }

  test('a stack taken top-down (negative z step) and fainter beads calibrate as well', async () => {
    const s = simulateBeadStack({ frames: 41, zStartNm: 800, zStepNm: -40, photons: 8000, seed: 5 });
    const photons = s.frames.map((f) => f.map((v) => v - 100));
    const c = (await calibrateAstigmatism(() => photons, s.width, s.height, { zStartNm: 800, zStepNm: -40, pixelSizeNm: 100 })).calibration;
    assert.ok(c.beads.every((b) => b.kept));
    assert.ok(worst(c.x, DEFAULT_ASTIGMATISM.x) < 2.5 && worst(c.y, DEFAULT_ASTIGMATISM.y) < 2.5);
    assert.ok(c.zRangeNm[0] < -600 && c.zRangeNm[1] > 600, JSON.stringify(c.zRangeNm));
  });

  test('the CLI writes a calibration that reads back; a stack without beads is one clear line', () => {
    const stack = join(dir, 'beads.tif');
    const made = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--beads', '--frames', '41', '--z-step', '40', '--bad-bead', '5:stuck'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const calib = join(dir, 'calib.json');
    const r = spawnSync(process.execPath, [...CLI, 'calibrate-3d', stack, '--z-start', '-800', '--z-step', '40', '-o', calib, '--plot', join(dir, 'calib.png')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /8 of 9 kept/);
    assert.match(r.stdout, /bead \d+ .*left out: disagrees/);
    const c = readCalibration(calib);
    assert.ok(worst(c.x, DEFAULT_ASTIGMATISM.x) < 2.5);
    assert.ok(readFileSync(join(dir, 'calib.png')).length > 1000);
    const blank = join(dir, 'blank.tif');
    spawnSync(process.execPath, [...CLI, 'simulate', blank, '--beads', '--frames', '5', '--photons', '0'], { encoding: 'utf8' });
    const none = spawnSync(process.execPath, [...CLI, 'calibrate-3d', blank, '--z-start', '0', '--z-step', '50'], { encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no beads found/);
    const missing = spawnSync(process.execPath, [...CLI, 'calibrate-3d', stack], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--z-start/);
  });
});
