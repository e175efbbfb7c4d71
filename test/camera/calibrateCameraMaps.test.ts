/**
 * The sCMOS calibration against the simulator's sensor (offset, variance and gain maps of its
 * own, 3 % hot pixels): each map within its standard error of the truth, the gain's median
 * within 2 %, rare events left out, and every refusal naming its file.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calibrateCameraMaps, CAMERA_CALIBRATION_DEFAULTS } from '../../src/camera/calibrateCameraMaps.js';
import { PixelMoments } from '../../src/camera/PixelMoments.js';
import type { PixelStatistics } from '../../src/camera/PixelMoments.js';
import { Random } from '../../src/simulate/Random.js';
import type { SimulateStackOptions } from '../../src/simulate/simulateStack.js';
import { resolveSimulateStackOptions, SCMOS_SENSOR, sensorMaps, simulateStack } from '../../src/simulate/simulateStack.js';

const W = 64;
/**
 * One sensor for every stack (the maps come from the seed): gain ≈ 2 ADU per e⁻, base 400 ADU so
 * that the noisiest hot pixel (40 e⁻ = 80 ADU) never reaches 0.
 */
const SENSOR = { width: W, height: W, sensor: 'scmos', photonsPerAdu: 0.5, baselineAdu: 400, seed: 11, density: 0 } as const;
const TRUTH = sensorMaps(resolveSimulateStackOptions(SENSOR));

/** A simulated stack's per-pixel statistics; `alter` may change each frame first (light, cosmic rays). */
function statistics(source: string, options: SimulateStackOptions, alter?: (adu: Float64Array, index: number) => void, size = W): PixelStatistics {
  const moments = new PixelMoments(size, size, { source, saturationAdu: 65535, floorAdu: 0, neighbours: source.startsWith('dark') });
  for (const frame of simulateStack({ ...SENSOR, width: size, height: size, ...options })) {
    alter?.(frame.adu, frame.index);
    moments.add(frame.adu);
  }
  return moments.finish();
}

const median = (values: ArrayLike<number>) => Float64Array.from(values).sort()[values.length >> 1];

