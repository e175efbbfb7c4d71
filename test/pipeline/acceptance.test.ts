import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { pointTableFromBatches, pointTableFromTruth } from '../../src/evaluate/tablesFromBatches.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import type { SimulateStackOptions, TruthRows } from '../../src/simulate/simulateStack.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';

/** Simulate and localize in memory (the camera defaults of both match: offset 100, 1 e⁻/ADU). */
function run(options: SimulateStackOptions) {
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: options.pixelSizeNm ?? 100 }, psfSigmaNm: options.psfSigmaNm ?? 130 }));
  const truth: TruthRows[] = [];
  const batches: LocalizationBatch[] = [];
  for (const f of simulateStack(options)) {
    truth.push(f.truth);
    batches.push(localizer.process({ index: f.index, width: options.width ?? 64, height: options.height ?? 64, data: Uint16Array.from(f.adu) }));
  }
  const T = pointTableFromTruth(truth);
  const F = pointTableFromBatches(batches);
  return { ...evaluateLocalizations(T, F), T, F, stats: localizer.stats };
}

describe('acceptance on simulated stacks (σ = 130 nm, 100 nm pixels, fixed seeds)', () => {
  test('sparse, N = 2000, b = 20: Jaccard ≥ 99 %, |bias| < 1 nm, RMSE ≤ 1.05 × √(CRLBx + CRLBy)', () => {
    // ~5000 isolated spots: the bias's standard error is ≈ 4 nm/√5000 ≈ 0.06 nm, and the RMSE
    // ratio's ≈ 1 %, so both bounds are several standard errors away from an efficient fit.
    const { evaluation: e, pairs, F } = run({ width: 128, height: 128, frames: 300, density: 0.1, minSeparationNm: 1000, photons: 2000, background: 20, seed: 11 });
    assert.ok(e.truth > 4000, `${e.truth} spots`);
    assert.ok(e.jaccard >= 0.99, `Jaccard ${e.jaccard}`);
    assert.ok(Math.abs(e.biasXNm) < 1 && Math.abs(e.biasYNm) < 1, `bias ${e.biasXNm}, ${e.biasYNm}`);
    const ux = F.columns.get('uncertainty_x [nm]') as Float64Array;
    const uy = F.columns.get('uncertainty_y [nm]') as Float64Array;
    let crlb = 0;
    for (const f of pairs.found) crlb += ux[f] ** 2 + uy[f] ** 2;
    const bound = Math.sqrt(crlb / pairs.found.length);
    assert.ok(e.rmseLateralNm <= 1.05 * bound, `RMSE ${e.rmseLateralNm} nm vs √CRLB ${bound} nm`);
  });

  test('low signal, N = 300, b = 30: Jaccard ≥ 95 %', () => {
    const { evaluation: e } = run({ width: 128, height: 128, frames: 150, density: 0.1, minSeparationNm: 1000, photons: 300, background: 30, seed: 12 });
    assert.ok(e.truth > 2000);
    assert.ok(e.jaccard >= 0.95, `Jaccard ${e.jaccard}`);
  });

  test('background-only frames: ≤ 0.01 false positives per frame (300 frames of 256×256)', () => {
    for (const background of [20, 2]) {
      const { evaluation: e, stats } = run({ width: 256, height: 256, frames: 150, density: 0, background, seed: 13 + background });
      assert.equal(stats.frames, 150);
      assert.ok(e.found <= 1, `b = ${background}: ${e.found} false positives in 150 frames`);
    }
  });

  test('spots within 1 px of the border and in corners: recall ≥ 95 %, |bias| ≤ 2 nm on each side', () => {
    const W = 64;
    const P = 100;
    const sigma = 1.3;
    const window = 11;
    const rng = new Random(21);
    const ax = new GaussianAxis(window);
    const ay = new GaussianAxis(window);
    const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: P } }));
    const truth: TruthRows[] = [];
    const batches: LocalizationBatch[] = [];
    for (let f = 0; f < 300; f++) {
      const image = new Float64Array(W * W).fill(20);
      const near = () => rng.uniform(); // 0…1 px from the border
      const along = () => 8 + rng.uniform() * (W - 16);
      const corner = f % 4;
      const spots: [number, number][] = [
        [near(), along()],
        [W - near(), along()],
        [along(), near()],
        [along(), W - near()],
        [corner & 1 ? W - near() : near(), corner & 2 ? W - near() : near()],
      ];
      for (const [x, y] of spots) {
        const c0 = Math.min(Math.max(Math.round(x) - 5, 0), W - window);
        const r0 = Math.min(Math.max(Math.round(y) - 5, 0), W - window);
        renderSpot(image, W, c0, r0, ax, ay, x - c0, y - r0, 2000, sigma);
      }
      const adu = new Uint16Array(W * W);
      for (let i = 0; i < adu.length; i++) adu[i] = Math.round(100 + rng.poisson(image[i]) + 1.5 * rng.normal());
      truth.push({ frame: f + 1, x: spots.map((s) => s[0] * P), y: spots.map((s) => s[1] * P), photons: [], background: [], emitter: [], driftX: 0, driftY: 0 });
      batches.push(localizer.process({ index: f, width: W, height: W, data: adu }));
    }
    const T = pointTableFromTruth(truth);
    const F = pointTableFromBatches(batches);
    const { evaluation: e, pairs } = evaluateLocalizations(T, F);
    assert.ok(e.recall >= 0.95, `recall ${e.recall}`);
    // Bias per side, along the axis that meets the border (e.g. x for the left and right spots).
    const sides = { left: [0, 0], right: [0, 0], top: [0, 0], bottom: [0, 0] };
    for (let k = 0; k < pairs.truth.length; k++) {
      const t = pairs.truth[k];
      const f = pairs.found[k];
      if (T.x[t] < P) (sides.left[0] += F.x[f] - T.x[t]), sides.left[1]++;
      if (T.x[t] > (W - 1) * P) (sides.right[0] += F.x[f] - T.x[t]), sides.right[1]++;
      if (T.y[t] < P) (sides.top[0] += F.y[f] - T.y[t]), sides.top[1]++;
      if (T.y[t] > (W - 1) * P) (sides.bottom[0] += F.y[f] - T.y[t]), sides.bottom[1]++;
    }
    for (const [side, [sum, n]] of Object.entries(sides)) {
      assert.ok(n > 300, `${side}: ${n} spots`);
      assert.ok(Math.abs(sum / n) <= 2, `${side} bias ${sum / n} nm`);
    }
  });
});
