import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPercent } from '../../src/cli/formatPercent.js';

test('a percentage is never rounded to a 100 % or 0 % that is not one', () => {
  // 23 fits of 30 000 did not converge: 99.923 % would print as "99.9 %", 9977 of 10 000 would round up.
  assert.equal(formatPercent(29977, 30000), '99.9 %');
  assert.equal(formatPercent(9999, 10000), '>99.9 %');
  assert.equal(formatPercent(99_999_977, 100_000_000), '>99.9 %');
  assert.equal(formatPercent(1, 100_000), '<0.1 %');
  assert.equal(formatPercent(99_999, 100_000, 2), '>99.99 %');
  // Exact shares print as they are.
  assert.equal(formatPercent(10000, 10000), '100.0 %');
  assert.equal(formatPercent(0, 10000), '0.0 %');
  assert.equal(formatPercent(17, 40), '42.5 %');
  assert.equal(formatPercent(1, 1, 2), '100.00 %');
  // Nothing to divide by, or no number: n/a, never NaN.
  assert.equal(formatPercent(0, 0), 'n/a');
  assert.equal(formatPercent(Number.NaN, 1), 'n/a');
});
