import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { WasmMultiAstigmaticFit } from '../../src/fit/WasmMultiAstigmaticFit.js';
import * as c from '../../src/fit/fitConstants.js';
import { FisherScoring } from '../../src/fit/FisherScoring.js';
import { AstigmaticModel } from '../../src/fit/models/AstigmaticModel.js';
import type { AstigmatismCurves } from '../../src/fit/models/AstigmaticModel.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { MultiEmitterModel } from '../../src/fit/models/MultiEmitterModel.js';
import { PoissonEstimator } from '../../src/fit/PoissonEstimator.js';
import { Random } from '../../src/simulate/Random.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { MULTI_EMITTER_DEFAULTS } from '../../src/fit/EmitterSelector.js';
import { PASSES_MAX_K, PASSES_PATH, astigmaticPassesSource } from '../build/astigmaticPasses.js';

const BOX = 11;
const CURVES: AstigmatismCurves = { ...DEFAULT_ASTIGMATISM, zRangeNm: [-600, 600], pixelSizeNm: 100 };
const Q = c.MULTI_Z_PER_EMITTER;

/** The JavaScript reference: MultiEmitterModel over AstigmaticModel through PoissonEstimator, by FisherScoring, with its CRLB. */
class Reference {
  readonly model = new MultiEmitterModel(() => new AstigmaticModel(BOX, CURVES), c.MAX_EMITTERS);
  readonly estimator = new PoissonEstimator(this.model, c.MULTI_Z_MAX_PARAMETERS);
  readonly scoring = new FisherScoring(c.MULTI_Z_MAX_PARAMETERS);
  readonly theta = new Float64Array(c.MULTI_Z_MAX_PARAMETERS);
  readonly crlb = new Float64Array(c.MULTI_Z_MAX_PARAMETERS);

  /** Fit K emitters from `start`; the status as the kernel reports it (STATUS_SINGULAR where the bound fails). */
  fit(data: Float64Array, at: number, k: number, start: Float64Array, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    const p = Q * k + 1;
    this.model.emitters = k;
    this.estimator.bind(data, at, options.shift);
    this.theta.set(start.subarray(0, p));
    this.crlb.fill(Number.NaN);
    const status = this.scoring.run(this.estimator, this.theta, p, options.maxIterations, options.tolerance);
    if (status !== c.STATUS_CONVERGED) return status;
    return this.estimator.bound(this.theta, this.crlb, this.scoring.gradient, this.scoring.fisher) ? status : c.STATUS_SINGULAR;
  }

  /** σx, σy (nm) of emitter e at the θ last evaluated. */
  sigmas(e: number): [number, number] {
    const copy = this.model.copies[e] as AstigmaticModel;
    return [copy.sigmaXNm, copy.sigmaYNm];
  }
}

/** μ of K emitters (θ in the multi-emitter order) over the window, by the JavaScript model. */
function meanOf(theta: number[], k: number): Float64Array {
  const model = new MultiEmitterModel(() => new AstigmaticModel(BOX, CURVES), k);
  model.emitters = k;
  const mu = new Float64Array(BOX * BOX);
  assert.ok(model.evaluate(Float64Array.from(theta), mu, false));
  return mu;
}

