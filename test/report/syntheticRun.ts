/**
 * A made-up localization run for the report's tests and its benchmark: a CSV with our columns
 * and a sidecar shaped as localize writes it, and optionally a drift step after it (its
 * trajectory and record), a merged table (the `detections` column) or a 3-D one (z).
 */
import { copyFileSync, createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Random } from '../../src/simulate/Random.js';
import { ASTIGMATIC_COLUMNS, csvHeader, DETECTIONS_HEADER, LOCALIZATION_COLUMNS } from '../../src/table/columns.js';
import { DRIFT_CSV_HEADER } from '../../src/table/driftPath.js';

/** What to make. */
export interface SyntheticRunOptions {
  /** Rows (localizations). */
  rows: number;
  /** Frames the rows are spread over. */
  frames: number;
  /** Camera image, px, and its pixel, nm. */
  widthPx?: number;
  pixelNm?: number;
  /** Add a z column (a 3-D run). */
  depth?: boolean;
  /** Add the merged table's detections column. */
  merged?: boolean;
  /** Also write a drift step (NAME.corrected.json, .csv and .drift.csv) after the run. */
  drift?: boolean;
  /** Rows placed outside the camera image (drawn in no pixel), rounded up to whole molecules. */
  outside?: number;
  /** Each molecule is on in this many consecutive frames, each localization off its site by N(0, precision²) a coordinate. @default 3 */
  onFrames?: number;
  /** @default 8 nm */
  precisionNm?: number;
  /** The stack's name as the record states it. */
  stack?: string;
  seed?: number;
}

/** The files made. */
export interface SyntheticRun {
  /** The run's sidecar and table. */
  record: string;
  table: string;
  /** The drift step's record, table and trajectory, with drift. */
  driftRecord?: string;
  driftTable?: string;
  trajectory?: string;
  /** Largest |drift| made, nm. */
  driftMaxNm?: { x: number; y: number };
}

/** The made-up table's columns, as written. */
export function syntheticHeaders(options: Pick<SyntheticRunOptions, 'depth' | 'merged'>): string[] {
  return [...LOCALIZATION_COLUMNS, ...(options.depth ? ASTIGMATIC_COLUMNS : [])].map((c) => c.header).concat(options.merged ? [DETECTIONS_HEADER] : []);
}

/**
 * Write a made-up run into `dir` as `NAME.csv` + `NAME.json`.
 * @param dir - the folder
 * @param name - the files' stem
 * @param options - rows, frames and extras
 */
