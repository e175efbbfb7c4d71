import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PhotonConversion } from '../../src/camera/CameraModel.js';
import { frameCamera, resolveCamera } from '../../src/camera/CameraModel.js';
import { Candidates } from '../../src/detect/Candidates.js';
import { resolveDetectOptions } from '../../src/detect/DetectOptions.js';
import type { NoiseSource } from '../../src/detect/detectionNoise.js';
import type { FilterKind } from '../../src/detect/FilterKernel.js';
import { SpotDetector } from '../../src/detect/SpotDetector.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { Random } from '../../src/simulate/Random.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';

// 150 × 137 px: 9 tile rows of 15.2 px (rounded edges), so no band height below divides it evenly.
const W = 150;
const H = 137;
const CAMERA = frameCamera(resolveCamera({ pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 0.5, readNoiseElectrons: 1.5 }), W, H);

/** A frame in photons: a background that rises across the frame (so the tiles' levels differ), Poisson noise, 60 spots of 200–2000 photons, some on the borders. */
function photons(seed: number): Float64Array {
  const rng = new Random(seed);
  const image = Float64Array.from({ length: W * H }, (_, p) => rng.poisson(8 + (24 * Math.floor(p / W)) / H));
  const ax = new GaussianAxis(11);
  const spots: [number, number][] = [[0.4, 0.6], [W - 0.5, H - 0.4], [W / 2, 0.5], [0.5, H / 2]];
  for (let k = 0; k < 56; k++) spots.push([rng.uniform() * W, rng.uniform() * H]);
  for (const [x, y] of spots) renderSpot(image, W, Math.round(x) - 5, Math.round(y) - 5, ax, ax, x - Math.round(x) + 5, y - Math.round(y) + 5, 200 + 1800 * rng.uniform(), 1.3);
  return image;
}

/** The frame as uint16 ADU for a conversion (its inverse, rounded) and as f32 photons. */
function frames(seed: number, conversion: PhotonConversion): { adu: Uint16Array; f32: Float32Array } {
  const image = photons(seed);
  const adu = Uint16Array.from(image, (v, p) => Math.round(v / (conversion.factorMap?.[p] ?? conversion.photonsPerAduNet) + (conversion.offsetMap?.[p] ?? conversion.baselineAdu)));
  return { adu, f32: Float32Array.from(image) };
}

const list = (c: Candidates): string[] => Array.from({ length: c.count }, (_, i) => `${c.row[i]},${c.column[i]}:${c.strength[i]}`);

// Per-pixel maps (an sCMOS camera): offsets and gains that vary, so a margin row converted with
// another row's maps would show.
const rng = new Random(3);
const MAPS: PhotonConversion = {
  baselineAdu: 100,
  photonsPerAduNet: 0.5,
  offsetMap: Float32Array.from({ length: W * H }, () => 95 + 10 * rng.uniform()),
  factorMap: Float32Array.from({ length: W * H }, () => 0.4 + 0.2 * rng.uniform()),
};

// The camera with those maps: detectors made with it hold them in the kernel.
const MAPPED = { ...CAMERA, offsetMap: MAPS.offsetMap, factorMap: MAPS.factorMap };

for (const filter of ['bspline7', 'thunderstorm'] as FilterKind[]) {
  for (const noiseSource of ['camera', 'data'] as NoiseSource[]) {
    test(`${filter}, '${noiseSource}' noise: a frame detected in bands of the kernel gives exactly the whole frame's candidates`, () => {
      const options = resolveDetectOptions({ filter, noiseSource });
      // One band (the whole frame) is the reference; bands of 1, 2, 3 and 4 tile rows (none divides the 9).
      const whole = new SpotDetector(W, H, options, MAPPED, H);
      const banded = [16, 30, 45, 64].map((rows) => new SpotDetector(W, H, options, MAPPED, rows));
      // Without the maps in the kernel (a detector made for a scalar camera): a JavaScript loop
      // converts with them, in the kernel's f32 arithmetic.
      banded.push(new SpotDetector(W, H, options, CAMERA));
      const js = new SpotDetector(W, H, resolveDetectOptions({ filter, noiseSource, engine: 'js' }), CAMERA);
      assert.equal(whole.filter.engine, 'wasm');
      assert.equal(js.filter.engine, 'js');
      let compared = 0;
      for (let f = 0; f < 2; f++) {
        for (const conversion of [CAMERA, MAPS]) {
          const { adu, f32 } = frames(20 + f, conversion);
          const inputs: [string, (d: SpotDetector, out: Candidates) => void][] = [
            ['uint16', (d, out) => d.detect(adu, out, conversion)],
            ['f32 photons', (d, out) => d.detect(f32, out)],
            ['residual at a known level', (d, out) => {
              d.loadResidual(f32, new Float64Array(W * H).fill(12));
              d.detectLoaded(out);
            }],
          ];
          for (const [name, run] of inputs) {
            const reference = new Candidates();
            run(whole, reference);
            assert.ok(reference.count >= 30, `${name}: ${reference.count} candidates to compare`);
            for (const [k, d] of banded.entries()) {
              const out = new Candidates();
              run(d, out);
              assert.deepEqual(list(out), list(reference), `frame ${f}, ${name}, ${conversion === MAPS ? 'maps' : 'scalar camera'}, bands ${k}`);
              compared++;
            }
            // The JavaScript engine (f64, whole frames): the same pixels; strengths within f32's
            // rounding of photon counts (6e-8 relative, accumulated over the passes).
            const out = new Candidates();
            run(js, out);
            assert.deepEqual(Array.from({ length: out.count }, (_, i) => `${out.row[i]},${out.column[i]}`), Array.from({ length: reference.count }, (_, i) => `${reference.row[i]},${reference.column[i]}`), `${name}: the JavaScript engine's candidates`);
            for (let i = 0; i < out.count; i++) assert.ok(Math.abs(out.strength[i] - reference.strength[i]) <= 1e-5 * Math.abs(reference.strength[i]), `${name}: strength ${out.strength[i]} vs ${reference.strength[i]}`);
          }
        }
      }
      assert.equal(compared, 2 * 2 * 3 * banded.length);
    });
  }
}

test('the kernel\'s memory does not grow with the frame\'s height', () => {
  // The memory for 2048-px-wide frames of 256 and 2048 rows: the same (bands of the frame's rows,
  // 'camera' noise, a scalar camera: no per-pixel maps held).
  const options = resolveDetectOptions({ noiseSource: 'camera' });
  const bytes = (height: number) => {
    const camera = frameCamera(resolveCamera({ pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1, readNoiseElectrons: 1 }), 2048, height);
    const d = new SpotDetector(2048, height, options, camera) as unknown as { stream: { exports: { memory: { buffer: ArrayBuffer } } } };
    return d.stream.exports.memory.buffer.byteLength;
  };
  const small = bytes(256);
  const large = bytes(2048);
  // Equal to a page (64 KiB): the same bands, and about the same F1 samples' capacity (8192 + a row's worth).
  assert.ok(large - small <= 65536, `${small} → ${large} bytes`);
  assert.ok(large < 8 * 2048 * 256, `${large} bytes: under 8 B a pixel of the 256-row frame`);
});
