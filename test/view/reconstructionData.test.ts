/**
 * The data side of the reconstruction of `smlm-stream view`, in Node (no browser): the record
 * store across its block boundary and with a filter, the filter's column names and frame
 * numbering, the view's histogram accumulated in time slices equal to one pass, the contrast
 * percentile against a sort, the histograms' bins.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilterExpressionError } from '../../src/post/compileFilter.js';
import { PNG_DEFAULTS } from '../../src/render/encodePng.js';
import { LOC_FIELD, LOC_RECORD_LENGTH } from '../../src/view/protocol.js';
import { compileRecordFilter, RECORD_HEADERS } from '../../src/view/client/reconstruction/compileRecordFilter.js';
import { binValues, HISTOGRAM_DEFAULTS } from '../../src/view/client/reconstruction/drawHistogram.js';
import { BLOCK_RECORDS, LocalizationStore } from '../../src/view/client/reconstruction/LocalizationStore.js';
import { contrastScratch, contrastTop } from '../../src/view/client/reconstruction/paintRaster.js';
import { fieldExtent, fieldHistogram } from '../../src/view/client/reconstruction/sampleField.js';
import { ViewRaster } from '../../src/view/client/reconstruction/ViewRaster.js';

/** A seeded generator (LCG): the same numbers every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n records: x, y in a 1000 × 1000 nm field, frame i mod 500, photons, uncertainty, σ from the generator. */
function records(n: number, seed: number): Float32Array {
  const rand = random(seed);
  const out = new Float32Array(n * LOC_RECORD_LENGTH);
  for (let i = 0; i < n; i++) {
    const b = i * LOC_RECORD_LENGTH;
    out[b + LOC_FIELD.xNm] = 1000 * rand();
    out[b + LOC_FIELD.yNm] = 1000 * rand();
    out[b + LOC_FIELD.zNm] = -500 + 1000 * rand();
    out[b + LOC_FIELD.frame] = i % 500;
    out[b + LOC_FIELD.photons] = 100 + 2000 * rand();
    out[b + LOC_FIELD.backgroundPhotons] = 10;
    out[b + LOC_FIELD.uncertaintyNm] = 5 + 30 * rand();
    out[b + LOC_FIELD.sigmaNm] = 90 + 60 * rand();
  }
  return out;
}

/** Field f of record i of a flat record array. */
const get = (r: Float32Array, i: number, f: number) => r[i * LOC_RECORD_LENGTH + f];

