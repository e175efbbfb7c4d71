// The detection kernel: camera conversion, the separable convolutions of the B-spline wavelet
// filter (see ../WaveletFilter.ts) and the search for local maxima, in WebAssembly with 128-bit
// SIMD on f32 (four values per instruction). Compiled into ../waveletKernel.wasm by
// `npm run build:wasm` (AssemblyScript, -O3, stub runtime, SIMD; a test checks the committed
// binary is this source compiled). Loaded by ../WasmWaveletKernel.ts, which lays out the buffers
// from base().
//
// Image buffers are f32, row-major, all with the same row stride, and hold the image with `pad`
// px of mirrored margin on every side, so the filter loops never look outside the buffers and
// need no border logic. Loops work on four columns at a time and may write up to three values
// past a row's last column (into margins the caller never reads) or past the end of a buffer
// (the caller leaves SLACK values after each).
//
// Not part of the TypeScript program (own tsconfig: AssemblyScript's types f32, v128, usize…).
import { ALIGN, K1_CENTRE, K1_FAR, K1_NEAR, K1_OUTER, K5_CENTRE, K5_NEAR, K5_OUTER } from '../detectConstants';

/** Where the caller may put its buffers: the first aligned byte after the module's own data. */
export function base(): usize {
  return (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
}

/**
 * dst[(r + pad)·stride + pad + c] = (src[r·width + c] − baseline) · factor for the width × height
 * uint16 frame at src (row-major, no padding): ADU to photons.
 */
export function convertU16(src: usize, dst: usize, stride: i32, width: i32, height: i32, pad: i32, baseline: f32, factor: f32): void {
  const b = f32x4.splat(baseline);
  const s = f32x4.splat(factor);
  for (let r = 0; r < height; r++) {
    let p = src + (<usize>(r * width) << 1);
    const end = p + (<usize>width << 1);
    let q = dst + (<usize>((r + pad) * stride + pad) << 2);
    for (; p < end; p += 8, q += 16) {
      v128.store(q, f32x4.mul(s, f32x4.sub(f32x4.convert_i32x4_u(v128.load16x4_u(p)), b)));
    }
  }
}

/**
 * dst[(r + pad)·stride + pad + c] = (src[r·width + c] − offset[r·width + c]) · factor[r·width + c]
 * for the uint16 frame at src: ADU to photons with per-pixel maps (f32, row-major, frame-sized).
 */
export function convertU16Map(src: usize, dst: usize, stride: i32, width: i32, height: i32, pad: i32, offset: usize, factor: usize): void {
  for (let r = 0; r < height; r++) {
    const row = <usize>(r * width);
    let p = src + (row << 1);
    const end = p + (<usize>width << 1);
    let o = offset + (row << 2);
    let f = factor + (row << 2);
    let q = dst + (<usize>((r + pad) * stride + pad) << 2);
    for (; p < end; p += 8, o += 16, f += 16, q += 16) {
      v128.store(q, f32x4.mul(v128.load(f), f32x4.sub(f32x4.convert_i32x4_u(v128.load16x4_u(p)), v128.load(o))));
    }
  }
}

/**
 * Fill the margins of the padded image at buf as ThunderSTORM pads: `duplicate` px of the edge
 * value, zeros beyond (to `pad`), corners included; needs duplicate ≤ pad.
 */
export function padDuplicate(buf: usize, stride: i32, width: i32, height: i32, pad: i32, duplicate: i32): void {
  const rowBytes = <usize>stride << 2;
  for (let r = pad; r < pad + height; r++) {
    const row = buf + <usize>r * rowBytes;
    const first = load<f32>(row + (<usize>pad << 2));
    const last = load<f32>(row + (<usize>(pad + width - 1) << 2));
    for (let k = 1; k <= pad; k++) {
      store<f32>(row + (<usize>(pad - k) << 2), k <= duplicate ? first : 0);
      store<f32>(row + (<usize>(pad + width - 1 + k) << 2), k <= duplicate ? last : 0);
    }
  }
  for (let k = 1; k <= pad; k++) {
    const top = buf + <usize>(pad - k) * rowBytes;
    const bottom = buf + <usize>(pad + height - 1 + k) * rowBytes;
    if (k <= duplicate) {
      memory.copy(top, buf + <usize>pad * rowBytes, rowBytes);
      memory.copy(bottom, buf + <usize>(pad + height - 1) * rowBytes, rowBytes);
    } else {
      memory.fill(top, 0, rowBytes);
      memory.fill(bottom, 0, rowBytes);
    }
  }
}

/**
 * Fill the margins of the padded image at buf by half-sample symmetric mirroring (−1 → 0,
 * width → width − 1); needs pad ≤ width and pad ≤ height.
 */
export function mirror(buf: usize, stride: i32, width: i32, height: i32, pad: i32): void {
  const rowBytes = <usize>stride << 2;
  for (let r = pad; r < pad + height; r++) {
    const row = buf + <usize>r * rowBytes;
    for (let k = 1; k <= pad; k++) {
      // column pad − k ← pad + k − 1; column pad + width − 1 + k ← pad + width − k
      store<f32>(row + (<usize>(pad - k) << 2), load<f32>(row + (<usize>(pad + k - 1) << 2)));
      store<f32>(row + (<usize>(pad + width - 1 + k) << 2), load<f32>(row + (<usize>(pad + width - k) << 2)));
    }
  }
  // Whole margin rows: row pad − k ← pad + k − 1; row pad + height − 1 + k ← pad + height − k.
  for (let k = 1; k <= pad; k++) {
    memory.copy(buf + <usize>(pad - k) * rowBytes, buf + <usize>(pad + k - 1) * rowBytes, rowBytes);
    memory.copy(buf + <usize>(pad + height - 1 + k) * rowBytes, buf + <usize>(pad + height - k) * rowBytes, rowBytes);
  }
}

/**
 * out[r][c] = Σ_t k1[t] · in at (r, c) + t·tap with the 7-tap k1, for rows [r0, r1) and columns
 * [c0, c1) in steps of four columns; where `minus` ≠ 0, out[r][c] = minus[r][c] − that sum
 * instead (the last pass: F2 = V1 − V2). `tap` is the distance between taps in bytes: 4·hole
 * along rows, or 4·hole·stride along columns.
 */
export function convolve7(input: usize, out: usize, stride: i32, r0: i32, r1: i32, c0: i32, c1: i32, tap: usize, minus: usize): void {
  const k0 = f32x4.splat(<f32>K1_OUTER);
  const k1 = f32x4.splat(<f32>K1_FAR);
  const k2 = f32x4.splat(<f32>K1_NEAR);
  const k3 = f32x4.splat(<f32>K1_CENTRE);
  const t2 = tap << 1;
  const t3 = t2 + tap;
  for (let r = r0; r < r1; r++) {
    const offset = <usize>(r * stride + c0) << 2;
    let p = input + offset;
    let q = out + offset;
    const end = p + (<usize>(c1 - c0) << 2);
    for (; p < end; p += 16, q += 16) {
      let sum = f32x4.add(
        f32x4.add(f32x4.mul(k3, v128.load(p)), f32x4.mul(k2, f32x4.add(v128.load(p - tap), v128.load(p + tap)))),
        f32x4.add(f32x4.mul(k1, f32x4.add(v128.load(p - t2), v128.load(p + t2))), f32x4.mul(k0, f32x4.add(v128.load(p - t3), v128.load(p + t3)))),
      );
      if (minus) sum = f32x4.sub(v128.load(minus + (q - out)), sum);
      v128.store(q, sum);
    }
  }
}

/** {@link convolve7} with ThunderSTORM's 5-tap k1 = [1, 4, 6, 4, 1] / 16. */
export function convolve5(input: usize, out: usize, stride: i32, r0: i32, r1: i32, c0: i32, c1: i32, tap: usize, minus: usize): void {
  const k0 = f32x4.splat(<f32>K5_OUTER);
  const k1 = f32x4.splat(<f32>K5_NEAR);
  const k2 = f32x4.splat(<f32>K5_CENTRE);
  const t2 = tap << 1;
  for (let r = r0; r < r1; r++) {
    const offset = <usize>(r * stride + c0) << 2;
    let p = input + offset;
    let q = out + offset;
    const end = p + (<usize>(c1 - c0) << 2);
    for (; p < end; p += 16, q += 16) {
      let sum = f32x4.add(
        f32x4.mul(k2, v128.load(p)),
        f32x4.add(f32x4.mul(k1, f32x4.add(v128.load(p - tap), v128.load(p + tap))), f32x4.mul(k0, f32x4.add(v128.load(p - t2), v128.load(p + t2)))),
      );
      if (minus) sum = f32x4.sub(v128.load(minus + (q - out)), sum);
      v128.store(q, sum);
    }
  }
}

/**
 * The local maxima of the width × height image in the padded buffer at buf that exceed
 * threshold: pixels greater than their four earlier 8-neighbours and not less than the four
 * later ones (a plateau gives one maximum). Their indices r·width + c, in row-major order, are
 * written as i32 to list; returns how many. The caller sets the ring of margin pixels around the
 * image to −∞, so border pixels have no neighbours there. Four columns are tested at once, the
 * neighbour comparisons only for groups with a value above the threshold.
 */
export function maxima(buf: usize, stride: i32, width: i32, height: i32, pad: i32, threshold: f32, list: usize): i32 {
  const t = f32x4.splat(threshold);
  const rowBytes = <usize>stride << 2;
  let n = 0;
  for (let r = 0; r < height; r++) {
    const row = buf + (<usize>((r + pad) * stride + pad) << 2);
    for (let c = 0; c < width; c += 4) {
      const p = row + (<usize>c << 2);
      const v = v128.load(p);
      let m = f32x4.gt(v, t);
      if (!v128.any_true(m)) continue;
      const up = p - rowBytes;
      const down = p + rowBytes;
      m = v128.and(m, v128.and(
        v128.and(f32x4.gt(v, v128.load(up - 4)), f32x4.gt(v, v128.load(up))),
        v128.and(f32x4.gt(v, v128.load(up + 4)), f32x4.gt(v, v128.load(p - 4))),
      ));
      m = v128.and(m, v128.and(
        v128.and(f32x4.ge(v, v128.load(p + 4)), f32x4.ge(v, v128.load(down - 4))),
        v128.and(f32x4.ge(v, v128.load(down)), f32x4.ge(v, v128.load(down + 4))),
      ));
      let bits = i32x4.bitmask(m);
      for (let j = c; bits != 0 && j < width; j++, bits >>>= 1) {
        if (bits & 1) {
          store<i32>(list + (<usize>n << 2), r * width + j);
          n++;
        }
      }
    }
  }
  return n;
}

/**
 * F1 = I − V1 at pixel indices 0, step, 2·step, … of the width × height image (padded buffers
 * image and v1, f32), promoted to f64 and subtracted there, into out (f64). Returns how many.
 * Rows and columns are followed incrementally (no division per sample).
 */
export function sampleF1(image: usize, v1: usize, stride: i32, width: i32, height: i32, pad: i32, step: i32, out: usize): i32 {
  const n = width * height;
  let m = 0;
  let r = 0;
  let c = 0;
  for (let p = 0; p < n; p += step) {
    const q = <usize>((r + pad) * stride + c + pad) << 2;
    store<f64>(out + (<usize>m << 3), <f64>load<f32>(image + q) - <f64>load<f32>(v1 + q));
    m++;
    c += step;
    while (c >= width) {
      c -= width;
      r++;
    }
  }
  return m;
}

/** The values below the window in the last collect(). */
export let below: i32 = 0;

/**
 * One pass of MadEstimator's window selection over n f64 values (or, where fold ≠ 0, their
 * distances |v − center|): copies those in [low, high] to out and returns how many; the count of
 * those below low goes to `below`. Branch-free: which side of the window a noise value falls is
 * a coin toss no branch predictor learns. NaN values are counted in neither.
 */
export function collect(values: usize, n: i32, low: f64, high: f64, center: f64, fold: i32, out: usize): i32 {
  let count = 0;
  let under = 0;
  const end = values + (<usize>n << 3);
  for (let i = values; i < end; i += 8) {
    let v = load<f64>(i);
    if (fold) v = Math.abs(v - center);
    store<f64>(out + (<usize>count << 3), v);
    count += <i32>(v >= low) & <i32>(v <= high);
    under += <i32>(v < low);
  }
  below = under;
  return count;
}
