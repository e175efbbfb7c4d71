const LOG_FACTORIAL_TABLE = (() => {
  const t = new Float64Array(16);
  for (let k = 2; k < 16; k++) t[k] = t[k - 1] + Math.log(k);
  return t;
})();
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(k!) for integer k ≥ 0: a table below 16, Stirling's series (error < 1e-13) above. */
function logFactorial(k: number): number {
  if (k < 16) return LOG_FACTORIAL_TABLE[k];
  const n = k + 1;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (n - 0.5) * Math.log(n) - n + HALF_LOG_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/**
 * A seeded pseudo-random generator (xoshiro128**, period 2¹²⁸ − 1, seeded through SplitMix32)
 * with the distributions the simulations need: uniform, normal and Poisson. Same seed, same
 * sequence, on every platform: tests and samples are reproducible.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = Number.NaN;

  /** @param seed - any integer */
  constructor(seed: number) {
    let z = seed >>> 0;
    const next = () => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** @returns a uniformly distributed 32-bit unsigned integer */
  nextUint32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const r = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    let n2 = (s2 ^ s0) >>> 0;
    let n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    n2 = (n2 ^ t) >>> 0;
    n3 = rotl(n3, 11);
    this.s0 = n0;
    this.s1 = n1;
    this.s2 = n2;
    this.s3 = n3;
    return r;
  }

  /** @returns a uniform double in [0, 1) with 53 random bits */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** @returns a standard normal deviate (Marsaglia's polar method) */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = Number.NaN;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /**
   * A Poisson deviate: inversion by sequential search for mean < 10, Hörmann's transformed
   * rejection with squeeze (PTRS, Insurance Math. Econom. 12:39, 1993) above.
   *
   * @param mean - λ ≥ 0 (0 or non-finite gives 0)
   */
  poisson(mean: number): number {
    if (!(mean > 0) || !Number.isFinite(mean)) return 0;
    if (mean < 10) {
      let p = Math.exp(-mean);
      let s = p;
      let k = 0;
      const u = this.uniform();
      while (u > s && k < 1000) {
        k++;
        p *= mean / k;
        s += p;
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const logLam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logLam - logFactorial(k)) return k;
    }
  }

  /**
   * A gamma deviate of shape k and scale 1 (Marsaglia and Tsang, ACM TOMS 26:363, 2000; for
   * k < 1 boosted from k + 1 by U^(1/k)). The output of an EM register fed n electrons is
   * gamma(n) · gain: mean n·gain, variance n·gain², the excess-noise factor F² = 2.
   *
   * @param shape - k > 0 (0 or less gives 0)
   */
  gamma(shape: number): number {
    if (!(shape > 0)) return 0;
    if (shape < 1) return this.gamma(shape + 1) * this.uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
