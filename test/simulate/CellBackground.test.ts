import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { CELL_BACKGROUND_DEFAULTS, CellBackground, resolveCellBackgroundOptions } from '../../src/simulate/CellBackground.js';
import { CAMERA_PRESETS } from '../../src/simulate/cameraPresets.js';
import { resolveSimulateStackOptions, simulateStack } from '../../src/simulate/simulateStack.js';
import { settingsPath, writeSimulation } from '../../src/simulate/writeSimulation.js';
import { run } from '../../src/cli/simulateCommand.js';

const FIELD = { width: 96, height: 96, frames: 60, seed: 21 } as const;

/** Every frame of a simulation (ADU and truth). */
function frames(options: Parameters<typeof simulateStack>[0]) {
  return [...simulateStack(options)];
}

test('the cell background is deterministic from the seed, and a new seed makes another cell', () => {
  const a = frames({ ...FIELD, frames: 5, cellBackground: {} });
  const b = frames({ ...FIELD, frames: 5, cellBackground: {} });
  const c = frames({ ...FIELD, frames: 5, seed: 22, cellBackground: {} });
  for (let f = 0; f < a.length; f++) assert.deepEqual(a[f].adu, b[f].adu, `frame ${f}`);
  assert.notDeepEqual(a[0].adu, c[0].adu);
});

test('off by default; on, it changes the pixels but not the first frame\'s emitters (a generator of its own)', () => {
  const plain = frames({ ...FIELD, frames: 10 });
  const cells = frames({ ...FIELD, frames: 10, cellBackground: {} });
  assert.equal(resolveSimulateStackOptions({}).cellBackground, undefined);
  let brighter = 0;
  // Later frames differ: the Poisson draws of brighter pixels take other numbers from the generator.
  assert.deepEqual(cells[0].truth.x, plain[0].truth.x);
  assert.deepEqual(cells[0].truth.y, plain[0].truth.y);
  for (let f = 0; f < plain.length; f++) {
    for (const b of plain[f].truth.background) assert.equal(b, 20);
    let sumPlain = 0;
    let sumCells = 0;
    for (let i = 0; i < plain[f].adu.length; i++) {
      sumPlain += plain[f].adu[i];
      sumCells += cells[f].adu[i];
    }
    if (sumCells > sumPlain + 10 * plain[f].adu.length) brighter++;
  }
  // The cells add tens of photons per pixel on average: every frame is brighter.
  assert.equal(brighter, plain.length);
});

test('the cell background stays within its bound, covers part of the field with structure, and bleaches', () => {
  const o = resolveCellBackgroundOptions({});
  const tau = 40;
  const cells = new CellBackground(128, 128, 100, 200, 5, { ...o, bleachFrames: tau });
  const image = new Float64Array(128 * 128);
  const means: number[] = [];
  for (const f of [0, tau, 2 * tau]) {
    cells.render(image, f);
    let max = 0;
    let sum = 0;
    for (const v of cells.field) {
      max = Math.max(max, v);
      sum += v;
    }
    // Within the bound at every frame: the peak times the bleaching factor (float rounding only).
    assert.ok(max <= CELL_BACKGROUND_DEFAULTS.peakPhotons * Math.exp(-f / tau) + 1e-9, `frame ${f}: max ${max}`);
    means.push(sum / cells.field.length);
  }
  // Bright at the start: bodies of 25–55 % of the peak plus vesicles reach over half of it.
  cells.render(image, 0);
  const sorted = Float64Array.from(cells.field).sort();
  assert.ok(sorted[sorted.length - 1] > 0.5 * CELL_BACKGROUND_DEFAULTS.peakPhotons, `brightest ${sorted[sorted.length - 1]}`);
  // Structured, far from flat: the 10th and 90th percentiles lie over 15 % of the peak apart.
  const p10 = sorted[Math.floor(0.1 * sorted.length)];
  const p90 = sorted[Math.floor(0.9 * sorted.length)];
  assert.ok(p90 - p10 > 0.15 * CELL_BACKGROUND_DEFAULTS.peakPhotons, `10th percentile ${p10}, 90th ${p90}`);
  // Bleaching: the mean falls by e per τ; blinking and drifting vesicles move it a little (±15 %).
  for (const k of [1, 2]) {
    const ratio = means[k] / means[0];
    assert.ok(Math.abs(ratio / Math.exp(-k) - 1) < 0.15, `after ${k}τ the mean is ${ratio.toFixed(3)} of the first frame's, expected ${Math.exp(-k).toFixed(3)}`);
  }
});

