import { existsSync, readFileSync } from 'node:fs';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { pointTableChunks, skippedRowsWarning } from '../evaluate/PointTable.js';
import { CsvTableReader, TABLE_BLOCK_ROWS } from '../table/CsvTableReader.js';
import { sidecarPath } from '../export/writeSidecar.js';
import type { Colormap } from '../render/encodePng.js';
import { encodeDepthPng, encodePng, PNG_DEFAULTS } from '../render/encodePng.js';
import type { ImageAnnotation } from '../render/annotateImage.js';
import { layoutAnnotation } from '../render/annotateImage.js';
import type { RenderMode } from '../render/SuperResolutionImage.js';
import { MAX_GAUSSIAN_SIGMA_PX, RENDER_DEFAULTS, SuperResolutionImage } from '../render/SuperResolutionImage.js';
import { MAX_UNCERTAINTY_NM, RowFaultTally } from '../table/checkRows.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

const [LOW_DEPTH_PERCENTILE, HIGH_DEPTH_PERCENTILE] = RENDER_DEFAULTS.depthPercentiles;

/** The render command's flags, each default from the library's defaults. */
export const RENDER_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: 'PNG to write', default: 'LOCS.png' },
    { name: 'pixel', value: 'NM', help: 'output pixel size', default: String(RENDER_DEFAULTS.pixelNm) },
    { name: 'range', value: 'X0:X1,Y0:Y1', help: 'region in nm', default: 'the camera image from LOCS.json when present, else 0 to the largest coordinate' },
    { name: 'no-scale-bar', help: 'leave out the scale bar (bottom right, a round length about a fifth of the width) and the colour bar of --color z' },
  ]],
  ['Drawing', [
    { name: 'mode', value: 'M', help: 'histogram or gaussian (each localization a Gaussian of its own uncertainty, at least --min-sigma)', default: RENDER_DEFAULTS.mode },
    { name: 'min-sigma', value: 'NM', help: 'smallest Gaussian sigma', default: 'the output pixel size' },
  ]],
  ['Colour and contrast', [
    { name: 'colormap', value: 'C', help: 'hot or grey', default: PNG_DEFAULTS.colormap },
    { name: 'color', value: 'z|frame', help: 'colour by depth (3-D tables) or by frame (time), blue low, red high, brightness by density; with a colour bar' },
    { name: 'z-range', value: 'LO:HI', help: 'with --color z: the depths at the two ends, nm', default: `the percentiles ${LOW_DEPTH_PERCENTILE} and ${HIGH_DEPTH_PERCENTILE} of z` },
    { name: 'bit-depth', value: 'B', help: '8 (colour map) or 16 (grey)', default: String(PNG_DEFAULTS.bitDepth) },
    { name: 'percentile', value: 'P', help: 'pixel value shown at full scale: this percentile of non-zero pixels', default: String(PNG_DEFAULTS.percentile) },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = RENDER_FLAGS;

export const help = `smlm-stream render LOCS.csv -o image.png [options]

Renders a super-resolution image from a localization CSV (ours or ThunderSTORM's: "x [nm]",
"y [nm]", and "uncertainty [nm]" for the gaussian mode).

${RENDER_FLAGS.help()}`;

/** Parse "X0:X1,Y0:Y1" (nm). */
function parseRange(text: string): { x0: number; x1: number; y0: number; y1: number } {
  const m = /^\s*(-?[\d.]+):(-?[\d.]+),(-?[\d.]+):(-?[\d.]+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--range needs X0:X1,Y0:Y1 in nm, got '${text}'`);
  const [x0, x1, y0, y1] = m.slice(1).map(Number);
  return { x0, x1, y0, y1 };
}

/** The camera field of view from a run's sidecar, nm, when it is there. */
function fieldOfViewFromSidecar(csvPath: string): { x0: number; x1: number; y0: number; y1: number } | undefined {
  const path = sidecarPath(csvPath);
  if (!existsSync(path)) return undefined;
  const s = JSON.parse(readFileSync(path, 'utf8')) as { input?: { width?: number; height?: number }; parameters?: { camera?: { pixelSizeNm?: number } } };
  const p = s.parameters?.camera?.pixelSizeNm;
  const w = s.input?.width;
  const h = s.input?.height;
  return p && w && h ? { x0: 0, x1: w * p, y0: 0, y1: h * p } : undefined;
}

/**
/**
 * The rows a render left out, one sentence each: unusable frame, x or y (at reading), and in
 * gaussian mode an unusable uncertainty or a σ too wide to draw.
 */
function renderWarnings(input: string, skipped: RowFaultTally, image: SuperResolutionImage): string[] {
  const rows = (n: number) => (n === 1 ? '1 localization' : `${n} localizations`);
  const warnings: string[] = [];
  const read = skippedRowsWarning(input, skipped);
  if (read) warnings.push(read);
  if (image.badValue > 0) warnings.push(`${rows(image.badValue)} not drawn: z missing or infinite`);
  if (image.badUncertainty > 0) warnings.push(`${rows(image.badUncertainty)} not drawn: uncertainty missing, negative or above ${MAX_UNCERTAINTY_NM} nm`);
  if (image.tooWide > 0) warnings.push(`${rows(image.tooWide)} not drawn: uncertainty above ${MAX_GAUSSIAN_SIGMA_PX} output pixels (${MAX_GAUSSIAN_SIGMA_PX * image.pixelNm} nm); raise --pixel to draw them`);
  return warnings;
}

/**
 * `smlm-stream render`: the table is read block by block (twice when the range comes from the
 * largest coordinate; z whole only for --color z without --z-range, for its percentiles), so
 * memory is the image's and a block's whatever the rows. Rows without a usable frame, x or y
 * are left out, counted and warned about.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @param blockRows - rows per block read @default {@link TABLE_BLOCK_ROWS}
 */
export function run(argv: string[], out: (line: string) => void, blockRows = TABLE_BLOCK_ROWS): number {
  const { positionals, text, on } = RENDER_FLAGS.parse(argv);
  const values = {
    output: text('output'),
    pixel: text('pixel'),
    mode: text('mode'),
    'min-sigma': text('min-sigma'),
    range: text('range'),
    colormap: text('colormap'),
    color: text('color'),
    'z-range': text('z-range'),
    'bit-depth': text('bit-depth'),
    percentile: text('percentile'),
  };
  if (positionals.length !== 1) throw new UsageError(`render needs one localization CSV, got ${positionals.length}`);
  const input = positionals[0];
  const scaleBar = !on('no-scale-bar');
  const output = values.output ?? input.replace(/\.[^./\\]*$/, '') + '.png';
  checkOutputPaths(
    [{ path: input, role: 'the localization CSV' }, { path: sidecarPath(input), role: "the CSV's sidecar" }],
    [{ path: output, role: 'the image' }, { path: temporaryPath(output), role: "the image's temporary file" }],
  );
  const probe = new CsvTableReader(input);
  probe.close();
  const { header } = probe;
  let range = values.range ? parseRange(values.range) : fieldOfViewFromSidecar(input);
  if (!range) {
    let xm = 0;
    let ym = 0;
    // Rows left out here are counted by the drawing pass.
    for (const table of pointTableChunks(input, blockRows, new RowFaultTally())) {
      for (let i = 0; i < table.x.length; i++) {
        xm = Math.max(xm, table.x[i]);
        ym = Math.max(ym, table.y[i]);
      }
    }
    range = { x0: 0, x1: Math.max(xm, 1), y0: 0, y1: Math.max(ym, 1) };
  }
  const pixelNm = values.pixel === undefined ? RENDER_DEFAULTS.pixelNm : parseNumber(values.pixel, '--pixel', { min: 1e-3 });
  const mode = (values.mode ?? RENDER_DEFAULTS.mode) as RenderMode;
  if (mode !== 'histogram' && mode !== 'gaussian') throw new UsageError(`--mode must be histogram or gaussian, got '${values.mode}'`);
  const image = new SuperResolutionImage({
    pixelNm,
    mode,
    range,
    minSigmaNm: values['min-sigma'] === undefined ? undefined : parseNumber(values['min-sigma'], '--min-sigma', { min: 0, max: MAX_GAUSSIAN_SIGMA_PX * pixelNm }),
  });
  const hasUncertainty = header.includes('uncertainty [nm]');
  if (mode === 'gaussian' && !hasUncertainty) throw new UsageError(`${input}: the gaussian mode needs an "uncertainty [nm]" column`);
  const byDepth = values.color === 'z';
  const byFrame = values.color === 'frame';
  if (values.color !== undefined && !byDepth && !byFrame) throw new UsageError(`--color must be z or frame, got '${values.color}'`);
  if (byDepth && !header.includes('z [nm]')) throw new UsageError(`${input}: --color z needs a "z [nm]" column (a 3-D run: localize --calibration)`);
  let zRange: [number, number] | undefined;
  if (byDepth && values['z-range'] !== undefined) {
    const m = /^\s*(-?[\d.]+):(-?[\d.]+)\s*$/.exec(values['z-range']);
    if (!m) throw new UsageError(`--z-range needs LO:HI in nm, got '${values['z-range']}'`);
    zRange = [Number(m[1]), Number(m[2])];
  }
  // The finite depths, kept for their percentiles when no --z-range gives the ends.
  const depths = byDepth && !zRange ? new Float64Array(CsvTableReader.rowCapacity(input)) : undefined;
  let finiteDepths = 0;
  // With --color frame: the first and last frames, the two ends of the colours.
  let firstFrame = Infinity;
  let lastFrame = -Infinity;
  let rows = 0;
  const skipped = new RowFaultTally();
  for (const table of pointTableChunks(input, blockRows, skipped)) {
    const z = byDepth ? table.columns.get('z [nm]') : byFrame ? table.frame : undefined;
    image.add(table.x, table.y, table.columns.get('uncertainty [nm]'), table.x.length, z);
    if (byFrame) {
      for (let i = 0; i < table.frame.length; i++) {
        firstFrame = Math.min(firstFrame, table.frame[i]);
        lastFrame = Math.max(lastFrame, table.frame[i]);
      }
    }
    rows += table.x.length;
    if (depths && z) for (let i = 0; i < z.length && finiteDepths < depths.length; i++) if (Number.isFinite(z[i])) depths[finiteDepths++] = z[i];
  }
  // Said after the line naming the image (as filter's and merge's notes), once it is written.
  const warnings = renderWarnings(input, skipped, image);
  const percentile = values.percentile === undefined ? undefined : parseNumber(values.percentile, '--percentile');
  if (byFrame) {
    // One frame alone still gets a range (its colour blue), as one depth does below.
    const frameRange: [number, number] = firstFrame <= lastFrame ? [firstFrame, Math.max(lastFrame, firstFrame + 1)] : [0, 1];
    const annotation: ImageAnnotation | undefined = scaleBar ? { scaleBarPixelNm: pixelNm, colorBar: { title: 'frame', range: frameRange } } : undefined;
    if (annotation) warnings.push(...layoutAnnotation(image.width, image.height, annotation).omitted);
    writeFileAtomically(output, encodeDepthPng(image.counts, image.weighted, image.width, image.height, frameRange, percentile, annotation));
    out(`smlm-stream render: ${image.drawn} of ${rows} localizations → ${output} (${image.width}×${image.height} px of ${pixelNm} nm, ${mode}, coloured by frame from ${frameRange[0]} (blue) to ${frameRange[1]} (red))`);
    for (const warning of warnings) out(`  warning: ${warning}`);
    return EXIT.ok;
  }
  if (byDepth) {
    if (!zRange) {
      const sorted = (depths ?? new Float64Array(0)).subarray(0, finiteDepths).sort();
      zRange = sorted.length ? [sorted[Math.floor((LOW_DEPTH_PERCENTILE / 100) * (sorted.length - 1))], sorted[Math.ceil((HIGH_DEPTH_PERCENTILE / 100) * (sorted.length - 1))]] : [0, 1];
      if (!(zRange[1] > zRange[0])) zRange = [zRange[0] - 1, zRange[0] + 1];
    }
    const annotation: ImageAnnotation | undefined = scaleBar ? { scaleBarPixelNm: pixelNm, colorBar: { title: 'z', range: zRange, unit: 'nm' } } : undefined;
    if (annotation) warnings.push(...layoutAnnotation(image.width, image.height, annotation).omitted);
    writeFileAtomically(output, encodeDepthPng(image.counts, image.weighted, image.width, image.height, zRange, percentile, annotation));
    out(`smlm-stream render: ${image.drawn} of ${rows} localizations → ${output} (${image.width}×${image.height} px of ${pixelNm} nm, ${mode}, coloured by z from ${zRange[0].toFixed(0)} nm (blue) to ${zRange[1].toFixed(0)} nm (red))`);
    for (const warning of warnings) out(`  warning: ${warning}`);
    return EXIT.ok;
  }
  const bitDepth = values['bit-depth'] === undefined ? PNG_DEFAULTS.bitDepth : parseNumber(values['bit-depth'], '--bit-depth', { integer: true });
  if (bitDepth !== 8 && bitDepth !== 16) throw new UsageError(`--bit-depth must be 8 or 16, got ${bitDepth}`);
  const annotation: ImageAnnotation | undefined = scaleBar ? { scaleBarPixelNm: pixelNm } : undefined;
  if (annotation) warnings.push(...layoutAnnotation(image.width, image.height, annotation).omitted);
  const png = encodePng(image.counts, image.width, image.height, {
    colormap: (values.colormap ?? PNG_DEFAULTS.colormap) as Colormap,
    bitDepth,
    percentile,
    annotation,
  });
  writeFileAtomically(output, png);
  out(`smlm-stream render: ${image.drawn} of ${rows} localizations → ${output} (${image.width}×${image.height} px of ${pixelNm} nm, ${mode})`);
  for (const warning of warnings) out(`  warning: ${warning}`);
  return EXIT.ok;
}
