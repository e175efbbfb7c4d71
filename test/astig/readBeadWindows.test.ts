import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beadWindowsOf } from '../../src/astig/readBeadWindows.js';
import { simulateBeadStack } from '../../src/simulate/simulateBeadStack.js';

/**
 * A double-helix-like bead stack: two Gaussian lobes (σ 1.2 px) 1.75 px either side of each
 * bead's centre, turning half a turn over the stack, so the mean image is a ring brightest on
 * its lobes' path, not at the bead (as in storm-analysis's double-helix beads).
 */
function helixStack(centres: readonly [number, number][], frames = 30, size = 96): Float64Array[] {
  const stack: Float64Array[] = [];
  for (let k = 0; k < frames; k++) {
    const angle = (Math.PI * k) / frames;
    const image = new Float64Array(size * size).fill(10);
    for (const [cx, cy] of centres) {
      for (const sign of [-1, 1]) {
        const lx = cx + sign * 1.75 * Math.cos(angle);
        const ly = cy + sign * 1.75 * Math.sin(angle);
        for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) image[r * size + c] += 500 * Math.exp(-((c - lx) ** 2 + (r - ly) ** 2) / (2 * 1.2 * 1.2));
      }
    }
    stack.push(image);
  }
  return stack;
}

describe('beadWindowsOf', () => {
  it('centres a window on a double-helix bead, not on a lobe of its ring', () => {
    // Centres at integer and half-integer pixels; the ring's brightest pixel is 1–2 px off each.
    const centres: [number, number][] = [[20, 20], [60.5, 21], [22, 62.4], [63, 63]];
    const w = beadWindowsOf(helixStack(centres), 96, 96, 27);
    assert.equal(w.positions.length, 4, JSON.stringify(w.positions));
    for (const [cx, cy] of centres) {
      const found = w.positions.find(([c, r]) => Math.hypot(c - cx, r - cy) < 3);
      assert.ok(found, `no bead near (${cx}, ${cy}): ${JSON.stringify(w.positions)}`);
      // The nearest pixel to the true centre (a half pixel may round either way).
      assert.ok(Math.abs(found[0] - cx) <= 0.5 && Math.abs(found[1] - cy) <= 0.5, `bead (${cx}, ${cy}) centred at (${found.join(', ')})`);
    }
  });

  it('still leaves out two beads whose windows overlap, and counts those at the edge', () => {
    const w = beadWindowsOf(helixStack([[30, 40], [45, 40], [70, 70], [6, 80]]), 96, 96, 21);
    assert.deepEqual(w.positions, [[70, 70]]);
    assert.equal(w.overlapping, 2);
    assert.equal(w.nearEdge, 1);
  });

  it('finds a bead beside a saturated one at its own centre, not pulled toward it', () => {
    // 65 nm pixels, a water objective with coma and trefoil (wide halos), one bead 40× brighter
    // and saturated 29 px from a normal one: its halo set the smoothing wide (σ up to box/6) and
    // reached into the other's centroid, which wandered 5 px toward it, its window then
    // overlapping the bright one's (both left out: 5 of 9 beads found, against 7).
    const pixel = 65;
    const positions = [[71.3, 23.2], [81.6, 51.4, 40], [26.2, 32.1], [43.4, 77.2], [91.2, 80.1], [20.5, 105.3], [64.2, 108.7], [111.4, 110.1]].map(([x, y, scale]) => ({ xNm: x * pixel, yNm: y * pixel, photons: 30000 * (scale ?? 1) }));
    const stack = simulateBeadStack({ width: 128, height: 128, pixelSizeNm: pixel, frames: 21, zStartNm: -800, zStepNm: 80, positions, pupil: { numericalAperture: 1.27, immersionIndex: 1.33, wavelengthNm: 680, astigmatismNm: 90, comaNm: 30, trefoilNm: 25, sphericalNm: 50 }, background: 50, seed: 3 });
    const w = beadWindowsOf(stack.frames.map((f) => f.map((v) => Math.max(0, v - 100))), 128, 128, 27);
    for (const [x, y] of [[71.3, 23.2], [91.2, 80.1]]) {
      const found = w.positions.find(([c, r]) => Math.hypot(c - x, r - y) < 8);
      assert.ok(found, `the bead at (${x}, ${y}) px is missing: ${JSON.stringify(w.positions)}`);
      assert.ok(Math.hypot(found[0] - x, found[1] - y) < 1.5, `the bead at (${x}, ${y}) px centred at (${found.join(', ')})`);
    }
  });
});
