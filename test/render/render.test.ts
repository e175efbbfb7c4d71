import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decode } from 'fast-png';
import { lastValueFrom, from, toArray } from 'rxjs';
import { pointTableChunks, readPointTable } from '../../src/evaluate/PointTable.js';
import { writePicasso } from '../../src/export/writePicasso.js';
import { accumulateImage } from '../../src/pipeline/accumulateImage.js';
import { encodePng } from '../../src/render/encodePng.js';
import { SuperResolutionImage } from '../../src/render/SuperResolutionImage.js';
import { createLocalizationBatch } from '../../src/table/LocalizationBatch.js';
import { CLI } from '../cli/cliArgs.js';
import { isWhite, longestRun } from './scaleBarPixels.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function centroid(image: SuperResolutionImage): [number, number, number] {
  let s = 0, sx = 0, sy = 0;
  for (let r = 0; r < image.height; r++) {
    for (let c = 0; c < image.width; c++) {
      const v = image.counts[r * image.width + c];
      s += v;
      sx += v * (c + 0.5);
      sy += v * (r + 0.5);
    }
  }
  return [s, sx / s, sy / s];
}

describe('super-resolution rendering', () => {
  test('histogram: each localization in its pixel; outside the range ignored', () => {
    const image = new SuperResolutionImage({ pixelNm: 10, range: { x0: 0, x1: 100, y0: 0, y1: 50 } });
    image.add([5, 15, 15, 99.9, 150, -1], [5, 5, 5, 49.9, 5, 5]);
    assert.equal(image.width, 10);
    assert.equal(image.height, 5);
    assert.equal(image.drawn, 4);
    assert.equal(image.counts[0], 1);
    assert.equal(image.counts[1], 2);
    assert.equal(image.counts[4 * 10 + 9], 1);
    assert.equal(image.counts.reduce((a, b) => a + b, 0), 4);
  });

  test('gaussian: the sum is preserved and the mass centred where the localization is', () => {
    const image = new SuperResolutionImage({ pixelNm: 5, mode: 'gaussian', range: { x0: 0, x1: 400, y0: 0, y1: 400 } });
    image.add([123.4, 300], [210.7, 80], [12, 3]); // the second is raised to the 5 nm minimum
    const [sum] = centroid(image);
    assert.ok(Math.abs(sum - 2) < 1e-12, `sum ${sum}`);
    const single = new SuperResolutionImage({ pixelNm: 5, mode: 'gaussian', range: { x0: 0, x1: 400, y0: 0, y1: 400 } });
    single.add([123.4], [210.7], [12]);
    const [one, cx, cy] = centroid(single);
    assert.ok(Math.abs(one - 1) < 1e-12);
    // Centroid in px of 5 nm: 123.4 / 5 = 24.68, 210.7 / 5 = 42.14 (exact pixel integrals: the
    // ±4σ window's truncation moves it by < 1e-4 px).
    assert.ok(Math.abs(cx - 24.68) < 1e-3 && Math.abs(cy - 42.14) < 1e-3, `${cx}, ${cy}`);
  });

  test('PNG: dimensions and bit depth as asked; contrast from a percentile', () => {
    const image = new SuperResolutionImage({ pixelNm: 10, range: { x0: 0, x1: 70, y0: 0, y1: 30 } });
    image.add([5, 15, 15, 15], [5, 5, 5, 5]);
    const eight = decode(encodePng(image.counts, image.width, image.height));
    assert.deepEqual([eight.width, eight.height, eight.depth, eight.channels], [7, 3, 8, 3]);
    assert.deepEqual(Array.from(eight.data.slice(3, 6)), [255, 255, 255], 'the brightest pixel is white in hot');
    assert.deepEqual(Array.from(eight.data.slice(0, 3)), [255, 0, 0], 'a third of full scale is red');
    const sixteen = decode(encodePng(image.counts, image.width, image.height, { bitDepth: 16 }));
    assert.deepEqual([sixteen.width, sixteen.height, sixteen.depth, sixteen.channels], [7, 3, 16, 1]);
    assert.equal(sixteen.data[1], 65535);
    assert.equal(sixteen.data[0], Math.round(65535 / 3));
  });

  test('the RxJS operator keeps one image up to date from the batches (converged fits only)', async () => {
    const a = createLocalizationBatch(1, 2);
    a.x.set([5, 25]);
    a.y.set([5, 5]);
    a.status.set([0, 1]);
    const b = createLocalizationBatch(2, 1);
    b.x[0] = 5;
    b.y[0] = 5;
    const images = await lastValueFrom(from([a, b]).pipe(accumulateImage({ pixelNm: 10, range: { x0: 0, x1: 40, y0: 0, y1: 10 } }), toArray()));
    assert.equal(images.length, 2);
    assert.equal(images[1], images[0], 'the same accumulating image');
    assert.deepEqual(Array.from(images[1].counts), [2, 0, 0, 0]);
  });
});

