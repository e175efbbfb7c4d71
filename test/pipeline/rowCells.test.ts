import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFitResults } from '../../src/fit/FitResults.js';
import { FitRows } from '../../src/fit/FitRows.js';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { RowCells } from '../../src/pipeline/RowCells.js';
import { Random } from '../../src/simulate/Random.js';

/** Rows at random places of a width × height frame, some in tight clusters, some not converged, some a little outside. */
function randomRows(n: number, width: number, height: number, seed: number): FitRows {
  const rng = new Random(seed);
  const fits = createFitResults(n);
  const out = new FitRows();
  for (let p = 0; p < n; p++) {
    // A third of the rows next to the one before (within 5 px), a few up to 1 px beyond the frame.
    const near = p > 0 && rng.uniform() < 0.33;
    const x = near ? out.column[p - 1] + out.rows.x[p - 1] + 10 * (rng.uniform() - 0.5) : -1 + (width + 2) * rng.uniform();
    const y = near ? out.row[p - 1] + out.rows.y[p - 1] + 10 * (rng.uniform() - 0.5) : -1 + (height + 2) * rng.uniform();
    const c0 = Math.floor(x) - 3;
    const r0 = Math.floor(y) - 3;
    fits.x[p] = x - c0;
    fits.y[p] = y - r0;
    fits.status[p] = rng.uniform() < 0.1 ? FitStatus.maxIterations : FitStatus.converged;
    out.append(fits, p, c0, r0, 1);
  }
  return out;
}

test('markCrowded flags the rows whose near() scan finds another row, in one sweep', () => {
  for (const [n, width, height, size, radius, seed] of [
    [400, 128, 96, 3, 2, 1],
    [2000, 256, 256, 3, 2, 2],
    [300, 64, 200, 2, 1, 3],
    [50, 90, 90, 3, 3, 4],
  ]) {
    const out = randomRows(n, width, height, seed);
    const cells = new RowCells();
    cells.build(out, width, height, size);
    const swept = new Uint8Array(n);
    cells.markCrowded(radius, swept);
    // The reference: each row in the cells scans its neighbourhood with near().
    const scanned = new Uint8Array(n);
    for (let i = 0; i < cells.count; i++) {
      const q = cells.rows[i];
      const found = cells.near(out.column[q] + out.rows.x[q], out.row[q] + out.rows.y[q], radius);
      for (let k = 0; k < found; k++) if (cells.found[k] !== q) scanned[q] = 1;
    }
    assert.deepEqual(swept, scanned, `${n} rows, ${width}×${height}, cells of ${size} px, radius ${radius}`);
    // Not trivial: some rows are crowded and some are not.
    const crowded = swept.reduce((a, b) => a + b, 0);
    assert.ok(crowded > 0 && crowded < cells.count, `${crowded} of ${cells.count} crowded`);
  }
});
