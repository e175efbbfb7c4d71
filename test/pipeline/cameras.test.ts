/**
 * Real cameras on simulated stacks: an EMCCD (EM register, excess-noise factor 2) and an sCMOS
 * sensor with per-pixel offset, gain and read noise and 3 % hot pixels. Judged against the
 * truth: the reported uncertainty is calibrated (RMS of the reported uncertainty over the RMS
 * of the actual error, per localization, within 5 %), the precision is that bound, and hot
 * pixels give no spots.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { resolveCamera } from '../../src/camera/CameraModel.js';
import { checkCameraSettings } from '../../src/camera/checkCameraSettings.js';
import { estimateCamera } from '../../src/camera/estimateCamera.js';
import { SETTINGS_FRAMES } from '../../pipelines/estimateRunSettings.js';
import type { CameraOptions } from '../../src/camera/CameraModel.js';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
import { pointTableFromBatches, pointTableFromTruth } from '../../src/evaluate/tablesFromBatches.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import type { SimulateStackOptions, TruthRows } from '../../src/simulate/simulateStack.js';
import { resolveSimulateStackOptions, sensorMaps, simulateStack } from '../../src/simulate/simulateStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';
import { CLI } from '../cli/cliArgs.js';

const W = 128;
/** Isolated spots (1 µm apart), N = 1500, b = 20: ~5000 spots in 200 frames. */
const BASE = { width: W, height: W, frames: 200, density: 0.15, minSeparationNm: 1000, photons: 1500, background: 20 } as const;

/** Localize a simulated stack in memory and score it against its truth. */
function score(sim: SimulateStackOptions, camera: Partial<CameraOptions>) {
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100, ...camera } }));
  const truth: TruthRows[] = [];
  const batches: LocalizationBatch[] = [];
  for (const f of simulateStack(sim)) {
    truth.push(f.truth);
    batches.push(localizer.process({ index: f.index, width: W, height: W, data: Uint16Array.from(f.adu) }));
  }
  const T = pointTableFromTruth(truth);
  const F = pointTableFromBatches(batches);
  const { evaluation, pairs } = evaluateLocalizations(T, F);
  const ux = F.columns.get('uncertainty_x [nm]') as Float64Array;
  const uy = F.columns.get('uncertainty_y [nm]') as Float64Array;
  let error2 = 0;
  let reported2 = 0;
  for (let k = 0; k < pairs.found.length; k++) {
    const f = pairs.found[k];
    const t = pairs.truth[k];
    error2 += (F.x[f] - T.x[t]) ** 2 + (F.y[f] - T.y[t]) ** 2;
    reported2 += ux[f] ** 2 + uy[f] ** 2;
  }
  const calibration = Math.sqrt(reported2 / error2);
  return { evaluation, calibration, fpPerFrame: evaluation.falsePositives / (sim.frames ?? 100), matches: pairs.found.length };
}