describe('the kernel\'s 3-D multi-emitter fit (multiZFit)', () => {
  test('its output layout is named once: θ̂ and √CRLB blocks, σx and σy blocks, then the scalars, covering every value', () => {
    const blocks = [
      ...[c.MULTI_Z_OUT_THETA, c.MULTI_Z_OUT_CRLB].flatMap((s) => Array.from({ length: c.MULTI_Z_MAX_PARAMETERS }, (_, i) => s + i)),
      ...[c.MULTI_Z_OUT_SIGMA_X_NM, c.MULTI_Z_OUT_SIGMA_Y_NM].flatMap((s) => Array.from({ length: c.MAX_EMITTERS }, (_, i) => s + i)),
    ];
    const scalars = [c.MULTI_Z_OUT_LOG_LIKELIHOOD, c.MULTI_Z_OUT_ITERATIONS, c.MULTI_Z_OUT_RESIDUAL_STD];
    assert.deepEqual([...blocks, ...scalars].sort((a, b) => a - b), Array.from({ length: c.MULTI_Z_OUTPUT_COLUMNS }, (_, i) => i));
    assert.equal(c.MULTI_Z_MAX_PARAMETERS, (c.Z_PARAMETERS - 1) * c.MAX_EMITTERS + 1);
    assert.ok(c.MAX_FIT_PARAMETERS >= c.MULTI_Z_MAX_PARAMETERS && c.MAX_FIT_PARAMETERS >= c.MAX_MULTI_PARAMETERS, 'the solver\'s scratch holds every model');
  });

  test('noiseless: two overlapping 3-D spots recovered (1e-5 px, 1e-3 nm, 1e-6 relative), σx and σy those of ẑ', () => {
    // Two astigmatic spots 250 nm apart laterally, at different depths, on b = 15 photons/px.
    const truth = [4.2, 5.1, 3000, -150, 6.7, 5.3, 3000, 200, 15];
    const mu = meanOf(truth, 2);
    const fit = new WasmMultiAstigmaticFit(BOX, CURVES);
    // Starts 0.4 px and 100 nm off, N 30 % low.
    const start = Float64Array.from([4.6, 4.8, 2100, -50, 6.3, 5.7, 2100, 100, 12]);
    assert.equal(fit.fit(mu, 0, 2, start, { maxIterations: 100, tolerance: 1e-8 }), c.STATUS_CONVERGED);
    const t = fit.theta;
    // Noiseless data: the maximum is the truth; the solver stops within its tolerance of it.
    for (const a of [0, 1, 4, 5]) assert.ok(Math.abs(t[a] - truth[a]) < 1e-5, `θ${a} ${t[a]} vs ${truth[a]}`);
    for (const a of [3, 7]) assert.ok(Math.abs(t[a] - truth[a]) < 1e-3, `z ${t[a]} vs ${truth[a]}`);
    for (const a of [2, 6, 8]) assert.ok(Math.abs(t[a] / truth[a] - 1) < 1e-6, `θ${a} ${t[a]}`);
    assert.ok(Number.isNaN(t[9]) && Number.isNaN(fit.crlb[9]), 'values past θ̂ are NaN');
    for (let a = 0; a < 9; a++) assert.ok(fit.crlb[a] > 0 && Number.isFinite(fit.crlb[a]), `CRLB ${a}: ${fit.crlb[a]}`);
    for (const e of [0, 1]) {
      // σ from defocusSigma (not the kernel's slope routine), at the fitted z (1e-3 nm from the truth: σ′ < 1 so < 1e-3 nm).
      assert.ok(Math.abs(fit.sigmaXNm[e] - defocusSigma(CURVES.x, t[4 * e + 3])) < 1e-9 && Math.abs(fit.sigmaYNm[e] - defocusSigma(CURVES.y, t[4 * e + 3])) < 1e-9);
    }
    assert.ok(Number.isNaN(fit.sigmaXNm[2]));
    // Noiseless: the residual is 0 up to the solver's tolerance.
    assert.ok(fit.residualStd < 1e-3, `residual std ${fit.residualStd}`);
  });

  test('agrees with MultiEmitterModel over AstigmaticModel by PoissonEstimator and FisherScoring: same statuses and iterations, θ̂ to rounding (300 windows of K = 2, 60 of K = 1 and 3, 60 of K = 4, 5 (the unrolled passes) and 6 (the generic pass), seed 31)', () => {
    const rng = new Random(31);
    const reference = new Reference();
    const wasm = new WasmMultiAstigmaticFit(BOX, CURVES);
    const windows = 3;
    const area = BOX * BOX;
    const data = new Float64Array(windows * area);
    const shift = new Float64Array(windows * area);
    const statuses = new Map<number, number>();
    const worst = { position: 0, z: 0, relative: 0, crlb: 0, ll: 0 };
    const ks = [...Array.from({ length: 300 }, () => 2), ...Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 1 : 3)), ...Array.from({ length: 60 }, (_, i) => 4 + (i % 3))];
    for (const [n, k] of ks.entries()) {
      const at = (n % windows) * area;
      const shifted = n % 2 === 1;
      // K emitters within 1.5 px of the window's centre, z over ±500 nm, N 1000–4000, b 5–30.
      const truth: number[] = [];
      const start: number[] = [];
      for (let e = 0; e < k; e++) {
        const x = BOX / 2 + 3 * (rng.uniform() - 0.5);
        const y = BOX / 2 + 3 * (rng.uniform() - 0.5);
        const photons = 1000 + 3000 * rng.uniform();
        const z = -500 + 1000 * rng.uniform();
        truth.push(x, y, photons, z);
        start.push(x + 0.6 * (rng.uniform() - 0.5), y + 0.6 * (rng.uniform() - 0.5), 0.7 * photons, z + 160 * (rng.uniform() - 0.5));
      }
      const b = 5 + 25 * rng.uniform();
      truth.push(b);
      start.push(0.8 * b);
      const mu = meanOf(truth, k);
      for (let i = 0; i < area; i++) {
        shift[at + i] = shifted ? 3 + 2 * rng.uniform() : 0;
        data[at + i] = rng.poisson(mu[i]) + (shifted ? rng.normal() * 2 : 0);
      }
      const options = { maxIterations: 30, tolerance: 1e-4, shift: shifted ? shift : undefined };
      const s = Float64Array.from(start);
      const sj = reference.fit(data, at, k, s, options);
      const sw = wasm.fit(data, at, k, s, options);
      const tag = `window ${n} (K = ${k})`;
      assert.equal(sw, sj, `${tag}: status`);
      assert.equal(wasm.iterations, reference.scoring.iterations, `${tag}: iterations`);
      statuses.set(sj, (statuses.get(sj) ?? 0) + 1);
      const p = Q * k + 1;
      for (let a = 0; a < p; a++) {
        const j = reference.theta[a];
        const w = wasm.theta[a];
        if (a === p - 1 || a % Q === 2) worst.relative = Math.max(worst.relative, Math.abs(w / j - 1));
        else if (a % Q === 3) worst.z = Math.max(worst.z, Math.abs(w - j));
        else worst.position = Math.max(worst.position, Math.abs(w - j));
        if (sj === c.STATUS_CONVERGED) worst.crlb = Math.max(worst.crlb, Math.abs(wasm.crlb[a] / reference.crlb[a] - 1));
        else assert.ok(Number.isNaN(wasm.crlb[a]), `${tag}: no CRLB unless converged`);
      }
      worst.ll = Math.max(worst.ll, Math.abs(wasm.logLikelihood / reference.scoring.logLikelihood - 1));
      for (let e = 0; e < k; e++) {
        const [sx, sy] = reference.sigmas(e);
        assert.ok(Math.abs(wasm.sigmaXNm[e] - sx) < 1e-6 && Math.abs(wasm.sigmaYNm[e] - sy) < 1e-6, `${tag}: σ of emitter ${e}`);
      }
      assert.ok(Math.abs(wasm.residualStd - reference.estimator.residualStd()) <= 1e-9 * reference.estimator.residualStd(), `${tag}: residual std`);
    }
    // Both fits run the same steps; the kernel's exp, log and erfc differ from V8's by an ulp,
    // so θ̂ differs by rounding carried through the iterations. Measured (every window, those at
    // the iteration limit included): positions 2e-11 px, z 1.4e-8 nm, N and b 2e-11 relative,
    // √CRLB 6e-13, ℓ 1e-15; the bounds allow ~50× that, and stay far below any CRLB (0.1 px, 30 nm).
    assert.ok(worst.position < 1e-9, `positions differ by ${worst.position} px`);
    assert.ok(worst.z < 1e-6, `z differs by ${worst.z} nm`);
    assert.ok(worst.relative < 1e-9, `N, b differ by ${worst.relative} (relative)`);
    assert.ok(worst.crlb < 1e-10, `CRLB differs by ${worst.crlb} (relative)`);
    assert.ok(worst.ll < 1e-12, `ℓ differs by ${worst.ll} (relative)`);
    // Measured: 291 converged, 68 at the iteration limit, 1 left the window.
    assert.ok((statuses.get(c.STATUS_CONVERGED) ?? 0) > 200 && (statuses.get(c.STATUS_MAX_ITERATIONS) ?? 0) > 10, `statuses ${[...statuses]}: converged and unconverged fits are both compared`);
  });

  test('the unrolled passes (astigmaticPasses.ts) are their generator\'s output, one for every K up to the default most emitters', () => {
    assert.equal(readFileSync(PASSES_PATH, 'utf8'), astigmaticPassesSource(), 'run node --import tsx test/build/astigmaticPasses.ts, then npm run build:wasm');
    assert.equal(PASSES_MAX_K, MULTI_EMITTER_DEFAULTS.maxEmitters);
  });

  test('a window holding a non-finite value is bad data, not iterated; K outside 1 … MAX_EMITTERS is refused', () => {
    const fit = new WasmMultiAstigmaticFit(BOX, CURVES);
    const data = meanOf([4.2, 5.1, 3000, -150, 15], 1);
    data[17] = Number.NaN;
    assert.equal(fit.fit(data, 0, 1, Float64Array.from([4, 5, 2000, 0, 10]), { maxIterations: 30, tolerance: 1e-4 }), c.STATUS_BAD_DATA);
    assert.equal(fit.iterations, 0);
    assert.throws(() => fit.fit(data, 0, c.MAX_EMITTERS + 1, new Float64Array(c.MULTI_Z_MAX_PARAMETERS + 4), { maxIterations: 30, tolerance: 1e-4 }), RangeError);
  });
});
