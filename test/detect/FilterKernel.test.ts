import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { FILTER_KERNELS } from '../../src/detect/FilterKernel.js';
import { K5_SCALE, K7_MIDDLE, K7_SCALE } from '../../src/detect/detectConstants.js';
import { WaveletFilter } from '../../src/detect/WaveletFilter.js';
import { mirror } from '../../src/detect/mirror.js';
import { Random } from '../../src/simulate/Random.js';

/**
 * The filter written out directly in 2-D, as its definition reads (independent of the separable
 * passes, the padded buffers and the folded weights): V1(p) = Σ_{u,v} k1[u]·k1[v]·P(p + (u, v))
 * with P the padded image; V2(p) = Σ k1[u]·k1[v]·V1(p + 2(u, v)); F2 = V1 − V2, F1 = I − V1.
 * ThunderSTORM 1.3: P duplicates the edge for 4 px and is zero beyond, V1 exists on that extent
 * and is zero beyond it; bspline5, bspline7: P and V1 are mirrored (half-sample symmetric).
 */
function direct(kind: FilterKind, image: Float64Array, width: number, height: number): { f1: Float64Array; f2: Float64Array } {
  const k1 = kind === 'bspline7' ? [1, 8, 23, 32, 23, 8, 1].map((v) => v / 96) : [1, 4, 6, 4, 1].map((v) => v / 16);
  const reach = (k1.length - 1) / 2;
  const inside = (i: number, n: number) => i >= -4 && i < n + 4;
  const clamp = (i: number, n: number) => Math.min(Math.max(i, 0), n - 1);
  const padded = (r: number, c: number): number => {
    if (kind === 'thunderstorm') return inside(r, height) && inside(c, width) ? image[clamp(r, height) * width + clamp(c, width)] : 0;
    return image[mirror(r, height) * width + mirror(c, width)];
  };
  const v1 = (r: number, c: number): number => {
    if (kind === 'thunderstorm' && !(inside(r, height) && inside(c, width))) return 0;
    if (kind !== 'thunderstorm') [r, c] = [mirror(r, height), mirror(c, width)];
    let s = 0;
    for (let u = -reach; u <= reach; u++) for (let v = -reach; v <= reach; v++) s += k1[u + reach] * k1[v + reach] * padded(r + u, c + v);
    return s;
  };
  const f1 = new Float64Array(width * height);
  const f2 = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let s = 0;
      for (let u = -reach; u <= reach; u++) for (let v = -reach; v <= reach; v++) s += k1[u + reach] * k1[v + reach] * v1(r + 2 * u, c + 2 * v);
      const here = v1(r, c);
      f1[r * width + c] = image[r * width + c] - here;
      f2[r * width + c] = here - s;
    }
  }
  return { f1, f2 };
}

test('the separable passes (JavaScript and WebAssembly) give the direct 2-D convolution, border included, both filters', () => {
  const rng = new Random(8);
  for (const kind of ['thunderstorm', 'bspline5', 'bspline7'] as FilterKind[]) {
    for (const [width, height] of [[40, 31], [33, 36]]) {
      const image = Float64Array.from({ length: width * height }, (_, i) => 20 + 5 * rng.normal() + (i % 97 === 0 ? 300 : 0));
      const expected = direct(kind, image, width, height);
      let scale = 0;
      for (const v of expected.f2) scale = Math.max(scale, Math.abs(v));
      for (const engine of ['js', 'wasm'] as const) {
        const filter = new WaveletFilter(width, height, engine, 8192, kind);
        assert.equal(filter.engine, engine);
        filter.apply(image);
        // f64 sums in another order: 1e-12; the kernel's f32: 1e-6 of the largest |F2| (f32
        // holds 6e-8 relative, and each value is a sum of ~100 terms).
        const tolerance = engine === 'js' ? 1e-12 : 1e-6 * scale;
        for (let p = 0; p < width * height; p++) {
          assert.ok(Math.abs(filter.f2At(p) - expected.f2[p]) <= tolerance, `${kind} ${engine} ${width}×${height} F2 at ${p}: ${filter.f2At(p)} vs ${expected.f2[p]}`);
          assert.ok(Math.abs(filter.f1At(p) - expected.f1[p]) <= (engine === 'js' ? 1e-12 : 1e-6 * 400), `${kind} ${engine} F1 at ${p}`);
        }
      }
    }
  }
});

test("the factored kernels of the WebAssembly column passes are the filters' taps", () => {
  // Polynomial products of the factors (1 + z)⁴ and (1 + m·z + z²), scaled.
  const times = (a: number[], b: number[]) => {
    const out = new Array<number>(a.length + b.length - 1).fill(0);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
    return out;
  };
  const binomial4 = [1, 4, 6, 4, 1];
  const seven = times(binomial4, [1, K7_MIDDLE, 1]).map((v) => v * K7_SCALE);
  const five = binomial4.map((v) => v * K5_SCALE);
  // 1/16 is a power of two (exact); n · (1/96) and n / 96 differ by at most one rounding.
  const close = (a: number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 2 ** -52 * b[i]);
  assert.ok(close(seven, FILTER_KERNELS.bspline7.taps), `7 taps: ${seven.join(', ')}`);
  assert.deepEqual(five, [...FILTER_KERNELS.bspline5.taps]);
  assert.deepEqual(five, [...FILTER_KERNELS.thunderstorm.taps]);
});
