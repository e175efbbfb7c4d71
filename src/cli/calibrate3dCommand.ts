import { calibrateAstigmatism } from '../astig/calibrateAstigmatism.js';
import { plotCalibration } from '../astig/plotCalibration.js';
import { frameCamera, resolveCamera, toPhotons } from '../camera/CameraModel.js';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { openStack } from '../io/openStack.js';
import { FlagTable } from './FlagTable.js';
import { CAMERA_CONVERSION_FLAGS } from './localizeCommand.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

export const CALIBRATE_3D_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: 'calibration to write (JSON): the two curves, the usable z range, the residuals, every bead', default: 'BEADS.calibration.json' },
    { name: 'plot', value: 'PNG', help: 'draw σx(z), σy(z) and every bead\'s widths' },
  ]],
  ['The z-stack', [
    { name: 'z-start', value: 'NM', help: 'z of the first frame, nm' },
    { name: 'z-step', value: 'NM', help: 'z step from frame to frame, nm' },
    { name: 'box', value: 'PX', help: 'window of each bead\'s fit, px (odd)', default: '15' },
  ]],
  ['Camera (ThunderSTORM\'s names)', CAMERA_CONVERSION_FLAGS],
]);

export const help = `smlm-stream calibrate-3d BEADS.tif --z-start NM --z-step NM [-o CALIB.json] [--plot calib.png]

Calibrates an astigmatic PSF from a z-stack of fixed beads (frame k at z = z-start + (k − 1)·z-step):
finds the beads, fits σx and σy of each bead in each frame (an elliptical pixel-integrated
Gaussian), and fits one defocus curve per axis, σ(z) = σ0·√(1 + u² + A·u³ + B·u⁴), u = (z − c)/d
(Huang et al., Science 319:810, 2008), leaving out beads that disagree with the others (their
RMS about the curves above 3 × the median). z = 0 is put midway between the two foci. The
summary lists every bead; --plot shows them against the curves.

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
  const box = parseNumber(text('box') ?? '15', '--box', { integer: true, min: 7 });
  if (box % 2 === 0) throw new UsageError(`--box must be odd, got ${box}`);
  const output = text('output') ?? `${input.replace(/\.ome\.tiff?$|\.tiff?$/i, '')}.calibration.json`;
  const plot = text('plot');
  const { stack } = openStack(input);
  try {
    const metadata = stack.metadata;
    checkOutputPaths(
      (metadata.series?.files ?? [metadata.path]).map((path) => ({ path, role: 'the bead stack' })),
      [
        { path: output, role: 'the calibration' },
        { path: temporaryPath(output), role: "the calibration's temporary file" },
        ...(plot ? [{ path: plot, role: 'the plot' }, { path: temporaryPath(plot), role: "the plot's temporary file" }] : []),
      ],
    );
    const optional = (name: string) => (text(name) === undefined ? undefined : parseNumber(text(name), `--${name}`));
    const pixelSizeNm = optional('pixel-size') ?? metadata.pixelSizeNm;
    if (pixelSizeNm === undefined) throw new UsageError(`${input}: the file gives no pixel size; pass --pixel-size NM`);
    const camera = resolveCamera({ pixelSizeNm, baselineAdu: optional('baseline'), photonsPerAdu: optional('photons-per-adu'), emGain: optional('em-gain'), qe: optional('qe') });
    const perFrame = frameCamera(camera, metadata.width, metadata.height);
    const frames: Float64Array[] = [];
    for await (const frame of stack.frames()) {
      const photons = new Float64Array(frame.width * frame.height);
      toPhotons(perFrame, frame.data, photons);
      frames.push(photons);
    }
    const t0 = performance.now();
    const result = calibrateAstigmatism(frames, metadata.width, metadata.height, { zStartNm, zStepNm, pixelSizeNm: camera.pixelSizeNm, boxPx: box });
    const c = result.calibration;
    writeFileAtomically(output, `${JSON.stringify(c, null, 2)}\n`);
    if (plot) writeFileAtomically(plot, await plotCalibration(result));
    const kept = c.beads.filter((b) => b.kept).length;
    const curve = (k: typeof c.x) => `σ0 ${k.sigma0Nm.toFixed(1)} nm, focus ${k.centerNm.toFixed(0)} nm, depth ${k.depthNm.toFixed(0)} nm, A ${k.a.toFixed(3)}, B ${k.b.toFixed(3)}`;
    out(`smlm-stream calibrate-3d: ${input} → ${output}${plot ? ` (plot ${plot})` : ''}`);
    out(`  beads               ${kept} of ${c.beads.length} kept; ${frames.length} frames, z ${zStartNm} nm + k·${zStepNm} nm`);
    out(`  σx(z)               ${curve(c.x)}`);
    out(`  σy(z)               ${curve(c.y)}`);
    out(`  z = 0               ${c.zOrigin}: the stack's z = ${(Math.round(zStartNm - c.zStartNm) || 0).toFixed(0)} nm`);
    out(`  usable z range      ${c.zRangeNm[0].toFixed(0)} to ${c.zRangeNm[1].toFixed(0)} nm`);
    out(`  residuals           RMS ${c.residualsNm.x.toFixed(1)} nm (x), ${c.residualsNm.y.toFixed(1)} nm (y) over the kept beads`);
    c.beads.forEach((b, i) => out(`  bead ${String(i + 1).padEnd(3)}            (${b.xNm.toFixed(0)}, ${b.yNm.toFixed(0)}) nm, ${b.frames} frames, RMS ${b.rmsNm.toFixed(1)} nm${b.kept ? '' : ` — left out: ${b.reason}`}`));
    out(`  time                ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    stack.close();
  }
}
