/**
 * 3-D benchmarks (issue 14): fits/s of the 5-parameter astigmatic fit (x, y, N, b, z; three z
 * starts) against the 2-D fit (x, y, N, b; σ fixed at the in-focus width) on the same 11×11
 * patches: spots at z uniform in ±400 nm, N = 2000, b = 20, the simulator’s curves (the 3-D fit from
 * the patch centre, as it starts when the 2-D fit fails).
 */
import type { Bench } from 'tinybench';
import { AstigmaticFit } from '../../src/fit/AstigmaticFit.js';
import type { AstigmaticFitter } from '../../src/fit/AstigmaticFitter.js';
import { WasmAstigmaticFit } from '../../src/fit/WasmAstigmaticFit.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { resolveFitOptions } from '../../src/fit/FitOptions.js';
import { createFitResults } from '../../src/fit/FitResults.js';
import { fitPatches } from '../../src/fit/fitPatches.js';
import { FitWorkspace } from '../../src/fit/FitWorkspace.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticPatches } from './astigmaticPatches.js';
import type { CaseInfo } from './fitBench.js';

const BOX = 11;

/**
 * Register the 3-D cases on `bench`.
 * @param quick - fewer patches per operation
 * @returns per-case information keyed by task name
 */
export function addAstigmaticCases(bench: Bench, quick: boolean): Map<string, CaseInfo> {
  const count = quick ? 50 : 500;
  const { data, calibration } = astigmaticPatches(count, BOX);
  const info = new Map<string, CaseInfo>();
  const options = resolveFitOptions({ box: BOX, sigmaPx: defocusSigma(DEFAULT_ASTIGMATISM.x, 0) / 100 });
  const out = createFitResults(count);
  const twoD = 'fit 11x11 astigmatic spots: 2-D, σ fixed (WebAssembly)';
  const wasm = new FitWorkspace(options);
  info.set(twoD, { fitsPerOp: count });
  bench.add(twoD, () => {
    fitPatches(data, wasm, { out, count });
  });
  const js = new FitWorkspace({ ...options, engine: 'js' });
  const twoDJs = 'fit 11x11 astigmatic spots: 2-D, σ fixed (JavaScript)';
  info.set(twoDJs, { fitsPerOp: count, baseline: twoD });
  bench.add(twoDJs, () => {
    fitPatches(data, js, { out, count });
  });
  const solver = { maxIterations: 50, tolerance: 1e-4 };
  const add3d = (engine: string, fit: AstigmaticFitter) => {
    const name = `fit 11x11 astigmatic spots: 3-D, x y N b z, best of 3 z starts (${engine})`;
    info.set(name, { fitsPerOp: count, baseline: twoD });
    bench.add(name, () => {
      for (let p = 0; p < count; p++) fit.fit(data, p * BOX * BOX, { x: BOX / 2, y: BOX / 2, photons: 2000, background: 20 }, solver);
    });
  };
  add3d('WebAssembly', new WasmAstigmaticFit(BOX, calibration));
  add3d('JavaScript', new AstigmaticFit(BOX, calibration));
  return info;
}
