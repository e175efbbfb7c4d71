import type { CalibrationDepthError, CurveFitQuality } from '../astig/AstigmaticCalibration.js';
import { CALIBRATION_DEFAULTS, calibrateAstigmatism, MAX_Z_ERROR_OVER_NOISE } from '../astig/calibrateAstigmatism.js';
import { MAX_CURVE_RMS_OVER_SCATTER, MAX_CURVE_RMS_SHARE } from '../astig/judgeCurves.js';
import { plotCalibration } from '../astig/plotCalibration.js';
import { readBeadWindows } from '../astig/readBeadWindows.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { CALIBRATION_RECORD } from '../export/checkRecordPath.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { InputFileError } from '../errors/InputFileError.js';
import { openStack } from '../io/openStack.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { CAMERA_CONVERSION_FLAGS } from './localizeCommand.js';
import { parseNumber } from './parseNumber.js';
import { readBeadStack } from './readBeadStack.js';
import { UsageError } from './UsageError.js';

export const CALIBRATE_3D_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: 'calibration to write (JSON): the two curves, the usable z range, the residuals, the z error, every bead', default: 'BEADS.calibration.json' },
    { name: 'plot', value: 'PNG', help: 'draw σx(z), σy(z) and every bead\'s widths' },
  ]],
  ['The z-stack', [
    { name: 'z-start', value: 'NM', help: 'z of the first frame, nm' },
    { name: 'z-step', value: 'NM', help: 'z step from frame to frame, nm' },
    { name: 'box', value: 'PX', help: 'window of each bead\'s fit, px (odd)', default: String(CALIBRATION_DEFAULTS.boxPx) },
  ]],
  ['Camera (ThunderSTORM\'s names)', CAMERA_CONVERSION_FLAGS],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = CALIBRATE_3D_FLAGS;

export const help = `smlm-stream calibrate-3d BEADS.tif --z-start NM --z-step NM [-o CALIB.json] [--plot calib.png]

Calibrates an astigmatic PSF from a z-stack of fixed beads (frame k, counted from 1 as the CSVs count frames, at z = z-start + (k − 1)·z-step):
finds the beads, fits σx and σy of each bead in each frame (an elliptical pixel-integrated
Gaussian, Poisson maximum likelihood), and fits one defocus curve per axis,
σ(z) = σ0·√(1 + u² + A·u³ + B·u⁴), u = (z − c)/d (Huang et al., Science 319:810, 2008; least
squares, Levenberg–Marquardt from several starts), leaving out beads that disagree with the
others (their RMS about the curves above ${CALIBRATION_DEFAULTS.rejectFactor} × the median). A curve fit that did not move
from its start, or curves whose RMS about the widths is above ${MAX_CURVE_RMS_SHARE} × the median width, are
refused (exit 2, nothing written); a fit that did not converge, or widths ${MAX_CURVE_RMS_OVER_SCATTER} × further from
the curves than the beads scatter at one z (not the astigmatic Gaussian), are warned about,
and said in the file's quality record. z = 0 is put midway between the two foci. Beads
whose two foci are closer than the z precision can separate (no cylindrical lens) are refused.
Each kept bead is then fitted in 3-D, as localize fits, through curves fitted without it: its z
against the stage's is the calibration's z error, stored with the part photon noise explains and
the rest, the model error, which localize adds to every uncertainty_z; a warning when the error is
above ${MAX_Z_ERROR_OVER_NOISE} × the noise (the PSF is not the astigmatic Gaussian). The summary
lists every bead; --plot shows them against the curves.

${CALIBRATE_3D_FLAGS.help()}`;

export const optionFlags = CALIBRATE_3D_FLAGS.optionFlags;

