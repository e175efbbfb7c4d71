import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { estimateDriftAim } from '../../src/post/estimateDriftAim.js';
import { MAX_GAUSSIAN_SIGMA_PX, SuperResolutionImage } from '../../src/render/SuperResolutionImage.js';
import { Random } from '../../src/simulate/Random.js';
import { describeFault, findFaultyRows, MAX_COORDINATE_NM, MAX_FRAME, MAX_UNCERTAINTY_NM, ROW_FAULT, rowFault } from '../../src/table/checkRows.js';
import { lineOfRow } from '../../src/table/lineOfRow.js';
import { parseCell } from '../../src/table/parseCell.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-checkrows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the shared row check', () => {
  test('rowFault: NaN, ±Infinity and values past the limits fail; the limits themselves pass', () => {
    assert.equal(rowFault(1, 100, 100), ROW_FAULT.none);
    assert.equal(rowFault(0, -MAX_COORDINATE_NM, MAX_COORDINATE_NM, MAX_UNCERTAINTY_NM), ROW_FAULT.none);
    assert.equal(rowFault(MAX_FRAME, 0, 0), ROW_FAULT.none);
    assert.equal(rowFault(Number.NaN, 0, 0), ROW_FAULT.frame);
    assert.equal(rowFault(-1, 0, 0), ROW_FAULT.frame);
    assert.equal(rowFault(1e12, 0, 0), ROW_FAULT.frame);
    assert.equal(rowFault(1, Number.NaN, 0), ROW_FAULT.x);
    assert.equal(rowFault(1, -Infinity, 0), ROW_FAULT.x);
    assert.equal(rowFault(1, 1e12, 0), ROW_FAULT.x);
    assert.equal(rowFault(1, 0, Infinity), ROW_FAULT.y);
    assert.equal(rowFault(1, 0, 0, Number.NaN), ROW_FAULT.uncertainty);
    assert.equal(rowFault(1, 0, 0, 1e8), ROW_FAULT.uncertainty);
    assert.equal(rowFault(1, 0, 0, -1), ROW_FAULT.uncertainty);
    assert.equal(describeFault(ROW_FAULT.y, -Infinity), 'y is -Infinity (infinite)');
    assert.equal(describeFault(ROW_FAULT.uncertainty, 1e8), 'uncertainty is 100000000 (more than 10000 nm)');
  });

  test('findFaultyRows: the count and the first', () => {
    assert.equal(findFaultyRows([1, 2], [0, 1], [0, 1]), undefined);
    const found = findFaultyRows([1, 2, 3, 4], [0, Number.NaN, 0, 1e12], [0, 0, Infinity, 0]);
    assert.deepEqual({ count: found?.count, row: found?.row, fault: found?.fault }, { count: 3, row: 1, fault: ROW_FAULT.x });
    assert.ok(Number.isNaN(found?.value));
  });

  test('lineOfRow: the header is line 1, blank lines are not rows, CRLF and a last line without its end', () => {
    const csv = join(dir, 'lines.csv');
    writeFileSync(csv, 'a,b\r\n1,2\r\n\r\n3,4\n  \n5,6');
    assert.deepEqual([0, 1, 2].map((r) => lineOfRow(csv, r)), [2, 4, 6]);
  });

  test('parseCell: numbers, missing and infinite values as other programs write them; text is not a number', () => {
    assert.equal(parseCell('12.5'), 12.5);
    assert.equal(parseCell(' -3e2 '), -300);
    assert.equal(parseCell('0'), 0);
    for (const missing of ['', '  ', 'nan', 'NaN', 'NA']) assert.ok(Number.isNaN(parseCell(missing)), missing);
    assert.equal(parseCell('inf'), Infinity);
    assert.equal(parseCell('-Infinity'), -Infinity);
    // RFC 4180: any field may be quoted (pandas, R with quoting on; Deep-STORM's truth tables).
    assert.equal(parseCell('"1.5"'), 1.5);
    assert.equal(parseCell(' "-2" '), -2);
    assert.ok(Number.isNaN(parseCell('"nan"')));
    for (const text of ['abc', '"abc"', '"1"5"', '"1.5', '1.2.3', 'x1']) assert.equal(parseCell(text), undefined, text);
  });
});

