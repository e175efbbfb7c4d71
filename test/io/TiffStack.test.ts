import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fromFile } from 'geotiff';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { countReads } from './countReads.js';
import { frameView } from '../../src/io/Frame.js';
import type { Frame } from '../../src/io/Frame.js';
import { framesFromTiff, readFrames } from '../../src/io/framesFromTiff.js';
import { TiffError } from '../../src/io/TiffError.js';
import { TiffStack } from '../../src/io/TiffStack.js';
import { TiffWriter, writeTiff } from '../../src/io/TiffWriter.js';
import type { BuildOptions, TestSampleType } from './buildTiff.js';
import { buildTiff, withDanglingLastPointer, withEntry } from './buildTiff.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-io-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;
const file = (bytes?: Uint8Array) => {
  const path = join(dir, `t${fileNumber++}.tif`);
  if (bytes) writeFileSync(path, bytes);
  return path;
};

/** Frames with values that exercise every byte of the sample type (and its sign). */
function testFrames(count: number, width: number, height: number, type: TestSampleType): number[][] {
  const range: Record<TestSampleType, [number, number]> = {
    uint8: [0, 255],
    uint16: [0, 65535],
    int16: [-32768, 32767],
    uint32: [0, 4294967295],
    float32: [-1e6, 1e6],
  };
  const [lo, hi] = range[type];
  return Array.from({ length: count }, (_, f) =>
    Array.from({ length: width * height }, (_, i) => {
      const t = ((i * 7919 + f * 104729) % 1000) / 999;
      const v = lo + t * (hi - lo);
      return type === 'float32' ? Math.fround(v * 0.999 + 0.125) : Math.round(v);
    }),
  );
}

async function readAll(path: string): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const frame of readFrames(path)) out.push(frame);
  return out;
}

function assertFramesEqual(got: Frame[], want: number[][], width: number, height: number) {
  assert.equal(got.length, want.length, 'frame count');
  got.forEach((frame, f) => {
    assert.equal(frame.index, f);
    assert.equal(frame.width, width);
    assert.equal(frame.height, height);
    assert.deepEqual(Array.from(frame.data), want[f], `pixels of frame ${f}`);
  });
}

describe('the project writer', () => {
  for (const bigTiff of [false, true]) {
    for (const sampleType of ['uint16', 'float32'] as const) {
      test(`${sampleType}, ${bigTiff ? 'BigTIFF' : 'classic'}: read back pixel-exact, also by geotiff`, async () => {
        const frames = testFrames(5, 13, 7, sampleType === 'uint16' ? 'uint16' : 'float32');
        const path = file();
        writeTiff(path, frames, { width: 13, height: 7, sampleType, bigTiff, pixelSizeNm: 107 });
        const stack = TiffStack.open(path);
        const m = stack.metadata;
        stack.close();
        assert.equal(m.frameCount, 5);
        assert.equal(m.complete, true);
        assert.equal(m.sampleType, sampleType);
        assert.equal(m.bigTiff, bigTiff);
        assert.equal(m.description, 'imagej');
        assert.ok(Math.abs((m.pixelSizeNm ?? 0) - 107) < 1e-9, `pixel size ${m.pixelSizeNm}`);
        assertFramesEqual(await readAll(path), frames, 13, 7);
        // An independent reader sees the same file.
        const tiff = await fromFile(path);
        assert.equal(await tiff.getImageCount(), 5);
        const image = await tiff.getImage(3);
        const [raster] = (await image.readRasters()) as unknown as ArrayLike<number>[];
        assert.deepEqual(Array.from(raster), frames[3]);
      });
    }
  }
});

