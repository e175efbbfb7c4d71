/**
 * The reconstruction of `smlm-stream view` in a real browser (headless Chromium, software
 * rendering): localizations at known places light the expected canvas pixels, zoom (wheel,
 * about the cursor) and pan (drag) move them by the expected amounts, colour by z and by frame
 * colours them by their values, the filter shows as many as the same rule counted here, the
 * histograms are drawn and follow the filter, and toPngBlob gives a PNG of the canvas.
 * One browser for the file; no timed assertions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decode } from 'fast-png';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../browser/launchChromium.js';
import { LOC_RECORD_FIELDS } from '../../src/view/protocol.js';
import { openReconstructionPage } from './bundleReconstructionPage.js';

/** A localization as the test writes it (missing fields get plain values). */
type Loc = Partial<Record<(typeof LOC_RECORD_FIELDS)[number], number>>;

/** Records in the LOC_RECORD_FIELDS order, as Float32 values (what the page stores). */
function records(locs: readonly Loc[]): number[] {
  const plain: Loc = { zNm: Number.NaN, frame: 0, photons: 1000, backgroundPhotons: 10, uncertaintyNm: 10, sigmaNm: 120 };
  return locs.flatMap((loc) => LOC_RECORD_FIELDS.map((f) => Math.fround(loc[f] ?? plain[f] ?? 0)));
}

/** A seeded generator (LCG, Numerical Recipes' constants): the same records every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// 400 × 300 canvas px over a 4000 × 3000 nm field: 10 nm per canvas px, the field's corner at the canvas's.
const WIDTH = 400;
const HEIGHT = 300;
const FIELD = { widthNm: 4000, heightNm: 3000 };
/** The part of the canvas without overlays (the scale bar is at the bottom right, the colour bar at the top right). */
const PLAIN = { x1: 250, y1: HEIGHT };

/** Every lit pixel (any channel > 0) in the plain part of the canvas, with its colour. */
async function litPixels(page: Page): Promise<{ x: number; y: number; rgb: [number, number, number] }[]> {
  return page.evaluate(`(() => {
    const c = document.querySelector('[data-testid=render-canvas]');
    const d = c.getContext('2d').getImageData(0, 0, ${PLAIN.x1}, ${PLAIN.y1}).data;
    const out = [];
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) out.push({ x: (i / 4) % ${PLAIN.x1}, y: Math.floor(i / 4 / ${PLAIN.x1}), rgb: [d[i], d[i + 1], d[i + 2]] });
    return out;
  })()`);
}

/** The canvas pixel that holds a place at fractional canvas position p: floor(p), ±0 (float32 positions, exact powers of two here). */
function holds(lit: { x: number; y: number }, px: number, py: number): boolean {
  return Math.abs(lit.x + 0.5 - px) <= 0.5 + 1e-6 && Math.abs(lit.y + 0.5 - py) <= 0.5 + 1e-6;
}