describe('CLI render, preview and Picasso export', () => {
  test('render writes the PNG; localize --preview refreshes one; export writes Picasso HDF5 + YAML', async () => {
    const stack = join(dir, 'r.tif');
    let r = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--width', '40', '--height', '32', '--frames', '20', '--density', '0.5', '--min-separation', '700'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const csv = join(dir, 'r.csv');
    const preview = join(dir, 'preview.png');
    r = spawnSync(process.execPath, [...CLI, 'localize', stack, '-o', csv, '--preview', preview, '--preview-every', '5', '--quiet'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const p = decode(readFileSync(preview));
    assert.deepEqual([p.width, p.height], [200, 160], 'the camera field of view at 20 nm');
    // The preview's scale bar: 4 µm wide, a fifth is 800 nm, so a 500 nm bar, 25 px of 20 nm (±1: whole pixels).
    const bar = longestRun(p, (row, column) => isWhite(p, row, column), Math.floor(0.8 * p.height));
    assert.ok(Math.abs(bar.length - 25) <= 1 && bar.start + bar.length > 0.9 * p.width, `preview scale bar ${JSON.stringify(bar)}`);
    const png = join(dir, 'r.png');
    r = spawnSync(process.execPath, [...CLI, 'render', csv, '-o', png, '--pixel', '10', '--mode', 'gaussian', '--bit-depth', '16'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rendered = decode(readFileSync(png));
    assert.deepEqual([rendered.width, rendered.height, rendered.depth, rendered.channels], [400, 320, 16, 1], 'field of view from the sidecar');
    const h5 = join(dir, 'r.hdf5');
    r = spawnSync(process.execPath, [...CLI, 'export', csv, '--format', 'picasso', '-o', h5], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const file = new h5wasm.File(h5, 'r');
    try {
      const locs = file.get('locs') as unknown as { dtype: [string, string][]; shape: number[]; value: number[][] };
      assert.deepEqual(locs.dtype.map(([name, type]) => `${name}:${type}`), [
        'frame:<I', 'x:<f', 'y:<f', 'photons:<f', 'sx:<f', 'sy:<f', 'bg:<f', 'lpx:<f', 'lpy:<f', 'log_likelihood:<f', 'iterations:<i',
      ]);
      const table = readPointTable(csv);
      assert.equal(locs.shape[0], table.x.length);
      const first = locs.value[0];
      assert.equal(first[0], table.frame[0] - 1, 'frames from 0');
      assert.ok(Math.abs(first[1] - (table.x[0] / 100 - 0.5)) < 1e-4, 'x in camera px, pixel centres on integers');
      // The run's σ (measured on the stack, --psf-sigma auto), in camera px: from the CSV's
      // sigma column (0.01 nm, 1e-4 px), float32 in the file.
      const sigmaNm = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).parameters.psfSigmaNm as number;
      assert.ok(Math.abs(first[4] - sigmaNm / 100) < 1.1e-4 && Math.abs(sigmaNm / 130 - 1) < 0.05, `sx in camera px: ${first[4]} for ${sigmaNm} nm`);
    } finally {
      file.close();
    }
    const yaml = readFileSync(join(dir, 'r.yaml'), 'utf8');
    for (const key of ['Width: 40', 'Height: 32', 'Frames: 20', 'Pixelsize: 100']) assert.ok(yaml.includes(key), `${key} in the YAML`);
  });

  test('export without a sidecar needs the field of view', async () => {
    const csv = join(dir, 'bare.csv');
    writeFileSync(csv, readFileSync(join(dir, 'r.csv')));
    const r = spawnSync(process.execPath, [...CLI, 'export', csv, '--format', 'picasso'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /pass --width/);
    await writePicasso(join(dir, 'bare.hdf5'), readPointTable(csv), { width: 40, height: 32, frames: 20, pixelSizeNm: 100 });
    assert.ok(readFileSync(join(dir, 'bare.yaml'), 'utf8').includes('Width: 40'), 'given explicitly, it writes');
  });

  test('export streams: blocks of 7 rows give the same /locs table as the whole table at once', async () => {
    const csv = join(dir, 'r.csv');
    const info = { width: 40, height: 32, frames: 20, pixelSizeNm: 100 };
    const whole = await writePicasso(join(dir, 'whole.hdf5'), readPointTable(csv), info);
    const streamed = await writePicasso(join(dir, 'blocks.hdf5'), pointTableChunks(csv, 7), info);
    assert.equal(streamed, whole);
    assert.ok(whole > 14, `${whole} rows: more than two blocks`);
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const read = (name: string) => {
      const file = new h5wasm.File(join(dir, name), 'r');
      try {
        return (file.get('locs') as unknown as { value: number[][] }).value;
      } finally {
        file.close();
      }
    };
    assert.deepEqual(read('blocks.hdf5'), read('whole.hdf5'));
  });
});
