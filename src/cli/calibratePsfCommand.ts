import type { PsfBeadStack, PsfCalibrationResult } from '../astig/calibratePsf.js';
import { calibratePsf, PSF_CALIBRATION_DEFAULTS } from '../astig/calibratePsf.js';
import { defaultPsfBox } from '../astig/defaultPsfBox.js';
import { plotPsfCalibration } from '../astig/plotPsfCalibration.js';
import { readBeadWindows } from '../astig/readBeadWindows.js';
import { readBeadWindowsFitting } from '../astig/readBeadWindowsFitting.js';
import { saturationLevel } from '../camera/CameraModel.js';
import { InputFileError } from '../errors/InputFileError.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { RUN_RECORD } from '../export/checkRecordPath.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { sidecarPath, writeSidecar } from '../export/writeSidecar.js';
import { writeSplineCalibration } from '../export/writeSplineCalibration.js';
import { openStack } from '../io/openStack.js';
import { softwareVersion } from '../softwareVersion.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { CAMERA_CONVERSION_FLAGS } from './localizeCommand.js';
import { parseNumber } from './parseNumber.js';
import type { BeadStack } from './readBeadStack.js';
import { BEAD_CAMERA_ESTIMATE, readBeadStack } from './readBeadStack.js';
import { UsageError } from './UsageError.js';

const D = PSF_CALIBRATION_DEFAULTS;

/** Stacks whose pixel sizes differ by more than this fraction are not averaged into one PSF (0.5 %: a rounding of the metadata, not another magnification). */
const PIXEL_SIZE_TOLERANCE = 0.005;