describe('reconstruction view in a browser', { skip: chromiumMissing() }, () => {
  let page: Page;
  let close: () => Promise<void>;
  let cleanUp: () => void;

  before(async () => {
    const launched = await launchChromium();
    close = launched.close;
    ({ page, cleanUp } = await openReconstructionPage(launched.browser, WIDTH, HEIGHT));
    await page.evaluate(`(() => {
      const q = (id) => document.querySelector('[data-testid=' + id + ']');
      window.counts = [];
      window.v = new smlm.ReconstructionView(q('render-canvas'), { widthNm: ${FIELD.widthNm}, heightNm: ${FIELD.heightNm},
        histograms: { photons: q('hist-photons'), uncertainty: q('hist-uncertainty'), sigma: q('hist-sigma') },
        onCounts: (count, shown) => window.counts.push([count, shown]) });
    })()`);
  });

  after(async () => {
    await close?.();
    cleanUp?.();
  });

  // Written out as a JavaScript array (JSON would turn NaN into null, i.e. 0).
  const append = (locs: readonly Loc[]) => page.evaluate(`v.append(new Float32Array([${records(locs).map(String).join(',')}])); v.drawn()`);
  const reset = () => page.evaluate(`v.clear(); v.setFilter(''); v.setColor('none'); v.resetView(); v.drawn()`);

  test('a localization lights the canvas pixel of its position, and only that', async () => {
    await reset();
    const points = [
      { xNm: 1234, yNm: 567 },
      { xNm: 505, yNm: 2005 },
      { xNm: 2222.5, yNm: 2999 },
    ];
    await append(points);
    assert.deepEqual(await page.evaluate('v.view'), { x0Nm: 0, y0Nm: 0, nmPerPx: 10 }, 'the whole field fills the canvas');
    const lit = await litPixels(page);
    assert.equal(lit.length, points.length, `one pixel per localization, got ${JSON.stringify(lit)}`);
    for (const p of points) assert.ok(lit.some((l) => holds(l, p.xNm / 10, p.yNm / 10)), `(${p.xNm}, ${p.yNm}) nm lights canvas pixel (${Math.floor(p.xNm / 10)}, ${Math.floor(p.yNm / 10)}): lit ${JSON.stringify(lit)}`);
    assert.deepEqual(await page.evaluate('[v.count, v.shownCount]'), [3, 3]);
    assert.deepEqual(await page.evaluate('window.counts.at(-1)'), [3, 3], 'onCounts told the page');
  });

  test('the wheel zooms about the cursor and a drag pans by the distance dragged', async () => {
    await reset();
    const point = { xNm: 1234, yNm: 567 };
    await append([point]);
    // Zoom ×2 about canvas (100, 100): the place under it stays, every other moves away from it twice as far.
    await page.evaluate('v.zoomAt(100, 100, 2); v.drawn()');
    let lit = await litPixels(page);
    let px = 100 + 2 * (point.xNm / 10 - 100);
    let py = 100 + 2 * (point.yNm / 10 - 100);
    assert.equal(lit.length, 1);
    assert.ok(holds(lit[0], px, py), `after zoom ×2 about (100, 100) expected at (${px}, ${py}), lit ${JSON.stringify(lit)}`);

    // A wheel notch up at CSS (150, 40) (= canvas px: shown at its resolution) magnifies by exp(100 × zoomPerWheelPx).
    const factor = Math.exp(100 * 0.002);
    await page.mouse.move(150, 40);
    await page.mouse.wheel(0, -100);
    await page.evaluate('v.drawn()');
    lit = await litPixels(page);
    px = 150 + factor * (px - 150);
    py = 40 + factor * (py - 40);
    assert.equal(lit.length, 1);
    assert.ok(holds(lit[0], px, py), `after the wheel expected at (${px.toFixed(3)}, ${py.toFixed(3)}), lit ${JSON.stringify(lit)}`);
    const nmPerPx = (await page.evaluate('v.view.nmPerPx')) as number;
    assert.ok(Math.abs(nmPerPx - 5 / factor) < 1e-9, `scale ${nmPerPx} nm/px, expected ${5 / factor}`);

    // Drag by (−30, +20) CSS px: the image follows the mouse.
    await page.mouse.move(120, 100);
    await page.mouse.down();
    await page.mouse.move(105, 110, { steps: 3 });
    await page.mouse.move(90, 120, { steps: 3 });
    await page.mouse.up();
    await page.evaluate('v.drawn()');
    lit = await litPixels(page);
    assert.equal(lit.length, 1);
    assert.ok(holds(lit[0], px - 30, py + 20), `after the drag expected at (${(px - 30).toFixed(3)}, ${(py + 20).toFixed(3)}), lit ${JSON.stringify(lit)}`);
    assert.deepEqual(await page.evaluate('v.nmToCanvas(1234, 567).map(Math.floor)'), [lit[0].x, lit[0].y], 'nmToCanvas agrees with the drawing');
  });

  test('colour by z and by frame: low values blue, high values red, a colour bar shown', async () => {
    await reset();
    const locs: Loc[] = [];
    for (let k = 0; k < 50; k++) locs.push({ xNm: 1005, yNm: 1005, zNm: -300, frame: 0 }, { xNm: 2005, yNm: 1005, zNm: 300, frame: 99 });
    await append(locs);
    const colourAt = async (x: number, y: number) => (await litPixels(page)).find((l) => l.x === x && l.y === y)?.rgb;
    const hot = await colourAt(100, 100);
    assert.deepEqual(hot, [255, 255, 255], "without colour the 'hot' map at full scale is white");
    for (const by of ['z', 'frame']) {
      await page.evaluate(`v.setColor('${by}'); v.drawn()`);
      const low = await colourAt(100, 100);
      const high = await colourAt(200, 100);
      assert.ok(low !== undefined && high !== undefined, `both places lit when colouring by ${by}`);
      assert.ok(low[2] > 200 && low[0] < 50, `the lowest ${by} is blue, got ${low}`);
      assert.ok(high[0] > 200 && high[2] < 50, `the highest ${by} is red, got ${high}`);
    }
    assert.deepEqual(await page.evaluate('v.colorRange'), [1, 100], 'frames shown from 1, as in the CSV');
    // The colour bar at the top right holds both ends of the hue scale.
    const bar = (await page.evaluate(`(() => {
      const d = document.querySelector('[data-testid=render-canvas]').getContext('2d').getImageData(${WIDTH - 120}, 0, 120, 60).data;
      let blue = 0, red = 0;
      for (let i = 0; i < d.length; i += 4) { if (d[i + 2] > 200 && d[i] < 60 && d[i + 1] < 60) blue++; if (d[i] > 200 && d[i + 1] < 60 && d[i + 2] < 60) red++; }
      return [blue, red];
    })()`)) as [number, number];
    assert.ok(bar[0] > 0 && bar[1] > 0, `the colour bar shows blue and red, got ${bar}`);
    // A 2-D table (z NaN) coloured by z: grey, not a made-up depth.
    await page.evaluate(`v.clear(); v.setColor('z')`);
    await append([{ xNm: 1005, yNm: 1005 }]);
    const grey = await colourAt(100, 100);
    assert.ok(grey !== undefined && grey[0] === grey[1] && grey[1] === grey[2] && grey[0] > 0, `no z: grey, got ${grey}`);
  });

  test('the filter shows as many as its rule counts here; a bad expression throws a readable error', async () => {
    await reset();
    const rand = random(30);
    const locs: Loc[] = [];
    for (let k = 0; k < 5000; k++) {
      locs.push({ xNm: 4000 * rand(), yNm: 3000 * rand(), frame: Math.floor(1000 * rand()), photons: 100 + 1900 * rand(), uncertaintyNm: 5 + 35 * rand(), sigmaNm: 80 + 80 * rand() });
    }
    await append(locs);
    const f = (v: number) => Math.fround(v);
    const cases: [string, (l: Loc) => boolean][] = [
      ['intensity > 500 && uncertainty < 20', (l) => f(l.photons!) > 500 && f(l.uncertaintyNm!) < 20],
      ['frame <= 100', (l) => l.frame! + 1 <= 100],
      ['x < 1000 | sigma >= 150', (l) => f(l.xNm!) < 1000 || f(l.sigmaNm!) >= 150],
    ];
    for (const [expression, keep] of cases) {
      const expected = locs.filter(keep).length;
      assert.ok(expected > 0 && expected < locs.length, `the case ${expression} keeps some and not all`);
      assert.equal(await page.evaluate(`v.setFilter(${JSON.stringify(expression)})`), expected, expression);
      assert.equal(await page.evaluate('v.shownCount'), expected);
    }
    // The image holds only the shown ones: sum of lit pixels' localizations is not observable, but their number falls.
    await page.evaluate(`v.setFilter(''); v.drawn()`);
    const all = (await litPixels(page)).length;
    await page.evaluate(`v.setFilter('frame <= 100'); v.drawn()`);
    const some = (await litPixels(page)).length;
    assert.ok(some < all / 5, `a filter keeping ~10 % lights fewer pixels: ${some} of ${all}`);

    for (const [bad, says] of [
      ['intensity >', /syntax error/],
      ['photons > 3', /unknown column "photons".*intensity/],
    ] as const) {
      const message = (await page.evaluate(`(() => { try { v.setFilter(${JSON.stringify(bad)}); return 'no error'; } catch (e) { return e.message; } })()`)) as string;
      assert.match(message, says, `${bad}: ${message}`);
      assert.ok(message.includes(bad), `the message quotes the expression: ${message}`);
    }
    assert.equal(await page.evaluate('v.shownCount'), locs.filter((l) => l.frame! + 1 <= 100).length, 'a bad expression keeps the filter in use');
  });

  test('histograms of photons, uncertainty and σ are drawn and follow the filter', async () => {
    // The records of the previous test, filtered by frame; show all first.
    await page.evaluate(`v.setFilter(''); v.drawn()`);
    const bars = (id: string) =>
      page.evaluate(`(() => {
        const c = document.querySelector('[data-testid=${id}]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0, left = c.width;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 0x4a && d[i + 1] === 0x78 && d[i + 2] === 0xb5) { n++; left = Math.min(left, (i / 4) % c.width); }
        return { n, left };
      })()`) as Promise<{ n: number; left: number }>;
    const all = { photons: await bars('hist-photons'), uncertainty: await bars('hist-uncertainty'), sigma: await bars('hist-sigma') };
    for (const [k, b] of Object.entries(all)) assert.ok(b.n > 1000, `${k} histogram has bars (${b.n} px)`);
    const picture = () => page.evaluate(`document.querySelector('[data-testid=hist-photons]').toDataURL()`) as Promise<string>;
    const unfiltered = await picture();
    await page.evaluate(`v.setFilter('intensity > 1500'); v.drawn()`);
    const filtered = await bars('hist-photons');
    assert.ok(filtered.n > 1000, `the filtered histogram has bars (${filtered.n} px)`);
    assert.notEqual(await picture(), unfiltered, 'the photons histogram changed with the filter');
    await page.evaluate(`v.setFilter(''); v.drawn()`);
    assert.equal(await picture(), unfiltered, 'and is drawn as before without it');
  });

  test('resize keeps the centre and the scale', async () => {
    await reset();
    await append([{ xNm: 1234, yNm: 567 }]);
    // 400 × 300 → 200 × 150 canvas px at 10 nm/px: the centre (2000, 1500) nm stays at the centre, so x0 = 1000, y0 = 750 nm.
    await page.evaluate('v.resize(200, 150); v.drawn()');
    assert.deepEqual(await page.evaluate('[v.view, document.querySelector("[data-testid=render-canvas]").width]'), [{ x0Nm: 1000, y0Nm: 750, nmPerPx: 10 }, 200]);
    const [x, y] = (await page.evaluate('v.nmToCanvas(1234, 567)')) as [number, number];
    assert.ok(Math.abs(x - 23.4) < 1e-9 && Math.abs(y + 18.3) < 1e-9, `(1234, 567) nm is above the canvas now, at (${x}, ${y})`);
    const litTopLeft = await page.evaluate(`(() => {
      const d = document.querySelector('[data-testid=render-canvas]').getContext('2d').getImageData(0, 0, 130, 100).data; // left of the scale bar's strip; (123, 56), the old place, inside
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) n++;
      return n;
    })()`);
    assert.equal(litTopLeft, 0, 'nothing drawn where the point is not');
    await page.evaluate('v.resize(400, 300); v.resetView(); v.drawn()');
    assert.deepEqual((await litPixels(page)).map((l) => [l.x, l.y]), [[123, 56]], 'back to the first view');
  });

  test('toPngBlob gives a PNG of the canvas with the localizations on it', async () => {
    await reset();
    await append([{ xNm: 1234, yNm: 567 }]);
    const base64 = (await page.evaluate(`v.toPngBlob().then(async (b) => { const s = new Uint8Array(await b.arrayBuffer()); let t = ''; for (const c of s) t += String.fromCharCode(c); return [b.type, btoa(t)]; })`)) as [string, string];
    assert.equal(base64[0], 'image/png');
    const png = decode(Buffer.from(base64[1], 'base64'));
    assert.equal(png.width, WIDTH);
    assert.equal(png.height, HEIGHT);
    const at = (x: number, y: number) => Array.from(png.data.slice((y * WIDTH + x) * png.channels, (y * WIDTH + x) * png.channels + 3));
    assert.deepEqual(at(123, 56), [255, 255, 255], 'the localization is in the PNG');
    assert.deepEqual(at(124, 56), [0, 0, 0], 'its neighbour is dark');
  });
});
