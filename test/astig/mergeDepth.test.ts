import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlinkMerger } from '../../src/post/BlinkMerger.js';

test('merging a 3-D molecule: z weighted by 1/uncertainty_z², its uncertainty 1/√Σ(1/σz²)', () => {
  const header = ['id', 'frame', 'x [nm]', 'y [nm]', 'uncertainty_x [nm]', 'uncertainty_y [nm]', 'z [nm]', 'uncertainty_z [nm]'];
  const merger = new BlinkMerger(header, { maxDistanceNm: 20, maxOffFrames: 1 });
  // Two detections of one molecule in frames 1 and 2: z 100 ± 10 nm and 200 ± 20 nm.
  const frame = (f: number, z: number, uz: number) => merger.addFrame(f, [[f], [f], [1000], [1000], [5], [5], [z], [uz]], [0]);
  frame(1, 100, 10);
  frame(2, 200, 20);
  merger.finish();
  const table = merger.drain();
  assert.equal(table.rows, 1);
  const col = (h: string) => table.columns[table.header.indexOf(h)][0];
  // (100/10² + 200/20²) / (1/10² + 1/20²) = 120 nm; 1/√(1/10² + 1/20²) = 8.944 nm.
  assert.ok(Math.abs(col('z [nm]') - 120) < 1e-9, `z ${col('z [nm]')}`);
  assert.ok(Math.abs(col('uncertainty_z [nm]') - 1 / Math.sqrt(1 / 100 + 1 / 400)) < 1e-9);
  assert.equal(col('detections'), 2);
});
