import { PERSISTENCE_FRAMES, PERSISTENT_WARNING } from '../detect/PersistentSpots.js';
import { BACKGROUND_DEFAULTS, parseBackground } from '../pipeline/BackgroundOptions.js';
import { readCalibrationFile } from '../export/readCalibrationFile.js';
import { SPLINE_CALIBRATION_DEFAULTS } from '../astig/SplineCalibration.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import { basename, dirname, extname, join } from 'node:path';
import type { LocalizeStackSummary } from '../../pipelines/LocalizeStackRun.js';
import { localizeStack } from '../../pipelines/localizeStack.js';
import type { LocalizeOptions } from '../pipeline/LocalizeOptions.js';
import { PREVIEW_DEFAULTS } from '../../pipelines/LocalizeStackRun.js';
import type { CameraMaps } from '../camera/CameraModel.js';
import type { NamedPath } from '../export/checkOutputPaths.js';
import { CAMERA_DEFAULTS } from '../camera/CameraModel.js';
import { CAMERA_MAP_DEFAULTS, readCameraMaps } from '../camera/readCameraMaps.js';
import type { FilterKind } from '../detect/FilterKernel.js';
import type { DetectEngine } from '../detect/DetectOptions.js';
import type { NoiseSource } from '../detect/detectionNoise.js';
import { DETECT_DEFAULTS } from '../detect/DetectOptions.js';
import type { FitEngine, FitSolver } from '../fit/FitOptions.js';
import { FIT_DEFAULTS } from '../fit/FitOptions.js';
import { FitStatus } from '../fit/FitStatus.js';
import { MIN_DEFAULT_BOX_PX } from '../patches/extractPatches.js';
import { PSF_SIGMA_ESTIMATE } from '../fit/estimatePsfSigma.js';
import { MAX_BOX_PX, SPLINE_EDGE_START_PX, SPLINE_Z_SCAN_FITS, SPLINE_Z_SCAN_STARTS } from '../fit/fitConstants.js';
import { MULTI_EMITTER_DEFAULTS } from '../fit/EmitterSelector.js';
import { FOLLOW_DEFAULTS } from '../io/TiffStack.js';
import type { FrameSourceOptions } from '../io/framesFromTiff.js';
import { LOCALIZE_DEFAULTS } from '../pipeline/LocalizeOptions.js';
import type { CameraSource } from '../pipeline/LocalizeOptions.js';
import { PSF_SIGMA_TOLERANCE, psfSigmaMethodText, SETTINGS_FRAMES, SETTINGS_PIXELS } from '../../pipelines/estimateRunSettings.js';
import { CHUNKS_PER_WORKER } from '../pipeline/localizeStream.js';
import { describeError, EXIT, signalExit } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import type { Flag } from './FlagTable.js';
import { MERGE_OPTION_FLAGS, mergeOptionsFrom } from './mergeFlags.js';
import { printable } from '../errors/printable.js';
import { formatPercent } from './formatPercent.js';
import { parseNumber } from './parseNumber.js';
import { formatDuration, ProgressReporter } from './ProgressReporter.js';
import { QUEUE_ENV, QUEUE_FROM_ENV, queueUrlFrom } from './queueUrlFrom.js';
import { UsageError } from './UsageError.js';
import { defaultReportPath, writeReport } from './reportCommand.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { RUN_RECORD } from '../export/checkRecordPath.js';
import { sidecarPath } from '../export/writeSidecar.js';
import { temporaryPath } from '../export/writeFileAtomically.js';

/** The localize command's flags, with the library's defaults. */
/** The camera's conversion of ADU to photons: every command that reads a stack takes these. */
export const CAMERA_CONVERSION_FLAGS: readonly Flag[] = [
  { name: 'pixel-size', value: 'NM', help: 'pixel size in the sample, nm', default: "from the file's metadata", option: 'camera.pixelSizeNm' },
  { name: 'baseline', value: 'ADU', help: 'base level (offset), ADU', default: String(CAMERA_DEFAULTS.baselineAdu), option: 'camera.baselineAdu' },
  { name: 'photons-per-adu', value: 'E', help: 'photoelectrons per A/D count', default: String(CAMERA_DEFAULTS.photonsPerAdu), option: 'camera.photonsPerAdu' },
  { name: 'em-gain', value: 'G', help: 'EM gain, 1 without EM', default: String(CAMERA_DEFAULTS.emGain), option: 'camera.emGain' },
  { name: 'qe', value: 'Q', help: 'quantum efficiency', default: String(CAMERA_DEFAULTS.qe), option: 'camera.qe' },
];

/** The camera flags whose value --camera auto estimates when they are not given. */
const ESTIMATED_FLAGS = new Set(['baseline', 'photons-per-adu']);

