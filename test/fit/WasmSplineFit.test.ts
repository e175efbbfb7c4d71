import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_CONVERGED, STATUS_MAX_ITERATIONS, SPLINE_EDGE_START_PX, SPLINE_SETTLED_DECREMENT } from '../../src/fit/fitConstants.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { FisherScoring } from '../../src/fit/FisherScoring.js';
import { SplineModel } from '../../src/fit/models/SplineModel.js';
import { PoissonEstimator } from '../../src/fit/PoissonEstimator.js';
import { SplineFit } from '../../src/fit/SplineFit.js';
import { WasmSplineFit } from '../../src/fit/WasmSplineFit.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { Random } from '../../src/simulate/Random.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticVolume } from './spline/astigmaticVolume.js';

/** The astigmatic Gaussian PSF as a spline (25 nm planes over ±800 nm, 65 px boxes), built once for every test here. */
const SPLINE = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, 100, 25, -800, 25, 65), 25, 25, 65, 25);

const BOX = 13;

/**
 * The JavaScript spline fit with counters on this round's branches, so that the agreement test
 * below can show it reached each: how many starts one fit ran and from which ranked scan plane
 * it began, and what settle made of fits stopped by the iteration limit.
 */
class CountingSplineFit extends SplineFit {
  /** Starts fitted in the last fit; the scan start of the first (the best ranked); its settled status. */
  starts = 0;
  firstPlane = -1;
  firstStatus = -1;
  /** Fits stopped by the iteration limit that settle called converged (Newton decrement) / left at the limit. */
  settledAtLimit = 0;
  leftAtLimit = 0;
  override fit(data: Float64Array, at: number, start: { x: number; y: number; photons: number; background: number }, options: { maxIterations: number; tolerance: number; shift?: Float64Array }): number {
    this.starts = 0;
    return super.fit(data, at, start, options);
  }
  protected override placeStart(start: { x: number; y: number; photons: number; background: number }, s: number): void {
    if (this.starts++ === 0) this.firstPlane = s;
    super.placeStart(start, s);
  }
  protected override settle(status: number): number {
    const settled = super.settle(status);
    if (this.starts === 1) this.firstStatus = settled;
    if (status === STATUS_MAX_ITERATIONS) {
      if (settled === STATUS_CONVERGED) this.settledAtLimit++;
      else this.leftAtLimit++;
    }
    return settled;
  }
}

/** Asserts that the wasm fit's results after a fit equal the JavaScript reference's, to rounding. */
function assertAgree(js: SplineFit, wasm: WasmSplineFit, data: Float64Array, at: number, what: string): void {
  assert.equal(wasm.iterations, js.iterations, `${what}: iterations`);
  // The same arithmetic in the same order: equal to rounding (exp and log may differ by an ulp).
  for (let k = 0; k < 5; k++) assert.ok(Math.abs(wasm.theta[k] - js.theta[k]) <= 1e-6 * Math.max(1, Math.abs(js.theta[k])), `${what} θ${k}: ${wasm.theta[k]} vs ${js.theta[k]}`);
  for (let k = 0; k < 5; k++) if (Number.isFinite(js.crlb[k])) assert.ok(Math.abs(wasm.crlb[k] - js.crlb[k]) <= 1e-6 * js.crlb[k], `${what} CRLB ${k}`);
  assert.ok(Math.abs(wasm.logLikelihood - js.logLikelihood) <= 1e-9 * Math.abs(js.logLikelihood), `${what}: ℓ`);
  assert.ok(Math.abs(wasm.sigmaXNm - js.sigmaXNm) <= 1e-6 * js.sigmaXNm && Math.abs(wasm.sigmaYNm - js.sigmaYNm) <= 1e-6 * js.sigmaYNm, `${what}: widths`);
  // 1e-6 as θ̂: with every start, two starts can end on the same maximum a tolerance apart, and
  // an ulp in ℓ picks either.
  assert.ok(Math.abs(wasm.residualStd(data, at) - js.residualStd(data, at)) <= 1e-6 * js.residualStd(data, at), `${what}: residual`);
}

test('the WebAssembly spline fit fits as the JavaScript reference does (300 spots, Poisson and shifted, some beyond the range, float64 and float32 coefficients, every z start; seed 9)', () => {
  const built = SPLINE;
  // As a file gives it: float32 coefficients (the kernel keeps them as f32 and widens each where it reads it).
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
      assertAgree(js, wasm, data, p * area, `spot ${p}`);
    }
    assert.ok(statuses.has(0) && statuses.has(6), `converged and z-range statuses both seen: ${[...statuses]}`);
  }
});

