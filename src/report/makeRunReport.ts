import { InputFileError } from '../errors/InputFileError.js';
import { readPointTable, skippedRowsWarning } from '../evaluate/PointTable.js';
import { estimateFrcOfColumns, frcPixelNm, resolveFrcOptions } from '../post/estimateFrc.js';
import { nenaOrReason } from '../post/nenaOrReason.js';
import type { PointTable } from '../evaluate/PointTable.js';
import { readDriftTrajectory } from '../post/readDriftTrajectory.js';
import { chooseScaleBar } from '../render/chooseScaleBar.js';
import { encodePng } from '../render/encodePng.js';
import { RENDER_DEFAULTS, SuperResolutionImage } from '../render/SuperResolutionImage.js';
import { softwareVersion } from '../softwareVersion.js';
import { RowFaultTally } from '../table/checkRows.js';
import { ASTIGMATIC_COLUMNS, DETECTIONS_HEADER, LOCALIZATION_COLUMNS } from '../table/columns.js';
import type { Column } from '../table/columns.js';
import { asRecord, readRunRecord } from './readRunRecord.js';
import type { JsonRecord, RunRecordChain } from './readRunRecord.js';
import type { DriftResult, FrcResult, NenaResult, NotComputed, ReportContent, ReportImage } from './ReportContent.js';
import { frameCountsPlot, histogramSpec, lineSpec } from './reportPlots.js';
import { columnHistogram, frameCounts } from './summarizeTable.js';
import { vegaSvg } from '../render/vegaSvg.js';

/**
 * The report's limits, each chosen by the report of 10⁶ made-up localizations spread evenly over
 * a 25.6 µm field (test/bench/reportScale.ts, the worst case for PNG compression):
 * - `maxImageSidePx`: the image's longest side; its pixel is 10 nm (`RENDER_DEFAULTS.pixelNm`,
 *   render's pixel when no NeNA is had: a page is an overview, finer than the NeNA-based pixel
 *   `render` now takes by default would only make it heavier), or coarser so the field fits. At 2048 px that image was 6.5 MB of PNG, 8.8 MB of page (the
 *   limit is 10 MB); at 1600 px, 2·10⁵ localizations drawn as Gaussians make a 5.5 MB page.
 * - `maxGaussianRows`: up to this many localizations each is drawn as a Gaussian of its
 *   uncertainty, above it as a histogram (a Gaussian costs a window of pixels: 10⁶ of them took
 *   5 of the report's 20 s on a loaded machine; drawn as a histogram, the 10⁶ made a 1.2 MB page
 *   in 5.8 s of CPU before NeNA and FRC, 9.0 s with them; at a pixel of 10 nm or more the two look alike for precisions of a few nm).
 * - `maxDriftPoints`: the most points of the drift plot (a line needs no more).
 */
export const REPORT_DEFAULTS = { maxImageSidePx: 1600, maxGaussianRows: 200_000, maxDriftPoints: 2000 } as const;

/** The columns histogrammed, by their key in the column list, with the label a reader sees. */
const HISTOGRAMS: readonly { key: Column['key']; label: string }[] = [
  { key: 'intensity', label: 'photons' },
  { key: 'offset', label: 'background (photons per pixel)' },
  { key: 'uncertainty', label: 'lateral uncertainty (CRLB)' },
  { key: 'sigma', label: 'PSF σ' },
  { key: 'z', label: 'z' },
];

/** The column of a key (2-D or 3-D). */
function columnOf(key: Column['key']): Column {
  return [...LOCALIZATION_COLUMNS, ...ASTIGMATIC_COLUMNS].find((c) => c.key === key) as Column;
}

/** The field of view, nm: the camera image from the run's record, else 0 to the largest coordinate. */
function fieldOfView(run: JsonRecord | undefined, table: PointTable): { x0: number; x1: number; y0: number; y1: number } {
  const input = asRecord(run?.input);
  const pixel = asRecord(asRecord(run?.parameters).camera).pixelSizeNm;
  if (typeof input.width === 'number' && typeof input.height === 'number' && typeof pixel === 'number' && pixel > 0) {
    return { x0: 0, x1: input.width * pixel, y0: 0, y1: input.height * pixel };
  }
  let xm = 1;
  let ym = 1;
  for (let i = 0; i < table.x.length; i++) {
    if (table.x[i] > xm) xm = table.x[i];
    if (table.y[i] > ym) ym = table.y[i];
  }
  return { x0: 0, x1: xm, y0: 0, y1: ym };
}

