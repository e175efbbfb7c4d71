import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { resolveFitOptions } from '../../src/fit/FitOptions.js';
import type { FitResults } from '../../src/fit/FitResults.js';
import { createFitResults } from '../../src/fit/FitResults.js';
import { fitPatches } from '../../src/fit/fitPatches.js';
import { FitWorkspace } from '../../src/fit/FitWorkspace.js';
import * as fitConstants from '../../src/fit/fitConstants.js';
import { Random } from '../../src/simulate/Random.js';
import { simulatePatches } from '../../src/simulate/simulatePatches.js';
import { compileFitKernel, FIT_WASM_PATH } from '../build/buildWasm.js';

test('the committed fitKernel.wasm is assembly/fitKernel.ts compiled', async () => {
  assert.deepEqual(new Uint8Array(readFileSync(FIT_WASM_PATH)), await compileFitKernel());
});

test('the WebAssembly fit runs where it applies: the Newton solver, σ fixed or free, unless engine js', () => {
  assert.ok(new FitWorkspace(resolveFitOptions({ box: 5, sigmaPx: 1 })).kernel, 'Node 20 runs WebAssembly');
  assert.ok(new FitWorkspace(resolveFitOptions({ box: 5, sigmaPx: 1, fitSigma: true })).kernel);
  assert.equal(new FitWorkspace(resolveFitOptions({ box: 5, sigmaPx: 1, engine: 'js' })).kernel, undefined);
  assert.equal(new FitWorkspace(resolveFitOptions({ box: 5, sigmaPx: 1, solver: 'conjugate-gradient' })).kernel, undefined);
});

/** The values of the constants whose names start with `prefix`, sorted. */
function offsets(prefix: string): number[] {
  return Object.entries(fitConstants)
    .filter(([name]) => name.startsWith(prefix))
    .map(([, value]) => value)
    .sort((a, b) => a - b);
}

