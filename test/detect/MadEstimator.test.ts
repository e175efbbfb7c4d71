import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MadEstimator } from '../../src/detect/MadEstimator.js';
import { Random } from '../../src/simulate/Random.js';

/** 1.4826 · MAD by sorting (the definition, with the upper median at even n like the estimator). */
function madBySorting(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const median = sorted[sorted.length >> 1];
  const deviations = Float64Array.from(values, (v) => Math.abs(v - median)).sort();
  return 1.482602218505602 * deviations[deviations.length >> 1];
}

test('the bucketed MAD equals the MAD by sorting exactly, whatever the data', () => {
  const rng = new Random(11);
  const cases: Record<string, Float64Array> = {
    gaussian: Float64Array.from({ length: 8192 }, () => 3 * rng.normal() + 40),
    'integers with ties': Float64Array.from({ length: 8192 }, () => rng.poisson(4)),
    'outliers (spots)': Float64Array.from({ length: 8192 }, () => rng.normal() + (rng.uniform() < 0.1 ? 500 * rng.uniform() : 0)),
    // Every pilot value (each 32nd) is 0: the pilot MAD is 0 and the full selection runs.
    'pilot blind': Float64Array.from({ length: 8192 }, (_, i) => (i % 32 === 0 ? 0 : rng.normal())),
    // The pilot sees only large values: the median lies below every bucket.
    'pilot misled': Float64Array.from({ length: 8192 }, (_, i) => (i % 32 === 0 ? 1e6 + rng.normal() : rng.normal())),
    constant: new Float64Array(8192).fill(7),
    'few values': Float64Array.from({ length: 37 }, () => rng.normal()),
    one: Float64Array.from([5]),
  };
  const estimator = new MadEstimator(8192);
  for (const [name, values] of Object.entries(cases)) {
    const expected = madBySorting(values);
    assert.equal(estimator.std(Float64Array.from(values), values.length), expected, name);
  }
});

test('on Gaussian noise the estimate is the standard deviation (8192 values, within 4 %)', () => {
  const rng = new Random(12);
  const estimator = new MadEstimator(8192);
  // The MAD's relative standard error at n = 8192 is ≈ 1.17/√n ≈ 1.3 %; allow 4 %.
  const values = Float64Array.from({ length: 8192 }, () => 2.5 * rng.normal() - 1);
  assert.ok(Math.abs(estimator.std(values, values.length) / 2.5 - 1) < 0.04);
});
