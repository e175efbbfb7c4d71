/**
 * The README's generated tables (`npm run docs` rewrites them; a test checks they are in step):
 * the localize options, from the CLI's flag table. Each lives between
 * `<!-- NAME: … -->` and `<!-- /NAME -->`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { LOCALIZE_FLAGS } from '../../src/cli/localizeCommand.js';

export const README_PATH = new URL('../../README.md', import.meta.url);

/** The generated tables by marker name. */
export function generatedTables(): Record<string, string> {
  return { 'localize-options': LOCALIZE_FLAGS.markdown() };
}

/** The text between a marker pair of the README, or undefined. */
export function readmeSection(readme: string, name: string): string | undefined {
  const open = new RegExp(`<!-- ${name}:[^>]*-->\\n`).exec(readme);
  const close = readme.indexOf(`<!-- /${name} -->`);
  if (!open || close < 0) return undefined;
  return readme.slice(open.index + open[0].length, close);
}

if (process.argv[1] && new URL(`file://${process.argv[1]}`).href === import.meta.url) {
  let readme = readFileSync(README_PATH, 'utf8');
  for (const [name, table] of Object.entries(generatedTables())) {
    const old = readmeSection(readme, name);
    if (old === undefined) throw new Error(`README.md has no <!-- ${name}: … --> section`);
    readme = readme.replace(old, table);
  }
  writeFileSync(README_PATH, readme);
  console.log('README tables rewritten');
}