/** 0, 1, …, n − 1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

test("the kernel's output layouts are named once each: every column has one name, and the counts cover them", () => {
  const c = fitConstants;
  assert.deepEqual(offsets('FIT_START_'), range(c.START_COLUMNS));
  assert.deepEqual(offsets('FIT_OUT_'), range(c.OUTPUT_COLUMNS));
  assert.deepEqual(offsets('MULTI_OUT_'), range(c.MULTI_OUTPUT_COLUMNS));
  // θ̂ and its √CRLB are blocks of Z_PARAMETERS values; the scalars follow them.
  const blocks = [c.Z_OUT_THETA, c.Z_OUT_CRLB].flatMap((start) => range(c.Z_PARAMETERS).map((i) => start + i));
  const scalars = offsets('Z_OUT_').filter((v) => v !== c.Z_OUT_THETA && v !== c.Z_OUT_CRLB);
  assert.deepEqual([...blocks, ...scalars].sort((a, b) => a - b), range(c.Z_OUTPUT_COLUMNS));
});

/** Relative difference, 0 when both are NaN. */
function rel(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

test('WebAssembly and JavaScript fits agree: same iterations, statuses and warm starts, values to rounding', () => {
  for (const [box, sigmaPx, fitSigma] of [[5, 1.0, false], [7, 1.3, false], [5, 1.0, true], [7, 1.3, true]] as const) {
    const count = 2000;
    const area = box * box;
    const sim = simulatePatches({ count, box, sigmaPx, photons: 600, background: 15, seed: 70 + box });
    const data = Float64Array.from(sim.data);
    // Bad and awkward patches: all zero, constant, read-noise negatives, one NaN, a corner spot.
    data.fill(0, 0, area);
    data.fill(12, area, 2 * area);
    const rng = new Random(box);
    for (let k = 2 * area; k < 3 * area; k++) data[k] = rng.normal() * 3 - 1;
    data[3 * area + 7] = Number.NaN;
    data.fill(2, 4 * area, 5 * area);
    data[4 * area] = 500;
    // Warm starts for every third patch (from the truth, some outside the patch), none elsewhere.
    const start = { x: new Float64Array(count).fill(Number.NaN), y: new Float64Array(count), photons: new Float64Array(count), background: new Float64Array(count), sigma: new Float64Array(count) };
    for (let p = 0; p < count; p += 3) {
      start.x[p] = p % 9 === 0 ? -3 : sim.x[p] + 0.1;
      start.y[p] = sim.y[p] - 0.1;
      start.photons[p] = 500;
      start.background[p] = 10;
      start.sigma[p] = p % 2 === 0 ? sigmaPx * 1.1 : 100; // in range, or out of it (ignored)
    }
    const run = (engine: 'wasm' | 'js'): FitResults => {
      const out = createFitResults(count);
      const workspace = new FitWorkspace(resolveFitOptions({ box, sigmaPx, fitSigma, engine }));
      return fitPatches(data, workspace, { start, out });
    };
    const w = run('wasm');
    const j = run('js');
    const tag = `box ${box}, σ ${fitSigma ? 'free' : 'fixed'}`;
    assert.deepEqual(w.status, j.status, `${tag}: statuses`);
    assert.deepEqual(w.iterations, j.iterations, `${tag}: iterations`);
    assert.deepEqual(w.warmStart, j.warmStart, `${tag}: warm starts`);
    const statuses = fitSigma ? [0, 3] : [0, 2, 3];
    assert.ok(statuses.every((s) => j.status.includes(s)), `${tag}: converged, bad-data (and left-patch) fits are all compared`);
    const worst = { position: 0, convergedPosition: 0, other: 0 };
    for (let p = 0; p < count; p++) {
      worst.position = Math.max(worst.position, Math.abs(w.x[p] - j.x[p]) || 0, Math.abs(w.y[p] - j.y[p]) || 0);
      assert.equal(Number.isNaN(w.x[p]), Number.isNaN(j.x[p]), `patch ${p}: NaN x in one engine only`);
      if (fitSigma) assert.ok(Number.isNaN(j.uncertaintySigma[p]) || j.status[p] !== 0 || j.uncertaintySigma[p] > 0, 'σ has an uncertainty when fitted');
      // Fits stopped at the iteration limit on degenerate patches (N → 0 on a flat patch, a
      // corner spot with σ free) have near-singular Fisher information whose inverse amplifies
      // any rounding: their uncertainties (~10⁵ px) are not compared, only converged fits'.
      if (j.status[p] !== 0) continue;
      worst.convergedPosition = Math.max(worst.convergedPosition, Math.abs(w.x[p] - j.x[p]), Math.abs(w.y[p] - j.y[p]));
      for (const key of ['photons', 'background', 'sigma', 'uncertaintyX', 'uncertaintyY', 'uncertaintyPhotons', 'uncertaintyBackground', 'uncertaintySigma', 'logLikelihood', 'residualStd', 'chiSquare'] as const) {
        worst.other = Math.max(worst.other, rel(w[key][p], j[key][p]));
      }
      if (!fitSigma) assert.ok(Number.isNaN(w.uncertaintySigma[p]) && Number.isNaN(j.uncertaintySigma[p]), 'no σ uncertainty with σ fixed');
    }
    // The kernel sums two rows at a time (one per SIMD lane) and its exp and log are not V8's:
    // the same arithmetic rounded in another order. Converged fits end within rounding of each
    // other (observed ≤ 6e-11 px, ≤ 5e-15 relative: allow 1e-9 px and 1e-12); fits stopped at the
    // iteration limit on degenerate patches drift further apart (observed ≤ 7e-10 px: allow 1e-8).
    assert.ok(worst.convergedPosition < 1e-9, `${tag}: converged positions differ by ${worst.convergedPosition} px`);
    assert.ok(worst.position < 1e-8, `${tag}: positions differ by ${worst.position} px`);
    assert.ok(worst.other < 1e-12, `${tag}: other outputs of converged fits differ by ${worst.other} (relative)`);
  }
});
