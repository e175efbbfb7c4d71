import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decode } from 'fast-png';
import { CALIBRATION_FORMAT } from '../../src/astig/AstigmaticCalibration.js';
import type { AstigmaticCalibration } from '../../src/astig/AstigmaticCalibration.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { localizeStack } from '../../pipelines/localizeStack.js';
import { CLI } from '../cli/cliArgs.js';
import { depthAccuracy } from './depthAccuracy.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-3d-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The simulator's own curves as a calibration over ±600 nm. */
const CALIBRATION: AstigmaticCalibration = { format: CALIBRATION_FORMAT, ...DEFAULT_ASTIGMATISM, zOrigin: 'midway between the foci', zRangeNm: [-600, 600], pixelSizeNm: 100, residualsNm: { x: 0, y: 0 }, beads: [], zStartNm: -600, zStepNm: 10 };

describe('3-D localization through a calibration', () => {
  test('a blinking astigmatic stack: z at the CRLB (within 15 %), |bias| < 10 nm, < 1 % outliers, x at the bound', () => {
    // 96×96 px, 100 frames, isolated emitters (1.5 µm apart) at z uniform in ±400 nm, N = 2000,
    // b = 20: ~1 400 localizations, so RMSE/CRLB has a standard error of ≈ 2 % and the bias ≈ 0.6 nm.
    const sim = { width: 96, height: 96, frames: 100, density: 0.15, minSeparationNm: 1500, photons: 2000, background: 20, seed: 5, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-400, 400] as const } };
    const s = depthAccuracy(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, astigmatism: CALIBRATION }), sim);
    assert.ok(s.n >= 0.97 * s.truth, `${s.n} of ${s.truth} found`);
    assert.ok(s.outliers < 0.01 * s.n, `${s.outliers} outliers`);
    assert.ok(s.ratio > 0.85 && s.ratio < 1.15, `z RMSE/CRLB ${s.ratio}`);
    assert.ok(Math.abs(s.bias) < 10, `z bias ${s.bias} nm`);
    assert.ok(s.x > 0.9 && s.x < 1.1, `x RMSE/CRLB ${s.x}`);
  });

  test('the CLI: simulate --astigmatism, localize --calibration writes the z columns, Picasso gets z and lpz, --merge carries z', async () => {
    const stack = join(dir, 'astig.tif');
    const made = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--astigmatism', '400', '--frames', '20', '--density', '0.3', '--quiet'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    assert.match(readFileSync(join(dir, 'astig.truth.csv'), 'utf8').split('\n')[0], /"z \[nm\]"$/);
    const calibration = join(dir, 'calib.json');
    writeFileSync(calibration, JSON.stringify(CALIBRATION));
    const out = join(dir, 'astig.csv');
    const r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', out, '--calibration', calibration, '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [header, first] = readFileSync(out, 'utf8').split('\n');
    assert.ok(header.endsWith('"emitters","z [nm]","uncertainty_z [nm]","sigma1 [nm]","sigma2 [nm]"'), header);
    const z = Number(first.split(',')[15]);
    assert.ok(z >= -600 && z <= 600, first);
    // Picasso gets z and lpz (nm) and the two widths as sx, sy (px).
    const h5 = join(dir, 'astig.hdf5');
    const exported = spawnSync(process.execPath, [...CLI, 'export', out, '--format', 'picasso', '-o', h5], { encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const file = new h5wasm.File(h5, 'r');
    try {
      const locs = file.get('locs') as unknown as { dtype: [string, string][]; value: number[][] };
      const names = locs.dtype.map(([name]) => name);
      assert.deepEqual(names, ['frame', 'x', 'y', 'z', 'photons', 'sx', 'sy', 'bg', 'lpx', 'lpy', 'lpz', 'log_likelihood', 'iterations']);
      const cells = first.split(',').map(Number);
      assert.ok(Math.abs(locs.value[0][3] - cells[15]) < 0.01, 'z in nm');
      assert.ok(Math.abs(locs.value[0][10] - cells[16]) < 0.01, 'lpz in nm');
      assert.ok(Math.abs(locs.value[0][5] - cells[17] / 100) < 1e-4, 'sx = sigma1 in px');
    } finally {
      file.close();
    }
    // Merging carries z: weighted by 1/uncertainty_z², its uncertainty recomputed.
    const merged = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'merged.csv'), '--calibration', calibration, '--merge', '--quiet'], { encoding: 'utf8' });
    assert.equal(merged.status, 0, merged.stderr);
    const [mh, ...mrows] = readFileSync(join(dir, 'merged.merged.csv'), 'utf8').trim().split('\n');
    const names = mh.split(',').map((h) => h.replace(/"/g, ''));
    const [zi, uzi, di] = ['z [nm]', 'uncertainty_z [nm]', 'detections'].map((h) => names.indexOf(h));
    assert.ok(zi > 0 && uzi > 0 && di > 0, mh);
    const several = mrows.map((r) => r.split(',').map(Number)).filter((r) => r[di] > 1);
    assert.ok(several.length > 0, 'some molecules merged several detections');
    for (const r of several) assert.ok(Number.isFinite(r[zi]) && r[uzi] > 0, `z ${r[zi]}, uncertainty_z ${r[uzi]}`);
    const wrongPixel = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', join(dir, 'wrong.csv'), '--calibration', calibration, '--pixel-size', '160'], { encoding: 'utf8' });
    assert.equal(wrongPixel.status, 2);
    assert.match(wrongPixel.stderr, /--calibration: the calibration was made with 100 nm pixels/);
  });

  test('render --color z: hue from the depth (blue low, red high), brightness from the density', () => {
    const csv = join(dir, 'depths.csv');
    writeFileSync(csv, '"frame","x [nm]","y [nm]","z [nm]","uncertainty [nm]"\n1,150,150,-300,10\n1,450,150,300,10\n1,450,160,300,10\n');
    const png = join(dir, 'depths.png');
    const r = spawnSync(process.execPath, [...CLI, 'render', csv, '-o', png, '--pixel', '100', '--range', '0:600,0:300', '--color', 'z', '--z-range', '-300:300'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const image = decode(readFileSync(png));
    assert.deepEqual([image.width, image.height, image.channels], [6, 3, 3]);
    const at = (c: number, row: number) => [...image.data.subarray(3 * (row * 6 + c), 3 * (row * 6 + c) + 3)];
    const [r1, g1, b1] = at(1, 1);
    const [r4, g4, b4] = at(4, 1);
    assert.ok(b1 > 100 && r1 < 10 && g1 < 10, `z = −300 nm is blue: ${[r1, g1, b1]}`);
    assert.ok(r4 === 255 && g4 < 10 && b4 < 10, `z = +300 nm is red at full density: ${[r4, g4, b4]}`);
    assert.ok(b1 < 255, 'the single localization is dimmer than the pixel of two');
    assert.deepEqual(at(0, 0), [0, 0, 0]);
    const flat = spawnSync(process.execPath, [...CLI, 'render', join(dir, 'astig.csv'), '-o', join(dir, 'flat.png'), '--color', 'depth'], { encoding: 'utf8' });
    assert.equal(flat.status, 2);
  });

  test('3-D output does not depend on the worker count', async () => {
    const stack = join(dir, 'workers.tif');
    writeSimulation(stack, join(dir, 'workers.truth.csv'), { width: 64, height: 64, frames: 200, density: 0.3, seed: 6, astigmatism: { ...DEFAULT_ASTIGMATISM, zRangeNm: [-400, 400] } });
    await localizeStack({ input: stack, output: join(dir, 'w1.csv'), workers: 1, options: { astigmatism: CALIBRATION } });
    const two = await localizeStack({ input: stack, output: join(dir, 'w2.csv'), workers: 2, options: { astigmatism: CALIBRATION } });
    assert.equal(two.workers, 2);
    const one = readFileSync(join(dir, 'w1.csv'), 'utf8');
    assert.ok(one.split('\n').length > 500, 'localizations written');
    assert.equal(readFileSync(join(dir, 'w2.csv'), 'utf8'), one);
  });
});
