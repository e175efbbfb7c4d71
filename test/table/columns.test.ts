import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ASTIGMATIC_COLUMNS, CSV_HEADER, LOCALIZATION_COLUMNS } from '../../src/table/columns.js';

test('the CSV header starts with ThunderSTORM 1.3 verbatim (design.md §2)', () => {
  assert.ok(CSV_HEADER.startsWith('"id","frame","x [nm]","y [nm]","sigma [nm]","intensity [photon]","offset [photon]","bkgstd [photon]","uncertainty [nm]",'));
});

test('the README column table is the column list', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const c of [...LOCALIZATION_COLUMNS, ...ASTIGMATIC_COLUMNS]) {
    assert.ok(readme.includes(`| \`${c.header}\` | ${c.unit || '—'} | ${c.description} |`), `README row for ${c.header}`);
  }
});

test("the README's generated tables are in step with the code (npm run docs rewrites them)", async () => {
  const { generatedTables, readmeSection } = await import('../build/readmeTables.js');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const [name, table] of Object.entries(generatedTables())) assert.equal(readmeSection(readme, name), table, `README section ${name}: run npm run docs`);
});
