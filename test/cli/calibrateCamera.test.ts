/**
 * `smlm-stream calibrate-camera` end to end: the maps it writes from simulated dark and flat
 * stacks of an sCMOS sensor localize a stack of that sensor as well as the sensor's true maps
 * (Jaccard within 1 point), the record holds the summary, and user errors exit 2 naming the
 * file, before anything is written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readCameraMaps } from '../../src/camera/readCameraMaps.js';
import { evaluateFiles } from '../../src/evaluate/evaluateFiles.js';
import { resolveSimulateStackOptions, sensorMaps } from '../../src/simulate/simulateStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CLI } from './cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-calibrate-camera-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One sCMOS sensor (its maps come from the seed): 64 × 64 px, gain ≈ 2 ADU per e⁻, base 400 ADU. */
const SENSOR = { width: 64, height: 64, sensor: 'scmos', photonsPerAdu: 0.5, baselineAdu: 400, seed: 21 } as const;
const path = (name: string) => join(dir, name);
const simulate = (name: string, options: object) => writeSimulation(path(name), path(`${name}.truth.csv`), { ...SENSOR, ...options });

simulate('dark.tif', { frames: 300, density: 0, background: 0 });
simulate('flat-100.tif', { frames: 150, density: 0, background: 100 });
simulate('flat-400.tif', { frames: 150, density: 0, background: 400 });
// The stack to localize: isolated blinking spots on 20 photons/px, the same sensor.
simulate('spots.tif', { frames: 100, density: 0.3, minSeparationNm: 800 });

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('calibrate-camera', () => {
  test('the maps from dark and flats localize as well as the true maps (Jaccard within 1 point); the record holds the summary', async () => {
    const r = cli('calibrate-camera', path('dark.tif'), '--flat', path('flat-100.tif'), '--flat', path('flat-400.tif'), '-o', path('cam'));
    assert.equal(r.code, 0, r.stderr);
    for (const line of ['dark stack          300 frames of 64×64 px', 'hot pixels', 'gain                median', 'use                 smlm-stream localize']) assert.ok(r.stdout.includes(line), `${line} in\n${r.stdout}`);
    const record = JSON.parse(readFileSync(path('cam.camera.json'), 'utf8')) as { software: { name: string }; results: { gain: { medianAduPerElectron: number }; dark: { frames: number } }; output: Record<string, string> };
    assert.equal(record.software.name, 'smlm-stream');
    assert.equal(record.results.dark.frames, 300);
    assert.deepEqual(Object.keys(record.output), ['offset', 'variance', 'gain']);
    const truth = sensorMaps(resolveSimulateStackOptions(SENSOR));
    const median = (v: ArrayLike<number>) => Float64Array.from(v).sort()[v.length >> 1];
    const truthGain = median(truth.gainAduPerElectron);
    assert.ok(Math.abs(record.results.gain.medianAduPerElectron / truthGain - 1) < 0.02, `gain ${record.results.gain.medianAduPerElectron}, truth ${truthGain}`);
    // What localize reads: three 64 × 64 maps.
    const maps = await readCameraMaps({ offset: path('cam.offset.tif'), variance: path('cam.variance.tif'), gain: path('cam.gain.tif') });
    assert.equal(maps.width, 64);
    assert.equal(maps.height, 64);
    assert.ok(Math.abs(median(maps.offsetAdu ?? []) - 400) < 0.5);

    const localize = (csv: string, prefix: string) => {
      const run = cli('localize', path('spots.tif'), '-o', path(csv), '--offset-map', `${prefix}.offset.tif`, '--variance-map', `${prefix}.variance.tif`, '--gain-map', `${prefix}.gain.tif`);
      assert.equal(run.code, 0, run.stderr);
      return evaluateFiles(path('spots.tif.truth.csv'), path(csv));
    };
    const withTruth = localize('truth-maps.csv', path('spots'));
    const withCalibration = localize('calibrated-maps.csv', path('cam'));
    assert.ok(withTruth.jaccard > 0.95, `Jaccard ${withTruth.jaccard} with the true maps`);
    assert.ok(Math.abs(withCalibration.jaccard - withTruth.jaccard) <= 0.01, `Jaccard ${withCalibration.jaccard} with the calibrated maps, ${withTruth.jaccard} with the true ones`);
  });

  test('without flats: the offset and variance maps only, and the summary says how to give the gain', () => {
    const r = cli('calibrate-camera', path('dark.tif'), '-o', path('noflat'), '--photons-per-adu', '0.5');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(path('noflat.offset.tif')) && existsSync(path('noflat.variance.tif')));
    assert.ok(!existsSync(path('noflat.gain.tif')), 'no gain map without flats');
    assert.match(r.stdout, /gain {16}not measured \(no --flat\): offset and variance maps only; localize estimates the gain from the stack's noise, or give it with --photons-per-adu/);
    assert.match(r.stdout, /read noise {10}median 1\.\d\d e⁻/);
    assert.match(r.stdout, /use {17}smlm-stream localize STACK\.tif --offset-map \S+ --variance-map \S+ --photons-per-adu 0\.5\n/, 'the use line passes the gain given');
    const estimated = cli('calibrate-camera', path('dark.tif'), '-o', path('noflat2'));
    assert.equal(estimated.code, 0, estimated.stderr);
    assert.match(estimated.stdout, /use {17}smlm-stream localize STACK\.tif --offset-map \S+ --variance-map \S+ {3}\(the gain estimated from the stack\)/, 'no gain known: localize estimates it');
  });

  test('user errors exit 2 naming the file, and write nothing', () => {
    simulate('short.tif', { frames: 50, density: 0, background: 0 });
    let r = cli('calibrate-camera', path('short.tif'), '-o', path('short-cam'));
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${path('short.tif')}: 50 frames; a dark stack needs at least 100`), r.stderr);
    assert.ok(!existsSync(path('short-cam.offset.tif')));

    simulate('small.tif', { frames: 100, density: 0, background: 200, width: 32, height: 32 });
    r = cli('calibrate-camera', path('dark.tif'), '--flat', path('small.tif'), '-o', path('small-cam'));
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`${path('small.tif')}: frames of 32×32 px, where the dark stack ${path('dark.tif')} has 64×64 px`), r.stderr);

    r = cli('calibrate-camera', path('dark.tif'), path('flat-100.tif'), path('flat-400.tif'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /takes one dark stack, got 3 files .*give each flat stack with its own --flat/);

    r = cli('calibrate-camera', path('spots.tif'), '-o', path('spots-cam'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /spots\.tif: this is not a dark stack/);
    assert.ok(!existsSync(path('spots-cam.offset.tif')));

    // An output is never an input: a dark stack named like the offset map PREFIX gives.
    copyFileSync(path('dark.tif'), path('take2.offset.tif'));
    r = cli('calibrate-camera', path('take2.offset.tif'), '-o', path('take2'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /take2\.offset\.tif: refusing to write the offset map over the dark stack/);
    assert.ok(!existsSync(path('take2.variance.tif')));

    // A file of the user's where the record goes is never replaced.
    writeFileSync(path('mine.camera.json'), '{"notes": "mine"}\n');
    r = cli('calibrate-camera', path('dark.tif'), '-o', path('mine'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mine\.camera\.json.*is not an smlm-stream run record/);
    assert.ok(!existsSync(path('mine.offset.tif')));
    assert.equal(readFileSync(path('mine.camera.json'), 'utf8'), '{"notes": "mine"}\n');
  });
});
