import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Frame } from '../../src/io/Frame.js';
import { defaultChunkFrames, LOCALIZE_DEFAULTS, resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { createLocalizeStats } from '../../src/pipeline/LocalizeStats.js';
import { FrameSlots } from '../../src/pipeline/FrameSlots.js';
import { chooseWorkers, defaultWorkers, localizeStream } from '../../src/pipeline/localizeStream.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';
import type { LocalizationBatch } from '../../src/table/LocalizationBatch.js';

const SIM = { width: 40, height: 40, frames: 90, density: 0.4, minSeparationNm: 700, seed: 41 } as const;
const simulated = [...simulateStack(SIM)];

/** The simulated frames as an async iterable (fresh buffers: workers take them over), counting reads. */
function framesOf(counter = { read: 0 }): AsyncIterable<Frame> {
  return (async function* () {
    for (const f of simulated) {
      counter.read++;
      yield { index: f.index, width: SIM.width, height: SIM.height, data: Uint16Array.from(f.adu) };
    }
  })();
}

const options = resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, chunkFrames: 16 });

function rows(batches: LocalizationBatch[]): string[] {
  return batches.flatMap((b) => Array.from({ length: b.count }, (_, i) => `${b.frame},${b.x[i]},${b.y[i]},${b.intensity[i]},${b.iterations[i]},${b.status[i]},${b.warmStart[i]}`));
}

test('two workers give exactly the batches of one thread, in frame order', async () => {
  const one: LocalizationBatch[] = [];
  const statsOne = createLocalizeStats();
  for await (const b of localizeStream(framesOf(), options, { workers: 1, stats: statsOne })) one.push(b);
  const two: LocalizationBatch[] = [];
  const statsTwo = createLocalizeStats();
  for await (const b of localizeStream(framesOf(), options, { workers: 2, stats: statsTwo })) two.push(b);
  assert.deepEqual(two.map((b) => b.frame), Array.from({ length: SIM.frames }, (_, i) => i + 1));
  assert.deepEqual(rows(two), rows(one));
  assert.equal(statsTwo.fits, statsOne.fits);
  assert.equal(statsTwo.warmStarts, statsOne.warmStarts);
  assert.ok(statsOne.warmStarts > 0, 'warm starts happen within chunks');
  // Chunk starts (frames 0, 16, 32, …) never warm-start.
  for (const b of one) if ((b.frame - 1) % 16 === 0) assert.equal(b.warmStart.reduce((s, v) => s + v, 0), 0, `frame ${b.frame}`);
});

test('a slow consumer slows reading down: frames in flight stay bounded, none dropped', async () => {
  for (const workers of [1, 2]) {
    const counter = { read: 0 };
    const limit = 32;
    let consumed = 0;
    let most = 0;
    for await (const batch of localizeStream(framesOf(counter), options, { workers, maxFramesInFlight: limit })) {
      consumed++;
      assert.equal(batch.frame, consumed);
      most = Math.max(most, counter.read - consumed);
      await new Promise((r) => setTimeout(r, 2)); // a consumer slower than the localizer
    }
    assert.equal(consumed, SIM.frames, 'nothing dropped');
    // One thread: one frame ahead at most; workers: the bound plus the chunk being filled.
    const bound = workers === 1 ? 1 : limit + options.chunkFrames;
    assert.ok(most <= bound, `${workers} worker(s): ${most} frames read ahead of the consumer (bound ${bound})`);
  }
});

test('a read error delivers every frame read before it, then the error', async () => {
  for (const workers of [1, 2]) {
    const failing = (async function* () {
      for (const f of simulated.slice(0, 20)) yield { index: f.index, width: SIM.width, height: SIM.height, data: Uint16Array.from(f.adu) };
      throw new Error('disk gone');
    })();
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const b of localizeStream(failing, options, { workers })) got.push(b.frame);
    }, /disk gone/);
    assert.equal(got.length, 20, `${workers} worker(s)`);
  }
});

test('every frame buffer comes back for reuse, from the thread and from the workers; reuse changes no result', async () => {
  for (const workers of [1, 2]) {
    const given: number[] = [];
    const fresh: LocalizationBatch[] = [];
    for await (const b of localizeStream(framesOf(), options, { workers })) fresh.push(b);
    const reused: LocalizationBatch[] = [];
    // Frames read into the returned buffers (as FrameBufferPool does), overwriting them.
    const pool: ArrayBuffer[] = [];
    const recycledFrames = (async function* () {
      for (const f of simulated) {
        const buffer = pool.pop() ?? new ArrayBuffer(SIM.width * SIM.height * 2);
        const data = new Uint16Array(buffer);
        data.set(f.adu);
        yield { index: f.index, width: SIM.width, height: SIM.height, data };
      }
    })();
    const recycle = (buffer: ArrayBuffer) => {
      given.push(buffer.byteLength);
      pool.push(buffer);
    };
    for await (const b of localizeStream(recycledFrames, options, { workers, recycle })) reused.push(b);
    assert.equal(given.length, SIM.frames, `${workers} worker(s): every buffer given back once`);
    assert.ok(given.every((bytes) => bytes === SIM.width * SIM.height * 2), 'given back whole (not detached)');
    assert.ok(pool.length < SIM.frames, `${pool.length} buffers served ${SIM.frames} frames`);
    assert.deepEqual(rows(reused), rows(fresh), `${workers} worker(s)`);
  }
});

