import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveCamera } from '../../src/camera/CameraModel.js';
import { resolveDetectOptions } from '../../src/detect/DetectOptions.js';
import { PERSISTENCE_CROP_PX, PERSISTENCE_FRAMES, PERSISTENT_WARNING, PersistentSpots } from '../../src/detect/PersistentSpots.js';
import type { SimulateStackOptions } from '../../src/simulate/simulateStack.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';

const SIZE = 128;

/** The check after the first frames of a simulation (the simulator's camera: 100 ADU, 1 e⁻/ADU). */
function check(options: SimulateStackOptions, frames = PERSISTENCE_FRAMES): PersistentSpots {
  const camera = resolveCamera({ pixelSizeNm: 100 });
  const spots = new PersistentSpots(SIZE, SIZE, resolveDetectOptions(), camera);
  for (const frame of simulateStack({ width: SIZE, height: SIZE, frames, ...options })) spots.add(frame.adu);
  return spots;
}

test('over a cell background, vesicles stay in place and the check warns, naming the temporal median', () => {
  for (const seed of [11, 8]) {
    const spots = check({ seed, cellBackground: {} });
    assert.equal(spots.wantsMore, false);
    const warning = spots.warning();
    assert.match(warning ?? '', /spots stayed in place through frames 1–30 .*--background temporal-median/, `seed ${seed}`);
    // The measured counts were 12 and 4 (the warning speaks from 3).
    assert.ok(Number(/^(\d+) spots/.exec(warning ?? '')?.[1]) >= PERSISTENT_WARNING);
  }
});

test('blinking molecules do not stay: no warning on sparse, dense or filament stacks', () => {
  const stacks: [string, SimulateStackOptions][] = [
    ['sparse', { seed: 3, density: 0.2 }],
    ['dense', { seed: 4, density: 1.5 }],
    ['very dense', { seed: 5, density: 3 }],
    ['filaments', { seed: 6, density: 1, structure: 'filaments' }],
  ];
  for (const [name, options] of stacks) {
    const spots = check(options);
    const r = spots.result();
    // Measured: 0 or 1 (a molecule on for 27 of 30 frames, or two overlapping by chance).
    assert.ok(r.persistent < PERSISTENT_WARNING, `${name}: ${r.persistent} persistent of ${r.candidates} a frame`);
    assert.ok(r.candidates > 5, `${name}: the detector finds the molecules (${r.candidates} a frame)`);
    assert.equal(spots.warning(), undefined, name);
  }
});

test('large frames: the check looks at the central square of at most 256 px', () => {
  const spots = new PersistentSpots(600, 200, resolveDetectOptions(), resolveCamera({ pixelSizeNm: 100 }));
  assert.equal(spots.width, PERSISTENCE_CROP_PX);
  assert.equal(spots.height, 200);
});

test('the check speaks only after all its frames', () => {
  const spots = check({ seed: 11, cellBackground: {} }, PERSISTENCE_FRAMES - 1);
  assert.equal(spots.wantsMore, true);
  assert.equal(spots.warning(), undefined);
});
