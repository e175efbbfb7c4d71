import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { WaveletFilter } from '../../src/detect/WaveletFilter.js';
import { Random } from '../../src/simulate/Random.js';
import { compileKernel, WASM_PATH } from './buildWasm.js';

test('the committed waveletKernel.wasm is waveletKernel.wat compiled', async () => {
  assert.deepEqual(new Uint8Array(readFileSync(WASM_PATH)), await compileKernel());
});

test('the WebAssembly filter equals the JavaScript one (F2 and F1), odd and even sizes', () => {
  for (const [width, height] of [[256, 256], [37, 29], [18, 40], [64, 19]]) {
    const rng = new Random(width * 1000 + height);
    const image = Float64Array.from({ length: width * height }, () => rng.poisson(20) + (rng.uniform() < 0.01 ? 800 : 0) - 3);
    const wasm = new WaveletFilter(width, height);
    const js = new WaveletFilter(width, height, 'js');
    assert.equal(wasm.engine, 'wasm', 'Node 20 runs WebAssembly SIMD');
    assert.equal(js.engine, 'js');
    wasm.apply(image);
    js.apply(image);
    // Same sums in another order: rounding differences of a few ulp of values up to ~10³.
    for (let p = 0; p < width * height; p++) {
      assert.ok(Math.abs(wasm.f2[p] - js.f2[p]) < 1e-11, `F2 at ${p} of ${width}×${height}`);
      assert.ok(Math.abs(wasm.f1At(p) - js.f1At(p)) < 1e-11, `F1 at ${p} of ${width}×${height}`);
    }
  }
  assert.equal(new WaveletFilter(17, 40).engine, 'js', 'frames under 18 px a side use JavaScript');
});
