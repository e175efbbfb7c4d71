import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beadWindowsOf } from '../../src/astig/readBeadWindows.js';

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

  it('still leaves out two beads whose windows overlap', () => {
    const w = beadWindowsOf(helixStack([[30, 40], [45, 40], [70, 70]]), 96, 96, 21);
    assert.deepEqual(w.positions, [[70, 70]]);
    assert.equal(w.overlapping, 2);
  });
});
