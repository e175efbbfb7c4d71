import { FitStatus } from '../fit/FitStatus.js';
import type { TruthRows } from '../simulate/simulateStack.js';
import type { LocalizationBatch } from '../table/LocalizationBatch.js';
import type { PointTable } from './PointTable.js';

/**
 * The converged localizations of batches as a {@link PointTable} (with `uncertainty_x [nm]`,
 * `uncertainty_y [nm]` and `intensity [photon]` columns), for evaluation in memory.
 * @param batches - per-frame batches, in frame order
 */
export function pointTableFromBatches(batches: readonly LocalizationBatch[]): PointTable {
  let n = 0;
  for (const b of batches) for (let i = 0; i < b.count; i++) if (b.status[i] === FitStatus.converged) n++;
  const frame = new Int32Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const ux = new Float64Array(n);
  const uy = new Float64Array(n);
  const photons = new Float64Array(n);
  let k = 0;
  for (const b of batches) {
    for (let i = 0; i < b.count; i++) {
      if (b.status[i] !== FitStatus.converged) continue;
      frame[k] = b.frame;
      x[k] = b.x[i];
      y[k] = b.y[i];
      ux[k] = b.uncertaintyX[i];
      uy[k] = b.uncertaintyY[i];
      photons[k] = b.intensity[i];
      k++;
    }
  }
  const columns = new Map([
    ['uncertainty_x [nm]', ux],
    ['uncertainty_y [nm]', uy],
    ['intensity [photon]', photons],
  ]);
  return { frame, x, y, columns };
}

/**
 * Simulation truth as a {@link PointTable}.
 * @param truth - per-frame truth rows, in frame order
 */
export function pointTableFromTruth(truth: readonly TruthRows[]): PointTable {
  const n = truth.reduce((s, t) => s + t.x.length, 0);
  const frame = new Int32Array(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let k = 0;
  for (const t of truth) {
    for (let i = 0; i < t.x.length; i++, k++) {
      frame[k] = t.frame;
      x[k] = t.x[i];
      y[k] = t.y[i];
    }
  }
  return { frame, x, y, columns: new Map() };
}