/**
 * `smlm-stream calibrate-3d`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = CALIBRATE_3D_FLAGS.parse(argv);
  if (positionals.length !== 1) throw new UsageError(`calibrate-3d needs one bead z-stack, got ${positionals.length}`);
  const input = positionals[0];
  const text = (name: string) => values[name] as string | undefined;
  const required = (name: string) => {
    if (text(name) === undefined) throw new UsageError(`calibrate-3d needs --${name} NM`);
    return parseNumber(text(name), `--${name}`);
  };
  const zStartNm = required('z-start');
  const zStepNm = required('z-step');
  if (zStepNm === 0) throw new UsageError('--z-step must not be 0');
  const box = parseNumber(text('box') ?? String(CALIBRATION_DEFAULTS.boxPx), '--box', { integer: true, min: 7 });
  if (box % 2 === 0) throw new UsageError(`--box must be odd, got ${box}`);
  const output = text('output') ?? `${input.replace(/\.ome\.tiff?$|\.tiff?$/i, '')}.calibration.json`;
  const plot = text('plot');
  const { stack } = openStack(input);
  try {
    const metadata = stack.metadata;
    checkOutputPaths(
      (metadata.series?.files ?? [metadata.path]).map((path) => ({ path, role: 'the bead stack' })),
      [
        { path: output, role: 'the calibration', record: CALIBRATION_RECORD },
        { path: temporaryPath(output), role: "the calibration's temporary file" },
        ...(plot ? [{ path: plot, role: 'the plot' }, { path: temporaryPath(plot), role: "the plot's temporary file" }] : []),
      ],
    );
    const optional = (name: string) => (text(name) === undefined ? undefined : parseNumber(text(name), `--${name}`));
    // Frames stream through one photon buffer: the calibration keeps only the mean image and
    // each bead's window (it reads the stack twice).
    const { camera, readFrames } = await readBeadStack(input, stack, optional);
    const t0 = performance.now();
    let result;
    try {
      const windows = await readBeadWindows(readFrames, metadata.width, metadata.height, box);
      result = calibrateAstigmatism(windows, metadata.width, metadata.height, { zStartNm, zStepNm, pixelSizeNm: camera.pixelSizeNm, boxPx: box });
    } catch (error) {
      // What is wrong with the beads, named with their file.
      if (error instanceof InputFileError && !error.message.startsWith(`${input}: `)) throw new InputFileError(`${input}: ${error.message}`);
      throw error;
    }
    const c = result.calibration;
    writeFileAtomically(output, `${JSON.stringify(c, null, 2)}\n`);
    if (plot) writeFileAtomically(plot, await plotCalibration(result));
    for (const w of c.warnings ?? []) process.stderr.write(`smlm-stream: warning: ${input}: ${w}\n`);
    const kept = c.beads.filter((b) => b.kept).length;
    const curve = (k: typeof c.x) => `σ0 ${k.sigma0Nm.toFixed(1)} nm, focus ${k.centerNm.toFixed(0)} nm, depth ${k.depthNm.toFixed(0)} nm, A ${k.a.toFixed(3)}, B ${k.b.toFixed(3)}`;
    out(`smlm-stream calibrate-3d: ${input} → ${output}${plot ? ` (plot ${plot})` : ''}`);
    out(`  beads               ${kept} of ${c.beads.length} kept; ${result.zNm.length} frames, z ${zStartNm} nm + k·${zStepNm} nm`);
    out(`  σx(z)               ${curve(c.x)}`);
    out(`  σy(z)               ${curve(c.y)}`);
    out(`  z = 0               ${c.zOrigin}: the stack's z = ${(Math.round(zStartNm - c.zStartNm) || 0).toFixed(0)} nm`);
    out(`  usable z range      ${c.zRangeNm[0].toFixed(0)} to ${c.zRangeNm[1].toFixed(0)} nm`);
    out(`  residuals           RMS ${c.residualsNm.x.toFixed(1)} nm (x), ${c.residualsNm.y.toFixed(1)} nm (y) over the kept beads`);
    out(`  curve fit           ${curveFitLine(c.quality)}`);
    out(`  foci                ${(c.fociSeparationNm ?? 0).toFixed(0)} nm apart; z precision midway ${(c.midpointZPrecisionNm ?? 0).toFixed(1)} nm (from the widths' scatter)`);
    out(`  z error             ${depthErrorLine(c.zError)}`);
    c.beads.forEach((b, i) => out(`  bead ${String(i + 1).padEnd(3)}            (${b.xNm.toFixed(0)}, ${b.yNm.toFixed(0)}) nm, ${b.frames} frames, RMS ${b.rmsNm.toFixed(1)} nm${b.kept ? '' : ` — left out: ${b.reason}`}`));
    out(`  time                ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return EXIT.ok;
  } finally {
    stack.close();
  }
}

/** The summary's line on the curve fit: converged or not, and the RMS against the beads' scatter. */
function curveFitLine(q: CurveFitQuality | undefined): string {
  if (!q) return 'not judged';
  const axis = (a: 'x' | 'y') => `${a} ${q.converged[a] ? 'converged' : 'NOT converged'} in ${q.iterations[a]} iterations (${q.startsConverged[a]} starts)${q.widthScatterNm ? `, RMS ${(q.rmsNm[a] / q.widthScatterNm[a]).toFixed(1)} × the beads' scatter at one z` : ''}`;
  return `${axis('x')}; ${axis('y')}${q.warnings.length ? ` — ${q.warnings.length} warning${q.warnings.length > 1 ? 's' : ''} (above)` : ''}`;
}

/** The summary's line on the calibration's own z error. */
function depthErrorLine(e: CalibrationDepthError | undefined): string {
  if (!e || e.frames === 0) return 'not measured (no bead frame fitted in 3-D through the curves)';
  const failed = e.failedFits ? `, ${e.failedFits} fits did not converge` : '';
  return `${e.rmsNm.toFixed(1)} nm RMS against the stage z (${e.method}, ${e.frames} bead frames${failed}); photon noise ${e.noiseRmsNm.toFixed(1)} nm, model error ${e.modelErrorNm.toFixed(1)} nm (added to localize's uncertainty_z)`;
}
