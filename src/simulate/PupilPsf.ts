import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { SpotPsf } from './SpotPsf.js';

/** Options of the {@link PupilPsf}; @default {@link PUPIL_PSF_DEFAULTS}. */
export interface PupilPsfOptions {
  /** Numerical aperture of the objective. */
  numericalAperture?: number;
  /** Refractive index of the immersion medium. */
  immersionIndex?: number;
  /**
   * Refractive index of the sample, whose light defocuses: √(n_s² − (NA·ρ)²) in the defocus
   * phase, and the pupil cut where NA·ρ ≥ n_s (supercritical light, which a molecule away from
   * the coverslip does not send). @default the immersion index (no mismatch)
   */
  sampleIndex?: number;
  /** Emission wavelength in vacuum, nm. */
  wavelengthNm?: number;
  /** Zernike astigmatism Z(2, 2) = √6·ρ²·cos 2φ (Noll 6), its RMS over the pupil, nm of wavefront: positive, x focuses at negative z (as the simulator's Gaussian curves: 80 nm puts the foci near ∓200 nm at NA 1.49). */
  astigmatismNm?: number;
  /** Zernike primary spherical aberration Z(4, 0) = √5·(6ρ⁴ − 6ρ² + 1) (Noll 11), RMS, nm. */
  sphericalNm?: number;
  /** Zernike coma along x, Z(3, 1) = √8·(3ρ³ − 2ρ)·cos φ (Noll 8), RMS, nm: spots grow a tail along x that turns with the focus. @default 0 */
  comaNm?: number;
  /** Zernike trefoil, Z(3, 3) = √8·ρ³·cos 3φ (Noll 10), RMS, nm: a three-lobed defocus. @default 0 */
  trefoilNm?: number;
  /** Pupil samples across its diameter (the field's period is this many × λ/(2·NA): 14 µm at 64). */
  pupilSamples?: number;
  /** Samples of the image per pixel and axis: the pixel integral is their mean. */
  oversampling?: number;
  /** The window drawn around a spot, nm (its side; light beyond it is lost, as into the background). */
  windowNm?: number;
  /** The z grid the planes are computed and cached on, nm: z between two is interpolated linearly. */
  zStepNm?: number;
}

/**
 * The defaults of {@link PupilPsf}: an oil objective (NA 1.49, n 1.518), far-red emission
 * (670 nm), 80 nm RMS of astigmatism (foci about 500 nm apart), no spherical aberration, a
 * 64-sample pupil, 5 × 5 samples a pixel, a 2.6 µm window, planes every 10 nm.
 */
export const PUPIL_PSF_DEFAULTS = {
  numericalAperture: 1.49,
  immersionIndex: 1.518,
  wavelengthNm: 670,
  astigmatismNm: 80,
  sphericalNm: 0,
  comaNm: 0,
  trefoilNm: 0,
  pupilSamples: 64,
  oversampling: 5,
  windowNm: 2600,
  zStepNm: 10,
} as const;

/** The resolved options, as a simulation records them. */
export type ResolvedPupilPsfOptions = Required<PupilPsfOptions>;

/**
 * Fill the defaults of a {@link PupilPsfOptions} and check them.
 * @throws InvalidOptionError naming the option out of range
 */
export function resolvePupilPsfOptions(options: PupilPsfOptions = {}): ResolvedPupilPsfOptions {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { ...PUPIL_PSF_DEFAULTS, sampleIndex: options.immersionIndex ?? PUPIL_PSF_DEFAULTS.immersionIndex, ...defined } as ResolvedPupilPsfOptions;
  const positive = ['numericalAperture', 'immersionIndex', 'sampleIndex', 'wavelengthNm', 'windowNm', 'zStepNm'] as const;
  for (const key of positive) if (!(o[key] > 0 && Number.isFinite(o[key]))) throw new InvalidOptionError(`pupil PSF option ${key} must be > 0, got ${o[key]}`, key);
  if (!(o.numericalAperture < o.immersionIndex)) throw new InvalidOptionError(`pupil PSF option numericalAperture (${o.numericalAperture}) must be below the immersion index (${o.immersionIndex})`, 'numericalAperture');
  for (const key of ['astigmatismNm', 'sphericalNm', 'comaNm', 'trefoilNm'] as const) if (!Number.isFinite(o[key])) throw new InvalidOptionError(`pupil PSF option ${key} must be a number of nm, got ${o[key]}`, key);
  if (!(Number.isInteger(o.pupilSamples) && o.pupilSamples >= 16 && o.pupilSamples <= 512)) throw new InvalidOptionError(`pupil PSF option pupilSamples must be a whole number from 16 to 512, got ${o.pupilSamples}`, 'pupilSamples');
  if (!(Number.isInteger(o.oversampling) && o.oversampling >= 1 && o.oversampling <= 16)) throw new InvalidOptionError(`pupil PSF option oversampling must be a whole number from 1 to 16, got ${o.oversampling}`, 'oversampling');
  return o;
}

