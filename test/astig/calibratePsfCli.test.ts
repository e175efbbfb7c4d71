import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BEAD_CAMERA_ESTIMATE, readBeadStack } from '../../src/cli/readBeadStack.js';
import { readSplineCalibration } from '../../src/export/readSplineCalibration.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { writeBeadStack } from '../../src/simulate/writeBeadStack.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-calpsf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('calibrate-psf writes a spline file, its record and a plot; refusals name the file', async () => {
  // Two stacks of the same beads' field (different seeds): 18 beads, 41 frames of 40 nm.
  const a = join(dir, 'a.tif');
  const b = join(dir, 'b.tif');
  writeBeadStack(a, join(dir, 'a.truth.csv'), { frames: 41, zStepNm: 40, seed: 1 });
  writeBeadStack(b, join(dir, 'b.truth.csv'), { frames: 41, zStepNm: 40, seed: 2, photons: 200000 });
  const out = join(dir, 'psf.h5');
  const png = join(dir, 'psf.png');
  const r = spawnSync(process.execPath, [...CLI, 'calibrate-psf', a, b, '--z-start', '-800', '--z-step', '40', '-o', out, '--plot', png, '--saturation', '3000'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // The second stack's beads (200 000 photons a frame) pass 3000 ADU at focus: left out as saturated.
  assert.match(r.stdout, /beads +9 of 18 kept; left out: 9 saturated/);
  // --z-start given: the stack says where the sample's zero is, and z = 0 is there.
  assert.match(r.stdout, /z = 0 +the stage's z = 0 \(--z-start, --z-step\); the averaged PSF's highest peak is at z = -?\d+\.\d nm/);
  assert.match(r.stdout, /z error +\d+\.\d nm RMS, leave-one-bead-out/);
  // The z error at a spot's brightness (the left-out beads thinned): κ ≥ 1, e ≥ 0, in the record and the file.
  assert.match(r.stdout, /at a spot +the beads thinned to 2000 photons: fits spread \d\.\d\d–\d\.\d\d × their CRLB, model error \d+\.\d–\d+\.\d nm by depth/);
  const file = await readSplineCalibration(out);
  assert.equal(file.format, 'picasso');
  assert.equal(file.pixelSizeNm, 100);
  assert.equal(file.spline.dzNm, -40);
  const record = JSON.parse(readFileSync(join(dir, 'psf.json'), 'utf8')) as { step: string; inputs: string[]; results: { beads: { kept: number; leftOut: Record<string, number> }; perBead: { kept: boolean; reason?: string }[]; leaveOneOut: { zErrorRmsNm: number } } };
  assert.equal(record.step, 'calibrate-psf');
  assert.deepEqual(record.inputs, [a, b]);
  assert.equal(record.results.beads.kept, 9);
  assert.equal(record.results.beads.leftOut.saturated, 9);
  assert.equal(record.results.perBead.length, 18);
  assert.ok(record.results.leaveOneOut.zErrorRmsNm > 0 && record.results.leaveOneOut.zErrorRmsNm < 12);
  const byDepth = (record.results.leaveOneOut as { zErrorByDepth?: { zNm: number[]; crlbScale?: number[]; modelErrorNm?: number[] } }).zErrorByDepth;
  assert.ok(byDepth?.crlbScale?.length === byDepth?.zNm.length && byDepth?.crlbScale?.every((k) => k >= 1), 'crlbScale by depth, ≥ 1');
  assert.ok(byDepth?.modelErrorNm?.length === byDepth?.zNm.length, 'modelErrorNm by depth');
  assert.ok(existsSync(png) && readFileSync(png).subarray(1, 4).toString() === 'PNG');
  // No camera flags: the camera is estimated from each stack (truth: offset 100 ADU, 1 e⁻/ADU;
  // 10 frames give the offset to ± 3 ADU and the gain to ± 5 %: limits at about 2 standard deviations).
  assert.match(r.stdout, /camera +estimated from \S*a\.tif: offset \d+\.\d ± \d+\.\d ADU/);
  const cameras = (JSON.parse(readFileSync(join(dir, 'psf.json'), 'utf8')) as { results: { camera: { input: string; source: string; baselineAdu: number; photonsPerAdu: number }[] } }).results.camera;
  assert.deepEqual(cameras.map((c) => c.source), ['estimated', 'estimated']);
  for (const c of cameras) {
    assert.ok(Math.abs(c.baselineAdu - 100) < 6, `${c.input}: offset ${c.baselineAdu} ADU for 100`);
    assert.ok(Math.abs(c.photonsPerAdu - 1) < 0.1, `${c.input}: ${c.photonsPerAdu} e⁻/ADU for 1`);
  }
  // Given flags are used as given.
  const given = spawnSync(process.execPath, [...CLI, 'calibrate-psf', a, '--z-step', '40', '--baseline', '100', '--photons-per-adu', '1', '-o', join(dir, 'given.h5')], { encoding: 'utf8' });
  assert.equal(given.status, 0, given.stderr);
  assert.match(given.stdout, /camera +given: offset 100 ADU, 1 e⁻\/ADU/);
  // No --z-start (frame 1 at z = 0): z = 0 is the focus, the plane of the PSF's highest peak.
  assert.match(given.stdout, /z = 0 +the focus: the plane of the averaged PSF's highest peak, at the stacks' z = \d+\.\d nm/);
  const givenFile = await readSplineCalibration(join(dir, 'given.h5'));
  const [zLo, zHi] = [givenFile.spline.zStartNm, givenFile.spline.zStartNm + givenFile.spline.dzNm * givenFile.spline.voxelsZ].sort((p, q) => p - q);
  assert.ok(zLo < 0 && zHi > 0, `z = 0 inside the PSF's range ${zLo}…${zHi} nm`);

  // Refusals: no z step; every bead saturated; no beads.
  const noStep = spawnSync(process.execPath, [...CLI, 'calibrate-psf', a], { encoding: 'utf8' });
  assert.equal(noStep.status, 2);
  assert.match(noStep.stderr, new RegExp(`${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the z step between its frames is not known: pass --z-step NM`));
  const saturatedAll = spawnSync(process.execPath, [...CLI, 'calibrate-psf', b, '--z-step', '40', '--saturation', '3000', '-o', join(dir, 'sat.h5')], { encoding: 'utf8' });
  assert.equal(saturatedAll.status, 2);
  assert.match(saturatedAll.stderr, /b\.tif: all 9 beads are saturated/);
  // Beads clipped at the camera's own limit (65 535 ADU) with the camera estimated: the windows
  // hold 32-bit photons, and the level must still be seen (it once rounded below its own value).
  const clipped = join(dir, 'clipped.tif');
  writeBeadStack(clipped, join(dir, 'clipped.truth.csv'), { frames: 21, zStepNm: 40, seed: 4, photons: 3e6 });
  const clippedRun = spawnSync(process.execPath, [...CLI, 'calibrate-psf', clipped, '--z-step', '40', '-o', join(dir, 'clipped.h5')], { encoding: 'utf8' });
  assert.equal(clippedRun.status, 2, clippedRun.stdout);
  assert.match(clippedRun.stderr, /clipped\.tif: all 9 beads are saturated/);
  assert.ok(!existsSync(join(dir, 'sat.h5')));
  const blank = join(dir, 'blank.tif');
  writeBeadStack(blank, join(dir, 'blank.truth.csv'), { frames: 12, photons: 0 });
  const none = spawnSync(process.execPath, [...CLI, 'calibrate-psf', blank, '--z-step', '50', '-o', join(dir, 'none.h5')], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /blank\.tif: no beads found/);
  assert.ok(!existsSync(join(dir, 'none.h5')));
  // Stacks of two pixel sizes are not averaged: the refusal names both files.
  const c = join(dir, 'c.tif');
  writeBeadStack(c, join(dir, 'c.truth.csv'), { frames: 12, zStepNm: 40, seed: 3, pixelSizeNm: 110 });
  const mixed = spawnSync(process.execPath, [...CLI, 'calibrate-psf', a, c, '--z-step', '40', '-o', join(dir, 'mixed.h5')], { encoding: 'utf8' });
  assert.equal(mixed.status, 2, mixed.stderr);
  assert.match(mixed.stderr, /c\.tif has 110 nm pixels, .*a\.tif 100 nm/);
  assert.ok(!existsSync(join(dir, 'mixed.h5')));
});

test('calibrate-psf: beads too close for the default box are read with a smaller one, and it says so', () => {
  // 3×3 beads of 160 nm pixels in a 70 px field (11 µm): 23 px apart, 12 px from the edge, where
  // the 21 px box's 27 px windows hold one (the centre's, its neighbours too near the edge to
  // count); the 15 px box's 21 px windows hold all 9.
  const dense = join(dir, 'dense.tif');
  writeBeadStack(dense, join(dir, 'dense.truth.csv'), { width: 70, height: 70, pixelSizeNm: 160, frames: 13, zStepNm: 120, seed: 5 });
  const r = spawnSync(process.execPath, [...CLI, 'calibrate-psf', dense, '--z-start', '-720', '--z-step', '120', '--baseline', '100', '--photons-per-adu', '1', '-o', join(dir, 'dense.h5')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /dense\.tif: 1 beads lie apart and inside the frame in windows of the 21 px box \(27 px\); the 15 px box's hold 9/);
  assert.match(r.stdout, /beads +9 of 9 kept/);
  assert.match(r.stdout, /PSF +15×15 px/);
  const psf = (JSON.parse(readFileSync(join(dir, 'dense.json'), 'utf8')) as { results: { psf: { boxPx: number; boxNote?: string } } }).results.psf;
  assert.equal(psf.boxPx, 15);
  assert.match(psf.boxNote ?? '', /the 15 px box's hold 9/, 'the run record says why the box is smaller');
  // Asked for, the box is kept.
  const asked = spawnSync(process.execPath, [...CLI, 'calibrate-psf', dense, '--z-step', '120', '--box', '21', '-o', join(dir, 'dense21.h5')], { encoding: 'utf8' });
  assert.equal(asked.status, 0, asked.stderr);
  assert.match(asked.stdout, /beads +1 of 1 kept/);
  assert.doesNotMatch(asked.stderr, /beads lie apart/);
});

test('the bead stack\'s camera: where ten frames leave the gain too uncertain, more frames estimate it', async () => {
  // 33 frames of 160 nm pupil beads (200 ADU, 2 e⁻/ADU, 4 ADU read noise): ten frames gave
  // 2.08 ± 0.33 e⁻/ADU (16 %, over the 15 % limit) and the defaults (100 ADU, 1 e⁻/ADU) were used;
  // all 33 give 2.06 ± 0.13.
  const path = join(dir, 'em.tif');
  writeBeadStack(path, join(dir, 'em.truth.csv'), { pixelSizeNm: 160, frames: 33, zStartNm: -800, zStepNm: 50, baselineAdu: 200, photonsPerAdu: 2, readNoiseAdu: 4, seed: 21, pupil: { numericalAperture: 1.45, wavelengthNm: 600, astigmatismNm: 110, comaNm: -40, sphericalNm: -30 } });
  const stack = TiffStack.open(path);
  const bead = await readBeadStack(path, stack, () => undefined, { estimateCamera: true });
  stack.close();
  assert.equal(bead.cameraSource, 'estimated', bead.warning);
  assert.ok(bead.estimate && bead.estimate.photonsPerAduSd / bead.estimate.photonsPerAdu <= BEAD_CAMERA_ESTIMATE.maxGainRelativeSd);
  // Within 2 of its standard errors of the truth (and far from the 1 e⁻/ADU default).
  assert.ok(Math.abs(bead.camera.photonsPerAdu - 2) <= 2 * (bead.estimate?.photonsPerAduSd ?? 0), `gain ${bead.camera.photonsPerAdu}`);
  assert.ok(Math.abs(bead.camera.baselineAdu - 200) < 20, `offset ${bead.camera.baselineAdu} ADU`);
});

