/**
 * Hyperstacks: a stack whose planes interleave channels is read one channel at a time (its frames
 * numbered as time points), refused without a channel, and refused when it holds z-slices at
 * several time points; ImageJ's and OME's plane orders.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import type { Frame } from '../../src/io/Frame.js';
import { readFrames } from '../../src/io/framesFromTiff.js';
import { openStack } from '../../src/io/openStack.js';
import { selectChannel } from '../../src/io/selectChannel.js';
import { TiffError } from '../../src/io/TiffError.js';
import { TiffWriter } from '../../src/io/TiffWriter.js';
import { localize } from '../../pipelines/localize.js';
import { lastValueFrom, toArray } from 'rxjs';
import { buildTiff } from './buildTiff.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-channel-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;

/** Plane p is filled with the value 100 + p: which plane a frame came from is its first pixel. */
const planes = (count: number) => Array.from({ length: count }, (_, p) => Array.from({ length: 12 }, () => 100 + p));
const stackFile = (count: number, description: string) => {
  const path = join(dir, `h${fileNumber++}.tif`);
  writeFileSync(path, buildTiff(planes(count), { width: 4, height: 3, sampleType: 'uint16', description }));
  return path;
};
const imagej = (lines: string) => `ImageJ=1.54f\n${lines}\nhyperstack=true\nloop=false`;
const ome = (order: string, c: number, z: number, t: number) =>
  `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" UUID="urn:uuid:A"><Image ID="Image:0"><Pixels DimensionOrder="${order}" ID="Pixels:0" SizeC="${c}" SizeT="${t}" SizeX="4" SizeY="3" SizeZ="${z}" Type="uint16"><TiffData/></Pixels></Image></OME>`;

/** Frame index → the plane it was read from, for every frame read. */
async function read(path: string, options: Parameters<typeof readFrames>[1] = {}): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for await (const frame of readFrames(path, options)) out.push([frame.index, frame.data[0] - 100]);
  return out;
}