/**
 * A scalar pupil-function PSF (Goodman, Introduction to Fourier Optics, ch. 6; Hanser et al.,
 * J. Microsc. 216:32, 2004): the image of a point source at depth z is
 *
 *     I(r; z) ∝ |∫ P(f)·exp(i·2π/λ·(W(ρ, φ) − z·√(n_s² − (NA·ρ)²)))·exp(i·2π f·r) d²f|²
 *
 * over the pupil |f| ≤ NA/λ (ρ = |f|·λ/NA, φ its angle; amplitude 1 inside, 0 outside and
 * where NA·ρ ≥ n_s), W the Zernike aberrations, astigmatism √6·ρ²·cos 2φ, spherical
 * √5·(6ρ⁴ − 6ρ² + 1), coma √8·(3ρ³ − 2ρ)·cos φ and trefoil √8·ρ³·cos 3φ with RMS amplitudes in nm. Not the fit's Gaussian: tests and benchmarks
 * draw spots through it. The field is computed by a separable matrix DFT (the exact discrete
 * Fourier sum at the wanted points, two matrix products: its points need not be the FFT's,
 * so the pupil's sampling and the pixel's are chosen apart), on a grid of `oversampling`
 * points per pixel and axis over the window; each plane is normalised so the PSF integrates to
 * 1 over the whole plane (Parseval: ∫|E|² d²r = ∫|P|² d²f), so a window holds a little less
 * than 1, as a camera's does. Planes are cached on a z grid of `zStepNm` and interpolated
 * linearly in z; a spot's sub-pixel position interpolates its plane bilinearly, and each
 * pixel is the sum over its oversampled points.
 */
export class PupilPsf implements SpotPsf {
  readonly options: ResolvedPupilPsfOptions;
  /** Pixel size, nm. */
  readonly pixelSizeNm: number;
  /** Pixels drawn on either side of the spot's pixel: the window is 2·half + 1 px. */
  readonly halfWindowPx: number;
  /** Grid points on either side of the centre of a {@link plane} (it is 2·gridHalf + 1 a side, pixelSizeNm/oversampling apart). */
  readonly gridHalf: number;
  private readonly side: number;
  private readonly planes = new Map<number, Float32Array>();
  /** The pupil's samples inside its edge: frequency index (column, row), ρ, and W (nm). */
  private readonly pupilColumn: Int32Array;
  private readonly pupilRow: Int32Array;
  private readonly pupilDefocus: Float64Array;
  private readonly pupilAberration: Float64Array;
  /** exp(2πi·f_p·u_m), [m][p], for the grid's points and the pupil's frequencies (both axes). */
  private readonly twiddleRe: Float64Array;
  private readonly twiddleIm: Float64Array;
  /** Scratch of one plane's field: the pupil (rows × columns) and the half-transform (rows × grid). */
  private readonly pupilRe: Float64Array;
  private readonly pupilIm: Float64Array;
  private readonly halfRe: Float64Array;
  private readonly halfIm: Float64Array;
  /** Σ|P|² over the pupil's samples (the normalisation's numerator, with the cell areas). */
  private readonly norm: number;

