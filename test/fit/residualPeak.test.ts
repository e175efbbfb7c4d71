import assert from 'node:assert/strict';
import { test } from 'node:test';
import { residualPeak } from '../../src/fit/residualPeak.js';
import type { ResidualPeak } from '../../src/fit/residualPeak.js';
import { Random } from '../../src/simulate/Random.js';

const peak = (): ResidualPeak => ({ column: 0, row: 0, excess: 0, significance: 0 });

test('residualPeak: the row-then-column sums (rowSums given) find the peak the 3×3 sums find', () => {
  // The crowding resolver's check (CrowdingResolver.explains) takes the separable form, the
  // selections the direct one: the same peak, and the same sums to rounding (1e-9 relative: 9
  // terms of ~10² photons added in two orders differ in the last bits only).
  const rng = new Random(17);
  for (const box of [5, 7, 11, 13]) {
    const rowSums = new Float64Array(2 * box * box);
    for (let trial = 0; trial < 40; trial++) {
      const at = trial % 3;
      const data = new Float64Array(at + box * box);
      const mu = new Float64Array(box * box);
      const x = 1 + rng.uniform() * (box - 2);
      const y = 1 + rng.uniform() * (box - 2);
      for (let r = 0; r < box; r++) {
        for (let c = 0; c < box; c++) {
          mu[r * box + c] = 10 + 5 * rng.uniform();
          const spot = 200 * Math.exp(-((c + 0.5 - x) ** 2 + (r + 0.5 - y) ** 2) / (2 * 1.3 ** 2));
          data[at + r * box + c] = rng.poisson(mu[r * box + c] + (trial % 2 ? spot : 0));
        }
      }
      for (const margin of [0, 1, 2]) {
        const direct = residualPeak(data, at, mu, box, peak(), margin);
        const separable = residualPeak(data, at, mu, box, peak(), margin, rowSums);
        assert.equal(separable.column, direct.column, `box ${box}, trial ${trial}, margin ${margin}: column`);
        assert.equal(separable.row, direct.row, `box ${box}, trial ${trial}, margin ${margin}: row`);
        assert.ok(Math.abs(separable.excess - direct.excess) <= 1e-9 * Math.max(1, Math.abs(direct.excess)), `excess ${separable.excess} vs ${direct.excess}`);
        assert.ok(Math.abs(separable.significance - direct.significance) <= 1e-9 * Math.max(1, Math.abs(direct.significance)), `significance ${separable.significance} vs ${direct.significance}`);
      }
    }
  }
});
