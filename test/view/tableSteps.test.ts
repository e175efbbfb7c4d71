/**
 * The view's drift, merge and resolution steps (src/view/server/TableSteps.ts) without a server
 * or a browser: a table the `drift` command refuses is refused with HTTP 400 and the command's
 * own message, nothing written; NeNA's refusal of a merged table is the command's reason, FRC
 * still given. The page's use of them: test/view/pageTableSteps.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { describeError } from '../../src/cli/describeError.js';
import { DRIFT_FLAGS, run as runDrift } from '../../src/cli/driftCommand.js';
import { HttpError } from '../../src/view/server/HttpError.js';
import { VIEW_TABLE_COMMANDS } from '../../src/cli/viewTableCommands.js';
import { TableSteps } from '../../src/view/server/TableSteps.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-steps-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A table of `rows` localizations over `frames` frames in frame order, on a grid of
 * `rows / frames` sites 50 nm apart (no randomness): each site in every frame, a blink that merging joins.
 */
function table(path: string, rows: number, frames: number): string {
  const lines = ['"frame","x [nm]","y [nm]","uncertainty [nm]"'];
  const sites = Math.max(1, Math.floor(rows / frames));
  for (let i = 0; i < rows; i++) lines.push(`${1 + Math.floor((i * frames) / rows)},${100 + 50 * (i % sites % 20)},${100 + 50 * Math.floor((i % sites) / 20)},10`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test("drift on too few localizations: 400 with the drift command's message, nothing written", async () => {
  const csv = table(join(dir, 'few.csv'), 15, 300);
  const error = await new TableSteps(VIEW_TABLE_COMMANDS).drift(csv).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof HttpError, String(error));
  assert.equal(error.status, 400);
  // The command's own words for the same table.
  const cli = await runDrift([csv], () => undefined).then(
    () => 'no error',
    (e: unknown) => describeError(e, DRIFT_FLAGS.optionFlags, [csv], DRIFT_FLAGS.valueFlags).message,
  );
  assert.equal(error.message, cli);
  assert.match(error.message, /segment/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('few.') && f !== 'few.csv'), [], 'nothing written');
});

test('resolution of a merged table: NeNA refused with the reason, FRC measured', async () => {
  const csv = table(join(dir, 'grid.csv'), 2000, 20);
  const steps = new TableSteps(VIEW_TABLE_COMMANDS);
  const merged = await steps.merge(csv);
  assert.ok(existsSync(join(dir, 'grid.merged.csv')) && existsSync(join(dir, 'grid.merged.json')), 'merge writes NAME.merged.csv and its sidecar');
  assert.equal(merged.result.rowsBefore, 2000);
  assert.equal(merged.result.rowsAfter, merged.table.rows);
  assert.ok(merged.result.rowsAfter < 2000, `blinks merged: 2000 → ${merged.result.rowsAfter}`);
  const r = await steps.resolution(merged.csv);
  assert.equal(r.nenaNm, null);
  assert.match(r.nenaError ?? '', /merged/);
  assert.equal(r.frcFrequencyPerNm.length, r.frcSmoothed.length);
  assert.ok(r.frcFrequencyPerNm.length > 10, 'the FRC curve');
});
