import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/simulate/Random.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import { Structure } from '../../src/simulate/Structure.js';

const region = { x0: 0, y0: 0, width: 8000, height: 6000 };

/** Distance from a point to the polyline with vertices v (x, y interleaved), nm. */
function distanceToPolyline(x: number, y: number, v: Float64Array): number {
  let best = Infinity;
  for (let k = 0; k + 3 < v.length; k += 2) {
    const dx = v[k + 2] - v[k];
    const dy = v[k + 3] - v[k + 1];
    const t = Math.max(0, Math.min(1, ((x - v[k]) * dx + (y - v[k + 1]) * dy) / (dx * dx + dy * dy)));
    best = Math.min(best, Math.hypot(x - v[k] - t * dx, y - v[k + 1] - t * dy));
  }
  return best;
}

test('filaments: every molecule lies on a filament, the filaments stay in the field and run long', () => {
  const rng = new Random(3);
  const s = Structure.create('filaments', region, rng, { count: 3 });
  assert.equal(s.filaments.length, 3);
  for (const v of s.filaments) {
    // A worm-like chain with a 5 µm persistence length crosses a good part of an 8 × 6 µm field.
    assert.ok(v.length / 2 > 50, `${v.length / 2} vertices of 20 nm`);
    for (let k = 0; k < v.length; k += 2) assert.ok(v[k] >= 0 && v[k] < 8000 && v[k + 1] >= 0 && v[k + 1] < 6000);
  }
  for (let i = 0; i < 500; i++) {
    const [x, y] = s.sample(rng);
    const d = Math.min(...s.filaments.map((v) => distanceToPolyline(x, y, v)));
    // On a segment up to rounding.
    assert.ok(d < 1e-6, `molecule ${i} is ${d} nm from every filament`);
  }
});

test('rings: every molecule lies on a ring, the rings lie wholly in the field', () => {
  const rng = new Random(4);
  const s = Structure.create('rings', region, rng, { count: 5, ringRadiusNm: 150 });
  assert.equal(s.rings.length, 5);
  for (const r of s.rings) assert.ok(r.x - r.radius >= 0 && r.x + r.radius <= 8000 && r.y - r.radius >= 0 && r.y + r.radius <= 6000);
  for (let i = 0; i < 500; i++) {
    const [x, y] = s.sample(rng);
    const d = Math.min(...s.rings.map((r) => Math.abs(Math.hypot(x - r.x, y - r.y) - r.radius)));
    assert.ok(d < 1e-9, `molecule ${i} is ${d} nm off every ring`);
  }
});

test('the simulated truth of a filament stack lies on its filaments', () => {
  const frames = [...simulateStack({ width: 40, height: 40, frames: 20, density: 0.5, structure: 'filaments', structureCount: 2, seed: 9 })];
  const truth = frames.flatMap((f) => f.truth.x.map((x, k) => [x, f.truth.y[k]]));
  assert.ok(truth.length > 50, `${truth.length} emitters`);
  // The same seed gives the same filaments: remake them as simulateStack does and measure.
  const s = Structure.create('filaments', { x0: 0, y0: 0, width: 4000, height: 4000 }, new Random(9), { count: 2 });
  for (const [x, y] of truth) assert.ok(Math.min(...s.filaments.map((v) => distanceToPolyline(x, y, v))) < 1e-6);
});
