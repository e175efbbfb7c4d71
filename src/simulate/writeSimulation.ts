import { splineCalibrationRecord } from '../astig/SplineCalibration.js';
import { AtomicFile } from '../io/AtomicFile.js';
import { TiffWriter, writeTiff } from '../io/TiffWriter.js';
import { DRIFT_CSV_HEADER, driftPath } from '../table/driftPath.js';
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
 * The simulation's settings written next to its truth as `NAME.truth.json` (`NAME.truth.csv`'s
 * name with `.json`): the camera (what a stack of an unknown camera hides), the cell background,
 * and every other resolved option.
 * @param truthPath - the truth CSV's path
 */
export function settingsPath(truthPath: string): string {
  return truthPath.replace(/\.csv$/i, '') + '.json';
}

/**
 * The simulation's settings as the JSON of {@link settingsPath}: `camera` (preset, offset ADU,
 * photons per ADU, read noise ADU, EM gain, sensor), `cellBackground` (or null), and `options`
 * (a spline PSF as its record, without its coefficients).
 * @param o - resolved simulation options
 */
export function simulationSettings(o: ReturnType<typeof resolveSimulateStackOptions>): string {
  const { onEmitters: _onEmitters, spline, ...rest } = o;
  // A spline's coefficients (millions of numbers) stay in its file: the record names it and its shape.
  const options = spline ? { ...rest, spline: splineCalibrationRecord(spline) } : rest;
  const camera = { preset: o.cameraPreset ?? null, baselineAdu: o.baselineAdu, photonsPerAdu: o.photonsPerAdu, readNoiseAdu: o.readNoiseAdu, emGain: o.emGain, sensor: o.sensor };
  return `${JSON.stringify({ camera, cellBackground: o.cellBackground ?? null, options }, null, 2)}\n`;
}

/**
 * Simulate a stack ({@link simulateStack}) and stream it to `path` (ImageJ TIFF with the pixel
 * size) and its truth to `truthPath` (CSV: frame, x [nm], y [nm], photons, background,
 * emitter); with an sCMOS sensor, its calibration maps too (float32 TIFFs, {@link mapPaths});
 * with drift, the true trajectory (`NAME.truth.drift.csv`); and the settings, camera included
 * ({@link settingsPath}: `NAME.truth.json`). The files appear together when the
 * last frame is written (each as an {@link AtomicFile}, `NAME.tmp` until then).
 * @returns the number of frames and of true emitter-frames written, and the maps' paths
 * @throws FileWriteError naming the file a write failed on (none of the files is then left)
 */
export function writeSimulation(path: string, truthPath: string, options: WriteSimulationOptions = {}): { frames: number; emitters: number; maps?: ReturnType<typeof mapPaths>; drift?: string; settings: string } {
  const o = resolveSimulateStackOptions(options);
  // Every file under a temporary name, all renamed once the last frame is written: a failure
  // (a full disk) leaves none of them, and no earlier file of those names replaced.
  const files: AtomicFile[] = [];
  const create = (file: string) => {
    const created = new AtomicFile(file);
    files.push(created);
    return created;
  };
  let maps: ReturnType<typeof mapPaths> | undefined;
  let emitters = 0;
  try {
    if (o.sensor === 'scmos') {
      maps = mapPaths(path);
      const sensor = sensorMaps(o);
      const write = (file: string, values: Float32Array) => writeTiff(create(file), [values], { width: o.width, height: o.height, sampleType: 'float32', pixelSizeNm: o.pixelSizeNm });
      write(maps.offset, sensor.offsetAdu);
      write(maps.variance, sensor.varianceAdu2);
      write(maps.gain, sensor.gainAduPerElectron);
    }
    const writer = new TiffWriter(create(path), {
      width: o.width,
      height: o.height,
      sampleType: options.sampleType ?? 'uint16',
      bigTiff: options.bigTiff ?? false,
      pixelSizeNm: o.pixelSizeNm,
      frameCount: o.frames,
    });
    const truth = create(truthPath);
    create(settingsPath(truthPath)).append(simulationSettings(o));
    const drift = o.drift ? create(driftPath(truthPath)) : undefined;
    truth.append(`${o.astigmatism ? TRUTH_CSV_HEADER_3D : TRUTH_CSV_HEADER}\n`);
    drift?.append(`${DRIFT_CSV_HEADER}\n`);
    for (const frame of simulateStack(o)) {
      writer.append(frame.adu);
      emitters += frame.truth.x.length;
      const lines = truthCsvLines(frame.truth);
      if (lines) truth.append(lines);
      drift?.append(`${frame.truth.frame},${frame.truth.driftX.toFixed(3)},${frame.truth.driftY.toFixed(3)}\n`);
      options.onFrame?.(frame.index, frame.truth.x.length);
    }
    writer.close();
    AtomicFile.commitAll(files);
  } catch (error) {
    AtomicFile.abandonAll(files);
    throw error;
  }
  return { frames: o.frames, emitters, maps, drift: o.drift ? driftPath(truthPath) : undefined, settings: settingsPath(truthPath) };
}
