import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionError } from '../../src/errors/InvalidOptionError.js';
import { chooseScaleBar } from '../../src/render/chooseScaleBar.js';

test('chooseScaleBar: a table of widths gives round lengths and their labels', () => {
  // [image width nm, bar nm, label]: the longest 1/2/5 × 10^k at or below a fifth of the width.
  const cases: [number, number, string][] = [
    [4, 0.5, '0.5 nm'],
    [10, 2, '2 nm'],
    [99, 10, '10 nm'],
    [100, 20, '20 nm'],
    [1000, 200, '200 nm'],
    [2499, 200, '200 nm'],
    [2500, 500, '500 nm'],
    [4999, 500, '500 nm'],
    [5000, 1000, '1 µm'],
    [12800, 2000, '2 µm'],
    [40960, 5000, '5 µm'],
    [51200, 10000, '10 µm'],
    [4.9e6, 5e5, '500 µm'],
    [5e6, 1e6, '1 mm'],
  ];
  for (const [width, lengthNm, label] of cases) {
    const bar = chooseScaleBar(width);
    assert.equal(bar.lengthNm, lengthNm, `width ${width} nm`);
    assert.equal(bar.label, label, `width ${width} nm`);
    assert.equal(bar.lengthPx, undefined);
  }
});

test('chooseScaleBar: the bar spans 8–20 % of the width and is 1, 2 or 5 × 10^k', () => {
  for (let width = 1; width < 1e7; width *= 1.07) {
    const { lengthNm } = chooseScaleBar(width);
    const fraction = lengthNm / width;
    assert.ok(fraction <= 0.2 * (1 + 1e-9) && fraction > 0.08 - 1e-9, `width ${width}: ${lengthNm} nm is ${fraction} of it`);
    const mantissa = lengthNm / 10 ** Math.floor(Math.log10(lengthNm) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `width ${width}: ${lengthNm} nm is not round`);
  }
});

test('chooseScaleBar: length in pixels from the pixel size; a fraction option; bad input refused', () => {
  assert.deepEqual(chooseScaleBar(40960, 10), { lengthNm: 5000, lengthPx: 500, label: '5 µm' });
  assert.equal(chooseScaleBar(10000, undefined, 0.5).lengthNm, 5000);
  assert.throws(() => chooseScaleBar(0), InvalidOptionError);
  assert.throws(() => chooseScaleBar(Number.NaN), InvalidOptionError);
  assert.throws(() => chooseScaleBar(1000, 0), InvalidOptionError);
  assert.throws(() => chooseScaleBar(1000, 10, 1.5), InvalidOptionError);
});