describe('hand-built layouts, pixel-exact', () => {
  const cases: [string, Partial<BuildOptions>][] = [];
  for (const sampleType of ['uint8', 'uint16', 'int16', 'uint32', 'float32'] as const) {
    for (const littleEndian of [true, false]) {
      cases.push([`${sampleType} ${littleEndian ? 'LE' : 'BE'} classic`, { sampleType, littleEndian }]);
      cases.push([`${sampleType} ${littleEndian ? 'LE' : 'BE'} BigTIFF, 3-row strips`, { sampleType, littleEndian, bigTiff: true, rowsPerStrip: 3 }]);
    }
  }
  for (const littleEndian of [true, false]) {
    const e = littleEndian ? 'LE' : 'BE';
    cases.push([`uint16 ${e} Deflate`, { sampleType: 'uint16', littleEndian, compression: 8 }]);
    cases.push([`uint16 ${e} Deflate + predictor, 4-row strips`, { sampleType: 'uint16', littleEndian, compression: 8, predictor: 2, rowsPerStrip: 4 }]);
    cases.push([`uint16 ${e} LZW`, { sampleType: 'uint16', littleEndian, compression: 5 }]);
    cases.push([`uint16 ${e} LZW + predictor, 2-row strips`, { sampleType: 'uint16', littleEndian, compression: 5, predictor: 2, rowsPerStrip: 2 }]);
    cases.push([`float32 ${e} Deflate`, { sampleType: 'float32', littleEndian, compression: 8 }]);
    cases.push([`uint16 ${e} 16×8 tiles (edge tiles cut)`, { sampleType: 'uint16', littleEndian, tile: { width: 16, height: 8 } }]);
    cases.push([`uint16 ${e} 16×16 tiles, Deflate, BigTIFF`, { sampleType: 'uint16', littleEndian, tile: { width: 16, height: 16 }, compression: 8, bigTiff: true }]);
    cases.push([`int16 ${e} 16×16 tiles, LZW`, { sampleType: 'int16', littleEndian, tile: { width: 16, height: 16 }, compression: 5 }]);
  }
  for (const [name, options] of cases) {
    test(name, async () => {
      const width = 21;
      const height = 11;
      const sampleType = options.sampleType ?? 'uint16';
      const frames = testFrames(4, width, height, sampleType);
      const path = file(buildTiff(frames, { width, height, ...options, sampleType }));
      const stack = TiffStack.open(path);
      assert.equal(stack.metadata.byteOrder, options.littleEndian === false ? 'big-endian' : 'little-endian');
      assert.equal(stack.metadata.frameCount, 4);
      stack.close();
      assertFramesEqual(await readAll(path), frames, width, height);
    });
  }

  test('LZW with code widths up to 12 bits (a 64×48 uint16 frame of noise)', async () => {
    const frames = testFrames(2, 64, 48, 'uint16');
    const path = file(buildTiff(frames, { width: 64, height: 48, sampleType: 'uint16', compression: 5 }));
    assertFramesEqual(await readAll(path), frames, 64, 48);
  });
});

