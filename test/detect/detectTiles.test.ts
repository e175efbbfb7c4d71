import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameCamera, resolveCamera } from '../../src/camera/CameraModel.js';
import { Candidates } from '../../src/detect/Candidates.js';
import { resolveDetectOptions } from '../../src/detect/DetectOptions.js';
import type { RegionPixels } from '../../src/detect/RegionPixels.js';
import type { NoiseSource } from '../../src/detect/detectionNoise.js';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { SpotDetector } from '../../src/detect/SpotDetector.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';

// 100 × 90 px: tiles of 16.7 × 15 px (rounded edges), spots in the corners and on every border.
const W = 100;
const H = 90;
const CAMERA = frameCamera(resolveCamera({ pixelSizeNm: 100, baselineAdu: 0, photonsPerAdu: 1, readNoiseElectrons: 1.5 }), W, H);

/** A frame in photons: b = 20 with Poisson noise, 40 spots of 300–2000 photons (σ 1.3 px), 8 of them on the borders. */
function frame(seed: number): Float32Array {
  const rng = new Random(seed);
  const image = Float64Array.from({ length: W * H }, () => rng.poisson(20));
  const ax = new GaussianAxis(11);
  const ay = new GaussianAxis(11);
  const edge: [number, number][] = [[0.4, 0.6], [W - 0.5, 0.3], [0.5, H - 0.4], [W - 0.3, H - 0.6], [W / 2, 0.5], [W / 2, H - 0.5], [0.5, H / 2], [W - 0.5, H / 2]];
  const spots = [...edge, ...Array.from({ length: 32 }, (): [number, number] => [rng.uniform() * W, rng.uniform() * H])];
  for (const [x, y] of spots) renderSpot(image, W, Math.round(x) - 5, Math.round(y) - 5, ax, ay, x - Math.round(x) + 5, y - Math.round(y) + 5, 300 + 1700 * rng.uniform(), 1.3);
  return Float32Array.from(image);
}

const list = (c: Candidates): string[] => Array.from({ length: c.count }, (_, i) => `${c.row[i]},${c.column[i]}:${c.strength[i]}`);

// Band rows 16: the kernel's buffers hold windows of rows, not the frame (as on a tall frame),
// and the rectangles detectTiles joins from the marked runs of several tile rows must fit them.
for (const [filter, noiseSource, bandRows] of [
  ...(['bspline7', 'bspline5', 'thunderstorm'] as FilterKind[]).flatMap((f) => (['camera', 'data'] as NoiseSource[]).map((n) => [f, n, undefined] as const)),
  ['bspline7', 'camera', 16] as const,
]) {
  test(`${filter}, '${noiseSource}' noise${bandRows ? `, bands of ${bandRows} rows` : ''}: detectTiles over marked tiles finds there exactly what the whole frame's detection finds, reading nothing beyond its margin`, () => {
    const options = resolveDetectOptions({ filter, noiseSource, minDistancePx: 0 });
    const whole = new SpotDetector(W, H, options, CAMERA);
    const local = new SpotDetector(W, H, options, CAMERA, bandRows);
    assert.ok(local.local, 'the WebAssembly filter runs on regions');
    const grid = local.grid;
    const rng = new Random(7);
    for (let f = 0; f < 3; f++) {
      const image = frame(11 + f);
      const full = new Candidates();
      whole.load(image);
      whole.detectLoaded(full);
      // The local detector saw this frame before (its tiles' levels and 'data' noise are that frame's).
      local.load(image);
      local.detectLoaded(new Candidates());
      // Every tile marked: the very same candidates, in the same order, at the same strength.
      const all = new Uint8Array(grid.columns * grid.rows).fill(1);
      const out = new Candidates();
      local.detectTiles(image, all, out);
      assert.deepEqual(list(out), list(full), `frame ${f}, every tile`);
      // A random half of the tiles, the frame NaN beyond their margin: the candidates in them.
      const marked = Uint8Array.from(all, () => (rng.uniform() < 0.5 ? 1 : 0));
      const masked = new Float32Array(W * H).fill(Number.NaN);
      const m = local.marginPx;
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          for (let tr = 0; tr < grid.rows; tr++) {
            for (let tc = 0; tc < grid.columns; tc++) {
              if (!marked[tr * grid.columns + tc]) continue;
              if (r >= grid.rowStart(tr) - m && r < grid.rowStart(tr + 1) + m && c >= grid.columnStart(tc) - m && c < grid.columnStart(tc + 1) + m) masked[r * W + c] = image[r * W + c];
            }
          }
        }
      }
      local.detectTiles(masked, marked, out);
      const inMarked = (s: string) => {
        const [r, c] = s.split(':')[0].split(',').map(Number);
        return marked[grid.rowOf(r) * grid.columns + grid.columnOf(c)] === 1;
      };
      const expected = list(full).filter(inMarked);
      assert.ok(expected.length >= 5, `${expected.length} candidates in the marked tiles`);
      assert.deepEqual(list(out), expected, `frame ${f}, half the tiles`);
      // The same pixels computed where read, row by row (the residual passes' RegionPixels).
      const rows: RegionPixels = { copyRow: (target, at, row, c0, c1) => target.set(masked.subarray(row * W + c0, row * W + c1), at) };
      local.detectTiles(rows, marked, out);
      assert.deepEqual(list(out), expected, `frame ${f}, half the tiles, rows computed where read`);
    }
  });
}

test('detectTiles with no tile marked finds nothing', () => {
  const detector = new SpotDetector(W, H, resolveDetectOptions(), CAMERA);
  const image = frame(3);
  detector.load(image);
  detector.detectLoaded(new Candidates());
  const out = new Candidates();
  detector.detectTiles(image, new Uint8Array(detector.grid.columns * detector.grid.rows), out);
  assert.equal(out.count, 0);
});
