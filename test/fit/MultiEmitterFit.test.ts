import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chiSquareThreshold, EmitterSelector, resolveMultiEmitterOptions } from '../../src/fit/EmitterSelector.js';
import { FitStatus } from '../../src/fit/FitStatus.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { MultiEmitterFit } from '../../src/fit/MultiEmitterFit.js';
import { WasmEmitterSelector } from '../../src/fit/WasmEmitterSelector.js';
import { WasmMultiEmitterFit } from '../../src/fit/WasmMultiEmitterFit.js';
import type { EmitterSelection } from '../../src/fit/EmitterSelection.js';
import { Random } from '../../src/simulate/Random.js';

const W = 9;
const SIGMA = 1.3;

/** Expected photons of a width×width window (W unless given): background b plus spots (x, y, N) in window px. */
function window(spots: readonly (readonly [number, number, number])[], b: number, width = W): Float64Array {
  const ax = new GaussianAxis(width);
  const ay = new GaussianAxis(width);
  const mu = new Float64Array(width * width).fill(b);
  for (const [x, y, n] of spots) {
    ax.evaluate(x, SIGMA, false);
    ay.evaluate(y, SIGMA, false);
    for (let r = 0; r < width; r++) for (let c = 0; c < width; c++) mu[r * width + c] += n * ax.value[c] * ay.value[r];
  }
  return mu;
}

const SOLVER = { maxIterations: 50, tolerance: 1e-6 };

describe('the joint fit of several emitters', () => {
  test('noiseless data: two and three emitters found exactly from starts 0.5 px off', () => {
    const fit = new MultiEmitterFit(W, 5);
    const spots = [[3.2, 4.1, 2000], [5.7, 4.6, 1500], [4.4, 6.8, 1000]] as const;
    for (const k of [2, 3]) {
      const data = window(spots.slice(0, k), 20);
      const start = spots.slice(0, k).flatMap(([x, y, n]) => [x + 0.5, y - 0.4, n * 0.7]);
      fit.theta.set([...start, 15]);
      assert.equal(fit.fit(data, 0, k, SIGMA, SOLVER), FitStatus.converged);
      for (let e = 0; e < k; e++) {
        assert.ok(Math.abs(fit.theta[3 * e] - spots[e][0]) < 1e-6 && Math.abs(fit.theta[3 * e + 1] - spots[e][1]) < 1e-6, `emitter ${e}: ${fit.theta.subarray(3 * e, 3 * e + 3)}`);
        assert.ok(Math.abs(fit.theta[3 * e + 2] / spots[e][2] - 1) < 1e-6);
      }
      assert.ok(Math.abs(fit.theta[3 * k] - 20) < 1e-6);
    }
  });

  test('Poisson data: two emitters 250 nm apart are fitted without bias at the joint CRLB (2000 windows, seed 3)', () => {
    // 2000 windows: the RMSE/CRLB ratio's standard error is ≈ 1/√(2·2000) ≈ 1.6 %, the bias's
    // ≈ CRLB/√2000 ≈ 0.002 px; the bounds hold several standard errors.
    const rng = new Random(3);
    const fit = new MultiEmitterFit(W, 5);
    let se = 0;
    let crlb = 0;
    let bias = 0;
    let n = 0;
    for (let t = 0; t < 2000; t++) {
      const x0 = 3.2 + 0.5 * rng.uniform();
      const y0 = 3.8 + 0.5 * rng.uniform();
      const spots = [[x0, y0, 2000], [x0 + 2.5, y0 + 0.3, 2000]] as const;
      const data = window(spots, 20).map((m) => rng.poisson(m));
      fit.theta.set([x0 + 0.3, y0 - 0.2, 1500, x0 + 2.2, y0 + 0.6, 2500, 20]);
      if (fit.fit(data, 0, 2, SIGMA, SOLVER) !== FitStatus.converged) continue;
      assert.ok(fit.bound(2, data, 0));
      for (let e = 0; e < 2; e++) {
        const dx = fit.theta[3 * e] - spots[e][0];
        se += dx * dx;
        bias += dx;
        crlb += fit.crlb[3 * e] ** 2;
        n++;
      }
    }
    assert.ok(n > 3900, `${n / 2} of 2000 windows converged`);
    const ratio = Math.sqrt(se / crlb);
    assert.ok(ratio > 0.94 && ratio < 1.06, `RMSE/CRLB ${ratio}`);
    assert.ok(Math.abs(bias / n) < 0.01, `bias ${bias / n} px`);
    // The joint bound is wider than one emitter alone would have.
    const alone = new MultiEmitterFit(W, 1);
    alone.theta.set([4, 4, 2000, 20]);
    const single = window([[4, 4, 2000]], 20);
    alone.fit(single, 0, 1, SIGMA, SOLVER);
    alone.bound(1, single, 0);
    assert.ok(Math.sqrt(crlb / n) > 1.05 * alone.crlb[0], `joint ${Math.sqrt(crlb / n)} px vs alone ${alone.crlb[0]} px`);
  });

  test('never throws: NaN data is bad data, an emitter started far outside leaves the window', () => {
    const fit = new MultiEmitterFit(W, 2);
    const data = window([[4, 4, 2000]], 20);
    data[7] = Number.NaN;
    fit.theta.set([4, 4, 2000, 20]);
    assert.equal(fit.fit(data, 0, 1, SIGMA, SOLVER), FitStatus.badData);
    // An emitter started far outside, on data of one spot, leaves: a status, not an exception.
    const one = window([[4, 4, 2000]], 20);
    fit.theta.set([4, 4, 2000, 14, -6, 500, 20]);
    assert.equal(fit.fit(one, 0, 2, SIGMA, SOLVER), FitStatus.leftPatch);
    // A flat window: whatever the status, finite numbers.
    const flat = new Float64Array(W * W).fill(20);
    fit.theta.set([4, 4, 2000, 20]);
    const status = fit.fit(flat, 0, 1, SIGMA, SOLVER);
    assert.ok(Object.values(FitStatus).includes(status as never));
    assert.ok(Number.isFinite(fit.logLikelihood) && fit.theta.subarray(0, 4).every(Number.isFinite));
  });
});

