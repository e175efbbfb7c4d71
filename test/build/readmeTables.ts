/**
 * The generated documentation (`npm run docs` rewrites it; tests check it is in step):
 * docs/cli.md, every command's flag table ({@link cliDocs}), always; and the README's tables
 * from the CLI's flag tables, each between `<!-- NAME: … -->` and `<!-- /NAME -->`, where the
 * README has that marker pair (a README without one has no such table, and that is no error).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { LOCALIZE_FLAGS } from '../../src/cli/localizeCommand.js';
import { CLI_DOCS_PATH, cliDocs } from './cliDocs.js';

export const README_PATH = new URL('../../README.md', import.meta.url);

/** Every table the README may hold, by marker name. */
const README_TABLES: Readonly<Record<string, () => string>> = {
  'localize-options': () => LOCALIZE_FLAGS.markdown(),
};

/**
 * The generated tables by marker name: those the README has markers for.
 * @param readme - the README's text @default README.md as it is on disk
 */
export function generatedTables(readme: string = readFileSync(README_PATH, 'utf8')): Record<string, string> {
  const tables: Record<string, string> = {};
  for (const [name, table] of Object.entries(README_TABLES)) if (readmeSection(readme, name) !== undefined) tables[name] = table();
  return tables;
}

/** The text between a marker pair of the README, or undefined. */
export function readmeSection(readme: string, name: string): string | undefined {
  const open = new RegExp(`<!-- ${name}:[^>]*-->\\n`).exec(readme);
  const close = readme.indexOf(`<!-- /${name} -->`);
  if (!open || close < 0) return undefined;
  return readme.slice(open.index + open[0].length, close);
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  writeFileSync(CLI_DOCS_PATH, await cliDocs());
  console.log('docs/cli.md written');
  let readme = readFileSync(README_PATH, 'utf8');
  const tables = generatedTables(readme);
  for (const [name, table] of Object.entries(tables)) readme = readme.replace(readmeSection(readme, name) as string, table);
  writeFileSync(README_PATH, readme);
  console.log(`README tables rewritten: ${Object.keys(tables).join(', ') || 'none (no markers)'}`);
}
