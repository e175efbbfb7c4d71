import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Candidates } from '../../src/detect/Candidates.js';
import { defaultBox, extractPatches } from '../../src/patches/extractPatches.js';

test('default box: 2⌈2σ⌉+1, at least 5', () => {
  assert.equal(defaultBox(1.0), 5);
  assert.equal(defaultBox(1.3), 7);
  assert.equal(defaultBox(0.6), 5);
  assert.equal(defaultBox(2.1), 11);
});

test('windows are centred on candidates and shifted inwards at the border, never dropped', () => {
  const width = 10;
  const height = 8;
  const image = Float64Array.from({ length: width * height }, (_, i) => i);
  const c = new Candidates();
  c.push(4, 5, 1); // interior
  c.push(0, 0, 1); // corner
  c.push(7, 9, 1); // opposite corner
  const box = 5;
  const patches = new Float64Array(3 * 25);
  const oc = new Int32Array(3);
  const or = new Int32Array(3);
  extractPatches(image, width, height, c, box, { patches, originColumn: oc, originRow: or });
  assert.deepEqual([Array.from(or), Array.from(oc)], [[2, 0, 3], [3, 0, 5]]);
  for (let p = 0; p < 3; p++) {
    for (let r = 0; r < box; r++) for (let k = 0; k < box; k++) assert.equal(patches[p * 25 + r * box + k], (or[p] + r) * width + oc[p] + k);
  }
});
