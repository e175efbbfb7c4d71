import { closeSync, openSync, writeSync } from 'node:fs';
import { TiffWriter } from '../io/TiffWriter.js';
import type { SimulateStackOptions } from './simulateStack.js';
import { resolveSimulateStackOptions, simulateStack, TRUTH_CSV_HEADER, truthCsvLines } from './simulateStack.js';

/** Where and how to write a simulation. */
export interface WriteSimulationOptions extends SimulateStackOptions {
  /** Sample type of the stack. @default 'uint16' */
  sampleType?: 'uint16' | 'float32';
  /** Write BigTIFF. @default false */
  bigTiff?: boolean;
  /** Called after each frame is written, with its 0-based index and its number of emitters. */
  onFrame?: (index: number, emitters: number) => void;
}

/**
 * Simulate a stack ({@link simulateStack}) and stream it to `path` (ImageJ TIFF with the pixel
 * size) and its truth to `truthPath` (CSV: frame, x [nm], y [nm], photons, background).
 * @returns the number of frames and of true emitter-frames written
 */
export function writeSimulation(path: string, truthPath: string, options: WriteSimulationOptions = {}): { frames: number; emitters: number } {
  const o = resolveSimulateStackOptions(options);
  const writer = new TiffWriter(path, {
    width: o.width,
    height: o.height,
    sampleType: options.sampleType ?? 'uint16',
    bigTiff: options.bigTiff ?? false,
    pixelSizeNm: o.pixelSizeNm,
    frameCount: o.frames,
  });
  const truth = openSync(truthPath, 'w');
  let emitters = 0;
  try {
    writeSync(truth, `${TRUTH_CSV_HEADER}\n`);
    for (const frame of simulateStack(o)) {
      writer.append(frame.adu);
      emitters += frame.truth.x.length;
      const lines = truthCsvLines(frame.truth);
      if (lines) writeSync(truth, lines);
      options.onFrame?.(frame.index, frame.truth.x.length);
    }
  } finally {
    writer.close();
    closeSync(truth);
  }
  return { frames: o.frames, emitters };
}
