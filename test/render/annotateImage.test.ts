import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decode } from 'fast-png';
import { run as render } from '../../src/cli/renderCommand.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
import { ANNOTATION_DEFAULTS, layoutAnnotation } from '../../src/render/annotateImage.js';
import { chooseScaleBar } from '../../src/render/chooseScaleBar.js';
import { encodePng } from '../../src/render/encodePng.js';
import { SuperResolutionImage } from '../../src/render/SuperResolutionImage.js';
import { inkGroups, isWhite, longestRun } from './scaleBarPixels.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-bars-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A sparse random image (seeded): about 5 % of the pixels lit, values 1 to 6. */
function sparseImage(width: number, height: number, seed = 7): Float64Array {
  const values = new Float64Array(width * height);
  let s = seed;
  for (let i = 0; i < values.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    if (s % 100 < 5) values[i] = 1 + (s >>> 8) % 6;
  }
  return values;
}

/** The characters of a label as the font draws them apart: a space joins nothing, every other character is one group of columns. */
function glyphCount(label: string): number {
  return [...label].filter((c) => c !== ' ').length;
}

describe('scale bar', () => {
  // [width px, height px, pixel nm, options]: the chosen length / pixel size must be the white
  // bar's length ±1 px (the bar is whole pixels: the rounding moves it by ≤ 0.5 px).
  const cases: [number, number, number, Parameters<typeof encodePng>[3]][] = [
    [1000, 800, 10, {}],
    [300, 300, 7, { colormap: 'grey' }],
    [512, 512, 20, { bitDepth: 16 }],
    [2000, 400, 3.3, {}],
  ];
  for (const [width, height, pixelNm, options] of cases) {
    test(`${width}×${height} px of ${pixelNm} nm (${JSON.stringify(options)}): length, place and label`, () => {
      const png = decode(encodePng(sparseImage(width, height), width, height, { ...options, annotation: { scaleBarPixelNm: pixelNm } }));
      const chosen = chooseScaleBar(width * pixelNm);
      // Only in the darkened strip can a long run of white be (a lit pixel at full scale is
      // white, but lit pixels are 5 % of the image, independent: a 10-pixel run has p ≈ 1e-13).
      const bottom = Math.floor(0.8 * height);
      const bar = longestRun(png, (r, c) => isWhite(png, r, c), bottom);
      assert.ok(Math.abs(bar.length - chosen.lengthNm / pixelNm) <= 1, `bar ${bar.length} px for ${chosen.label} at ${pixelNm} nm`);
      // Bottom right: its right end and its row within 5 % of the image's edges (the margin and strip padding).
      const right = bar.start + bar.length;
      assert.ok(right < width && width - right <= Math.max(10, 0.05 * width), `bar ends at column ${right} of ${width}`);
      assert.ok(bar.row < height && height - bar.row <= Math.max(10, 0.05 * height), `bar at row ${bar.row} of ${height}`);
      assert.ok(bar.start > width / 2, 'in the right half');
      // The bar's thickness: at least 2 rows of the same run.
      assert.ok(isWhite(png, bar.row - 1, bar.start) && isWhite(png, bar.row - 1, right - 1), 'at least 2 px thick');
      // The label above it, inside the strip (where the image is darkened, so white is ours):
      // ink over at least 10 font dots, one group of columns per character.
      const layout = layoutAnnotation(width, height, { scaleBarPixelNm: pixelNm });
      const strip = layout.scaleBar?.strip;
      assert.ok(strip && strip.x <= bar.start && strip.x + strip.width >= right && strip.y + strip.height > bar.row, 'the bar inside its strip');
      let barTop = bar.row;
      while (isWhite(png, barTop - 1, bar.start)) barTop--;
      let ink = 0;
      for (let r = strip.y; r < barTop; r++) for (let c = strip.x; c < strip.x + strip.width; c++) if (isWhite(png, r, c)) ink++;
      assert.ok(ink >= 10 * layout.dot ** 2, `label ink ${ink} px`);
      assert.equal(inkGroups(png, strip.y, barTop, strip.x, strip.x + strip.width), glyphCount(chosen.label), `the glyphs of '${chosen.label}'`);
      // The strip behind: the pixels just left of the bar are darkened (≤ the backdrop factor of white).
      const white = png.depth === 16 ? 65535 : 255;
      const at = (bar.row * width + bar.start - 1) * png.channels;
      assert.ok(png.data[at] <= Math.ceil(ANNOTATION_DEFAULTS.backdrop * white), `strip pixel ${png.data[at]}`);
    });
  }

  test('an image too small for the bar is left as it is, and that is said', () => {
    const values = sparseImage(20, 12);
    const layout = layoutAnnotation(20, 12, { scaleBarPixelNm: 10 });
    assert.equal(layout.scaleBar, undefined);
    assert.match(layout.omitted[0], /too small/);
    assert.deepEqual(encodePng(values, 20, 12, { annotation: { scaleBarPixelNm: 10 } }), encodePng(values, 20, 12));
  });
});

