/**
 * The first two levels of the undecimated B-spline wavelet transform (à trous), as
 * ThunderSTORM's default spot filter ("B-spline wavelet, order 3, scale 2"):
 *
 *     V1 = I * k1,   V2 = V1 * k2,   F1 = I − V1,   F2 = V1 − V2
 *
 * with k1 the cubic B-spline β₃(x/2)/2 sampled at x = −3…3, i.e. [1, 8, 23, 32, 23, 8, 1]/96,
 * applied along rows then columns, and k2 the same taps with one-pixel holes (x = −6, −4, …, 6).
 * F2 is a band-pass image in which spots stand out; F1 is nearly all pixel noise and sets the
 * threshold. The image is extended by half-sample symmetric mirroring at its borders.
 *
 * Scratch for one frame size is allocated once; `apply` allocates nothing.
 */
export class WaveletFilter {
  /** Taps of k1 (offsets −3…3). */
  static readonly TAPS: readonly number[] = [1 / 96, 8 / 96, 23 / 96, 32 / 96, 23 / 96, 8 / 96, 1 / 96];
  /** Frame width, px. */
  readonly width: number;
  /** Frame height, px. */
  readonly height: number;
  /** First wavelet level F1 = I − V1. */
  readonly f1: Float64Array;
  /** Second wavelet level F2 = V1 − V2 (the detection image). */
  readonly f2: Float64Array;
  private readonly v1: Float64Array;
  private readonly scratch: Float64Array;

  /**
   * @param width - frame width, px
   * @param height - frame height, px
   */
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    const n = width * height;
    this.f1 = new Float64Array(n);
    this.f2 = new Float64Array(n);
    this.v1 = new Float64Array(n);
    this.scratch = new Float64Array(n);
  }

  /**
   * Filter one frame of photons into `f1` and `f2`.
   * @param image - photons, row-major, width·height
   */
  apply(image: Float64Array): void {
    const { width, height, v1, scratch, f1, f2 } = this;
    convolveRows(image, scratch, width, height, 1);
    convolveColumns(scratch, v1, width, height, 1);
    const n = width * height;
    for (let i = 0; i < n; i++) f1[i] = image[i] - v1[i];
    convolveRows(v1, scratch, width, height, 2);
    convolveColumns(scratch, f2, width, height, 2);
    for (let i = 0; i < n; i++) f2[i] = v1[i] - f2[i];
  }
}

const K0 = 1 / 96;
const K1 = 8 / 96;
const K2 = 23 / 96;
const K3 = 32 / 96;

/** Half-sample symmetric extension: index −1 → 0, −2 → 1, n → n − 1, n + 1 → n − 2. */
function mirror(i: number, n: number): number {
  if (i < 0) i = -i - 1;
  if (i >= n) i = 2 * n - i - 1;
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** out = in * k along rows, taps spaced `hole` px apart. */
function convolveRows(input: Float64Array, out: Float64Array, width: number, height: number, hole: number): void {
  const h1 = hole;
  const h2 = 2 * hole;
  const h3 = 3 * hole;
  const inner0 = Math.min(h3, width);
  const inner1 = Math.max(inner0, width - h3);
  for (let r = 0; r < height; r++) {
    const base = r * width;
    for (let c = 0; c < inner0; c++) out[base + c] = tapAt(input, base, c, width, hole);
    for (let c = inner0; c < inner1; c++) {
      const p = base + c;
      out[p] =
        K3 * input[p] +
        K2 * (input[p - h1] + input[p + h1]) +
        K1 * (input[p - h2] + input[p + h2]) +
        K0 * (input[p - h3] + input[p + h3]);
    }
    for (let c = inner1; c < width; c++) out[base + c] = tapAt(input, base, c, width, hole);
  }
}

/** One output of a row convolution near the borders, with mirroring. */
function tapAt(input: Float64Array, base: number, c: number, width: number, hole: number): number {
  return (
    K3 * input[base + c] +
    K2 * (input[base + mirror(c - hole, width)] + input[base + mirror(c + hole, width)]) +
    K1 * (input[base + mirror(c - 2 * hole, width)] + input[base + mirror(c + 2 * hole, width)]) +
    K0 * (input[base + mirror(c - 3 * hole, width)] + input[base + mirror(c + 3 * hole, width)])
  );
}

/** out = in * k along columns, taps spaced `hole` px apart. */
function convolveColumns(input: Float64Array, out: Float64Array, width: number, height: number, hole: number): void {
  const h3 = 3 * hole;
  for (let r = 0; r < height; r++) {
    const interior = r >= h3 && r < height - h3;
    const up1 = (interior ? r - hole : mirror(r - hole, height)) * width;
    const dn1 = (interior ? r + hole : mirror(r + hole, height)) * width;
    const up2 = (interior ? r - 2 * hole : mirror(r - 2 * hole, height)) * width;
    const dn2 = (interior ? r + 2 * hole : mirror(r + 2 * hole, height)) * width;
    const up3 = (interior ? r - 3 * hole : mirror(r - 3 * hole, height)) * width;
    const dn3 = (interior ? r + 3 * hole : mirror(r + 3 * hole, height)) * width;
    const base = r * width;
    for (let c = 0; c < width; c++) {
      out[base + c] =
        K3 * input[base + c] +
        K2 * (input[up1 + c] + input[dn1 + c]) +
        K1 * (input[up2 + c] + input[dn2 + c]) +
        K0 * (input[up3 + c] + input[dn3 + c]);
    }
  }
}

/**
 * The per-axis "folded" kernels of the filter at each position along an axis of length n: at
 * position p the taps that fall outside the image are mirrored back onto pixels inside it and
 * add there. Returns, for each p, Σ a², Σ a·b and Σ b² of the folded smoothing kernels
 * a = k1 and b = k1 * k2 (the 1-D factors of V1 and V2), from which the noise gain of F2 at a
 * pixel follows (see {@link borderNoiseGain}).
 */
export function foldedKernelSums(n: number): { aa: Float64Array; ab: Float64Array; bb: Float64Array } {
  const k1 = WaveletFilter.TAPS;
  // b = k1 * (k1 with holes): 19 taps, offsets −9…9.
  const b = new Float64Array(19);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) b[i - 3 + 2 * (j - 3) + 9] += k1[i] * k1[j];
  const aa = new Float64Array(n);
  const ab = new Float64Array(n);
  const bb = new Float64Array(n);
  const fa = new Float64Array(n);
  const fb = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    fa.fill(0);
    fb.fill(0);
    for (let t = -3; t <= 3; t++) fa[mirror(p + t, n)] += k1[t + 3];
    for (let t = -9; t <= 9; t++) fb[mirror(p + t, n)] += b[t + 9];
    let saa = 0, sab = 0, sbb = 0;
    for (let q = Math.max(0, p - 9); q <= Math.min(n - 1, p + 9); q++) {
      saa += fa[q] * fa[q];
      sab += fa[q] * fb[q];
      sbb += fb[q] * fb[q];
    }
    aa[p] = saa;
    ab[p] = sab;
    bb[p] = sbb;
  }
  return { aa, ab, bb };
}
