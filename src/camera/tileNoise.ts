import type { PixelArray } from '../io/Frame.js';

/**
 * Lowest spatial frequency of the band whose power is measured, cycles/px, on each axis: only
 * frequencies with |fx| ≥ this AND |fy| ≥ this count (the corners of the spectrum). A PSF of
 * σ px has power N²·exp(−4π²σ²|f|²) there: at σ = 0.8 px (a 130 nm PSF on 160 nm pixels) and
 * |f|² ≥ 2·0.375² that is 1e-5 of N², below the noise of a 16×16 tile for spots of 5000
 * photons; smooth backgrounds and cell structure have none.
 */
export const NOISE_BAND_MIN_FREQUENCY = 0.375;

/** Scratch of {@link TileNoise}, made once per tile size. */
interface Tables {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly bands: number;
  readonly window: Float64Array;
  /** Σ w_r² w_c² over the tile. */
  readonly window2Sum: number;
}

/**
 * The noise variance and mean of square tiles of a frame, from the power of the tile's windowed
 * spectrum at high spatial frequencies (PCFO, Heintzmann et al. 2016, arXiv:1611.05654): white
 * noise puts E|F(k)|² = Σ w² var into every frequency k of the windowed tile, so the mean power in
 * the band over Σw² is the w²-weighted mean variance of the tile's pixels, which pairs with the
 * w²-weighted mean of the tile (var is linear in the mean, so the pairing is exact for tiles of
 * uneven brightness). The band (the spectrum's corners, {@link NOISE_BAND_MIN_FREQUENCY}) holds
 * no signal of a band-limited image: spots, smooth and structured backgrounds do not count as
 * noise. Window: sin²(π(n + ½)/T) on each axis, after the tile's mean is subtracted (a Hann
 * window: its sidelobes fall as 1/f³, so the low-frequency content does not leak into the band).
 *
 * Only the band's frequencies are computed (a partial DFT: T²·K + T·K² complex products for K
 * band frequencies per axis), no allocation per tile.
 */
export class TileNoise {
  /** Tile side, px. */
  readonly tilePx: number;
  /** Independent real degrees of freedom of one tile's variance estimate (≈ band frequencies²). */
  readonly degreesOfFreedom: number;
  private readonly tables: Tables;
  private readonly rowRe: Float64Array;
  private readonly rowIm: Float64Array;
  private readonly tile: Float64Array;

  /** @param tilePx - tile side, px (≥ 8) */
  constructor(tilePx: number) {
    this.tilePx = tilePx;
    this.tables = makeTables(tilePx);
    const k = this.tables.bands;
    this.degreesOfFreedom = k * k;
    this.rowRe = new Float64Array(tilePx * k);
    this.rowIm = new Float64Array(tilePx * k);
    this.tile = new Float64Array(tilePx * tilePx);
  }

  /**
   * Measure one tile: writes [w²-weighted mean, noise variance] into `out` at `at`, in the
   * frame's units (ADU, ADU²). With `other` (a second frame of the same size), the tile of the
   * difference `data − other` is measured instead: its variance is the sum of the two frames'
   * (halved here, so it stays one frame's variance) and fixed structure cancels; the mean is the
   * two frames' mean.
   * @param data - frame pixels, row-major
   * @param width - frame width, px
   * @param row0 - tile's top row
   * @param column0 - tile's left column
   * @param other - second frame for a temporal difference, or undefined
   * @param out - output [mean, variance] pairs
   * @param at - index of the pair in `out`
   */
  measure(data: PixelArray, width: number, row0: number, column0: number, other: PixelArray | undefined, out: Float64Array, at: number): void {
    const t = this.tilePx;
    const { window, cos, sin, bands, window2Sum } = this.tables;
    const tile = this.tile;
    let weighted = 0;
    let plain = 0;
    for (let r = 0; r < t; r++) {
      const base = (row0 + r) * width + column0;
      for (let c = 0; c < t; c++) {
        const w2 = window[r] * window[r] * window[c] * window[c];
        const x = data[base + c];
        const value = other ? x - other[base + c] : x;
        weighted += w2 * (other ? 0.5 * (x + other[base + c]) : x);
        tile[r * t + c] = value;
        plain += value;
      }
    }
    plain /= t * t;
    const rowRe = this.rowRe;
    const rowIm = this.rowIm;
    for (let r = 0; r < t; r++) {
      const wr = window[r];
      for (let k = 0; k < bands; k++) {
        let re = 0;
        let im = 0;
        for (let c = 0; c < t; c++) {
          const v = (tile[r * t + c] - plain) * wr * window[c];
          re += v * cos[k * t + c];
          im -= v * sin[k * t + c];
        }
        rowRe[r * bands + k] = re;
        rowIm[r * bands + k] = im;
      }
    }
    let power = 0;
    for (let l = 0; l < bands; l++) {
      for (let k = 0; k < bands; k++) {
        let re = 0;
        let im = 0;
        for (let r = 0; r < t; r++) {
          const a = rowRe[r * bands + k];
          const b = rowIm[r * bands + k];
          const cs = cos[l * t + r];
          const sn = sin[l * t + r];
          re += a * cs + b * sn;
          im += b * cs - a * sn;
        }
        power += re * re + im * im;
      }
    }
    out[at] = weighted / window2Sum;
    out[at + 1] = power / (bands * bands * window2Sum) / (other ? 2 : 1);
  }
}

/** The window and the band's DFT tables of a tile size. */
function makeTables(t: number): Tables {
  const frequencies: number[] = [];
  for (let k = 0; k < t; k++) {
    const f = k <= t / 2 ? k / t : (k - t) / t;
    if (Math.abs(f) >= NOISE_BAND_MIN_FREQUENCY) frequencies.push(k);
  }
  const bands = frequencies.length;
  const cos = new Float64Array(bands * t);
  const sin = new Float64Array(bands * t);
  frequencies.forEach((k, i) => {
    for (let n = 0; n < t; n++) {
      cos[i * t + n] = Math.cos((2 * Math.PI * k * n) / t);
      sin[i * t + n] = Math.sin((2 * Math.PI * k * n) / t);
    }
  });
  const window = new Float64Array(t);
  let w2 = 0;
  for (let n = 0; n < t; n++) {
    window[n] = Math.sin((Math.PI * (n + 0.5)) / t) ** 2;
    w2 += window[n] ** 2;
  }
  return { cos, sin, bands, window, window2Sum: w2 * w2 };
}