test('the truth gives each emitter its local background: the flat one plus the cell under it', () => {
  const sim = frames({ ...FIELD, frames: 20, cellBackground: {} });
  let above = 0;
  let count = 0;
  for (const frame of sim) {
    for (const b of frame.truth.background) {
      assert.ok(b >= 20 && b <= 20 + CELL_BACKGROUND_DEFAULTS.peakPhotons, `background ${b}`);
      if (b > 21) above++;
      count++;
    }
  }
  assert.ok(count > 50 && above > 0.3 * count, `${above} of ${count} emitters over the cell`);
});

test('options are checked, naming the option', () => {
  assert.throws(() => resolveSimulateStackOptions({ cellBackground: { peakPhotons: -1 } }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'cellBackground.peakPhotons');
  assert.throws(() => resolveSimulateStackOptions({ cellBackground: { cells: 0 } }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'cellBackground.cells');
  assert.throws(() => resolveSimulateStackOptions({ cameraPreset: 'cmos' as 'scmos' }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'cameraPreset');
});

test('camera presets set the camera, explicit options win, and the mean ADU follows the preset', () => {
  for (const [name, preset] of Object.entries(CAMERA_PRESETS)) {
    const o = resolveSimulateStackOptions({ cameraPreset: name as keyof typeof CAMERA_PRESETS });
    for (const [key, value] of Object.entries(preset)) assert.equal(o[key as keyof typeof o], value, `${name}: ${key}`);
  }
  assert.equal(resolveSimulateStackOptions({ cameraPreset: 'emccd', baselineAdu: 200 }).baselineAdu, 200);
  for (const name of ['ccd', 'emccd'] as const) {
    const p = CAMERA_PRESETS[name];
    const [frame] = frames({ width: 64, height: 64, frames: 1, density: 0, cameraPreset: name, seed: 3 });
    const mean = frame.adu.reduce((s, v) => s + v, 0) / frame.adu.length;
    const expected = p.baselineAdu + (20 * p.emGain) / p.photonsPerAdu;
    // 4096 pixels: the mean's standard error is under 1 % of the signal for both cameras.
    assert.ok(Math.abs(mean - expected) < 0.03 * (expected - p.baselineAdu), `${name}: mean ${mean}, expected ${expected}`);
  }
});

test('the settings file tells the camera; the TIFF does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbg-'));
  try {
    const description = (path: string) => {
      const text = readFileSync(path).toString('latin1');
      const start = text.indexOf('ImageJ=');
      return text.slice(start, text.indexOf('\0', start));
    };
    writeSimulation(join(dir, 'plain.tif'), join(dir, 'plain.truth.csv'), { frames: 2 });
    const r = writeSimulation(join(dir, 'em.tif'), join(dir, 'em.truth.csv'), { frames: 2, cameraPreset: 'emccd', cellBackground: { peakPhotons: 100 } });
    assert.equal(r.settings, settingsPath(join(dir, 'em.truth.csv')));
    const settings = JSON.parse(readFileSync(r.settings, 'utf8'));
    assert.deepEqual(settings.camera, { preset: 'emccd', ...CAMERA_PRESETS.emccd });
    assert.equal(settings.cellBackground.peakPhotons, 100);
    assert.equal(description(join(dir, 'em.tif')), description(join(dir, 'plain.tif')));
    assert.doesNotMatch(description(join(dir, 'em.tif')), /gain|offset|baseline|emccd/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simulate --cell-background and --camera-preset reach the simulation; --cell-peak alone is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellbg-'));
  try {
    const lines: string[] = [];
    run([join(dir, 'c.tif'), '--frames', '2', '--cell-background', '--cell-peak', '120', '--cell-bleach', '50', '--camera-preset', 'ccd', '--quiet'], (l) => lines.push(l));
    const settings = JSON.parse(readFileSync(join(dir, 'c.truth.json'), 'utf8'));
    assert.equal(settings.camera.preset, 'ccd');
    assert.equal(settings.camera.baselineAdu, CAMERA_PRESETS.ccd.baselineAdu);
    assert.deepEqual(settings.cellBackground, { ...CELL_BACKGROUND_DEFAULTS, peakPhotons: 120, bleachFrames: 50 });
    assert.throws(() => run([join(dir, 'd.tif'), '--cell-peak', '120', '--quiet'], () => {}), /--cell-peak needs --cell-background/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
