import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packBatches } from '../../src/pipeline/packBatches.js';
import { createLocalizationBatch } from '../../src/table/LocalizationBatch.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';

/** A batch of `count` rows with distinct values in every array, and 3-D columns when `depth`. */
function filled(frame: number, count: number, depth: boolean): LocalizationBatch {
  const batch = createLocalizationBatch(frame, count);
  const extra = depth ? { z: new Float64Array(count), uncertaintyZ: new Float64Array(count), sigma1: new Float64Array(count), sigma2: new Float64Array(count) } : {};
  const out = { ...batch, ...extra } as LocalizationBatch;
  let v = frame * 1000;
  for (const value of Object.values(out)) if (ArrayBuffer.isView(value)) for (let i = 0; i < count; i++) (value as Float64Array)[i] = (v++ % 250) + 0.5 * Number(value instanceof Float64Array);
  return out;
}

test('packed batches hold the same fields and values, every array in one buffer', () => {
  // Counts 0 and odd ones: Uint8 and Uint16 arrays of odd lengths must not misalign the Float64 ones after them.
  for (const depth of [false, true]) {
    const batches = [filled(1, 3, depth), filled(2, 0, depth), filled(3, 7, depth), filled(4, 1, depth)];
    const { batches: packed, buffer } = packBatches(batches);
    assert.equal(packed.length, batches.length);
    for (const [k, batch] of batches.entries()) {
      const p = packed[k];
      assert.deepEqual(Object.keys(p).sort(), Object.keys(batch).sort());
      assert.equal(p.frame, batch.frame);
      assert.equal(p.count, batch.count);
      for (const [key, value] of Object.entries(batch)) {
        if (!ArrayBuffer.isView(value)) continue;
        const view = (p as unknown as Record<string, ArrayBufferView>)[key];
        assert.equal(view.constructor, value.constructor, key);
        assert.equal(view.buffer, buffer, `${key} lies in the one buffer`);
        assert.deepEqual(Array.from(view as Float64Array), Array.from(value as Float64Array), `frame ${batch.frame} ${key}`);
      }
    }
    // Changing the originals does not change the packed copies.
    batches[0].x[0] = -1;
    assert.notEqual(packed[0].x[0], -1);
  }
});
