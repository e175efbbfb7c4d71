import { naturalSecondDerivatives } from '../fit/spline/naturalSecondDerivatives.js';

/**
 * Resample a volume at a constant sub-voxel offset: `out(p) = src(p + shift)` for every voxel
 * p = (plane, row, column), one axis after the other, each line through its interpolating
 * natural cubic spline (C², zero curvature at the ends); beyond the ends the end sample is
 * repeated (the caller crops what that touches). A spline rather than a 4-tap cubic convolution
 * (Keys), whose half-pixel shift attenuates a well-sampled PSF's fine structure more: on the
 * pupil-function beads the leave-one-out z error went from 13.4 to 12.1 nm RMS.
 * @param src - the volume, `src[(plane·rows + row)·columns + column]`
 * @param planes - size along z
 * @param rows - size along y
 * @param columns - size along x
 * @param shiftZ - offset along z, planes
 * @param shiftY - offset along y, px
 * @param shiftX - offset along x, px
 * @param out - the resampled volume (same size; may not be `src`)
 * @param scratch - {@link shiftVolumeScratch}'s
 * @param lateral - how x and y are resampled: `'spline'` as z, or `'fourier'`, the band-limited
 *   (periodic sinc) interpolation of each row and column ({@link shiftAxisFourier}) @default 'spline'
 */
export function shiftVolume(src: Float64Array, planes: number, rows: number, columns: number, shiftZ: number, shiftY: number, shiftX: number, out: Float64Array, scratch: Float64Array, lateral: 'spline' | 'fourier' = 'spline'): void {
  const n = planes * rows * columns;
  const a = scratch.subarray(0, n);
  const b = scratch.subarray(n, 2 * n);
  const longest = Math.max(planes, rows, columns);
  const line = scratch.subarray(2 * n, 2 * n + 3 * longest);
  const across = lateral === 'fourier' ? shiftAxisFourier : shiftAxis;
  across(src, a, columns, 1, n, shiftX, line);
  across(a, b, rows, columns, n, shiftY, line);
  shiftAxis(b, out, planes, rows * columns, n, shiftZ, line);
}

/**
 * The scratch {@link shiftVolume} needs for a volume of this size.
 * @param planes - size along z
 * @param rows - size along y
 * @param columns - size along x
 */
export function shiftVolumeScratch(planes: number, rows: number, columns: number): Float64Array {
  return new Float64Array(2 * planes * rows * columns + 3 * Math.max(planes, rows, columns));
}

/** One axis of {@link shiftVolume}: lines of `length` samples `stride` apart; `line` is scratch of 3·length. */
function shiftAxis(src: Float64Array, dst: Float64Array, length: number, stride: number, n: number, shift: number, line: Float64Array): void {
  const f = line.subarray(0, length);
  const m = line.subarray(length, 2 * length);
  const c = line.subarray(2 * length, 3 * length);
  const block = length * stride;
  for (let start = 0; start < n; start += block) {
    for (let offset = 0; offset < stride; offset++) {
      const base = start + offset;
      for (let i = 0; i < length; i++) f[i] = src[base + i * stride];
      naturalSecondDerivatives(f, 0, 1, length, m, c);
      for (let i = 0; i < length; i++) {
        const x = i + shift;
        let value: number;
        if (x <= 0) value = f[0];
        else if (x >= length - 1) value = f[length - 1];
        else {
          const j = Math.floor(x);
          const t = x - j;
          const u = 1 - t;
          value = u * f[j] + t * f[j + 1] + ((u * u * u - u) * m[j] + (t * t * t - t) * m[j + 1]) / 6;
        }
        dst[base + i * stride] = value;
      }
    }
  }
}

/**
 * One axis by band-limited interpolation: `dst(i) = Σ_j src(j)·D(i + shift − j)` with D the
 * periodic sinc of the line's length L (the trigonometric interpolant through the samples: D(x) =
 * sin(πx) / (L·sin(πx/L)) for odd L, with tan for even L, whose Nyquist term is split evenly).
 * Exact for a line whose spectrum lies below the Nyquist frequency and that is periodic, as a
 * PSF imaged at pixels under λ/(4·NA) nearly is, where a cubic spline through pixel-integrated
 * samples smooths its fine structure. The straight line through the line's end samples is taken
 * off before and added back at i + shift after (a bright bead's tails reach its window's edge:
 * its periodic extension would step there). `line` is scratch of 2·length.
 */
function shiftAxisFourier(src: Float64Array, dst: Float64Array, length: number, stride: number, n: number, shift: number, line: Float64Array): void {
  const f = line.subarray(0, length);
  const kernel = line.subarray(length, 2 * length);
  const odd = length % 2 === 1;
  // kernel[d] = D(d + shift), d = (i − j) mod L.
  for (let d = 0; d < length; d++) {
    const x = d + shift;
    const a = (Math.PI * x) / length;
    const sinA = Math.sin(a);
    // At x a multiple of L the kernel's limit is 1 (for either parity).
    if (Math.abs(sinA) < 1e-12) kernel[d] = 1;
    else kernel[d] = Math.sin(Math.PI * x) / (length * (odd ? sinA : Math.tan(a)));
  }
  const block = length * stride;
  for (let start = 0; start < n; start += block) {
    for (let offset = 0; offset < stride; offset++) {
      const base = start + offset;
      // The line through the two end samples comes off first and goes back on shifted: the rest
      // is 0 at both ends, so its periodic extension has no step for the interpolant to ring at.
      const first = src[base], slope = length > 1 ? (src[base + (length - 1) * stride] - first) / (length - 1) : 0;
      for (let i = 0; i < length; i++) f[i] = src[base + i * stride] - first - slope * i;
      for (let i = 0; i < length; i++) {
        let v = 0;
        for (let j = 0; j < length; j++) {
          const d = i - j;
          v += f[j] * kernel[d < 0 ? d + length : d];
        }
        dst[base + i * stride] = v + first + slope * (i + shift);
      }
    }
  }
}
