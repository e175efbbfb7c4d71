import { existsSync, readFileSync } from 'node:fs';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { pointTableChunks } from '../evaluate/PointTable.js';
import { PICASSO_UNCERTAINTY_COLUMNS, picassoYamlPath, writePicasso } from '../export/writePicasso.js';
import { temporaryPath } from '../export/writeFileAtomically.js';
import { sidecarPath } from '../export/writeSidecar.js';
import { parseCommandArgs } from './parseCommandArgs.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

export const help = `smlm-stream export LOCS.csv --format picasso [-o LOCS.hdf5] [options]

Writes our localization CSV in another tool's format. picasso: Picasso's HDF5 localization table
(/locs) and its YAML metadata, which Picasso: Render opens. The field of view, frame count and
pixel size come from the run's sidecar (LOCS.json) or from the options.

Options:
  --format F        picasso
  -o, --output FILE the .hdf5 to write (default: LOCS.hdf5)
  --width PX --height PX --frames N --pixel-size NM   when there is no sidecar
`;

/**
 * `smlm-stream export`.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      width: { type: 'string' },
      height: { type: 'string' },
      frames: { type: 'string' },
      'pixel-size': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`export needs one localization CSV, got ${positionals.length}`);
  if (values.format !== 'picasso') throw new UsageError(`export needs --format picasso (the only format so far), got '${values.format ?? ''}'`);
  const input = positionals[0];
  const output = values.output ?? input.replace(/\.[^./\\]*$/, '') + '.hdf5';
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
    width: pick(values.width, '--width', run.input?.width),
    height: pick(values.height, '--height', run.input?.height),
    frames: pick(values.frames, '--frames', run.input?.frameCount),
    pixelSizeNm: pick(values['pixel-size'], '--pixel-size', run.parameters?.camera?.pixelSizeNm),
    movie: run.input?.path,
    box: run.parameters?.fit?.box,
  });
  out(`smlm-stream export: ${written} localizations → ${output} (+ ${picassoYamlPath(output)}), Picasso format`);
  return 0;
}
