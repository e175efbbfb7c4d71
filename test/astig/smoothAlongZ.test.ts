import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smoothAlongZ } from '../../src/astig/smoothAlongZ.js';
import { Random } from '../../src/simulate/Random.js';

const PLANES = 41;
const AREA = 3;

/** A stack whose pixel p follows f_p(k) along z. */
function stack(f: (k: number, p: number) => number): Float64Array {
  const v = new Float64Array(PLANES * AREA);
  for (let k = 0; k < PLANES; k++) for (let p = 0; p < AREA; p++) v[k * AREA + p] = f(k, p);
  return v;
}

describe('smoothAlongZ', () => {
  it('degree 0 is the Gaussian mean, its kernel renormalised at the ends', () => {
    const rng = new Random(3);
    const v = stack(() => rng.normal());
    const out = new Float64Array(v.length);
    const sigma = 1.5;
    smoothAlongZ(v, PLANES, AREA, sigma, 0, out);
    const reach = Math.ceil(3 * sigma);
    for (let k = 0; k < PLANES; k++) {
      for (let p = 0; p < AREA; p++) {
        let s = 0, w = 0;
        for (let j = -reach; j <= reach; j++) {
          if (k + j < 0 || k + j >= PLANES) continue;
          const g = Math.exp(-(j * j) / (2 * sigma * sigma));
          s += g * v[(k + j) * AREA + p];
          w += g;
        }
        // Rounding only: the same sum in another order.
        assert.ok(Math.abs(out[k * AREA + p] - s / w) < 1e-12, `plane ${k}`);
      }
    }
  });

  it('degree 2 leaves a quadratic depth profile as it is, at the ends too; degree 0 bends its curvature', () => {
    // The bias a local mean puts on a curved profile, (σ²/2)·f'' in the middle planes, is what
    // the quadratic removes (a PSF's pixel near focus curves so along z).
    const f = (k: number, p: number) => 2 + 0.5 * (k - 20) - (p + 1) * 0.03 * (k - 20) ** 2;
    const v = stack(f);
    const out = new Float64Array(v.length);
    const sigma = 2.5;
    smoothAlongZ(v, PLANES, AREA, sigma, 2, out);
    for (let i = 0; i < v.length; i++) assert.ok(Math.abs(out[i] - v[i]) < 1e-9, `value ${i}: ${out[i]} for ${v[i]}`);
    smoothAlongZ(v, PLANES, AREA, sigma, 0, out);
    // Middle plane, pixel 0: f'' = −0.06, the bias (σ²/2)·f'' = −0.19 (the kernel's cut at 3σ
    // trims it a little: within 5 %).
    const bias = out[20 * AREA] - v[20 * AREA];
    assert.ok(Math.abs(bias - (sigma * sigma / 2) * -0.06) < 0.05 * 0.19, `bias ${bias}`);
  });

  it('degree 2 averages noise away: the variance of white noise falls by more than 3× at σ = 2.5 planes', () => {
    // Seeded; the equivalent kernel's Σh² in the middle is 0.194 (a local mean's 0.113): the
    // sample variance over 400 pixels is within ±15 % of it (3 SD), so under 1/3 holds.
    const rng = new Random(5);
    const area = 400;
    const v = new Float64Array(PLANES * area);
    for (let i = 0; i < v.length; i++) v[i] = rng.normal();
    const out = new Float64Array(v.length);
    smoothAlongZ(v, PLANES, area, 2.5, 2, out);
    let s = 0;
    for (let p = 0; p < area; p++) s += out[20 * area + p] ** 2;
    assert.ok(s / area < 1 / 3, `variance ${s / area}`);
  });
});
