import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import type { AstigmaticCalibration } from '../../src/astig/AstigmaticCalibration.js';
import { calibrateAstigmatism, MAX_Z_ERROR_OVER_NOISE } from '../../src/astig/calibrateAstigmatism.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import type { DefocusCurve } from '../../src/fit/models/DefocusCurve.js';
import { plotCalibration } from '../../src/astig/plotCalibration.js';
import { readBeadWindows } from '../../src/astig/readBeadWindows.js';
import { readCalibration } from '../../src/export/readCalibration.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { DEFAULT_ASTIGMATISM, simulateBeadStack } from '../../src/simulate/simulateBeadStack.js';
import type { BeadStackOptions } from '../../src/simulate/simulateBeadStack.js';
import { writeBeadStack } from '../../src/simulate/writeBeadStack.js';
import { writeTiff } from '../../src/io/TiffWriter.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-calib-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 41 frames from −800 to +800 nm, 9 beads of 20 000 photons on 50/px (the simulator's defaults). */
function calibrate(options: BeadStackOptions = {}) {
  const s = simulateBeadStack({ frames: 41, zStartNm: -800, zStepNm: 40, ...options });
  const photons = s.frames.map((f) => f.map((v) => v - 100));
  return { ...calibrateAstigmatism(photons, s.width, s.height, { zStartNm: -800, zStepNm: 40, pixelSizeNm: 100 }), truth: s.beads };
}

/** Beads without astigmatism: both axes defocus as the simulator's x axis does (one focus, at −200 nm). */
const NO_ASTIGMATISM = { x: DEFAULT_ASTIGMATISM.x, y: DEFAULT_ASTIGMATISM.x };

/** A PSF that is not the astigmatic Gaussian: above z = 0 a defocus ring takes up to 20 % of the photons (at +400 nm and beyond). */
const RING = { fraction: 0.2, fromNm: 0, fullNm: 400 };

/**
 * The true z error of a calibration: fresh beads (another seed: other sub-pixel positions and
 * noise) localized by the 3-D pipeline (FrameLocalizer, as `localize --calibration` runs),
 * each bead matched to its fit, over the calibration's usable range: RMS of z − the true z, and
 * RMS of the uncertainty_z reported.
 */
