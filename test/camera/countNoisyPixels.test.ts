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

test('countNoisyPixels: the medians by selection count what medians by sorting count (ties, NaN, odd and even frame counts)', () => {
  /** The definition, with sorted copies: each pixel's median of (x_{t+1} − x_t)²/2 and of its values. */
  function reference(frames: { width: number; height: number; data: ArrayLike<number> }[], slope: number, intercept: number): number {
    const n = Math.min(frames.length, NOISY_PIXEL_LIMITS.maxFrames);
    const { width, height } = frames[0];
    const variance = new Float64Array(width * height);
    const level = new Float64Array(width * height);
    for (let k = 0; k < width * height; k++) {
      const v = Float64Array.from({ length: n }, (_, t) => frames[t].data[k]);
      const d = Float64Array.from({ length: n - 1 }, (_, t) => (v[t + 1] - v[t]) ** 2 / 2).sort();
      variance[k] = d[(n - 1) >> 1] / 0.4549364;
      level[k] = v.sort()[n >> 1];
    }
    let noisy = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const k = y * width + x;
        if (!(variance[k] > NOISY_PIXEL_LIMITS.varianceRatio * Math.max(slope * level[k] + intercept, 1e-6))) continue;
        const around: number[] = [];
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && x + dx >= 0 && y + dy >= 0 && x + dx < width && y + dy < height) around.push(variance[(y + dy) * width + x + dx]);
        around.sort((a, b) => a - b);
        if (variance[k] > NOISY_PIXEL_LIMITS.varianceRatio * around[around.length >> 1]) noisy++;
      }
    }
    return noisy;
  }
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (const frames of [10, 11, 50, 57]) {
    const width = 37;
    const height = 29; // not a multiple of the blocks of pixels
    const stack = Array.from({ length: frames }, () => {
      // Few levels (many ties), a few pixels with wild noise, a NaN now and then (float frames).
      const data = Float32Array.from({ length: width * height }, (_, k) => (k % 53 === 0 ? random() * 400 : 100 + Math.floor(random() * 6)));
      if (random() < 0.2) data[Math.floor(random() * data.length)] = Number.NaN;
      return { width, height, data };
    });
    const expected = reference(stack, 1, 1);
    assert.ok(expected > 0, 'the case has noisy pixels to count');
    assert.equal(countNoisyPixels(stack, 1, 1).noisy, expected, `${frames} frames`);
  }
});