describe('reconstruction data', () => {
  const n = BLOCK_RECORDS + 4464; // 70 000: past the first block
  const all = records(n, 7);

  test('the store keeps records across its blocks, in uneven batches', () => {
    const store = new LocalizationStore();
    for (const [from, to] of [[0, 30000], [30000, 30001], [30001, n]]) {
      assert.equal(store.append(all.subarray(from * LOC_RECORD_LENGTH, to * LOC_RECORD_LENGTH)), from, 'append gives the first new index');
    }
    assert.equal(store.count, n);
    assert.equal(store.shownCount, n);
    assert.equal(store.blocks.length, 2);
    for (const i of [0, 29999, 30000, BLOCK_RECORDS - 1, BLOCK_RECORDS, n - 1]) {
      const at = (i & (BLOCK_RECORDS - 1)) * LOC_RECORD_LENGTH;
      assert.deepEqual(Array.from(store.blocks[i >> 16].subarray(at, at + LOC_RECORD_LENGTH)), Array.from(all.subarray(i * LOC_RECORD_LENGTH, (i + 1) * LOC_RECORD_LENGTH)), `record ${i}`);
    }
    assert.throws(() => store.append(new Float32Array(LOC_RECORD_LENGTH + 3)), /8 floats each/);
  });

  test('the filter names the CSV columns, numbers frames from 1, and follows appends', () => {
    assert.deepEqual(RECORD_HEADERS, ['x [nm]', 'y [nm]', 'z [nm]', 'frame', 'intensity [photon]', 'offset [photon]', 'uncertainty [nm]', 'sigma [nm]']);
    assert.equal(compileRecordFilter('  '), null, 'a blank filter is none');
    const first = compileRecordFilter('frame == 1')!;
    assert.equal(first(all, 0), true, 'record frame 0 is the CSV frame 1');
    assert.equal(first(all, LOC_RECORD_LENGTH), false);
    assert.throws(() => compileRecordFilter('uncertainty <'), FilterExpressionError);
    assert.throws(() => compileRecordFilter('photons > 1'), /unknown column "photons"/);

    const store = new LocalizationStore();
    store.append(all.subarray(0, 40000 * LOC_RECORD_LENGTH));
    const keep = (i: number) => get(all, i, LOC_FIELD.photons) > 1000 && get(all, i, LOC_FIELD.frame) + 1 <= 250;
    const expected = (to: number) => Array.from({ length: to }, (_, i) => i).filter(keep).length;
    assert.equal(store.setFilter(compileRecordFilter('intensity > 1000 and frame <= 250')), expected(40000));
    store.append(all.subarray(40000 * LOC_RECORD_LENGTH));
    assert.equal(store.shownCount, expected(n), 'records appended under a filter are tested');
    for (const i of [0, 1, 39999, 40000, n - 1]) assert.equal(store.shown[i], keep(i) ? 1 : 0, `record ${i}`);
    assert.equal(store.setFilter(null), n);
  });

  test('the view histogram accumulated in time slices equals one pass, and holds the records where they belong', () => {
    const store = new LocalizationStore();
    store.append(all);
    store.setFilter(compileRecordFilter('uncertainty < 20'));
    const view = { x0Nm: 100, y0Nm: 50, nmPerPx: 4 };
    const width = 200;
    const height = 150;
    const once = new ViewRaster(width, height);
    once.restart(view, LOC_FIELD.zNm);
    assert.equal(once.advance(store, Number.POSITIVE_INFINITY), true);
    const sliced = new ViewRaster(width, height);
    sliced.restart(view, LOC_FIELD.zNm);
    let calls = 0;
    // A deadline already past: one stride of records per call.
    while (!sliced.advance(store, 0)) calls++;
    assert.ok(calls >= 3, `sliced into ${calls + 1} steps`);
    assert.deepEqual(sliced.counts, once.counts);
    assert.deepEqual(sliced.sums, once.sums);
    // Counted here: each shown record inside the view in its pixel, z summed.
    const counts = new Float32Array(width * height);
    const sums = new Float32Array(width * height);
    for (let i = 0; i < n; i++) {
      if (!(get(all, i, LOC_FIELD.uncertaintyNm) < 20)) continue;
      const c = Math.floor((get(all, i, LOC_FIELD.xNm) - view.x0Nm) / view.nmPerPx);
      const r = Math.floor((get(all, i, LOC_FIELD.yNm) - view.y0Nm) / view.nmPerPx);
      if (c < 0 || r < 0 || c >= width || r >= height) continue;
      counts[r * width + c]++;
      sums[r * width + c] += get(all, i, LOC_FIELD.zNm);
    }
    assert.deepEqual(once.counts, counts);
    for (let p = 0; p < sums.length; p++) assert.ok(Math.abs(once.sums[p] - sums[p]) <= 1e-3 * (1 + Math.abs(sums[p])), `z sum of pixel ${p}: float32 sums in the same order, ${once.sums[p]} vs ${sums[p]}`);
    // Appending adds only the new records to a whole image.
    store.append(all.subarray(0, 1000 * LOC_RECORD_LENGTH));
    assert.equal(once.complete(store), false);
    once.advance(store, Number.POSITIVE_INFINITY);
    assert.equal(once.done, n + 1000);
  });

  test('the contrast top is the percentile of the lit pixels, as a sort finds it', () => {
    const rand = random(3);
    const counts = new Float32Array(50000);
    for (let i = 0; i < counts.length; i++) counts[i] = rand() < 0.3 ? 0 : Math.floor(1 / (rand() + 0.002));
    const lit = Array.from(counts).filter((c) => c > 0).sort((a, b) => a - b);
    const scratch = contrastScratch();
    for (const p of [50, 90, PNG_DEFAULTS.percentile, 100]) {
      assert.equal(contrastTop(counts, scratch, p), lit[Math.ceil((p / 100) * lit.length) - 1], `percentile ${p}`);
    }
    assert.equal(contrastTop(new Float32Array(10), scratch), 1, 'an empty image');
  });

  test('histogram bins: every value between the range ends counted once, the range from the percentiles', () => {
    const rand = random(11);
    const values = new Float32Array(100000).map(() => 100 + 900 * rand());
    values[5] = Number.NaN;
    values[6] = 1e9;
    const binned = binValues(values);
    assert.equal(binned.counts.length, HISTOGRAM_DEFAULTS.bins);
    assert.equal(binned.counts.reduce((a, b) => a + b, 0), binned.total);
    const inside = Array.from(values).filter((v) => v >= binned.lo && v <= binned.hi).length;
    assert.equal(binned.total, inside);
    assert.equal(binned.values, values.length - 1, 'n counts every finite value, the outlier too');
    // Uniform on [100, 1000]: the 0.5 and 99.5 percentiles at 104.5 and 995.5, ± 1 (sampling: ~0.2 nm 1σ at 10⁵ values).
    assert.ok(Math.abs(binned.lo - 104.5) < 1 && Math.abs(binned.hi - 995.5) < 1, `range ${binned.lo}–${binned.hi}`);
    assert.ok(Math.abs(binned.median - 550) < 5, `median ${binned.median}`);

    const store = new LocalizationStore();
    store.append(all);
    const h = fieldHistogram(store, LOC_FIELD.photons);
    const expected = Array.from({ length: n }, (_, i) => get(all, i, LOC_FIELD.photons)).filter((v) => v >= h.lo && v <= h.hi).length;
    assert.equal(h.total, expected, 'the store histogram counts every shown record in its range');
    assert.equal(h.values, n, 'and says how many there are in all');
    assert.deepEqual(fieldExtent(store, LOC_FIELD.frame), [0, 499]);
  });
});
