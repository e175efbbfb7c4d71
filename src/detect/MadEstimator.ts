import { selectKth } from '../camera/selectKth.js';
/** MAD → standard deviation for Gaussian noise: 1 / Φ⁻¹(3/4). */
const MAD_TO_STD = 1.482602218505602;
/** Values in the pilot sample that sets the windows. */
const PILOT = 256;
/**
 * Half-width of each window in units of the pilot's MAD. Narrower windows leave fewer values to
 * select (0.4 MAD: 0.07–0.11 ms per 8192 values, 0.25: 0.06–0.09, measured with the kernel's
 * passes) but miss more often, and a miss costs a full selection (~0.1 ms): on 1200 simulated
 * 256×256 frames (b = 2–20 photons, 0–0.3 spots/µm²) the median fell outside ±0.25 pilot MAD in
 * 2.3 % of frames, the MAD in 5.4 %.
 */
const WINDOW_MADS = 0.25;

/**
 * A faster implementation of the window pass of {@link MadEstimator} over values it holds itself
 * (the WebAssembly detection kernel: the samples live in its memory).
 */
export interface WindowPass {
  /** Where {@link collect} copies the values in the window. */
  readonly window: Float64Array;
  /** The count of values below the window in the last {@link collect}. */
  readonly below: number;
  /**
   * Copy the values among the first n in [low, high] to `window` — or, where `center` is a
   * number, of their distances |v − center| — and count those below low.
   * @returns how many were copied
   */
  collect(n: number, low: number, high: number, center: number): number;
  /**
   * The rank-th smallest (0-based) of `window[0…count−1]`, exactly (as {@link selectKth} would
   * find it; the window may be reordered). Where absent, {@link selectKth} runs.
   */
  select?(count: number, rank: number): number;
}

/**
 * A robust standard deviation, 1.4826 · median |v − median v| (the median absolute deviation,
 * MAD), of a few thousand values, computed exactly but without partitioning all the values
 * twice. A pilot sample of 256 values predicts each median; one pass counts the values below a
 * window around the prediction and copies those inside it (an eighth to a fifth), and the median
 * is selected among those with its rank shifted by the count below (measured on 8192 values:
 * ~0.1 ms instead of ~0.2 ms for two full quickselects). Where the median falls
 * outside the window, or the pilot's MAD is 0 or not finite, a full selection runs instead, so
 * the result always equals a full selection's. Scratch is allocated once; `std` allocates
 * nothing.
 */
export class MadEstimator {
  private readonly pilot = new Float64Array(PILOT);
  private readonly arrayPass: ArrayWindowPass;

  /** @param capacity - the most values {@link std} will be given */
  constructor(capacity: number) {
    this.arrayPass = new ArrayWindowPass(capacity);
  }

  /**
   * 1.4826 · MAD of values[0…n−1] (for Gaussian noise, its standard deviation).
   * @param values - the values (reordered)
   * @param n - how many (≥ 1, ≤ the capacity)
   * @param pass - runs the window passes over these same values @default the JavaScript loop
   */
  std(values: Float64Array, n: number, pass?: WindowPass): number {
    const half = n >> 1;
    // Pilot: every (n / 256)-th value, its median and MAD.
    const pilot = this.pilot;
    const step = Math.max(1, Math.floor(n / PILOT));
    let m = 0;
    let finite = true;
    for (let i = 0; i < n && m < PILOT; i += step) {
      const v = values[i];
      finite &&= Number.isFinite(v);
      pilot[m++] = v;
    }
    const pilotPass = finite ? pass : undefined;
    const pilotMedian = this.pilotKth(m, m >> 1, pilotPass);
    for (let i = 0; i < m; i++) pilot[i] = Math.abs(pilot[i] - pilotMedian);
    const pilotMad = this.pilotKth(m, m >> 1, pilotPass);
    const reach = WINDOW_MADS * pilotMad;
    if (!(reach > 0 && Number.isFinite(reach))) {
      const median = selectKth(values, half, n);
      for (let i = 0; i < n; i++) values[i] = Math.abs(values[i] - median);
      return MAD_TO_STD * selectKth(values, half, n);
    }
    let windows = pass;
    if (!windows) {
      this.arrayPass.ensure(n);
      this.arrayPass.values = values;
      windows = this.arrayPass;
    }
    const median = this.windowSelect(values, n, half, pilotMedian - reach, pilotMedian + reach, Number.NaN, windows);
    return MAD_TO_STD * this.windowSelect(values, n, half, pilotMad - reach, pilotMad + reach, median, windows);
  }

  /**
   * The k-th smallest of the pilot's m values: by the pass's selection where it has one (its
   * window is free until the first collect; the pilot's values are then finite), else
   * quickselect.
   */
  private pilotKth(m: number, k: number, pass: WindowPass | undefined): number {
    if (!pass?.select) return selectKth(this.pilot, k, m);
    // The whole pilot where the window holds it (no view made per call; values past m unused).
    if (pass.window.length >= PILOT) pass.window.set(this.pilot);
    else pass.window.set(this.pilot.subarray(0, m));
    return pass.select(m, k);
  }

  /**
   * The k-th smallest of a[0…n−1] — or, where `center` is a number, of |a[i] − center| — selected
   * among the values in [low, high] if it is there, else among all of them.
   */
  private windowSelect(a: Float64Array, n: number, k: number, low: number, high: number, center: number, pass: WindowPass): number {
    const count = pass.collect(n, low, high, center);
    const rank = k - pass.below;
    if (rank >= 0 && rank < count) return pass.select ? pass.select(count, rank) : selectKth(pass.window, rank, count);
    // Outside the window (or NaN values, counted in neither): select among all values — by the
    // pass's selection when they are all finite (the window holds n values).
    const fold = !Number.isNaN(center);
    let finite = true;
    for (let i = 0; i < n; i++) {
      const v = fold ? Math.abs(a[i] - center) : a[i];
      a[i] = v;
      finite &&= Number.isFinite(v);
    }
    if (!(finite && pass.select && pass.window.length >= n)) return selectKth(a, k, n);
    pass.window.set(a.subarray(0, n));
    return pass.select(n, k);
  }

}

/** The window pass in JavaScript, over the values given to {@link MadEstimator.std}. */
class ArrayWindowPass implements WindowPass {
  values: Float64Array = new Float64Array(0);
  window: Float64Array;
  below = 0;

  constructor(capacity: number) {
    this.window = new Float64Array(capacity);
  }

  /** Room for n values in the window. */
  ensure(n: number): void {
    if (this.window.length < n) this.window = new Float64Array(n);
  }

  collect(n: number, low: number, high: number, center: number): number {
    const { values, window } = this;
    const fold = !Number.isNaN(center);
    let below = 0;
    let count = 0;
    // Branch-free: which side of the window a noise value falls is a coin toss no predictor
    // learns (this halves the time of the pass). The store is undone by not counting it.
    for (let i = 0; i < n; i++) {
      const v = fold ? Math.abs(values[i] - center) : values[i];
      window[count] = v;
      count += bit(v >= low) & bit(v <= high);
      below += bit(v < low);
    }
    this.below = below;
    return count;
  }
}

/** 1 for true, 0 for false, without a branch (V8 turns the comparison into a flag move). */
function bit(condition: boolean): number {
  return (condition as unknown as number) | 0;
}