test('frames read into shared slots cross to the workers by number: the same buffers come back, none copied, the same rows', async () => {
  const fresh: LocalizationBatch[] = [];
  for await (const b of localizeStream(framesOf(), options, { workers: 1 })) fresh.push(b);
  const reader = FrameSlots.readerPool();
  const yielded = new Set<ArrayBufferLike>();
  const given: ArrayBufferLike[] = [];
  let made = 0;
  let read = 0;
  let lag = 0;
  const sharedFrames = (async function* () {
    for (const f of simulated) {
      read++;
      const buffer = reader.take(SIM.width * SIM.height * 2);
      made += yielded.has(buffer) ? 0 : 1;
      yielded.add(buffer);
      const data = new Uint16Array(buffer);
      data.set(f.adu);
      yield { index: f.index, width: SIM.width, height: SIM.height, data };
    }
  })();
  const recycle = (buffer: ArrayBuffer) => {
    given.push(buffer);
    lag = Math.max(lag, read - given.length);
    reader.give(buffer);
  };
  const two: LocalizationBatch[] = [];
  const limit = 32;
  for await (const b of localizeStream(sharedFrames, options, { workers: 2, recycle, maxFramesInFlight: limit })) two.push(b);
  assert.deepEqual(rows(two), rows(fresh));
  assert.equal(given.length, SIM.frames, 'every slot given back once');
  assert.ok(given.every((b) => b instanceof SharedArrayBuffer && yielded.has(b)), "the reader's own shared buffers came back");
  // A copy would give each buffer back as soon as it was read; a slot comes back once its chunk is localized.
  assert.ok(lag >= options.chunkFrames, `buffers given back at most ${lag} frames after they were read: copied, not shared`);
  // Reused: at most the frames in flight plus the chunk being filled and the one being read.
  assert.ok(made <= limit + options.chunkFrames + 1, `${made} shared buffers served ${SIM.frames} frames`);
});

test('chunks are measured in pixels: frames over 256×256 px get fewer frames a chunk, and the default workers follow', () => {
  // The rule's table (LOCALIZE_DEFAULTS.chunkPixels = 64 frames of 256²): exact integers.
  const cases: [number, number, number][] = [[64, 64, 64], [256, 256, 64], [300, 300, 46], [512, 512, 16], [1024, 1024, 4], [2048, 2048, 1], [4096, 4096, 1]];
  for (const [w, h, frames] of cases) assert.equal(defaultChunkFrames(w, h), frames, `${w}×${h}`);
  assert.equal(defaultChunkFrames(undefined, undefined), LOCALIZE_DEFAULTS.chunkFrames, 'frame size unknown (a live source): the most');
  // resolveLocalizeOptions takes the frame size from the stack's metadata; a given chunk wins.
  assert.equal(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 } }, { pixelSizeNm: undefined, width: 1024, height: 1024 }).chunkFrames, 4);
  assert.equal(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 } }, { pixelSizeNm: undefined, width: 64, height: 64 }).chunkFrames, 64);
  assert.equal(resolveLocalizeOptions({ camera: { pixelSizeNm: 100 }, chunkFrames: 8 }, { pixelSizeNm: undefined, width: 1024, height: 1024 }).chunkFrames, 8);
  // 400 frames of 1024² are 100 chunks: every core (issue 28 measured one thread before, when
  // its 7 chunks of 64 frames fell under one worker per 8 chunks); 400 of 256² stay on one.
  const cores = defaultWorkers();
  assert.equal(chooseWorkers(undefined, 400, defaultChunkFrames(1024, 1024)).workers, Math.min(cores, 12));
  assert.equal(chooseWorkers(undefined, 400, defaultChunkFrames(256, 256)).workers, 1);
});

test('both workers receive chunks, and the pixels in the workers stay within the in-flight bound in bytes', async () => {
  const pool = { chunksPerWorker: [] as number[], peakBytesInFlight: 0 };
  const limit = 32;
  let frames = 0;
  for await (const b of localizeStream(framesOf(), options, { workers: 2, maxFramesInFlight: limit, pool })) frames += b.count >= 0 ? 1 : 0;
  assert.equal(frames, SIM.frames);
  const chunks = Math.ceil(SIM.frames / options.chunkFrames);
  assert.equal(pool.chunksPerWorker.length, 2);
  assert.equal(pool.chunksPerWorker[0] + pool.chunksPerWorker[1], chunks);
  // The least busy worker takes the next chunk: with two chunks a worker in flight (limit 32 =
  // 2 chunks of 16), the first chunks alternate, so each worker gets at least 2 of the 6.
  for (const [w, n] of pool.chunksPerWorker.entries()) assert.ok(n >= 2, `worker ${w} got ${n} of ${chunks} chunks`);
  // Bytes, not frames: uint16 frames of 40×40 px, no background; at most the bound plus the chunk being filled.
  const frameBytes = SIM.width * SIM.height * 2;
  assert.ok(pool.peakBytesInFlight > 0);
  assert.ok(pool.peakBytesInFlight <= limit * frameBytes, `${pool.peakBytesInFlight} bytes of frames in the workers (bound ${limit * frameBytes})`);
});

test('frames in a subclass of a typed array (a Buffer, or a class of the caller) cross to workers as their base array', async () => {
  // The slot names the frame's sample type; a lookup by constructor name failed here ("Kind is
  // not a constructor") for any subclass, Node's Buffer among them.
  class Pixels extends Uint16Array {}
  const of = () =>
    (async function* () {
      for (const f of simulated) yield { index: f.index, width: SIM.width, height: SIM.height, data: Pixels.from(f.adu) as Uint16Array };
    })();
  const one: LocalizationBatch[] = [];
  for await (const b of localizeStream(of(), options, { workers: 1 })) one.push(b);
  const two: LocalizationBatch[] = [];
  for await (const b of localizeStream(of(), options, { workers: 2 })) two.push(b);
  assert.ok(one.reduce((s, b) => s + b.count, 0) > SIM.frames, 'the frames hold spots');
  assert.deepEqual(rows(two), rows(one));
});