// With ~5000 matched spots the RMS error's relative standard error is ≈ 1/√(2·2·5000) ≈ 0.7 %,
// so a 5 % bound on the calibration is over 6 standard errors from an efficient, calibrated fit.
describe('real cameras (σ = 130 nm, 100 nm pixels, fixed seeds)', () => {
  test('EMCCD (gain 100, 10 e⁻/ADU, base 500 ADU, 30 e⁻ read noise at the output): calibrated within 5 %, at the noise-aware bound', () => {
    const sim = { ...BASE, emGain: 100, photonsPerAdu: 10, baselineAdu: 500, readNoiseAdu: 3, seed: 31 };
    const r = score(sim, { emGain: 100, photonsPerAdu: 10, baselineAdu: 500, readNoiseElectrons: 30 });
    assert.ok(r.matches > 4500, `${r.matches} matches`);
    assert.ok(r.evaluation.jaccard > 0.99, `Jaccard ${r.evaluation.jaccard}`);
    // The bound includes F² = 2: the RMS error is the reported (noise-aware) uncertainty.
    assert.ok(Math.abs(r.calibration - 1) < 0.05, `calibration ${r.calibration} (0.71 before the noise model)`);
  });

  test('sCMOS with its maps: calibrated within 5 %, no false positives from hot pixels (≤ 0.05 per frame)', () => {
    const sim = resolveSimulateStackOptions({ ...BASE, sensor: 'scmos', photonsPerAdu: 0.5, seed: 32 });
    const m = sensorMaps(sim);
    const r = score(sim, { maps: { width: W, height: W, offsetAdu: m.offsetAdu, varianceAdu2: m.varianceAdu2, gainAduPerElectron: m.gainAduPerElectron } });
    assert.ok(r.evaluation.jaccard > 0.99, `Jaccard ${r.evaluation.jaccard}`);
    assert.ok(r.fpPerFrame <= 0.05, `${r.fpPerFrame} false positives per frame`);
    assert.ok(Math.abs(r.calibration - 1) < 0.05, `calibration ${r.calibration}`);
  });

  test('sCMOS without its maps (the scalars a user would give): hot pixels make false positives — what the maps fix', () => {
    const sim = { ...BASE, sensor: 'scmos' as const, photonsPerAdu: 0.5, seed: 32, frames: 60 };
    const r = score(sim, { photonsPerAdu: 0.5, readNoiseElectrons: 1.6 });
    assert.ok(r.fpPerFrame > 1, `${r.fpPerFrame} false positives per frame without maps`);
  });

  test('the check of given settings warns about a wrong gain or a forgotten EM gain, not about the right settings, sparse or dense', () => {
    // As the settings step does: the camera estimated from the first frames (with the EM gain
    // given), then the settings given checked against it.
    const warn = (sim: SimulateStackOptions, camera: Partial<CameraOptions>) => {
      const frames = [...simulateStack({ ...sim, frames: SETTINGS_FRAMES })].map((f) => ({ width: W, height: W, data: Uint16Array.from(f.adu) }));
      const estimate = estimateCamera(frames, { emGain: camera.emGain });
      return checkCameraSettings(resolveCamera({ pixelSizeNm: 100, ...camera }), estimate);
    };
    const sparse = { ...BASE, seed: 5 };
    // 1.5 emitters/µm² (245 spots in a 128×128 px frame): the old check fired 3–5× here.
    const dense = { width: W, height: W, density: 1.5, photons: 2000, background: 20, seed: 6 };
    const emccd = { ...BASE, emGain: 100, photonsPerAdu: 10, baselineAdu: 500, readNoiseAdu: 3, seed: 5 };
    const ccd = { ...BASE, photonsPerAdu: 0.5, baselineAdu: 500, readNoiseAdu: 20, seed: 7 };
    assert.deepEqual(warn(sparse, { readNoiseElectrons: 1.5 }), []);
    assert.deepEqual(warn(dense, { readNoiseElectrons: 1.5 }), []);
    assert.deepEqual(warn({ ...dense, photonsPerAdu: 0.5, baselineAdu: 500, readNoiseAdu: 20 }, { photonsPerAdu: 0.5, baselineAdu: 500, readNoiseElectrons: 10 }), []);
    assert.deepEqual(warn(ccd, { photonsPerAdu: 0.5, baselineAdu: 500, readNoiseElectrons: 10 }), []);
    assert.deepEqual(warn(emccd, { emGain: 100, photonsPerAdu: 10, baselineAdu: 500, readNoiseElectrons: 30 }), []);
    // A gain off by 2 either way: the flag named, the estimate (≈ 1) next to the given value.
    assert.match(warn(sparse, { photonsPerAdu: 2 }).join(), /the camera settings \(--baseline 100, --photons-per-adu 2, --read-noise 0\) contradict the data: the gain given, 2 photons per ADU.* The data say base [\d.]+ ± [\d.]+ ADU.*, [\d.]+ ± [\d.e-]+ photoelectrons per ADU, estimated from 50 frames/);
    assert.match(warn(dense, { photonsPerAdu: 0.5 }).join(), /--photons-per-adu 0\.5, .*contradict the data: the gain given/);
    // The EM gain forgotten: the effective gain is 10/(100·2) = 0.05 e⁻/ADU.
    assert.match(warn(emccd, { photonsPerAdu: 10, baselineAdu: 500 }).join(), /--photons-per-adu 10, .*contradict the data: the gain given.*an EM gain not given \(--em-gain\)\?.*, 0\.0\d+ ± [\d.e-]+ photoelectrons per ADU/);
    // The CCD's read noise (10 e⁻ = 20 ADU) left out: the noise at the background is off.
    assert.match(warn(ccd, { photonsPerAdu: 0.5, baselineAdu: 500 }).join(), /--baseline 500, --photons-per-adu 0\.5, --read-noise 0\) contradict the data: .*noise/);
  });
});

describe('camera maps in the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-maps-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });

  test('simulate --sensor scmos writes the three maps; localize with them finds no hot pixels; wrong maps are refused in one line', () => {
    const stack = join(dir, 'cam.tif');
    let r = run(['simulate', stack, '--width', '64', '--height', '48', '--frames', '40', '--sensor', 'scmos', '--photons-per-adu', '0.5', '--density', '0.2', '--min-separation', '1000', '--seed', '6', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const maps = ['--offset-map', join(dir, 'cam.offset.tif'), '--variance-map', join(dir, 'cam.variance.tif'), '--gain-map', join(dir, 'cam.gain.tif')];
    r = run(['localize', stack, '-o', join(dir, 'cam.csv'), ...maps, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const e = evaluateLocalizations(readPointTable(join(dir, 'cam.truth.csv')), readPointTable(join(dir, 'cam.csv'))).evaluation;
    assert.ok(e.falsePositives <= 2, `${e.falsePositives} false positives in 40 frames`);
    assert.ok(e.jaccard > 0.95, `Jaccard ${e.jaccard}`);
    const sidecar = JSON.parse(readFileSync(join(dir, 'cam.json'), 'utf8'));
    assert.deepEqual(sidecar.parameters.camera.maps.files.gain, join(dir, 'cam.gain.tif'), 'the sidecar names the map files');
    const cases: [string[], RegExp][] = [
      [[...maps, '--baseline', '100'], /--offset-map: .*cam\.offset\.tif: the offset map replaces --baseline: give one of them/],
      [[...maps, '--map-origin', '40,0'], /the camera maps \(64×48 px: .*cam\.offset\.tif, .*cam\.variance\.tif, .*cam\.gain\.tif\) do not cover 64×48 px frames from map pixel \(40, 0\)/],
      [['--gain-map', stack], /cam\.tif: a camera map is one 2-D image, this file has 40 frames/],
      [['--map-origin', '1,2'], /--map-origin needs a map/],
    ];
    for (const [args, message] of cases) {
      const bad = run(['localize', stack, '-o', join(dir, 'bad.csv'), ...args]);
      assert.equal(bad.status, 2, bad.stderr);
      assert.match(bad.stderr, message);
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    }
  });
});
