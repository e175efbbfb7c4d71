import { closeSync, openSync, writeSync } from 'node:fs';
import { TiffWriter, writeTiff } from '../io/TiffWriter.js';
import { DRIFT_CSV_HEADER, driftPath } from '../post/driftPath.js';
import type { SimulateStackOptions } from './simulateStack.js';
import { resolveSimulateStackOptions, sensorMaps, simulateStack, TRUTH_CSV_HEADER, TRUTH_CSV_HEADER_3D, truthCsvLines } from './simulateStack.js';

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
 * The calibration maps written next to a simulated sCMOS stack: `NAME.offset.tif` (ADU),
 * `NAME.variance.tif` (ADU²), `NAME.gain.tif` (ADU per e⁻).
 * @param path - the stack
 */
export function mapPaths(path: string): { offset: string; variance: string; gain: string } {
  const stem = path.replace(/\.tiff?$/i, '');
  return { offset: `${stem}.offset.tif`, variance: `${stem}.variance.tif`, gain: `${stem}.gain.tif` };
}

/**
 * Simulate a stack ({@link simulateStack}) and stream it to `path` (ImageJ TIFF with the pixel
 * size) and its truth to `truthPath` (CSV: frame, x [nm], y [nm], photons, background,
 * emitter); with an sCMOS sensor, its calibration maps too (float32 TIFFs, {@link mapPaths});
 * with drift, the true trajectory (`NAME.truth.drift.csv`).
 * @returns the number of frames and of true emitter-frames written, and the maps' paths
 */
export function writeSimulation(path: string, truthPath: string, options: WriteSimulationOptions = {}): { frames: number; emitters: number; maps?: ReturnType<typeof mapPaths>; drift?: string } {
  const o = resolveSimulateStackOptions(options);
  let maps: ReturnType<typeof mapPaths> | undefined;
  if (o.sensor === 'scmos') {
    maps = mapPaths(path);
    const sensor = sensorMaps(o);
    const write = (file: string, values: Float32Array) => writeTiff(file, [values], { width: o.width, height: o.height, sampleType: 'float32', pixelSizeNm: o.pixelSizeNm });
    write(maps.offset, sensor.offsetAdu);
    write(maps.variance, sensor.varianceAdu2);
    write(maps.gain, sensor.gainAduPerElectron);
  }
  const writer = new TiffWriter(path, {
    width: o.width,
    height: o.height,
    sampleType: options.sampleType ?? 'uint16',
    bigTiff: options.bigTiff ?? false,
    pixelSizeNm: o.pixelSizeNm,
    frameCount: o.frames,
  });
  const truth = openSync(truthPath, 'w');
  const drift = o.drift ? openSync(driftPath(truthPath), 'w') : undefined;
  let emitters = 0;
  try {
    writeSync(truth, `${o.astigmatism ? TRUTH_CSV_HEADER_3D : TRUTH_CSV_HEADER}\n`);
    if (drift !== undefined) writeSync(drift, `${DRIFT_CSV_HEADER}\n`);
    for (const frame of simulateStack(o)) {
      writer.append(frame.adu);
      emitters += frame.truth.x.length;
      const lines = truthCsvLines(frame.truth);
      if (lines) writeSync(truth, lines);
      if (drift !== undefined) writeSync(drift, `${frame.truth.frame},${frame.truth.driftX.toFixed(3)},${frame.truth.driftY.toFixed(3)}\n`);
      options.onFrame?.(frame.index, frame.truth.x.length);
    }
  } finally {
    writer.close();
    closeSync(truth);
    if (drift !== undefined) closeSync(drift);
  }
  return { frames: o.frames, emitters, maps, drift: o.drift ? driftPath(truthPath) : undefined };
}