describe('choosing the number of emitters (likelihood-ratio test, p = 1e-6)', () => {
  const options = resolveMultiEmitterOptions();
  test('the χ² thresholds: 30.66 for 3 degrees of freedom at p = 1e-6', () => {
    assert.ok(Math.abs(chiSquareThreshold(1e-6, 3) - 30.6648) < 1e-3);
    assert.ok(Math.abs(chiSquareThreshold(1e-3, 21) - 46.797) < 1e-2);
  });

  test('one emitter stays one (1000 windows, no false second), two 250 nm apart become two (≥ 99 %)', () => {
    const rng = new Random(4);
    const selector = new EmitterSelector(W, options);
    let split = 0;
    let found = 0;
    for (let t = 0; t < 1000; t++) {
      const x = 4 + rng.uniform();
      const y = 4 + rng.uniform();
      const one = window([[x, y, 2000]], 20).map((m) => rng.poisson(m));
      if (selector.select(one, 0, { x, y, photons: 2000, background: 20 }, SIGMA, SOLVER) > 1) split++;
      const two = window([[x - 1.25, y, 2000], [x + 1.25, y, 2000]], 20).map((m) => rng.poisson(m));
      if (selector.select(two, 0, { x, y, photons: 4000, background: 20 }, SIGMA, SOLVER) === 2) found++;
    }
    assert.equal(split, 0, `${split} of 1000 single emitters split`);
    assert.ok(found >= 990, `${found} of 1000 pairs found`);
  });

  test('the WebAssembly kernel chooses as the JavaScript reference does (600 windows of 1–4 emitters, Poisson and shifted, seed 5)', () => {
    // Same arithmetic in the same order; only the kernel's exp and log differ from V8's by an
    // ulp, so θ̂ agrees to ~1e-10 px. A likelihood-ratio statistic within rounding of its threshold
    // could choose differently: none of these 600 is that close (checked), so K must agree everywhere.
    const rng = new Random(5);
    const js = new EmitterSelector(W, options);
    const wasm = new WasmEmitterSelector(W, options);
    const counts = [0, 0, 0, 0, 0, 0];
    const windows = 4;
    const data = new Float64Array(windows * W * W);
    const shift = new Float64Array(windows * W * W);
    for (let t = 0; t < 600; t++) {
      const k = 1 + (t % 4);
      const shifted = t % 3 === 0;
      const at = (t % windows) * W * W;
      const spots = Array.from({ length: k }, () => [1.5 + 6 * rng.uniform(), 1.5 + 6 * rng.uniform(), 500 + 2000 * rng.uniform()] as const);
      const mu = window(spots, 10 + 20 * rng.uniform());
      for (let i = 0; i < W * W; i++) {
        // The shifted-Poisson model of read noise: n + s ~ Poisson(μ + s), s = (σ_read/g)² ≈ 4.
        shift[at + i] = shifted ? 3 + 2 * rng.uniform() : 0;
        data[at + i] = rng.poisson(mu[i] + shift[at + i]) - shift[at + i];
      }
      const start = { x: spots[0][0] + 0.3, y: spots[0][1] - 0.2, photons: spots[0][2], background: 15 };
      const solver = { ...SOLVER, shift: shifted ? shift : undefined };
      const kj = js.select(data, at, start, SIGMA, solver);
      const kw = wasm.select(data, at, start, SIGMA, solver);
      assert.equal(kw, kj, `window ${t}: K ${kw} (kernel) vs ${kj} (JavaScript)`);
      assert.equal(wasm.status, js.status, `window ${t}: status`);
      counts[kj]++;
      if (kj === 0) continue;
      assert.equal(wasm.iterations, js.iterations, `window ${t}: iterations`);
      for (let a = 0; a < 3 * kj + 1; a++) {
        const scale = a % 3 === 2 || a === 3 * kj ? Math.max(1, Math.abs(js.theta[a])) : 1;
        assert.ok(Math.abs(wasm.theta[a] - js.theta[a]) < 1e-6 * scale, `window ${t}: θ[${a}] ${wasm.theta[a]} vs ${js.theta[a]}`);
        assert.ok(Math.abs(wasm.crlb[a] / js.crlb[a] - 1) < 1e-6, `window ${t}: CRLB[${a}]`);
      }
      assert.ok(Math.abs(wasm.logLikelihood - js.logLikelihood) < 1e-9 * Math.abs(js.logLikelihood), `window ${t}: ℓ`);
      assert.ok(Math.abs(wasm.residualStd - js.residualStd) < 1e-9 * js.residualStd, `window ${t}: residual std`);
    }
    // The windows exercise every model size up to 4.
    for (let k = 1; k <= 4; k++) assert.ok(counts[k] >= 10, `only ${counts[k]} windows chose ${k} emitters: ${counts}`);
  });

  test('the kernel\'s joint fit, refresh, bound and residual spread agree with the JavaScript (400 windows, K 1–5, seed 9)', () => {
    // WasmMultiEmitterFit drives the kernel's MultiEmitterFit call by call (the residual passes'
    // refits and row tests); the same arithmetic, exp and log aside: statuses and iterations
    // equal, θ̂ within 1e-6 px (1e-6 relative for N and b), ℓ and the spread within 1e-9.
    const wide = 11;
    const rng = new Random(9);
    const js = new MultiEmitterFit(wide, 5);
    const wasm = new WasmMultiEmitterFit(wide, 5);
    const data = new Float64Array(2 * wide * wide);
    const shift = new Float64Array(2 * wide * wide);
    const statuses = new Set<number>();
    for (let t = 0; t < 400; t++) {
      const k = 1 + (t % 5);
      const shifted = t % 3 === 0;
      const at = (t % 2) * wide * wide;
      const spots = Array.from({ length: k }, () => [1.5 + 8 * rng.uniform(), 1.5 + 8 * rng.uniform(), 300 + 2000 * rng.uniform()] as const);
      const mu = window(spots, 10 + 20 * rng.uniform(), wide);
      for (let i = 0; i < wide * wide; i++) {
        shift[at + i] = shifted ? 3 + 2 * rng.uniform() : 0;
        data[at + i] = rng.poisson(mu[i] + shift[at + i]) - shift[at + i];
      }
      const start = [...spots.flatMap(([x, y, n]) => [x + 0.4 * rng.uniform() - 0.2, y + 0.4 * rng.uniform() - 0.2, n * (0.7 + 0.6 * rng.uniform())]), 15];
      const solver = { ...SOLVER, maxIterations: 20, shift: shifted ? shift : undefined };
      js.theta.set(start);
      wasm.theta.set(start);
      const refreshed = js.refresh(data, at, k, SIGMA, solver.shift);
      assert.ok(Math.abs(wasm.refresh(data, at, k, SIGMA, solver.shift) - refreshed) < 1e-9 * Math.abs(refreshed), `window ${t}: ℓ of the start`);
      const sj = js.fit(data, at, k, SIGMA, solver);
      const sw = wasm.fit(data, at, k, SIGMA, solver);
      statuses.add(sj);
      assert.equal(sw, sj, `window ${t}: status`);
      assert.equal(wasm.iterations, js.iterations, `window ${t}: iterations`);
      for (let a = 0; a < 3 * k + 1; a++) {
        const scale = a % 3 === 2 || a === 3 * k ? Math.max(1, Math.abs(js.theta[a])) : 1;
        assert.ok(Math.abs(wasm.theta[a] - js.theta[a]) < 1e-6 * scale, `window ${t}: θ[${a}] ${wasm.theta[a]} vs ${js.theta[a]}`);
      }
      if (sj !== FitStatus.converged) continue;
      assert.ok(Math.abs(wasm.logLikelihood - js.logLikelihood) < 1e-9 * Math.abs(js.logLikelihood), `window ${t}: ℓ`);
      assert.equal(wasm.bound(k, data, at, solver.shift), js.bound(k, data, at, solver.shift), `window ${t}: bounded`);
      for (let a = 0; a < 3 * k + 1; a++) assert.ok(Math.abs(wasm.crlb[a] / js.crlb[a] - 1) < 1e-6, `window ${t}: CRLB[${a}]`);
      const spread = js.residualStd(data, at);
      assert.ok(Math.abs(wasm.residualStd(data, at) - spread) < 1e-9 * spread, `window ${t}: residual std`);
    }
    // Fits that stop short are compared too (the 20-iteration limit, bad starts).
    assert.ok(statuses.has(FitStatus.converged) && statuses.size > 1, `statuses ${[...statuses]}`);
  });
});

