/**
 * Fitting benchmarks (issue 2): single-threaded fits/s for
 * (a) the scipy-style baseline — separate likelihood and Jacobian recomputing erf/exp — with fmin,
 * (b) the cached pass with fmin's conjugate gradient, and
 * (c) the cached pass with the default Newton solver (in WebAssembly; the JavaScript reference
 *     it was ported from is measured too, as "(c) … JavaScript"),
 * for box 5 (σ = 1.0 px) and box 7 (σ = 1.3 px), fixed and free σ; N = 1500, b = 20.
 */
import type { Bench } from 'tinybench';
import { FitWorkspace } from '../../src/fit/FitWorkspace.js';
import { resolveFitOptions } from '../../src/fit/FitOptions.js';
import { createFitResults } from '../../src/fit/FitResults.js';
import { fitPatches } from '../../src/fit/fitPatches.js';
import { initialGuess } from '../../src/fit/initialGuess.js';
import { simulatePatches } from '../../src/simulate/simulatePatches.js';
import { scipyStyleFit } from './baseline/scipyStyleFit.js';

/** What a case's one operation does, for converting ops/s into fits/s. */
export interface CaseInfo {
  /** Work items (fits, frames) per benchmark operation. */
  fitsPerOp: number;
  /** Unit of the work rate. @default 'fits/s' */
  unit?: string;
  /** Name of the case this one is compared with (ratio printed), if any. */
  baseline?: string;
  /** For a baseline case: the case it is the baseline of (ratio printed there). */
  baselineFor?: string;
}

/**
 * Register the fit cases on `bench`.
 * @param quick - fewer patches per operation (for a fast smoke run)
 * @returns per-case information keyed by task name
 */
export function addFitCases(bench: Bench, quick: boolean): Map<string, CaseInfo> {
  const info = new Map<string, CaseInfo>();
  for (const [box, sigmaPx] of [[5, 1.0], [7, 1.3]] as const) {
    for (const fitSigma of [false, true]) {
      const tag = `${box}x${box} ${fitSigma ? 'free σ' : 'fixed σ'}`;
      const fastCount = quick ? 500 : 5000;
      const slowCount = quick ? 20 : 100;
      const sim = simulatePatches({ count: fastCount, box, sigmaPx, photons: 1500, background: 20, seed: 2024 + box });
      const options = resolveFitOptions({ box, sigmaPx, fitSigma });
      const newton = new FitWorkspace(options);
      const cg = new FitWorkspace({ ...options, solver: 'conjugate-gradient' });
      const out = createFitResults(fastCount);
      const guessWorkspace = new FitWorkspace(options);
      const area = box * box;
      const nameA = `fit ${tag} (a) scipy-style + fmin CG`;
      info.set(nameA, { fitsPerOp: slowCount });
      bench.add(nameA, () => {
        for (let p = 0; p < slowCount; p++) {
          initialGuess(guessWorkspace, sim.data, p * area);
          const t = guessWorkspace.likelihood.theta;
          scipyStyleFit(sim.data, p * area, box, sigmaPx, fitSigma, { x: t[0], y: t[1], photons: t[2], background: t[3] });
        }
      });
      const nameB = `fit ${tag} (b) cached pass + fmin CG`;
      info.set(nameB, { fitsPerOp: slowCount, baseline: nameA });
      bench.add(nameB, () => {
        fitPatches(sim.data, cg, { out, count: slowCount });
      });
      const nameC = `fit ${tag} (c) cached pass + Newton (WebAssembly)`;
      info.set(nameC, { fitsPerOp: fastCount, baseline: nameA });
      bench.add(nameC, () => {
        fitPatches(sim.data, newton, { out, count: fastCount });
      });
      const nameJs = `fit ${tag} (c) cached pass + Newton (JavaScript)`;
      const newtonJs = new FitWorkspace({ ...options, engine: 'js' });
      info.set(nameJs, { fitsPerOp: fastCount, baseline: nameA });
      bench.add(nameJs, () => {
        fitPatches(sim.data, newtonJs, { out, count: fastCount });
      });
    }
  }
  return info;
}
