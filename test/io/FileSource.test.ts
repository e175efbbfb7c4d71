import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FileSource, SMALL_READ_BYTES } from '../../src/io/FileSource.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { writeTiff } from '../../src/io/TiffWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-filesource-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `bytes` bytes whose byte i is a hash of i (so a misplaced read shows). */
function patterned(name: string, bytes: number): { path: string; data: Uint8Array } {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 2654435761) >>> 24;
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, data };
}

describe('FileSource read-ahead window', () => {
  const { path, data } = patterned('pattern.bin', 3 << 20);

  test('small reads far apart (a directory chain of large frames) read a page each, not a window', () => {
    const source = new FileSource(path);
    const stride = 131_072 + 180; // a 256×256 uint16 frame and its directory
    let n = 0;
    for (let at = 8; at + 6 < data.length; at += stride, n++) {
      const head = source.view(at, 2);
      assert.deepEqual([...head], [data[at], data[at + 1]]);
      const next = source.view(at + 2 + 12 * 12, 4); // 12 entries later: in the same page
      assert.deepEqual([...next], [...data.subarray(at + 146, at + 150)]);
    }
    assert.equal(source.reads, n, 'one read per directory');
    assert.ok(source.bytesRead <= n * SMALL_READ_BYTES, `${source.bytesRead} bytes read for ${n} directories: at most a page each`);
    source.close();
  });

  test('reads walking through nearby bytes (small frames) fill whole windows: few system calls', () => {
    const source = new FileSource(path);
    const stride = 2048 + 180; // a 32×32 uint16 frame and its directory
    let n = 0;
    for (let at = 8; at + 6 < 1 << 20; at += stride, n++) {
      const bytes = source.view(at, 6);
      assert.deepEqual([...bytes], [...data.subarray(at, at + 6)]);
    }
    // 1 MiB walked through 64 KiB windows: 16 windows, plus the page read of the first miss.
    assert.ok(source.reads <= 18, `${source.reads} reads for ${n} nearby directories`);
    source.close();
  });

  test('every mix of view and readInto returns the file\'s bytes, and fewer at its end', () => {
    const source = new FileSource(path);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 2000; k++) {
      const near = k % 3 === 0;
      const at = near ? Math.floor(random() * 200_000) : Math.floor(random() * (data.length + 100));
      const length = 1 + Math.floor(random() * (k % 5 === 0 ? 70_000 : 5000));
      const expected = data.subarray(Math.min(at, data.length), Math.min(at + length, data.length));
      if (k % 2 === 0) {
        assert.deepEqual(source.view(at, length), expected, `view(${at}, ${length})`);
      } else {
        const target = new Uint8Array(length);
        const got = source.readInto(at, target);
        assert.equal(got, expected.length, `readInto(${at}, ${length}) count`);
        assert.deepEqual(target.subarray(0, got), expected, `readInto(${at}, ${length})`);
      }
    }
    source.close();
  });
});

test('opening a stack of 256×256 frames reads a page per directory, and its frames read right', async () => {
  const frames = 300;
  const pixels = Array.from({ length: 3 }, (_, k) => Uint16Array.from({ length: 256 * 256 }, (_, i) => (i * 7 + k * 1000) & 0xffff));
  const path = join(dir, 'chain.tif');
  writeTiff(path, Array.from({ length: frames }, (_, f) => pixels[f % 3]), { width: 256, height: 256 });
  const stack = TiffStack.open(path);
  assert.equal(stack.metadata.frameCount, frames);
  const source = (stack as unknown as { source: FileSource }).source;
  // 64 KiB a directory before (19.7 MB for this stack): now a page each, and the first directory's window.
  assert.ok(source.bytesRead <= frames * SMALL_READ_BYTES + 2 * 65536, `${source.bytesRead} bytes read to open ${frames} frames`);
  assert.ok(source.reads <= frames + 4, 'about one read per directory');
  let f = 0;
  for await (const frame of stack.frames()) assert.deepEqual(frame.data, pixels[f++ % 3]);
  assert.equal(f, frames);
  stack.close();
  assert.ok(readFileSync(path).length > frames * 131_072);
});
