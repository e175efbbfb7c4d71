import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chooseRunner, startWorkersEarly } from '../../pipelines/chooseRunner.js';
import { openRun } from '../../pipelines/openRun.js';
import { TiffWriter } from '../../src/io/TiffWriter.js';
import { defaultChunkFrames, resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { FrameSlots } from '../../src/pipeline/FrameSlots.js';
import { LocalizerPool, WORKER_YOUNG_GENERATION_MB } from '../../src/pipeline/LocalizerPool.js';
import { defaultWorkers } from '../../src/pipeline/localizeStream.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-early-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A blank uint16 stack of `frames` frames of `size`² px (only its metadata matters here). */
function stack(size: number, frames: number): string {
  const path = join(dir, `s${size}-${frames}.tif`);
  const writer = new TiffWriter(path, { width: size, height: size, pixelSizeNm: 100, frameCount: frames });
  const frame = new Uint16Array(size * size).fill(100);
  for (let f = 0; f < frames; f++) writer.append(frame);
  writer.close();
  return path;
}

test('the workers started before the settings step are the ones the run chooses', async () => {
  const cores = defaultWorkers();
  // [frame size, frames, workers asked, chunk given]: long and short stacks, asked and default counts.
  const cases: [number, number, number | undefined, number | undefined][] = [
    [64, 200, 2, undefined],
    [64, 40, undefined, undefined], // 1 chunk of 64 frames: one thread
    [512, 200, undefined, undefined], // 13 chunks of 16 frames: one worker per 8 chunks
    [512, 200, undefined, 4], // 50 chunks of 4
    [64, 40, 1, undefined],
    [64, 40, 0, undefined], // refused later, by chooseRunner
  ];
  for (const [size, frames, asked, chunk] of cases) {
    const opened = openRun(stack(size, frames), undefined, undefined);
    try {
      const early = startWorkersEarly(opened, asked, chunk);
      const options = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, chunkFrames: chunk }, opened.metadata);
      const label = `${size}² × ${frames}, asked ${asked}, chunk ${chunk ?? defaultChunkFrames(size, size)}`;
      if (asked === 0) {
        assert.equal(early, undefined, label);
        await assert.rejects(chooseRunner(opened, options, asked), /whole number/, label);
        continue;
      }
      const runner = await chooseRunner(opened, options, asked);
      assert.equal(early?.size ?? 1, runner.workers, label);
      if (cores >= 2 && asked === 2) assert.equal(early?.size, 2, `${label}: started early`);
      await early?.close();
    } finally {
      opened.close();
    }
  }
});

test('a pool started without options takes them once, and no chunk before them', async () => {
  const pool = new LocalizerPool(undefined, 1);
  try {
    const frame = { index: 0, width: 16, height: 16, data: new Uint16Array(256) };
    await assert.rejects(pool.submit([frame]), /before the options/);
    const options = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 } });
    pool.init(options);
    assert.throws(() => pool.init(options), /options already/);
    const done = await pool.submit([{ ...frame, data: new Uint16Array(256).fill(100) }]);
    assert.equal(done.batches.length, 1);
    assert.equal(done.batches[0].frame, 1);
  } finally {
    await pool.close();
  }
});

test("a runner with workers reads into shared slots (no copy into the stream's own); one thread into plain buffers", async () => {
  const opened = openRun(stack(64, 200), undefined, undefined);
  try {
    const options = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 } }, opened.metadata);
    for (const asked of [1, 2]) {
      const runner = await chooseRunner(opened, options, asked);
      const data = new Uint16Array(runner.readerBuffers().take(64 * 64 * 2));
      const frame = { index: 0, width: 64, height: 64, data };
      // Shared exactly when the frames cross to workers (one core: one thread whatever is asked).
      assert.equal(FrameSlots.shared(frame), runner.workers > 1, `asked ${asked}, ${runner.workers} workers`);
      runner.close();
    }
  } finally {
    opened.close();
  }
});

test("a pool's workers run with the small young generation (WORKER_YOUNG_GENERATION_MB)", async () => {
  const pool = new LocalizerPool(undefined, 2);
  try {
    // The pool's threads (private): each was started with the limit.
    const workers = (pool as unknown as { workers: { resourceLimits?: { maxYoungGenerationSizeMb?: number } }[] }).workers;
    assert.equal(workers.length, 2);
    for (const w of workers) assert.equal(w.resourceLimits?.maxYoungGenerationSizeMb, WORKER_YOUNG_GENERATION_MB);
  } finally {
    await pool.close();
  }
});
