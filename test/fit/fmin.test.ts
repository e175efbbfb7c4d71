import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conjugateGradient } from '../../src/fit/fmin.js';

test('the fmin adapter loads the UMD bundle and minimizes with one value-and-gradient callback', () => {
  let calls = 0;
  // f(x) = (x0 − 3)² + 10 (x1 + 1)², minimum at (3, −1).
  const result = conjugateGradient((x, gradient) => {
    calls++;
    gradient[0] = 2 * (x[0] - 3);
    gradient[1] = 20 * (x[1] + 1);
    return (x[0] - 3) ** 2 + 10 * (x[1] + 1) ** 2;
  }, new Float64Array([0, 0]));
  assert.ok(Math.abs(result.x[0] - 3) < 1e-5 && Math.abs(result.x[1] + 1) < 1e-5, `${result.x[0]}, ${result.x[1]}`);
  assert.ok(calls > 1);
  assert.ok(result.fx < 1e-9);
});