describe('render: scale bar, colour bar, --no-scale-bar', () => {
  // A 3-D table: a diagonal line whose z rises from −300 to 300 nm along x, over 200 frames.
  const csv = join(dir, 'line.csv');
  const lines = ['"frame","x [nm]","y [nm]","z [nm]","uncertainty [nm]"'];
  for (let i = 0; i < 4000; i++) {
    const t = i / 3999;
    lines.push(`${1 + (i % 200)},${(200 + 7600 * t).toFixed(2)},${(300 + 5000 * t).toFixed(2)},${(-300 + 600 * t).toFixed(2)},8`);
  }
  writeFileSync(csv, lines.join('\n') + '\n');
  const range = '0:8000,0:6000';
  const renderTo = (name: string, ...flags: string[]) => {
    const output = join(dir, name);
    const said: string[] = [];
    assert.equal(render([csv, '-o', output, '--range', range, ...flags], (line) => said.push(line)), 0);
    return { bytes: readFileSync(output), said };
  };

  test('--no-scale-bar: the image of the library without labels; the default differs only in the strip', () => {
    const plain = renderTo('plain.png', '--no-scale-bar', '--pixel', '10');
    const barred = renderTo('barred.png', '--pixel', '10');
    const table = readPointTable(csv);
    const image = new SuperResolutionImage({ pixelNm: 10, range: { x0: 0, x1: 8000, y0: 0, y1: 6000 } });
    image.add(table.x, table.y);
    assert.deepEqual(new Uint8Array(plain.bytes), encodePng(image.counts, image.width, image.height), 'byte for byte the unlabelled PNG');
    const a = decode(plain.bytes);
    const b = decode(barred.bytes);
    const strip = layoutAnnotation(a.width, a.height, { scaleBarPixelNm: 10 }).scaleBar?.strip;
    assert.ok(strip);
    let changedOutside = 0;
    let changedInside = 0;
    for (let r = 0; r < a.height; r++) {
      for (let c = 0; c < a.width; c++) {
        const inside = c >= strip.x && c < strip.x + strip.width && r >= strip.y && r < strip.y + strip.height;
        for (let k = 0; k < 3; k++) {
          const i = (r * a.width + c) * 3 + k;
          if (a.data[i] !== b.data[i]) inside ? changedInside++ : changedOutside++;
        }
      }
    }
    assert.equal(changedOutside, 0, 'nothing changed outside the strip');
    assert.ok(changedInside > 0);
    const bar = longestRun(b, (r, c) => isWhite(b, r, c), Math.floor(0.8 * b.height));
    assert.equal(bar.length, 100, '800 px of 10 nm: 8 µm wide, a fifth is 1.6 µm, the bar 1 µm, 100 px');
  });

  /** The hue of an RGB pixel, degrees (0 red, 120 green, 240 blue). */
  const hue = (r: number, g: number, b: number) => {
    const max = Math.max(r, g, b);
    const d = max - Math.min(r, g, b);
    if (d === 0) return 0;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (60 * h + 360) % 360;
  };

  for (const [color, flags, title, labels] of [
    ['z', ['--z-range', '-300:300'], 'z', ['−300', '300 nm']],
    ['frame', [], 'frame', ['1', '200']],
  ] as const) {
    test(`--color ${color}: a colour bar from blue to red, its title and its two ends labelled`, () => {
      const { bytes, said } = renderTo(`${color}.png`, '--pixel', '10', '--color', color, ...flags);
      assert.match(said[0], new RegExp(`coloured by ${color} from ${labels[0].replace('−', '-').split(' ')[0]}`));
      const png = decode(bytes);
      assert.equal(png.channels, 3);
      // The gradient: the longest run of fully saturated bright pixels (max 255, min 0) low in the image.
      const at = (r: number, c: number) => (r * png.width + c) * 3;
      const saturated = (r: number, c: number) => {
        const i = at(r, c);
        const [R, G, B] = [png.data[i], png.data[i + 1], png.data[i + 2]];
        return Math.max(R, G, B) === 255 && Math.min(R, G, B) === 0;
      };
      const gradient = longestRun(png, saturated, Math.floor(0.7 * png.height));
      assert.ok(gradient.length >= ANNOTATION_DEFAULTS.colorBarFraction * png.width - 1, `gradient ${gradient.length} px`);
      assert.ok(gradient.start < png.width / 2, 'bottom left, beside the scale bar');
      const first = at(gradient.row, gradient.start);
      const last = at(gradient.row, gradient.start + gradient.length - 1);
      assert.deepEqual([...png.data.subarray(first, first + 3)], [0, 0, 255], 'blue at the low end');
      assert.deepEqual([...png.data.subarray(last, last + 3)], [255, 0, 0], 'red at the high end');
      let previous = 241;
      for (let c = gradient.start; c < gradient.start + gradient.length; c++) {
        const i = at(gradient.row, c);
        const h = hue(png.data[i], png.data[i + 1], png.data[i + 2]);
        assert.ok(h <= previous + 1e-9, `hue rises at column ${c}: ${h} after ${previous}`);
        previous = h;
      }
      // Below the gradient: the two ends' labels (one group of columns per character); left of it the title.
      let below = gradient.row;
      while (below < png.height && saturated(below, gradient.start)) below++;
      const labelRows: [number, number] = [below, Math.min(png.height, below + Math.ceil(0.1 * png.height))];
      const expected = glyphCount(labels[0]) + glyphCount(labels[1]);
      assert.equal(inkGroups(png, ...labelRows, gradient.start, gradient.start + gradient.length), expected, `labels ${labels.join(' … ')}`);
      let top = gradient.row;
      while (top > 0 && saturated(top - 1, gradient.start)) top--;
      assert.equal(inkGroups(png, top, below, Math.max(0, gradient.start - Math.ceil(0.1 * png.width)), gradient.start), glyphCount(title), `title ${title}`);
      // The scale bar is there too, right of the colour bar.
      const bar = longestRun(png, (r, c) => c > gradient.start + gradient.length && isWhite(png, r, c), Math.floor(0.8 * png.height));
      assert.equal(bar.length, 100);
      // --no-scale-bar leaves both out: no long saturated run.
      const plain = decode(renderTo(`${color}-plain.png`, '--pixel', '10', '--color', color, '--no-scale-bar', ...flags).bytes);
      assert.ok(longestRun(plain, (r, c) => { const i = (r * plain.width + c) * 3; return Math.max(plain.data[i], plain.data[i + 1], plain.data[i + 2]) === 255 && Math.min(plain.data[i], plain.data[i + 1], plain.data[i + 2]) === 0; }, Math.floor(0.7 * plain.height)).length < 20);
    });
  }

  test('an image too small for the labels: drawn without them, with a warning', () => {
    const { said } = renderTo('tiny.png', '--pixel', '400', '--color', 'z');
    assert.ok(said.some((line) => /warning: no scale bar: the 20×15 px image is too small/.test(line)), said.join('\n'));
    assert.ok(said.some((line) => /warning: no colour bar/.test(line)), said.join('\n'));
  });
});
