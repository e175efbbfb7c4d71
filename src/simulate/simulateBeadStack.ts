import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import type { DefocusCurve } from '../fit/models/DefocusCurve.js';
import { defocusSigma } from '../fit/models/DefocusCurve.js';
import { GaussianAxis } from '../fit/GaussianAxis.js';
import type { PupilPsfOptions } from './PupilPsf.js';
import { PupilPsf } from './PupilPsf.js';
import type { SplineCalibration } from '../astig/SplineCalibration.js';
import { SplineSpotPsf } from './SplineSpotPsf.js';
import type { SpotPsf } from './SpotPsf.js';
import { Random } from './Random.js';
import { renderRingedSpot } from './renderRingedSpot.js';
import { renderSpot } from './renderSpot.js';

/**
 * The defaults of {@link simulateBeadStack}: frame size (px), pixel size (nm), beads a side,
 * frames and their z (nm), photons per bead and frame, background (photons/px), camera, seed.
 */
export const BEAD_STACK_DEFAULTS = {
  width: 96,
  height: 96,
  pixelSizeNm: 100,
  grid: 3,
  frames: 81,
  zStartNm: -800,
  zStepNm: 20,
  photons: 20000,
  background: 50,
  baselineAdu: 100,
  photonsPerAdu: 1,
  readNoiseAdu: 1.5,
  seed: 1,
} as const;

/**
 * What is wrong with a bad bead, by kind: one stuck `heightNm` above the others (its truth
 * records the offset), or one that does not defocus (a constant σ of `stuckSigmaNm`).
 */
export const BAD_BEADS = { heightNm: 250, stuckSigmaNm: 200 } as const;

/** A z-stack of fixed beads seen through an astigmatic PSF. Defaults: {@link BEAD_STACK_DEFAULTS}. */
export interface BeadStackOptions {
  /** Frame size, px. @default {@link BEAD_STACK_DEFAULTS} */
  width?: number;
  height?: number;
  /** Pixel size, nm. @default {@link BEAD_STACK_DEFAULTS} */
  pixelSizeNm?: number;
  /** Beads on a grid of this many a side, with a random sub-pixel offset. @default {@link BEAD_STACK_DEFAULTS} */
  grid?: number;
  /**
   * The beads themselves instead of the grid: each at (xNm, yNm) of the field, with its own
   * photons per frame where given (a saturated or a dim bead). @default the grid
   */
  positions?: readonly { xNm: number; yNm: number; photons?: number }[];
  /** Frame k (0-based) is imaged at z = zStartNm + k·zStepNm. @default {@link BEAD_STACK_DEFAULTS} */
  zStartNm?: number;
  zStepNm?: number;
  frames?: number;
  /** σx(z), σy(z). @default {@link DEFAULT_ASTIGMATISM} */
  curves?: { x: DefocusCurve; y: DefocusCurve };
  /** Photons per bead and frame, background photons per pixel. @default {@link BEAD_STACK_DEFAULTS} */
  photons?: number;
  background?: number;
  /**
   * A PSF that is not the astigmatic Gaussian (the fit's model): above `fromNm` a growing share
   * of each bead's photons, `fraction` from `fullNm` on, lies in a defocus ring around the core
   * ({@link renderRingedSpot}: radius 2.5 core widths), as spherical aberration makes one side
   * of focus. @default none (the Gaussian, exactly as the fit models it)
   */
  ring?: { fraction: number; fromNm: number; fullNm: number };
  /**
   * A pupil-function PSF ({@link PupilPsf}) instead of the Gaussian of `curves`: the optics' own
   * astigmatism and aberrations, not the fit's model. @default none
   */
  pupil?: PupilPsfOptions;
  /**
   * A measured PSF (a tricubic spline, {@link SplineSpotPsf}) instead of the Gaussian of `curves`:
   * each bead drawn as photons × the spline at the pixel centres. Every frame's depth must lie
   * within the spline's z range, and its pixel size (where it says one) be `pixelSizeNm`. Not
   * with `pupil`. @default none
   */
  spline?: SplineCalibration;
  /** Bad beads: index → what is wrong (a bead stuck at another height, or one that does not defocus). */
  bad?: Readonly<Record<number, { zOffsetNm?: number; fixedSigmaNm?: number }>>;
  /** Camera: baseline (ADU), photons per ADU, read noise (ADU rms). @default {@link BEAD_STACK_DEFAULTS} */
  baselineAdu?: number;
  photonsPerAdu?: number;
  readNoiseAdu?: number;
  /** Random seed. @default {@link BEAD_STACK_DEFAULTS} */
  seed?: number;
}

/**
 * A typical cylindrical-lens astigmatism (100 nm pixels): σ0 = 130 nm, the foci 400 nm apart
 * (x at −200 nm, y at +200 nm), focal depth 400 nm, small higher-order terms.
 */
export const DEFAULT_ASTIGMATISM: { readonly x: DefocusCurve; readonly y: DefocusCurve } = {
  x: { sigma0Nm: 130, centerNm: -200, depthNm: 400, a: 0.1, b: 0.05 },
  y: { sigma0Nm: 130, centerNm: 200, depthNm: 400, a: -0.1, b: 0.05 },
};

