import assert from 'node:assert/strict';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import type { ResolvedLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { SimulateStackOptions } from '../../src/simulate/simulateStack.js';

/** One frame's localizations, as FrameLocalizer returns them. */
export type DepthBatch = ReturnType<FrameLocalizer['process']>;

/** How well a 3-D localization found a simulated stack's emitters (see {@link depthAccuracy}). */
export interface DepthAccuracy {
  /** Localizations matched to a true emitter with |Δz| ≤ 250 nm. */
  n: number;
  /** True emitters in the stack. */
  truth: number;
  /** Matched localizations with |Δz| > 250 nm. */
  outliers: number;
  /** z RMSE over the n, nm. */
  rmse: number;
  /** z RMSE / √(mean CRLB of z). */
  ratio: number;
  /** Mean Δz, nm. */
  bias: number;
  /** x RMSE / √(mean CRLB of x). */
  x: number;
}

/**
 * Localize a simulated astigmatic stack frame by frame and compare with its truth: each
 * converged localization is matched to the nearest true emitter within 100 nm; |Δz| > 250 nm
 * counts as an outlier, the rest give z's RMSE, bias and RMSE/CRLB and x's RMSE/CRLB.
 * Asserts that every batch has its depth columns.
 * @param options - resolved options with a 3-D calibration
 * @param sim - the stack (its width and height given)
 * @param check - called on every matched, non-outlier localization (i in the batch)
 */
export function depthAccuracy(options: ResolvedLocalizeOptions, sim: SimulateStackOptions & { width: number; height: number }, check?: (b: DepthBatch, i: number) => void): DepthAccuracy {
  const localizer = new FrameLocalizer(options);
  let n = 0, se = 0, cr = 0, bias = 0, outliers = 0, truth = 0, lateral = 0, lateralCr = 0;
  for (const f of simulateStack(sim)) {
    const b = localizer.process({ index: f.index, width: sim.width, height: sim.height, data: Uint16Array.from(f.adu) });
    truth += f.truth.x.length;
    assert.ok(b.z && b.uncertaintyZ && b.sigma1 && b.sigma2, 'a 3-D batch has its depth columns');
    for (let i = 0; i < b.count; i++) {
      if (b.status[i] !== 0) continue;
      let best = -1;
      let bestD = 100;
      for (let k = 0; k < f.truth.x.length; k++) {
        const d = Math.hypot(b.x[i] - f.truth.x[k], b.y[i] - f.truth.y[k]);
        if (d < bestD) [bestD, best] = [d, k];
      }
      if (best < 0) continue;
      const dz = b.z[i] - (f.truth.z as number[])[best];
      if (Math.abs(dz) > 250) {
        outliers++;
        continue;
      }
      n++;
      se += dz * dz;
      cr += b.uncertaintyZ[i] ** 2;
      bias += dz;
      lateral += (b.x[i] - f.truth.x[best]) ** 2;
      lateralCr += b.uncertaintyX[i] ** 2;
      check?.(b, i);
    }
  }
  return { n, truth, outliers, rmse: Math.sqrt(se / n), ratio: Math.sqrt(se / cr), bias: bias / n, x: Math.sqrt(lateral / lateralCr) };
}
