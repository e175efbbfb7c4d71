import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FrameBufferPool } from '../../src/io/FrameBufferPool.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { TiffWriter } from '../../src/io/TiffWriter.js';

test('take() returns a given-back buffer of the same size, else a new one; capacity and detached buffers', () => {
  const pool = new FrameBufferPool(2);
  const a = pool.take(16);
  assert.equal(a.byteLength, 16);
  pool.give(a);
  assert.equal(pool.take(8).byteLength, 8, 'another size: a new buffer');
  assert.equal(pool.take(16), a, 'the same buffer back');
  assert.notEqual(pool.take(16), a, 'taken once only');
  const detached = new ArrayBuffer(16);
  structuredClone(detached, { transfer: [detached] });
  pool.give(detached);
  assert.notEqual(pool.take(16), detached, 'a detached buffer is not kept');
  const kept = [new ArrayBuffer(4), new ArrayBuffer(4), new ArrayBuffer(4)];
  for (const b of kept) pool.give(b);
  const back = new Set([pool.take(4), pool.take(4), pool.take(4)]);
  assert.equal([...back].filter((b) => kept.includes(b)).length, 2, 'at most `capacity` buffers kept');
});

test('frames read into recycled buffers hold the same pixels as frames read into new ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-pool-'));
  try {
    const path = join(dir, 'stack.tif');
    const writer = new TiffWriter(path, { width: 7, height: 5, pixelSizeNm: 100, frameCount: 6 });
    for (let f = 0; f < 6; f++) writer.append(Uint16Array.from({ length: 35 }, (_, i) => 1000 * f + i));
    writer.close();
    const stack = TiffStack.open(path);
    const pool = new FrameBufferPool();
    const buffers = new Set<ArrayBuffer>();
    for await (const frame of stack.frames({ buffers: pool })) {
      assert.deepEqual(Array.from(frame.data), Array.from({ length: 35 }, (_, i) => 1000 * frame.index + i), `frame ${frame.index}`);
      buffers.add(frame.data.buffer as ArrayBuffer);
      pool.give(frame.data.buffer as ArrayBuffer); // done with it: the next frame reuses it
    }
    stack.close();
    assert.equal(buffers.size, 1, 'one buffer served every frame');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
