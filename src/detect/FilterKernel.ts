import { DUPLICATE_PAD, K1_CENTRE, K1_FAR, K1_NEAR, K1_OUTER, K5_CENTRE, K5_NEAR, K5_OUTER, PAD5, PAD7 } from './detectConstants.js';
import { mirror } from './mirror.js';

/**
 * The detection filters: the first two levels of the undecimated B-spline wavelet transform
 * (à trous), V1 = I * k1, V2 = V1 * k2 (k2: k1 with one-pixel holes), F1 = I − V1, F2 = V1 − V2.
 * - `thunderstorm`: ThunderSTORM's default ("B-spline wavelet, order 3, scale 2", 5 samples):
 *   k1 = [1, 4, 6, 4, 1]/16; the image padded by 4 px of duplicated edge values, then zeros
 *   (ThunderSTORM 1.3's CompoundWaveletFilter), so F2 and F1 are ThunderSTORM's Wave.F and
 *   Wave.F1 and `--threshold K` means its K·std(Wave.F1).
 *   ThunderSTORM's padding does not preserve a constant image within ~6 px of the border (the
 *   zeros pull V2 down there), so F2 gets an offset there that grows with the background.
 * - `bspline5`: ThunderSTORM's kernel with half-sample symmetric mirroring at the borders: the
 *   same F2 away from the border, and no offset at it.
 * - `bspline7`: the cubic B-spline β₃(x/2)/2 sampled at 7 points, [1, 8, 23, 32, 23, 8, 1]/96,
 *   with mirroring (smlm-stream's first filter).
 */
export type FilterKind = 'thunderstorm' | 'bspline5' | 'bspline7';

/** The filters, for messages and option checks. */
export const FILTER_KINDS: readonly FilterKind[] = ['thunderstorm', 'bspline5', 'bspline7'];

/** What the filters' code needs of a kind. */
export interface FilterKernel {
  readonly kind: FilterKind;
  /** k1's taps, offsets −reach…reach. */
  readonly taps: readonly number[];
  /** k1's reach, px (V2's is twice that). */
  readonly reach: number;
  /** The padded buffers' margin, px: reach + 2·reach. */
  readonly pad: number;
  /** How the image is extended: ThunderSTORM's duplicated edge then zeros, or mirroring. */
  readonly padding: 'duplicate' | 'mirror';
  /**
   * Where V1 is taken for a V2 tap at index i of a line of n (an index V1 has, possibly in the
   * padding), or NaN where V2's padding is zero there.
   */
  outer(i: number, n: number): number;
  /** The image pixel a V1 tap at index j reads (in [0, n)), or −1 where the padding is zero. */
  inner(j: number, n: number): number;
}

/** The two filters. */
export const FILTER_KERNELS: Readonly<Record<FilterKind, FilterKernel>> = {
  thunderstorm: {
    kind: 'thunderstorm',
    taps: [K5_OUTER, K5_NEAR, K5_CENTRE, K5_NEAR, K5_OUTER],
    reach: 2,
    pad: PAD5,
    padding: 'duplicate',
    outer: (i, n) => (i >= -DUPLICATE_PAD && i < n + DUPLICATE_PAD ? i : Number.NaN),
    inner: (j, n) => (j >= -DUPLICATE_PAD && j < n + DUPLICATE_PAD ? Math.min(Math.max(j, 0), n - 1) : -1),
  },
  bspline5: {
    kind: 'bspline5',
    taps: [K5_OUTER, K5_NEAR, K5_CENTRE, K5_NEAR, K5_OUTER],
    reach: 2,
    pad: PAD5,
    padding: 'mirror',
    outer: (i, n) => mirror(i, n),
    inner: (j, n) => mirror(j, n),
  },
  bspline7: {
    kind: 'bspline7',
    taps: [K1_OUTER, K1_FAR, K1_NEAR, K1_CENTRE, K1_NEAR, K1_FAR, K1_OUTER],
    reach: 3,
    pad: PAD7,
    padding: 'mirror',
    outer: (i, n) => mirror(i, n),
    inner: (j, n) => mirror(j, n),
  },
};

/**
 * The filter's 1-D weights at every position of a line of n pixels, with the padding folded in:
 * at position p, `a[p]` weighs the pixels (indices p − pad … p + pad, stored from 0) of V1 = I *
 * k1 and `b[p]` those of V2 = V1 * k2 along this axis; in 2-D, F2's weights are a⊗a − b⊗b, so
 * F2's noise gain at a pixel is aa_x·aa_y − 2·ab_x·ab_y + bb_x·bb_y with the sums below.
 */
export interface FoldedWeights {
  /** The filter's margin, px: weights of position p cover pixels p − pad … p + pad. */
  readonly pad: number;
  /** V1's and V2's weights, (2·pad + 1) per position, position-major. */
  readonly a: Float64Array;
  readonly b: Float64Array;
  /** Σ a², Σ a·b, Σ b² at each position. */
  readonly aa: Float64Array;
  readonly ab: Float64Array;
  readonly bb: Float64Array;
}

/**
 * The filter's folded 1-D weights along an axis of length n ({@link FoldedWeights}).
 * @param kernel - the filter
 * @param n - the axis's length, px
 */
export function foldedWeights(kernel: FilterKernel, n: number): FoldedWeights {
  const { taps, reach, pad } = kernel;
  const span = 2 * pad + 1;
  const a = new Float64Array(n * span);
  const b = new Float64Array(n * span);
  const aa = new Float64Array(n);
  const ab = new Float64Array(n);
  const bb = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const at = p * span - (p - pad);
    for (let t = -reach; t <= reach; t++) {
      const q = kernel.inner(p + t, n);
      if (q >= 0) a[at + q] += taps[t + reach];
    }
    for (let s = -reach; s <= reach; s++) {
      const i = kernel.outer(p + 2 * s, n);
      if (Number.isNaN(i)) continue;
      for (let t = -reach; t <= reach; t++) {
        const q = kernel.inner(i + t, n);
        if (q >= 0) b[at + q] += taps[s + reach] * taps[t + reach];
      }
    }
    let saa = 0, sab = 0, sbb = 0;
    for (let j = p * span; j < (p + 1) * span; j++) {
      saa += a[j] * a[j];
      sab += a[j] * b[j];
      sbb += b[j] * b[j];
    }
    aa[p] = saa;
    ab[p] = sab;
    bb[p] = sbb;
  }
  return { pad, a, b, aa, ab, bb };
}
