import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateFits } from '../../src/fit/DuplicateFits.js';
import { createFitResults } from '../../src/fit/FitResults.js';
import { FitStatus } from '../../src/fit/FitStatus.js';

/** Rows at absolute positions (px; origin 0), with uncertainties u (px) and optional z (nm). */
function frame(rows: { x: number; y: number; u: number; z?: number; uz?: number; status?: number }[]) {
  const r = createFitResults(rows.length);
  rows.forEach((row, p) => {
    // Patch origins differ from row to row: the positions compared are origin + x.
    r.x[p] = row.x - 3;
    r.y[p] = row.y - 5;
    r.uncertaintyX[p] = row.u;
    r.uncertaintyY[p] = row.u;
    r.z[p] = row.z ?? 0;
    r.uncertaintyZ[p] = row.uz ?? 30;
    r.status[p] = row.status ?? FitStatus.converged;
  });
  return { rows: r, originColumn: new Int32Array(rows.length).fill(3), originRow: new Int32Array(rows.length).fill(5), count: rows.length };
}

describe('DuplicateFits', () => {
  test('two fits of one spot: the less precise is marked, the other kept', () => {
    const f = frame([
      { x: 10, y: 10, u: 0.05 },
      { x: 10.004, y: 10.003, u: 0.04 }, // 0.5 nm away at 100 nm/px, u 4–5 nm: one spot
      { x: 20, y: 20, u: 0.05 },
    ]);
    assert.equal(new DuplicateFits().mark(f, false), 1);
    assert.deepEqual([...f.rows.status], [FitStatus.duplicate, FitStatus.converged, FitStatus.converged]);
  });

  test('fits more than one combined uncertainty apart are two emitters', () => {
    // Δ = 0.08 px against √(0.05² + 0.05²) = 0.071 px: D = 1.13 > 1.
    const f = frame([{ x: 10, y: 10, u: 0.05 }, { x: 10.08, y: 10, u: 0.05 }]);
    assert.equal(new DuplicateFits().mark(f, false), 0);
    assert.deepEqual([...f.rows.status], [FitStatus.converged, FitStatus.converged]);
  });

  test('3-D: the same x, y at depths far apart against their z uncertainty are two emitters', () => {
    const near = frame([{ x: 10, y: 10, u: 0.05, z: 100, uz: 20 }, { x: 10.001, y: 10, u: 0.05, z: 104, uz: 20 }]);
    assert.equal(new DuplicateFits().mark(near, true), 1);
    const far = frame([{ x: 10, y: 10, u: 0.05, z: 100, uz: 20 }, { x: 10.001, y: 10, u: 0.05, z: 200, uz: 20 }]);
    assert.equal(new DuplicateFits().mark(far, true), 0);
    // The same rows in 2-D (z ignored) are one emitter.
    assert.equal(new DuplicateFits().mark(far, false), 1);
  });

  test('3-D: two windows of one wide spot, 1–3 combined uncertainties apart, are one emitter (DUPLICATE_DISTANCE_DEPTH); in 2-D two', () => {
    // Δx = 0.2 px, Δz = 30 nm against √2·0.1 px and √2·25 nm: D = √(1.41² + 0.85²) = 1.65.
    const pair = () => frame([{ x: 10, y: 10, u: 0.1, z: 100, uz: 25 }, { x: 10.2, y: 10, u: 0.1, z: 130, uz: 25 }]);
    assert.equal(new DuplicateFits().mark(pair(), true), 1);
    assert.equal(new DuplicateFits().mark(pair(), false), 0);
    // D = 3.2 (Δx 0.45 px): two emitters in 3-D too.
    assert.equal(new DuplicateFits().mark(frame([{ x: 10, y: 10, u: 0.1, z: 100, uz: 25 }, { x: 10.45, y: 10, u: 0.1, z: 100, uz: 25 }]), true), 0);
  });

  test('rows that did not converge are neither compared nor marked; three fits of one spot keep one', () => {
    const f = frame([
      { x: 10, y: 10, u: 0.06 },
      { x: 10, y: 10, u: 0.01, status: FitStatus.maxIterations },
      { x: 10.001, y: 10, u: 0.05 },
      { x: 9.999, y: 10.001, u: 0.04 },
    ]);
    const marker = new DuplicateFits();
    assert.equal(marker.mark(f, false), 2);
    assert.deepEqual([...f.rows.status], [FitStatus.duplicate, FitStatus.maxIterations, FitStatus.duplicate, FitStatus.converged]);
  });

  test('a frame of many isolated rows in any order marks nothing; scratch is reused for a larger frame', () => {
    const marker = new DuplicateFits();
    const rows = Array.from({ length: 500 }, (_, i) => ({ x: ((i * 37) % 500) * 0.7, y: (i % 7) * 3, u: 0.05 }));
    assert.equal(marker.mark(frame(rows), false), 0);
    const pairs = Array.from({ length: 1000 }, (_, i) => ({ x: Math.floor(i / 2) * 2, y: 1, u: 0.05 + (i % 2) * 0.001 }));
    const f = frame(pairs);
    assert.equal(marker.mark(f, false), 500);
    for (let p = 0; p < 1000; p++) assert.equal(f.rows.status[p], p % 2 === 1 ? FitStatus.duplicate : FitStatus.converged, `row ${p}`);
  });
});
