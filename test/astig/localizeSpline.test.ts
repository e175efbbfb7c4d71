import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import type { SplineCalibration } from '../../src/astig/SplineCalibration.js';
import { writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import type { ResolvedLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { CLI } from '../cli/cliArgs.js';
import { astigmaticVolume } from '../fit/spline/astigmaticVolume.js';
import { depthAccuracy } from './depthAccuracy.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-spline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The simulator's astigmatic PSF as a measured PSF would come: pixel values on 25 × 25 px about
 * the emitter, planes every 20 nm over ±800 nm, made into a spline (not the fitter's Gaussian:
 * the spline interpolates it).
 */
const PSF = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 25, -800, 20, 81), 25, 25, 81, 20);
const SPLINE: SplineCalibration = { psf: PSF, pixelSizeNm: 100, zOrigin: 'midway between the foci' };

describe('3-D localization through a spline calibration', () => {
  test('a blinking astigmatic stack: z at the CRLB (within 15 %), |bias| < 10 nm, < 1 % outliers, x at the bound, z as precise as the Gaussian model on its own data', () => {
    // 64×64 px, 120 frames, isolated emitters (1.5 µm apart) at z uniform in ±400 nm, N = 2000,
    // b = 20: ~720 localizations, so RMSE/CRLB has a standard error of ≈ 2.6 % and the bias ≈ 1 nm.
    // The same stack through the simulator's own curves (the astigmatic calibration) is the yardstick.
    const sim = { width: 64, height: 64, frames: 120, density: 0.15, minSeparationNm: 1500, photons: 2000, background: 20, seed: 5, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-400, 400] as const } };
    const astigmatism = { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: 'midway between the foci', zRangeNm: [-600, 600] as const, pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };
    const measure = (options: ResolvedLocalizeOptions) => depthAccuracy(options, sim, (b, i) => {
      assert.ok(b.sigma1 && b.sigma1[i] > 100 && b.sigma1[i] < 400, `sigma1 ${b.sigma1?.[i]} nm: the PSF's width`);
    });
    const options = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, spline: SPLINE });
    assert.equal(options.multiEmitter.enabled, true, 'multi-emitter fitting is on in 3-D, as in 2-D (isolated spots keep their single fits)');
    const s = measure(options);
    assert.ok(s.n >= 0.97 * s.truth, `${s.n} of ${s.truth} found`);
    assert.ok(s.outliers < 0.01 * s.n, `${s.outliers} outliers`);
    assert.ok(s.ratio > 0.85 && s.ratio < 1.15, `z RMSE/CRLB ${s.ratio}`);
    assert.ok(Math.abs(s.bias) < 10, `z bias ${s.bias} nm`);
    assert.ok(s.x > 0.85 && s.x < 1.15, `x RMSE/CRLB ${s.x}`);
    // Measured: 26.6 nm through the spline, 27.0 nm through the curves that made the data.
    const g = measure(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, astigmatism }));
    assert.ok(s.rmse <= 1.05 * g.rmse, `z RMSE ${s.rmse} nm through the spline, ${g.rmse} nm through the curves`);
  });

  test('options: one 3-D calibration at a time, the pixel size checked, multi-emitter fitting can be turned off, the box holds the widest plane', () => {
    assert.throws(() => resolveLocalizeOptions({ camera: { pixelSizeNm: 160 }, spline: SPLINE }), /made with 100 nm pixels/);
    assert.equal(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, spline: SPLINE, multiEmitter: { enabled: false } }).multiEmitter.enabled, false, 'the 2-D flag turns 3-D multi-emitter fitting off');
    const astigmatism = { format: 'x', ...DEFAULT_ASTIGMATISM, zOrigin: '', zRangeNm: [-600, 600] as const, pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };
    assert.throws(() => resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, spline: SPLINE, astigmatism }), /not both/);
    // The widest plane (z = ±800 nm) has σ ≈ 3.5 px: 2⌈1.5·3.5⌉ + 1 = 13, capped at the largest box.
    const box = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, spline: SPLINE }).fit.box;
    assert.ok(box >= 11 && box <= 15, `box ${box}`);
  });

  test('the CLI: localize --calibration PSF.h5 writes the z columns, the same with the kernel or JavaScript and 1 or 2 workers; the run record lists the spline without its coefficients', async () => {
    const stack = join(dir, 'astig.tif');
    const made = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--astigmatism', '400', '--frames', '20', '--density', '0.3', '--quiet'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    // A coarser spline keeps the file small (4 MB): 21 × 21 px, planes every 40 nm.
    const coarse = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 21, -800, 40, 41), 21, 21, 41, 40);
    const psf = join(dir, 'psf.h5');
    await writeSplineCalibration(psf, coarse, { pixelSizeNm: 100 });
    const out = join(dir, 'astig.csv');
    const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', out, '--calibration', psf, '--workers', '1', '--chunk-frames', '4', '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    assert.ok(header.endsWith('"emitters","z [nm]","uncertainty_z [nm]","sigma1 [nm]","sigma2 [nm]"'), header);
    const truth = readFileSync(join(dir, 'astig.truth.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    // Each localization's z against the nearest true emitter of its frame: the spline reads the
    // depth (the astigmatic calibration's own test allows 250 nm outliers; here < 5 %).
    const names = header.split(',').map((h) => h.replace(/"/g, ''));
    const [fi, xi, yi, zi] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map((h) => names.indexOf(h));
    const truthHeader = readFileSync(join(dir, 'astig.truth.csv'), 'utf8').split('\n')[0].split(',').map((h) => h.replace(/"/g, ''));
    const [tf, tx, ty, tz] = ['frame', 'x [nm]', 'y [nm]', 'z [nm]'].map((h) => truthHeader.indexOf(h));
    let far = 0, matched = 0;
    for (const row of rows.map((l) => l.split(',').map(Number))) {
      let best: number[] | undefined;
      let bestD = 100;
      for (const t of truth) {
        if (t[tf] !== row[fi]) continue;
        const d = Math.hypot(t[tx] - row[xi], t[ty] - row[yi]);
        if (d < bestD) [bestD, best] = [d, t];
      }
      if (!best) continue;
      matched++;
      if (Math.abs(best[tz] - row[zi]) > 250) far++;
    }
    assert.ok(matched > 50, `${matched} matched`);
    assert.ok(far < 0.05 * matched, `${far} of ${matched} more than 250 nm off in z`);
    const record = JSON.parse(readFileSync(join(dir, 'astig.json'), 'utf8')) as { parameters: { spline: Record<string, unknown>; astigmatism?: unknown } };
    assert.equal(record.parameters.spline.coefficients, coarse.coefficients.length);
    assert.deepEqual(record.parameters.spline.voxels, [20, 20, 40]);
    assert.equal(record.parameters.spline.source, psf);
    assert.equal(record.parameters.astigmatism, undefined);
    // The kernel and the JavaScript reference, one worker and two: the same CSV.
    const other = join(dir, 'other.csv');
    const r2 = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', other, '--calibration', psf, '--fit-engine', 'js', '--workers', '2', '--chunk-frames', '4', '--quiet'], { encoding: 'utf8' });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(readFileSync(other, 'utf8'), readFileSync(out, 'utf8'));
    const wrongPixel = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'wrong.csv'), '--calibration', psf, '--pixel-size', '160'], { encoding: 'utf8' });
    assert.equal(wrongPixel.status, 2);
    assert.match(wrongPixel.stderr, /--calibration: the calibration was made with 100 nm pixels/);
  });

  test('the CLI: --z-starts all fits from every z start; calibrate-psf\'s leave-one-bead-out z error (by depth where the file has it) is uncertainty_z\'s model term, 0 for a file without it (the record says which)', async () => {
    const stack = join(dir, 'starts.tif');
    const made = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--astigmatism', '400', '--frames', '8', '--density', '0.3', '--seed', '4', '--quiet'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const coarse = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 15, -800, 40, 41), 15, 15, 41, 40);
    const ours = join(dir, 'ours.h5');
    const theirs = join(dir, 'theirs.h5');
    // 37.5 nm: far above any CRLB here (N ≈ 2000), so every uncertainty_z must hold it.
    await writeSplineCalibration(ours, coarse, { pixelSizeNm: 100, record: { zOrigin: 'the beads\' focus', zErrorRmsNm: 37.5 } });
    await writeSplineCalibration(theirs, coarse, { pixelSizeNm: 100 });
    const run = (psf: string, out: string, ...flags: string[]) => {
      const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, out), '--calibration', psf, '--workers', '1', '--quiet', ...flags], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const [header, ...rows] = readFileSync(join(dir, out), 'utf8').trim().split('\n');
      const uz = header.split(',').indexOf('"uncertainty_z [nm]"');
      const zi = header.split(',').indexOf('"z [nm]"');
      const record = JSON.parse(readFileSync(join(dir, out.replace('.csv', '.json')), 'utf8')) as { parameters: { spline: Record<string, unknown> } };
      return { uncertaintyZ: rows.map((l) => Number(l.split(',')[uz])), z: rows.map((l) => Number(l.split(',')[zi])), spline: record.parameters.spline };
    };
    const a = run(ours, 'ours.csv', '--z-starts', 'all');
    assert.equal(a.spline.everyZStart, true);
    assert.equal(a.spline.zModelErrorNm, 37.5);
    assert.equal(a.spline.zOrigin, 'the beads\' focus');
    assert.match(String(a.spline.zModelErrorFrom), /leave-one-bead-out/);
    assert.ok(a.uncertaintyZ.length > 10 && a.uncertaintyZ.every((u) => u >= 37.5), 'every uncertainty_z holds the model error');
    const b = run(theirs, 'theirs.csv');
    assert.equal(b.spline.everyZStart, false);
    assert.equal(b.spline.zModelErrorNm, 0);
    assert.match(String(b.spline.zModelErrorFrom), /none in the calibration/);
    assert.ok(Math.min(...b.uncertaintyZ) < 37.5, 'without a model error uncertainty_z is the CRLB');
    // An error by depth replaces the constant at each fitted z: 0 below z = 0, 60 nm above +10 nm.
    const byDepth = join(dir, 'bydepth.h5');
    await writeSplineCalibration(byDepth, coarse, { pixelSizeNm: 100, record: { zErrorRmsNm: 37.5, zErrorByDepth: { zNm: [0, 10], errorNm: [0, 60] } } });
    const c = run(byDepth, 'bydepth.csv');
    assert.match(String(c.spline.zModelErrorFrom), /by depth/);
    const below = c.uncertaintyZ.filter((_, i) => c.z[i] < 0), above = c.uncertaintyZ.filter((_, i) => c.z[i] > 10);
    assert.ok(below.length > 3 && above.length > 3, `${below.length} rows below z = 0, ${above.length} above`);
    assert.ok(above.every((u) => u >= 60), 'above +10 nm every uncertainty_z holds 60 nm');
    // Below, the CRLB alone: the same rows as the file without a model error.
    assert.deepEqual(below, b.uncertaintyZ.filter((_, i) => c.z[i] < 0));
    for (const [flags, message] of [[['--calibration', theirs, '--z-starts', 'some'], /--z-starts must be first or all/], [['--z-starts', 'all'], /--z-starts needs a spline calibration/]] as const) {
      const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'bad.csv'), ...flags], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  });
});