export const CALIBRATE_PSF_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: "spline PSF to write (HDF5 in Picasso 0.11's *_spline_calib.hdf5 layout); the run's record is FILE with .json", default: 'BEADS.psf.h5 next to the first stack' },
    { name: 'plot', value: 'PNG', help: "draw the PSF's xz and yz sections and the leave-one-bead-out z error against z" },
  ]],
  ['The z-stacks', [
    { name: 'z-step', value: 'NM', help: 'z step from frame to frame, nm (required; negative when the stage moved down)' },
    { name: 'z-start', value: 'NM', help: 'stage z of the first frame, nm (the summary gives the focus in these z)', default: '0' },
    { name: 'z-origin', value: 'WHERE', help: "where the PSF's z = 0 is: stage (the stage's z = 0 of --z-start, --z-step: the z-stack says where the sample's zero is) or focus (the plane of the PSF's highest peak, which aberrations move off the nominal focus)", default: 'stage when --z-start is given, else focus' },
    { name: 'box', value: 'PX', help: "the spline's side, px (odd); each bead's window is 2·" + String(D.marginPx) + ' px wider, for the registration', default: `${D.boxPx}, or the odd px spanning ${D.minBoxNm} nm where more (25 at 65 nm pixels); where its windows hold fewer than ${D.fallbackMinBeads} beads apart, ${D.boxPx}, ${D.fallbackBoxesPx.join(', ')}` },
    { name: 'smooth-z', value: 'NM', help: 'σ of the Gaussian smoothing of the averaged PSF along z, nm (0: none)', default: String(D.smoothZNm) },
  ]],
  ["localize's uncertainty_z", [
    { name: 'spot-photons', value: 'N', help: "a spot's photons (the PSF box's at focus) that the left-out beads are thinned to, to measure the z error localize adds at a spot's brightness (0: at the beads' own)", default: String(D.spotPhotons) },
    { name: 'spot-background', value: 'N', help: "the thinned spots' background, photons a pixel", default: String(D.spotBackgroundPhotons) },
  ]],
  ['Camera (ThunderSTORM\'s names)', [
    ...CAMERA_CONVERSION_FLAGS,
    { name: 'saturation', value: 'ADU', help: 'pixels at or above this are saturated: a bead with one is left out', default: "the sample type's largest value, 65535 for 16 bits" },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = CALIBRATE_PSF_FLAGS;

export const help = `smlm-stream calibrate-psf BEADS.tif [MORE.tif …] --z-step NM [--z-start NM] [-o PSF.h5] [--plot PSF.png]

Calibrates an experimental PSF from z-stacks of fixed beads (frame k, counted from 1, at stage
z = z-start + (k − 1)·z-step; several stacks, same steps, as several inputs) as a tricubic spline
(Li et al., Nat. Methods 15:367, 2018): finds the beads, leaves out overlapping, saturated and
too dim or bright ones (×${D.brightnessRange} off the median), subtracts each bead's background (its window border's
median), normalises it, registers the beads to their average in x, y (sub-pixel) and z (sub-plane)
by cross-correlation (${D.iterations} passes), leaves out beads offset by more than ${D.maxShiftZNm} nm or ${D.maxShiftXYPx} px or shaped
unlike the others, averages them, smooths along z (Gaussian, --smooth-z) and normalises the PSF so
that its brightest plane sums to 1 over the box. z = 0 is the stage's z = 0 when --z-start is given
(the z-stack then says where the sample's zero is; a zero outside the PSF's planes falls back to
the focus), else the focus: the plane of the PSF's highest peak (--z-origin chooses). Each bead is
then left out in turn and its depth in each frame fitted through the PSF of the others, in the
window localize uses: the z error against the stage (RMS, per bead and over the usable range, where the
error per 100 nm stays under ${D.usableErrorNm} nm); and again with its frames thinned to a spot's
photons (--spot-photons, --spot-background): how far a spot's fit spreads beyond its CRLB at each
depth, which localize adds to uncertainty_z. The file is a spline calibration in Picasso 0.11's layout (Picasso
reads it; docs/guides/3d.md gives its fields); FILE.json records the run and every bead.
Without --baseline and --photons-per-adu the camera's offset and gain are estimated from each
stack (noise against brightness over ${BEAD_CAMERA_ESTIMATE.frames} frames spread over it, ${BEAD_CAMERA_ESTIMATE.retryFrames} where those leave the gain uncertain; the defaults, with a warning,
where that fails); the summary and the record say which.

${CALIBRATE_PSF_FLAGS.help()}`;

export const optionFlags = CALIBRATE_PSF_FLAGS.optionFlags;

/**
 * `smlm-stream calibrate-psf`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, text } = CALIBRATE_PSF_FLAGS.parse(argv);
  if (positionals.length === 0) throw new UsageError('calibrate-psf needs a bead z-stack (BEADS.tif)');
  const inputs = positionals;
  if (text('z-step') === undefined) throw new UsageError(`${inputs[0]}: the z step between its frames is not known: pass --z-step NM`);
  const zStepNm = parseNumber(text('z-step'), '--z-step');
  if (zStepNm === 0) throw new UsageError('--z-step must not be 0');
  const zStartNm = text('z-start') === undefined ? 0 : parseNumber(text('z-start'), '--z-start');
  const originFlag = text('z-origin') ?? (text('z-start') === undefined ? 'focus' : 'stage');
  if (originFlag !== 'focus' && originFlag !== 'stage') throw new UsageError(`--z-origin is stage or focus, got ${originFlag}`);
  const zOriginAsked: 'focus' | 'stage' = originFlag;
  const askedBox = text('box') === undefined ? undefined : parseNumber(text('box'), '--box', { integer: true, min: 5 });
  if (askedBox !== undefined && askedBox % 2 === 0) throw new UsageError(`--box must be odd, got ${askedBox}`);
  let box = askedBox ?? D.boxPx;
  // Why a smaller box than the default was used (the warning, and the run record's psf.boxNote).
  let boxNote: string | undefined;
  const smoothZNm = parseNumber(text('smooth-z') ?? String(D.smoothZNm), '--smooth-z', { min: 0 });
  const spotPhotons = parseNumber(text('spot-photons') ?? String(D.spotPhotons), '--spot-photons', { min: 0 });
  const spotBackgroundPhotons = parseNumber(text('spot-background') ?? String(D.spotBackgroundPhotons), '--spot-background', { min: 0 });
  const spot = spotPhotons > 0 ? { spotPhotons, spotBackgroundPhotons } : { spotFitsPerPlane: 0 };
  const output = text('output') ?? `${inputs[0].replace(/\.ome\.tiff?$|\.tiff?$/i, '')}.psf.h5`;
  const record = sidecarPath(output);
  const plot = text('plot');
  const optional = (name: string) => (text(name) === undefined ? undefined : parseNumber(text(name), `--${name}`));
  const started = new Date();
  const t0 = performance.now();
  const stacks: PsfBeadStack[] = [];
  const pixelSizes: { input: string; pixelSizeNm: number }[] = [];
  const cameras: CameraRecord[] = [];
  for (const input of inputs) {
    const { stack } = openStack(input);
    try {
      const metadata = stack.metadata;
      if (stacks.length === 0) {
        checkOutputPaths(
          inputs.map((path) => ({ path, role: 'a bead stack' })),
          [
            { path: output, role: 'the spline PSF' },
            { path: temporaryPath(output), role: "the spline PSF's temporary file" },
            { path: record, role: "the run's record", record: RUN_RECORD },
            { path: temporaryPath(record), role: "the record's temporary file" },
            ...(plot ? [{ path: plot, role: 'the plot' }, { path: temporaryPath(plot), role: "the plot's temporary file" }] : []),
          ],
        );
      }
      const bead = await readBeadStack(input, stack, optional, { saturation: true, estimateCamera: true });
      const { camera, readFrames } = bead;
      if (bead.warning) process.stderr.write(`smlm-stream: warning: ${input}: the camera could not be estimated (${bead.warning}): using the defaults (${camera.baselineAdu} ADU, ${camera.photonsPerAdu} e⁻/ADU); give --baseline and --photons-per-adu\n`);
      cameras.push(cameraRecord(input, bead));
      const pixel = camera.pixelSizeNm;
      const first = pixelSizes[0];
      if (first && !(Math.abs(pixel / first.pixelSizeNm - 1) < PIXEL_SIZE_TOLERANCE)) {
        throw new InputFileError(`${input} has ${+pixel.toFixed(2)} nm pixels, ${first.input} ${+first.pixelSizeNm.toFixed(2)} nm: one PSF is calibrated from stacks of one pixel size (calibrate them apart, or pass --pixel-size NM when a file's is wrong)`);
      }
      pixelSizes.push({ input, pixelSizeNm: pixel });
      let windows;
      try {
        // Dense beads or a small field: smaller boxes (the first stack decides for all).
        if (askedBox === undefined && stacks.length === 0) {
          box = defaultPsfBox(pixel);
          const fitting = await readBeadWindowsFitting(readFrames, metadata.width, metadata.height, box);
          [windows, box, boxNote] = [fitting.windows, fitting.boxPx, fitting.note];
          if (boxNote) process.stderr.write(`smlm-stream: warning: ${input}: ${boxNote}\n`);
        } else {
          windows = await readBeadWindows(readFrames, metadata.width, metadata.height, box + 2 * D.marginPx);
        }
      } catch (error) {
        if (error instanceof InputFileError && !error.message.startsWith(`${input}: `)) throw new InputFileError(`${input}: ${error.message}`);
        throw error;
      }
      const saturation = saturationLevel(camera, metadata.sampleType);
      // Half an ADU below the level: the windows hold photons as 32-bit floats, so a pixel read
      // at the level itself can round below the level's own 64-bit value (all beads of a stack
      // saturated at 65 535 ADU went unnoticed that way, with an estimated gain).
      stacks.push({ name: input, windows, saturationPhotons: (saturation - 0.5 - camera.baselineAdu) * camera.photonsPerAduNet, overlapping: windows.overlapping, nearEdge: windows.nearEdge });
    } finally {
      stack.close();
    }
  }
  const pixelSizeNm = pixelSizes[0].pixelSizeNm;
  const result = calibratePsf(stacks, { zStartNm, zStepNm, pixelSizeNm, boxPx: box, smoothZNm, zOrigin: zOriginAsked, ...spot });
  const kept = result.beads.filter((b) => b.kept).length;
  const zOrigin = result.zOrigin === 'stage'
    ? `the stage's z = 0 (--z-start, --z-step); the averaged PSF's highest peak is at z = ${result.focusStageZNm.toFixed(1)} nm`
    : `the focus: the plane of the averaged PSF's highest peak, at the stacks' z = ${result.focusStageZNm.toFixed(1)} nm`;
  const results = {
    beads: { found: result.beads.length, kept, leftOut: result.leftOut },
    zOrigin,
    focusStageZNm: result.focusStageZNm,
    normalisation: "the brightest plane's sum over the box is 1",
    psf: { boxPx: result.box, ...(boxNote && { boxNote }), planes: result.planes, zRangeNm: [Math.min(...result.planeZNm), Math.max(...result.planeZNm)] },
    leaveOneOut: {
      method: "each kept bead's frames fitted through the PSF of the others as localize fits a spot: Poisson MLE of x, y, z, N, b (x, y started at its registered position)",
      zErrorRmsNm: result.zErrorRmsNm ?? null,
      zErrorByDepth: result.zErrorByDepth ?? null,
      zErrorByDepthUse: spotPhotons > 0
        ? `in ${D.binNm}-nm bins about the focus (at least ${D.minBinFrames} frames), at each bin's mean z, from the left-out beads' fits at their brightness and thinned to spots of ${spotPhotons} photons on ${spotBackgroundPhotons} a pixel (${D.spotFitsPerPlane} fits a plane over the beads): modelErrorNm e, the PSF's own error, and crlbScale κ, a spot fit's spread over its CRLB; localize's uncertainty_z = √(e² + κ²·CRLB_z²) (e², κ² interpolated between bins); errorNm, √(⟨Δz²⟩ − ⟨CRLB²⟩) of the thinned fits, where the CRLB is not at hand; crlbScaleX, crlbScaleY, the thinned fits' x, y spread over their CRLB: uncertainty_x = κx·CRLB_x, y likewise`
        : `RMS in ${D.binNm}-nm bins about the focus (at least ${D.minBinFrames} frames), at each bin's mean z: localize adds it at each fitted z (variance interpolated between bins) to uncertainty_z`,
      beadZErrorByDepth: result.beadZErrorByDepth ?? null,
      usableRangeNm: result.usableRangeNm ?? null,
      usableCriterion: `100-nm bins about the focus whose RMS error is at most ${D.usableErrorNm} nm`,
    },
    camera: cameras,
    perBead: result.beads,
    messages: result.messages,
  };
  await writeSplineCalibration(output, result.spline, { pixelSizeNm, beads: kept, boxPx: result.box, record: { zOrigin, focusStageZNm: result.focusStageZNm, zErrorRmsNm: result.zErrorRmsNm ?? null, zErrorByDepth: result.zErrorByDepth ?? null, usableRangeNm: result.usableRangeNm ?? null, normalisation: results.normalisation, smoothZNm } });
  if (plot) writeFileAtomically(plot, await plotPsfCalibration(result, pixelSizeNm));
  const seconds = (performance.now() - t0) / 1000;
  writeSidecar(record, {
    software: { name: 'smlm-stream', version: softwareVersion() },
    step: 'calibrate-psf',
    inputs,
    output,
    parameters: { zStartNm, zStepNm, pixelSizeNm, boxPx: box, windowPx: box + 2 * D.marginPx, smoothZNm, spotPhotons, spotBackgroundPhotons, ...limits() },
    results,
    started: started.toISOString(),
    seconds,
    finished: new Date().toISOString(),
  });
  for (const m of result.messages) process.stderr.write(`smlm-stream: warning: ${inputs[0]}: ${m}\n`);
  summary(out, inputs, output, plot, result, { zStartNm, zStepNm, smoothZNm, seconds, zOrigin, cameras, spotPhotons });
  return EXIT.ok;
}

/** A stack's camera as the record and the summary give it. */
interface CameraRecord {
  input: string;
  source: BeadStack['cameraSource'];
  baselineAdu: number;
  photonsPerAdu: number;
  estimate?: { baselineAdu: number; baselineSdAdu: number; photonsPerAdu: number; photonsPerAduSd: number; readNoiseElectrons: number; effectiveGain: boolean };
  warning?: string;
}

/** The camera of one stack, for the record. */
function cameraRecord(input: string, b: BeadStack): CameraRecord {
  const e = b.estimate;
  return {
    input,
    source: b.cameraSource,
    baselineAdu: b.camera.baselineAdu,
    photonsPerAdu: b.camera.photonsPerAdu,
    ...(e ? { estimate: { baselineAdu: e.baselineAdu, baselineSdAdu: e.baselineSdAdu, photonsPerAdu: e.photonsPerAdu, photonsPerAduSd: e.photonsPerAduSd, readNoiseElectrons: e.readNoiseElectrons, effectiveGain: e.effectiveGain } } : {}),
    ...(b.warning ? { warning: b.warning } : {}),
  };
}

/** The rejection limits, for the record. */
function limits(): Record<string, number> {
  return { maxShiftZNm: D.maxShiftZNm, maxShiftXYPx: D.maxShiftXYPx, brightnessRange: D.brightnessRange, shapeOutlierMad: D.shapeOutlierMad, registrationPasses: D.iterations, usableErrorNm: D.usableErrorNm };
}

/** The end-of-run summary. */
function summary(out: (line: string) => void, inputs: string[], output: string, plot: string | undefined, r: PsfCalibrationResult, o: { zStartNm: number; zStepNm: number; smoothZNm: number; seconds: number; zOrigin: string; cameras: CameraRecord[]; spotPhotons: number }): void {
  const kept = r.beads.filter((b) => b.kept).length;
  const left = Object.entries(r.leftOut).map(([why, n]) => `${n} ${why}`).join(', ');
  const [zLo, zHi] = [Math.min(...r.planeZNm), Math.max(...r.planeZNm)];
  out(`smlm-stream calibrate-psf: ${inputs.join(', ')} → ${output}${plot ? ` (plot ${plot})` : ''}`);
  out(`  beads               ${kept} of ${r.beads.length} kept${left ? `; left out: ${left}` : ''}; z ${o.zStartNm} nm + k·${o.zStepNm} nm`);
  for (const c of o.cameras) {
    const e = c.estimate;
    const how = e ? `estimated from ${o.cameras.length > 1 ? c.input : 'the stack'}: offset ${e.baselineAdu.toFixed(1)} ± ${e.baselineSdAdu.toFixed(1)} ADU, ${e.photonsPerAdu.toFixed(3)} ± ${e.photonsPerAduSd.toFixed(3)} e⁻/ADU` : `${c.source === 'given' ? 'given' : 'the defaults (not estimated)'}: offset ${c.baselineAdu} ADU, ${c.photonsPerAdu} e⁻/ADU${o.cameras.length > 1 ? ` (${c.input})` : ''}`;
    out(`  camera              ${how}`);
  }
  out(`  PSF                 ${r.box}×${r.box} px × ${r.planes} planes, z ${zLo.toFixed(0)} to ${zHi.toFixed(0)} nm; brightest plane's sum = 1; smoothed along z, σ ${o.smoothZNm} nm`);
  out(`  z = 0               ${o.zOrigin}`);
  if (r.zErrorRmsNm !== undefined && r.usableRangeNm) {
    out(`  z error             ${r.zErrorRmsNm.toFixed(1)} nm RMS, leave-one-bead-out, over the usable range (each frame fitted for x, y, z, N, b as localize fits a spot)`);
    out(`  usable z range      ${r.usableRangeNm[0].toFixed(0)} to ${r.usableRangeNm[1].toFixed(0)} nm (100-nm bins with an RMS error ≤ ${D.usableErrorNm} nm)`);
  } else {
    out('  z error             not measured (one bead, or the beads disagree at the focus)');
  }
  const t = r.zErrorByDepth;
  if (t?.crlbScale && t.modelErrorNm) {
    const range = (v: readonly number[], d: number) => `${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)}`;
    out(`  at a spot           the beads thinned to ${o.spotPhotons} photons: fits spread ${range(t.crlbScale, 2)} × their CRLB, model error ${range(t.modelErrorNm, 1)} nm by depth; localize's uncertainty_z = √(model² + (spread × CRLB)²)`);
  }
  r.beads.forEach((b, i) => {
    const shift = b.shiftNm ? `, offset ${b.shiftNm.z >= 0 ? '+' : ''}${b.shiftNm.z.toFixed(1)} nm in z` : '';
    const shape = b.shapeResidual !== undefined ? `, shape ${(b.shapeResidual * 100).toFixed(1)} %` : '';
    const loo = b.leaveOneOut ? `, z error ${b.leaveOneOut.usableRmsNm.toFixed(1)} nm RMS (mean ${b.leaveOneOut.meanNm.toFixed(1)} nm)` : '';
    out(`  bead ${String(i + 1).padEnd(3)}            (${b.xNm.toFixed(0)}, ${b.yNm.toFixed(0)}) nm, ${b.photons.toFixed(0)} photons${shift}${shape}${loo}${b.kept ? '' : ` — left out: ${b.reason}`}`);
  });
  out(`  time                ${o.seconds.toFixed(1)} s`);
}
