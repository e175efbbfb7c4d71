/**
 * Reading benchmark (issue 3): frames/s reading a 256×256 uint16 uncompressed stack from the
 * page cache through the fast path (one positional read per frame), and the same through
 * geotiff's readRasters for comparison.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import type { Bench } from 'tinybench';
import { TiffStack } from '../../src/io/TiffStack.js';
import { TiffWriter } from '../../src/io/TiffWriter.js';
import type { CaseInfo } from './fitBench.js';

/**
 * Write a stack of `frames` 256×256 uint16 frames of noise-like values.
 * @returns its path
 */
export function writeBenchStack(path: string, frames: number, width = 256, height = 256): string {
  const writer = new TiffWriter(path, { width, height, frameCount: frames });
  const pixels = new Uint16Array(width * height);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = 100 + ((i * 2654435761 + f * 40503) >>> 20) % 400;
    writer.append(pixels);
  }
  writer.close();
  return path;
}

/** Register the reading cases; returns the cleanup for their temporary folder. */
export function addIoCases(bench: Bench, info: Map<string, CaseInfo>, quick: boolean): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'smlm-bench-io-'));
  const frames = quick ? 200 : 2000;
  const path = writeBenchStack(join(dir, 'stack.tif'), frames);
  const fast = `read 256×256 uint16, ${frames} frames: TiffStack fast path`;
  info.set(fast, { fitsPerOp: frames, unit: 'frames/s' });
  bench.add(fast, async () => {
    const stack = TiffStack.open(path);
    let sum = 0;
    for await (const frame of stack.frames()) sum += frame.data[0];
    stack.close();
    if (sum < 0) throw new Error('unreachable');
  });
  const geoFrames = Math.min(frames, 100);
  const geo = `read 256×256 uint16, ${geoFrames} frames: geotiff readRasters`;
  info.set(geo, { fitsPerOp: geoFrames, unit: 'frames/s', baselineFor: fast });
  bench.add(geo, async () => {
    const tiff = await fromFile(path);
    for (let k = 0; k < geoFrames; k++) await (await tiff.getImage(k)).readRasters();
    await tiff.close();
  });
  return () => rmSync(dir, { recursive: true, force: true });
}
