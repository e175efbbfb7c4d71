import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WARM_RADIUS_PX, WarmStarts } from '../../src/fit/WarmStarts.js';
import { Random } from '../../src/simulate/Random.js';

/**
 * Each candidate's warm start is the previous frame's nearest localization within the radius,
 * whatever the frame's size: a small frame (sorted by insertion) and a 2048²-like one (merge
 * sort), localizations given in row order as detection gives them, some sharing an x.
 */
test('warm starts find the nearest previous localization, for small and large frames', () => {
  for (const count of [20, 3000]) {
    const rng = new Random(7 + count);
    const random = () => rng.uniform();
    const size = Math.sqrt(count) * 8;
    const px: number[] = [];
    const py: number[] = [];
    for (let i = 0; i < count; i++) {
      // Every tenth shares the previous one's x (ties in the sort), the rest anywhere.
      px.push(i % 10 === 9 ? px[i - 1] : random() * size);
      py.push(random() * size);
    }
    const rowOrder = [...px.keys()].sort((a, b) => py[a] - py[b]);
    const warm = new WarmStarts();
    warm.begin(count);
    for (const i of rowOrder) warm.add(px[i], py[i], 1000 + i, 10, 1.3);
    warm.end();
    const n = 4 * count;
    const column = new Int32Array(n);
    const row = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      // Half near a previous localization, half anywhere.
      const near = p % 2 === 0 ? p % count : -1;
      column[p] = Math.floor(near >= 0 ? px[near] + (random() - 0.5) : random() * size);
      row[p] = Math.floor(near >= 0 ? py[near] + (random() - 0.5) : random() * size);
    }
    const origin = new Int32Array(n);
    const start = { x: new Float64Array(n), y: new Float64Array(n), photons: new Float64Array(n), background: new Float64Array(n), sigma: new Float64Array(n) };
    warm.find(n, column, row, origin, origin, start);
    let found = 0;
    for (let p = 0; p < n; p++) {
      const cx = column[p] + 0.5;
      const cy = row[p] + 0.5;
      let best = -1;
      let bestD2 = WARM_RADIUS_PX ** 2;
      for (let i = 0; i < count; i++) {
        const d2 = (px[i] - cx) ** 2 + (py[i] - cy) ** 2;
        if (d2 <= bestD2) [best, bestD2] = [i, d2];
      }
      if (best < 0) {
        assert.ok(Number.isNaN(start.x[p]), `count ${count}, candidate ${p}: no start`);
        continue;
      }
      found++;
      assert.equal(start.photons[p], 1000 + best, `count ${count}, candidate ${p}: the nearest`);
      assert.equal(start.x[p], px[best]);
      assert.equal(start.y[p], py[best]);
    }
    assert.ok(found >= n / 4, `count ${count}: ${found} of ${n} candidates had a neighbour`);
  }
});
