import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { PROGRESS_EMITTERS, resolveSimulateStackOptions, simulateStack } from '../../src/simulate/simulateStack.js';

test('densities that cannot fit are refused: more emitters than pixels, or than fit at the minimum separation', () => {
  // 64×64 px of 100 nm: 40.96 µm², 4096 pixels; 100 per µm² is one emitter a pixel.
  assert.doesNotThrow(() => resolveSimulateStackOptions({ density: 100 }));
  assert.throws(() => resolveSimulateStackOptions({ density: 10000 }), (e: unknown) => {
    assert.ok(e instanceof InvalidOptionError);
    assert.equal(e.option, 'density');
    assert.match(e.message, /density of 10000 per µm² puts 409600 emitters in a 64×64 px frame, more than its 4096 pixels: at most 100 per µm² at 100 nm pixels/);
    return true;
  });
  // Discs of 200 nm: 0.0314 µm² each, 54.7 % coverage at most: 17.4 per µm².
  assert.throws(() => resolveSimulateStackOptions({ density: 50, minSeparationNm: 200 }), /cannot be placed 200 nm apart: at most 17\.4 per µm² fit at that separation/);
  assert.doesNotThrow(() => resolveSimulateStackOptions({ density: 5, minSeparationNm: 200 }));
});

test('emitters on together keep the minimum separation (the grid finds every close pair)', () => {
  const separation = 150;
  for (const frame of simulateStack({ frames: 8, density: 5, minSeparationNm: separation, seed: 9 })) {
    const { x, y } = frame.truth;
    assert.ok(x.length > 50, `${x.length} emitters on in frame ${frame.index}`);
    for (let i = 0; i < x.length; i++) {
      for (let j = i + 1; j < x.length; j++) assert.ok(Math.hypot(x[i] - x[j], y[i] - y[j]) >= separation, `frame ${frame.index}: emitters ${i}, ${j}`);
    }
  }
});

test('a dense frame reports progress while its emitters are placed and drawn', () => {
  const calls: [number, number][] = [];
  // 256×256 px at 50 per µm²: ~32 768 emitters placed and as many drawn in the first frame.
  const frames = simulateStack({ width: 256, height: 256, frames: 1, density: 50, onEmitters: (index, emitters) => calls.push([index, emitters]) });
  const first = frames.next();
  assert.equal(first.done, false);
  assert.ok(calls.length >= 1, 'at least one report inside the first frame');
  assert.deepEqual(calls[0], [0, PROGRESS_EMITTERS]);
});