describe('ImageJ and OME conventions', () => {
  test('ImageJ hyperstack: sizes from the description; the stack itself gives every plane in file order', async () => {
    const frames = testFrames(6, 8, 5, 'uint16');
    const description = 'ImageJ=1.54f\nimages=6\nchannels=2\nframes=3\nhyperstack=true\nunit=nm\nloop=false';
    const path = file(buildTiff(frames, { width: 8, height: 5, sampleType: 'uint16', description, extraTags: [[282, 5, [1, 160]], [283, 5, [1, 160]]] }));
    const stack = TiffStack.open(path);
    assert.deepEqual(stack.metadata.hyperstack, { channels: 2, slices: undefined, frames: 3, order: 'CZT' });
    assert.equal(stack.metadata.pixelSizeNm, 160);
    assert.equal(stack.metadata.imagejRawLayout, false);
    const planes: Frame[] = [];
    for await (const frame of stack.frames()) planes.push(frame);
    stack.close();
    assertFramesEqual(planes, frames, 8, 5);
    // readFrames gives frames of one channel (test/io/selectChannel.test.ts).
    await assert.rejects(readAll(path), /2 channels, their frames interleaved/);
  });

  test('ImageJ raw layout: one directory, images=N, frames back to back', async () => {
    const frames = testFrames(7, 9, 4, 'uint16');
    const description = 'ImageJ=1.54f\nimages=7\nslices=7\nloop=false';
    const path = file(buildTiff(frames, { width: 9, height: 4, sampleType: 'uint16', description, singleDirectory: true, littleEndian: false }));
    const stack = TiffStack.open(path);
    assert.equal(stack.metadata.imagejRawLayout, true);
    assert.equal(stack.metadata.frameCount, 7);
    stack.close();
    assertFramesEqual(await readAll(path), frames, 9, 4);
  });

  test('ImageJ raw layout across 4 GB: offsets beyond 2³² computed exactly (sparse file)', async () => {
    const width = 64;
    const height = 32;
    const frameBytes = width * height * 2;
    const first = 2 ** 32 - 3 * frameBytes - 1000; // frames 3… start past 4 GB
    const count = 6;
    const frames = testFrames(count, width, height, 'uint16');
    // Header + directory at the start, pixel data near 4 GB (the file is sparse: a few KB on disk).
    const head = buildTiff([frames[0]], { width, height, sampleType: 'uint16', description: `ImageJ=1.54f\nimages=${count}\nloop=false` });
    const path = file(head);
    // Point StripOffsets at `first`: the strip is the first block after the 8-byte header.
    const stack0 = TiffStack.open(path);
    stack0.close();
    const bytes = Buffer.from(head);
    let patched = 0;
    for (let p = 8; p + 12 <= bytes.length; p += 2) {
      if (bytes.readUInt16LE(p) === 273 && bytes.readUInt16LE(p + 2) === 4 && bytes.readUInt32LE(p + 4) === 1) {
        bytes.writeUInt32LE(first, p + 8);
        patched++;
      }
    }
    assert.equal(patched, 1, 'found the StripOffsets entry');
    const fd = openSync(path, 'w');
    writeSync(fd, bytes, 0, bytes.length, 0);
    frames.forEach((frame, f) => {
      const data = Buffer.from(Uint16Array.from(frame).buffer);
      writeSync(fd, data, 0, data.length, first + f * frameBytes);
    });
    closeSync(fd);
    assert.ok(statSync(path).size > 2 ** 32);
    const stack = TiffStack.open(path);
    assert.equal(stack.metadata.frameCount, count);
    const last = await stack.readFrame(count - 1);
    assert.deepEqual(Array.from(last.data), frames[count - 1]);
    stack.close();
    assertFramesEqual(await readAll(path), frames, width, height);
  });

  test('OME-TIFF: PhysicalSizeX with its unit, every plane', async () => {
    const frames = testFrames(3, 6, 6, 'uint16');
    const ome = '<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels DimensionOrder="XYCZT" PhysicalSizeX="0.107" PhysicalSizeXUnit="µm" SizeT="3" SizeX="6" SizeY="6" Type="uint16"/></Image></OME>';
    const path = file(buildTiff(frames, { width: 6, height: 6, sampleType: 'uint16', description: ome }));
    const stack = TiffStack.open(path);
    assert.equal(stack.metadata.description, 'ome');
    assert.ok(Math.abs((stack.metadata.pixelSizeNm ?? 0) - 107) < 1e-9);
    stack.close();
    assertFramesEqual(await readAll(path), frames, 6, 6);
  });
});

