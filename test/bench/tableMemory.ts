/**
 * Peak memory of the table commands (issue 23): `npm run bench:table-memory [-- OPTIONS]` writes a
 * synthetic localization CSV in our format (blinking molecules on fixed sites, several frames
 * each, a slow drift; 200 rows a frame) into a temporary folder, runs each table command on it
 * in a fresh process on the compiled CLI (`npm run build` first), and prints rows, file size,
 * wall time and the peak RSS of that process. Peak RSS should not grow with the rows.
 *
 * Options: `--rows N` (default 4 000 000), `--dir DIR` (keep the table there and reuse it),
 * `--root DIR` (another copy of the project, with its dist/ and this folder: e.g. a build of an
 * earlier commit, for before/after figures), then the commands to run (default: filter merge drift render export evaluate).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableCsvWriter } from '../../src/export/TableCsvWriter.js';
import { Random } from '../../src/simulate/Random.js';
import { LOCALIZATION_COLUMNS } from '../../src/table/columns.js';

/** Rows per frame of the synthetic table. */
const ROWS_PER_FRAME = 200;
/** Sites molecules blink on (a repeated structure, as AIM needs), in a 25.6 µm field. */
const SITES = 20000;
const FIELD_NM = 25600;
/** Rows written per block. */
const BLOCK = 65536;

/**
 * Write a synthetic table of `rows` rows in our CSV format: molecules on fixed sites, each on for
 * a geometric number of frames (mean 3), positions with 8 nm noise and a drift of a few tens of nm.
 */
export function writeBenchTable(path: string, rows: number): void {
  const rng = new Random(23);
  const siteX = Float64Array.from({ length: SITES }, () => rng.uniform() * FIELD_NM);
  const siteY = Float64Array.from({ length: SITES }, () => rng.uniform() * FIELD_NM);
  const header = LOCALIZATION_COLUMNS.map((c) => c.header);
  const writer = new TableCsvWriter(path, header);
  const columns = header.map(() => new Float64Array(BLOCK));
  const col = (h: string) => columns[header.indexOf(h)];
  const [id, frame, x, y, sigma, intensity, offset, bkgstd, u, ux, uy, ll, it, status, emitters] = [
    'id', 'frame', 'x [nm]', 'y [nm]', 'sigma [nm]', 'intensity [photon]', 'offset [photon]', 'bkgstd [photon]',
    'uncertainty [nm]', 'uncertainty_x [nm]', 'uncertainty_y [nm]', 'loglikelihood', 'iterations', 'status', 'emitters',
  ].map(col);
  // The molecules on now: their site; replaced by a fresh one when they switch off.
  const on = Int32Array.from({ length: ROWS_PER_FRAME }, () => Math.floor(rng.uniform() * SITES));
  let n = 0;
  try {
    for (let r = 0; r < rows; r++) {
      const f = Math.floor(r / ROWS_PER_FRAME) + 1;
      const k = r % ROWS_PER_FRAME;
      if (k === 0 && f > 1) for (let m = 0; m < ROWS_PER_FRAME; m++) if (rng.uniform() < 1 / 3) on[m] = Math.floor(rng.uniform() * SITES);
      const s = on[k];
      const driftX = 30 * Math.sin(f / 3000);
      const driftY = 0.002 * f;
      const sx = 6 + 4 * rng.uniform();
      const sy = 6 + 4 * rng.uniform();
      id[n] = r + 1;
      frame[n] = f;
      x[n] = siteX[s] + driftX + sx * rng.normal();
      y[n] = siteY[s] + driftY + sy * rng.normal();
      sigma[n] = 120 + 20 * rng.uniform();
      intensity[n] = 300 + 3000 * rng.uniform();
      offset[n] = 20 + 5 * rng.uniform();
      bkgstd[n] = 4 + rng.uniform();
      ux[n] = sx;
      uy[n] = sy;
      u[n] = Math.sqrt((sx * sx + sy * sy) / 2);
      ll[n] = -300 - 100 * rng.uniform();
      it[n] = 3 + Math.floor(8 * rng.uniform());
      status[n] = 0;
      emitters[n] = 1;
      if (++n === BLOCK || r === rows - 1) {
        writer.write({ header, columns: columns.map((c) => c.subarray(0, n)), rows: n });
        n = 0;
      }
    }
    writer.commit();
  } catch (error) {
    writer.abandon();
    throw error;
  }
}

/** The arguments of each command on the table `t` (outputs in `dir`). */
function commands(t: string, dir: string, frames: number): Record<string, string[]> {
  return {
    filter: ['filter', t, '--where', 'uncertainty < 9 && intensity > 500', '-o', join(dir, 'out.filtered.csv')],
    merge: ['merge', t, '-o', join(dir, 'out.merged.csv')],
    drift: ['drift', t, '-o', join(dir, 'out.corrected.csv')],
    render: ['render', t, '-o', join(dir, 'out.png')],
    'render-gaussian': ['render', t, '--mode', 'gaussian', '-o', join(dir, 'out.gaussian.png')],
    export: ['export', t, '--format', 'picasso', '--width', '256', '--height', '256', '--frames', String(frames), '--pixel-size', '100', '-o', join(dir, 'out.hdf5')],
    evaluate: ['evaluate', t, t],
  };
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [, value] = args.splice(at, 2);
  return value;
};
const rows = Number(option('--rows') ?? 4_000_000);
const keep = option('--dir');
const root = option('--root') ?? join(import.meta.dirname, '../..');
const dir = keep ?? mkdtempSync(join(tmpdir(), 'smlm-table-memory-'));
mkdirSync(dir, { recursive: true });
const table = join(dir, `table-${rows}.csv`);
try {
  if (!existsSync(table)) {
    const t0 = performance.now();
    writeBenchTable(table, rows);
    console.log(`wrote ${table} (${rows} rows, ${(statSync(table).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const all = commands(table, dir, Math.ceil(rows / ROWS_PER_FRAME));
  const chosen = args.length ? args : ['filter', 'merge', 'drift', 'render', 'render-gaussian', 'export', 'evaluate'];
  const result = join(dir, 'result.json');
  const report = [];
  for (const name of chosen) {
    const argv = all[name];
    if (!argv) throw new Error(`unknown command ${name} (one of ${Object.keys(all).join(', ')})`);
    rmSync(result, { force: true });
    try {
      execFileSync(process.execPath, [join(root, 'test/bench/tableMemoryChild.mjs'), result, ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      // The exit code is in the result (or the child died: reported below).
    }
    const r = existsSync(result) ? (JSON.parse(readFileSync(result, 'utf8')) as { code: number; seconds: number; peakMb: number }) : undefined;
    report.push({ command: name, rows, 'file MB': (statSync(table).size / 1e6).toFixed(0), exit: r?.code ?? 'killed', 'wall s': r?.seconds.toFixed(1), 'peak RSS MB': r?.peakMb.toFixed(0) });
    console.table(report.slice(-1));
  }
  console.table(report);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
