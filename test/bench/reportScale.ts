/**
 * The run report at scale (issue 29: a 10⁶-localization run's report in ≤ 15 s and ≤ 10 MB):
 * a made-up run of ROWS localizations (default 10⁶) on a 256 × 256 px camera of 100 nm over
 * 20 000 frames, with a drift step, reported through `writeReport` (the command's own path).
 * Run: `node --import tsx test/bench/reportScale.ts [ROWS]`; prints the seconds and the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../src/cli/reportCommand.js';
import { writeSyntheticRun } from '../report/syntheticRun.js';

const rows = Number(process.argv[2] ?? 1e6);
const dir = mkdtempSync(join(tmpdir(), 'report-scale-'));
try {
  const made = performance.now();
  const run = await writeSyntheticRun(dir, 'big', { rows, frames: 20000, widthPx: 256, pixelNm: 100, drift: true });
  console.log(`made ${rows.toLocaleString('en-US')} rows in ${((performance.now() - made) / 1000).toFixed(1)} s`);
  for (const [what, record] of [['run', run.record], ['drift step', run.driftRecord as string]] as const) {
    const cpu = process.cpuUsage();
    const { bytes, seconds } = await writeReport(record, join(dir, `${what.replace(' ', '-')}.report.html`));
    const used = process.cpuUsage(cpu);
    // CPU seconds: the report runs on one thread, so on an idle core they are its wall time.
    console.log(`report of the ${what}: ${seconds.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU, ${(bytes / 1e6).toFixed(2)} MB`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