describe('bad input: a TiffError naming the file and the problem', () => {
  const expectError = (path: string, problem: string) => {
    assert.throws(
      () => TiffStack.open(path),
      (error: unknown) => error instanceof TiffError && error.problem === problem && error.message.startsWith(path),
    );
  };
  test('not a TIFF', () => expectError(file(new TextEncoder().encode('hello, this is text, not an image')), 'not-tiff'));
  test('truncated header', () => expectError(file(Uint8Array.from([0x49, 0x49, 42])), 'not-tiff'));
  test('BigTIFF header cut short', () => expectError(file(Uint8Array.from([0x49, 0x49, 43, 0, 8, 0, 0, 0, 16])), 'truncated'));
  test('zero frames', () => expectError(file(Uint8Array.from([0x49, 0x49, 42, 0, 0, 0, 0, 0])), 'no-frames'));
  test('missing file', () => expectError(join(dir, 'nope.tif'), 'unreadable'));
  test('unsupported compression (JPEG)', () => {
    const bytes = buildTiff(testFrames(1, 4, 4, 'uint16'), { width: 4, height: 4, sampleType: 'uint16' });
    const b = Buffer.from(bytes);
    for (let p = 8; p + 12 <= b.length; p += 2) if (b.readUInt16LE(p) === 259 && b.readUInt16LE(p + 2) === 3) b.writeUInt16LE(7, p + 8);
    expectError(file(b), 'unsupported');
  });
  test('unsupported sample type (12-bit)', () => {
    const bytes = Buffer.from(buildTiff(testFrames(1, 4, 4, 'uint16'), { width: 4, height: 4, sampleType: 'uint16' }));
    for (let p = 8; p + 12 <= bytes.length; p += 2) if (bytes.readUInt16LE(p) === 258 && bytes.readUInt16LE(p + 2) === 3) bytes.writeUInt16LE(12, p + 8);
    expectError(file(bytes), 'unsupported');
  });
  test('RGB images are refused', () => {
    const bytes = buildTiff(testFrames(1, 4, 4, 'uint8'), { width: 4, height: 4, sampleType: 'uint8', extraTags: [] });
    const b = Buffer.from(bytes);
    for (let p = 8; p + 12 <= b.length; p += 2) if (b.readUInt16LE(p) === 277 && b.readUInt16LE(p + 2) === 3) b.writeUInt16LE(3, p + 8);
    assert.throws(() => TiffStack.open(file(b)), /samples per pixel \(RGB/);
  });

  test('a stack cut off mid-frame yields every complete frame, then the error', async () => {
    const frames = testFrames(5, 32, 16, 'uint16');
    const path = file();
    writeTiff(path, frames, { width: 32, height: 16 });
    // Each frame is 1024 bytes of pixels + its directory: cut into the 5th frame's pixels.
    const frameSpan = (statSync(path).size - 8) / 5;
    truncateSync(path, Math.floor(8 + 4 * frameSpan + 300));
    const got: Frame[] = [];
    await assert.rejects(async () => {
      for await (const frame of readFrames(path)) got.push(frame);
    }, (error: unknown) => error instanceof TiffError && error.problem === 'truncated' && error.message.includes(path));
    assertFramesEqual(got, frames.slice(0, 4), 32, 16);
  });

  test('the Observable delivers the complete frames, then the error', async () => {
    const frames = testFrames(3, 8, 8, 'uint16');
    const path = file();
    writeTiff(path, frames, { width: 8, height: 8 });
    truncateSync(path, statSync(path).size - 150); // into the last frame's directory
    const got: Frame[] = [];
    const error = await new Promise<unknown>((resolve) => {
      framesFromTiff(path).subscribe({ next: (f) => got.push(f), error: resolve, complete: () => resolve('completed') });
    });
    assert.ok(error instanceof TiffError && error.problem === 'truncated', String(error));
    assertFramesEqual(got, frames.slice(0, 2), 8, 8);
  });
});

describe('every frame of a file has frame 1\'s size and sample type', () => {
  for (const [what, tag, value, shape] of [
    ['width', 256, 8, '8×8 px uint16'],
    ['height', 257, 4, '16×4 px uint16'],
    ['sample type', 258, 8, '16×8 px uint8'],
  ] as const) {
    test(`a frame of another ${what}: the frames before it, then an error naming the file and the frame`, async () => {
      const frames = testFrames(4, 16, 8, 'uint16');
      const path = file(withEntry(buildTiff(frames, { width: 16, height: 8, sampleType: 'uint16' }), 2, tag, value));
      const got: Frame[] = [];
      await assert.rejects(async () => {
        for await (const frame of readFrames(path)) got.push(frame);
      }, (error: unknown) => {
        assert.ok(error instanceof TiffError && error.problem === 'mixed-frames', String(error));
        assert.equal(error.message, `${path}: mixed-frames: its frame 3 is ${shape}, where its frame 1 is 16×8 px uint16: every frame of a stack must have one size and sample type`);
        return true;
      });
      assertFramesEqual(got, frames.slice(0, 2), 16, 8);
      const stack = TiffStack.open(path);
      await assert.rejects(stack.readFrame(2), /mixed-frames: its frame 3/, 'random access too');
      stack.close();
    });
  }
});

describe('frame source', () => {
  test('random access, ranges with step, and an ndarray view', async () => {
    const frames = testFrames(10, 5, 4, 'uint16');
    const path = file();
    writeTiff(path, frames, { width: 5, height: 4 });
    const stack = TiffStack.open(path);
    const f7 = await stack.readFrame(7);
    assert.deepEqual(Array.from(f7.data), frames[7]);
    await assert.rejects(stack.readFrame(10), (e: unknown) => e instanceof TiffError && e.problem === 'out-of-range');
    const picked: number[] = [];
    for await (const f of stack.frames({ start: 1, end: 8, step: 3 })) picked.push(f.index);
    assert.deepEqual(picked, [1, 4, 7]);
    const view = frameView(f7);
    assert.deepEqual(view.shape, [4, 5]);
    assert.equal(view.get(2, 3), frames[7][2 * 5 + 3]);
    stack.close();
    const viaRx = await lastValueFrom(framesFromTiff(path, { start: 8 }).pipe(toArray()));
    assert.deepEqual(viaRx.map((f) => f.index), [8, 9]);
  });

  test('unsubscribing stops reading and closes the file', async (t) => {
    const frames = testFrames(400, 64, 64, 'uint16');
    const path = file();
    writeTiff(path, frames, { width: 64, height: 64 });
    // The descriptors open on this stack (not all of the process's: other tests of the same
    // process, as in `npm run test:unit`, open and close files meanwhile).
    const openFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === realPath;
      } catch {
        return false; // closed between the listing and the link's read
      }
    }).length;
    const realPath = realpathSync(path);
    const before = openFiles();
    const probe = openSync(path, 'r'); // the count sees a descriptor on the stack
    assert.equal(openFiles(), before + 1);
    closeSync(probe);
    const reads = countReads(path);
    t.after(reads.stop);
    const first = await firstValueFrom(framesFromTiff(path).pipe(take(3), toArray()));
    assert.deepEqual(first.map((f) => f.index), [0, 1, 2]);
    await new Promise((r) => setTimeout(r, 50));
    const readsAfter = reads.count;
    await new Promise((r) => setTimeout(r, 100));
    reads.stop();
    assert.equal(reads.count, readsAfter, 'no reads after unsubscribing');
    // Opening walks the 400 directories (a read per 64 KB window); reading all frames would add 400.
    assert.ok(readsAfter < 100, `${readsAfter} reads for 3 of 400 frames`);
    assert.equal(openFiles(), before, 'file closed');
  });
});