describe('one channel of a hyperstack', () => {
  test('ImageJ, 2 channels × 3 time points (planes c1t1 c2t1 c1t2 …): each channel its frames, numbered from 0', async () => {
    const path = stackFile(6, imagej('images=6\nchannels=2\nframes=3'));
    assert.deepEqual(await read(path, { channel: 1 }), [[0, 0], [1, 2], [2, 4]]);
    assert.deepEqual(await read(path, { channel: 2 }), [[0, 1], [1, 3], [2, 5]]);
    assert.deepEqual(await read(path, { channel: 2, start: 1 }), [[1, 3], [2, 5]], 'a range counts the channel\'s frames');
    assert.deepEqual(await read(path, { channel: 1, start: 0, end: 3, step: 2 }), [[0, 0], [2, 4]]);
    const stack = selectChannel(openStack(path).stack, 2);
    assert.equal(stack.metadata.frameCount, 3);
    assert.equal(stack.metadata.channel, 2);
    const f: Frame = await stack.readFrame(2);
    assert.equal(f.index, 2);
    assert.equal(f.data[0], 105, 'random access: frame 3 of channel 2 is plane 6');
    await assert.rejects(stack.readFrame(3), (e: unknown) => e instanceof TiffError && e.problem === 'out-of-range');
    stack.close();
  });

  test('without a channel, or with one the stack does not have: an error naming the file and its channels', async () => {
    const path = stackFile(6, imagej('images=6\nchannels=2\nframes=3'));
    await assert.rejects(read(path), (e: unknown) => {
      assert.ok(e instanceof InvalidOptionError, String(e));
      assert.equal(e.option, 'frames.channel');
      assert.equal(e.message, `${path}: an ImageJ hyperstack with 2 channels, their frames interleaved: choose one channel (1 to 2)`);
      return true;
    });
    await assert.rejects(read(path, { channel: 3 }), (e: unknown) => e instanceof InvalidOptionError && e.message === `${path} has channels 1 to 2, not channel 3`);
    const plain = stackFile(3, 'ImageJ=1.54f\nimages=3\nslices=3');
    await assert.rejects(read(plain, { channel: 2 }), (e: unknown) => e instanceof InvalidOptionError && e.message === `${plain} has one channel, not channel 2`);
    assert.deepEqual(await read(plain, { channel: 1 }), [[0, 0], [1, 1], [2, 2]], 'channel 1 of a one-channel stack is the stack');
  });

  test('ImageJ channels without frames= (images=6, channels=3): two frames a channel', async () => {
    const path = stackFile(6, imagej('images=6\nchannels=3'));
    assert.deepEqual(await read(path, { channel: 3 }), [[0, 2], [1, 5]]);
  });

  test('z-slices at several time points are refused, naming them; z-slices alone (how ImageJ saves a time series) are the frames', async () => {
    const path = stackFile(6, imagej('images=6\nslices=3\nframes=2'));
    await assert.rejects(read(path), (e: unknown) => {
      assert.ok(e instanceof TiffError && e.problem === 'unsupported', String(e));
      assert.equal(e.message, `${path}: unsupported: an ImageJ hyperstack of 3 z-slices at each of 2 time points: localization reads a time series of one plane (save one z-slice as its own stack)`);
      return true;
    });
    assert.deepEqual(await read(stackFile(4, 'ImageJ=1.54f\nimages=4\nslices=4')), [[0, 0], [1, 1], [2, 2], [3, 3]]);
    // Two channels of z-slices and no time points: a channel's slices are its frames.
    assert.deepEqual(await read(stackFile(6, imagej('images=6\nchannels=2\nslices=3')), { channel: 2 }), [[0, 1], [1, 3], [2, 5]]);
  });

  test('OME-TIFF: SizeC > 1 needs a channel, in XYCZT (interleaved) and XYTCZ (channel after channel) order', async () => {
    const interleaved = stackFile(6, ome('XYCZT', 2, 1, 3));
    await assert.rejects(read(interleaved), (e: unknown) => e instanceof InvalidOptionError && e.message === `${interleaved}: an OME-TIFF with 2 channels, their frames interleaved: choose one channel (1 to 2)`);
    assert.deepEqual(await read(interleaved, { channel: 2 }), [[0, 1], [1, 3], [2, 5]]);
    const blocks = stackFile(6, ome('XYTCZ', 2, 1, 3));
    assert.deepEqual(await read(blocks, { channel: 1 }), [[0, 0], [1, 1], [2, 2]]);
    assert.deepEqual(await read(blocks, { channel: 2 }), [[0, 3], [1, 4], [2, 5]]);
    const zt = stackFile(6, ome('XYZTC', 1, 2, 3));
    await assert.rejects(read(zt), /an OME-TIFF of 2 z-slices at each of 3 time points/);
  });

  test('follow mode: the channel\'s frames as the writer appends planes', async () => {
    const path = join(dir, `live${fileNumber++}.tif`);
    const all = planes(8);
    const writer = new TiffWriter(path, { width: 4, height: 3, description: imagej('images=8\nchannels=2\nframes=4') });
    writer.append(all[0]);
    writer.append(all[1]);
    const got: [number, number][] = [];
    let written = 2;
    for await (const frame of readFrames(path, { channel: 2, follow: true, pollIntervalMs: 5, idleTimeoutMs: 300 })) {
      got.push([frame.index, frame.data[0] - 100]);
      // After each frame of channel 2, the next time point's two planes.
      if (written < all.length) {
        writer.append(all[written++]);
        writer.append(all[written++]);
      }
    }
    writer.close();
    assert.deepEqual(got, [[0, 1], [1, 3], [2, 5], [3, 7]]);
  });

  test('localize() on a path: refused without a channel; with one, a batch per time point, numbered from 1', async () => {
    const path = join(dir, `big${fileNumber++}.tif`);
    const flat = (p: number) => Array.from({ length: 16 * 16 }, () => 100 + p);
    writeFileSync(path, buildTiff([0, 1, 2, 3, 4, 5].map(flat), { width: 16, height: 16, sampleType: 'uint16', description: imagej('images=6\nchannels=2\nframes=3') }));
    const options = { camera: { pixelSizeNm: 100 } };
    await assert.rejects(lastValueFrom(localize(path, options)), (e: unknown) => e instanceof InvalidOptionError && e.option === 'frames.channel');
    const batches = await lastValueFrom(localize(path, { ...options, frames: { channel: 2 } }).pipe(toArray()));
    assert.deepEqual(batches.map((b) => b.frame), [1, 2, 3]);
  });
});
