/**
 * The discrete Fourier transform of complex data of a power-of-two length n, in place, by the
 * iterative radix-2 Cooley–Tukey algorithm (decimation in time): the bit-reversal permutation,
 * then log₂ n stages of butterflies. X(k) = Σⱼ x(j)·exp(−2πi·jk/n), unnormalized. The twiddle
 * factors and the permutation are tabulated once per length; a transform allocates nothing.
 * {@link transform2d} transforms an n × n image (rows, then columns through one scratch column).
 */
export class RadixTwoFft {
  /** cos(2πk/n), k < n/2. */
  private readonly cos: Float64Array;
  /** sin(2πk/n), k < n/2. */
  private readonly sin: Float64Array;
  /** The bit-reversal partner of each index. */
  private readonly reversed: Uint32Array;
  /** One column of an image, real and imaginary parts. */
  private readonly columnRe: Float64Array;
  private readonly columnIm: Float64Array;

  /**
   * @param n - the length, a power of two (1 … 2²⁴)
   * @throws RangeError otherwise
   */
  constructor(readonly n: number) {
    if (!(Number.isInteger(n) && n >= 1 && n <= 2 ** 24 && (n & (n - 1)) === 0)) throw new RangeError(`RadixTwoFft: the length must be a power of two from 1 to 2^24, got ${n}`);
    const half = n >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.reversed = new Uint32Array(n);
    const bits = Math.round(Math.log2(n));
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r >>> 0;
    }
    this.columnRe = new Float64Array(n);
    this.columnIm = new Float64Array(n);
  }

  /**
   * Transform n complex values in place: re[offset + k], im[offset + k], k < n.
   * @param re - real parts
   * @param im - imaginary parts
   * @param offset - index of the first value @default 0
   */
  transform(re: Float64Array, im: Float64Array, offset = 0): void {
    const n = this.n;
    const reversed = this.reversed;
    for (let i = 0; i < n; i++) {
      const j = reversed[i];
      if (j > i) {
        const a = offset + i;
        const b = offset + j;
        const tr = re[a];
        re[a] = re[b];
        re[b] = tr;
        const ti = im[a];
        im[a] = im[b];
        im[b] = ti;
      }
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let size = 2; size <= n; size <<= 1) {
      const halfSize = size >> 1;
      const step = n / size; // twiddle index stride
      for (let start = offset; start < offset + n; start += size) {
        for (let k = 0, t = 0; k < halfSize; k++, t += step) {
          // w = exp(−2πi·t/n) = cos − i·sin
          const wr = cos[t];
          const wi = -sin[t];
          const a = start + k;
          const b = a + halfSize;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }

  /**
   * Transform an n × n complex image in place (row-major: pixel (row, column) at row·n + column):
   * every row, then every column.
   * @param re - real parts, n² values
   * @param im - imaginary parts, n² values
   */
  transform2d(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    for (let row = 0; row < n; row++) this.transform(re, im, row * n);
    const cr = this.columnRe;
    const ci = this.columnIm;
    for (let column = 0; column < n; column++) {
      for (let row = 0, at = column; row < n; row++, at += n) {
        cr[row] = re[at];
        ci[row] = im[at];
      }
      this.transform(cr, ci, 0);
      for (let row = 0, at = column; row < n; row++, at += n) {
        re[at] = cr[row];
        im[at] = ci[row];
      }
    }
  }
}