describe('follow mode (live acquisition)', () => {
  test('streams frames while a writer appends them, then ends after the idle time', async () => {
    const frames = testFrames(12, 16, 8, 'uint16');
    const path = file();
    const writer = new TiffWriter(path, { width: 16, height: 8 });
    writer.append(frames[0]);
    let written = 1;
    const timer = setInterval(() => {
      if (written < frames.length) writer.append(frames[written++]);
      else {
        clearInterval(timer);
        writer.close();
      }
    }, 15);
    const got: Frame[] = [];
    const t0 = Date.now();
    for await (const frame of readFrames(path, { follow: true, pollIntervalMs: 5, idleTimeoutMs: 250 })) got.push(frame);
    clearInterval(timer);
    writer.close();
    assertFramesEqual(got, frames, 16, 8);
    assert.ok(Date.now() - t0 >= 250, 'waited for the idle time');
  });

  test('never emits a frame whose directory is linked before its pixels are on disk', async () => {
    const width = 4;
    const height = 4;
    const a = Array.from({ length: 16 }, (_, i) => 100 + i);
    const b = Array.from({ length: 16 }, (_, i) => 900 - i);
    const path = file(buildTiff([a], { width, height, sampleType: 'uint16' }));
    // Append a directory for frame B that points at pixel data not yet written, and link it.
    const size = statSync(path).size;
    const directoryOfA = Buffer.from(buildTiff([b], { width, height, sampleType: 'uint16' })).subarray(8 + 32);
    // The one-frame build is: header (8) | pixels (32) | directory (+ no out-of-line values).
    const directory = Buffer.from(directoryOfA);
    const dataAt = size + directory.length;
    for (let p = 2; p + 12 <= directory.length; p += 12) {
      if (directory.readUInt16LE(p) === 273) directory.writeUInt32LE(dataAt, p + 8);
    }
    const fd = openSync(path, 'r+');
    writeSync(fd, directory, 0, directory.length, size);
    const link = Buffer.alloc(4);
    link.writeUInt32LE(size);
    // Frame A's directory is at 8 + 32 = 40; its next pointer follows its entries.
    const entriesOfA = Buffer.from(buildTiff([a], { width, height, sampleType: 'uint16' })).readUInt16LE(40);
    writeSync(fd, link, 0, 4, 40 + 2 + 12 * entriesOfA);
    const got: Frame[] = [];
    const reading = (async () => {
      for await (const frame of readFrames(path, { follow: true, pollIntervalMs: 5, idleTimeoutMs: 400 })) got.push(frame);
    })();
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(got.length, 1, 'frame B is linked but its pixels are missing: not emitted');
    const pixels = Buffer.from(Uint16Array.from(b).buffer);
    writeSync(fd, pixels, 0, pixels.length, dataAt);
    closeSync(fd);
    await reading;
    assertFramesEqual(got, [a, b], width, height);
  });

  test('a file written frame by frame whose ImageJ description gives the image count ahead (images=N) is not read as ImageJ\'s raw layout', async () => {
    const frames = testFrames(5, 4, 3, 'uint16');
    const path = file();
    // The project's writer states images=5 in the first directory; opened after one frame, the
    // file has one directory, as ImageJ's raw layout has, but its directory lies after the
    // first frame's pixels, where a raw layout's second frame would be.
    const writer = new TiffWriter(path, { width: 4, height: 3, frameCount: 5 });
    writer.append(frames[0]);
    const stack = TiffStack.open(path);
    assert.equal(stack.metadata.imagejRawLayout, false);
    assert.equal(stack.metadata.frameCount, 1);
    stack.close();
    const got: Frame[] = [];
    let written = 1;
    for await (const frame of readFrames(path, { follow: true, pollIntervalMs: 5, idleTimeoutMs: 200 })) {
      got.push(frame);
      if (written < frames.length) writer.append(frames[written++]);
    }
    writer.close();
    assertFramesEqual(got, frames, 4, 3);
  });

  test('one directory before its pixels and images=N: read as the raw layout until a writer links a second directory, then as a chain', async () => {
    const frames = testFrames(3, 4, 3, 'uint16');
    const frameBytes = 4 * 3 * 2;
    // Header | (unused) | description | directory 0, then frame 0's pixels at the end: the
    // directory comes before the pixels, as ImageJ writes its raw layout.
    const one = Buffer.from(buildTiff([frames[0]], { width: 4, height: 3, sampleType: 'uint16', description: 'ImageJ=1.54f\nimages=3\nslices=3\nloop=false' }));
    const ifd0 = one.readUInt32LE(4);
    const entries = one.readUInt16LE(ifd0);
    const ifdLength = 2 + 12 * entries + 4;
    const stripAt = (ifd: Buffer) => {
      for (let e = 0; e < entries; e++) if (ifd.readUInt16LE(2 + 12 * e) === 273) return 2 + 12 * e + 8;
      throw new Error('no StripOffsets');
    };
    const template = Buffer.from(one.subarray(ifd0, ifd0 + ifdLength));
    one.writeUInt32LE(one.length, ifd0 + stripAt(template));
    const pixels = (f: number) => Buffer.from(Uint16Array.from(frames[f]).buffer);
    const path = file(Buffer.concat([one, pixels(0)]));
    const stack = TiffStack.open(path);
    assert.equal(stack.metadata.imagejRawLayout, true, 'one directory, images=3: the raw layout, 1 frame so far');
    assert.equal(stack.metadata.frameCount, 1);
    stack.close();
    let linkAt = ifd0 + ifdLength - 4;
    // A writer that appends each frame's pixels, then its directory, then links it.
    const append = (f: number) => {
      const fd = openSync(path, 'r+');
      const end = statSync(path).size;
      writeSync(fd, pixels(f), 0, frameBytes, end);
      const ifd = Buffer.from(template);
      ifd.writeUInt32LE(end, stripAt(ifd));
      ifd.writeUInt32LE(0, ifdLength - 4);
      writeSync(fd, ifd, 0, ifdLength, end + frameBytes);
      const link = Buffer.alloc(4);
      link.writeUInt32LE(end + frameBytes);
      writeSync(fd, link, 0, 4, linkAt);
      linkAt = end + frameBytes + ifdLength - 4;
      closeSync(fd);
    };
    const got: Frame[] = [];
    for await (const frame of readFrames(path, { follow: true, pollIntervalMs: 5, idleTimeoutMs: 200 })) {
      got.push(frame);
      if (frame.index < 2) append(frame.index + 1);
    }
    assertFramesEqual(got, frames, 4, 3);
  });

  test('ImageJ\'s raw layout cut off: follow ends with the truncated error a read without follow gives', async () => {
    const frames = testFrames(7, 9, 4, 'uint16');
    const description = 'ImageJ=1.54f\nimages=7\nslices=7\nloop=false';
    const bytes = buildTiff(frames, { width: 9, height: 4, sampleType: 'uint16', description, singleDirectory: true });
    // The builder puts the directory after the pixels: a file that says images=9 and holds 7
    // frames before its directory (frames 8 and 9 are not in it: the directory is no frame).
    const path = file(Buffer.from(Buffer.from(bytes).toString('latin1').replace('images=7', 'images=9'), 'latin1'));
    let plain: unknown;
    try {
      for await (const _ of readFrames(path)) void _;
    } catch (error) {
      plain = error;
    }
    assert.ok(plain instanceof TiffError && plain.problem === 'truncated', String(plain));
    const followed = await follow(path, 60);
    assert.ok(followed.error instanceof TiffError, String(followed.error));
    assert.equal(followed.error.message, plain.message);
    assert.equal(followed.got.length, 7);
  });

  /** Every frame follow mode yields before it ends, and how it ends (undefined: cleanly). */
  async function follow(path: string, idleTimeoutMs: number, onFrame?: (frame: Frame) => void): Promise<{ got: Frame[]; error: unknown }> {
    const got: Frame[] = [];
    try {
      for await (const frame of readFrames(path, { follow: true, pollIntervalMs: 5, idleTimeoutMs })) {
        got.push(frame);
        onFrame?.(frame);
      }
      return { got, error: undefined };
    } catch (error) {
      return { got, error };
    }
  }

  test('a last "next" pointer past the end that is never written before the idle time: truncated, as without follow', async () => {
    const frames = testFrames(3, 8, 6, 'uint16');
    const path = file(withDanglingLastPointer(buildTiff(frames, { width: 8, height: 6, sampleType: 'uint16' })));
    let plain: unknown;
    const plainFrames: Frame[] = [];
    try {
      for await (const frame of readFrames(path)) plainFrames.push(frame);
    } catch (error) {
      plain = error;
    }
    assert.ok(plain instanceof TiffError && plain.problem === 'truncated', String(plain));
    assertFramesEqual(plainFrames, frames, 8, 6);
    const followed = await follow(path, 60);
    assert.ok(followed.error instanceof TiffError, String(followed.error));
    assert.equal(followed.error.message, plain.message, 'the same message as a read without follow');
    assertFramesEqual(followed.got, frames, 8, 6);
  });

  test('a pointer past the end that the writer fills in before the idle time is not an error', async () => {
    const frames = testFrames(3, 8, 6, 'uint16');
    const whole = Buffer.from(buildTiff(frames, { width: 8, height: 6, sampleType: 'uint16' }));
    // The builder puts every frame's pixels first, then the directories: the file up to the
    // third directory ends where the second directory's "next" pointer points.
    const second = whole.readUInt32LE(whole.readUInt32LE(4) + 2 + 12 * whole.readUInt16LE(whole.readUInt32LE(4)));
    const third = whole.readUInt32LE(second + 2 + 12 * whole.readUInt16LE(second));
    const path = file(whole.subarray(0, third));
    assert.equal(statSync(path).size, third, 'the pointer runs past the end');
    const followed = await follow(path, 300, (frame) => {
      if (frame.index === 1) appendFileSync(path, whole.subarray(third));
    });
    assert.equal(followed.error, undefined, String(followed.error));
    assertFramesEqual(followed.got, frames, 8, 6);
  });

  test('a file cut shorter while it is read: the complete frames, then truncated (the file shrank), without waiting for the idle time', async () => {
    const frames = testFrames(10, 16, 8, 'uint16');
    const path = file();
    writeTiff(path, frames, { width: 16, height: 8 });
    const frameSpan = (statSync(path).size - 8) / 10;
    const sizeBefore = statSync(path).size;
    // After frame 3 (index 2) is read, the file is cut into frame 6's pixels.
    const cut = Math.floor(8 + 5 * frameSpan + 40);
    const followed = await follow(path, 60_000, (frame) => {
      if (frame.index === 2) truncateSync(path, cut);
    });
    assert.ok(followed.error instanceof TiffError && followed.error.problem === 'truncated', String(followed.error));
    assert.match(followed.error.message, new RegExp(`shrank from ${sizeBefore} to ${cut} bytes`));
    assert.ok(followed.error.message.includes(path), 'names the file');
    assertFramesEqual(followed.got, frames.slice(0, 5), 16, 8);
  });

  test('a file cut below the bytes already read, while follow waits for the next frame: truncated', async () => {
    const frames = testFrames(4, 16, 8, 'uint16');
    const path = file();
    writeTiff(path, frames, { width: 16, height: 8 });
    const followed = await follow(path, 60_000, (frame) => {
      if (frame.index === 3) setTimeout(() => truncateSync(path, 600), 30);
    });
    assert.ok(followed.error instanceof TiffError && followed.error.problem === 'truncated', String(followed.error));
    assert.match(followed.error.message, /shrank from \d+ to 600 bytes while it was being read/);
    assertFramesEqual(followed.got, frames, 16, 8);
  });
});
