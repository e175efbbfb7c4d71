/**
 * Resample a volume at a constant sub-voxel offset: `out(p) = src(p + shift)` for every voxel
 * p = (plane, row, column), by separable cubic convolution (Keys, a = −½: exact for quadratics,
 * interpolating, four taps an axis), one axis after the other; beyond the edges the edge voxel
 * is repeated (the caller crops what that touches).
 * @param src - the volume, `src[(plane·rows + row)·columns + column]`
 * @param planes - size along z
 * @param rows - size along y
 * @param columns - size along x
 * @param shiftZ - offset along z, planes
 * @param shiftY - offset along y, px
 * @param shiftX - offset along x, px
 * @param out - the resampled volume (same size; may not be `src`)
 * @param scratch - two volumes' worth of scratch (`2·planes·rows·columns`)
 */
export function shiftVolume(src: Float64Array, planes: number, rows: number, columns: number, shiftZ: number, shiftY: number, shiftX: number, out: Float64Array, scratch: Float64Array): void {
  const n = planes * rows * columns;
  const a = scratch.subarray(0, n);
  const b = scratch.subarray(n, 2 * n);
  shiftAxis(src, a, columns, 1, n, shiftX);
  shiftAxis(a, b, rows, columns, n, shiftY);
  shiftAxis(b, out, planes, rows * columns, n, shiftZ);
}

/** One axis of {@link shiftVolume}: lines of `length` samples `stride` apart. */
function shiftAxis(src: Float64Array, dst: Float64Array, length: number, stride: number, n: number, shift: number): void {
  const whole = Math.floor(shift);
  const t = shift - whole;
  // Keys' cubic convolution weights for the samples at whole−1 … whole+2.
  const w0 = ((-0.5 * t + 1) * t - 0.5) * t;
  const w1 = (1.5 * t - 2.5) * t * t + 1;
  const w2 = ((-1.5 * t + 2) * t + 0.5) * t;
  const w3 = (0.5 * t - 0.5) * t * t;
  const block = length * stride;
  for (let start = 0; start < n; start += block) {
    for (let offset = 0; offset < stride; offset++) {
      const base = start + offset;
      for (let i = 0; i < length; i++) {
        const j = i + whole;
        const q0 = clamp(j - 1, length), q1 = clamp(j, length), q2 = clamp(j + 1, length), q3 = clamp(j + 2, length);
        dst[base + i * stride] = w0 * src[base + q0 * stride] + w1 * src[base + q1 * stride] + w2 * src[base + q2 * stride] + w3 * src[base + q3 * stride];
      }
    }
  }
}

/** q clamped into [0, length − 1]. */
function clamp(q: number, length: number): number {
  return q < 0 ? 0 : q >= length ? length - 1 : q;
}
