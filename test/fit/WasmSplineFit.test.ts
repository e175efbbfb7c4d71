import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { SplineFit } from '../../src/fit/SplineFit.js';
import { WasmSplineFit } from '../../src/fit/WasmSplineFit.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { Random } from '../../src/simulate/Random.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticVolume } from './spline/astigmaticVolume.js';

const BOX = 13;

test('the WebAssembly spline fit fits as the JavaScript reference does (300 spots, Poisson and shifted, some beyond the range, float64 and float32 coefficients, every z start; seed 9)', () => {
  const built = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 25, -800, 25, 65), 25, 25, 65, 25);
  // As a file gives it: float32 coefficients (the kernel gets them widened to f64, the same values).
  const stored: SplinePsf = { ...built, coefficients: Float32Array.from(built.coefficients) };
  const rng = new Random(9);
  const ax = new GaussianAxis(BOX);
  const ay = new GaussianAxis(BOX);
  const n = 300;
  const area = BOX * BOX;
  const data = new Float64Array(n * area);
  const shift = new Float64Array(n * area);
  for (let p = 0; p < n; p++) {
    // One spot in ten beyond the spline's ±800 nm: those end at the range's edge.
    const z = p % 10 === 0 ? 900 : -750 + 1500 * rng.uniform();
    ax.evaluate(BOX / 2 + rng.uniform() - 0.5, defocusSigma(DEFAULT_ASTIGMATISM.x, z) / 100, false);
    ay.evaluate(BOX / 2 + rng.uniform() - 0.5, defocusSigma(DEFAULT_ASTIGMATISM.y, z) / 100, false);
    for (let k = 0; k < area; k++) {
      shift[p * area + k] = 2 + 3 * rng.uniform();
      data[p * area + k] = rng.poisson(2000 * ax.value[k % BOX] * ay.value[Math.floor(k / BOX)] + 20);
    }
  }
  const solver = { maxIterations: 50, tolerance: 1e-4 };
  for (const [spline, every] of [[built, false], [stored, false], [built, true]] as const) {
    const js = new SplineFit(BOX, spline, 100, every);
    const wasm = new WasmSplineFit(BOX, spline, 100, every);
    const statuses = new Set<number>();
    for (let p = 0; p < n; p++) {
      const start = { x: BOX / 2, y: BOX / 2, photons: 2000, background: 20 };
      const options = p % 2 === 0 ? solver : { ...solver, shift };
      const a = js.fit(data, p * area, start, options);
      const b = wasm.fit(data, p * area, start, options);
      statuses.add(a);
      assert.equal(b, a, `spot ${p}: status`);
      assert.equal(wasm.iterations, js.iterations, `spot ${p}: iterations`);
      // The same arithmetic in the same order: equal to rounding (exp and log may differ by an ulp).
      for (let k = 0; k < 5; k++) assert.ok(Math.abs(wasm.theta[k] - js.theta[k]) <= 1e-6 * Math.max(1, Math.abs(js.theta[k])), `spot ${p} θ${k}: ${wasm.theta[k]} vs ${js.theta[k]}`);
      for (let k = 0; k < 5; k++) if (Number.isFinite(js.crlb[k])) assert.ok(Math.abs(wasm.crlb[k] - js.crlb[k]) <= 1e-6 * js.crlb[k], `spot ${p} CRLB ${k}`);
      assert.ok(Math.abs(wasm.logLikelihood - js.logLikelihood) <= 1e-9 * Math.abs(js.logLikelihood), `spot ${p}: ℓ`);
      assert.ok(Math.abs(wasm.sigmaXNm - js.sigmaXNm) <= 1e-6 * js.sigmaXNm && Math.abs(wasm.sigmaYNm - js.sigmaYNm) <= 1e-6 * js.sigmaYNm, `spot ${p}: widths`);
      // 1e-6 as θ̂: with every start, two starts can end on the same maximum a tolerance apart, and
      // an ulp in ℓ picks either.
      assert.ok(Math.abs(wasm.residualStd(data, p * area) - js.residualStd(data, p * area)) <= 1e-6 * js.residualStd(data, p * area), `spot ${p}: residual`);
    }
    assert.ok(statuses.has(0) && statuses.has(6), `converged and z-range statuses both seen: ${[...statuses]}`);
  }
});