describe('crowded windows (issue 27): spots at known separations, neighbours at the edge', () => {
  // The pipeline's 2-D window for σ = 1.3 px: the 7 px box and 2 px margins each side.
  const WIDE = 11;
  const centre = WIDE / 2;
  const options = resolveMultiEmitterOptions();
  const engines = [
    ['JavaScript', new EmitterSelector(WIDE, options)],
    ['WebAssembly', new WasmEmitterSelector(WIDE, options)],
  ] as const;

  /** Windows of `spots(rng)` (N = 2000, b = 20, Poisson): K chosen, and how many windows have every one of the first `inner` spots within 0.5 px of an emitter (≈ 10 × its √CRLB). */
  function recover(selector: EmitterSelection, seed: number, windows: number, inner: number, spots: (rng: Random) => [number, number][]): { k: number[]; found: number } {
    const rng = new Random(seed);
    const k = [0, 0, 0, 0, 0, 0];
    let found = 0;
    for (let t = 0; t < windows; t++) {
      const xy = spots(rng);
      const data = window(xy.map(([x, y]) => [x, y, 2000] as const), 20, WIDE).map((m) => rng.poisson(m));
      const chosen = selector.select(data, 0, { x: xy[0][0] + 0.3, y: xy[0][1] - 0.2, photons: 2000 * inner, background: 20 }, SIGMA, SOLVER);
      k[chosen]++;
      const q = selector.perEmitter;
      const near = ([x, y]: [number, number]) => Array.from({ length: chosen }, (_, e) => Math.hypot(selector.theta[q * e] - x, selector.theta[q * e + 1] - y)).some((d) => d < 0.5);
      if (xy.slice(0, inner).every(near)) found++;
    }
    return { k, found };
  }
  /** Two spots `separation` px apart about a point near the centre, at a random angle. */
  const pair = (separation: number) => (rng: Random): [number, number][] => {
    const a = rng.uniform() * Math.PI;
    const cx = centre - 0.5 + rng.uniform();
    const cy = centre - 0.5 + rng.uniform();
    const dx = (separation / 2) * Math.cos(a);
    const dy = (separation / 2) * Math.sin(a);
    return [[cx + dx, cy + dy], [cx - dx, cy - dy]];
  };

  for (const [name, selector] of engines) {
    test(`${name}: a pair with a third spot centred 0.5 px outside the window's edge: both found (≥ 94 % of 200 windows per separation, seed 11)`, () => {
      // Measured 97–98 % (400 windows, 1.5–3.5 px); before the edge's neighbour was held in the
      // model (the selection stopped when it went outside) 45–59 %.
      for (const separation of [2, 3]) {
        const { found, k } = recover(selector, 11, 200, 2, (rng) => {
          const b = rng.uniform() * 2 * Math.PI;
          return [...pair(separation)(rng), [centre + 6 * Math.cos(b), centre + 6 * Math.sin(b)]];
        });
        assert.ok(found >= 188, `${separation} px: both found in ${found} of 200 windows (K: ${k})`);
      }
    });

    test(`${name}: pairs 1.5–3 px apart become two, triangles of spots 2 px apart three (≥ 95 % of 100 windows each, seed 12)`, () => {
      for (const separation of [1.5, 2, 3]) {
        const { k, found } = recover(selector, 12, 100, 2, pair(separation));
        assert.ok(k[2] >= 95 && found >= 95, `${separation} px: K ${k}, found ${found}`);
      }
      const { k, found } = recover(selector, 12, 100, 3, (rng) => {
        const a = rng.uniform() * 2 * Math.PI;
        const r = 2 / Math.sqrt(3);
        return [0, 1, 2].map((e) => [centre + r * Math.cos(a + (2 * Math.PI * e) / 3), centre + r * Math.sin(a + (2 * Math.PI * e) / 3)] as [number, number]);
      });
      assert.ok(k[3] >= 95 && found >= 95, `triangles: K ${k}, found ${found}`);
    });

    test(`${name}: an isolated spot stays one, also 2 px from the window's edge (300 windows, seed 13)`, () => {
      const middle = recover(selector, 13, 300, 1, (rng) => [[centre - 0.5 + rng.uniform(), centre - 0.5 + rng.uniform()]]);
      const edge = recover(selector, 13, 300, 1, (rng) => [[2 + rng.uniform(), centre - 0.5 + rng.uniform()]]);
      assert.equal(middle.k[1], 300, `centred: K ${middle.k}`);
      assert.equal(edge.k[1], 300, `near the edge: K ${edge.k}`);
      assert.equal(middle.found + edge.found, 600);
    });
  }
});
