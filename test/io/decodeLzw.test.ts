import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLzw } from '../../src/io/decodeLzw.js';
import { Random } from '../../src/simulate/Random.js';
import { lzwEncode } from './buildTiff.js';

/** Bytes with structure (repeats, so the table fills and clears) and noise. */
function sample(n: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: n }, (_, i) => ((i * 7) % 13) + (i >> 6) + (rng.uniform() < 0.2 ? Math.floor(rng.uniform() * 40) : 0));
}

test('LZW: streams of the TIFF encoder decode to their bytes (lengths across the 9→12-bit code widths and table clears)', () => {
  for (const n of [0, 1, 2, 300, 1000, 5000, 40000]) {
    const data = sample(n, n);
    const out = new Uint8Array(n);
    assert.equal(decodeLzw(lzwEncode(data), out), n, `${n} bytes`);
    assert.deepEqual(out, data, `${n} bytes`);
  }
});

test('LZW: corrupt streams (seeded, 2000 mutants) end in an error or a short block, never beyond the buffer, never hanging', () => {
  const data = sample(4000, 1);
  const stream = lzwEncode(data);
  const rng = new Random(9);
  let errors = 0;
  for (let m = 0; m < 2000; m++) {
    const bad = stream.slice();
    for (let e = 0; e < 3; e++) bad[Math.floor(rng.uniform() * bad.length)] = Math.floor(rng.uniform() * 256);
    // The buffer is guarded by a sentinel past its end.
    const space = new Uint8Array(data.length + 1);
    const out = space.subarray(0, data.length);
    try {
      const n = decodeLzw(bad, out);
      assert.ok(n >= 0 && n <= data.length);
    } catch (error) {
      assert.match((error as Error).message, /^LZW code \d+ /);
      errors++;
    }
    assert.equal(space[data.length], 0, `mutant ${m} wrote past the buffer`);
  }
  assert.ok(errors > 100, `${errors} mutants reported as corrupt`);
});
