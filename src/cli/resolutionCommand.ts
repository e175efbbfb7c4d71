import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { sidecarPath } from '../export/writeSidecar.js';
import type { FrcSplit } from '../post/estimateFrc.js';
import { estimateFrcOfColumns, FRC_DEFAULTS, frcPixelNm, resolveFrcOptions } from '../post/estimateFrc.js';
import { NENA_DEFAULTS } from '../post/estimateNena.js';
import { nenaOrReason } from '../post/nenaOrReason.js';
import { softwareVersion } from '../softwareVersion.js';
import { findFaultyRows } from '../table/checkRows.js';
import { DETECTIONS_HEADER } from '../table/columns.js';
import { findColumn, positionColumns } from '../table/LocalizationTable.js';
import { refuseFaultyRows } from '../table/refuseFaultyRows.js';
import { TableSource } from '../table/TableSource.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

/** The resolution command's flags, each default from the library's defaults. */
export const RESOLUTION_FLAGS = new FlagTable([
  ['Output', [
    { name: 'json', value: 'FILE', help: 'write the figures, the parameters used, the FRC curve and the NeNA histogram as JSON (e.g. LOCS.resolution.json: not LOCS.json, the CSV\'s sidecar)' },
    { name: 'plot', value: 'FILE', help: 'draw the FRC curve (the 1/7 threshold and the crossing marked) and the NeNA histogram with its fit as a PNG' },
  ]],
  ['NeNA (Endesfelder et al., Histochem. Cell Biol. 2014)', [
    { name: 'nena-radius', value: 'NM', help: "a localization's nearest neighbour in the next frame counts within this distance", default: String(NENA_DEFAULTS.searchRadiusNm), option: 'searchRadiusNm' },
    { name: 'nena-bin', value: 'NM', help: 'bin width of the distance histogram the model is fitted to', default: String(NENA_DEFAULTS.binNm), option: 'binNm' },
    { name: 'nena-short-range', help: "also fit the model's short-range term (neighbours a few σ away: dimers, clusters); off by default, as it takes a spread of precisions among molecules for neighbours", option: 'shortRangeTerm' },
  ]],
  ['FRC (Nieuwenhuizen et al., Nat. Methods 2013)', [
    { name: 'pixel', value: 'NM', help: 'pixel of the two half-images', default: `NeNA × ${FRC_DEFAULTS.pixelPerNena} within ${FRC_DEFAULTS.minPixelNm} to ${FRC_DEFAULTS.maxPixelNm} nm; ${FRC_DEFAULTS.pixelNm} nm without NeNA`, option: 'pixelNm' },
    { name: 'splits', value: 'N', help: 'splits into two halves: the resolution is their mean ± SD', default: String(FRC_DEFAULTS.splits), option: 'splits' },
    { name: 'split', value: 'S', help: 'random (each localization to a half) or frame-blocks (the acquisition in --blocks blocks of frames, half of them to each half: repeated localizations of a molecule stay in one half)', default: FRC_DEFAULTS.split, option: 'split' },
    { name: 'blocks', value: 'N', help: 'blocks of consecutive frames for --split frame-blocks', default: String(FRC_DEFAULTS.blocks), option: 'blocks' },
    { name: 'seed', value: 'N', help: 'seed of the random splits (the same seed, the same halves)', default: String(FRC_DEFAULTS.seed), option: 'seed' },
    { name: 'image-size', value: 'PX', help: 'side of the Fourier transform (a power of two); a wider field is folded into it', default: String(FRC_DEFAULTS.maxImagePx), option: 'maxImagePx' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = RESOLUTION_FLAGS;

export const help = `smlm-stream resolution LOCS.csv [--json OUT.json] [--plot frc.png] [options]

Estimates the resolution of a localization table (ours or ThunderSTORM's: "frame", "x [nm]",
"y [nm]"): NeNA, the mean localization precision from the distances between localizations and
their nearest neighbours in the next frame (per-frame localizations: not a merged table), and
FRC, the resolution where the Fourier ring correlation of two halves of the table falls below
1/7. Both are printed with their uncertainties; --json and --plot write them down.

${RESOLUTION_FLAGS.help()}`;

export const optionFlags = RESOLUTION_FLAGS.optionFlags;

/** The flags that take a value (to name the flag that gave a missing file). */
export const valueFlags = RESOLUTION_FLAGS.valueFlags;

/** A number for JSON: NaN and infinities become null (JSON has neither). */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * `smlm-stream resolution`: reads the frame, x and y columns (and a merged table's
 * `detections`), runs NeNA (its pixel rule feeds FRC's default pixel), then FRC; prints both,
 * and writes the JSON and the plot when asked. A table NeNA cannot use (merged, too few
 * next-frame pairs) still gets its FRC, the reason NeNA is missing said on the terminal and in
 * the JSON.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, text, on } = RESOLUTION_FLAGS.parse(argv);
  if (positionals.length !== 1) throw new UsageError(`resolution needs one localization CSV, got ${positionals.length}`);
  const input = positionals[0];
  const json = text('json');
  const plot = text('plot');
  checkOutputPaths(
    [{ path: input, role: 'the localization CSV' }, { path: sidecarPath(input), role: "the CSV's sidecar" }],
    [
      ...(json ? [{ path: json, role: 'the JSON' }, { path: temporaryPath(json), role: "the JSON's temporary file" }] : []),
      ...(plot ? [{ path: plot, role: 'the plot' }, { path: temporaryPath(plot), role: "the plot's temporary file" }] : []),
    ],
  );
  const number = (flag: string, fallback: number, limits: { min?: number; max?: number; integer?: boolean } = {}) => (text(flag) === undefined ? fallback : parseNumber(text(flag), `--${flag}`, limits));
  const nenaOptions = {
    searchRadiusNm: number('nena-radius', NENA_DEFAULTS.searchRadiusNm, { min: 1e-3 }),
    binNm: number('nena-bin', NENA_DEFAULTS.binNm, { min: 1e-3 }),
    shortRangeTerm: on('nena-short-range'),
  };
  const split = (text('split') ?? FRC_DEFAULTS.split) as FrcSplit;
  if (split !== 'random' && split !== 'frame-blocks') throw new UsageError(`--split must be random or frame-blocks, got '${split}'`);
  const givenPixel = text('pixel') === undefined ? undefined : parseNumber(text('pixel'), '--pixel', { min: 1e-3 });
  const frcOptions = {
    splits: number('splits', FRC_DEFAULTS.splits, { integer: true, min: 1, max: 100 }),
    split,
    blocks: number('blocks', FRC_DEFAULTS.blocks, { integer: true, min: 2, max: 1e6 }),
    seed: number('seed', FRC_DEFAULTS.seed, { integer: true }),
    maxImagePx: number('image-size', FRC_DEFAULTS.maxImagePx, { integer: true, min: 16, max: 8192 }),
  };
  if ((frcOptions.maxImagePx & (frcOptions.maxImagePx - 1)) !== 0) throw new UsageError(`--image-size must be a power of two (16 to 8192), got ${frcOptions.maxImagePx}`);

  const t0 = performance.now();
  const table = new TableSource(input);
  const c = positionColumns(table, input);
  const detectionsColumn = findColumn(table, DETECTIONS_HEADER);
  const columns = table.readColumns(detectionsColumn >= 0 ? [c.frame, c.x, c.y, detectionsColumn] : [c.frame, c.x, c.y], [c.frame]);
  const [frame, x, y] = columns;
  refuseFaultyRows(input, 'resolution', findFaultyRows(frame, x, y));
  const readSeconds = (performance.now() - t0) / 1000;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < frame.length; i++) {
    first = Math.min(first, frame[i]);
    last = Math.max(last, frame[i]);
  }
  out(`smlm-stream resolution: ${frame.length} localizations of ${input}${frame.length ? ` (frames ${first} to ${last})` : ''}, read in ${readSeconds.toFixed(1)} s`);

  const t1 = performance.now();
  const { nena, reason: nenaError } = nenaOrReason(frame, x, y, detectionsColumn >= 0 ? (columns[3] as Float64Array) : undefined, nenaOptions, input);
  const nenaSeconds = (performance.now() - t1) / 1000;
  if (nena) {
    const f = nena.fit;
    const terms = [`pair term ${(100 * f.pairFraction).toFixed(1)} %`, ...(f.shortRangeTerm ? [`short-range term ${(100 * f.shortRangeFraction).toFixed(1)} % at ${f.shortRangeCenterNm.toFixed(1)} nm`] : []), `background ${(100 * f.backgroundFraction).toFixed(1)} %`];
    out(`  NeNA  ${nena.nenaNm.toFixed(2)} ± ${nena.nenaStandardErrorNm.toFixed(2)} nm  mean localization precision (${nena.pairs} next-frame pairs within ${nena.searchRadiusNm} nm; ${terms.join(', ')}; ${nenaSeconds.toFixed(1)} s)`);
    if (nena.nenaNm > nena.searchRadiusNm / 5) out(`  warning: NeNA is over a fifth of the search radius: the pair distances are cut off; widen it (--nena-radius)`);
  } else {
    out(`  NeNA  not available: ${nenaError}`);
  }

  const pixelNm = givenPixel ?? frcPixelNm(nena?.nenaNm);
  const pixelFrom = givenPixel !== undefined ? '--pixel' : nena ? `NeNA × ${FRC_DEFAULTS.pixelPerNena}` : 'the default without NeNA';
  const t2 = performance.now();
  const frc = estimateFrcOfColumns(frame, x, y, resolveFrcOptions({ ...frcOptions, pixelNm }), input);
  const frcSeconds = (performance.now() - t2) / 1000;
  const how = `mean ± SD of ${frc.options.splits} ${frc.options.split === 'random' ? 'random' : `frame-block (${frc.options.blocks} blocks of ${frc.blockFrames} frames)`} split${frc.options.splits === 1 ? '' : 's'}; pixel ${pixelNm.toFixed(2)} nm from ${pixelFrom}; ${frc.imagePx}-px transform${frc.folded ? ', the field folded into it' : ''}; ${frcSeconds.toFixed(1)} s`;
  if (Number.isFinite(frc.resolutionNm)) {
    out(`  FRC   ${frc.resolutionNm.toFixed(1)} ± ${frc.resolutionSdNm.toFixed(1)} nm  resolution at the 1/7 threshold (${how})`);
    const missed = frc.splitResolutionsNm.filter((r) => !Number.isFinite(r)).length;
    if (missed > 0) out(`  warning: ${missed} of ${frc.options.splits} splits stayed above 1/7 up to the Nyquist frequency: the mean is of the others`);
    if (frc.resolutionNm < 4 * pixelNm) out(`  warning: the FRC resolution is under 4 pixels: the pixel may limit it; try a finer --pixel`);
  } else {
    out(`  FRC   not found: the curve stays above 1/7 up to the Nyquist frequency (${(2 * pixelNm).toFixed(1)} nm); use a finer --pixel (${how})`);
  }

  if (json) {
    const record = {
      software: 'smlm-stream',
      version: softwareVersion(),
      input,
      localizations: frame.length,
      nenaNm: nena ? nena.nenaNm : null,
      nenaStandardErrorNm: nena ? finite(nena.nenaStandardErrorNm) : null,
      frcResolutionNm: finite(frc.resolutionNm),
      frcResolutionSdNm: finite(frc.resolutionSdNm),
      nena: nena
        ? {
            method: 'Endesfelder et al. 2014: next-frame nearest-neighbour distances, binned maximum likelihood',
            pairs: nena.pairs,
            parameters: { searchRadiusNm: nena.searchRadiusNm, binNm: nena.binNm, shortRangeTerm: nena.shortRangeTerm },
            fit: Object.fromEntries(Object.entries(nena.fit).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v])),
            histogram: { binNm: nena.binNm, counts: Array.from(nena.histogram.counts), expected: Array.from(nena.histogram.expected), expectedPair: Array.from(nena.histogram.expectedPair) },
            seconds: nenaSeconds,
          }
        : { error: nenaError, parameters: nenaOptions },
      frc: {
        method: 'Nieuwenhuizen et al. 2013: two halves, Tukey window, 2-D FFT, ring correlation smoothed, 1/7 threshold',
        parameters: { ...frc.options, pixelFrom, threshold: frc.threshold },
        imagePx: frc.imagePx,
        folded: frc.folded,
        blockFrames: frc.options.split === 'frame-blocks' ? frc.blockFrames : null,
        splitResolutionsNm: frc.splitResolutionsNm.map(finite),
        curve: { frequencyPerNm: Array.from(frc.curve.frequencyPerNm), frc: Array.from(frc.curve.frc), smoothed: Array.from(frc.curve.smoothed) },
        seconds: frcSeconds,
      },
      seconds: (performance.now() - t0) / 1000,
    };
    writeFileAtomically(json, `${JSON.stringify(record, null, 1)}\n`);
    out(`  → ${json}`);
  }
  if (plot) {
    const { plotResolution } = await import('../post/plotResolution.js');
    writeFileAtomically(plot, await plotResolution(frc, nena));
    out(`  → ${plot}`);
  }
  return EXIT.ok;
}
