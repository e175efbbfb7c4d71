import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { SplineModel } from '../../src/fit/models/SplineModel.js';
import { SplineFit } from '../../src/fit/SplineFit.js';
import { WasmMultiSplineFit } from '../../src/fit/WasmMultiSplineFit.js';
import { WasmSplineFit } from '../../src/fit/WasmSplineFit.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { Random } from '../../src/simulate/Random.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticVolume } from './spline/astigmaticVolume.js';

// The kernel evaluates a window row by row, each row's pixels inside the spline's grid one run
// (SplineFit.ts's windowTerms, windowValues) and the rest zeros. A spline of 9 × 9 px in a
// 13 px window puts pixels beyond the grid on every side, so each row has a run cut on the left,
// on the right or both, and whole rows lie outside: the JavaScript evaluates every pixel alone.

/** The astigmatic Gaussian PSF as a spline of 9 × 9 px (50 nm planes over ±800 nm): smaller than the window. */
const SMALL: SplinePsf = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 9, -800, 50, 33), 9, 9, 33, 50);
const BOX = 13;

test('kernel μ through a spline smaller than the window equals the JavaScript\'s to the last bit, on every side of the grid (200 emitters over the whole window, float64 and float32; seed 31)', () => {
  const rng = new Random(31);
  const area = BOX * BOX;
  const data = new Float64Array(area).fill(20);
  const theta = new Float64Array(5);
  const mu = new Float64Array(area);
  const ref = new Float64Array(area);
  let cutLeft = 0, cutRight = 0, rowsOut = 0;
  for (const spline of [SMALL, { ...SMALL, coefficients: Float32Array.from(SMALL.coefficients) }]) {
    const kernel = new WasmMultiSplineFit(BOX, spline);
    const js = new SplineModel(BOX, spline);
    for (let p = 0; p < 200; p++) {
      // x, y anywhere in the window (and up to a pixel beyond), z over the spline's range.
      theta[0] = -1 + (BOX + 2) * rng.uniform();
      theta[1] = -1 + (BOX + 2) * rng.uniform();
      theta[2] = 1000 + 2000 * rng.uniform();
      theta[3] = 5 + 20 * rng.uniform();
      theta[4] = -780 + 1560 * rng.uniform();
      const iu = Math.floor(spline.centerXPx + 0.5 - theta[0]), iv = Math.floor(spline.centerYPx + 0.5 - theta[1]);
      if (iu < 0) cutLeft++;
      if (iu + BOX > spline.voxelsX) cutRight++;
      if (iv < 0 || iv + BOX > spline.voxelsY) rowsOut++;
      // θ of the multi-emitter fit: (x, y, N, z, b).
      const multi = Float64Array.of(theta[0], theta[1], theta[2], theta[4], theta[3]);
      const ll = kernel.evaluate(data, 0, 1, multi, undefined, mu);
      assert.ok(Number.isFinite(ll), `emitter ${p}: ℓ finite`);
      assert.ok(js.evaluate(theta, ref, false));
      // μ = b + N·S either side (b + x and x + b round alike); S the same products and sums in the same order.
      for (let k = 0; k < area; k++) assert.equal(mu[k], ref[k], `emitter ${p}, pixel ${k}`);
    }
  }
  assert.ok(cutLeft > 50 && cutRight > 50 && rowsOut > 50, `cut runs seen: left ${cutLeft}, right ${cutRight}, rows outside ${rowsOut}`);
});

test('the kernel\'s spline fit through a spline smaller than the window fits as the JavaScript does (150 spots over the window, float64 and float32; seed 32)', () => {
  const rng = new Random(32);
  const ax = new GaussianAxis(BOX);
  const ay = new GaussianAxis(BOX);
  const n = 150;
  const area = BOX * BOX;
  const data = new Float64Array(n * area);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const z = -700 + 1400 * rng.uniform();
    xs[p] = 1.5 + (BOX - 3) * rng.uniform();
    ys[p] = 1.5 + (BOX - 3) * rng.uniform();
    ax.evaluate(xs[p], defocusSigma(DEFAULT_ASTIGMATISM.x, z) / 100, false);
    ay.evaluate(ys[p], defocusSigma(DEFAULT_ASTIGMATISM.y, z) / 100, false);
    for (let k = 0; k < area; k++) data[p * area + k] = rng.poisson(2000 * ax.value[k % BOX] * ay.value[Math.floor(k / BOX)] + 20);
  }
  const solver = { maxIterations: 50, tolerance: 1e-4 };
  for (const spline of [SMALL, { ...SMALL, coefficients: Float32Array.from(SMALL.coefficients) }]) {
    const js = new SplineFit(BOX, spline, 100);
    const wasm = new WasmSplineFit(BOX, spline, 100);
    let converged = 0;
    for (let p = 0; p < n; p++) {
      const start = { x: xs[p], y: ys[p], photons: 2000, background: 20 };
      const a = js.fit(data, p * area, start, solver);
      const b = wasm.fit(data, p * area, start, solver);
      assert.equal(b, a, `spot ${p}: status`);
      assert.equal(wasm.iterations, js.iterations, `spot ${p}: iterations`);
      if (a === 0) converged++;
      // The same arithmetic in the same order: equal to rounding (the kernel's log may differ from Math.log by an ulp).
      for (let k = 0; k < 5; k++) assert.ok(Math.abs(wasm.theta[k] - js.theta[k]) <= 1e-6 * Math.max(1, Math.abs(js.theta[k])), `spot ${p} θ${k}: ${wasm.theta[k]} vs ${js.theta[k]}`);
      for (let k = 0; k < 5; k++) if (Number.isFinite(js.crlb[k])) assert.ok(Math.abs(wasm.crlb[k] - js.crlb[k]) <= 1e-6 * js.crlb[k], `spot ${p} CRLB ${k}`);
    }
    assert.ok(converged > n / 2, `most spots converge: ${converged} of ${n}`);
  }
});
