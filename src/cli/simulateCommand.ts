import { lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { OutputPathError } from '../errors/OutputPathError.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import type { NamedPath } from '../export/checkOutputPaths.js';
import { temporaryPath } from '../export/writeFileAtomically.js';
import { driftPath } from '../table/driftPath.js';
import { SAMPLE_BYTES } from '../io/Frame.js';
import { resolveSimulateStackOptions } from '../simulate/simulateStack.js';
import type { StructureKind } from '../simulate/Structure.js';
import { mapPaths, writeSimulation } from '../simulate/writeSimulation.js';
import { writeBeadStack } from '../simulate/writeBeadStack.js';
import { DEFAULT_ASTIGMATISM } from '../simulate/simulateBeadStack.js';
import { parseCommandArgs } from './parseCommandArgs.js';
import { parseNumber } from './parseNumber.js';
import { ProgressReporter } from './ProgressReporter.js';
import { printable } from '../errors/printable.js';
import { UsageError } from './UsageError.js';

/** The largest frame side simulated, px (sCMOS sensors are 2048–4096 px). */
const MAX_SIDE_PX = 8192;
/** Classic TIFF's 32-bit offsets end at 4 GiB. */
const CLASSIC_TIFF_BYTES = 2 ** 32;

export const help = `smlm-stream simulate OUT.tif [options]

Writes a simulated blinking SMLM stack (pixel-integrated Gaussian spots, Poisson noise, camera
offset, gain and read noise) and its ground truth OUT.truth.csv (frame, x [nm], y [nm], photons,
background).

Options:
  --width PX            frame width (default 64, at most ${MAX_SIDE_PX})
  --height PX           frame height (default 64, at most ${MAX_SIDE_PX})
  --frames N            frames (default 100)
  --pixel-size NM       pixel size (default 100)
  --psf-sigma NM        PSF sigma (default 130)
  --density D           emitters on per µm² in a frame (default 0.2)
  --photons N           photons per emitter per frame (default 2000)
  --background B        background, photons/px (default 20)
  --on-frames F         mean frames an emitter stays on (default 3)
  --min-separation NM   smallest distance between emitters on together (default 0)
  --structure S         what the molecules label: random (default), filaments or rings
  --structure-count N   filaments or rings in the field (default: 4 filaments, a ring per 2 µm²)
  --ring-radius NM      radius of the rings (default 150)
  --baseline ADU        camera offset (default 100)
  --photons-per-adu E   photoelectrons per A/D count (default 1)
  --read-noise ADU      read noise standard deviation (default 1.5)
  --em-gain G           EM gain: an EM register (excess-noise factor 2) before the read noise
                        (default 1: none)
  --sensor S            uniform (default) or scmos: every pixel its own offset, gain and read
                        noise, 3 % hot pixels; writes OUT.offset.tif, OUT.variance.tif and
                        OUT.gain.tif (ADU, ADU², ADU per e⁻) next to the stack
  --drift X,Y           stage drift from the first frame to the last, nm (default none); the
                        truth stays in the sample, its trajectory in OUT.truth.drift.csv
  --wobble NM           with --drift: a wobble of this amplitude on top of the line (default 0)
  --wobble-period N     its period, frames (default 1000)
  --astigmatism NM      3-D: an astigmatic PSF (the bead stacks' curves, below), each emitter at
                        a depth drawn from −NM…NM; the truth gains "z [nm]"
  --seed S              random seed (default 1)
  --float32             write float32 pixels (default uint16)
  --bigtiff             write BigTIFF (needed beyond 4 GB)
  --quiet               no progress
  --overwrite           replace the stack, its truth and maps if they exist (without it, an
                        existing file is refused: it may be a recording)

A bead z-stack for calibrate-3d instead (an astigmatic PSF, σx and σy from the defocus model
of Huang et al. 2008: foci at −200 and +200 nm, σ0 130 nm, depth 400 nm):
  --beads               3×3 fixed beads (--photons default 20000, --background 50), frame k
                        at z = z-start + k·z-step; the truth (bead, x, y) in OUT.truth.csv
  --z-start NM          z of the first frame (default −800)
  --z-step NM           z step (default 20; --frames default 81)
  --bad-bead K:KIND     bead K (1–9) is bad: K:height (250 nm above the others) or K:stuck
                        (does not defocus)
`;

/** The flag of each simulation option, for error messages. */
export const optionFlags: Readonly<Record<string, string>> = {
  width: '--width',
  height: '--height',
  frames: '--frames',
  pixelSizeNm: '--pixel-size',
  psfSigmaNm: '--psf-sigma',
  density: '--density',
  photons: '--photons',
  background: '--background',
  meanOnFrames: '--on-frames',
  minSeparationNm: '--min-separation',
  structure: '--structure',
  structureCount: '--structure-count',
  ringRadiusNm: '--ring-radius',
  baselineAdu: '--baseline',
  photonsPerAdu: '--photons-per-adu',
  readNoiseAdu: '--read-noise',
  emGain: '--em-gain',
  sensor: '--sensor',
  drift: '--drift',
  seed: '--seed',
};

/**
 * `smlm-stream simulate`: write a stack and its truth, with progress on stderr.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export function run(argv: string[], out: (line: string) => void): number {
  const { values, positionals } = parseCommandArgs(argv, {
      width: { type: 'string' },
      height: { type: 'string' },
      frames: { type: 'string' },
      'pixel-size': { type: 'string' },
      'psf-sigma': { type: 'string' },
      density: { type: 'string' },
      photons: { type: 'string' },
      background: { type: 'string' },
      'on-frames': { type: 'string' },
      'min-separation': { type: 'string' },
      structure: { type: 'string' },
      'structure-count': { type: 'string' },
      'ring-radius': { type: 'string' },
      baseline: { type: 'string' },
      'photons-per-adu': { type: 'string' },
      'read-noise': { type: 'string' },
      'em-gain': { type: 'string' },
      sensor: { type: 'string' },
      seed: { type: 'string' },
      drift: { type: 'string' },
      wobble: { type: 'string' },
      'wobble-period': { type: 'string' },
      float32: { type: 'boolean', default: false },
      bigtiff: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      overwrite: { type: 'boolean', default: false },
      beads: { type: 'boolean', default: false },
      astigmatism: { type: 'string' },
      'z-start': { type: 'string' },
      'z-step': { type: 'string' },
      'bad-bead': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`simulate needs one output file, got ${positionals.length} (see smlm-stream simulate --help)`);
  const path = positionals[0];
  const truthPath = join(dirname(path), `${basename(path, extname(path))}.truth.csv`);
  const n = (name: string, limits = {}) => {
    const text = values[name as keyof typeof values];
    return typeof text === 'string' ? parseNumber(text, `--${name}`, limits) : undefined;
  };
  const t0 = performance.now();
  if (values.beads) {
    checkSimulationOutputs([{ path, role: 'the bead stack' }, { path: truthPath, role: 'the ground truth' }], values.overwrite);
    let bad: Record<number, { zOffsetNm?: number; fixedSigmaNm?: number }> | undefined;
    if (values['bad-bead'] !== undefined) {
      const m = /^(\d+):(height|stuck)$/.exec(values['bad-bead'] as string);
      if (!m || Number(m[1]) < 1 || Number(m[1]) > 9) throw new UsageError(`--bad-bead needs K:height or K:stuck with K from 1 to 9, got '${String(values['bad-bead'])}'`);
      bad = { [Number(m[1]) - 1]: m[2] === 'height' ? { zOffsetNm: 250 } : { fixedSigmaNm: 200 } };
    }
    const r = writeBeadStack(path, truthPath, {
      width: n('width', { integer: true, min: 32 }),
      height: n('height', { integer: true, min: 32 }),
      frames: n('frames', { integer: true, min: 5 }),
      pixelSizeNm: n('pixel-size'),
      zStartNm: n('z-start'),
      zStepNm: n('z-step'),
      photons: n('photons'),
      background: n('background'),
      baselineAdu: n('baseline'),
      photonsPerAdu: n('photons-per-adu'),
      readNoiseAdu: n('read-noise'),
      seed: n('seed', { integer: true }),
      bad,
    });
    out(`smlm-stream simulate: ${r.frames} frames of ${r.beads} beads → ${path}, their positions → ${truthPath} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
    return 0;
  }
  const zMax = n('astigmatism', { min: 0 });
  const options = {
    width: n('width', { integer: true, min: 1 }),
    height: n('height', { integer: true, min: 1 }),
    frames: n('frames', { integer: true, min: 1 }),
    pixelSizeNm: n('pixel-size'),
    psfSigmaNm: n('psf-sigma'),
    density: n('density'),
    photons: n('photons'),
    background: n('background'),
    meanOnFrames: n('on-frames'),
    minSeparationNm: n('min-separation'),
    structure: values.structure as StructureKind | undefined,
    structureCount: n('structure-count', { integer: true, min: 0 }),
    ringRadiusNm: n('ring-radius'),
    baselineAdu: n('baseline'),
    photonsPerAdu: n('photons-per-adu'),
    readNoiseAdu: n('read-noise'),
    emGain: n('em-gain'),
    sensor: values.sensor as 'uniform' | 'scmos' | undefined,
    seed: n('seed', { integer: true }),
    drift: values.drift === undefined ? undefined : { ...parsePair(values.drift as string, '--drift'), wobbleNm: n('wobble', { min: 0 }), wobblePeriodFrames: n('wobble-period', { min: 1 }) },
    astigmatism: zMax === undefined ? undefined : { ...DEFAULT_ASTIGMATISM, zRangeNm: [-zMax, zMax] as const },
    sampleType: values.float32 ? ('float32' as const) : ('uint16' as const),
    bigTiff: values.bigtiff,
  };
  const o = resolveSimulateStackOptions(options);
  if (o.width > MAX_SIDE_PX || o.height > MAX_SIDE_PX) throw new UsageError(`--width and --height are at most ${MAX_SIDE_PX} px, got ${o.width}×${o.height}`);
  const bytes = o.width * o.height * SAMPLE_BYTES[options.sampleType] * o.frames;
  if (bytes >= CLASSIC_TIFF_BYTES && !options.bigTiff) throw new UsageError(`${o.frames} frames of ${o.width}×${o.height} px take ${gigabytes(bytes)}, beyond classic TIFF's 4 GB: add --bigtiff`);
  const maps = mapPaths(path);
  checkSimulationOutputs([
    { path, role: 'the stack' },
    { path: truthPath, role: 'the ground truth' },
    ...(o.drift ? [{ path: driftPath(truthPath), role: 'the true drift' }] : []),
    ...(o.sensor === 'scmos' ? [{ path: maps.offset, role: 'the offset map' }, { path: maps.variance, role: 'the variance map' }, { path: maps.gain, role: 'the gain map' }] : []),
  ], values.overwrite);
  const progress = new ProgressReporter(process.stderr, { unit: 'emitters' });
  // Announced as work to do ("writing … to"); "→ FILE" is printed once the files are written.
  if (!values.quiet) process.stderr.write(`smlm-stream simulate: writing ${o.frames} frames of ${o.width}×${o.height} px (${gigabytes(bytes)}) to ${printable(path, Infinity)}\n`);
  let emitters = 0;
  const seconds = () => (performance.now() - t0) / 1000;
  const result = writeSimulation(path, truthPath, {
    ...options,
    onFrame: values.quiet
      ? undefined
      : (frame, count) => {
          emitters += count;
          progress.update({ frames: frame + 1, total: o.frames, frame: frame + 1, localizations: emitters, seconds: seconds() });
        },
    // A dense frame takes a while: its emitters count up as they are placed and drawn.
    onEmitters: values.quiet ? undefined : (frame, count) => progress.update({ frames: frame, total: o.frames, frame: frame + 1, localizations: emitters + count, seconds: seconds() }),
  });
  progress.done();
  out(`smlm-stream simulate: ${result.frames} frames → ${path}, ${result.emitters} emitter-frames → ${truthPath} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
  if (result.drift) out(`  true drift: ${result.drift}`);
  if (result.maps) out(`  sensor maps: ${result.maps.offset}, ${result.maps.variance}, ${result.maps.gain}`);
  return 0;
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