describe('calibrateCameraMaps on a simulated sCMOS sensor (64 × 64 px, gain 2 ADU per e⁻, 3 % hot pixels)', () => {
  const dark = statistics('dark.tif', { frames: 400, background: 0 });
  // The same seed for every stack: the sensor comes from it (the noise streams differ anyway,
  // as each frame draws a different number of random numbers).
  const flats = [statistics('flat-100.tif', { frames: 200, background: 100 }), statistics('flat-400.tif', { frames: 200, background: 400 })];
  const calibration = calibrateCameraMaps(dark, flats);
  const n = W * W;

  test('the offset of each pixel within its standard error of the truth (error/SE: RMS 1 ± 5 %, ≤ 1 % beyond 3 SE)', () => {
    let sum2 = 0;
    let beyond = 0;
    for (let k = 0; k < n; k++) {
      // The data are rounded to whole ADU: their variance is the read noise's plus 1/12.
      const se = Math.sqrt((TRUTH.varianceAdu2[k] + 1 / 12) / dark.samples[k]);
      const z = (calibration.offsetAdu[k] - TRUTH.offsetAdu[k]) / se;
      sum2 += z * z;
      if (Math.abs(z) > 3) beyond++;
    }
    // 4096 pixels: the RMS of z has a standard error of 1/√(2·4096) = 1.1 %; 0.27 % of Gaussian
    // errors lie beyond 3 SE (11 ± 3 pixels), so 1 % (41) is far out.
    const rms = Math.sqrt(sum2 / n);
    assert.ok(Math.abs(rms - 1) < 0.05, `offset error / SE: RMS ${rms}`);
    assert.ok(beyond <= 0.01 * n, `${beyond} pixels beyond 3 SE`);
  });

  test('the variance of each pixel within its standard error √(2/(n − 1)) of the truth (RMS 1 ± 10 %)', () => {
    let sum2 = 0;
    for (let k = 0; k < n; k++) {
      const truth = TRUTH.varianceAdu2[k] + 1 / 12;
      const z = (calibration.varianceAdu2[k] / truth - 1) / Math.sqrt(2 / (dark.samples[k] - 1));
      sum2 += z * z;
    }
    // √(2/(n − 1)) is exact for Gaussian noise; rounding to whole ADU makes the hot pixels' and
    // the ordinary pixels' kurtosis a little different from 3, hence 10 % and not 5 %.
    const rms = Math.sqrt(sum2 / n);
    assert.ok(Math.abs(rms - 1) < 0.1, `variance error / SE: RMS ${rms}`);
  });

  test('the gain: median within 2 % of the truth, the sensor spread (5 %) told from the estimate noise', () => {
    const gain = calibration.gainAduPerElectron;
    assert.ok(gain, 'a gain map with flats');
    const truthMedian = median(TRUTH.gainAduPerElectron);
    const found = median(gain);
    assert.ok(Math.abs(found / truthMedian - 1) < 0.02, `median gain ${found}, truth ${truthMedian}`);
    const g = calibration.summary.gain;
    assert.ok(g);
    assert.ok(Math.abs(g.medianAduPerElectron / truthMedian - 1) < 0.02);
    // The spread of 4096 estimates is known to about 2 % of itself; the sensor's part is the
    // quadrature difference, so ±1.5 points around the simulated 5 %.
    assert.ok(Math.abs(g.sensorSpread - SCMOS_SENSOR.gainSpread) < 0.015, `sensor spread ${g.sensorSpread}, simulated ${SCMOS_SENSOR.gainSpread}`);
    // Each pixel's error against the truth: its spread (1.4826 · MAD, so that the few hot
    // pixels, whose gain is less sure, do not rule it) is the spread the estimate's noise
    // explains (the median relative standard error), within 10 % (the spread of 4096 errors is
    // known to ±2 %, the median standard error is a model).
    const errors = Float64Array.from(gain, (v, k) => v / TRUTH.gainAduPerElectron[k] - 1);
    const centre = median(errors);
    const spread = 1.4826 * median(errors.map((e) => Math.abs(e - centre)));
    assert.ok(Math.abs(spread / g.estimationSpread - 1) < 0.1, `per-pixel gain error spread ${spread}, estimation spread ${g.estimationSpread}`);
    for (const f of calibration.summary.flats) assert.ok(Math.abs(f.gainMedianAduPerElectron / truthMedian - 1) < 0.03, `${f.source}: ${f.gainMedianAduPerElectron}`);
    // Hot pixels' read noise hides the flats' photon noise: most of them get the median gain,
    // hardly any ordinary pixel does; the flats agree, so no warning.
    const hot = calibration.summary.hotPixels.count;
    assert.ok(g.replacedPixels >= 0.4 * hot && g.replacedPixels <= hot + 0.002 * n, `${g.replacedPixels} pixels got the median gain, ${hot} are hot`);
    assert.deepEqual(calibration.warnings, []);
  });

  test('a flickering light (±5 %, 2.9 % rms, frame to frame) in the flats: measured, taken out, the gain median still within 2 %', () => {
    const rng = new Random(8);
    // Extra light of δ·b photons, δ uniform in [0, 0.1] per frame, through each pixel's gain: the
    // pixels vary together by b·g·δ, which would add (2.9 % · 800 ADU)² ≈ 530 ADU² to the
    // brighter flat's 1600 ADU² of shot noise (a gain 33 % too high) if left in.
    const flicker = (b: number) => (adu: Float64Array) => {
      const delta = 0.1 * rng.uniform();
      for (let k = 0; k < adu.length; k++) adu[k] = Math.round(adu[k] + TRUTH.gainAduPerElectron[k] * rng.poisson(b * delta));
    };
    const flickering = [statistics('flicker-100.tif', { frames: 200, background: 100 }, flicker(100)), statistics('flicker-400.tif', { frames: 200, background: 400 }, flicker(400))];
    const result = calibrateCameraMaps(dark, flickering);
    const rms = 0.1 / Math.sqrt(12) / 1.05; // of δ, relative to the mean light 1 + 0.05
    for (const f of result.summary.flats) assert.ok(Math.abs(f.lightFlicker / rms - 1) < 0.25, `${f.source}: flicker ${f.lightFlicker}, simulated ${rms}`);
    const truthMedian = median(TRUTH.gainAduPerElectron);
    const g = result.summary.gain?.medianAduPerElectron ?? 0;
    assert.ok(Math.abs(g / truthMedian - 1) < 0.02, `median gain ${g}, truth ${truthMedian}`);
    assert.equal(result.warnings.length, 2);
    assert.match(result.warnings[0], /flicker-100\.tif: the light changes from frame to frame by 2\.\d\d % rms/);
  });

  test('hot pixels: those whose read noise is over 3× the median, as simulated (3 %)', () => {
    const noise = TRUTH.varianceAdu2.map(Math.sqrt);
    const threshold = CAMERA_CALIBRATION_DEFAULTS.hotNoiseFactor * median(noise);
    const truthHot = noise.filter((v) => v > threshold).length;
    const { hotPixels } = calibration.summary;
    // Simulated hot pixels have 10–40 e⁻ against a 4.8 e⁻ threshold: no pixel near the line.
    assert.equal(hotPixels.count, truthHot);
    assert.ok(Math.abs(hotPixels.fraction - SCMOS_SENSOR.hotFraction) < 0.01, `${hotPixels.fraction}`);
  });

  test('the read noise in e⁻ through the gain map: median as simulated (1.6 e⁻) within 5 %', () => {
    const e = calibration.summary.readNoiseElectrons;
    assert.ok(e && e.gainFrom === 'flats');
    assert.ok(Math.abs(e.median / SCMOS_SENSOR.readNoiseElectrons - 1) < 0.05, `${e.median} e⁻`);
    assert.ok(e.p99 > SCMOS_SENSOR.hotReadNoiseElectrons[0], 'the 99th percentile is a hot pixel');
  });

  test('without flats: offset and variance only, the read noise in ADU, or in e⁻ by a given photons per ADU', () => {
    const alone = calibrateCameraMaps(dark);
    assert.equal(alone.gainAduPerElectron, undefined);
    assert.equal(alone.summary.gain, undefined);
    assert.equal(alone.summary.readNoiseElectrons, undefined);
    assert.deepEqual(alone.offsetAdu, calibration.offsetAdu);
    const given = calibrateCameraMaps(dark, [], { photonsPerAdu: 0.5 });
    assert.equal(given.summary.readNoiseElectrons?.gainFrom, 'photonsPerAdu');
    assert.ok(Math.abs((given.summary.readNoiseElectrons?.median ?? 0) - 0.5 * given.summary.readNoiseAdu.median) < 1e-12);
  });
});

