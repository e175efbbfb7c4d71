import { evaluateFiles } from '../evaluate/evaluateFiles.js';
import { EVALUATE_DEFAULTS } from '../evaluate/evaluateLocalizations.js';
import { Z_NAMES } from '../evaluate/PointTable.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { formatPercent } from './formatPercent.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

/** The evaluate command's flags, each default from the library's defaults. */
export const EVALUATE_FLAGS = new FlagTable([
  ['Options', [
    { name: 'tolerance', value: 'NM', help: 'matching distance', default: String(EVALUATE_DEFAULTS.toleranceNm) },
    { name: 'json', help: 'print the figures as JSON' },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = EVALUATE_FLAGS;

export const help = `smlm-stream evaluate TRUTH.csv LOCS.csv [options]

Matches localizations to the truth frame by frame (optimal one-to-one assignment within the
tolerance, as the EPFL SMLM challenge) and reports Jaccard, recall, precision, lateral RMSE and
the bias in x and y. Both files need "frame", "x [nm]" and "y [nm]" columns (ours and
ThunderSTORM's CSV have them). Where both also have a z column in nm (3-D; the first of
${Z_NAMES.map((name) => `"${name}"`).join(', ')}), the matched pairs' z RMSE, z bias and share of z
errors beyond ${EVALUATE_DEFAULTS.zOutlierNm} nm are reported too (matching stays lateral).

${EVALUATE_FLAGS.help()}`;

/**
 * `smlm-stream evaluate`: compare localizations with the truth.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export function run(argv: string[], out: (line: string) => void): number {
  const { values, positionals, text } = EVALUATE_FLAGS.parse(argv);
  if (positionals.length !== 2) throw new UsageError(`evaluate needs TRUTH.csv and LOCS.csv, got ${positionals.length} files`);
  const tolerance = text('tolerance') === undefined ? EVALUATE_DEFAULTS.toleranceNm : parseNumber(text('tolerance'), '--tolerance', { min: 0 });
  const e = evaluateFiles(positionals[0], positionals[1], tolerance);
  if (values.json) {
    out(JSON.stringify({ truthFile: positionals[0], localizationFile: positionals[1], ...e }, null, 2));
    return EXIT.ok;
  }
  // A ratio or mean over nothing (no localizations, no truth, no match) is shown as n/a.
  const pct = (v: number) => formatPercent(v, 1, 2);
  const nm = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} nm` : 'n/a');
  const rows: [string, string][] = [
    ['truth', String(e.truth)],
    ['localizations', String(e.found)],
    ['matched (TP)', String(e.truePositives)],
    ['false positives', String(e.falsePositives)],
    ['false negatives', String(e.falseNegatives)],
    ['Jaccard', pct(e.jaccard)],
    ['recall', pct(e.recall)],
    ['precision', pct(e.precision)],
    ['lateral RMSE', nm(e.rmseLateralNm)],
    ['RMSE x / y', `${nm(e.rmseXNm)} / ${nm(e.rmseYNm)}`],
    ['bias x / y', `${nm(e.biasXNm)} / ${nm(e.biasYNm)}`],
  ];
  if (e.rmseZNm !== undefined) {
    rows.push(['z RMSE', nm(e.rmseZNm)], ['z bias', nm(e.biasZNm ?? Number.NaN)], [`|Δz| > ${e.zOutlierNm} nm`, pct(e.zOutliers ?? Number.NaN)]);
  }
  out(`smlm-stream evaluate: ${positionals[1]} against ${positionals[0]} (tolerance ${tolerance} nm)`);
  for (const [k, v] of rows) out(`  ${k.padEnd(18)}${v}`);
  return EXIT.ok;
}