/** The super-resolution image: Gaussians of each localization's uncertainty where the table has it (and is not too long), else a histogram. */
function reportImage(run: JsonRecord | undefined, table: PointTable): ReportImage {
  const range = fieldOfView(run, table);
  const side = Math.max(range.x1 - range.x0, range.y1 - range.y0);
  const pixelNm = Math.max(RENDER_DEFAULTS.pixelNm, Math.ceil(side / REPORT_DEFAULTS.maxImageSidePx));
  const column = table.columns.get(columnOf('uncertainty').header);
  const uncertainty = column && table.x.length <= REPORT_DEFAULTS.maxGaussianRows ? column : undefined;
  const mode = uncertainty ? 'gaussian' : 'histogram';
  const image = new SuperResolutionImage({ pixelNm, mode, range });
  image.add(table.x, table.y, uncertainty, table.x.length);
  const png = encodePng(image.counts, image.width, image.height, { colormap: 'hot' });
  const modeText = mode === 'gaussian' ? `each a Gaussian of its uncertainty, at least ${pixelNm} nm` : 'a histogram';
  return { png, width: image.width, height: image.height, pixelNm, mode: modeText, drawn: image.drawn, scaleBar: chooseScaleBar(image.width * pixelNm, pixelNm) };
}

/** The drift trajectory's plot, or why there is none. */
async function driftResult(chain: RunRecordChain): Promise<DriftResult | NotComputed | undefined> {
  const d = chain.drift;
  if (!d) return undefined;
  if (!d.path) return { reason: `the drift step's trajectory ${d.recorded} is missing (looked there and next to the record)` };
  const { x, y } = readDriftTrajectory(d.path);
  const frames = x.length;
  const every = Math.max(1, Math.ceil(frames / REPORT_DEFAULTS.maxDriftPoints));
  const at: number[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  let maxX = 0;
  let maxY = 0;
  for (let f = 0; f < frames; f++) {
    maxX = Math.max(maxX, Math.abs(x[f]));
    maxY = Math.max(maxY, Math.abs(y[f]));
    if (f % every === 0 || f === frames - 1) {
      at.push(f + 1);
      xs.push(x[f]);
      ys.push(y[f]);
    }
  }
  const svg = await vegaSvg(lineSpec({ title: 'drift trajectory (subtracted from the positions)', xTitle: 'frame', yTitle: 'drift [nm]', series: [{ name: 'x', x: at, y: xs }, { name: 'y', x: at, y: ys }] }));
  return { svg, path: d.path, frames, maxAbsNm: { x: maxX, y: maxY }, precisionNm: d.precisionNm };
}

/**
 * NeNA and FRC of the table (src/post/estimateNena.ts, estimateFrc.ts with their defaults; FRC's
 * pixel from NeNA), each with its plot, or the reason it could not be had (a merged table, too
 * few next-frame pairs, too few localizations: the library's own message).
 */
async function resolutionResults(table: PointTable, path: string): Promise<{ nena: NenaResult | NotComputed; frc: FrcResult | NotComputed }> {
  const detections = table.columns.get(DETECTIONS_HEADER);
  let nena: NenaResult | NotComputed;
  const got = nenaOrReason(table.frame, table.x, table.y, detections, {}, path);
  const nenaNm = got.nena?.nenaNm;
  if (got.nena) {
    const n = got.nena;
    const { binNm } = n;
    const centres = Array.from(n.histogram.counts, (_, k) => (k + 0.5) * binNm);
    const plot = lineSpec({
      title: 'distances to the nearest neighbour in the next frame',
      xTitle: 'distance [nm]',
      yTitle: 'pairs per bin',
      series: [{ name: 'measured', x: centres, y: n.histogram.counts }, { name: 'fit', x: centres, y: n.histogram.expected }, { name: 'pair term', x: centres, y: n.histogram.expectedPair }],
    });
    nena = { precisionNm: n.nenaNm, precisionSeNm: n.nenaStandardErrorNm, pairs: n.pairs, svg: await vegaSvg(plot), parameters: { searchRadiusNm: n.searchRadiusNm, binNm } };
  } else {
    nena = { reason: got.reason };
  }
  let frc: FrcResult | NotComputed;
  try {
    const f = estimateFrcOfColumns(table.frame, table.x, table.y, resolveFrcOptions({ pixelNm: frcPixelNm(nenaNm) }), path);
    const perUm = Array.from(f.curve.frequencyPerNm, (q) => q * 1000);
    const crossed = Number.isFinite(f.resolutionNm);
    const plot = lineSpec({
      title: `Fourier ring correlation (mean of ${f.options.splits} ${f.options.split} splits)`,
      xTitle: 'spatial frequency [1/µm]',
      yTitle: 'FRC',
      series: [{ name: 'FRC', x: perUm.slice(1), y: f.curve.frc.slice(1) }, { name: 'smoothed', x: perUm.slice(1), y: f.curve.smoothed.slice(1) }],
      hRule: { y: f.threshold, label: '1/7' },
      vRule: crossed ? { x: 1000 / f.resolutionNm, label: `${Number(f.resolutionNm.toPrecision(3))} nm` } : undefined,
    });
    const { options } = f;
    const parameters = { ...options, pixelFrom: nenaNm === undefined ? 'the default (no NeNA)' : 'NeNA', imagePx: f.imagePx, folded: f.folded, localizations: f.localizations, splitResolutionsNm: f.splitResolutionsNm };
    frc = crossed
      ? { resolutionNm: f.resolutionNm, resolutionSdNm: f.resolutionSdNm, svg: await vegaSvg(plot), parameters }
      : { reason: `the FRC curve stayed above 1/7 up to the Nyquist frequency of ${options.pixelNm} nm pixels in every split: no resolution` };
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    frc = { reason: error.message };
  }
  return { nena, frc };
}

/**
 * The content of a run's report: the record (a localization run's sidecar, or a later step's)
 * and the table it describes read, the image drawn, the histograms, the per-frame counts, the
 * drift, NeNA and FRC computed.
 * @param recordPath - the record, e.g. `locs.json`
 * @param runtime - what runs the report, for its versions line (the CLI: `Node.js v20.x`) @default 'unknown'
 * @throws InputFileError naming the record or the table when one cannot be read
 */
export async function makeRunReport(recordPath: string, runtime = 'unknown'): Promise<ReportContent> {
  const started = performance.now();
  const chain = readRunRecord(recordPath);
  const skipped = new RowFaultTally();
  const table = readPointTable(chain.table, { skipped });
  const rows = table.x.length;
  const merged = (table.columns.get(DETECTIONS_HEADER) ?? []).some((d) => d > 1);
  const frames = asRecord(asRecord(chain.run?.parameters).frames);
  const counts = frameCounts(table, typeof frames.first === 'number' ? frames.first : undefined, typeof frames.last === 'number' ? frames.last : undefined);
  const histograms = [];
  for (const { key, label } of HISTOGRAMS) {
    const column = columnOf(key);
    const values = table.columns.get(column.header);
    if (!values) continue;
    const histogram = columnHistogram(values, column.header, label);
    histograms.push({ histogram, unit: column.unit, svg: await vegaSvg(histogramSpec(histogram)) });
  }
  return {
    recordPath,
    table: chain.table,
    rows,
    skippedRows: skippedRowsWarning(chain.table, skipped),
    merged,
    run: chain.run,
    steps: chain.steps,
    image: reportImage(chain.run, table),
    frames: { counts, svg: await vegaSvg(lineSpec(frameCountsPlot(counts))) },
    histograms,
    drift: await driftResult(chain),
    ...(await resolutionResults(table, chain.table)),
    reportedBy: { version: softwareVersion(), runtime, made: new Date().toISOString(), seconds: (performance.now() - started) / 1000 },
  };
}
