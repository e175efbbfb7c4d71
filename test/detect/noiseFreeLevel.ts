/**
 * The light a detector's background tiles should read on a simulated frame, from its truth: the
 * noise-free frame (background plus every emitter's pixel-integrated Gaussian), smoothed by the
 * filter's k1 (V1, mirrored borders), its `DETECTION_NOISE.quantile` in each tile of
 * `tilePx`² px read every `sampleStepPx` px, and the median over the tiles — what
 * BackgroundTiles measures on the noisy frame, without the noise. On dense frames this level is
 * above the simulated background: the spots' tails light the darkest places between them.
 * Shared by test/detect/detectionNoise.test.ts and test/bench/densityNoise.ts.
 */
import { DETECTION_NOISE } from '../../src/detect/detectionNoise.js';

/** The Gaussian's share on pixel i (edges i, i + 1) for a centre at `mean` px and σ px. */
function pixelShare(i: number, mean: number, sigma: number): number {
  const s = sigma * Math.SQRT2;
  return 0.5 * (erf((i + 1 - mean) / s) - erf((i - mean) / s));
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7: far below a photon). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}

/**
 * The median tile's low quantile of the noise-free V1, photons/px.
 * @param xs - emitter x, px (pixel edges at integers)
 * @param ys - emitter y, px
 * @param photons - each emitter's photons
 * @param background - background, photons/px
 * @param width - frame width, px
 * @param height - frame height, px
 * @param sigmaPx - the PSF's σ, px
 * @param taps - k1's taps (the detector's filter kernel)
 */
export function noiseFreeLevel(xs: ArrayLike<number>, ys: ArrayLike<number>, photons: ArrayLike<number>, background: number, width: number, height: number, sigmaPx: number, taps: readonly number[]): number {
  const image = new Float64Array(width * height).fill(background);
  const reach = Math.ceil(5 * sigmaPx);
  for (let k = 0; k < xs.length; k++) {
    const c0 = Math.max(0, Math.floor(xs[k]) - reach);
    const c1 = Math.min(width - 1, Math.floor(xs[k]) + reach);
    const r0 = Math.max(0, Math.floor(ys[k]) - reach);
    const r1 = Math.min(height - 1, Math.floor(ys[k]) + reach);
    for (let r = r0; r <= r1; r++) {
      const wy = photons[k] * pixelShare(r, ys[k], sigmaPx);
      for (let c = c0; c <= c1; c++) image[r * width + c] += wy * pixelShare(c, xs[k], sigmaPx);
    }
  }
  const half = taps.length >> 1;
  const mirror = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const tmp = new Float64Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) {
    let sum = 0;
    for (let j = -half; j <= half; j++) sum += taps[j + half] * image[r * width + mirror(c + j, width)];
    tmp[r * width + c] = sum;
  }
  const v1 = new Float64Array(width * height);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) {
    let sum = 0;
    for (let j = -half; j <= half; j++) sum += taps[j + half] * tmp[mirror(r + j, height) * width + c];
    v1[r * width + c] = sum;
  }
  const { tilePx, sampleStepPx: step, quantile } = DETECTION_NOISE;
  const columns = Math.max(1, Math.round(width / tilePx));
  const rows = Math.max(1, Math.round(height / tilePx));
  const levels: number[] = [];
  for (let tr = 0; tr < rows; tr++) {
    for (let tc = 0; tc < columns; tc++) {
      const values: number[] = [];
      for (let r = Math.round((tr * height) / rows); r < Math.round(((tr + 1) * height) / rows); r += step) {
        for (let c = Math.round((tc * width) / columns); c < Math.round(((tc + 1) * width) / columns); c += step) values.push(v1[r * width + c]);
      }
      values.sort((a, b) => a - b);
      levels.push(values[Math.floor(quantile * values.length)]);
    }
  }
  levels.sort((a, b) => a - b);
  return levels[levels.length >> 1];
}