export const LOCALIZE_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: 'CSV to write; the sidecar is FILE with .json', default: 'STACK.csv next to the stack (its first file)' },
    { name: 'all-fits', help: 'also write fits that did not converge (see the status column)' },
    { name: 'report', value: 'FILE.html', help: "at the end, write the run's report (smlm-stream report: one self-contained HTML page); --report alone, or followed by an argument not ending in .html, names it after the CSV", default: 'FILE with .report.html' },
    { name: 'merge', help: 'also write FILE with .merged.csv: the blinks of each molecule merged into one row as the run goes (as smlm-stream merge)' },
  ]],
  ['Merging, with --merge (ThunderSTORM\'s rules and defaults)', MERGE_OPTION_FLAGS],
  ['Camera (ThunderSTORM\'s names)', [
    { name: 'camera', value: 'auto|given', help: `auto: base level, gain and read noise estimated from the first frames, up to ${(SETTINGS_PIXELS / 1e6).toFixed(1)} Mpx (${SETTINGS_PIXELS / 4096} frames of 64×64 px) (the settings given kept; with an EM gain not given, an effective gain: photon counts per F²); given: the settings given and the defaults, checked against the same estimate`, default: 'auto, unless --baseline, --photons-per-adu or --gain-map is given (offset and variance maps without a gain map: the gain estimated)', option: 'cameraSource' },
    // localize estimates what is not given (--camera auto): the defaults are --camera given's.
    ...CAMERA_CONVERSION_FLAGS.map((f) => (ESTIMATED_FLAGS.has(f.name) ? { ...f, default: `estimated; ${f.default} with --camera given` } : f)),
    { name: 'saturation', value: 'ADU', help: `pixels at or above this are saturated; spots on them get status ${FitStatus.saturated}`, default: "the sample type's largest value, 65535 for 16 bits", option: 'camera.saturationAdu' },
    { name: 'read-noise', value: 'E', help: 'read noise at the readout, e⁻ rms (an EMCCD\'s before its EM gain is divided out)', default: `estimated; ${CAMERA_DEFAULTS.readNoiseElectrons} with --camera given`, option: 'camera.readNoiseElectrons' },
    { name: 'offset-map', value: 'FILE', help: 'per-pixel offset, ADU: a 2-D TIFF of the sensor (replaces --baseline)', option: 'camera.maps.offsetAdu' },
    { name: 'variance-map', value: 'FILE', help: 'per-pixel read-noise variance, ADU² (replaces --read-noise)', option: 'camera.maps.varianceAdu2' },
    { name: 'gain-map', value: 'FILE', help: 'per-pixel gain, ADU per e⁻ (replaces --photons-per-adu, its inverse)', option: 'camera.maps.gainAduPerElectron' },
    { name: 'map-origin', value: 'X,Y', help: 'map pixel of the stack\'s top-left pixel, for stacks cropped from the sensor', default: CAMERA_MAP_DEFAULTS.origin.join(','), option: 'camera.maps.origin' },
  ]],
  ['PSF and detection', [
    { name: 'psf-sigma', value: 'NM|auto', help: `PSF standard deviation, nm; auto: the median of free-σ fits of bright isolated spots of up to the first ${SETTINGS_FRAMES} frames; where their σ̂ spread more than ${PSF_SIGMA_ESTIMATE.maxRelativeUncertainty * 100} % (blends of crowded frames), σ from the power spectrum of those frames' differences when narrower, and from the spectrum alone when no spot is isolated (${LOCALIZE_DEFAULTS.psfSigmaNm} nm when neither gives one) (docs/guides/crowded-spots.md); the summary and the run record say which; a given σ more than ${PSF_SIGMA_TOLERANCE * 100} % from that is warned about`, default: 'auto (2-D)', option: 'psfSigmaNm' },
    { name: 'filter', value: 'F', help: "spot filter: thunderstorm (ThunderSTORM's wavelet filter, 5 taps) or bspline7 (7 taps, mirrored borders)", default: DETECT_DEFAULTS.filter, option: 'detect.filter' },
    { name: 'threshold', value: 'K', help: 'detection threshold, K × std(Wave.F1)', default: String(DETECT_DEFAULTS.threshold), option: 'detect.threshold' },
    { name: 'min-distance', value: 'PX', help: 'the weaker of two candidates closer than this is dropped, px', default: String(DETECT_DEFAULTS.minDistancePx), option: 'detect.minDistancePx' },
    { name: 'detect-noise', value: 'S', help: "where std(Wave.F1) of the threshold comes from: camera (the camera model at each part of the frame's background level; spots do not raise it), data (the MAD of F1 on pixels without spots), or auto (camera: every run has one, given or estimated)", default: DETECT_DEFAULTS.noiseSource, option: 'detect.noiseSource' },
    { name: 'noise-samples', value: 'N', help: "pixels sampled for each frame's noise estimate (--detect-noise data)", default: String(DETECT_DEFAULTS.noiseSamples), option: 'detect.noiseSamples' },
    { name: 'detect-engine', value: 'E', help: 'wasm (f32 SIMD kernel) or js (f64 reference)', default: DETECT_DEFAULTS.engine, option: 'detect.engine' },
  ]],
  ['Background', [
    {
      name: 'background',
      value: 'B',
      help: `auto, none, or temporal-median[:FRAMES]. auto: the first ${PERSISTENCE_FRAMES} frames are looked at before the run, and when ${PERSISTENT_WARNING} or more places keep a spot through them (a cell's vesicles), the temporal median is used (said in a notice and recorded in the sidecar), else none (in --follow, only the frames there at the start are looked at). temporal-median: each pixel's median over FRAMES frames (odd) centred on the frame, the known background of detection and of every fit (cells: structured, bleaching backgrounds; see docs/guides/backgrounds.md). A frame comes out half a window plus (FRAMES − 1)/${BACKGROUND_DEFAULTS.anchorsPerWindow} frames later (in --follow, the last ones when the stack stops growing); FRAMES frames are held in memory`,
      default: `${BACKGROUND_DEFAULTS.method} (temporal-median's window: ${BACKGROUND_DEFAULTS.windowFrames})`,
      option: 'background',
    },
  ]],
  ['Fit', [
    { name: 'box', value: 'PX', help: 'fitting window, odd, px', default: `2⌈2σ⌉+1 px for σ in px, at least ${MIN_DEFAULT_BOX_PX}; with a spline calibration its own size (odd, ≤ ${MAX_BOX_PX})`, option: 'fit.box' },
    { name: 'fit-sigma', help: 'fit the PSF sigma too', option: 'fit.fitSigma' },
    { name: 'sigma-range', value: 'MIN:MAX', help: 'allowed sigma when fitted, px', default: `${FIT_DEFAULTS.sigmaMinPx}:box/2`, option: 'fit.sigmaRangePx' },
    { name: 'solver', value: 'S', help: 'newton, or conjugate-gradient (fmin, the cross-check)', default: FIT_DEFAULTS.solver, option: 'fit.solver' },
    { name: 'max-iterations', value: 'N', help: 'iteration limit per fit', default: String(FIT_DEFAULTS.maxIterations), option: 'fit.maxIterations' },
    { name: 'tolerance', value: 'T', help: 'converged when every step is below T (px for x, y, sigma; relative for N, b); 3-D fits may also stop on a small likelihood gain (astigmatic) or Newton decrement (spline)', default: String(FIT_DEFAULTS.tolerance), option: 'fit.tolerance' },
    { name: 'max-step', value: 'PX', help: 'largest step in x or y per iteration, px', default: String(FIT_DEFAULTS.maxStepPx), option: 'fit.maxStepPx' },
    { name: 'fit-engine', value: 'E', help: 'wasm (WebAssembly kernel) or js (JavaScript reference)', default: FIT_DEFAULTS.engine, option: 'fit.engine' },
    { name: 'no-warm-start', help: 'start every fit from its own pixels, not from the previous frame', option: 'warmStart' },
  ]],
  ['3-D (astigmatism or a measured PSF)', [
    { name: 'calibration', value: 'FILE', help: 'fit x, y and z through this calibration: calibrate-3d\'s CALIB.json (astigmatic Gaussian), or a spline PSF in HDF5 (calibrate-psf\'s PSF.h5, Picasso 0.11\'s *_spline_calib.hdf5, SMAPpy\'s, SMAP\'s v7.3 _3dcal.mat; fitted in the WebAssembly kernel, or JavaScript with --fit-engine js); adds z, uncertainty_z, sigma1, sigma2; crowded spots fitted with several emitters, each with its own z, as in 2-D (--multi-emitter)', default: '2-D', option: ['astigmatism', 'spline'] },
    { name: 'z-starts', value: 'first|all', help: `with a spline calibration, whose ${SPLINE_Z_SCAN_STARTS} scanned planes rank the z starts: fit each spot from the best-ranked start, the next (${SPLINE_Z_SCAN_FITS} at most) only when it does not converge (first: astigmatic optics), or from all ${SPLINE_Z_SCAN_FITS} best-ranked and keep the best likelihood (all: a 2-D microscope's PSF, alike above and below focus, z a nuisance parameter; about 2× the work). Spots within ${SPLINE_EDGE_START_PX} px of their window's edge are fitted from all ${SPLINE_Z_SCAN_FITS} either way`, default: SPLINE_CALIBRATION_DEFAULTS.everyZStart ? 'all' : 'first', option: 'spline.everyZStart' },
  ]],
  ['Crowded spots (multi-emitter fitting, ThunderSTORM\'s defaults)', [
    { name: 'multi-emitter', value: 'on|off', help: 'fit a candidate whose single fit fails a χ² goodness-of-fit test with more emitters, kept by a likelihood-ratio test; in 3-D also refit every row with its neighbours\' fits held as background and, where the calibration\'s model follows the beads, try rows much brighter than the frame\'s typical row as pairs', default: MULTI_EMITTER_DEFAULTS.enabled ? 'on' : 'off', option: 'multiEmitter.enabled' },
    { name: 'max-emitters', value: 'N', help: 'most emitters in one window (1: in 3-D no bright row is split into a pair either)', default: String(MULTI_EMITTER_DEFAULTS.maxEmitters), option: 'multiEmitter.maxEmitters' },
    { name: 'p-value', value: 'P', help: 'one more emitter is kept when the likelihood-ratio test gives a p-value below P', default: String(MULTI_EMITTER_DEFAULTS.pValue), option: 'multiEmitter.pValue' },
    { name: 'ambiguity', value: 'P', help: 'a single fit is tried with more emitters when its goodness-of-fit p-value is below P', default: String(MULTI_EMITTER_DEFAULTS.ambiguityPValue), option: 'multiEmitter.ambiguityPValue' },
    { name: 'passes', value: 'N', help: 'find–fit–subtract passes (2-D): after the first, subtract the fitted spots, detect again on the residual and fit the new candidates with the fits so far held as known background; only frames with a crowded window its chosen model leaves unexplained (a residual peak above 3σ or a misfit), looking around those windows and rows with a neighbour; not over a temporal-median background (1 with --multi-emitter off)', default: String(MULTI_EMITTER_DEFAULTS.passes), option: 'multiEmitter.passes' },
  ]],
  ['Preview', [
    { name: 'preview', value: 'PNG', help: 'rewrite a super-resolution preview as the run goes' },
    { name: 'preview-every', value: 'N', help: 'frames between preview refreshes', default: String(PREVIEW_DEFAULTS.everyFrames) },
  ]],
  ['Frames', [
    { name: 'channel', value: 'N', help: 'of a stack with several channels (an ImageJ hyperstack, an OME-TIFF): localize channel N, 1-based; its frames are numbered as time points', default: 'the only channel (several need one)', option: 'frames.channel' },
    { name: 'frames', value: 'A:B', help: 'frames A to B, 1-based, inclusive (A: or :B open-ended)', default: 'all', option: 'frames' },
    { name: 'follow', help: 'keep reading while the file grows (live acquisition)' },
    { name: 'idle-timeout', value: 'S', help: 'with --follow: stop after S seconds without a new frame', default: String(FOLLOW_DEFAULTS.idleTimeoutMs / 1000) },
  ]],
  ['Running', [
    { name: 'workers', value: 'N', help: 'worker threads, at most the cores', default: `all cores, at most one per ${CHUNKS_PER_WORKER} chunks, so short stacks run on one thread; 1 with --follow`, option: 'workers' },
    { name: 'chunk-frames', value: 'N', help: 'frames per chunk (warm starts restart at each chunk)', default: `${LOCALIZE_DEFAULTS.chunkFrames}, fewer for frames over 256×256 px: about ${(LOCALIZE_DEFAULTS.chunkPixels / 1e6).toFixed(1)} Mpx a chunk`, option: 'chunkFrames' },
    { name: 'queue', value: 'URL', help: `localize on the machines running \`smlm-stream worker\` against this Redis, redis://[:PASSWORD@]HOST:PORT, or ${QUEUE_FROM_ENV} for the URL in ${QUEUE_ENV} (out of sight of ps); the stack on storage they share`, default: 'this machine', option: 'queue' },
    { name: 'quiet', help: 'no progress and no summary' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = LOCALIZE_FLAGS;

export const help = `smlm-stream localize STACK [options]

Finds and fits every spot of a TIFF stack; writes a ThunderSTORM-compatible CSV (positions in nm
from the image's top-left corner, frames from 1) and a JSON sidecar describing the run. STACK is
a TIFF file (any file of a Micro-Manager series reads the whole series), a folder of TIFFs (one
stack, in natural order), or several files (one stack, in the order given). No output may be an
input or another output; Ctrl-C keeps the rows of every finished frame.

${LOCALIZE_FLAGS.help()}`;

/** The flag of each library option, for error messages. */
export const optionFlags = LOCALIZE_FLAGS.optionFlags;

/** The flags that take a value (to name the flag that gave a missing file). */
export const valueFlags = LOCALIZE_FLAGS.valueFlags;

/** One line on stderr, through printable (a file name's escape sequences never reach the terminal). */
function say(line: string): void {
  process.stderr.write(`smlm-stream: ${printable(line, Infinity)}\n`);
}


/** The camera's maps from their files, when any is given. */
async function cameraMaps(offset: string | undefined, variance: string | undefined, gain: string | undefined, origin: string | undefined): Promise<CameraMaps | undefined> {
  if (offset === undefined && variance === undefined && gain === undefined) {
    if (origin !== undefined) throw new UsageError('--map-origin needs a map (--offset-map, --variance-map or --gain-map)');
    return undefined;
  }
  let xy: [number, number] | undefined;
  if (origin !== undefined) {
    const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(origin);
    if (!m) throw new UsageError(`--map-origin needs X,Y in whole pixels, got '${origin}'`);
    xy = [Number(m[1]), Number(m[2])];
  }
  return readCameraMaps({ offset, variance, gain, origin: xy });
}

/** The files besides the stack that a run reads (no output may replace them). */
export function otherInputs(text: (name: string) => string | undefined): NamedPath[] {
  const files: [string, string][] = [['calibration', 'the 3-D calibration'], ['offset-map', 'the offset map'], ['variance-map', 'the variance map'], ['gain-map', 'the gain map']];
  return files.flatMap(([flag, role]) => {
    const path = text(flag);
    return path === undefined ? [] : [{ path, role }];
  });
}

/** Parse "on" or "off". */
/** The calibration read, with `--z-starts` put into a spline's (refused without a spline). */
function withZStarts<T extends { spline?: SplineCalibration }>(read: T, zStarts: string | undefined): T {
  if (zStarts === undefined) return read;
  if (zStarts !== 'first' && zStarts !== 'all') throw new UsageError(`--z-starts must be first or all, got '${zStarts}'`);
  if (!read.spline) throw new UsageError('--z-starts applies to a spline calibration (an HDF5 PSF); --calibration gave an astigmatic one');
  return { ...read, spline: { ...read.spline, everyZStart: zStarts === 'all' } };
}

/** No calibration: `--z-starts` has nothing to apply to. */
function noZStarts(zStarts: string | undefined): Record<string, never> {
  if (zStarts !== undefined) throw new UsageError('--z-starts needs a spline calibration (--calibration PSF.h5)');
  return {};
}

function onOff(value: string, flag: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`${flag} must be on or off, got '${value}'`);
}

/** Parse "MIN:MAX" (two numbers). */
function parseRange(value: string, flag: string): [number, number] {
  const m = /^\s*([^:]+):([^:]+)\s*$/.exec(value);
  if (!m) throw new UsageError(`${flag} needs MIN:MAX, got '${value}'`);
  return [parseNumber(m[1], flag), parseNumber(m[2], flag)];
}

/** Parse "A:B" (1-based, inclusive) into a 0-based start and exclusive end. */
function parseFrameRange(text: string): { start: number; end?: number } {
  const m = /^(\d*):(\d*)$/.exec(text.trim());
  if (!m) throw new UsageError(`--frames needs A:B (1-based, inclusive; A: or :B allowed), got '${text}'`);
  const a = m[1] ? Number(m[1]) : 1;
  const b = m[2] ? Number(m[2]) : undefined;
  if (a < 1) throw new UsageError(`--frames starts at frame 1, got ${a}`);
  if (b !== undefined && b < a) throw new UsageError(`--frames ${text}: the last frame is before the first`);
  return { start: a - 1, end: b };
}

/** The CSV localize writes when no -o is given: STACK.csv next to the stack (a folder's next to the folder; a list's, the first file's). */
export function defaultOutputOf(stack: string): string {
  const first = stack.replace(/[/\\]+$/, '');
  return join(dirname(first), `${basename(first, extname(first)).replace(/\.ome$/i, '')}.csv`);
}

/**
 * localize's flags (parsed by {@link LOCALIZE_FLAGS}) as the library's options: the pipeline's
 * options (camera maps and a calibration read from their files) and the frames to read (range,
 * channel, follow mode). One parser for `localize` and `smlm-stream view` (whose preview and run
 * take localize's flags).
 * @param parsed - `LOCALIZE_FLAGS.parse(argv)`
 * @throws UsageError (or InvalidOptionError, InputFileError) with the message the CLI gives
 */
export async function parseLocalizeFlags(parsed: ReturnType<FlagTable['parse']>): Promise<{ options: LocalizeOptions; frames: FrameSourceOptions }> {
  const { values } = parsed;
  const text = (name: string) => values[name] as string | undefined;
  const optional = (name: string, limits = {}) => (text(name) === undefined ? undefined : parseNumber(text(name), `--${name}`, limits));
  const cameraSource = text('camera');
  if (cameraSource !== undefined && cameraSource !== 'auto' && cameraSource !== 'given') throw new UsageError(`--camera must be auto or given, got '${cameraSource}'`);
  const options: LocalizeOptions = {
    cameraSource: cameraSource as CameraSource | undefined,
    camera: {
      pixelSizeNm: optional('pixel-size'),
      baselineAdu: optional('baseline'),
      photonsPerAdu: optional('photons-per-adu'),
      emGain: optional('em-gain'),
      qe: optional('qe'),
      saturationAdu: optional('saturation'),
      readNoiseElectrons: optional('read-noise', { min: 0 }),
      maps: await cameraMaps(text('offset-map'), text('variance-map'), text('gain-map'), text('map-origin')),
    },
    psfSigmaNm: text('psf-sigma')?.trim() === 'auto' ? 'auto' : optional('psf-sigma'),
    detect: {
      filter: text('filter') as FilterKind | undefined,
      threshold: optional('threshold'),
      minDistancePx: optional('min-distance'),
      noiseSamples: optional('noise-samples', { integer: true }),
      engine: text('detect-engine') as DetectEngine | undefined,
      noiseSource: text('detect-noise') as NoiseSource | undefined,
    },
    fit: {
      box: optional('box', { integer: true }),
      fitSigma: values['fit-sigma'] === true,
      sigmaRangePx: text('sigma-range') === undefined ? undefined : parseRange(text('sigma-range') as string, '--sigma-range'),
      solver: text('solver') as FitSolver | undefined,
      maxIterations: optional('max-iterations', { integer: true }),
      tolerance: optional('tolerance'),
      maxStepPx: optional('max-step'),
      engine: text('fit-engine') as FitEngine | undefined,
    },
    multiEmitter: {
      enabled: text('multi-emitter') === undefined ? undefined : onOff(text('multi-emitter') as string, '--multi-emitter'),
      maxEmitters: optional('max-emitters', { integer: true }),
      pValue: optional('p-value'),
      ambiguityPValue: optional('ambiguity'),
      passes: optional('passes', { integer: true }),
    },
    ...(text('calibration') === undefined ? noZStarts(text('z-starts')) : withZStarts(await readCalibrationFile(text('calibration') as string), text('z-starts'))),
    warmStart: values['no-warm-start'] !== true,
    chunkFrames: optional('chunk-frames', { integer: true }),
    background: text('background') === undefined ? undefined : parseBackground(text('background') as string),
  };
  const range = text('frames') !== undefined ? parseFrameRange(text('frames') as string) : { start: 0 };
  const idle = optional('idle-timeout', { min: 0 }) ?? FOLLOW_DEFAULTS.idleTimeoutMs / 1000;
  return { options, frames: { ...range, channel: optional('channel', { integer: true, min: 1 }), follow: values.follow === true, idleTimeoutMs: idle * 1000 } };
}

/**
 * `smlm-stream localize`: run the standard pipeline with progress on stderr and a summary on
 * stdout. SIGINT, SIGTERM and SIGHUP stop it cleanly (the frames in flight are finished, the
 * rows kept, the sidecar says why), and it exits with 128 + the signal's number; a second
 * signal quits at once.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @returns exit code (0 on success)
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const parsed = LOCALIZE_FLAGS.parse(reportFlagValue(argv));
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError('localize needs a stack: a TIFF file, a folder of TIFFs, or several files (see smlm-stream localize --help)');
  const input = positionals.length === 1 ? positionals[0] : positionals;
  const output = (values.output as string | undefined) ?? defaultOutputOf(positionals[0]);
  const text = (name: string) => values[name] as string | undefined;
  const report = text('report') === undefined ? undefined : text('report') || defaultReportPath(output);
  if (report !== undefined) checkOutputPaths([...positionals, ...otherInputs(text).map((f) => f.path)].map((path) => ({ path, role: 'an input' })), [{ path: output, role: 'the CSV' }, { path: sidecarPath(output), role: "the run's record", record: RUN_RECORD }, { path: report, role: 'the report' }, { path: temporaryPath(report), role: "the report's temporary file" }]);
  const optional = (name: string, limits = {}) => (text(name) === undefined ? undefined : parseNumber(text(name), `--${name}`, limits));
  const { options, frames } = await parseLocalizeFlags(parsed);
  const quiet = values.quiet === true;
  const queue = queueUrlFrom(text('queue'), process.env, (message) => process.stderr.write(`smlm-stream: warning: ${message}\n`));
  const progress = new ProgressReporter(process.stderr);
  const stop = new AbortController();
  let exitCode: number = EXIT.ok;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      progress.done();
      say(`${signal} again: quitting now; the rows so far are in ${output}.partial`);
      process.exit(signalExit(signal));
    }
    exitCode = signalExit(signal);
    progress.done();
    // On a queue the jobs running on the workers are not waited for: they are dropped.
    const what = queue === undefined ? 'finishing the frames in flight' : 'stopping; the rows of the jobs received are kept';
    say(`${signal}: ${what} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again quits at once)`);
    stop.abort(new Error(`interrupted by ${signal}`));
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  let summary: LocalizeStackSummary;
  try {
    summary = await localizeStack({
      input,
      output,
      inputs: otherInputs(text),
      options,
      frames,
      includeAllFits: values['all-fits'] === true,
      merge: values.merge === true ? mergeOptionsFrom(values) : undefined,
      workers: optional('workers', { integer: true, min: 1 }),
      queue,
      preview: text('preview') !== undefined ? { path: text('preview') as string, everyFrames: optional('preview-every', { integer: true, min: 1 }) } : undefined,
      signal: stop.signal,
      onProgress: quiet ? undefined : (p) => progress.update(p),
      onWarning: (message) => {
        progress.done();
        say(`warning: ${message}`);
      },
      onNotice: (message) => {
        if (!quiet) say(`${message}`);
      },
    });
  } catch (error) {
    progress.done();
    const partial = (error as { summary?: LocalizeStackSummary }).summary;
    if (!partial) throw error;
    // The error in one line (the CLI's boundary words it), then what was kept.
    say(describeError(error, optionFlags, argv, valueFlags).message);
    say(`${keptLine(partial)}`);
    return EXIT.failed;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  progress.done();
  if (summary.frames > 0 && summary.stats.candidates === 0) {
    say(`warning: no spot passed the detection threshold in ${summary.frames} frame${summary.frames === 1 ? '' : 's'}: check --threshold (${options.detect?.threshold ?? DETECT_DEFAULTS.threshold} × the noise) and the camera settings`);
  }
  if (summary.stopReason !== undefined) {
    say(`${summary.stopReason}: ${keptLine(summary)}`);
    if (!quiet) for (const line of summaryLines(summary)) out(line);
    if (report !== undefined) await reportLine(summary.sidecar, report, quiet, out);
    return exitCode === EXIT.ok ? EXIT.failed : exitCode;
  }
  if (!quiet) for (const line of summaryLines(summary)) out(line);
  if (report !== undefined) await reportLine(summary.sidecar, report, quiet, out);
  return EXIT.ok;
}

/**
 * `--report` takes a value only when the next argument ends in .html (`--report FILE.html`,
 * `--report=FILE`); alone, or before the stack or another flag, it is `--report=`: the default name.
 */
function reportFlagValue(argv: readonly string[]): string[] {
  return argv.map((arg, i) => (arg === '--report' && !/\.html?$/i.test(argv[i + 1] ?? '') ? '--report=' : arg));
}

/** Write the run's report and say where (on stdout, as the summary). */
async function reportLine(record: string, report: string, quiet: boolean, out: (line: string) => void): Promise<void> {
  try {
    const { bytes, seconds } = await writeReport(record, report);
    if (!quiet) out(`  report              ${report} (${(bytes / 1e6).toFixed(2)} MB, ${seconds.toFixed(2)} s)`);
  } catch (error) {
    // The run itself is done and kept: a report that cannot be written (memory, a disk, the
    // table) is a warning, and `smlm-stream report` can write it again from the record.
    say(`warning: the report was not written (${(error as Error).message}); the run is complete: write it later with smlm-stream report ${record} -o ${report}`);
  }
}

/** What a run that ended early kept, and where. */
function keptLine(s: LocalizeStackSummary): string {
  return `kept ${s.localizations} localizations of the ${s.frames} completed frames in ${s.output} (see ${s.sidecar})`;
}

/** Where the camera's settings and the PSF σ came from: estimated (with their uncertainty) or given. */
function settingsLines(s: LocalizeStackSummary): string[] {
  const settings = s.settings;
  if (!settings) return [];
  const f = (v: number) => String(Number(v.toPrecision(3)));
  const { camera, psfSigma } = settings;
  const e = camera.estimate;
  let cameraLine = 'given';
  if (camera.source === 'estimated' && e) {
    const kept = camera.kept.length ? ` (${camera.kept.join(', ')} as given)` : '';
    const perF2 = e.effectiveGain ? '; EM gain unknown: an effective gain, photon counts are per F²' : '';
    const noise = e.offsetIdentified ? `, read noise ${f(e.readNoiseElectrons)} ± ${f(e.readNoiseSdElectrons)} e⁻` : ' (effective: read noise folded in)';
    if (camera.lessOffsetMap) cameraLine = `gain estimated from ${e.frames} frames less the offset map${kept}: ${f(e.photonsPerAdu)} ± ${f(e.photonsPerAduSd)} e⁻/ADU${perF2}`;
    else cameraLine = `estimated from ${e.frames} frames${kept}: base ${f(e.baselineAdu)} ± ${f(e.baselineSdAdu)} ADU${noise}, ${f(e.photonsPerAdu)} ± ${f(e.photonsPerAduSd)} e⁻/ADU${perF2}`;
  } else if (e) {
    cameraLine = `given (the data say base ${f(e.baselineAdu)} ± ${f(e.baselineSdAdu)} ADU, ${f(e.photonsPerAdu)} ± ${f(e.photonsPerAduSd)} e⁻/ADU)`;
  }
  const m = psfSigma.estimate;
  const measured = m ? `${f(m.sigmaNm)} ± ${f(m.seNm)} nm, ${psfSigmaMethodText(m, settings.frames)}` : '';
  let sigmaLine = `${psfSigma.source}${psfSigma.sigmaNm === undefined ? '' : ` ${f(psfSigma.sigmaNm)} nm`}`;
  if (psfSigma.source === 'estimated') sigmaLine = `estimated ${measured}`;
  else if (m && psfSigma.source === 'given') sigmaLine += ` (measured ${measured})`;
  return [`  camera              ${cameraLine}`, `  PSF sigma           ${sigmaLine}`];
}

/** The end-of-run summary a person reads (Gpufit's example summary is the model). */
function summaryLines(s: LocalizeStackSummary): string[] {
  const st = s.stats;
  const pct = (a: number, b: number) => formatPercent(a, b);
  const count = (v: number) => v.toLocaleString('en-US');
  const histogram = st.iterationHistogram;
  let median = 0;
  for (let acc = 0, i = 0; i < histogram.length; i++) {
    acc += histogram[i];
    if (acc * 2 >= st.converged) {
      median = i;
      break;
    }
  }
  const warmMean = st.convergedWarm ? (st.iterationsWarm / st.convergedWarm).toFixed(1) : 'n/a';
  const coldMean = st.convergedCold ? (st.iterationsCold / st.convergedCold).toFixed(1) : 'n/a';
  const sec = (v: number) => `${v.toFixed(2)} s`;
  const m = s.medians;
  const digits = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const lines = [
    `smlm-stream localize: ${s.input} → ${s.output}${s.complete ? '' : ' (incomplete)'}`,
    `  frames              ${count(s.frames)}`,
    `  localizations       ${count(s.localizations)} written (${count(st.candidates)} candidates; converged ${pct(st.converged, st.fits)} of fits)`,
    `  precision (median)  ${digits(m.uncertaintyNm, 1)} nm uncertainty, ${digits(m.photons, 0)} photons, background ${digits(m.backgroundPhotons, 1)} photons/px`,
    `  not converged       ${st.fits === st.converged ? 'none' : `${count(st.saturated)} saturated, ${st.duplicates > 0 ? `${count(st.duplicates)} duplicates (a second fit of one spot), ` : ''}${count(st.fits - st.converged - st.saturated - st.duplicates)} other fits (left out of the CSV unless --all-fits)`}`,
  ];
  const crowded = st.emitterFits.reduce((n, v, k) => n + (k >= 2 ? v : 0), 0);
  lines.push(`  crowded spots       ${count(st.multiEmitterTried)} windows tried with more emitters, ${count(crowded)} held 2 or more`);
  lines.push(...settingsLines(s));
  if (s.merged) lines.push(`  merged              ${count(s.merged.molecules)} molecules → ${s.merged.output}`);
  if (st.nonFinitePixels > 0) lines.push(`  non-finite pixels   ${count(st.nonFinitePixels)} NaN or infinite in ${count(st.framesWithNonFinite)} frames`);
  lines.push(
    `  median iterations   ${st.converged ? median : 'n/a'} (mean ${warmMean} warm-started, ${coldMean} cold)`,
    `  warm starts         ${pct(st.warmStarts, st.fits)} of fits started from the previous frame`,
    `  throughput          ${count(Math.round(s.frames / s.seconds))} frames/s, ${count(Math.round(s.localizations / s.seconds))} localizations/s`,
    `  wall time           ${s.seconds < 60 ? sec(s.seconds) : formatDuration(s.seconds)} (reading ${sec(s.readSeconds)}, writing ${sec(s.writeSeconds)})`,
    `  CPU time by stage   camera ${sec(st.ms.camera / 1000)}, detect ${sec(st.ms.detect / 1000)}, fit ${sec(st.ms.fit / 1000)} on ${s.workers} ${s.cluster ? `queue worker${s.workers === 1 ? '' : 's'} (${s.cluster.queue}: ${s.cluster.workers.join(', ')})` : s.workers === 1 ? 'thread' : 'workers'}`,
    `  engines             detection ${st.engines.detect || 'n/a'}, fit ${st.engines.fit || 'n/a'}`,
    `  output              ${s.output} (run record: ${s.sidecar})`,
  );
  return lines;
}
