import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimizeNelderMead } from '../../src/post/minimizeNelderMead.js';

test('Nelder–Mead finds the minimum of Rosenbrock and of a tilted 5-D quadratic, and treats NaN as +∞', () => {
  const rosenbrock = (x: Float64Array) => (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
  const r = minimizeNelderMead(rosenbrock, [-1.2, 1], [0.5, 0.5], 4000, 1e-14);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-4 && Math.abs(r.x[1] - 1) < 1e-4, `Rosenbrock: ${r.x}`);
  const centre = [1, -2, 3, 0.5, -0.25];
  const quadratic = (x: Float64Array) => x.reduce((s, v, i) => s + (i + 1) * (v - centre[i]) ** 2, 0) + 0.5 * (x[0] - centre[0]) * (x[1] - centre[1]);
  const q = minimizeNelderMead(quadratic, [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], 10000, 1e-14);
  centre.forEach((c, i) => assert.ok(Math.abs(q.x[i] - c) < 1e-4, `quadratic ${i}: ${q.x[i]}`));
  // A domain x > 0.5: NaN outside; the minimum of (x − 1)² inside is found from a start near the edge.
  const bounded = minimizeNelderMead((x) => (x[0] > 0.5 ? (x[0] - 1) ** 2 : NaN), [0.6], [1]);
  assert.ok(Math.abs(bounded.x[0] - 1) < 1e-4, `bounded: ${bounded.x[0]}`);
});
