import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { from, lastValueFrom, toArray } from 'rxjs';
import { filterOperator } from '../../src/pipeline/filterOperator.js';
import { FilterExpressionError } from '../../src/post/compileFilter.js';
import { filterTable } from '../../src/post/filterTable.js';
import { Random } from '../../src/simulate/Random.js';
import type { LocalizationTable } from '../../src/table/LocalizationTable.js';

const HEADER = ['id', 'frame', 'x [nm]', 'y [nm]', 'intensity [photon]', 'uncertainty [nm]', 'uncertainty_x [nm]', 'detections'];

/** A random table of 5000 rows (fixed seed). */
function randomTable(): LocalizationTable {
  const rng = new Random(9);
  const rows = 5000;
  const gen = [
    (i: number) => i + 1,
    () => 1 + Math.floor(1000 * rng.uniform()),
    () => 10000 * rng.uniform(),
    () => 10000 * rng.uniform(),
    () => 3000 * rng.uniform(),
    () => 40 * rng.uniform(),
    () => 40 * rng.uniform(),
    () => 1 + Math.floor(5 * rng.uniform()),
  ];
  return { header: HEADER, columns: gen.map((g) => Float64Array.from({ length: rows }, (_, i) => g(i))), rows };
}

describe('filter: expressions over column names without units', () => {
  const t = randomTable();
  const rowsWhere = (keep: (r: { [k: string]: number }) => boolean) => {
    const ids: number[] = [];
    for (let i = 0; i < t.rows; i++) {
      const r = { id: t.columns[0][i], frame: t.columns[1][i], x: t.columns[2][i], y: t.columns[3][i], intensity: t.columns[4][i], uncertainty: t.columns[5][i], uncertainty_x: t.columns[6][i], detections: t.columns[7][i] };
      if (keep(r)) ids.push(r.id);
    }
    return ids;
  };
  const cases: [string, (r: { [k: string]: number }) => boolean][] = [
    ['uncertainty < 20 && intensity > 500', (r) => r.uncertainty < 20 && r.intensity > 500],
    ['uncertainty < 20 and intensity > 500', (r) => r.uncertainty < 20 && r.intensity > 500],
    ['uncertainty < 20 & intensity > 500', (r) => r.uncertainty < 20 && r.intensity > 500],
    ['!(x > 5000) || detections >= 3', (r) => !(r.x > 5000) || r.detections >= 3],
    ['detections = 2 | frame <= 10', (r) => r.detections === 2 || r.frame <= 10],
    ['detections != 2 and not (frame mod 2 == 0)', (r) => r.detections !== 2 && r.frame % 2 !== 0],
    ['abs(x - y) < 500 && sqrt(uncertainty_x) > 3', (r) => Math.abs(r.x - r.y) < 500 && Math.sqrt(r.uncertainty_x) > 3],
    ['detections in (1, 4)', (r) => r.detections === 1 || r.detections === 4],
    ['intensity / detections > 1000', (r) => r.intensity / r.detections > 1000],
  ];
  for (const [expression, direct] of cases) {
    test(`${expression}: exactly the rows a direct computation selects`, () => {
      const kept = filterTable(t, expression);
      const expected = rowsWhere(direct);
      assert.ok(expected.length > 0 && expected.length < t.rows, `${expected.length} rows: a test that can fail`);
      assert.deepEqual([...kept.columns[0]], expected);
      assert.deepEqual(kept.header, t.header);
      // Every column of the kept rows as it was.
      for (let c = 0; c < HEADER.length; c++) assert.deepEqual([...kept.columns[c]], expected.map((id) => t.columns[c][id - 1]));
    });
  }

  test('errors point at the place: an unknown column, a syntax error, an unexpected character', () => {
    const place = (expression: string) => {
      try {
        filterTable(t, expression);
      } catch (e) {
        assert.ok(e instanceof FilterExpressionError, String(e));
        return { position: e.position, message: e.message, picture: e.picture };
      }
      assert.fail(`${expression} was accepted`);
    };
    const unknown = place('intensity > 500 && uncertanty < 20');
    assert.equal(unknown.position, 19);
    assert.match(unknown.message, /unknown column "uncertanty" \(the columns are id, frame, x, y, intensity, uncertainty, uncertainty_x, detections\) at character 20/);
    assert.equal(unknown.picture, '  intensity > 500 && uncertanty < 20\n                     ^');
    const incomplete = place('x > 1 &&');
    assert.match(incomplete.message, /incomplete expression at the end of the filter/);
    assert.equal(incomplete.position, 8);
    const unexpected = place('x > (1');
    assert.match(unexpected.message, /syntax error/);
    const character = place('x > 1 # 2');
    assert.equal(character.position, 6);
    assert.match(character.message, /unexpected character at character 7/);
  });

  test('as an operator: each table filtered, the expression compiled once per header', async () => {
    const half = { header: t.header, columns: t.columns.map((c) => c.slice(0, 2500)), rows: 2500 };
    const rest = { header: t.header, columns: t.columns.map((c) => c.slice(2500)), rows: 2500 };
    const out = await lastValueFrom(from([half, rest]).pipe(filterOperator('intensity > 1500'), toArray()));
    assert.deepEqual(out.flatMap((o) => [...o.columns[0]]), rowsWhere((r) => r.intensity > 1500));
  });
});
