import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/simulate/Random.js';

test('the same seed gives the same sequence; another seed another', () => {
  const a = new Random(7);
  const b = new Random(7);
  const c = new Random(8);
  const sa = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.nextUint32()));
});

test('uniform and normal moments (200 000 draws, tolerances ≥ 5 standard errors)', () => {
  const rng = new Random(1);
  const n = 200_000;
  let su = 0, sn = 0, snn = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = rng.normal();
    sn += z;
    snn += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 5 * Math.sqrt(1 / 12 / n));
  assert.ok(Math.abs(sn / n) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(snn / n - 1) < 5 * Math.sqrt(2 / n));
});

test('Poisson mean and variance across both samplers (inversion < 10 ≤ PTRS)', () => {
  const rng = new Random(2);
  const n = 100_000;
  for (const lambda of [0.3, 4, 9.9, 10, 30, 1500]) {
    let s = 0, ss = 0;
    for (let i = 0; i < n; i++) {
      const k = rng.poisson(lambda);
      assert.ok(Number.isInteger(k) && k >= 0);
      s += k;
      ss += k * k;
    }
    const mean = s / n;
    const variance = ss / n - mean * mean;
    // Standard error of the mean √(λ/n); of the variance ≈ λ·√(2/n) (plus the kurtosis term 1/λ).
    assert.ok(Math.abs(mean - lambda) < 5 * Math.sqrt(lambda / n), `λ = ${lambda}: mean ${mean}`);
    assert.ok(Math.abs(variance / lambda - 1) < 5 * Math.sqrt(2 / n + 1 / (lambda * n)), `λ = ${lambda}: variance ${variance}`);
  }
  assert.equal(rng.poisson(0), 0);
});

test('Poisson probabilities match the pmf at λ = 12 (χ² over 0…30, 200 000 draws)', () => {
  const rng = new Random(3);
  const n = 200_000;
  const lambda = 12;
  const counts = new Float64Array(31);
  for (let i = 0; i < n; i++) counts[Math.min(rng.poisson(lambda), 30)]++;
  let chi2 = 0;
  let p = Math.exp(-lambda);
  let tail = 1;
  for (let k = 0; k < 30; k++) {
    chi2 += (counts[k] - n * p) ** 2 / (n * p);
    tail -= p;
    p *= lambda / (k + 1);
  }
  chi2 += (counts[30] - n * tail) ** 2 / (n * tail);
  // 30 degrees of freedom: P(χ² > 59.7) = 0.001.
  assert.ok(chi2 < 59.7, `χ² = ${chi2}`);
});

test('gamma mean and variance at shapes 0.5, 3 and 200 (200 000 draws, tolerances ≥ 5 standard errors)', () => {
  const rng = new Random(21);
  for (const k of [0.5, 3, 200]) {
    const n = 200_000;
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.gamma(k);
      s += v;
      ss += v * v;
    }
    const mean = s / n;
    const variance = ss / n - mean * mean;
    // Standard error of the mean √(k/n); of the variance ≈ √((μ4 − σ⁴)/n) = σ² √((2 + 6/k)/n).
    assert.ok(Math.abs(mean - k) < 5 * Math.sqrt(k / n), `shape ${k}: mean ${mean}`);
    assert.ok(Math.abs(variance - k) < 5 * k * Math.sqrt((2 + 6 / k) / n), `shape ${k}: variance ${variance}`);
  }
});
