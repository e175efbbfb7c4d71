import assert from 'node:assert/strict';
import { test } from 'node:test';
import { excessNoiseFactor } from '../../src/camera/excessNoiseFactor.js';
import { resolveCamera } from '../../src/camera/CameraModel.js';

test('excessNoiseFactor: F² = 2 behind an EM register, 1 without, and CameraModel uses it', () => {
  assert.equal(excessNoiseFactor(undefined), 1);
  assert.equal(excessNoiseFactor(1), 1);
  assert.equal(excessNoiseFactor(1.5), 2);
  assert.equal(excessNoiseFactor(300), 2);
  assert.equal(resolveCamera({ pixelSizeNm: 100, emGain: 100 }).excessNoise, excessNoiseFactor(100));
});
