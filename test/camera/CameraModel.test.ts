import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselineWarning, resolveCamera, toPhotons } from '../../src/camera/CameraModel.js';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';

test('ADU → photons = (ADU − baseline) · photonsPerAdu / emGain / qe, negatives kept', () => {
  const camera = resolveCamera({ pixelSizeNm: 100, baselineAdu: 400, photonsPerAdu: 3.6, emGain: 100, qe: 0.9 });
  const photons = new Float64Array(3);
  toPhotons(camera, Uint16Array.from([400, 1400, 390]), photons);
  const f = 3.6 / 100 / 0.9;
  assert.deepEqual(Array.from(photons), [0, 1000 * f, -10 * f]);
});

test('defaults: base level 100 ADU, 1 photoelectron/ADU, no EM gain, QE 1', () => {
  const camera = resolveCamera({ pixelSizeNm: 80 });
  assert.equal(camera.baselineAdu, 100);
  assert.equal(camera.photonsPerAduNet, 1);
});

test('impossible values are refused with the option named', () => {
  const bad: [Parameters<typeof resolveCamera>[0], RegExp][] = [
    [{ pixelSizeNm: 0 }, /pixel size/],
    [{ pixelSizeNm: 100, emGain: 0 }, /EM gain/],
    [{ pixelSizeNm: 100, emGain: -3 }, /EM gain/],
    [{ pixelSizeNm: 100, photonsPerAdu: 0 }, /photoelectrons per A\/D count/],
    [{ pixelSizeNm: 100, qe: 1.2 }, /quantum efficiency/],
    [{ pixelSizeNm: 100, baselineAdu: Number.NaN }, /base level/],
  ];
  for (const [options, message] of bad) assert.throws(() => resolveCamera(options), (e: unknown) => e instanceof InvalidOptionError && message.test(e.message));
});

test('a warning when the base level exceeds most pixels of a frame, none otherwise', () => {
  const frame = Uint16Array.from({ length: 100 }, (_, i) => 100 + i);
  assert.match(baselineWarning(resolveCamera({ pixelSizeNm: 100, baselineAdu: 180 }), frame) ?? '', /above 80 % of the pixels/);
  assert.equal(baselineWarning(resolveCamera({ pixelSizeNm: 100, baselineAdu: 100 }), frame), undefined);
});
