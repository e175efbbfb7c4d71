import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CSV_HEADER, LOCALIZATION_COLUMNS } from '../../src/table/columns.js';

test('the CSV header starts with ThunderSTORM 1.3 verbatim (design.md §2)', () => {
  assert.ok(CSV_HEADER.startsWith('"id","frame","x [nm]","y [nm]","sigma [nm]","intensity [photon]","offset [photon]","bkgstd [photon]","uncertainty [nm]",'));
});

test('the README column table is the column list', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const c of LOCALIZATION_COLUMNS) {
    assert.ok(readme.includes(`| \`${c.header}\` | ${c.unit || '—'} | ${c.description} |`), `README row for ${c.header}`);
  }
});
