/**
 * localize() on frames given as an Observable or an async iterable: the camera and the σ not
 * given are estimated from the first frames (buffered, then replayed), as for a path, not the
 * defaults (100 ADU, 1 e⁻/ADU, 130 nm) taken silently.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { from, lastValueFrom, toArray } from 'rxjs';
import { GAIN_RELATIVE_SD_WARNING, SIGMA_CROP_PX, settingsFromFrames } from '../../pipelines/estimateRunSettings.js';
import { localize } from '../../pipelines/localize.js';
import { readFrames } from '../../src/io/framesFromTiff.js';
import type { Frame } from '../../src/io/Frame.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-stream-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// The ccd preset (base 400 ADU, 2 e⁻/ADU) and σ 160 nm: the defaults are wrong on every count.
const SIM = { width: 48, height: 48, frames: 60, density: 0.5, minSeparationNm: 800, photons: 2000, seed: 7, cameraPreset: 'ccd', psfSigmaNm: 160 } as const;

function rows(batches: LocalizationBatch[]): string[] {
  return batches.flatMap((b) => Array.from({ length: b.count }, (_, i) => `${b.frame},${b.x[i]},${b.y[i]},${b.intensity[i]},${b.offset[i]}`));
}

test('Observable and async-iterable frames get the settings estimated from their first frames, as a path does', async () => {
  const stack = join(dir, 'ccd.tif');
  writeSimulation(stack, join(dir, 'ccd.truth.csv'), SIM);
  const path = rows(await lastValueFrom(localize(stack).pipe(toArray())));
  assert.ok(path.length > 100, `${path.length} rows`);
  const frames: Frame[] = [...simulateStack(SIM)].map((f) => ({ index: f.index, width: SIM.width, height: SIM.height, data: Uint16Array.from(f.adu, (v) => Math.max(0, Math.min(65535, Math.round(v)))) }));
  const warnings: string[] = [];
  const pushed = rows(await lastValueFrom(localize(from(frames), { camera: { pixelSizeNm: 100 }, onWarning: (w) => warnings.push(w) }).pipe(toArray())));
  assert.deepEqual(pushed, path, 'the Observable: the rows of the path');
  const pulled = rows(await lastValueFrom(localize(readFrames(stack), { camera: { pixelSizeNm: 100 } }).pipe(toArray())));
  assert.deepEqual(pulled, path, 'the async iterable: the rows of the path');
  // 60 frames of 48×48 px leave the gain ≈ 10 % uncertain: that warning only.
  assert.equal(warnings.filter((w) => !/gain estimated from 60 frames is uncertain/.test(w)).length, 0, warnings.join('\n'));
  // Given settings that contradict the data are said through onWarning (the step runs for the σ).
  await lastValueFrom(localize(from(frames), { camera: { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1 }, onWarning: (w) => warnings.push(w) }).pipe(toArray()));
  assert.ok(warnings.some((w) => /^frames: the camera settings \(--baseline 100, --photons-per-adu 1, .*contradict the data/.test(w)), warnings.join('\n'));
});

test('an uncertain estimated gain (few frames: > 5 % sd) is warned about, naming the flags and calibrate-camera', () => {
  const frames: Frame[] = [...simulateStack({ ...SIM, frames: 3 })].map((f) => ({ index: f.index, width: SIM.width, height: SIM.height, data: Uint16Array.from(f.adu, (v) => Math.max(0, Math.round(v))) }));
  const warnings: string[] = [];
  const { settings } = settingsFromFrames(frames, { camera: { pixelSizeNm: 100 }, psfSigmaNm: 160 }, undefined, (w) => warnings.push(w));
  const e = settings.camera.estimate;
  assert.ok(e && e.photonsPerAduSd / e.photonsPerAdu > GAIN_RELATIVE_SD_WARNING, `sd ${e?.photonsPerAduSd} of ${e?.photonsPerAdu}`);
  assert.ok(warnings.some((w) => /gain estimated from 3 frames is uncertain: .*--photons-per-adu and --baseline \(calibrate-camera/.test(w)), warnings.join('\n'));
});

test('an sCMOS stack without maps: the hot pixels are said, naming calibrate-camera and --variance-map', () => {
  const sim = { width: 64, height: 64, frames: 60, density: 1, seed: 3, cameraPreset: 'scmos' } as const;
  const frames: Frame[] = [...simulateStack(sim)].map((f) => ({ index: f.index, width: 64, height: 64, data: Uint16Array.from(f.adu, (v) => Math.max(0, Math.round(v))) }));
  const warnings: string[] = [];
  settingsFromFrames(frames, { camera: { pixelSizeNm: 100 }, psfSigmaNm: 130 }, undefined, (w) => warnings.push(w));
  assert.ok(warnings.some((w) => /pixels \([\d.]+ %\) are far noisier .*calibrate-camera .*--variance-map/.test(w)), warnings.join('\n'));
});

test('settingsFromFrames: frames wider than SIGMA_CROP_PX have σ measured in their central square', () => {
  // 1100 × 40 px frames: σ is measured in the central 1024 × 40 px (columns 38…1061), the same
  // as on frames cut there by hand. The camera is given, so both runs convert alike.
  const width = 1100;
  const height = 40;
  const sim = { width, height, frames: 3, density: 1.5, seed: 4 };
  const full: Frame[] = [...simulateStack(sim)].map((f) => ({ index: f.index, width, height, data: Uint16Array.from(f.adu, (v) => Math.max(0, Math.round(v))) }));
  const x0 = (width - SIGMA_CROP_PX) >> 1;
  const cut: Frame[] = full.map((f) => {
    const data = new Uint16Array(SIGMA_CROP_PX * height);
    for (let r = 0; r < height; r++) data.set(f.data.subarray(r * width + x0, r * width + x0 + SIGMA_CROP_PX), r * SIGMA_CROP_PX);
    return { index: f.index, width: SIGMA_CROP_PX, height, data };
  });
  const options = { camera: { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1.5 } };
  const a = settingsFromFrames(full, options, undefined, () => {}).settings.psfSigma.estimate;
  const b = settingsFromFrames(cut, options, undefined, () => {}).settings.psfSigma.estimate;
  assert.ok(a && b && a.spots >= 20, `spots ${a?.spots}`);
  assert.deepEqual(a, b);
  assert.ok(Math.abs(a.sigmaNm - 130) < 10, `σ ${a.sigmaNm}`);
});

test('settingsFromFrames: the central square of frames with sensor maps takes the maps under it', () => {
  // An offset and a variance map that vary along the columns (100 + 0.2·column ADU, 2 + 0.01·column
  // ADU²): σ on 1100 px wide frames equals σ on their central 1024 px with the maps cut alike.
  const width = 1100;
  const height = 40;
  const sim = { width, height, frames: 3, density: 1.5, seed: 6, baselineAdu: 0 };
  const offset = Float32Array.from({ length: width * height }, (_, i) => 100 + 0.2 * (i % width));
  const variance = Float32Array.from({ length: width * height }, (_, i) => 2 + 0.01 * (i % width));
  const full: Frame[] = [...simulateStack(sim)].map((f) => ({ index: f.index, width, height, data: Uint16Array.from(f.adu, (v, i) => Math.max(0, Math.round(v + offset[i]))) }));
  const x0 = (width - SIGMA_CROP_PX) >> 1;
  const cutMap = (map: Float32Array) => Float32Array.from({ length: SIGMA_CROP_PX * height }, (_, i) => map[Math.floor(i / SIGMA_CROP_PX) * width + x0 + (i % SIGMA_CROP_PX)]);
  const cut: Frame[] = full.map((f) => ({ index: f.index, width: SIGMA_CROP_PX, height, data: Uint16Array.from({ length: SIGMA_CROP_PX * height }, (_, i) => f.data[Math.floor(i / SIGMA_CROP_PX) * width + x0 + (i % SIGMA_CROP_PX)]) }));
  const camera = { pixelSizeNm: 100, photonsPerAdu: 1 };
  const a = settingsFromFrames(full, { camera: { ...camera, maps: { width, height, offsetAdu: offset, varianceAdu2: variance } } }, undefined, () => {}).settings.psfSigma.estimate;
  const b = settingsFromFrames(cut, { camera: { ...camera, maps: { width: SIGMA_CROP_PX, height, offsetAdu: cutMap(offset), varianceAdu2: cutMap(variance) } } }, undefined, () => {}).settings.psfSigma.estimate;
  assert.ok(a && b && a.spots >= 20, `spots ${a?.spots}`);
  assert.deepEqual(a, b);
});