  /**
   * @param pixelSizeNm - the camera's pixel, nm
   * @param options - the optics and sampling @default {@link PUPIL_PSF_DEFAULTS}
   */
  constructor(pixelSizeNm: number, options: PupilPsfOptions = {}) {
    const o = resolvePupilPsfOptions(options);
    this.options = o;
    this.pixelSizeNm = pixelSizeNm;
    const s = o.oversampling;
    this.halfWindowPx = Math.max(1, Math.ceil(o.windowNm / 2 / pixelSizeNm));
    // Grid: the window, a pixel more each side for the sub-pixel shift, and one point to interpolate.
    this.gridHalf = (this.halfWindowPx + 2) * s;
    this.side = 2 * this.gridHalf + 1;
    const n = o.pupilSamples;
    const fMax = o.numericalAperture / o.wavelengthNm;
    const df = (2 * fMax) / n;
    const columns: number[] = [];
    const rows: number[] = [];
    const defocus: number[] = [];
    const aberration: number[] = [];
    for (let q = 0; q < n; q++) {
      for (let p = 0; p < n; p++) {
        const fx = (p - (n - 1) / 2) * df;
        const fy = (q - (n - 1) / 2) * df;
        const rho = Math.hypot(fx, fy) / fMax;
        if (rho > 1) continue;
        const sine = o.numericalAperture * rho;
        if (sine >= o.sampleIndex) continue;
        const phi = Math.atan2(fy, fx);
        columns.push(p);
        rows.push(q);
        // The defocus path per nm of z, less its piston n_s (which changes no intensity).
        defocus.push(o.sampleIndex - Math.sqrt(o.sampleIndex ** 2 - sine ** 2));
        const r2 = rho * rho;
        const coma = Math.sqrt(8) * (3 * r2 - 2) * rho * Math.cos(phi);
        const trefoil = Math.sqrt(8) * r2 * rho * Math.cos(3 * phi);
        aberration.push(o.astigmatismNm * Math.sqrt(6) * r2 * Math.cos(2 * phi) + o.sphericalNm * Math.sqrt(5) * (6 * r2 * r2 - 6 * r2 + 1) + o.comaNm * coma + o.trefoilNm * trefoil);
      }
    }
    this.pupilColumn = Int32Array.from(columns);
    this.pupilRow = Int32Array.from(rows);
    this.pupilDefocus = Float64Array.from(defocus);
    this.pupilAberration = Float64Array.from(aberration);
    const hNm = pixelSizeNm / s;
    this.twiddleRe = new Float64Array(this.side * n);
    this.twiddleIm = new Float64Array(this.side * n);
    for (let m = 0; m < this.side; m++) {
      const u = (m - this.gridHalf) * hNm;
      for (let p = 0; p < n; p++) {
        const angle = 2 * Math.PI * (p - (n - 1) / 2) * df * u;
        this.twiddleRe[m * n + p] = Math.cos(angle);
        this.twiddleIm[m * n + p] = Math.sin(angle);
      }
    }
    this.pupilRe = new Float64Array(n * n);
    this.pupilIm = new Float64Array(n * n);
    this.halfRe = new Float64Array(n * this.side);
    this.halfIm = new Float64Array(n * this.side);
    // |E|²·df⁴ / (Σ|P|²·df²) is the density (1/nm²) that integrates to 1; times the grid cell h².
    this.norm = (df * df * hNm * hNm) / columns.length;
  }

  /** The window's width, px (odd). */
  get windowPx(): number {
    return 2 * this.halfWindowPx + 1;
  }