export async function writeSyntheticRun(dir: string, name: string, options: SyntheticRunOptions): Promise<SyntheticRun> {
  const { rows, frames, widthPx = 64, pixelNm = 100, seed = 29, onFrames = 3, precisionNm = 8 } = options;
  const random = new Random(seed);
  const table = join(dir, `${name}.csv`);
  const record = join(dir, `${name}.json`);
  const columns = [...LOCALIZATION_COLUMNS, ...(options.depth ? ASTIGMATIC_COLUMNS : [])];
  const header = csvHeader(columns) + (options.merged ? `,"${DETECTIONS_HEADER}"` : '');
  const fov = widthPx * pixelNm;
  const outside = options.outside ?? 0;
  const lines: string[] = new Array<string>(rows);
  const frameOf = new Int32Array(rows);
  let siteX = 0;
  let siteY = 0;
  let start = 1;
  for (let i = 0; i < rows; i++) {
    // Molecule m = ⌊i / onFrames⌋ on from its start frame (molecules spread evenly over the frames).
    const k = i % onFrames;
    if (k === 0) {
      siteX = i < outside ? fov + 50 + random.uniform() * 100 : random.uniform() * fov;
      siteY = random.uniform() * fov;
      start = Math.min(frames - onFrames + 1, 1 + Math.floor((i * frames) / rows));
    }
    const frame = Math.max(1, start + k);
    const x = siteX + precisionNm * random.normal();
    const y = siteY + precisionNm * random.normal();
    const photons = 2000 + 400 * random.normal();
    const background = 20 + 3 * random.normal();
    const uncertainty = 4 + 8 * random.uniform() ** 3;
    const sigma = 130 + 5 * random.normal();
    const values: Record<string, string> = {
      frame: String(frame), x: x.toFixed(2), y: y.toFixed(2), sigma: sigma.toFixed(2), intensity: photons.toFixed(1), offset: background.toFixed(2),
      bkgstd: '6.00', uncertainty: uncertainty.toFixed(2), uncertaintyX: uncertainty.toFixed(2), uncertaintyY: uncertainty.toFixed(2), logLikelihood: '1000.000', iterations: '4', status: '0', emitters: '1',
      z: (300 * random.normal()).toFixed(2), uncertaintyZ: '20.00', sigma1: sigma.toFixed(2), sigma2: sigma.toFixed(2),
    };
    lines[i] = columns.slice(1).map((c) => values[c.key]).join(',') + (options.merged ? ',3' : '');
    frameOf[i] = frame;
  }
  // In frame order, as localize writes its rows (a stable sort: molecules in the order made).
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => frameOf[a] - frameOf[b] || a - b);
  const out = createWriteStream(table);
  out.write(`${header}\n`);
  for (let r = 0; r < rows; r += 10000) {
    const block = order.slice(r, r + 10000).map((i, j) => `${r + j + 1},${lines[i]}`);
    if (!out.write(`${block.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const run = {
    software: { name: 'smlm-stream', version: '0.1.0' },
    input: { path: options.stack ?? `${name}.tif`, width: widthPx, height: widthPx, pixelSizeNm: pixelNm, pixelSizeSource: 'made up', frameCount: frames },
    output: table,
    engines: { fit: 'wasm', detect: 'wasm' },
    parameters: {
      camera: {
        pixelSizeNm: pixelNm, baselineAdu: 100.4, photonsPerAdu: 0.49, emGain: 1, qe: 1, saturationAdu: 65535, readNoiseElectrons: 1.6, source: 'estimated',
        baselineSdAdu: 0.9, photonsPerAduSd: 0.02, readNoiseSdElectrons: 0.3,
        estimate: { baselineAdu: 100.4, baselineSdAdu: 0.9, photonsPerAdu: 0.49, photonsPerAduSd: 0.02, readNoiseElectrons: 1.6, readNoiseSdElectrons: 0.3, method: 'made up', frames: 10, pixelsUsed: 40960, warnings: ['the made-up warning'] },
      },
      psfSigmaNm: 131.5,
      psfSigma: { source: 'estimated', sigmaNm: 131.5, measured: { sigmaNm: 131.5, sdNm: 3.2, seNm: 0.18, spots: 500, frames: 10 } },
      fit: { box: 7, fitSigma: false },
      detect: { threshold: 1.15 },
      frames: { first: 1 },
    },
    complete: true,
    counts: { frames, localizationsWritten: rows },
    timing: { wallSeconds: 12.5, fitSeconds: 8.25 },
    started: '2026-01-01T00:00:00.000Z',
    finished: '2026-01-01T00:00:12.500Z',
  };
  writeFileSync(record, JSON.stringify(run, null, 2));
  if (!options.drift) return { record, table };
  const driftTable = join(dir, `${name}.corrected.csv`);
  const driftRecord = join(dir, `${name}.corrected.json`);
  const trajectory = join(dir, `${name}.corrected.drift.csv`);
  copyFileSync(table, driftTable);
  const drift: string[] = [DRIFT_CSV_HEADER];
  let mx = 0;
  let my = 0;
  for (let f = 1; f <= frames; f++) {
    const dx = (30 * (f - 1)) / frames;
    const dy = -12 * Math.sin((3 * (f - 1)) / frames);
    mx = Math.max(mx, Math.abs(dx));
    my = Math.max(my, Math.abs(Number(dy.toFixed(2))));
    drift.push(`${f},${dx.toFixed(2)},${dy.toFixed(2)}`);
  }
  writeFileSync(trajectory, `${drift.join('\n')}\n`);
  const step = { software: run.software, step: 'drift', input: table, output: driftTable, parameters: { method: 'aim' }, counts: { rowsIn: rows, rowsOut: rows }, results: { precisionNm: { x: 0.5, y: 0.75 }, trajectory }, started: run.finished, seconds: 1.5, previous: run };
  writeFileSync(driftRecord, JSON.stringify(step, null, 2));
  return { record, table, driftRecord, driftTable, trajectory, driftMaxNm: { x: Number(mx.toFixed(2)), y: my } };
}