/** A simulated bead stack: ADU frames, the true bead positions (nm) and each frame's z (nm). */
export interface BeadStack {
  readonly width: number;
  readonly height: number;
  readonly frames: Float64Array[];
  readonly beads: { xNm: number; yNm: number }[];
  readonly zNm: number[];
}

/**
 * Simulate a bead z-stack from the defocus model, with exact pixel integration of the
 * elliptical Gaussian (the fit's own model), or with a defocus ring (`ring`), or through a
 * pupil-function PSF (`pupil`) or a measured spline PSF (`spline`), Poisson noise and the camera's offset, gain and read noise.
 */
export function simulateBeadStack(options: BeadStackOptions = {}): BeadStack {
  const d = BEAD_STACK_DEFAULTS;
  const width = options.width ?? d.width;
  const height = options.height ?? d.height;
  const pixel = options.pixelSizeNm ?? d.pixelSizeNm;
  const grid = options.grid ?? d.grid;
  const frames = options.frames ?? d.frames;
  const z0 = options.zStartNm ?? d.zStartNm;
  const dz = options.zStepNm ?? d.zStepNm;
  const curves = options.curves ?? DEFAULT_ASTIGMATISM;
  const photons = options.photons ?? d.photons;
  const background = options.background ?? d.background;
  const baseline = options.baselineAdu ?? d.baselineAdu;
  const perAdu = options.photonsPerAdu ?? d.photonsPerAdu;
  const read = options.readNoiseAdu ?? d.readNoiseAdu;
  const rng = new Random(options.seed ?? d.seed);
  const beads: { xNm: number; yNm: number }[] = options.positions ? options.positions.map((p) => ({ xNm: p.xNm, yNm: p.yNm })) : [];
  for (let gy = 0; gy < (options.positions ? 0 : grid); gy++) {
    for (let gx = 0; gx < grid; gx++) {
      beads.push({ xNm: ((gx + 0.5) * width / grid + rng.uniform() - 0.5) * pixel, yNm: ((gy + 0.5) * height / grid + rng.uniform() - 0.5) * pixel });
    }
  }
  const half = 12;
  const ax = new GaussianAxis(2 * half);
  const ay = new GaussianAxis(2 * half);
  const ringScratch = new Float64Array(2 * (2 * half) ** 2);
  if (options.pupil && options.spline) throw new InvalidOptionError('bead stack options pupil and spline are two PSFs: give one', 'spline');
  if (options.spline) {
    const offsets = Object.values(options.bad ?? {}).map((b) => b.zOffsetNm ?? 0);
    const last = z0 + (frames - 1) * dz;
    SplineSpotPsf.check(options.spline, pixel, [Math.min(z0, last) + Math.min(0, ...offsets), Math.max(z0, last) + Math.max(0, ...offsets)], 'the bead stack\'s frames');
  }
  const psf: SpotPsf | undefined = options.pupil ? new PupilPsf(pixel, options.pupil) : options.spline ? new SplineSpotPsf(options.spline.psf) : undefined;
  const out: Float64Array[] = [];
  const zs: number[] = [];
  for (let k = 0; k < frames; k++) {
    const z = z0 + k * dz;
    zs.push(z);
    const image = new Float64Array(width * height).fill(background);
    beads.forEach((bead, i) => {
      const bad = options.bad?.[i];
      const zb = z + (bad?.zOffsetNm ?? 0);
      const sx = (bad?.fixedSigmaNm ?? defocusSigma(curves.x, zb)) / pixel;
      const sy = (bad?.fixedSigmaNm ?? defocusSigma(curves.y, zb)) / pixel;
      const cx = bead.xNm / pixel;
      const cy = bead.yNm / pixel;
      const c0 = Math.max(0, Math.min(width - 2 * half, Math.round(cx) - half));
      const r0 = Math.max(0, Math.min(height - 2 * half, Math.round(cy) - half));
      const ringed = options.ring ? ringShare(options.ring, zb) : 0;
      const n = options.positions?.[i].photons ?? photons;
      if (psf && bad?.fixedSigmaNm === undefined) psf.add(image, width, height, cx, cy, n, zb);
      else if (ringed > 0) renderRingedSpot(image, width, c0, r0, 2 * half, cx - c0, cy - r0, n, sx, sy, ringed, ringScratch);
      else renderSpot(image, width, c0, r0, ax, ay, cx - c0, cy - r0, n, sx, sy);
    });
    const adu = new Float64Array(width * height);
    for (let i = 0; i < adu.length; i++) adu[i] = Math.min(65535, Math.max(0, Math.round(baseline + rng.poisson(image[i]) / perAdu + read * rng.normal())));
    out.push(adu);
  }
  return { width, height, frames: out, beads, zNm: zs };
}

/** The share of a bead's photons in its defocus ring at depth z: 0 below `fromNm`, rising linearly to `fraction` at `fullNm`. */
function ringShare(ring: { fraction: number; fromNm: number; fullNm: number }, zNm: number): number {
  const t = (zNm - ring.fromNm) / (ring.fullNm - ring.fromNm);
  return ring.fraction * Math.min(1, Math.max(0, t));
}
