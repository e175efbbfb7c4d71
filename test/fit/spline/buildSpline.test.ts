import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSpline } from '../../../src/fit/spline/buildSpline.js';
import type { SplineMethod } from '../../../src/fit/spline/buildSpline.js';
import { SplineEvaluator } from '../../../src/fit/spline/SplineEvaluator.js';
import { splineZRangeNm } from '../../../src/fit/spline/SplinePsf.js';
import { Random } from '../../../src/simulate/Random.js';

/** A smooth test function of sample coordinates (not a polynomial: no method reproduces it exactly). */
function smooth(u: number, v: number, w: number): number {
  return Math.exp(-((u - 4.3) ** 2) / 6 - ((v - 3.7) ** 2) / 4) * (1 + 0.3 * Math.sin(w / 2));
}

function volumeOf(nx: number, ny: number, nz: number, f: (u: number, v: number, w: number) => number): Float64Array {
  const out = new Float64Array(nx * ny * nz);
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out[(z * ny + y) * nx + x] = f(x, y, z);
  return out;
}

const METHODS: SplineMethod[] = ['natural', 'catmull-rom'];

describe('buildSpline: the tricubic spline of a sampled PSF', () => {
  for (const method of METHODS) {
    test(`${method}: passes through every sample, to rounding`, () => {
      const [nx, ny, nz] = [9, 8, 7];
      const volume = volumeOf(nx, ny, nz, smooth);
      const spline = buildSpline(volume, nx, ny, nz, 25, { method });
      const ev = new SplineEvaluator(spline);
      const out = new Float64Array(4);
      let worst = 0;
      for (let z = 0; z < nz; z++) {
        for (let y = 0; y < ny; y++) {
          for (let x = 0; x < nx; x++) {
            ev.at(x, y, z, out);
            worst = Math.max(worst, Math.abs(out[0] - volume[(z * ny + y) * nx + x]));
          }
        }
      }
      // The node value is the coefficient a_000 itself, after three 1-D passes: rounding only (values ≤ 1.3).
      assert.ok(worst < 1e-12, `largest error at a node ${worst}`);
    });

    test(`${method}: its derivatives are those of its values (central differences) and continuous across voxels`, () => {
      const [nx, ny, nz] = [9, 8, 7];
      const spline = buildSpline(volumeOf(nx, ny, nz, smooth), nx, ny, nz, 25, { method });
      const ev = new SplineEvaluator(spline);
      const rng = new Random(3);
      const o = new Float64Array(4), p = new Float64Array(4), q = new Float64Array(4);
      const h = 1e-3;
      for (let t = 0; t < 200; t++) {
        const u = 1 + rng.uniform() * (nx - 3), v = 1 + rng.uniform() * (ny - 3), w = 1 + rng.uniform() * (nz - 3);
        ev.at(u, v, w, o);
        for (let axis = 0; axis < 3; axis++) {
          const d = [0, 0, 0];
          d[axis] = h;
          ev.at(u + d[0], v + d[1], w + d[2], p);
          ev.at(u - d[0], v - d[1], w - d[2], q);
          const fd = (p[0] - q[0]) / (2 * h);
          // Central differences of a cubic err by h²/6·f‴ (~1e-7 here) plus rounding 1e-16/h; with a
          // node inside ±h, by up to h·|Δf″|/2 where f″ jumps (catmull-rom is C¹ only: ~1e-5 here,
          // natural C²: 0).
          const tolerance = method === 'natural' ? 1e-6 : 3e-5;
          assert.ok(Math.abs(fd - o[1 + axis]) < tolerance, `axis ${axis} at (${u}, ${v}, ${w}): ${o[1 + axis]} vs ${fd}`);
        }
      }
      // Across a voxel boundary: value and first derivatives agree on both sides.
      const e = 1e-9;
      for (const [u, v, w] of [[4, 3.3, 2.6], [4.2, 5, 2.6], [4.2, 3.3, 3]]) {
        ev.at(u - e, v - e, w - e, p);
        ev.at(u + e, v + e, w + e, q);
        for (let k = 0; k < 4; k++) assert.ok(Math.abs(p[k] - q[k]) < 1e-7, `component ${k} jumps at (${u}, ${v}, ${w}): ${p[k]} vs ${q[k]}`);
      }
    });
  }

  test('natural: interpolates a smooth PSF between the samples better than catmull-rom (C², as Picasso 0.11)', () => {
    const [nx, ny, nz] = [11, 11, 9];
    const volume = volumeOf(nx, ny, nz, smooth);
    const errs = METHODS.map((method) => {
      const ev = new SplineEvaluator(buildSpline(volume, nx, ny, nz, 25, { method }));
      const o = new Float64Array(4);
      let sum = 0;
      for (let t = 0; t < 400; t++) {
        const u = 2 + ((t * 0.37) % 6), v = 2 + ((t * 0.61) % 6), w = 2 + ((t * 0.13) % 4);
        ev.at(u, v, w, o);
        sum += (o[0] - smooth(u, v, w)) ** 2;
      }
      return Math.sqrt(sum / 400);
    });
    assert.ok(errs[0] < errs[1], `RMS error natural ${errs[0]}, catmull-rom ${errs[1]}`);
    assert.ok(errs[0] < 5e-3, `natural RMS error ${errs[0]}`);
  });

  test('a quadratic in each axis is reproduced exactly by catmull-rom inside the grid; defaults and z range', () => {
    const f = (u: number, v: number, w: number): number => 0.1 * u - 0.02 * v * v + 0.01 * w + 0.003 * u * v * w;
    const [nx, ny, nz] = [6, 6, 6];
    const spline = buildSpline(volumeOf(nx, ny, nz, f), nx, ny, nz, -40, { method: 'catmull-rom' });
    assert.equal(spline.voxelsX, 5);
    assert.equal(spline.centerXPx, 2.5);
    assert.equal(spline.zStartNm, 100);
    assert.deepEqual(splineZRangeNm(spline), [-100, 100]);
    const ev = new SplineEvaluator(spline);
    const o = new Float64Array(4);
    ev.at(2.3, 2.7, 2.45, o);
    // Central differences are exact for quadratics: interior voxels reproduce f.
    assert.ok(Math.abs(o[0] - f(2.3, 2.7, 2.45)) < 1e-6, `${o[0]} vs ${f(2.3, 2.7, 2.45)}`);
    ev.at(-0.1, 2, 2, o);
    assert.equal(o[0], 0);
  });

  test('refuses sizes, lengths, a zero step and non-finite samples', () => {
    assert.throws(() => buildSpline(new Float64Array(8), 1, 2, 4, 10), /nx must be/);
    assert.throws(() => buildSpline(new Float64Array(7), 2, 2, 2, 10), /holds 7 samples/);
    assert.throws(() => buildSpline(new Float64Array(8), 2, 2, 2, 0), /dzNm/);
    assert.throws(() => buildSpline(Float64Array.from([0, 0, 0, Number.NaN, 0, 0, 0, 0]), 2, 2, 2, 10), /sample 3/);
  });
});