test('the WebAssembly spline fit takes the edge-start rule, the scan\'s ranking and the Newton-decrement stop as the JavaScript does (300 spots × 3 iteration limits, half within 3 px of the edge; seed 10)', () => {
  const spline = SPLINE;
  const rng = new Random(10);
  const ax = new GaussianAxis(BOX);
  const ay = new GaussianAxis(BOX);
  const n = 300;
  const area = BOX * BOX;
  const data = new Float64Array(n * area);
  const shift = new Float64Array(n * area);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const z = -750 + 1500 * rng.uniform();
    // Odd spots lie 0.3–2.7 px from one of the four edges (a spot the frame cuts), even ones
    // within a pixel of the centre.
    let x = BOX / 2 + rng.uniform() - 0.5, y = BOX / 2 + rng.uniform() - 0.5;
    if (p % 2 === 1) {
      const d = 0.3 + 2.4 * rng.uniform();
      const side = p % 8;
      if (side === 1) x = d;
      else if (side === 3) x = BOX - d;
      else if (side === 5) y = d;
      else y = BOX - d;
    }
    xs[p] = x;
    ys[p] = y;
    ax.evaluate(x, defocusSigma(DEFAULT_ASTIGMATISM.x, z) / 100, false);
    ay.evaluate(y, defocusSigma(DEFAULT_ASTIGMATISM.y, z) / 100, false);
    for (let k = 0; k < area; k++) {
      shift[p * area + k] = 2 + 3 * rng.uniform();
      data[p * area + k] = rng.poisson(2000 * ax.value[k % BOX] * ay.value[Math.floor(k / BOX)] + 20);
    }
  }
  const js = new CountingSplineFit(BOX, spline, 100);
  const wasm = new WasmSplineFit(BOX, spline, 100);
  let leftAtLimit = 0;
  // 50: the fits converge; 6 and 3: some stop at the limit, and settle decides.
  for (const maxIterations of [50, 6, 3]) {
    const solver = { maxIterations, tolerance: 1e-4 };
    js.settledAtLimit = js.leftAtLimit = 0;
    let edgeExtra = 0, centreExtra = 0;
    const planes = new Set<number>();
    for (let p = 0; p < n; p++) {
      // The detector's start: the centre of the pixel the spot lies in.
      const start = { x: Math.floor(xs[p]) + 0.5, y: Math.floor(ys[p]) + 0.5, photons: 2000, background: 20 };
      const options = p % 4 < 2 ? solver : { ...solver, shift };
      const a = js.fit(data, p * area, start, options);
      const b = wasm.fit(data, p * area, start, options);
      assert.equal(b, a, `limit ${maxIterations}, spot ${p}: status`);
      assertAgree(js, wasm, data, p * area, `limit ${maxIterations}, spot ${p}`);
      planes.add(js.firstPlane);
      // More starts after the first converged: only the edge rule fits on (everyStart is off).
      if (js.firstStatus === STATUS_CONVERGED && js.starts > 1) {
        if (p % 2 === 1) edgeExtra++;
        else centreExtra++;
      }
    }
    const counts = `limit ${maxIterations}: edge rule ran further starts on ${edgeExtra} spots (centre ${centreExtra}); first planes ${[...planes].sort((u, v) => u - v)}; at the limit ${js.settledAtLimit} settled, ${js.leftAtLimit} left`;
    console.log(counts);
    // The edge start (0.5, 1.5, 2.5 or 10.5 … 12.5 px) is within SPLINE_EDGE_START_PX of the edge.
    assert.ok(SPLINE_EDGE_START_PX >= 2.5 && edgeExtra >= 50, counts);
    assert.equal(centreExtra, 0, counts);
    // The ranking picks the plane nearest each spot's z: depths over ±750 nm start from many planes.
    assert.ok(planes.size >= 8, counts);
    // Most fits that would settle at a limit of 6 stop earlier by the solver's decrement test
    // (the same SPLINE_SETTLED_DECREMENT); at 3 many are still at the limit, and settle decides.
    if (maxIterations === 3) assert.ok(js.settledAtLimit >= 10, counts);
    leftAtLimit += js.leftAtLimit;
  }
  // Settle also leaves some at the limit (decrement above SPLINE_SETTLED_DECREMENT): both ways agree.
  assert.ok(leftAtLimit >= 5, `${leftAtLimit} fits left at the iteration limit`);
});