describe('rare events and refusals (32 × 32 px)', () => {
  const S = 32;
  test('cosmic rays (one frame, +3000 ADU) are left out: those pixels get the statistics of their other samples', () => {
    const rays = new Map<number, number>(); // pixel → frame
    const rng = new Random(3);
    while (rays.size < 25) rays.set(Math.floor(rng.uniform() * S * S), Math.floor(rng.uniform() * 120));
    const hitValues = new Map<number, number>(); // pixel → its clean value in the frame the ray hits
    const clean = statistics('dark-clean.tif', { frames: 120, background: 0 }, (adu, index) => {
      for (const [k, frame] of rays) if (frame === index) hitValues.set(k, adu[k]);
    }, S);
    const hit = statistics('dark-rays.tif', { frames: 120, background: 0 }, (adu, index) => {
      for (const [k, frame] of rays) if (frame === index) adu[k] += 3000;
    }, S);
    assert.equal(clean.outlierSamples, 0, 'no sample of Gaussian noise is taken for a ray');
    assert.equal(hit.outlierSamples, rays.size);
    assert.equal(hit.outlierPixels, rays.size);
    for (const [k, v] of hitValues) {
      // The clean stack's sums less the sample the ray hit: the other 119 samples' mean and variance.
      const sum = 120 * clean.meanAdu[k] - v;
      const squares = 119 * clean.varianceAdu2[k] + 120 * clean.meanAdu[k] ** 2 - v * v;
      const mean = sum / 119;
      assert.equal(hit.samples[k], 119);
      assert.ok(Math.abs(hit.meanAdu[k] - mean) < 1e-9, `pixel ${k}: mean ${hit.meanAdu[k]}, ${mean} without the ray`);
      assert.ok(Math.abs(hit.varianceAdu2[k] - (squares - 119 * mean * mean) / 118) < 1e-6, `pixel ${k}: variance`);
    }
  });

  test('too few frames: refused naming the file, with the frames needed for what precision', () => {
    const short = statistics('short.tif', { frames: 60, background: 0 }, undefined, S);
    assert.throws(() => calibrateCameraMaps(short), /^InputFileError: short\.tif: 60 frames; a dark stack needs at least 100: .*±14 % at 100 frames, ±4\.5 % at 1000/);
  });

  test('saturated pixels: refused naming the file and the first pixel', () => {
    const dark = statistics('dark.tif', { frames: 100, background: 0 }, undefined, S);
    // 40 000 photons at 2 ADU per e⁻ is above 65535: every pixel saturates.
    const bright = statistics('bright.tif', { frames: 100, background: 40000 }, undefined, S);
    assert.throws(() => calibrateCameraMaps(dark, [bright]), /bright\.tif: 1024 pixels are saturated in some frames \(the first at x 0, y 0\)/);
  });

  test('a dark stack with spots, or with uneven light, is refused as not dark', () => {
    const spots = statistics('dark-spots.tif', { frames: 100, background: 0, density: 0.2, photons: 500 }, undefined, S);
    assert.throws(() => calibrateCameraMaps(spots), /dark-spots\.tif: this is not a dark stack: neighbouring pixels fluctuate together/);
    const rng = new Random(4);
    // Light rising from 0 to 20 photons/px across the field (2 ADU per e⁻), steady in time.
    const uneven = statistics('dark-lit.tif', { frames: 100, background: 0 }, (adu) => {
      for (let k = 0; k < adu.length; k++) adu[k] += 2 * rng.poisson((20 * (k % S)) / S);
    }, S);
    assert.throws(() => calibrateCameraMaps(uneven), /dark-lit\.tif: this is not a dark stack: its brighter pixels are noisier/);
  });

  test('flats: of one intensity, without light, or of another size are refused, naming them', () => {
    const dark = statistics('dark.tif', { frames: 100, background: 0 }, undefined, S);
    const a = statistics('flat-a.tif', { frames: 100, background: 200 }, undefined, S);
    const b = statistics('flat-b.tif', { frames: 100, background: 210, seed: SENSOR.seed }, undefined, S);
    assert.throws(() => calibrateCameraMaps(dark, [a, b]), /flat-a\.tif, flat-b\.tif: the flats have one intensity .*photon transfer needs flats of different intensities/);
    const unlit = statistics('flat-dark.tif', { frames: 100, background: 0 }, undefined, S);
    assert.throws(() => calibrateCameraMaps(dark, [a, unlit]), /flat-dark\.tif: the flat is only .* ADU above the dark stack's offset/);
    const other = statistics('flat-small.tif', { frames: 100, background: 200 }, undefined, 16);
    assert.throws(() => calibrateCameraMaps(dark, [other]), /flat-small\.tif: frames of 16×16 px, where the dark stack dark\.tif has 32×32 px/);
    // One flat is enough for a gain (the dark is the line's other point).
    assert.ok(calibrateCameraMaps(dark, [a]).gainAduPerElectron);
  });
});
