/**
 * Spline benchmarks (issue 26): fits/s of the 3-D fit through a measured PSF (SplineFit: x, y,
 * N, b, z; three ranked z starts) on 13×13 patches of astigmatic spots (z uniform in ±400 nm,
 * N = 2000, b = 20, from the patch centre), against the astigmatic Gaussian's 3-D fit on the
 * same patches. The spline is the simulator's PSF sampled on 25 × 25 px, planes every 20 nm.
 */
import type { Bench } from 'tinybench';
import { AstigmaticFit } from '../../src/fit/AstigmaticFit.js';
import type { AstigmaticFitter } from '../../src/fit/AstigmaticFitter.js';
import { SplineFit } from '../../src/fit/SplineFit.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { WasmAstigmaticFit } from '../../src/fit/WasmAstigmaticFit.js';
import { WasmSplineFit } from '../../src/fit/WasmSplineFit.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticVolume } from '../fit/spline/astigmaticVolume.js';
import { astigmaticPatches } from './astigmaticPatches.js';
import type { CaseInfo } from './fitBench.js';

const BOX = 13;

/**
 * Register the spline cases on `bench`.
 * @param quick - fewer patches per operation
 * @returns per-case information keyed by task name
 */
export function addSplineCases(bench: Bench, quick: boolean): Map<string, CaseInfo> {
  const count = quick ? 50 : 300;
  const { data, calibration } = astigmaticPatches(count, BOX);
  const spline = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 25, -800, 20, 81), 25, 25, 81, 20);
  const info = new Map<string, CaseInfo>();
  const solver = { maxIterations: 50, tolerance: 1e-4 };
  const baseline = 'fit 13x13 astigmatic spots: 3-D Gaussian, best of 3 z starts (WebAssembly)';
  const add = (name: string, fit: AstigmaticFitter, base?: string) => {
    info.set(name, { fitsPerOp: count, baseline: base });
    bench.add(name, () => {
      for (let p = 0; p < count; p++) fit.fit(data, p * BOX * BOX, { x: BOX / 2, y: BOX / 2, photons: 2000, background: 20 }, solver);
    });
  };
  add(baseline, new WasmAstigmaticFit(BOX, calibration));
  add('fit 13x13 astigmatic spots: 3-D Gaussian, best of 3 z starts (JavaScript)', new AstigmaticFit(BOX, calibration), baseline);
  add('fit 13x13 astigmatic spots: 3-D spline, best of 3 z starts (WebAssembly)', new WasmSplineFit(BOX, spline, 100), baseline);
  add('fit 13x13 astigmatic spots: 3-D spline, best of 3 z starts (JavaScript)', new SplineFit(BOX, spline, 100), baseline);
  return info;
}
