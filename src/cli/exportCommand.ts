import { existsSync, readFileSync } from 'node:fs';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { pointTableChunks } from '../evaluate/PointTable.js';
import { PICASSO_UNCERTAINTY_COLUMNS, picassoYamlPath, writePicasso } from '../export/writePicasso.js';
import { temporaryPath } from '../export/writeFileAtomically.js';
import { sidecarPath } from '../export/writeSidecar.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

/** The export command's flags, each default from the library's defaults. */
export const EXPORT_FLAGS = new FlagTable([
  ['Output', [
    { name: 'format', value: 'F', help: 'picasso (the only format so far)' },
    { name: 'output', short: 'o', value: 'FILE', help: 'the .hdf5 to write (its YAML next to it)', default: 'LOCS.hdf5' },
  ]],
  ['The run, when there is no sidecar (LOCS.json gives them otherwise)', [
    { name: 'width', value: 'PX', help: 'frame width, px' },
    { name: 'height', value: 'PX', help: 'frame height, px' },
    { name: 'frames', value: 'N', help: 'frames in the stack' },
    { name: 'pixel-size', value: 'NM', help: 'camera pixel size in the sample, nm' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = EXPORT_FLAGS;

export const help = `smlm-stream export LOCS.csv --format picasso [-o LOCS.hdf5] [options]

Writes our localization CSV in another tool's format. picasso: Picasso's HDF5 localization table
(/locs) and its YAML metadata, which Picasso: Render opens. The field of view, frame count and
pixel size come from the run's sidecar (LOCS.json) or from the options.

${EXPORT_FLAGS.help()}`;

/**
 * `smlm-stream export`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, text } = EXPORT_FLAGS.parse(argv);
  if (positionals.length !== 1) throw new UsageError(`export needs one localization CSV, got ${positionals.length}`);
  if (text('format') !== 'picasso') throw new UsageError(`export needs --format picasso (the only format so far), got '${text('format') ?? ''}'`);
  const input = positionals[0];
  const output = text('output') ?? input.replace(/\.[^./\\]*$/, '') + '.hdf5';
  const sidecar = sidecarPath(input);
  checkOutputPaths(
    [{ path: input, role: 'the localization CSV' }, { path: sidecar, role: "the CSV's sidecar" }],
    [
      { path: output, role: 'the Picasso HDF5 file' },
      { path: temporaryPath(output), role: "the Picasso HDF5 file's temporary file" },
      { path: picassoYamlPath(output), role: 'the Picasso YAML file' },
      { path: temporaryPath(picassoYamlPath(output)), role: "the Picasso YAML file's temporary file" },
    ],
  );
  const run = existsSync(sidecar)
    ? (JSON.parse(readFileSync(sidecar, 'utf8')) as { input?: { path?: string; width?: number; height?: number; frameCount?: number }; parameters?: { camera?: { pixelSizeNm?: number }; fit?: { box?: number } } })
    : {};
  const pick = (option: string | undefined, name: string, fallback: number | undefined) => {
    if (option !== undefined) return parseNumber(option, name, { min: 0 });
    if (fallback === undefined) throw new UsageError(`${input}: no sidecar (${sidecar}) gives it; pass ${name}`);
    return fallback;
  };
  const written = await writePicasso(output, pointTableChunks(input, undefined, undefined, PICASSO_UNCERTAINTY_COLUMNS), {
    width: pick(text('width'), '--width', run.input?.width),
    height: pick(text('height'), '--height', run.input?.height),
    frames: pick(text('frames'), '--frames', run.input?.frameCount),
    pixelSizeNm: pick(text('pixel-size'), '--pixel-size', run.parameters?.camera?.pixelSizeNm),
    movie: run.input?.path,
    box: run.parameters?.fit?.box,
  });
  out(`smlm-stream export: ${written} localizations → ${output} (+ ${picassoYamlPath(output)}), Picasso format`);
  return EXIT.ok;
}