describe('sizes derived from data are bounded', () => {
  test('render: a Gaussian far wider than the image is computed inside it only, and counts once', () => {
    // σ = MAX_GAUSSIAN_SIGMA_PX px on a 20×10 px image: the window (1025 px) is clipped to the
    // image; the image holds the window's central part, the window as a whole sums to 1.
    const image = new SuperResolutionImage({ pixelNm: 10, mode: 'gaussian', range: { x0: 0, x1: 200, y0: 0, y1: 100 }, minSigmaNm: MAX_GAUSSIAN_SIGMA_PX * 10 });
    image.addOne(100, 50, 0);
    assert.equal(image.drawn, 1);
    const sum = image.counts.reduce((a, b) => a + b, 0);
    // The mass of a Gaussian of σ = 128 px over 20 × 10 px around its centre: ≈ (20/(√(2π)·128))·(10/(√(2π)·128)), its peak density times the area (the density varies by < 0.1 % over it).
    const expected = (20 / (Math.sqrt(2 * Math.PI) * 128)) * (10 / (Math.sqrt(2 * Math.PI) * 128));
    assert.ok(Math.abs(sum / expected - 1) < 2e-3, `${sum} vs ${expected}`);
    // A localization near the edge of an ordinary image: its window's part outside is lost, the rest as an unclipped one.
    const inside = new SuperResolutionImage({ pixelNm: 5, mode: 'gaussian', range: { x0: 0, x1: 400, y0: 0, y1: 400 } });
    const edge = new SuperResolutionImage({ pixelNm: 5, mode: 'gaussian', range: { x0: 100, x1: 400, y0: 0, y1: 400 } });
    inside.addOne(102.5, 200, 20);
    edge.addOne(102.5, 200, 20);
    for (let r = 0; r < 80; r++) {
      for (let c = 20; c < 80; c++) assert.ok(Math.abs(inside.counts[r * 80 + c] - edge.counts[r * 60 + c - 20]) < 1e-15, 'the same pixel values (to rounding)');
    }
  });

  test('render: an image of more than 2²⁵ pixels is refused before it is allocated', () => {
    assert.throws(() => new SuperResolutionImage({ pixelNm: 10, range: { x0: 0, x1: 100000, y0: 0, y1: 100000 } }), /a 10000×10000 px image is too large \(at most 16384 px a side and 33554432 px in all\)/);
  });

  test('render: absurd or missing uncertainties and too-wide Gaussians are left out and counted', () => {
    const image = new SuperResolutionImage({ pixelNm: 1, mode: 'gaussian', range: { x0: 0, x1: 100, y0: 0, y1: 100 } });
    image.add([50, 50, 50, 50, 50], [50, 50, 50, 50, 50], [10, 1e8, Number.NaN, -1, 200]);
    assert.deepEqual([image.drawn, image.badUncertainty, image.tooWide], [1, 3, 1]);
    const depth = new SuperResolutionImage({ pixelNm: 10, range: { x0: 0, x1: 100, y0: 0, y1: 100 } });
    depth.add([50, 50, 50], [50, 50, 50], undefined, 3, [100, Number.NaN, -Infinity]);
    assert.deepEqual([depth.drawn, depth.badValue], [1, 2]);
    assert.throws(() => new SuperResolutionImage({ pixelNm: 10, mode: 'gaussian', range: { x0: 0, x1: 100, y0: 0, y1: 100 }, minSigmaNm: 1e6 }), /smallest Gaussian σ must be 0 to 128 output pixels \(1280 nm\)/);
  });

  test('drift: localizations spread over the whole 2 cm allowed make a bounded grid, not an internal error', () => {
    // Two clusters of points 1.9 cm apart, the same in every frame (no drift): the reference
    // grid would have 10¹¹ cells of 40 nm; bounded, its cells widen and the drift is found (0).
    const rng = new Random(3);
    const frame: number[] = [];
    const x: number[] = [];
    const y: number[] = [];
    for (let f = 1; f <= 100; f++) {
      for (let k = 0; k < 20; k++) {
        const far = k % 2 === 0 ? 0 : 1.9e7;
        frame.push(f);
        x.push(-9.5e6 + far + 1000 * (k % 5) + 3 * rng.normal());
        y.push(-9.5e6 + far + 700 * (k % 3) + 3 * rng.normal());
      }
    }
    const drift = estimateDriftAim(frame, x, y, { segmentFrames: 50 });
    // No drift: the estimate is within a few times the precision of 3 nm scatter over 1000 points a segment.
    for (const d of [...drift.x, ...drift.y]) assert.ok(Math.abs(d) < 1, `drift ${d} nm`);
    assert.throws(() => estimateDriftAim([1, 2, 3], [0, 1e12, 0], [0, 0, 0]), /row 2 of the table: x is 1000000000000/);
    // A frame far past the others with one-frame segments: refused before 10⁸ segment lists are made.
    assert.throws(() => estimateDriftAim([...frame, 1e8], [...x, 0], [...y, 0], { segmentFrames: 1 }), /2001 localizations over 100000000 frames make 100000000 drift segments of 1 frames/);
  });
});