  /**
   * The PSF's plane at z on the grid's points (cached): the share of the photons on each grid
   * cell (1/oversampling² px), row-major, (2·gridHalf + 1)² values, centre at the middle.
   * @param zNm - the depth, nm (the plane computed at this z exactly)
   */
  plane(zNm: number): Float32Array {
    const { pupilColumn, pupilRow, pupilDefocus, pupilAberration, pupilRe, pupilIm, halfRe, halfIm, twiddleRe, twiddleIm, side } = this;
    const n = this.options.pupilSamples;
    const k0 = (2 * Math.PI) / this.options.wavelengthNm;
    pupilRe.fill(0);
    pupilIm.fill(0);
    for (let i = 0; i < pupilColumn.length; i++) {
      const phase = k0 * (pupilAberration[i] + zNm * pupilDefocus[i]);
      const at = pupilRow[i] * n + pupilColumn[i];
      pupilRe[at] = Math.cos(phase);
      pupilIm[at] = Math.sin(phase);
    }
    // Half-transform along x: H[q][m] = Σ_p P[q][p]·T[m][p].
    for (let q = 0; q < n; q++) {
      const row = q * n;
      for (let m = 0; m < side; m++) {
        const t = m * n;
        let re = 0;
        let im = 0;
        for (let p = 0; p < n; p++) {
          const a = pupilRe[row + p];
          const b = pupilIm[row + p];
          if (a === 0 && b === 0) continue;
          const c = twiddleRe[t + p];
          const d = twiddleIm[t + p];
          re += a * c - b * d;
          im += a * d + b * c;
        }
        halfRe[q * side + m] = re;
        halfIm[q * side + m] = im;
      }
    }
    // Along y: E[l][m] = Σ_q T[l][q]·H[q][m]; the intensity, normalised.
    const out = new Float32Array(side * side);
    const reRow = new Float64Array(side);
    const imRow = new Float64Array(side);
    for (let l = 0; l < side; l++) {
      reRow.fill(0);
      imRow.fill(0);
      const t = l * n;
      for (let q = 0; q < n; q++) {
        const c = twiddleRe[t + q];
        const d = twiddleIm[t + q];
        const h = q * side;
        for (let m = 0; m < side; m++) {
          const a = halfRe[h + m];
          const b = halfIm[h + m];
          reRow[m] += c * a - d * b;
          imRow[m] += c * b + d * a;
        }
      }
      for (let m = 0; m < side; m++) out[l * side + m] = (reRow[m] * reRow[m] + imRow[m] * imRow[m]) * this.norm;
    }
    return out;
  }

  /** The cached plane of z-grid index k. */
  private cached(k: number): Float32Array {
    let p = this.planes.get(k);
    if (!p) {
      p = this.plane(k * this.options.zStepNm);
      this.planes.set(k, p);
    }
    return p;
  }

  /**
   * Add one spot's expected photons to an image: N·(the PSF at z integrated over each pixel) on
   * the window around the spot, clipped to the image.
   * @param image - row-major photons, modified in place
   * @param width - image width, px
   * @param height - image height, px
   * @param x - the spot's centre along columns, px (pixel i covers [i, i + 1))
   * @param y - along rows, px
   * @param photons - N, photons over the whole plane
   * @param zNm - the spot's depth, nm (planes on the z grid, interpolated between)
   */
  add(image: Float64Array, width: number, height: number, x: number, y: number, photons: number, zNm: number): void {
    const { zStepNm } = this.options;
    const t = zNm / zStepNm;
    const k = Math.floor(t);
    const w = t - k;
    this.addPlane(image, width, height, x, y, photons * (1 - w), this.cached(k));
    if (w > 1e-9) this.addPlane(image, width, height, x, y, photons * w, this.cached(k + 1));
  }

  /** One plane, bilinearly shifted to (x, y), summed over each pixel's s × s points, times `photons`. */
  private addPlane(image: Float64Array, width: number, height: number, x: number, y: number, photons: number, plane: Float32Array): void {
    const s = this.options.oversampling;
    const half = this.halfWindowPx;
    const side = this.side;
    const column = Math.floor(x);
    const row = Math.floor(y);
    // The points of pixel column + di sit at grid index di·s + a + gridHalf − f, f = (x − column)·s − ½.
    const fx = (x - column) * s - 0.5;
    const fy = (y - row) * s - 0.5;
    const bx = Math.floor(-fx);
    const by = Math.floor(-fy);
    const wx = -fx - bx;
    const wy = -fy - by;
    for (let dj = -half; dj <= half; dj++) {
      const r = row + dj;
      if (r < 0 || r >= height) continue;
      for (let di = -half; di <= half; di++) {
        const c = column + di;
        if (c < 0 || c >= width) continue;
        let sum = 0;
        for (let b = 0; b < s; b++) {
          const gy = dj * s + b + this.gridHalf + by;
          const top = gy * side;
          const bottom = top + side;
          for (let a = 0; a < s; a++) {
            const gx = di * s + a + this.gridHalf + bx;
            sum += (1 - wy) * ((1 - wx) * plane[top + gx] + wx * plane[top + gx + 1]) + wy * ((1 - wx) * plane[bottom + gx] + wx * plane[bottom + gx + 1]);
          }
        }
        image[r * width + c] += photons * sum;
      }
    }
  }
}
