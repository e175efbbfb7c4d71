import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulateStack } from '../../src/simulate/simulateStack.js';

test('the scmos preset: a dark stack never clips at 0 ADU (hot pixels\' read noise up to ~60 ADU)', () => {
  let zeros = 0;
  let low = Infinity;
  for (const f of simulateStack({ width: 64, height: 64, frames: 200, density: 0, background: 0, seed: 1, cameraPreset: 'scmos' })) {
    for (const v of f.adu) {
      if (Math.round(v) <= 0) zeros++;
      low = Math.min(low, v);
    }
  }
  assert.equal(zeros, 0, `${zeros} samples at or below 0 ADU (lowest ${low.toFixed(1)})`);
});
