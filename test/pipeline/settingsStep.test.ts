/**
 * The settings step of a run (--camera auto, --psf-sigma auto): what the sidecar and the
 * summary say, the EM gain's effective gain, the given settings checked, and an output that
 * does not depend on the worker count (the estimate is made once, before the workers).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { resolveSimulateStackOptions, sensorMaps } from '../../src/simulate/simulateStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CLI } from '../cli/cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** 96×96 px, 60 frames, isolated bright spots: enough for both estimates. */
const SIM = { width: 96, height: 96, frames: 60, density: 0.3, minSeparationNm: 800, photons: 2000, seed: 41 } as const;

describe('the settings step', () => {
  test('an EMCCD stack with only the pixel size: camera and σ estimated, an effective gain said; with --em-gain the true gain', async () => {
    const stack = join(dir, 'em.tif');
    // EM gain 100, 10 e⁻/ADU: the effective gain (EM gain unknown) is 10/(100·2) = 0.05 e⁻/ADU.
    writeSimulation(stack, join(dir, 'em.truth.csv'), { ...SIM, emGain: 100, photonsPerAdu: 10, baselineAdu: 500, readNoiseAdu: 3, psfSigmaNm: 150 });
    const warnings: string[] = [];
    const s = await localizeStack({ input: stack, output: join(dir, 'em.csv'), options: { camera: { pixelSizeNm: 100 } }, onWarning: (w) => warnings.push(w) });
    const sidecar = JSON.parse(readFileSync(join(dir, 'em.json'), 'utf8'));
    const camera = sidecar.parameters.camera;
    assert.equal(camera.source, 'estimated');
    assert.equal(camera.effectiveGain, true);
    assert.match(camera.photonCounts, /per F²/);
    // The estimator's accuracy is its own tests' (test/camera); here: the values used are the estimate's.
    // Within 3 of the estimate's own standard deviations (a statistical bound, not a guess; the
    // estimator's accuracy over seeds is its own tests', test/camera).
    assert.ok(Math.abs(camera.photonsPerAdu - 0.05) < 3 * camera.photonsPerAduSd, `effective gain ${camera.photonsPerAdu} ± ${camera.photonsPerAduSd} e⁻/ADU for 0.05`);
    assert.equal(camera.photonsPerAdu, camera.estimate.photonsPerAdu);
    assert.ok(camera.photonsPerAduSd > 0 && camera.baselineSdAdu > 0, 'uncertainties recorded');
    assert.equal(sidecar.parameters.psfSigma.source, 'estimated');
    assert.ok(Math.abs(sidecar.parameters.psfSigmaNm / 150 - 1) < 0.05, `σ ${sidecar.parameters.psfSigmaNm} nm for 150`);
    assert.equal(s.settings?.camera.source, 'estimated');
    assert.deepEqual(warnings, []);
    await localizeStack({ input: stack, output: join(dir, 'em-gain.csv'), options: { camera: { pixelSizeNm: 100, emGain: 100 } } });
    const withGain = JSON.parse(readFileSync(join(dir, 'em-gain.json'), 'utf8')).parameters.camera;
    assert.equal(withGain.effectiveGain, false);
    assert.ok(Math.abs(withGain.photonsPerAdu - 10) < 3 * withGain.photonsPerAduSd, `gain with --em-gain 100: ${withGain.photonsPerAdu} ± ${withGain.photonsPerAduSd} e⁻/ADU for 10`);
  });

  test('given settings are used as given and checked: a forgotten EM gain and a σ 20 % off are warned about', async () => {
    const stack = join(dir, 'em.tif');
    const warnings: string[] = [];
    await localizeStack({ input: stack, output: join(dir, 'given.csv'), options: { camera: { pixelSizeNm: 100, baselineAdu: 500, photonsPerAdu: 10 }, psfSigmaNm: 120 }, onWarning: (w) => warnings.push(w) });
    const p = JSON.parse(readFileSync(join(dir, 'given.json'), 'utf8')).parameters;
    assert.equal(p.camera.source, 'given');
    assert.equal(p.camera.photonsPerAdu, 10);
    assert.equal(p.psfSigmaNm, 120);
    assert.equal(p.psfSigma.source, 'given');
    assert.ok(warnings.some((w) => /--photons-per-adu 10, .*contradict the data: .*--em-gain/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /--psf-sigma 120 disagrees with the data: 1[45]\d(\.\d)? ± /.test(w)), warnings.join('\n'));
  });

  test('settings kept beside an estimate are checked: a wrong --read-noise or --baseline under --camera auto is warned about', async () => {
    const stack = join(dir, 'em.tif');
    const warnings: string[] = [];
    // The stack's read noise is 3 ADU at 10 e⁻/ADU behind EM gain 100 (30 e⁻): 3000 e⁻ is 100× it.
    await localizeStack({ input: stack, output: join(dir, 'kept-rn.csv'), options: { camera: { pixelSizeNm: 100, emGain: 100, readNoiseElectrons: 3000 }, psfSigmaNm: 150 }, onWarning: (w) => warnings.push(w) });
    assert.ok(warnings.some((w) => /--read-noise 3000[,)].*contradict the data: the settings predict [\d.]+× the noise/.test(w)), warnings.join('\n'));
    warnings.length = 0;
    // A base level above the data's background (500 ADU offset: 900) kept beside the estimated gain.
    await localizeStack({ input: stack, output: join(dir, 'kept-base.csv'), options: { camera: { pixelSizeNm: 100, baselineAdu: 900 }, cameraSource: 'auto', psfSigmaNm: 150 }, onWarning: (w) => warnings.push(w) });
    assert.ok(warnings.some((w) => /--baseline 900, .*contradict the data: .*the base level given, 900 ADU, is above the data's background/.test(w)), warnings.join('\n'));
  });

  test('the same rows on 1 thread and on 2 workers (the estimate is made once, before them)', async () => {
    const stack = join(dir, 'plain.tif');
    writeSimulation(stack, join(dir, 'plain.truth.csv'), { ...SIM, frames: 48 });
    const options = { camera: { pixelSizeNm: 100 }, chunkFrames: 8 };
    await localizeStack({ input: stack, output: join(dir, 'w1.csv'), options, workers: 1 });
    const two = await localizeStack({ input: stack, output: join(dir, 'w3.csv'), options, workers: 2 });
    assert.equal(two.workers, 2, 'two worker threads ran');
    const rows = (name: string) => readFileSync(join(dir, name), 'utf8');
    assert.ok(rows('w1.csv').split('\n').length > 100);
    assert.equal(rows('w3.csv'), rows('w1.csv'));
  });

  test('the CLI summary says estimated, with the values and their uncertainty; --camera given --psf-sigma 130 says given', () => {
    const stack = join(dir, 'plain.tif');
    let r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'cli.csv')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /camera {14}estimated from \d+ frames: base [\d.]+ ± [\d.]+ ADU[^,]*, [\d.]+ ± [\d.e-]+ e⁻\/ADU/);
    assert.match(r.stdout, /PSF sigma {11}estimated 1[23]\d(\.\d+)? ± [\d.]+ nm, the median of \d+ spots/);
    r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'cli-given.csv'), '--camera', 'given', '--psf-sigma', '130'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /camera {14}given \(the data say base/);
    assert.match(r.stdout, /PSF sigma {11}given 130 nm \(measured/);
    r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'bad.csv'), '--camera', 'maybe'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--camera must be auto or given, got 'maybe'/);
  });

  test('offset and variance maps without a gain map: the gain estimated (auto) or checked (given), not a silent 1', async () => {
    // The scmos preset (0.46 e⁻/ADU) with the maps calibrate-camera writes without flats.
    const sim = { ...SIM, cameraPreset: 'scmos', photons: 2000, seed: 43 } as const;
    const stack = join(dir, 'scmos.tif');
    writeSimulation(stack, join(dir, 'scmos.truth.csv'), sim);
    const m = sensorMaps(resolveSimulateStackOptions(sim));
    const maps = { width: SIM.width, height: SIM.height, offsetAdu: m.offsetAdu, varianceAdu2: m.varianceAdu2 };
    const warnings: string[] = [];
    const s = await localizeStack({ input: stack, output: join(dir, 'scmos-auto.csv'), options: { camera: { pixelSizeNm: 100, maps } }, onWarning: (w) => warnings.push(w) });
    assert.equal(s.settings?.camera.source, 'estimated');
    assert.equal(s.settings?.camera.lessOffsetMap, true);
    const camera = JSON.parse(readFileSync(join(dir, 'scmos-auto.json'), 'utf8')).parameters.camera;
    // Within 3 of the estimate's own standard deviations of 0.46 (on 50 frames of 96×96 px that
    // is ≈ 9 %: 0.42, 0.43, 0.49 ± 0.04 over seeds 43–45), far from the silent 1 of before.
    assert.ok(Math.abs(camera.photonsPerAdu - 0.46) < 3 * camera.photonsPerAduSd, `gain ${camera.photonsPerAdu} ± ${camera.photonsPerAduSd} e⁻/ADU for 0.46`);
    assert.deepEqual(camera.given, ['offset map', 'variance map']);
    const given: string[] = [];
    const g = await localizeStack({ input: stack, output: join(dir, 'scmos-given.csv'), options: { camera: { pixelSizeNm: 100, maps }, cameraSource: 'given' }, onWarning: (w) => given.push(w) });
    assert.equal(g.settings?.camera.source, 'given');
    assert.ok(given.some((w) => /no gain map and the gain used, 1 photoelectrons per ADU, is 2\.\d\d× .*--photons-per-adu or --gain-map/.test(w)), given.join('\n'));
  });
});
