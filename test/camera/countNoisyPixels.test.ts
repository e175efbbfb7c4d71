import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countNoisyPixels, NOISY_PIXEL_LIMITS } from '../../src/camera/countNoisyPixels.js';
import { estimateCamera } from '../../src/camera/estimateCamera.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { SimulateStackOptions } from '../../src/simulate/simulateStack.js';

function share(sim: SimulateStackOptions): number {
  const frames = [...simulateStack({ width: 64, height: 64, frames: 60, seed: 3, ...sim })].map((f) => ({ width: 64, height: 64, data: Uint16Array.from(f.adu, (v) => Math.max(0, Math.min(65535, Math.round(v)))) }));
  const e = estimateCamera(frames);
  const c = countNoisyPixels(frames, e.slopeAdu, e.interceptAdu2);
  return c.noisy / c.pixels;
}

test('countNoisyPixels: an sCMOS sensor without maps shows its hot pixels; dense spots and uniform cameras do not', () => {
  // Measured on 100 frames, seed 3: scmos 1.8 %, every other 0.00 % (dense 3 emitters/µm² included).
  assert.ok(share({ cameraPreset: 'scmos', density: 1 }) > NOISY_PIXEL_LIMITS.warnShare);
  for (const sim of [{ density: 3 }, { cameraPreset: 'ccd', density: 1 }, { cameraPreset: 'emccd', density: 1 }] as const) {
    assert.ok(share(sim) < NOISY_PIXEL_LIMITS.warnShare / 2, JSON.stringify(sim));
  }
  assert.deepEqual(countNoisyPixels([{ width: 2, height: 1, data: new Uint16Array(2) }], 1, 1), { noisy: 0, pixels: 0 }, 'too few frames: nothing judged');
});