test('the WebAssembly spline fit on float32 coefficients (kept as f32 in the kernel) fits exactly as on the same values as float64 (200 spots; seed 12)', () => {
  const built = SPLINE;
  const f32: SplinePsf = { ...built, coefficients: Float32Array.from(built.coefficients) };
  const f64: SplinePsf = { ...built, coefficients: Float64Array.from(f32.coefficients) };
  const rng = new Random(12);
  const ax = new GaussianAxis(BOX);
  const ay = new GaussianAxis(BOX);
  const n = 200;
  const area = BOX * BOX;
  const data = new Float64Array(n * area);
  for (let p = 0; p < n; p++) {
    const z = -700 + 1400 * rng.uniform();
    ax.evaluate(BOX / 2 + 2 * rng.uniform() - 1, defocusSigma(DEFAULT_ASTIGMATISM.x, z) / 100, false);
    ay.evaluate(BOX / 2 + 2 * rng.uniform() - 1, defocusSigma(DEFAULT_ASTIGMATISM.y, z) / 100, false);
    for (let k = 0; k < area; k++) data[p * area + k] = rng.poisson(1500 * ax.value[k % BOX] * ay.value[Math.floor(k / BOX)] + 15);
  }
  const a = new WasmSplineFit(BOX, f32, 100);
  const b = new WasmSplineFit(BOX, f64, 100);
  const solver = { maxIterations: 50, tolerance: 1e-4 };
  let converged = 0;
  for (let p = 0; p < n; p++) {
    const start = { x: BOX / 2, y: BOX / 2, photons: 1500, background: 15 };
    const sa = a.fit(data, p * area, start, solver);
    const sb = b.fit(data, p * area, start, solver);
    assert.equal(sa, sb, `spot ${p}: status`);
    if (sa === STATUS_CONVERGED) converged++;
    // The same values read, the same arithmetic: equal to the last bit (NaN where not converged in both).
    assert.deepEqual([...a.theta, ...a.crlb, a.logLikelihood, a.iterations, a.sigmaXNm, a.sigmaYNm], [...b.theta, ...b.crlb, b.logLikelihood, b.iterations, b.sigmaXNm, b.sigmaYNm], `spot ${p}`);
  }
  assert.ok(converged >= n / 2, `${converged} of ${n} converged`);
});

test('a spline fit stops once the Newton decrement falls below SPLINE_SETTLED_DECREMENT: fewer iterations, the same maximum to 0.05 standard errors (200 spots; seed 13)', () => {
  const spline = SPLINE;
  const rng = new Random(13);
  const ax = new GaussianAxis(BOX);
  const ay = new GaussianAxis(BOX);
  const area = BOX * BOX;
  const data = new Float64Array(area);
  const model = new SplineModel(BOX, spline);
  const estimator = new PoissonEstimator(model);
  const scoring = new FisherScoring(5);
  const theta = new Float64Array(5);
  const exact = new Float64Array(5);
  const crlb = new Float64Array(5);
  let fewer = 0, more = 0, compared = 0, worst = 0;
  for (let p = 0; p < 200; p++) {
    const z = -600 + 1200 * rng.uniform();
    ax.evaluate(BOX / 2 + rng.uniform() - 0.5, defocusSigma(DEFAULT_ASTIGMATISM.x, z) / 100, false);
    ay.evaluate(BOX / 2 + rng.uniform() - 0.5, defocusSigma(DEFAULT_ASTIGMATISM.y, z) / 100, false);
    for (let k = 0; k < area; k++) data[k] = rng.poisson(2000 * ax.value[k % BOX] * ay.value[Math.floor(k / BOX)] + 20);
    estimator.bind(data, 0, undefined);
    // From 100 nm off the true z: the tolerance alone, then with the decrement test.
    const start = [BOX / 2, BOX / 2, 1500, 20, z + 100];
    exact.set(start);
    const a = scoring.run(estimator, exact, 5, 50, 1e-4);
    const tolerated = scoring.iterations;
    theta.set(start);
    const b = scoring.run(estimator, theta, 5, 50, 1e-4, SPLINE_SETTLED_DECREMENT);
    if (a !== STATUS_CONVERGED || b !== STATUS_CONVERGED) continue;
    if (scoring.iterations < tolerated) fewer++;
    if (scoring.iterations > tolerated) more++;
    estimator.evaluate(exact);
    if (!estimator.bound(exact, crlb, scoring.gradient, scoring.fisher)) continue;
    compared++;
    // √SPLINE_SETTLED_DECREMENT ≈ 0.03 standard errors from the maximum, each parameter.
    for (let k = 0; k < 5; k++) worst = Math.max(worst, Math.abs(theta[k] - exact[k]) / crlb[k]);
  }
  const counts = `${fewer} fits took fewer iterations, ${more} more; ${compared} compared, worst |Δθ|/σ ${worst.toFixed(4)}`;
  console.log(counts);
  assert.ok(compared >= 150 && fewer >= 150 && more === 0, counts);
  assert.ok(worst < 0.05, counts);
});
