/**
 * A window as wide as the spline reads its last samples: SplineEvaluator.value()/gradient() at
 * u = voxelsX (or v = voxelsY) with offset 0 give the spline there (the sample itself on a
 * sample plane), as at() does, not 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpline } from '../../../src/fit/spline/buildSpline.js';
import { SplineEvaluator } from '../../../src/fit/spline/SplineEvaluator.js';

test('the last column and row of samples are read, values and derivatives as at()', () => {
  const [nx, ny, nz] = [7, 6, 5];
  const volume = new Float64Array(nx * ny * nz);
  for (let k = 0; k < volume.length; k++) volume[k] = 1 + Math.sin(k * 0.7) * 0.5; // no symmetry
  const psf = buildSpline(volume, nx, ny, nz, 50);
  const e = new SplineEvaluator(psf);
  const [vx, vy] = [nx - 1, ny - 1];
  // On sample planes the spline passes through the samples: the last column's samples.
  e.prepare(0, 0, 0);
  for (let iy = 0; iy < vy; iy++) assert.ok(Math.abs(e.value(vx, iy, 2) - volume[(2 * ny + iy) * nx + vx]) < 1e-9, `sample (${vx}, ${iy}, 2)`);
  assert.ok(Math.abs(e.value(vx, vy, 2) - volume[(2 * ny + vy) * nx + vx]) < 1e-9, 'the corner sample');
  // Between planes and rows, as at() (which takes the last voxel at offset 1).
  const ref = new Float64Array(4);
  const grad = new Float64Array(3);
  for (const [dy, dz] of [[0.3, 0.4], [0.8, 0.1]]) {
    e.at(vx, 2 + dy, 1 + dz, ref);
    e.prepare(0, dy, dz);
    assert.ok(Math.abs(e.value(vx, 2, 1) - ref[0]) < 1e-9);
    e.gradient(vx, 2, 1, grad, 0);
    for (let d = 0; d < 3; d++) assert.ok(Math.abs(grad[d] - ref[d + 1]) < 1e-9, `derivative ${d}: ${grad[d]} vs ${ref[d + 1]}`);
    e.at(1 + dz, vy, 1 + dy, ref);
    e.prepare(dz, 0, dy);
    assert.ok(Math.abs(e.value(1, vy, 1) - ref[0]) < 1e-9, 'the last row');
  }
  // Beyond the samples, or at the edge with a non-zero offset, still 0.
  e.prepare(0.5, 0, 0);
  assert.equal(e.value(vx, 1, 1), 0);
  e.prepare(0, 0, 0);
  assert.equal(e.value(vx + 1, 1, 1), 0);
});
