import { CAMERA_CALIBRATION_DEFAULTS, calibrateCameraMaps, checkCalibrationFrames } from '../camera/calibrateCameraMaps.js';
import type { CameraCalibration } from '../camera/calibrateCameraMaps.js';
import { resolveCamera, saturationLevel } from '../camera/CameraModel.js';
import { PIXEL_MOMENTS_DEFAULTS, PixelMoments } from '../camera/PixelMoments.js';
import type { PixelStatistics } from '../camera/PixelMoments.js';
import { InputFileError } from '../errors/InputFileError.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { RUN_RECORD } from '../export/checkRecordPath.js';
import { temporaryPath } from '../export/writeFileAtomically.js';
import { writeSidecar } from '../export/writeSidecar.js';
import { AtomicFile } from '../io/AtomicFile.js';
import { FrameBufferPool } from '../io/FrameBufferPool.js';
import { openStack } from '../io/openStack.js';
import type { FrameStack } from '../io/TiffStack.js';
import { writeTiff } from '../io/TiffWriter.js';
import { softwareVersion } from '../softwareVersion.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

/** The files `calibrate-camera` writes for an output prefix. */
export function calibrationPaths(prefix: string): { offset: string; variance: string; gain: string; record: string } {
  return { offset: `${prefix}.offset.tif`, variance: `${prefix}.variance.tif`, gain: `${prefix}.gain.tif`, record: `${prefix}.camera.json` };
}

