import { lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { OutputPathError } from '../errors/OutputPathError.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import type { NamedPath } from '../export/checkOutputPaths.js';
import { driftPath } from '../table/driftPath.js';
import { SAMPLE_BYTES } from '../io/Frame.js';
import { DRIFT_WOBBLE_DEFAULTS, resolveSimulateStackOptions, SCMOS_SENSOR, SIMULATE_DEFAULTS } from '../simulate/simulateStack.js';
import type { StructureKind } from '../simulate/Structure.js';
import { mapPaths, settingsPath, writeSimulation } from '../simulate/writeSimulation.js';
import { CELL_BACKGROUND_DEFAULTS, CELL_SHAPES } from '../simulate/CellBackground.js';
import type { CameraPreset } from '../simulate/cameraPresets.js';
import { CAMERA_PRESET_NAMES, CAMERA_PRESETS } from '../simulate/cameraPresets.js';
import { writeBeadStack } from '../simulate/writeBeadStack.js';
import { BAD_BEADS, BEAD_STACK_DEFAULTS, DEFAULT_ASTIGMATISM } from '../simulate/simulateBeadStack.js';
import { STRUCTURE_DEFAULTS } from '../simulate/Structure.js';
import type { PupilPsfOptions } from '../simulate/PupilPsf.js';
import { PUPIL_PSF_DEFAULTS, resolvePupilPsfOptions } from '../simulate/PupilPsf.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { readCalibrationFile } from '../export/readCalibrationFile.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import { splineCalibrationRecord } from '../astig/SplineCalibration.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { ProgressReporter } from './ProgressReporter.js';
import { printable } from '../errors/printable.js';
import { UsageError } from './UsageError.js';

/** The largest frame side simulated, px (sCMOS sensors are 2048–4096 px). */
const MAX_SIDE_PX = 8192;
/** Classic TIFF's 32-bit offsets end at 4 GiB. */
const CLASSIC_TIFF_BYTES = 2 ** 32;

const BEAD_GRID = BEAD_STACK_DEFAULTS.grid;
const BEADS = BEAD_GRID * BEAD_GRID;
const S = SIMULATE_DEFAULTS;
const B = BEAD_STACK_DEFAULTS;
const AX = DEFAULT_ASTIGMATISM.x;
const AY = DEFAULT_ASTIGMATISM.y;
const P = PUPIL_PSF_DEFAULTS;
/** The flags of the pupil PSF, which need `--psf pupil`. */
const PUPIL_FLAGS = ['na', 'wavelength', 'immersion-index', 'sample-index', 'zernike-astigmatism', 'zernike-spherical', 'zernike-coma', 'zernike-trefoil'] as const;

/** Each camera preset's settings in a few words, for the help. */
function presetSummary(): string {
  return CAMERA_PRESET_NAMES.map((name) => {
    const p = CAMERA_PRESETS[name];
    return `${name} ${p.baselineAdu} ADU, ${p.photonsPerAdu} e⁻/ADU${p.sensor === 'scmos' ? ', sensor maps' : `, ${p.readNoiseAdu} ADU read noise`}${p.emGain > 1 ? `, EM gain ${p.emGain}` : ''}`;
  }).join('; ');
}

/** The simulate command's flags, each default from the library's defaults. */
export const SIMULATE_FLAGS = new FlagTable([
  ['Field and emitters', [
    { name: 'width', value: 'PX', help: `frame width, at most ${MAX_SIDE_PX}`, default: String(S.width), option: 'width' },
    { name: 'height', value: 'PX', help: `frame height, at most ${MAX_SIDE_PX}`, default: String(S.height), option: 'height' },
    { name: 'frames', value: 'N', help: 'frames', default: String(S.frames), option: 'frames' },
    { name: 'pixel-size', value: 'NM', help: 'pixel size', default: String(S.pixelSizeNm), option: 'pixelSizeNm' },
    { name: 'psf-sigma', value: 'NM', help: 'PSF sigma', default: String(S.psfSigmaNm), option: 'psfSigmaNm' },
    { name: 'density', value: 'D', help: 'emitters on per µm² in a frame', default: String(S.density), option: 'density' },
    { name: 'photons', value: 'N', help: 'photons per emitter per frame', default: String(S.photons), option: 'photons' },
    { name: 'background', value: 'B', help: 'background, photons/px', default: String(S.background), option: 'background' },
    { name: 'on-frames', value: 'F', help: 'mean frames an emitter stays on', default: String(S.meanOnFrames), option: 'meanOnFrames' },
    { name: 'min-separation', value: 'NM', help: 'smallest distance between emitters on together', default: String(S.minSeparationNm), option: 'minSeparationNm' },
    { name: 'seed', value: 'S', help: 'random seed', default: String(S.seed), option: 'seed' },
  ]],
  ['Structure', [
    { name: 'structure', value: 'S', help: 'what the molecules label: random, filaments or rings', default: S.structure, option: 'structure' },
    { name: 'structure-count', value: 'N', help: 'filaments or rings in the field', default: `${STRUCTURE_DEFAULTS.filaments} filaments, a ring per ${STRUCTURE_DEFAULTS.areaPerRingUm2}\u00a0µm²`, option: 'structureCount' },
    { name: 'ring-radius', value: 'NM', help: 'radius of the rings', default: String(S.ringRadiusNm), option: 'ringRadiusNm' },
  ]],
  ['Camera', [
    { name: 'camera-preset', value: 'P', help: `imitate a kind of camera, ${CAMERA_PRESET_NAMES.join(', ')}: its offset, gain, read noise, EM gain and sensor become the defaults of the flags below (${presetSummary()}); the TIFF tells nothing of it, OUT.truth.json does`, default: 'none', option: 'cameraPreset' },
    { name: 'baseline', value: 'ADU', help: 'camera offset', default: String(S.baselineAdu), option: 'baselineAdu' },
    { name: 'photons-per-adu', value: 'E', help: 'photoelectrons per A/D count', default: String(S.photonsPerAdu), option: 'photonsPerAdu' },
    { name: 'read-noise', value: 'ADU', help: 'read noise standard deviation', default: String(S.readNoiseAdu), option: 'readNoiseAdu' },
    { name: 'em-gain', value: 'G', help: 'EM gain: an EM register (excess-noise factor 2) before the read noise; 1: none', default: String(S.emGain), option: 'emGain' },
    { name: 'sensor', value: 'S', help: `uniform, or scmos: every pixel its own offset, gain and read noise, ${Number((100 * SCMOS_SENSOR.hotFraction).toPrecision(3))}\u00a0% hot pixels; writes OUT.offset.tif, OUT.variance.tif and OUT.gain.tif (ADU, ADU², ADU per e⁻) next to the stack`, default: S.sensor, option: 'sensor' },
  ]],
  ['Cell background', [
    { name: 'cell-background', help: `a cell's autofluorescence on top of --background: soft-edged cell bodies (${CELL_SHAPES.radiusUm.join('–')}\u00a0µm radius, a darker nucleus, smooth texture) and vesicles (${CELL_SHAPES.vesicleFwhmUm.join('–')}\u00a0µm FWHM, some drifting, some blinking slowly), bleaching exponentially; the truth's background column is then each emitter's local background` },
    { name: 'cell-peak', value: 'B', help: 'with --cell-background: its brightest, photons/px at the first frame', default: String(CELL_BACKGROUND_DEFAULTS.peakPhotons), option: 'cellBackground.peakPhotons' },
    { name: 'cell-bleach', value: 'F', help: 'with --cell-background: its bleaching time constant, frames', default: 'the number of frames', option: 'cellBackground.bleachFrames' },
    { name: 'cell-count', value: 'N', help: 'with --cell-background: cell bodies in the field', default: String(CELL_BACKGROUND_DEFAULTS.cells), option: 'cellBackground.cells' },
  ]],
  ['Drift', [
    { name: 'drift', value: 'X,Y', help: 'stage drift from the first frame to the last, nm; the truth stays in the sample, its trajectory in OUT.truth.drift.csv', default: 'none', option: 'drift' },
    { name: 'wobble', value: 'NM', help: 'with --drift: a wobble of this amplitude on top of the line', default: String(DRIFT_WOBBLE_DEFAULTS.wobbleNm) },
    { name: 'wobble-period', value: 'N', help: 'its period, frames', default: String(DRIFT_WOBBLE_DEFAULTS.wobblePeriodFrames) },
  ]],
  ['3-D', [
    { name: 'astigmatism', value: 'NM', help: 'an astigmatic PSF (the bead stacks\' curves, below; with --psf pupil, the pupil\'s; with --psf FILE.h5, the spline\'s, whose z range must hold −NM…NM), each emitter at a depth drawn from −NM…NM; the truth gains "z [nm]"', default: '2-D' },
  ]],
  ['A pupil-function or measured PSF (not the fit\'s Gaussian), for stacks and bead stacks', [
    { name: 'psf', value: 'MODEL|FILE.h5', help: 'gaussian (the pixel-integrated Gaussian the fit models); pupil: a scalar pupil function with Zernike astigmatism and spherical aberration; or FILE.h5: a spline calibration (calibrate-psf\'s PSF.h5, Picasso 0.11\'s or SMAPpy\'s), each spot N × the spline at the pixel centres, N counted as the calibration normalises it (calibrate-psf\'s brightest plane sums to 1 over its box), its pixel size the default of --pixel-size (another is refused), at z = 0 in 2-D; the PSF\'s parameters written to OUT.psf.json', default: 'gaussian' },
    { name: 'na', value: 'NA', help: 'numerical aperture', default: String(P.numericalAperture), option: 'numericalAperture' },
    { name: 'wavelength', value: 'NM', help: 'emission wavelength', default: String(P.wavelengthNm), option: 'wavelengthNm' },
    { name: 'immersion-index', value: 'N', help: 'refractive index of the immersion oil', default: String(P.immersionIndex), option: 'immersionIndex' },
    { name: 'sample-index', value: 'N', help: 'refractive index of the sample (defocus through it; light beyond its critical angle cut)', default: 'the immersion index', option: 'sampleIndex' },
    { name: 'zernike-astigmatism', value: 'NM', help: 'Zernike astigmatism (Noll 6), RMS wavefront: x focuses below y', default: String(P.astigmatismNm), option: 'astigmatismNm' },
    { name: 'zernike-spherical', value: 'NM', help: 'Zernike primary spherical aberration (Noll 11), RMS wavefront', default: String(P.sphericalNm), option: 'sphericalNm' },
    { name: 'zernike-coma', value: 'NM', help: 'Zernike coma along x (Noll 8), RMS wavefront', default: String(P.comaNm), option: 'comaNm' },
    { name: 'zernike-trefoil', value: 'NM', help: 'Zernike trefoil (Noll 10), RMS wavefront', default: String(P.trefoilNm), option: 'trefoilNm' },
  ]],
  ['Output', [
    { name: 'float32', help: 'write float32 pixels instead of uint16' },
    { name: 'bigtiff', help: 'write BigTIFF (needed beyond 4 GB)' },
    { name: 'quiet', help: 'no progress' },
    { name: 'overwrite', help: 'replace the stack, its truth and maps if they exist (without it, an existing file is refused: it may be a recording)' },
  ]],
  ['A bead z-stack for calibrate-3d instead', [
    { name: 'beads', help: `${BEAD_GRID}×${BEAD_GRID} fixed beads in a ${B.width}×${B.height} px field through an astigmatic PSF (σx and σy from the defocus model of Huang et al. 2008: foci at ${AX.centerNm} and ${AY.centerNm} nm, σ0 ${AX.sigma0Nm} nm, depth ${AX.depthNm} nm; --photons default ${B.photons}, --background ${B.background}, --frames ${B.frames}), frame k (counted from 1, as the CSVs count frames) at z = z-start + (k − 1)·z-step; the truth (bead, x, y) in OUT.truth.csv` },
    { name: 'z-start', value: 'NM', help: 'z of the first frame', default: String(B.zStartNm) },
    { name: 'z-step', value: 'NM', help: 'z step', default: String(B.zStepNm) },
    { name: 'bad-bead', value: 'K:KIND', help: `bead K (1–${BEADS}) is bad: K:height (${BAD_BEADS.heightNm} nm above the others) or K:stuck (does not defocus)` },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = SIMULATE_FLAGS;

export const help = `smlm-stream simulate OUT.tif [options]

Writes a simulated blinking SMLM stack (pixel-integrated Gaussian spots, or with --psf pupil
spots through a pupil-function PSF, or with --psf FILE.h5 through a measured spline PSF; Poisson noise, camera offset, gain and read noise), its
ground truth OUT.truth.csv (frame, x [nm], y [nm], photons, background) and its settings
OUT.truth.json (the camera's offset, gain, read noise, EM gain and sensor, the cell
background, every option).

${SIMULATE_FLAGS.help()}`;

/** The flag of each simulation option, for error messages. */
export const optionFlags = SIMULATE_FLAGS.optionFlags;

/**
 * `smlm-stream simulate`: write a stack and its truth, with progress on stderr.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export function run(argv: string[], out: (line: string) => void): number | Promise<number> {
  const parsed = SIMULATE_FLAGS.parse(argv);
  if (parsed.positionals.length !== 1) throw new UsageError(`simulate needs one output file, got ${parsed.positionals.length} (see smlm-stream simulate --help)`);
  const psf = parsed.text('psf');
  if (psf === undefined || psf === 'gaussian' || psf === 'pupil') return simulate(parsed, out, undefined);
  return readSplinePsf(psf).then((spline) => simulate(parsed, out, spline));
}

/** A spline calibration for `--psf FILE`: an HDF5 file, the PSF a spline. */
async function readSplinePsf(path: string): Promise<SplineCalibration> {
  if (!/\.(h5|hdf5|hdf|mat)$/i.test(path)) throw new UsageError(`--psf must be gaussian, pupil, or a spline calibration FILE.h5 (calibrate-psf's, Picasso's, SMAPpy's), got '${path}'`);
  const read = await readCalibrationFile(path);
  if (!read.spline) throw new UsageError(`--psf ${path} is not an HDF5 spline calibration (calibrate-psf's PSF.h5, Picasso 0.11's *_spline_calib.hdf5, SMAPpy's)`);
  return read.spline;
}

/** The simulation `run` parsed, with the spline PSF read (or none). */
function simulate(parsed: ReturnType<typeof SIMULATE_FLAGS.parse>, out: (line: string) => void, spline: SplineCalibration | undefined): number {
  const { positionals, text, on } = parsed;
  const path = positionals[0];
  const truthPath = join(dirname(path), `${basename(path, extname(path))}.truth.csv`);
  const n = (name: string, limits = {}) => {
    const value = text(name);
    return value === undefined ? undefined : parseNumber(value, `--${name}`, limits);
  };
  const t0 = performance.now();
  const pupil = pupilOptions(text, n, spline !== undefined);
  const psfRecord = pupilRecordPath(path);
  const pupilOutput = pupil || spline ? [{ path: psfRecord, role: 'the PSF\'s parameters' }] : [];
  // The spline's samples are camera pixels: its pixel size is the default, another refused.
  const pixelSizeNm = n('pixel-size') ?? spline?.pixelSizeNm;
  if (spline && pixelSizeNm !== undefined && spline.pixelSizeNm !== undefined && Math.abs(pixelSizeNm - spline.pixelSizeNm) > 1e-6 * pixelSizeNm) {
    throw new UsageError(`--pixel-size ${pixelSizeNm} nm differs from the ${spline.pixelSizeNm} nm pixels the spline PSF ${spline.source} was measured with: its samples are camera pixels (leave --pixel-size out to use the calibration's)`);
  }
  if (on('beads')) {
    checkSimulationOutputs([{ path, role: 'the bead stack' }, { path: truthPath, role: 'the ground truth' }, ...pupilOutput], on('overwrite'));
    let bad: Record<number, { zOffsetNm?: number; fixedSigmaNm?: number }> | undefined;
    const badBead = text('bad-bead');
    if (badBead !== undefined) {
      const m = /^(\d+):(height|stuck)$/.exec(badBead);
      if (!m || Number(m[1]) < 1 || Number(m[1]) > BEADS) throw new UsageError(`--bad-bead needs K:height or K:stuck with K from 1 to ${BEADS}, got '${badBead}'`);
      bad = { [Number(m[1]) - 1]: m[2] === 'height' ? { zOffsetNm: BAD_BEADS.heightNm } : { fixedSigmaNm: BAD_BEADS.stuckSigmaNm } };
    }
    const r = writeBeadStack(path, truthPath, {
      width: n('width', { integer: true, min: 32 }),
      height: n('height', { integer: true, min: 32 }),
      frames: n('frames', { integer: true, min: 5 }),
      pixelSizeNm,
      zStartNm: n('z-start'),
      zStepNm: n('z-step'),
      photons: n('photons'),
      background: n('background'),
      baselineAdu: n('baseline'),
      photonsPerAdu: n('photons-per-adu'),
      readNoiseAdu: n('read-noise'),
      seed: n('seed', { integer: true }),
      bad,
      pupil,
      spline,
    });
    if (pupil) writePupilRecord(psfRecord, pupil, pixelSizeNm ?? B.pixelSizeNm);
    if (spline) writeSplineRecord(psfRecord, spline, pixelSizeNm ?? B.pixelSizeNm);
    out(`smlm-stream simulate: ${r.frames} frames of ${r.beads} beads → ${path}, their positions → ${truthPath}${pupil || spline ? `, the PSF → ${psfRecord}` : ''} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
    return EXIT.ok;
  }
  const zMax = n('astigmatism', { min: 0 });
  const options = {
    width: n('width', { integer: true, min: 1 }),
    height: n('height', { integer: true, min: 1 }),
    frames: n('frames', { integer: true, min: 1 }),
    pixelSizeNm,
    psfSigmaNm: n('psf-sigma'),
    density: n('density'),
    photons: n('photons'),
    background: n('background'),
    meanOnFrames: n('on-frames'),
    minSeparationNm: n('min-separation'),
    structure: text('structure') as StructureKind | undefined,
    structureCount: n('structure-count', { integer: true, min: 0 }),
    ringRadiusNm: n('ring-radius'),
    baselineAdu: n('baseline'),
    photonsPerAdu: n('photons-per-adu'),
    readNoiseAdu: n('read-noise'),
    emGain: n('em-gain'),
    sensor: text('sensor') as 'uniform' | 'scmos' | undefined,
    cameraPreset: text('camera-preset') as CameraPreset | undefined,
    cellBackground: on('cell-background') ? { peakPhotons: n('cell-peak', { min: 0 }), bleachFrames: n('cell-bleach', { min: 0 }), cells: n('cell-count', { integer: true, min: 1 }) } : undefined,
    seed: n('seed', { integer: true }),
    drift: text('drift') === undefined ? undefined : { ...parsePair(text('drift') as string, '--drift'), wobbleNm: n('wobble', { min: 0 }), wobblePeriodFrames: n('wobble-period', { min: 1 }) },
    astigmatism: zMax === undefined ? undefined : { ...DEFAULT_ASTIGMATISM, zRangeNm: [-zMax, zMax] as const },
    pupil,
    spline,
    sampleType: on('float32') ? ('float32' as const) : ('uint16' as const),
    bigTiff: on('bigtiff'),
  };
  if (!on('cell-background')) for (const flag of ['cell-peak', 'cell-bleach', 'cell-count']) if (text(flag) !== undefined) throw new UsageError(`--${flag} needs --cell-background`);
  const o = resolveSimulateStackOptions(options);
  if (o.width > MAX_SIDE_PX || o.height > MAX_SIDE_PX) throw new UsageError(`--width and --height are at most ${MAX_SIDE_PX} px, got ${o.width}×${o.height}`);
  const bytes = o.width * o.height * SAMPLE_BYTES[options.sampleType] * o.frames;
  if (bytes >= CLASSIC_TIFF_BYTES && !options.bigTiff) throw new UsageError(`${o.frames} frames of ${o.width}×${o.height} px take ${gigabytes(bytes)}, beyond classic TIFF's 4 GB: add --bigtiff`);
  const maps = mapPaths(path);
  checkSimulationOutputs([
    { path, role: 'the stack' },
    { path: truthPath, role: 'the ground truth' },
    { path: settingsPath(truthPath), role: 'the simulation\'s settings' },
    ...(o.drift ? [{ path: driftPath(truthPath), role: 'the true drift' }] : []),
    ...(o.sensor === 'scmos' ? [{ path: maps.offset, role: 'the offset map' }, { path: maps.variance, role: 'the variance map' }, { path: maps.gain, role: 'the gain map' }] : []),
    ...pupilOutput,
  ], on('overwrite'));
  const progress = new ProgressReporter(process.stderr, { unit: 'emitters' });
  // Announced as work to do ("writing … to"); "→ FILE" is printed once the files are written.
  if (!on('quiet')) process.stderr.write(`smlm-stream simulate: writing ${o.frames} frames of ${o.width}×${o.height} px (${gigabytes(bytes)}) to ${printable(path, Infinity)}\n`);
  let emitters = 0;
  const seconds = () => (performance.now() - t0) / 1000;
  const result = writeSimulation(path, truthPath, {
    ...options,
    onFrame: on('quiet')
      ? undefined
      : (frame, count) => {
          emitters += count;
          progress.update({ frames: frame + 1, total: o.frames, frame: frame + 1, localizations: emitters, seconds: seconds() });
        },
    // A dense frame takes a while: its emitters count up as they are placed and drawn.
    onEmitters: on('quiet') ? undefined : (frame, count) => progress.update({ frames: frame, total: o.frames, frame: frame + 1, localizations: emitters + count, seconds: seconds() }),
  });
  progress.done();
  if (pupil) writePupilRecord(psfRecord, pupil, o.pixelSizeNm);
  if (spline) writeSplineRecord(psfRecord, spline, o.pixelSizeNm);
  out(`smlm-stream simulate: ${result.frames} frames → ${path}, ${result.emitters} emitter-frames → ${truthPath} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
  out(`  settings (camera included): ${result.settings}`);
  if (pupil) out(`  PSF: a scalar pupil function → ${psfRecord}`);
  if (spline) out(`  PSF: the spline ${spline.source} → ${psfRecord}`);
  if (result.drift) out(`  true drift: ${result.drift}`);
  if (result.maps) out(`  sensor maps: ${result.maps.offset}, ${result.maps.variance}, ${result.maps.gain}`);
  return EXIT.ok;
}

/**
 * Check simulate's outputs (and the temporary names they are written under) before anything is
 * written, as every command does, and refuse to replace an existing file unless `--overwrite`
 * says so: simulate reads nothing, so a name that exists is most likely a recording of the
 * user's (a mistyped `simulate data/cells.tif`), and a stack cannot tell whether it was simulated.
 */
function checkSimulationOutputs(outputs: readonly NamedPath[], overwrite: boolean): void {
  checkOutputPaths([], outputs.flatMap((o) => [o, { path: temporaryPath(o.path), role: `${o.role}'s temporary file` }]));
  if (overwrite) return;
  for (const o of outputs) {
    if (lstatOrNothing(o.path)) throw new OutputPathError(o.path, `exists: refusing to replace it with ${o.role} (add --overwrite to replace it, or choose another name)`);
  }
}

/** A file's lstat, undefined when there is none. */
function lstatOrNothing(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The pupil PSF's options from `--psf pupil` and its flags; undefined for the Gaussian (whose flags refuse the pupil's). */
function pupilOptions(text: (name: string) => string | undefined, n: (name: string, limits?: object) => number | undefined, spline: boolean): PupilPsfOptions | undefined {
  const psf = text('psf') ?? 'gaussian';
  if (psf !== 'pupil') {
    const stray = PUPIL_FLAGS.find((flag) => text(flag) !== undefined);
    if (stray) throw new UsageError(`--${stray} describes the pupil PSF: add --psf pupil${spline ? ' (a spline calibration is its own optics)' : ''}`);
    return undefined;
  }
  return resolvePupilPsfOptions({
    numericalAperture: n('na'),
    wavelengthNm: n('wavelength'),
    immersionIndex: n('immersion-index'),
    sampleIndex: n('sample-index'),
    astigmatismNm: n('zernike-astigmatism'),
    sphericalNm: n('zernike-spherical'),
    comaNm: n('zernike-coma'),
    trefoilNm: n('zernike-trefoil'),
  });
}

/** Where a simulation with a pupil PSF records it: OUT.psf.json. */
function pupilRecordPath(path: string): string {
  return `${path.replace(/\.ome\.tiff?$|\.tiff?$/i, '')}.psf.json`;
}

/** The pupil PSF's record: what drew the spots (the optics, the sampling, the conventions). */
function writePupilRecord(path: string, pupil: PupilPsfOptions, pixelSizeNm: number): void {
  const record = {
    psf: 'scalar pupil function',
    ...resolvePupilPsfOptions(pupil),
    pixelSizeNm,
    aberrations: 'Zernike RMS amplitudes in nm of wavefront: astigmatism √6·ρ²·cos 2φ (Noll 6), spherical √5·(6ρ⁴ − 6ρ² + 1) (Noll 11)',
    z: 'the emitter\'s depth, nm, 0 in focus without aberrations; a positive astigmatism focuses x at negative z',
    normalisation: 'the PSF integrates to 1 over the whole plane (photons is the total)',
  };
  writeFileAtomically(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** A spline PSF's record: the calibration (without its coefficients), the convention and what N means. */
function writeSplineRecord(path: string, spline: SplineCalibration, pixelSizeNm: number): void {
  const record = {
    psf: 'tricubic spline (a measured PSF)',
    ...splineCalibrationRecord(spline),
    pixelSizeNm,
    sampling: 'each pixel gets photons × the spline at the pixel\'s centre (its samples are camera pixels about the emitter); values below 0 drawn as 0; no light beyond the spline\'s box',
    z: 'the emitter\'s depth, nm, as the calibration counts it',
    normalisation: 'photons counts what the calibration normalises to 1: calibrate-psf\'s brightest plane sums to 1 over its box, so photons is what that plane\'s box collects (a fit through the same spline reports the same N)',
  };
  writeFileAtomically(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** "X,Y" in nm. */
function parsePair(text: string, flag: string): { xNm: number; yNm: number } {
  const m = /^\s*([^,]+),([^,]+)\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} needs X,Y in nm, got '${text}'`);
  return { xNm: parseNumber(m[1], flag), yNm: parseNumber(m[2], flag) };
}

/** A size in GB or MB, for messages. */
function gigabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(0.1, bytes / 1e6).toFixed(1)} MB`;
}