function trueDepthError(c: AstigmaticCalibration, options: BeadStackOptions, multiEmitter = true): { rmsNm: number; uncertaintyNm: number; fits: number } {
  const s = simulateBeadStack({ frames: 41, zStartNm: -800, zStepNm: 40, ...options });
  const shift = -800 - c.zStartNm;
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, astigmatism: c, multiEmitter: { enabled: multiEmitter } }));
  let squares = 0;
  let uncertainties = 0;
  let fits = 0;
  s.frames.forEach((frame, k) => {
    const batch = localizer.process({ index: k, width: s.width, height: s.height, data: Uint16Array.from(frame) });
    const z = s.zNm[k] - shift;
    if (z < c.zRangeNm[0] || z > c.zRangeNm[1]) return;
    for (const bead of s.beads) {
      let best = -1;
      let nearest = 100;
      for (let i = 0; i < batch.count; i++) {
        const d = Math.hypot(batch.x[i] - bead.xNm, batch.y[i] - bead.yNm);
        if ((batch.status[i] === 0 || batch.status[i] === 6) && d < nearest) [nearest, best] = [d, i];
      }
      if (best < 0) continue;
      squares += ((batch.z as Float64Array)[best] - z) ** 2;
      uncertainties += (batch.uncertaintyZ as Float64Array)[best] ** 2;
      fits++;
    }
  });
  return { rmsNm: Math.sqrt(squares / fits), uncertaintyNm: Math.sqrt(uncertainties / fits), fits };
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
    const r = calibrate({ seed: 3 });
    const c = r.calibration;
    assert.equal(c.beads.length, 9);
    assert.ok(c.beads.every((b) => b.kept), JSON.stringify(c.beads));
    assert.ok(worst(c.x, DEFAULT_ASTIGMATISM.x) < 2.5, `x: ${worst(c.x, DEFAULT_ASTIGMATISM.x)} nm`);
    assert.ok(worst(c.y, DEFAULT_ASTIGMATISM.y) < 2.5, `y: ${worst(c.y, DEFAULT_ASTIGMATISM.y)} nm`);
    assert.ok(Math.abs(c.x.centerNm + c.y.centerNm) < 1e-9, 'foci symmetric about z = 0');
    assert.ok(c.residualsNm.x < 5 && c.residualsNm.y < 5, JSON.stringify(c.residualsNm));
    assert.ok(c.zRangeNm[0] <= -600 && c.zRangeNm[1] >= 600, JSON.stringify(c.zRangeNm));
    // Beads of the fit's own model: their z error is their photon noise, no warning.
    assert.equal(c.zError?.method, 'leave one bead out');
    assert.ok(c.zError && c.zError.rmsNm <= MAX_Z_ERROR_OVER_NOISE * c.zError.noiseRmsNm, JSON.stringify(c.zError));
    assert.deepEqual(c.warnings, []);
    const png = await plotCalibration(r);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  });

  for (const [kind, bad] of [['a bead 250 nm above the others', { zOffsetNm: 250 }], ['a stuck bead that does not defocus', { fixedSigmaNm: 180 }]] as const) {
    test(`${kind} is left out, and the curves stay right`, () => {
      const r = calibrate({ seed: 4, bad: { 4: bad } });
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

  test('a stack taken top-down (negative z step) and fainter beads calibrate as well', () => {
    const s = simulateBeadStack({ frames: 41, zStartNm: 800, zStepNm: -40, photons: 8000, seed: 5 });
    const photons = s.frames.map((f) => f.map((v) => v - 100));
    const c = calibrateAstigmatism(photons, s.width, s.height, { zStartNm: 800, zStepNm: -40, pixelSizeNm: 100 }).calibration;
    assert.ok(c.beads.every((b) => b.kept));
    assert.ok(worst(c.x, DEFAULT_ASTIGMATISM.x) < 2.5 && worst(c.y, DEFAULT_ASTIGMATISM.y) < 2.5);
    assert.ok(c.zRangeNm[0] < -600 && c.zRangeNm[1] > 600, JSON.stringify(c.zRangeNm));
  });

  test('beads without astigmatism, or too little of it, are refused; 200 nm between the foci is enough', () => {
    // No astigmatism: the foci come out 1–3 nm apart and the widths cannot tell z from −z; the
    // precision midway (the beads' width scatter over the curves' slopes there) is ~10³ nm.
    assert.throws(() => calibrate({ seed: 3, curves: NO_ASTIGMATISM }), (error: Error) => {
      const m = /^the x and y foci are (\d+) nm apart, closer than the z precision can separate \((\d+) nm\): the beads show no astigmatism — is the cylindrical lens in\?$/.exec(error.message);
      assert.ok(m, error.message);
      assert.ok(Number(m[1]) < 10 && Number(m[2]) > 500, error.message);
      return true;
    });
    // Foci 40 nm apart: the precision midway, ~95 nm, cannot separate them either.
    const weak = (c: number) => ({ x: { ...DEFAULT_ASTIGMATISM.x, centerNm: -c }, y: { ...DEFAULT_ASTIGMATISM.y, centerNm: c } });
    assert.throws(() => calibrate({ seed: 3, curves: weak(20) }), /the x and y foci are \d+ nm apart, closer than the z precision/);
    // 200 nm apart: precision ~20 nm midway; the calibration is made and records both numbers.
    const c = (calibrate({ seed: 3, curves: weak(100) })).calibration;
    assert.ok(Math.abs((c.fociSeparationNm ?? 0) - 200) < 10, String(c.fociSeparationNm));
    assert.ok((c.midpointZPrecisionNm ?? Infinity) < 50, String(c.midpointZPrecisionNm));
  });

  test('a calibration file whose foci are closer than its z precision (no astigmatism) is refused when read', () => {
    const file = join(dir, 'one-focus.json');
    const curve = DEFAULT_ASTIGMATISM.x;
    const calibration = { format: CALIBRATION_FORMAT, x: { ...curve, centerNm: -1 }, y: { ...curve, centerNm: 1 }, zOrigin: 'midway between the x and y foci', zRangeNm: [-3, 2], pixelSizeNm: 100, residualsNm: { x: 2, y: 2 }, fociSeparationNm: 2, midpointZPrecisionNm: 2956, beads: [], zStartNm: -800, zStepNm: 40 };
    writeFileSync(file, JSON.stringify(calibration));
    assert.throws(() => readCalibration(file), { name: 'InputFileError', message: `${file}: its x and y foci are 2 nm apart, closer than the z precision can separate (2956 nm): a calibration of beads without astigmatism` });
    // The same curves 400 nm apart read.
    writeFileSync(file, JSON.stringify({ ...calibration, x: { ...curve, centerNm: -200 }, y: { ...curve, centerNm: 200 }, zRangeNm: [-600, 600], midpointZPrecisionNm: 10 }));
    assert.equal(readCalibration(file).midpointZPrecisionNm, 10);
  });

  for (const [psf, ring] of [['Gaussian beads (the fit\'s model)', undefined], ['beads with a defocus ring (not the model)', RING]] as const) {
    test(`${psf}: the calibration's z error is the true one, and localize's uncertainty_z covers it`, () => {
      const r = calibrate({ seed: 3, ring });
      const c = r.calibration;
      const e = c.zError;
      assert.ok(e && e.frames > 300 && e.failedFits === 0, JSON.stringify(e));
      // At the beads' photons (20 000, b = 50): fresh beads localized through the calibration by
      // single fits, as the leave-one-bead-out estimate fits them (multi-emitter fitting, on by
      // default in 3-D, splits 55 of the 205 ring beads it tries at this brightness: the curves'
      // misfit of a PSF they do not follow is a second emitter to the likelihood-ratio test;
      // docs/guides/3d.md says so). The estimate from 9 beads × 39 frames has a noise of ~4 %
      // (1/√(2·351)); measured 0.90–1.01 × the truth over seeds 3–6, both PSFs: within 1.25×.
      const bright = trueDepthError(c, { seed: 103, ring }, false);
      assert.ok(bright.fits > 300, `${bright.fits} fits`);
      const ratio = e.rmsNm / bright.rmsNm;
      assert.ok(ratio > 1 / 1.25 && ratio < 1.25, `calibration ${e.rmsNm.toFixed(1)} nm, true ${bright.rmsNm.toFixed(1)} nm`);
      // At localization photons (3 000, b = 20): uncertainty_z, √(CRLB + model error²), against
      // the true error; within 1.5× either way. The CRLB alone understates the ring's error
      // 1.6× (curves that fit the widths; 2.7–3.3× with the curves of ml-levenberg-marquardt,
      // whose σx stayed at its start).
      const dim = trueDepthError(c, { seed: 203, ring, photons: 3000, background: 20 });
      const honest = dim.rmsNm / dim.uncertaintyNm;
      assert.ok(honest > 1 / 1.5 && honest < 1.5, `true ${dim.rmsNm.toFixed(1)} nm, uncertainty_z ${dim.uncertaintyNm.toFixed(1)} nm`);
      if (ring) {
        const crlbOnly = Math.sqrt(dim.uncertaintyNm ** 2 - e.modelErrorNm ** 2);
        assert.ok(dim.rmsNm / crlbOnly > 1.3, `the CRLB alone, ${crlbOnly.toFixed(1)} nm, against ${dim.rmsNm.toFixed(1)} nm`);
        assert.ok(e.rmsNm > MAX_Z_ERROR_OVER_NOISE * e.noiseRmsNm, JSON.stringify(e));
        // Both checks speak: the widths off the x curve (2.6–2.9 × their scatter), and the z error.
        assert.equal(c.warnings?.length, 2, JSON.stringify(c.warnings));
        assert.match(c.warnings?.[0] ?? '', /^the widths do not follow the defocus curve σx\(z\): RMS \d+\.\d nm about it/);
        assert.match(c.warnings?.[1] ?? '', /^the curves do not fit the beads: their z error is \d+\.\d nm RMS/);
        assert.deepEqual(c.quality?.warnings, [c.warnings?.[0]]);
      } else {
        assert.deepEqual(c.warnings, []);
        assert.ok(e.modelErrorNm < 0.5 * e.noiseRmsNm, JSON.stringify(e));
      }
    });
  }

  test('beads through a pupil-function PSF (not the model): the curves converge and fit as well as the form allows, and both checks warn', () => {
    // NA 1.49, 80 nm of astigmatism, 20 nm of spherical aberration: widths the defocus curve
    // cannot follow above focus (they level off; RMS 8 / 17 nm about x / y measured).
    const s = simulateBeadStack({ frames: 41, zStartNm: -800, zStepNm: 40, seed: 3, pupil: { sphericalNm: 20 } });
    const c = calibrateAstigmatism(s.frames.map((f) => f.map((v) => v - 100)), s.width, s.height, { zStartNm: -800, zStepNm: 40, pixelSizeNm: 100 }).calibration;
    const q = c.quality;
    assert.ok(q && q.converged.x && q.converged.y, JSON.stringify(q));
    assert.ok(q.widthScatterNm && q.rmsNm.y > 2 * q.widthScatterNm.y, JSON.stringify(q));
    // Foci ~400 nm apart (the optics' ∓200 nm).
    assert.ok(Math.abs(q.fociSeparationNm - 400) < 50, String(q.fociSeparationNm));
    assert.match(c.warnings?.[0] ?? '', /^the widths do not follow the defocus curve σy\(z\)/);
    assert.match(c.warnings?.at(-1) ?? '', /^the curves do not fit the beads: their z error/);
    // The model error is what localize then adds to uncertainty_z: 17.5 nm measured, several × the noise.
    assert.ok(c.zError && c.zError.modelErrorNm > 2 * c.zError.noiseRmsNm, JSON.stringify(c.zError));
  });

  test('frames out of z order: the curves miss the widths, and the calibration is refused (by the CLI in one line naming the stack, exit 2, nothing written)', () => {
    const s = simulateBeadStack({ frames: 41, zStartNm: -800, zStepNm: 40, seed: 3 });
    // A fixed shuffle (every 17th frame: 17 and 41 are coprime).
    const shuffledAdu = s.frames.map((_, k) => s.frames[(17 * k) % s.frames.length]);
    const shuffled = shuffledAdu.map((f) => f.map((v) => v - 100));
    const refusal = /the defocus curve σx\(z\) misses the beads: RMS \d+\.\d nm about their widths, above 0\.25 × their median width \(\d+ nm\)/;
    assert.throws(() => calibrateAstigmatism(shuffled, s.width, s.height, { zStartNm: -800, zStepNm: 40, pixelSizeNm: 100 }), { name: 'InputFileError', message: new RegExp(`^${refusal.source}`) });
    const stack = join(dir, 'shuffled.tif');
    writeTiff(stack, shuffledAdu.map((f) => Uint16Array.from(f)), { width: s.width, height: s.height, sampleType: 'uint16', pixelSizeNm: 100 });
    const out = join(dir, 'shuffled.json');
    const r = spawnSync(process.execPath, [...CLI, 'calibrate-3d', stack, '--z-start', '-800', '--z-step', '40', '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.startsWith(`smlm-stream: ${stack}: the defocus curve σx(z) misses the beads`), r.stderr);
    assert.equal(existsSync(out), false, 'no calibration written');
  });

  test('16 beads: each measured through curves fitted without its group of ten (the refits stay ten)', () => {
    const c = (calibrate({ seed: 6, grid: 4 })).calibration;
    assert.equal(c.beads.filter((b) => b.kept).length, 16);
    assert.equal(c.zError?.method, 'each bead through curves fitted without its group (10 groups)');
    // 16 beads × 39 frames in range, all fitted; Gaussian beads: the error is the noise.
    assert.ok(c.zError && c.zError.frames > 600 && c.zError.rmsNm <= MAX_Z_ERROR_OVER_NOISE * c.zError.noiseRmsNm, JSON.stringify(c.zError));
  });

  test('frames stream: the stack is read twice, a frame buffer reused for every frame gives the same calibration', async () => {
    const s = simulateBeadStack({ frames: 41, zStartNm: -800, zStepNm: 40, seed: 4 });
    const photons = s.frames.map((f) => f.map((v) => v - 100));
    const options = { zStartNm: -800, zStepNm: 40, pixelSizeNm: 100 };
    const whole = calibrateAstigmatism(photons, s.width, s.height, options);
    // One buffer, overwritten frame after frame: a calibration that kept a reference to any
    // frame would see the last one in its place.
    const buffer = new Float64Array(s.width * s.height);
    let passes = 0;
    const reader = async function* () {
      passes++;
      for (const frame of photons) {
        buffer.set(frame);
        yield buffer;
      }
    };
    const streamed = calibrateAstigmatism(await readBeadWindows(reader, s.width, s.height, 15), s.width, s.height, options);
    assert.equal(passes, 2);
    assert.deepEqual(streamed.calibration, whole.calibration);
  });

  test('the CLI: beads without astigmatism are refused in one line naming the file; a calibration that misfits warns, and localize repeats it', () => {
    const flat = join(dir, 'flat.tif');
    writeBeadStack(flat, join(dir, 'flat.truth.csv'), { frames: 41, zStepNm: 40, curves: NO_ASTIGMATISM });
    const flatCalibration = join(dir, 'flat.json');
    const refused = spawnSync(process.execPath, [...CLI, 'calibrate-3d', flat, '--z-start', '-800', '--z-step', '40', '-o', flatCalibration], { encoding: 'utf8' });
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^smlm-stream: ${flat.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the x and y foci are \\d+ nm apart, closer than the z precision can separate \\(\\d+ nm\\): the beads show no astigmatism — is the cylindrical lens in\\?\n$`));
    assert.equal(existsSync(flatCalibration), false, 'no calibration written');
    const ringed = join(dir, 'ringed.tif');
    writeBeadStack(ringed, join(dir, 'ringed.truth.csv'), { frames: 41, zStepNm: 40, ring: RING });
    const calibration = join(dir, 'ringed.calibration.json');
    const made = spawnSync(process.execPath, [...CLI, 'calibrate-3d', ringed, '--z-start', '-800', '--z-step', '40', '-o', calibration], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stderr, /^smlm-stream: warning: .*ringed\.tif: the widths do not follow the defocus curve σx\(z\)/);
    assert.match(made.stderr, /\nsmlm-stream: warning: .*ringed\.tif: the curves do not fit the beads/);
    assert.match(made.stdout, /z error +\d+\.\d nm RMS against the stage z \(leave one bead out, \d+ bead frames\); photon noise \d+\.\d nm, model error \d+\.\d nm/);
    const c = readCalibration(calibration);
    assert.match(c.warnings?.[1] ?? '', /the curves do not fit the beads/);
    const model = c.zError?.modelErrorNm ?? 0;
    assert.ok(model > 10, `model error ${model} nm`);
    const out = join(dir, 'ringed.csv');
    const localized = spawnSync(process.execPath, [...CLI, 'localize', ringed, '-o', out, '--calibration', calibration, '--quiet'], { encoding: 'utf8' });
    assert.equal(localized.status, 0, localized.stderr);
    assert.match(localized.stderr, /warning: the 3-D calibration says: the curves do not fit the beads/);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const column = header.split(',').indexOf('"uncertainty_z [nm]"');
    assert.ok(column > 0 && rows.length > 100, header);
    // Every uncertainty_z holds the model error (the CSV keeps 2 decimals).
    for (const row of rows) assert.ok(Number(row.split(',')[column]) >= model - 0.01, row);
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