export const CALIBRATE_CAMERA_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'PREFIX', help: 'write PREFIX.offset.tif (ADU), PREFIX.variance.tif (ADU²), PREFIX.gain.tif (ADU per e⁻, with flats) and the record PREFIX.camera.json', default: 'the dark stack\'s name without .tif' },
  ]],
  ['The stacks', [
    { name: 'flat', value: 'FILE', multiple: true, help: 'a flat stack: the sensor evenly lit, no sample; repeat the flag for each intensity (two or more, 2× apart or more)' },
    { name: 'saturation', value: 'ADU', help: 'samples at or above this are saturated (a stack with saturated pixels is refused)', default: "the sample type's largest value, 65535 for 16 bits", option: 'camera.saturationAdu' },
    { name: 'photons-per-adu', value: 'E', help: 'photoelectrons per A/D count, when known without flats: the read noise is then also said in e⁻ (not written as a map)', option: 'photonsPerAdu' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = CALIBRATE_CAMERA_FLAGS;

export const help = `smlm-stream calibrate-camera DARK.tif [--flat FLAT.tif]... [-o PREFIX]

Calibrates an sCMOS camera pixel by pixel, as localize's --offset-map, --variance-map and --gain-map take it.
From a dark stack (the camera shut, the exposure of the experiment, ${CAMERA_CALIBRATION_DEFAULTS.minFrames} frames at least, 1000 or
more for a good map): each pixel's offset (its mean, ADU) and read-noise variance (ADU²). From flat stacks
(the sensor evenly lit at different intensities, as many frames): each pixel's gain by photon transfer,
the slope of its variance above the dark's against its mean above the offset (ADU per e⁻). Without flats
only the offset and variance maps are written: localize then estimates the gain from the stack's own
noise (--camera auto, on the frames less the offset map), or takes it from --photons-per-adu.
Rare events (a cosmic ray, a hot event in one frame) are left out of each pixel's statistics: of its
${PIXEL_MOMENTS_DEFAULTS.outlierSamples} highest samples, those ${PIXEL_MOMENTS_DEFAULTS.outlierThreshold} standard deviations above its others. The frames stream through (memory
grows with the sensor's size, not the number of frames).

The summary gives the frames used, the median offset, the read noise (median and 99th percentile, in e⁻
when the gain is known), the hot pixels (read noise above ${CAMERA_CALIBRATION_DEFAULTS.hotNoiseFactor}× the median), and the gain's median and its
spread over the pixels, with the part the estimate's own noise explains; PREFIX.camera.json records
them. Refused, naming the file: fewer than ${CAMERA_CALIBRATION_DEFAULTS.minFrames} frames, saturated pixels, frames of different
sizes, a dark stack with light in it (neighbouring pixels that fluctuate together: spots; brighter pixels
that are noisier: uneven light), a flat without light, flats of one intensity.

${CALIBRATE_CAMERA_FLAGS.help()}`;

export const optionFlags = CALIBRATE_CAMERA_FLAGS.optionFlags;
export const valueFlags = CALIBRATE_CAMERA_FLAGS.valueFlags;

/**
 * `smlm-stream calibrate-camera`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, text, list } = CALIBRATE_CAMERA_FLAGS.parse(argv);
  if (positionals.length === 0) throw new UsageError('calibrate-camera needs a dark stack: smlm-stream calibrate-camera DARK.tif [--flat FLAT.tif]... [-o PREFIX]');
  if (positionals.length > 1) throw new UsageError(`calibrate-camera takes one dark stack, got ${positionals.length} files (${positionals.join(', ')}): give each flat stack with its own --flat`);
  const darkPath = positionals[0];
  const flatPaths = list('flat');
  const prefix = text('output') ?? darkPath.replace(/\.ome\.tiff?$|\.tiff?$/i, '');
  const saturation = text('saturation') === undefined ? undefined : parseNumber(text('saturation'), '--saturation');
  const photonsPerAdu = text('photons-per-adu') === undefined ? undefined : parseNumber(text('photons-per-adu'), '--photons-per-adu');
  if (photonsPerAdu !== undefined && !(photonsPerAdu > 0)) throw new UsageError(`--photons-per-adu must be > 0, got ${photonsPerAdu}`);
  const t0 = performance.now();
  const started = new Date().toISOString();
  const stacks: { path: string; stack: FrameStack }[] = [];
  try {
    for (const path of [darkPath, ...flatPaths]) stacks.push({ path, stack: openStack(path).stack });
    const [dark, ...flats] = stacks;
    const { width, height, sampleType } = dark.stack.metadata;
    for (const s of flats) {
      const m = s.stack.metadata;
      if (m.width !== width || m.height !== height) throw new InputFileError(`${s.path}: frames of ${m.width}×${m.height} px, where the dark stack ${darkPath} has ${width}×${height} px: the flats and the dark stack must be of one sensor area`);
    }
    // Too few frames is said before any frame is read.
    stacks.forEach((s, i) => {
      if (s.stack.metadata.complete) checkCalibrationFrames(s.path, s.stack.metadata.frameCount, i === 0 ? 'dark stack' : 'flat stack');
    });
    const paths = calibrationPaths(prefix);
    const outputs = [
      { path: paths.offset, role: 'the offset map' },
      { path: paths.variance, role: 'the variance map' },
      ...(flats.length > 0 ? [{ path: paths.gain, role: 'the gain map' }] : []),
    ];
    checkOutputPaths(
      stacks.flatMap((s, i) => (s.stack.metadata.series?.files ?? [s.stack.metadata.path]).map((path) => ({ path, role: i === 0 ? 'the dark stack' : 'a flat stack' }))),
      [
        ...outputs,
        ...outputs.map((o) => ({ path: AtomicFile.temporaryPath(o.path), role: `${o.role}'s temporary file` })),
        { path: paths.record, role: 'the record', record: RUN_RECORD },
        { path: temporaryPath(paths.record), role: "the record's temporary file" },
      ],
    );
    // The camera's saturation: the flag, else the largest value of the sample type (the base
    // level plays no part here, so 0 stands for it).
    const top = saturationLevel(resolveCamera({ pixelSizeNm: 1, baselineAdu: 0, saturationAdu: saturation }), sampleType);
    const floor = sampleType.startsWith('uint') ? 0 : undefined;
    const statistics: PixelStatistics[] = [];
    for (const [i, s] of stacks.entries()) statistics.push(await readStatistics(s.path, s.stack, width, height, { saturationAdu: Number.isFinite(top) ? top : undefined, floorAdu: floor, neighbours: i === 0 }));
    const [darkStats, ...flatStats] = statistics;
    const calibration = calibrateCameraMaps(darkStats, flatStats, { photonsPerAdu });
    writeMaps(calibration, paths, dark.stack.metadata.pixelSizeNm);
    const seconds = (performance.now() - t0) / 1000;
    writeSidecar(paths.record, {
      software: { name: 'smlm-stream', version: softwareVersion() },
      step: 'calibrate-camera',
      input: { dark: darkPath, flats: flatPaths },
      output: { offset: paths.offset, variance: paths.variance, ...(calibration.gainAduPerElectron ? { gain: paths.gain } : {}) },
      parameters: { ...CAMERA_CALIBRATION_DEFAULTS, ...PIXEL_MOMENTS_DEFAULTS, saturationAdu: Number.isFinite(top) ? top : null, photonsPerAdu: photonsPerAdu ?? null },
      results: calibration.summary,
      warnings: calibration.warnings,
      started,
      seconds,
      finished: new Date().toISOString(),
    });
    for (const w of calibration.warnings) process.stderr.write(`smlm-stream: warning: ${w}\n`);
    printSummary(calibration, paths, out, seconds, photonsPerAdu);
    return EXIT.ok;
  } finally {
    for (const s of stacks) s.stack.close();
  }
}

/** Stream a stack's frames into per-pixel statistics. */
async function readStatistics(path: string, stack: FrameStack, width: number, height: number, options: { saturationAdu?: number; floorAdu?: number; neighbours: boolean }): Promise<PixelStatistics> {
  const moments = new PixelMoments(width, height, { source: path, ...options });
  const pool = new FrameBufferPool(2);
  for await (const frame of stack.frames({ buffers: pool })) {
    if (frame.width !== width || frame.height !== height) throw new InputFileError(`${path}: frame ${frame.index + 1} is ${frame.width}×${frame.height} px where the dark stack's frames are ${width}×${height} px`);
    moments.add(frame.data);
    pool.give(frame.data.buffer as ArrayBuffer);
  }
  checkCalibrationFrames(path, moments.frames, options.neighbours ? 'dark stack' : 'flat stack');
  return moments.finish();
}

/** Write the maps (float32 TIFFs), all or none. */
function writeMaps(calibration: CameraCalibration, paths: ReturnType<typeof calibrationPaths>, pixelSizeNm: number | undefined): void {
  const files: AtomicFile[] = [];
  const { width, height } = calibration;
  const write = (path: string, values: Float32Array) => {
    const file = new AtomicFile(path);
    files.push(file);
    writeTiff(file, [values], { width, height, sampleType: 'float32', ...(pixelSizeNm === undefined ? {} : { pixelSizeNm }) });
  };
  try {
    write(paths.offset, calibration.offsetAdu);
    write(paths.variance, calibration.varianceAdu2);
    if (calibration.gainAduPerElectron) write(paths.gain, calibration.gainAduPerElectron);
    AtomicFile.commitAll(files);
  } catch (error) {
    AtomicFile.abandonAll(files);
    throw error;
  }
}

/** The summary a person reads. */
function printSummary(calibration: CameraCalibration, paths: ReturnType<typeof calibrationPaths>, out: (line: string) => void, seconds: number, photonsPerAdu: number | undefined): void {
  const s = calibration.summary;
  const gainMap = calibration.gainAduPerElectron !== undefined;
  const written = [paths.offset, paths.variance, ...(gainMap ? [paths.gain] : [])];
  const percent = (v: number) => `${(100 * v).toFixed(1)} %`;
  out(`smlm-stream calibrate-camera: ${s.dark.source}${s.flats.length ? ` + ${s.flats.length} flat${s.flats.length > 1 ? 's' : ''}` : ''} → ${written.join(', ')} (record ${paths.record})`);
  const events = s.dark.outlierSamples ? `; ${s.dark.outlierSamples} rare events (cosmic rays) left out, in ${s.dark.outlierPixels} pixels` : '';
  out(`  dark stack          ${s.dark.frames} frames of ${s.width}×${s.height} px${events}`);
  out(`  offset              median ${s.offsetMedianAdu.toFixed(1)} ADU, spread ${s.offsetSpreadAdu.toFixed(2)} ADU over the pixels; each pixel's to ±${s.offsetStandardErrorAdu.toFixed(2)} ADU (1 SE)`);
  const e = s.readNoiseElectrons;
  const adu = `${s.readNoiseAdu.median.toFixed(2)} ADU, 99th percentile ${s.readNoiseAdu.p99.toFixed(2)} ADU`;
  const from = e?.gainFrom === 'flats' ? 'the gain map' : '--photons-per-adu';
  out(`  read noise          ${e ? `median ${e.median.toFixed(2)} e⁻, 99th percentile ${e.p99.toFixed(2)} e⁻ (by ${from}; ${adu})` : `median ${adu}`}; each pixel's variance to ±${percent(s.varianceRelativeError)}`);
  out(`  hot pixels          ${s.hotPixels.count} (${percent(s.hotPixels.fraction)}): read noise above ${s.hotPixels.thresholdAdu.toFixed(2)} ADU (${s.hotPixels.factor}× the median)`);
  for (const [i, f] of s.flats.entries()) {
    out(`  ${i === 0 ? 'flats               ' : '                    '}${f.source}: ${f.frames} frames, ${f.signalMedianAdu.toFixed(0)} ADU above the offset, gain ${f.gainMedianAduPerElectron.toFixed(3)} ADU per e⁻${f.lightFlicker >= 0.001 ? `; its light flickers by ${percent(f.lightFlicker)} rms (taken out)` : ''}`);
  }
  const g = s.gain;
  if (g) {
    out(`  gain                median ${g.medianAduPerElectron.toFixed(3)} ADU per e⁻ (${g.photonsPerAdu.toFixed(3)} photoelectrons per ADU); spread ${percent(g.spread)} over the pixels: ${percent(g.estimationSpread)} the estimate's noise, ${percent(g.sensorSpread)} the sensor's`);
    if (g.replacedPixels > 0) out(`                      ${g.replacedPixels} pixels (hot ones: their read noise hides the flats' photon noise) have the median gain: theirs was known to no better than ±${percent(g.replacedAboveError)}`);
  } else {
    out(`  gain                not measured (no --flat): offset and variance maps only; localize estimates the gain from the stack's noise, or give it with --photons-per-adu`);
  }
  out(`  use                 smlm-stream localize STACK.tif --offset-map ${paths.offset} --variance-map ${paths.variance}${gainMap ? ` --gain-map ${paths.gain}` : photonsPerAdu !== undefined ? ` --photons-per-adu ${photonsPerAdu}` : ''}${gainMap || photonsPerAdu !== undefined ? '' : '   (the gain estimated from the stack)'}`);
  out(`  time                ${seconds.toFixed(1)} s`);
}
