// The detection kernel: camera conversion, the separable convolutions of the B-spline wavelet
// filter (see ../WaveletFilter.ts) and the search for local maxima, in WebAssembly with 128-bit
// SIMD on f32 (four values per instruction). Compiled into ../waveletKernel.wasm by
// `npm run build:wasm` (AssemblyScript, -O3, stub runtime, SIMD; a test checks the committed
// binary is this source compiled). Loaded by ../WasmWaveletKernel.ts, which lays out the buffers
// from base().
//
// Image buffers are f32, row-major, all with the same row stride, and hold the image with `pad`
// px of mirrored margin on every side, so the filter loops never look outside the buffers and
// need no border logic. Loops work on four or eight columns at a time and may write up to seven
// values past a row's last column (into margins the caller never reads, see columns()) or past
// the end of a buffer, and read up to fifteen (maxima()); the caller leaves SLACK values after
// each buffer.
//
// Not part of the TypeScript program (own tsconfig: AssemblyScript's types f32, v128, usize…).
import { ALIGN, K1_CENTRE, K1_FAR, K1_NEAR, K1_OUTER, K5_CENTRE, K5_NEAR, K5_OUTER, K5_SCALE, K7_MIDDLE, K7_SCALE } from '../detectConstants';

/** Where the caller may put its buffers: the first aligned byte after the module's own data. */
export function base(): usize {
  return (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
}

/**
 * dst[(r + pad)·stride + pad + c] = (src[r·width + c] − baseline) · factor for the width × height
 * uint16 frame at src (row-major, no padding): ADU to photons. The zero-extended values are
 * converted as signed i32 (exact below 2³¹): x86 has no unsigned i32 → f32 conversion, and the
 * unsigned one costs several instructions per vector (the pass took 31 µs instead of ~10 at
 * 256 × 256).
 */
export function convertU16(src: usize, dst: usize, stride: i32, width: i32, height: i32, pad: i32, baseline: f32, factor: f32): void {
  const b = f32x4.splat(baseline);
  const s = f32x4.splat(factor);
  for (let r = 0; r < height; r++) {
    let p = src + (<usize>(r * width) << 1);
    const end = p + (<usize>width << 1);
    let q = dst + (<usize>((r + pad) * stride + pad) << 2);
    for (; p < end; p += 8, q += 16) {
      v128.store(q, f32x4.mul(s, f32x4.sub(f32x4.convert_i32x4_s(v128.load16x4_u(p)), b)));
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
      v128.store(q, f32x4.mul(v128.load(f), f32x4.sub(f32x4.convert_i32x4_s(v128.load16x4_u(p)), v128.load(o))));
    }
  }
}

/**
 * Fill the column margins of padded rows [r0, r1) of the image at buf as ThunderSTORM pads:
 * `duplicate` px of the row's edge value, zeros beyond (to `pad`); needs duplicate ≤ pad. The
 * margin rows are converted from their source rows by the caller, so this and the rows give
 * the whole padded frame.
 */
export function duplicateColumns(buf: usize, stride: i32, width: i32, r0: i32, r1: i32, pad: i32, duplicate: i32): void {
  const rowBytes = <usize>stride << 2;
  for (let r = r0; r < r1; r++) {
    const row = buf + <usize>r * rowBytes;
    const first = load<f32>(row + (<usize>pad << 2));
    const last = load<f32>(row + (<usize>(pad + width - 1) << 2));
    for (let k = 1; k <= pad; k++) {
      store<f32>(row + (<usize>(pad - k) << 2), k <= duplicate ? first : 0);
      store<f32>(row + (<usize>(pad + width - 1 + k) << 2), k <= duplicate ? last : 0);
    }
  }
}

/**
 * Fill the column margins of padded rows [r0, r1) of the image at buf by half-sample symmetric
 * mirroring (−1 → 0, width → width − 1); needs pad ≤ width.
 */
export function mirrorColumns(buf: usize, stride: i32, width: i32, r0: i32, r1: i32, pad: i32): void {
  const rowBytes = <usize>stride << 2;
  for (let r = r0; r < r1; r++) {
    const row = buf + <usize>r * rowBytes;
    for (let k = 1; k <= pad; k++) {
      // column pad − k ← pad + k − 1; column pad + width − 1 + k ← pad + width − k
      store<f32>(row + (<usize>(pad - k) << 2), load<f32>(row + (<usize>(pad + k - 1) << 2)));
      store<f32>(row + (<usize>(pad + width - 1 + k) << 2), load<f32>(row + (<usize>(pad + width - k) << 2)));
    }
  }
}

/**
 * The row pass of a level: out[r][c] = Σ_t k1[t] · in[r][c + t·hole] for rows [r0, r1) and
 * columns [c0, c1) in steps of four columns, with the 7-tap k1 (taps = 7) or ThunderSTORM's
 * 5-tap one, hole 1 (V1) or 2 (V2). May write up to three values past c1.
 */
export function rows(input: usize, out: usize, stride: i32, r0: i32, r1: i32, c0: i32, c1: i32, taps: i32, hole: i32): void {
  for (let r = r0; r < r1; r++) {
    const offset = <usize>(r * stride + c0) << 2;
    const from = input + offset - (<usize>((taps >> 1) * hole) << 2);
    const q = out + offset;
    const end = q + (<usize>(c1 - c0) << 2);
    // Constant taps and hole: each call is its own loop, with no test of them per value.
    if (taps == 7) {
      if (hole == 1) rowLoop(from, q, end, 7, 1);
      else rowLoop(from, q, end, 7, 2);
    } else {
      if (hole == 1) rowLoop(from, q, end, 5, 1);
      else rowLoop(from, q, end, 5, 2);
    }
  }
}

/** One row of {@link rows}: p points at the first tap of the first output, q at the output. */
@inline function rowLoop(p: usize, q: usize, end: usize, taps: i32, hole: i32): void {
  for (; q < end; p += 16, q += 16) v128.store(q, rowPass(p, taps, hole));
}

/**
 * Output rows per band of {@link columns}: a band's lines of input, output and V1 are (128 +
 * 12) rows × 3 × 64 B ≈ 27 KB, within L1 (48 KB). 32 and 512 rows measured slower, 64 the same.
 */
const BAND: i32 = 128;

/**
 * The column pass of a level: out[r][c] = Σ_t k1[t] · in[r + t·hole][c] for rows [r0, r1) and
 * columns [c0, c1); where `subtract` ≠ 0, out = minus − that sum instead (the last pass: F2 =
 * V1 − V2; minus is laid out as out, and may be any address, 0 included: the buffers' addresses
 * are shifted to their windows of rows and wrap). Strips of eight columns are swept down the rows, k1 applied as the cascade of its
 * factors (detectConstants.ts): (1 + z)⁴ by four running pair sums, then (1 + m·z + z²) for
 * 7 taps, each stage's earlier values kept in registers — one load, six or four additions and
 * a scaling per output instead of 2·reach + 1 loads and their address arithmetic. With hole 2
 * the even and odd rows are two sweeps. The rows are taken in bands whose cache lines stay in
 * L1 while the strips of a line are swept (the stages are primed again per band).
 *
 * (Fusing the row pass into this sweep, computing it from the input at each row instead of
 * reading an intermediate image, measured slower: 190–290 µs for the filter of a 256 × 256
 * frame against 140–220 µs for the separate passes — more live vectors than registers.)
 *
 * Writes up to seven values past c1: into the margin, or into the next row's first columns,
 * there the values that row's own strips write where its input is defined.
 */
export function columns(input: usize, out: usize, stride: i32, r0: i32, r1: i32, c0: i32, c1: i32, taps: i32, hole: i32, minus: usize, subtract: i32): void {
  for (let b0 = r0; b0 < r1; b0 += BAND) {
    const b1 = min(b0 + BAND, r1);
    for (let c = c0; c < c1; c += 8) {
      for (let parity = 0; parity < hole; parity++) {
        const first = b0 + parity;
        if (first >= b1) continue;
        if (taps == 7) {
          if (hole == 1) sweep(input, out, stride, first, b1, c, 7, 1, minus, subtract);
          else sweep(input, out, stride, first, b1, c, 7, 2, minus, subtract);
        } else {
          if (hole == 1) sweep(input, out, stride, first, b1, c, 5, 1, minus, subtract);
          else sweep(input, out, stride, first, b1, c, 5, 2, minus, subtract);
        }
      }
    }
  }
}

/** The row pass at four columns: p points at the first tap (c − reach·hole). */
@inline function rowPass(p: usize, taps: i32, hole: i32): v128 {
  if (taps == 7) {
    const k0 = f32x4.splat(<f32>K1_OUTER), k1 = f32x4.splat(<f32>K1_FAR), k2 = f32x4.splat(<f32>K1_NEAR), k3 = f32x4.splat(<f32>K1_CENTRE);
    if (hole == 1) {
      const outer = f32x4.add(v128.load(p, 0), v128.load(p, 24));
      const far = f32x4.add(v128.load(p, 4), v128.load(p, 20));
      const near = f32x4.add(v128.load(p, 8), v128.load(p, 16));
      return f32x4.add(f32x4.add(f32x4.mul(k3, v128.load(p, 12)), f32x4.mul(k2, near)), f32x4.add(f32x4.mul(k1, far), f32x4.mul(k0, outer)));
    }
    const outer = f32x4.add(v128.load(p, 0), v128.load(p, 48));
    const far = f32x4.add(v128.load(p, 8), v128.load(p, 40));
    const near = f32x4.add(v128.load(p, 16), v128.load(p, 32));
    return f32x4.add(f32x4.add(f32x4.mul(k3, v128.load(p, 24)), f32x4.mul(k2, near)), f32x4.add(f32x4.mul(k1, far), f32x4.mul(k0, outer)));
  }
  const k0 = f32x4.splat(<f32>K5_OUTER), k1 = f32x4.splat(<f32>K5_NEAR), k2 = f32x4.splat(<f32>K5_CENTRE);
  if (hole == 1) {
    const outer = f32x4.add(v128.load(p, 0), v128.load(p, 16));
    const near = f32x4.add(v128.load(p, 4), v128.load(p, 12));
    return f32x4.add(f32x4.mul(k2, v128.load(p, 8)), f32x4.add(f32x4.mul(k1, near), f32x4.mul(k0, outer)));
  }
  const outer = f32x4.add(v128.load(p, 0), v128.load(p, 32));
  const near = f32x4.add(v128.load(p, 8), v128.load(p, 24));
  return f32x4.add(f32x4.mul(k2, v128.load(p, 16)), f32x4.add(f32x4.mul(k1, near), f32x4.mul(k0, outer)));
}

/**
 * Two strips of {@link columns}: the eight columns from c, output rows first, first + hole, …
 * < r1. The two strips' stages are written out side by side (x… and y…, s… and t…): one strip
 * per sweep measured ~12 % slower (filter of a 256 × 256 frame, median of 15 interleaved
 * rounds, 215–218 against 190 µs), each cache line then being swept four times.
 */
@inline function sweep(input: usize, out: usize, stride: i32, first: i32, r1: i32, c: i32, taps: i32, hole: i32, minus: usize, subtract: i32): void {
  const reach = taps >> 1;
  const step = <usize>(stride * hole) << 2;
  const middle = f32x4.splat(<f32>K7_MIDDLE);
  const scale = f32x4.splat(taps == 7 ? <f32>K7_SCALE : <f32>K5_SCALE);
  const zero = f32x4.splat(0);
  // The first output needs the 2·reach inputs before its last one: they prime the stages.
  const steps = (r1 - first + hole - 1) / hole + 2 * reach;
  let p = input + (<usize>((first - reach * hole) * stride + c) << 2);
  let q = out + (<usize>(first * stride + c) << 2);
  let m = minus + (q - out);
  let x0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero, s5 = zero;
  let y0 = zero, t1 = zero, t2 = zero, t3 = zero, t4 = zero, t5 = zero;
  for (let k = 0; k < steps; k++, p += step) {
    // Running pair sums: after stage j, the sum of (1 + z)^j over the inputs so far.
    const x = v128.load(p);
    const y = v128.load(p, 16);
    const a = f32x4.add(x, x0);
    const a2 = f32x4.add(y, y0);
    x0 = x;
    y0 = y;
    const b = f32x4.add(a, s1);
    const b2 = f32x4.add(a2, t1);
    s1 = a;
    t1 = a2;
    const d = f32x4.add(b, s2);
    const d2 = f32x4.add(b2, t2);
    s2 = b;
    t2 = b2;
    const e = f32x4.add(d, s3);
    const e2 = f32x4.add(d2, t3);
    s3 = d;
    t3 = d2;
    let sum = e;
    let sum2 = e2;
    if (taps == 7) {
      sum = f32x4.add(f32x4.add(e, s5), f32x4.mul(middle, s4));
      sum2 = f32x4.add(f32x4.add(e2, t5), f32x4.mul(middle, t4));
      s5 = s4;
      s4 = e;
      t5 = t4;
      t4 = e2;
    }
    if (k >= 2 * reach) {
      sum = f32x4.mul(scale, sum);
      sum2 = f32x4.mul(scale, sum2);
      if (subtract) {
        sum = f32x4.sub(v128.load(m), sum);
        sum2 = f32x4.sub(v128.load(m, 16), sum2);
        m += step;
      }
      v128.store(q, sum);
      v128.store(q, sum2, 16);
      q += step;
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
    // Sixteen columns are tested against the threshold with one branch (most of a frame is
    // below it); past the image's last column the loads read margin or the next row, which
    // the `j < width` bound below never reports.
    for (let c = 0; c < width; c += 16) {
      const g = row + (<usize>c << 2);
      const any = v128.or(
        v128.or(f32x4.gt(v128.load(g), t), f32x4.gt(v128.load(g, 16), t)),
        v128.or(f32x4.gt(v128.load(g, 32), t), f32x4.gt(v128.load(g, 48), t)),
      );
      if (!v128.any_true(any)) continue;
      const last = min(c + 16, width);
      for (let c4 = c; c4 < last; c4 += 4) {
        const p = row + (<usize>c4 << 2);
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
        for (let j = c4; bits != 0 && j < width; j++, bits >>>= 1) {
          if (bits & 1) {
            store<i32>(list + (<usize>n << 2), r * width + j);
            n++;
          }
        }
      }
    }
  }
  return n;
}

/**
 * F1 = I − V1 at the pixel indices r·width + c ≡ 0 (mod step) of frame rows [r0, r1) (padded
 * buffers image and v1, f32, frame row r at padded row r + pad), promoted to f64 and subtracted
 * there, into out (f64) in index order; `first` is the first such column of row r0. Returns how
 * many. Row by row, with one pointer step per sample (no index arithmetic or division per
 * sample).
 */
export function sampleF1(image: usize, v1: usize, stride: i32, width: i32, r0: i32, r1: i32, pad: i32, step: i32, first: i32, out: usize): i32 {
  let m = 0;
  // Row by row: the first sampled column of the next row follows from this row's last.
  let c = first;
  const stepBytes = <usize>step << 2;
  for (let r = r0; r < r1; r++) {
    if (c < width) {
      const offset = <usize>((r + pad) * stride + pad) << 2;
      let p = image + offset + (<usize>c << 2);
      let q = v1 + offset + (<usize>c << 2);
      const end = image + offset + (<usize>width << 2);
      let o = out + (<usize>m << 3);
      for (; p < end; p += stepBytes, q += stepBytes, o += 8) store<f64>(o, <f64>load<f32>(p) - <f64>load<f32>(q));
      const taken = (width - 1 - c) / step + 1;
      m += taken;
      c += taken * step;
    }
    c -= width;
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
  const lo = f64x2.splat(low);
  const hi = f64x2.splat(high);
  const c = f64x2.splat(center);
  // Two values per vector: the comparisons, and the count below as a lane sum (true lanes are
  // −1), in SIMD; each value stored at the window's end and the end advanced by its bit.
  let under = i64x2.splat(0);
  const pairs = values + (<usize>(n >> 1) << 4);
  let i = values;
  for (; i < pairs; i += 16) {
    let v = v128.load(i);
    if (fold) v = f64x2.abs(f64x2.sub(v, c));
    const bits = i64x2.bitmask(v128.and(f64x2.ge(v, lo), f64x2.le(v, hi)));
    under = i64x2.add(under, f64x2.lt(v, lo));
    store<f64>(out + (<usize>count << 3), f64x2.extract_lane(v, 0));
    count += bits & 1;
    store<f64>(out + (<usize>count << 3), f64x2.extract_lane(v, 1));
    count += bits >> 1;
  }
  let under1 = -<i32>(i64x2.extract_lane(under, 0) + i64x2.extract_lane(under, 1));
  if (n & 1) {
    let v = load<f64>(i);
    if (fold) v = Math.abs(v - center);
    store<f64>(out + (<usize>count << 3), v);
    count += <i32>(v >= low) & <i32>(v <= high);
    under1 += <i32>(v < low);
  }
  below = under1;
  return count;
}

/** Buckets of {@link kth}'s histogram. */
const BUCKETS: i32 = 256;
const COUNTS = new StaticArray<i32>(BUCKETS);
/** Values at most this many are selected by insertion sort. */
const SMALL: i32 = 24;

/**
 * The rank-th smallest (0-based) of the n f64 values at `values` (none NaN), exactly: the
 * values' range cut into 256 equal buckets (the bucket of a value, ⌊(v − min)·256/(max − min)⌋,
 * grows with v, so the buckets are ordered), the bucket holding the rank found from the
 * counts, its values copied out and the search repeated on them until few are left, which are
 * sorted. Branch-free but for the last few values — a quickselect's comparisons with its pivot
 * are as unpredictable as the noise, and mispredicted half the time (~20 µs for 1 300 values
 * against ~3 here). `scratch` holds 2·n values; `values` is left as it was.
 */
export function kth(values: usize, n: i32, rank: i32, scratch: usize): f64 {
  let from = values;
  let to = scratch;
  for (let round = 0; n > SMALL && round < 6; round++) {
    let lo = f64x2.splat(Infinity);
    let hi = f64x2.splat(-Infinity);
    const pairs = from + (<usize>(n >> 1) << 4);
    for (let p = from; p < pairs; p += 16) {
      const v = v128.load(p);
      lo = f64x2.pmin(lo, v);
      hi = f64x2.pmax(hi, v);
    }
    let low = min(f64x2.extract_lane(lo, 0), f64x2.extract_lane(lo, 1));
    let high = max(f64x2.extract_lane(hi, 0), f64x2.extract_lane(hi, 1));
    if (n & 1) {
      const v = load<f64>(pairs);
      low = min(low, v);
      high = max(high, v);
    }
    if (!(high > low)) return low;
    const scale = <f64>BUCKETS / (high - low);
    if (!isFinite<f64>(scale)) break;
    memory.fill(changetype<usize>(COUNTS), 0, <usize>BUCKETS << 2);
    const end = from + (<usize>n << 3);
    for (let p = from; p < end; p += 8) {
      const b = min(<i32>((load<f64>(p) - low) * scale), BUCKETS - 1);
      const c = changetype<usize>(COUNTS) + (<usize>b << 2);
      store<i32>(c, load<i32>(c) + 1);
    }
    let bucket = 0;
    let below = 0;
    for (;; bucket++) {
      const c = unchecked(COUNTS[bucket]);
      if (below + c > rank) break;
      below += c;
    }
    let m = 0;
    for (let p = from; p < end; p += 8) {
      const v = load<f64>(p);
      store<f64>(to + (<usize>m << 3), v);
      m += <i32>(min(<i32>((v - low) * scale), BUCKETS - 1) == bucket);
    }
    n = m;
    rank -= below;
    // Ping-pong between the two halves of the scratch.
    from = to;
    to = to == scratch ? scratch + (<usize>n << 3) + 64 : scratch;
  }
  // Few values left (or a range too narrow to cut): sort them where they are now.
  if (from == values) {
    memory.copy(to, from, <usize>n << 3);
    from = to;
  }
  for (let i = 1; i < n; i++) {
    const v = load<f64>(from + (<usize>i << 3));
    let j = i - 1;
    while (j >= 0 && load<f64>(from + (<usize>j << 3)) > v) {
      store<f64>(from + (<usize>(j + 1) << 3), load<f64>(from + (<usize>j << 3)));
      j--;
    }
    store<f64>(from + (<usize>(j + 1) << 3), v);
  }
  return load<f64>(from + (<usize>rank << 3));
}

/** lowSample's kept samples (eight f32), stored to read the rank-th lane. */
const KEPT: usize = memory.data(32, 16);

/**
 * The rank-th smallest (0: the least) of the samples of V1 (f32, row stride `stride`, pixel
 * (r, c) at v1 + 4·(r·stride + c)) at rows r0, r0 + step, … < r1 and columns c0, c0 + step, …
 * < c1: a tile's low quantile (BackgroundTiles). Its value does not depend on how it is found;
 * for rank < 8 the eight smallest samples are kept sorted in two f32x4, each sample merged in
 * branch-free (kept[k] ← max(kept[k − 1], min(kept[k], v))): whether a noise sample is among the
 * lowest is a coin toss no branch predictor learns. Returns NaN where this does not apply — a
 * rank of 8 or more, a NaN among the samples, fewer than rank + 1 samples — for the caller's
 * scalar loop.
 */
export function lowSample(v1: usize, stride: i32, r0: i32, r1: i32, c0: i32, c1: i32, step: i32, rank: i32): f64 {
  const rowStep = <usize>(stride * step) << 2;
  const colStep = <usize>step << 2;
  if (rank < 8) {
    const inf = f32x4.splat(<f32>Infinity);
    const negInf = f32x4.splat(<f32>-Infinity);
    // Two sets of kept samples (lo, hi) and (lo2, hi2), a row's samples taken in turn: each
    // merge waits on the last one's result, so two chains run twice as fast as one; the second
    // set is merged into the first at the end (the eight smallest of both are all candidates).
    let lo = inf, hi = inf, lo2 = inf, hi2 = inf;
    let nan = v128.xor(inf, inf);
    let count = 0;
    const pairStep = colStep << 1;
    let row = v1 + (<usize>(r0 * stride + c0) << 2);
    for (let r = r0; r < r1; r += step, row += rowStep) {
      let p = row;
      let c = c0;
      for (; c + step < c1; c += step << 1, p += pairStep) {
        const v = f32x4.splat(load<f32>(p));
        const w = f32x4.splat(load<f32>(p + colStep));
        nan = v128.or(nan, v128.or(f32x4.ne(v, v), f32x4.ne(w, w)));
        const lo1 = f32x4.pmax(v128.shuffle<f32>(negInf, lo, 3, 4, 5, 6), f32x4.pmin(lo, v));
        hi = f32x4.pmax(v128.shuffle<f32>(lo, hi, 3, 4, 5, 6), f32x4.pmin(hi, v));
        lo = lo1;
        const lo3 = f32x4.pmax(v128.shuffle<f32>(negInf, lo2, 3, 4, 5, 6), f32x4.pmin(lo2, w));
        hi2 = f32x4.pmax(v128.shuffle<f32>(lo2, hi2, 3, 4, 5, 6), f32x4.pmin(hi2, w));
        lo2 = lo3;
        count += 2;
      }
      if (c < c1) {
        const v = f32x4.splat(load<f32>(p));
        nan = v128.or(nan, f32x4.ne(v, v));
        const lo1 = f32x4.pmax(v128.shuffle<f32>(negInf, lo, 3, 4, 5, 6), f32x4.pmin(lo, v));
        hi = f32x4.pmax(v128.shuffle<f32>(lo, hi, 3, 4, 5, 6), f32x4.pmin(hi, v));
        lo = lo1;
        count++;
      }
    }
    if (!v128.any_true(nan)) {
      if (count <= rank) return NaN;
      const kept = KEPT;
      v128.store(kept, lo2);
      v128.store(kept, hi2, 16);
      for (let k = 0; k < 8; k++) {
        const v = f32x4.splat(load<f32>(kept + (<usize>k << 2)));
        const lo1 = f32x4.pmax(v128.shuffle<f32>(negInf, lo, 3, 4, 5, 6), f32x4.pmin(lo, v));
        hi = f32x4.pmax(v128.shuffle<f32>(lo, hi, 3, 4, 5, 6), f32x4.pmin(hi, v));
        lo = lo1;
      }
      // The rank-th lane of (lo, hi).
      v128.store(kept, lo);
      v128.store(kept, hi, 16);
      return <f64>load<f32>(kept + (<usize>rank << 2));
    }
  }
  return NaN;
}

/**
 * {@link lowSample} for tiles [ta, tb) of one tile row (V1 rows [r0, r1)): tile tc spans columns
 * [starts[tc], starts[tc + 1]) (i32 at `starts`), its rank ⌊quantile · m⌋ of its m samples
 * (every `step` px along rows and columns); each tile's value (NaN where lowSample does not take
 * it) goes to out[tc] (f64). One call a tile row instead of one a tile (256 a 256² frame).
 */
export function lowSampleRow(v1: usize, stride: i32, r0: i32, r1: i32, starts: usize, ta: i32, tb: i32, step: i32, quantile: f64, out: usize): void {
  const rows = (r1 - r0 + step - 1) / step;
  for (let tc = ta; tc < tb; tc++) {
    const c0 = load<i32>(starts + (<usize>tc << 2));
    const c1 = load<i32>(starts + (<usize>tc << 2), 4);
    const m = rows * ((c1 - c0 + step - 1) / step);
    const rank = <i32>Math.floor(quantile * <f64>m);
    store<f64>(out + (<usize>tc << 3), lowSample(v1, stride, r0, r1, c0, c1, step, rank));
  }
}
