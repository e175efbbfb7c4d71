import { statSync } from 'node:fs';
import { checkOutputPaths } from '../export/checkOutputPaths.js';
import { temporaryPath, writeFileAtomically } from '../export/writeFileAtomically.js';
import { buildReportHtml } from '../report/buildReportHtml.js';
import { makeRunReport } from '../report/makeRunReport.js';
import { readRunRecord } from '../report/readRunRecord.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { UsageError } from './UsageError.js';

/** The report command's flags. */
export const REPORT_FLAGS = new FlagTable([
  ['Output', [
    { name: 'output', short: 'o', value: 'FILE', help: 'HTML page to write (one self-contained file: opens from disk in any browser, nothing fetched)', default: 'RUN.report.html' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = REPORT_FLAGS;

export const help = `smlm-stream report RUN.json -o report.html [options]

Writes one self-contained HTML page of a localization run from its record (the JSON sidecar
localize writes next to its CSV, or the sidecar of a later drift, merge or filter step) and the
table it describes: the super-resolution image with a scale bar, localizations per frame,
histograms of photons, background, uncertainty and σ (and z), the drift when the run corrected
it, NeNA and FRC, the camera and PSF settings (given or estimated, with the data check), the
parameters, versions and timings.

${REPORT_FLAGS.help()}`;

/**
 * The report's default path: `NAME.report.html` next to the record or the CSV `NAME.json`/`NAME.csv`.
 * @param path - the record or the table
 */
export function defaultReportPath(path: string): string {
  return `${path.replace(/\.(json|csv)$/i, '')}.report.html`;
}

/**
 * Write the report of a run (see {@link makeRunReport}); the output may be none of the files it reads.
 * @param record - the run's record
 * @param output - the HTML file
 * @returns its size, bytes, and the seconds it took
 */
export async function writeReport(record: string, output: string): Promise<{ bytes: number; seconds: number }> {
  const started = performance.now();
  const chain = readRunRecord(record);
  const inputs = [{ path: record, role: 'the run record' }, { path: chain.table, role: 'the localization table' }];
  if (chain.drift?.path) inputs.push({ path: chain.drift.path, role: 'the drift trajectory' });
  checkOutputPaths(inputs, [{ path: output, role: 'the report' }, { path: temporaryPath(output), role: "the report's temporary file" }]);
  const html = buildReportHtml(await makeRunReport(record, `Node.js ${process.version}`));
  writeFileAtomically(output, html);
  return { bytes: statSync(output).size, seconds: (performance.now() - started) / 1000 };
}

/**
 * `smlm-stream report`: the run report of a record.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, text } = REPORT_FLAGS.parse(argv);
  if (positionals.length !== 1) throw new UsageError(`report needs one run record (the .json sidecar next to a localization CSV), got ${positionals.length}`);
  const record = positionals[0];
  const output = text('output') ?? defaultReportPath(record);
  const { bytes, seconds } = await writeReport(record, output);
  out(`smlm-stream report: ${record} → ${output} (${(bytes / 1e6).toFixed(2)} MB, ${seconds.toFixed(2)} s)`);
  return EXIT.ok;
}
