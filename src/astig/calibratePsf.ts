import { InputFileError } from '../errors/InputFileError.js';
import type { ZModelErrorTable } from '../fit/zModelErrorAt.js';
import { MAX_BOX_PX } from '../fit/fitConstants.js';
import { buildSpline } from '../fit/spline/buildSpline.js';
import type { SplinePsf } from '../fit/spline/SplinePsf.js';
import { estimateVolumeShift } from './estimateVolumeShift.js';
import { fitBeadSplines } from './fitBeadSplines.js';
import type { BeadWindows } from './readBeadWindows.js';
import { shiftVolume, shiftVolumeScratch } from './shiftVolume.js';
import { smoothAlongZ } from './smoothAlongZ.js';
import type { FitError } from './spotErrorTable.js';
import { spotErrorTable } from './spotErrorTable.js';
import { thinBeadWindows } from './thinBeadWindows.js';

/**
 * Defaults of {@link calibratePsf}, each with its reason:
 * - `boxPx` 21: the spline's side, px, wider than the widest fitting window (15 px) by 3 px a
 *   side, as SMAP's 27 px bead windows are (a spot's window is centred on its brightest pixel,
 *   which for a defocused spot can be a pixel or two off its centre, and the spline reads 0
 *   beyond its samples). Measured on isolated pupil-function spots (2 000 photons, ±600 nm,
 *   `test/bench/splineVsGaussian.ts`) through the true PSF's spline and 15 px windows: median z
 *   bias +19 / −35 nm in the −600 / +500 nm bands with a 15 px spline, +5 / −13 with 21 px,
 *   +1 / −12 with 25 px (19 px: +9 / −13);
 * - `minBoxNm` 1600: calibrate-psf's default box spans at least this ({@link defaultPsfBox}:
 *   25 px at 65 nm pixels, where 21 px span 1.37 µm and spots off their window's centre at
 *   −600 nm read the spline's padding, not the PSF's tails). Measured on the 65 nm sCMOS optics
 *   of test/bench/userOptics.ts (`w127 --beads grid`, 9 beads kept either way), 21 → 25 px: the
 *   −600…−400 nm band's z bias 13.7 → 1.1 nm and RMSE / uncertainty_z 1.42 → 1.02, the largest
 *   band bias 13.7 → 6.9 nm, Jaccard 87.7 → 90.8 %, lateral RMSE 63.2 → 52.4 nm. Where the
 *   wider box's windows hold fewer than 3 beads, the fallback tries `boxPx` first;
 * - `fallbackBoxesPx` [15, 13, 11], `fallbackMinBeads` 3: without a box asked for, a first stack
 *   whose `boxPx` windows hold fewer than 3 beads apart and inside the frame is read again with
 *   these smaller boxes, the first that holds 3 kept (else the one that holds most), and a
 *   warning and the run record say so (readBeadWindowsFitting.ts). A 21 px box makes 27 px
 *   windows (4.3 µm at 160 nm pixels): a 10 µm field of 8 beads (test/bench/userOptics.ts
 *   `em160`) holds none apart in them, and the fallback's 15 px box keeps one (5 overlapping, 1
 *   near the edge). Not smaller by default: on 160 nm EMCCD pupil beads (test/bench/userOptics.ts `em160 --beads grid`) a 13 px box gave the −600…−400 nm band a
 *   z bias of 33 nm against 20 nm with 21 px (the fits' windows shrink with the spline);
 * - `marginPx` 3: extra pixels a side of each bead's window, room for the lateral registration
 *   (±2 px search and the parabola's neighbour);
 * - `maxShiftZNm` 300: beads further than this from the others' depth (a bead stuck above the
 *   coverslip) are left out;
 * - `maxShiftXYPx` 2: the bead finder's integer maximum is within a pixel of the centre, twice that
 *   is an outlier;
 * - `iterations` 3: registration passes (shift, resample, new average): the first searches the
 *   whole range, the next two refine within ±2 planes and ±1 px (the parabola's bias shrinks as
 *   the residual offset does);
 * - `brightnessRange` 3: beads dimmer or brighter than the median by more than this factor
 *   (clusters, dim debris) are left out;
 * - `shapeOutlierMad` 4: a bead whose shape differs from the others' average by more than the
 *   median + 4 MAD (×1.4826) of the beads' differences is left out (needs 4 beads);
 * - `smoothZNm` 30: σ of the Gaussian smoothing along z, nm. With 21 px splines, on 200
 *   pupil-function spots a band (2 000 photons, 20 photons/px) fitted through the spline of 9
 *   beads: at 20 nm, 58 of 200 spots at +450…+600 nm hit the iteration limit (the bead noise
 *   left in the spline's defocused planes makes the likelihood rough in z; the true PSF's spline:
 *   4), at 30 nm 26 (median z bias ≤ 4.7 nm in every band, leave-one-bead-out 8.6 nm RMS), at
 *   40 nm 10 (but −6.2 nm at −600…−400, leave-one-bead-out 9.1 nm). Earlier, 15 px splines
 *   measured by the leave-one-bead-out error alone: on 9 simulated beads
 *   (20 000 photons, 50 photons/px background, 20 nm steps), leave-one-out z error RMS over the
 *   usable range without / 20 / 40 nm: 10.9 / 6.9 / 7.2 nm on the astigmatic Gaussian, 6.1 / 7.1
 *   (20 / 40) on the ringed PSF, 11.4 / 9.0 / 10.0 nm on the pupil-function PSF (`simulate --psf
 *   pupil`), whose z structure 40 nm already blurs into a bias of ±10 nm at ±700 nm (bead noise
 *   along z otherwise enters the spline: 9 nm at the focus without, 5 nm with). A local quadratic
 *   regression (unbiased at the stack's ends) did worse on the Gaussian (its end planes noisier);
 * - `smoothZDegree` 0: the smoothing is the Gaussian local mean ({@link smoothAlongZ}). The local
 *   quadratic (2) has no (σ²/2)·∂²f/∂z² bias, but passes more of the beads' noise: on 400 spots a
 *   200 nm band through the benchmark's 9 NA 1.49 beads (test/bench/splineBudget.ts), z bias in
 *   the bands of −600…+200 nm −2.2 / −1.7 / −1.5 / +1.3 nm at Gaussian 30 nm, +0.5 / −0.5 / −0.7
 *   / −0.4 at quadratic 40–60 nm, but z RMSE over the CRLB at +400…+600 nm 1.42 → 1.47–1.64;
 * - `endShiftPlanes` 0.1: a bead's z shift up to this many planes needs no crop of the end
 *   planes (the end sample is repeated, off by at most a tenth of a plane's change); beyond it,
 *   ⌈shift − 0.1⌉ planes are cropped at the end it reaches past. Before, ⌈largest |shift|⌉ + 1
 *   planes went at each end: on the storm-analysis double-helix beads (shifts under 2 nm, 43 nm
 *   planes) a spline of ±664 nm from beads covering ±750 nm;
 * - `zOrigin` 'focus': z = 0 at the PSF's highest peak, which needs nothing of the user; the
 *   CLI passes 'stage' when `--z-start` is given (the z-stack then says where the sample's zero
 *   is: see {@link PsfCalibrationOptions.zOrigin});
 * - `splineSidePx` 31 (2·MAX_BOX_PX + 1): the spline's side after padding the `boxPx` samples
 *   by repeating each plane's border outwards. A window at the frame's edge is shifted inwards,
 *   its spot up to 7 px off its centre, its far pixels up to 14.5 px from the spot: beyond the
 *   measured box the spline read 0 where the spot's defocused tails still lie. Measured on
 *   isolated NA 1.4 pupil spots 6–7 px off a 15 px window's centre through the true PSF's spline
 *   (test/bench/splineBudget.ts --offset 6): z bias at +400…+600 nm −24.6 nm with its 21 px,
 *   −1.6 nm padded so to 31 px (−3.5 nm with the true PSF sampled over 31 px); end to end
 *   (splineVsGaussian.ts) spots within 2 px of the frame's edge were −47 nm off there;
 * - `lateralResampling` 'spline': a bead is moved onto the others in x and y by the cubic spline
 *   through its pixel-integrated samples ({@link shiftVolume}). 'fourier' (the band-limited,
 *   periodic sinc interpolant) keeps the PSF's fine structure where it is finest for the pixel
 *   (NA 1.2 at 580 nm: the sampling limit λ/(4·NA) is 121 nm against 100 nm pixels): on
 *   noise-free pupil spots (2 000 photons, 20 /px, every 10 nm) fitted through the spline of 9
 *   noisy beads against the true PSF's spline, bead seeds 6, 7, 8, the largest 200 nm band's mean
 *   z error na12 4.5 / 5.1 / 3.5 → 1.9–2.2 nm (+4.2 → +1.5 nm with noise-free beads and no z
 *   smoothing: the resampling's own bias), na14 3.1 / 5.0 / 5.3 → 3.1 / 2.9 / 2.6 nm (its
 *   +200…+400 nm band −0.3…−1.1 → +1.8…+2.9), na149 2.4–2.5 → 2.5–2.6 nm. Not the default: on
 *   bright beads (10⁷ photons, 40 nm steps) it moves the 'focus' origin (the highest peak's plane,
 *   flat in z with spherical aberration) by ~200 nm, and the usable range with it (−733…788 →
 *   −950…571 nm);
 * - `usableErrorNm` 30: the usable z range is where the leave-one-out z error, RMS over the beads in
 *   bins of `binNm` 100 nm, stays below this (around the focus);
 * - `minBinFrames` 10: a bin of the z error by depth (the model error localize adds at each
 *   fitted z) needs this many leave-one-out frames (two beads' five planes of 20 nm): fewer give
 *   an RMS whose own error is over ±25 % (√(1/2n));
 * - `spotPhotons` 2000, `spotBackgroundPhotons` 30, `spotFitsPerPlane` 54: the z error localize
 *   adds is measured at a spot's brightness, not only a bead's: each left-out bead's frames
 *   thinned to 2 000 photons (the spline's N: the box at focus) on 30 photons a pixel
 *   ({@link thinBeadWindows}), 54 fits a plane over the beads (6 draws a bead of 9, 54 of one),
 *   fitted through the others' spline; per 100 nm bin the model's own error e and the spread
 *   κ of a spot's fit over its CRLB ({@link spotErrorTable}), uncertainty_z = √(e² + κ²·CRLB²).
 *   At a bead's 20 000–30 000 photons the fit's spread beyond the CRLB where the PSF tells
 *   little about z, and what the spline's leftover bead noise does to a dim spot's likelihood,
 *   do not show: the beads' error alone left the least informative 200 nm band of each optics
 *   at 1.21–1.36 × the reported uncertainty. 2 000 photons, the low end of issue 26's spots
 *   (2 000–4 000 on 20–40 a pixel): κ falls towards 1 with more photons, and the form scales
 *   with the CRLB; thinned to 3 000, spots of 2 000 (na149, +400…+600 nm) were still 1.17 ×.
 *   54 fits a plane put 270 in a bin of 20 nm planes (its mean square error within ±9 %);
 *   calibrate-psf's time on 9 beads × 81 planes 4 → 9 s (the fits in the kernel);
 * - `spotOutlierNm` 250: thinned fits further than this from the stage's z are outliers, not
 *   spread (the benchmarks' and evaluate's match radius; a few would dominate the variance).
 */
export const PSF_CALIBRATION_DEFAULTS = {
  boxPx: 21,
  minBoxNm: 1600,
  fallbackBoxesPx: [15, 13, 11] as readonly number[],
  fallbackMinBeads: 3,
  marginPx: 3,
  maxShiftZNm: 300,
  maxShiftXYPx: 2,
  iterations: 3,
  brightnessRange: 3,
  shapeOutlierMad: 4,
  smoothZNm: 30,
  smoothZDegree: 0 as 0 | 2,
  usableErrorNm: 30,
  binNm: 100,
  minBinFrames: 10,
  spotPhotons: 2000,
  spotBackgroundPhotons: 30,
  spotFitsPerPlane: 54,
  spotOutlierNm: 250,
  zOrigin: 'focus',
  endShiftPlanes: 0.1,
  splineSidePx: 2 * MAX_BOX_PX + 1,
  lateralResampling: 'spline' as 'spline' | 'fourier',
} as const;

/** One bead z-stack as calibrate-psf reads it: its windows and where its camera saturates. */
export interface PsfBeadStack {
  /** The file, for messages. */
  readonly name: string;
  /** The beads' windows (side boxPx + 2·marginPx), in photons above the offset. */
  readonly windows: BeadWindows;
  /** A window pixel at or above this many photons was saturated on the camera (+∞: none). */
  readonly saturationPhotons: number;
  /** Beads the finder left out because their windows overlap. @default 0 */
  readonly overlapping?: number;
  /** Beads the finder left out because their windows would cross the frame's edge. @default 0 */
  readonly nearEdge?: number;
}

/** Options of {@link calibratePsf}; defaults in {@link PSF_CALIBRATION_DEFAULTS}. */
export interface PsfCalibrationOptions {
  /** Frame k (0-based) of every stack is at stage z = zStartNm + k·zStepNm, nm. */
  readonly zStartNm: number;
  readonly zStepNm: number;
  /** Camera pixel size, nm (positions in the report). */
  readonly pixelSizeNm: number;
  /** The spline's side, px (odd). @default {@link PSF_CALIBRATION_DEFAULTS} */
  readonly boxPx?: number;
  /** σ of the smoothing along z, nm (0: none). @default {@link PSF_CALIBRATION_DEFAULTS} */
  readonly smoothZNm?: number;
  /** The spline's side after padding, px (at least boxPx). @default {@link PSF_CALIBRATION_DEFAULTS} */
  readonly splineSidePx?: number;
  /** The smoothing's local polynomial ({@link smoothAlongZ}): 0 the Gaussian mean, 2 a quadratic. @default {@link PSF_CALIBRATION_DEFAULTS} */
  readonly smoothZDegree?: 0 | 2;
  /** How beads are resampled in x and y when registered ({@link shiftVolume}). @default {@link PSF_CALIBRATION_DEFAULTS} */
  readonly lateralResampling?: 'spline' | 'fourier';
  /**
   * Where z = 0 is: `'focus'`, the plane of the averaged PSF's highest peak; or `'stage'`, the
   * stage's z = 0 in the stacks' coordinates (`zStartNm`, `zStepNm`), when the user's z-stack
   * states where the sample's zero is (for optics with spherical aberration the highest peak
   * lies off the nominal focus: 9.5 nm on the pupil-function beads with 20 nm of it). A stage
   * zero outside the PSF's planes falls back to the focus, with a message.
   * @default 'focus' ({@link PSF_CALIBRATION_DEFAULTS})
   */
  readonly zOrigin?: 'focus' | 'stage';
  /** The spot brightness the z error by depth is measured at: photons (the spline's N) and background, photons a pixel; thinned fits a plane over the beads (0: at the beads' own brightness only). @default {@link PSF_CALIBRATION_DEFAULTS} */
  readonly spotPhotons?: number;
  readonly spotBackgroundPhotons?: number;
  readonly spotFitsPerPlane?: number;
}

/** What calibrate-psf found about one bead. */
export interface PsfBeadReport {
  /** The stack it is in. */
  readonly stack: string;
  /** Its position, nm (ThunderSTORM's convention: pixel centres at (i + ½)·pixel). */
  readonly xNm: number;
  readonly yNm: number;
  /** Photons in the brightest plane of its box, above its background. */
  readonly photons: number;
  /** Its background, photons per pixel (median of the window's border over all frames). */
  readonly backgroundPhotons: number;
  /** Its offset from the others' average, found by registration: x, y nm, z nm. */
  readonly shiftNm?: { x: number; y: number; z: number };
  /** Its shape against the others' average: RMS difference / RMS of the average. */
  readonly shapeResidual?: number;
  readonly kept: boolean;
  /** Why it was left out. */
  readonly reason?: string;
  /** Leave-one-bead-out: its frames' depths through a PSF built without it, against the stage. */
  readonly leaveOneOut?: { rmsNm: number; meanNm: number; frames: number; usableRmsNm: number; usableFrames: number };
}

/** A calibration's result: the spline, the beads, and how well the PSF predicts a bead's depth. */
export interface PsfCalibrationResult {
  readonly spline: SplinePsf;
  /** The averaged PSF the spline passes through: `[(plane·box + row)·box + column]`, planes in stage order (not the spline's). */
  readonly psf: Float64Array;
  readonly box: number;
  readonly planes: number;
  /** Depth of the PSF's plane k, nm (z = 0 at {@link PsfCalibrationResult.originStageZNm}). */
  readonly planeZNm: number[];
  /** The focus lies at this stage z of the stacks, nm (the plane of the PSF's highest peak, refined by a parabola). */
  readonly focusStageZNm: number;
  /** z = 0 of the PSF lies at this stage z, nm: the focus's, or 0 with `zOrigin: 'stage'`. */
  readonly originStageZNm: number;
  /** Where z = 0 is, resolved (a stage zero outside the planes falls back to the focus). */
  readonly zOrigin: 'focus' | 'stage';
  readonly beads: PsfBeadReport[];
  /** Every leave-one-out frame: its depth (the stage's, relative to the focus) and error, nm. */
  readonly leaveOneOut: { zNm: number; errorNm: number; bead: number }[];
  /** The usable z range, nm (empty when no bead could be left out). */
  readonly usableRangeNm: [number, number] | undefined;
  /** Leave-one-out z error, RMS over the usable range's frames, nm. */
  readonly zErrorRmsNm: number | undefined;
  /**
   * The z error localize adds at each fitted z ({@link SplineCalibration.zModelErrorByDepth}),
   * nm, in each `binNm` bin about the focus with at least `minBinFrames` leave-one-out frames, at
   * the bin's mean depth (increasing z; undefined without leave-one-out): the left-out beads
   * thinned to a spot's brightness, √max(0, ⟨Δz²⟩ − ⟨CRLB_z²⟩) over their fits
   * ({@link PSF_CALIBRATION_DEFAULTS} `spotPhotons`); with `spotFitsPerPlane` 0, the beads' own RMS.
   */
  readonly zErrorByDepth: ZModelErrorTable | undefined;
  /** The beads' own leave-one-out z error by depth (their brightness): RMS in the same bins, nm. */
  readonly beadZErrorByDepth: { zNm: number[]; errorNm: number[] } | undefined;
  /** Resolved options. */
  readonly smoothZNm: number;
  /** Counts of the beads left out, by reason. */
  readonly leftOut: Record<string, number>;
  /** Plain-words notes (few beads, …). */
  readonly messages: string[];
}

interface Bead {
  readonly stack: number;
  readonly index: number;
  readonly volume: Float64Array;
  readonly raw: Float32Array;
  readonly offset: number;
  photons: number;
  background: number;
  shift: [number, number, number];
  aligned: Float64Array;
  shape?: number;
  reason?: string;
}

/**
 * Calibrate an experimental PSF from bead z-stacks (Li et al., Nat. Methods 15:367, 2018, as
 * SMAP, Picasso 0.11 and SMAPpy do): each bead's window (photons) less its background (the median
 * of the window's border over all frames), saturated beads (a pixel at the camera's saturation)
 * and beads whose brightness is off the median by more than a factor 3 left out; brightness
 * normalised (its brightest plane's sum = 1); registered to the beads' average in x, y and z by
 * normalised cross-correlation with a parabola through the peak (sub-pixel, sub-plane), the bead
 * resampled by cubic convolution and the average rebuilt, 3 passes; beads shifted beyond the
 * limits or whose shape differs from the others' average (median + 4 MAD) left out; the average
 * cropped to `boxPx` laterally and to the planes every bead covers, smoothed along z (Gaussian of
 * σ `smoothZNm`, 30 nm by default), not clipped at 0 (a fit's background keeps μ positive), and normalised so that the brightest plane's sum over
 * the box is 1 (SMAPpy's convention: a fit's N is the photons in the box at focus); laterally
 * centred on the in-focus plane's centroid; z = 0 at the plane of the highest peak (a parabola
 * through it and its neighbours). The spline (the spline model's `buildSpline`, natural cubic)
 * stores the planes from the highest z down (dzNm = −|zStepNm|), Picasso's order, and is padded
 * laterally to `splineSidePx` samples by repeating each plane's border (the windows of spots at
 * a frame's edge reach beyond the measured box).
 *
 * Leave-one-bead-out: for each kept bead a PSF is built the same way from the others, and the
 * bead's depth in each frame is fitted through it ({@link fitBeadSplines}: the spline fit of
 * x, y, z, N, b that localize runs, x, y started at its registered position); the error is that depth less
 * the stage's (with the bead's registered z offset). The usable range: the run of 100-nm bins
 * about the focus where the error's RMS over the beads is below 30 nm.
 *
 * @param stacks - the bead stacks (one or more, same z steps)
 * @param options - the stage's z, pixel size, box, smoothing
 * @returns the spline, the averaged PSF, every bead, the leave-one-out errors
 * @throws InputFileError naming the stack when no bead is found, every bead is saturated or left
 *   out, or too few planes remain
 */
export function calibratePsf(stacks: readonly PsfBeadStack[], options: PsfCalibrationOptions): PsfCalibrationResult {
  const D = PSF_CALIBRATION_DEFAULTS;
  const P = options.boxPx ?? D.boxPx;
  const smoothZNm = options.smoothZNm ?? D.smoothZNm;
  const smoothZDegree = options.smoothZDegree ?? D.smoothZDegree;
  const lateral = options.lateralResampling ?? D.lateralResampling;
  const { zStartNm, zStepNm, pixelSizeNm } = options;
  const names = stacks.map((s) => s.name).join(', ');
  if (stacks.length === 0) throw new InputFileError('calibrate-psf needs at least one bead stack');
  const W = stacks[0].windows.box;
  const frames = stacks[0].windows.frames;
  for (const s of stacks) {
    if (s.windows.box !== W) throw new InputFileError(`${s.name}: its windows are ${s.windows.box} px, the first stack's ${W} px`);
    if (s.windows.frames !== frames) throw new InputFileError(`${s.name}: ${s.windows.frames} frames where ${stacks[0].name} has ${frames}: the stacks must share their z steps (--z-start, --z-step)`);
  }
  if (P > W) throw new InputFileError(`the spline box (${P} px) is larger than the bead windows (${W} px)`);
  if (frames < 8) throw new InputFileError(`${names}: ${frames} frames; a PSF needs a z-stack of at least 8 frames`);
  const margin = (W - P) >> 1;
  const C = (W - 1) / 2;
  const area = W * W;
  const voxels = frames * area;

  // 1. Beads: background, brightness, saturation.
  const beads: Bead[] = [];
  stacks.forEach((s, si) => {
    s.windows.positions.forEach((_, bi) => {
      const offset = bi * voxels;
      const raw = s.windows.windows;
      let saturated = false;
      const border: number[] = [];
      for (let k = 0; k < frames; k++) {
        for (let r = 0; r < W; r++) {
          for (let c = 0; c < W; c++) {
            const v = raw[offset + k * area + r * W + c];
            if (v >= s.saturationPhotons) saturated = true;
            if (r === 0 || c === 0 || r === W - 1 || c === W - 1) border.push(v);
          }
        }
      }
      border.sort((a, b) => a - b);
      const background = border[border.length >> 1];
      const volume = new Float64Array(voxels);
      for (let i = 0; i < voxels; i++) volume[i] = raw[offset + i] - background;
      let photons = 0;
      for (let k = 0; k < frames; k++) {
        let sum = 0;
        for (let r = margin; r < margin + P; r++) for (let c = margin; c < margin + P; c++) sum += volume[k * area + r * W + c];
        photons = Math.max(photons, sum);
      }
      beads.push({ stack: si, index: bi, volume, raw, offset, photons, background, shift: [0, 0, 0], aligned: new Float64Array(voxels), reason: saturated ? 'saturated' : undefined });
    });
  });
  if (beads.length === 0) throw new InputFileError(`${names}: no beads found (bright isolated spots in the mean image, a window of ${W} px apart and from the border; the window is the spline's box and ${2 * ((W - P) >> 1)} px: a smaller box, --box, fits more beads)`);
  if (beads.every((b) => b.reason === 'saturated')) throw new InputFileError(`${names}: all ${beads.length} beads are saturated (a pixel at the camera's saturation level): lower the exposure or the laser power, or pass --saturation ADU if the level is higher`);
  const unsaturated = beads.filter((b) => !b.reason).map((b) => b.photons).sort((a, b) => a - b);
  const medianPhotons = unsaturated[unsaturated.length >> 1];
  for (const b of beads) {
    if (b.reason) continue;
    if (!(b.photons > 0)) b.reason = 'no signal above the background';
    else if (b.photons < medianPhotons / D.brightnessRange) b.reason = `dim: ${b.photons.toFixed(0)} photons, under 1/${D.brightnessRange} of the median ${medianPhotons.toFixed(0)}`;
    else if (b.photons > medianPhotons * D.brightnessRange) b.reason = `bright: ${b.photons.toFixed(0)} photons, over ${D.brightnessRange} × the median ${medianPhotons.toFixed(0)} (two beads?)`;
  }
  for (const b of beads) for (let i = 0; i < voxels; i++) b.volume[i] /= b.photons > 0 ? b.photons : 1;
  const candidates = () => beads.filter((b) => !b.reason);
  if (candidates().length === 0) throw new InputFileError(`${names}: every bead was left out (${summarise(beads)})`);

  // 2. Registration.
  const scratch = shiftVolumeScratch(frames, W, W);
  const reference = new Float64Array(voxels);
  const limitZ = Math.max(1, Math.ceil(D.maxShiftZNm / Math.abs(zStepNm)) + 1);
  const average = (set: Bead[], into: Float64Array) => {
    into.fill(0);
    for (const b of set) for (let i = 0; i < voxels; i++) into[i] += b.aligned[i] / set.length;
  };
  for (const b of candidates()) b.aligned.set(b.volume);
  average(candidates(), reference);
  for (let pass = 0; pass < D.iterations; pass++) {
    const lz = pass === 0 ? Math.min(limitZ, Math.floor((frames - 6) / 2)) : 2;
    const lxy = pass === 0 ? Math.min(D.maxShiftXYPx + 1, margin - 1) : 1;
    for (const b of candidates()) {
      const { shift } = estimateVolumeShift(reference, b.aligned, frames, W, W, lz, lxy);
      b.shift = [b.shift[0] + shift[0], b.shift[1] + shift[1], b.shift[2] + shift[2]];
    }
    // The beads' median offset is the reference frame's: their average stays where they are.
    const set = candidates();
    for (let axis = 0; axis < 3; axis++) {
      const median = set.map((b) => b.shift[axis]).sort((a, b) => a - b)[set.length >> 1];
      for (const b of set) b.shift[axis] -= median;
    }
    for (const b of set) shiftVolume(b.volume, frames, W, W, b.shift[0], b.shift[1], b.shift[2], b.aligned, scratch, lateral);
    average(set, reference);
  }
  for (const b of candidates()) {
    if (Math.abs(b.shift[0] * zStepNm) > D.maxShiftZNm) b.reason = `z offset ${(b.shift[0] * zStepNm).toFixed(0)} nm from the others (over ${D.maxShiftZNm} nm)`;
    else if (Math.hypot(b.shift[1], b.shift[2]) > D.maxShiftXYPx) b.reason = `lateral offset ${Math.hypot(b.shift[1], b.shift[2]).toFixed(1)} px from its window's centre (over ${D.maxShiftXYPx} px)`;
  }
  if (candidates().length === 0) throw new InputFileError(`${names}: every bead was left out (${summarise(beads)})`);

  // 3. Crop in z to the planes every bead covers, then the shape outliers.
  const { cropZ, planes } = commonPlanes(candidates().map((b) => b.shift[0]), frames, D.endShiftPlanes);
  if (planes < 5) throw new InputFileError(`${names}: only ${planes} planes are common to the beads after registration; a longer z-stack is needed`);
  shapeOutliers(candidates(), cropZ, planes, margin, P, W, D.shapeOutlierMad);
  const kept = candidates();
  if (kept.length === 0) throw new InputFileError(`${names}: every bead was left out (${summarise(beads)})`);

  // 4. Lateral centre: the in-focus plane's centroid goes to the window's centre.
  for (let pass = 0; pass < 2; pass++) {
    const model = psfVolume(kept, cropZ, planes, margin, P, W, smoothZNm / Math.abs(zStepNm), smoothZDegree);
    const focus = focusPlane(model.psf, planes, P);
    const [cx, cy] = centroid(model.psf, Math.round(focus), planes, P);
    const dx = cx - (P - 1) / 2;
    const dy = cy - (P - 1) / 2;
    for (const b of kept) {
      b.shift[1] += dy;
      b.shift[2] += dx;
      shiftVolume(b.volume, frames, W, W, b.shift[0], b.shift[1], b.shift[2], b.aligned, scratch, lateral);
    }
  }
  const model = psfVolume(kept, cropZ, planes, margin, P, W, smoothZNm / Math.abs(zStepNm), smoothZDegree);
  const focus = focusPlane(model.psf, planes, P);
  const focusStageZNm = zStartNm + (cropZ + focus) * zStepNm;
  const stageZ = (k: number) => zStartNm + (cropZ + k) * zStepNm;
  const stageInside = Math.min(stageZ(0), stageZ(planes - 1)) < 0 && Math.max(stageZ(0), stageZ(planes - 1)) > 0;
  const messages: string[] = [];
  let zOrigin = options.zOrigin ?? D.zOrigin;
  if (zOrigin === 'stage' && !stageInside) {
    messages.push(`the stage's z = 0 is outside the PSF's planes (${stageZ(0).toFixed(0)} to ${stageZ(planes - 1).toFixed(0)} nm): z = 0 is the focus instead`);
    zOrigin = 'focus';
  }
  const originStageZNm = zOrigin === 'stage' ? 0 : focusStageZNm;
  const planeZNm = Array.from({ length: planes }, (_, k) => stageZ(k) - originStageZNm);
  const toSpline = (psf: Float64Array, side: number) => splineOf(psf, planes, P, planeZNm, zStepNm, side);
  const spline = toSpline(model.psf, options.splineSidePx ?? D.splineSidePx);

  // 5. Leave one bead out.
  const leaveOneOut: { zNm: number; errorNm: number; bead: number }[] = [];
  const depth = new Float64Array(frames);
  const spotPhotons = options.spotPhotons ?? D.spotPhotons;
  const spotBackground = options.spotBackgroundPhotons ?? D.spotBackgroundPhotons;
  const fitsPerPlane = options.spotFitsPerPlane ?? D.spotFitsPerPlane;
  const draws = fitsPerPlane > 0 ? Math.ceil(fitsPerPlane / kept.length) : 0;
  /** The left-out beads thinned to a spot: each fit's depth, error and √CRLB, nm. */
  const spotErrors: FitError[] = [];
  /** The same at the beads' brightness. */
  const beadErrors: FitError[] = [];
  const thinned = new Float64Array(draws > 0 ? voxels : 0);
  const crlbZ = new Float64Array(frames);
  const lateralFits = new Float64Array(4 * frames);
  const looOf = new Map<Bead, { zNm: number; errorNm: number }[]>();
  // One bead: no leave-one-out, but its frames thinned to a spot's and fitted through its own
  // PSF show roughly how a spot's fit spreads over its CRLB (the bead's noise is in the PSF).
  const alone = kept.length < 2;
  if (!alone || draws > 0) {
    for (const b of kept) {
      const others = alone ? kept : kept.filter((o) => o !== b);
      // Unpadded: the bead's windows are centred on it (within a pixel), inside the measured box.
      const volume = psfVolume(others, cropZ, planes, margin, P, W, smoothZNm / Math.abs(zStepNm), smoothZDegree).psf;
      const spline = toSpline(volume, P);
      // The thinned spots in localize's own window for this file (the measured box, at most
      // MAX_BOX_PX), through the spline padded as the file's is, where that window is wider
      // than the one above (boxes under 17 px: a 13 px window of a 15 px spline spread
      // defocused fits more than localize's 15 px do).
      const spotBox = Math.min(P, MAX_BOX_PX);
      const spotSpline = spotBox > Math.min(P - 2, MAX_BOX_PX) ? toSpline(volume, options.splineSidePx ?? D.splineSidePx) : spline;
      // Fitted as localize fits a spot through this spline: in its default window (the widest,
      // MAX_BOX_PX), and at least one pixel inside the spline's samples (a pixel on or beyond its
      // last sample reads 0: a defocused PSF's light there made every depth beyond ±300 nm read
      // up to 50 nm short on the pupil-function beads).
      const windows = { pixels: b.raw, offset: b.offset, frames, window: W, box: Math.min(P - 2, MAX_BOX_PX), x: C + b.shift[2], y: C + b.shift[1] };
      const points: { zNm: number; errorNm: number }[] = [];
      const [lo, hi] = [Math.min(planeZNm[0], planeZNm[planes - 1]), Math.max(planeZNm[0], planeZNm[planes - 1])];
      const expectedAt = (k: number) => zStartNm + (k - b.shift[0]) * zStepNm - originStageZNm;
      const inside = (z: number) => z > lo + Math.abs(zStepNm) / 2 && z < hi - Math.abs(zStepNm) / 2;
      if (!alone) fitBeadSplines(spline, windows, depth, crlbZ);
      for (let k = 0; k < frames && !alone; k++) {
        const expected = expectedAt(k);
        if (!inside(expected) || !Number.isFinite(depth[k])) continue;
        points.push({ zNm: expected, errorNm: depth[k] - expected });
        beadErrors.push({ zNm: expected, errorNm: depth[k] - expected, crlbNm: crlbZ[k] });
      }
      const keep = spotPhotons / b.photons;
      for (let d = 0; d < draws; d++) {
        thinBeadWindows(b.raw, b.offset, voxels, { keep, addBackground: spotBackground - Math.min(1, keep) * b.background }, 7919 * (beads.indexOf(b) + 1) + d, thinned);
        fitBeadSplines(spotSpline, { ...windows, pixels: thinned, offset: 0, box: spotBox }, depth, crlbZ, lateralFits);
        for (let k = 0; k < frames; k++) {
          const expected = expectedAt(k);
          if (inside(expected)) spotErrors.push({ zNm: expected, errorNm: depth[k] - expected, crlbNm: crlbZ[k], lateral: [lateralFits[4 * k], lateralFits[4 * k + 1], lateralFits[4 * k + 2], lateralFits[4 * k + 3]] });
        }
      }
      if (alone) continue;
      looOf.set(b, points);
      const index = beads.indexOf(b);
      for (const p of points) leaveOneOut.push({ ...p, bead: index + 1 });
    }
  }
  if (alone) {
    messages.push(draws > 0
      ? "one bead: no leave-one-out measure of the PSF's z error; localize's uncertainty_z is the CRLB scaled by how the bead's frames, thinned to a spot's photons, spread through its own PSF (rough: its noise is in the PSF, and the PSF's own error is not measured); calibrate from several beads"
      : "one bead: no leave-one-out measure of the z error, so localize's uncertainty_z will be the CRLB alone (too small: 2× on a 160 nm-pixel EMCCD stack); calibrate from several beads");
  }
  if (kept.length < 5) messages.push(`${kept.length} beads kept: few for a PSF (their noise stays in it); 9 or more are better`);

  // 6. The usable range: 100-nm bins about the focus with the error's RMS below the limit.
  let usableRangeNm: [number, number] | undefined;
  let zErrorRmsNm: number | undefined;
  let zErrorByDepth: ZModelErrorTable | undefined;
  let beadZErrorByDepth: { zNm: number[]; errorNm: number[] } | undefined;
  const focusZNm = focusStageZNm - originStageZNm;
  const bin = (z: number) => Math.floor((z - focusZNm) / D.binNm + 0.5);
  const spotLimits = { outlierNm: D.spotOutlierNm, minFits: D.minBinFrames };
  if (leaveOneOut.length === 0 && spotErrors.length > 0) {
    // One bead: the spread of its thinned frames alone (model error unknown, taken as 0).
    const sums = new Map<number, { n: number; z: number }>();
    for (const p of spotErrors) {
      const e = sums.get(bin(p.zNm)) ?? { n: 0, z: 0 };
      e.n++;
      e.z += p.zNm;
      sums.set(bin(p.zNm), e);
    }
    const bins = [...sums.entries()].filter(([, e]) => e.n >= D.minBinFrames).sort((a, b) => a[1].z / a[1].n - b[1].z / b[1].n);
    if (bins.length > 0) zErrorByDepth = spotErrorTable(bins.map(([k]) => k), bins.map(([, e]) => e.z / e.n), bin, [], spotErrors, spotLimits);
  }
  if (leaveOneOut.length > 0) {
    const sums = new Map<number, { s: number; n: number; z: number }>();
    for (const p of leaveOneOut) {
      const e = sums.get(bin(p.zNm)) ?? { s: 0, n: 0, z: 0 };
      e.s += p.errorNm ** 2;
      e.n++;
      e.z += p.zNm;
      sums.set(bin(p.zNm), e);
    }
    const bins = [...sums.entries()].filter(([, e]) => e.n >= D.minBinFrames).sort((a, b) => a[1].z / a[1].n - b[1].z / b[1].n);
    // No bin with enough frames (coarse z steps, few beads): no table; localize adds the one RMS.
    if (bins.length > 0) {
      const zNm = bins.map(([, e]) => e.z / e.n);
      beadZErrorByDepth = { zNm, errorNm: bins.map(([, e]) => Math.sqrt(e.s / e.n)) };
      zErrorByDepth = draws > 0 ? spotErrorTable(bins.map(([k]) => k), zNm, bin, beadErrors, spotErrors, spotLimits) : beadZErrorByDepth;
    }
    const good = (k: number) => {
      const e = sums.get(k);
      return e !== undefined && Math.sqrt(e.s / e.n) <= D.usableErrorNm;
    };
    if (good(0)) {
      let a = 0, b = 0;
      while (good(a - 1)) a--;
      while (good(b + 1)) b++;
      const lo = Math.max(focusZNm + (a - 0.5) * D.binNm, Math.min(...leaveOneOut.map((p) => p.zNm)));
      const hi = Math.min(focusZNm + (b + 0.5) * D.binNm, Math.max(...leaveOneOut.map((p) => p.zNm)));
      usableRangeNm = [lo, hi];
      const inside = leaveOneOut.filter((p) => p.zNm >= lo && p.zNm <= hi);
      zErrorRmsNm = Math.sqrt(inside.reduce((s, p) => s + p.errorNm ** 2, 0) / inside.length);
    } else {
      messages.push(`the leave-one-out z error at the focus is over ${D.usableErrorNm} nm RMS: the beads do not agree on one PSF`);
    }
  }

  const reports: PsfBeadReport[] = beads.map((b) => {
    const s = stacks[b.stack];
    const [column, row] = s.windows.positions[b.index];
    const registered = b.reason === undefined || !b.reason.startsWith('saturated');
    const points = looOf.get(b);
    const rms = (list: { errorNm: number }[]) => (list.length ? Math.sqrt(list.reduce((t, p) => t + p.errorNm ** 2, 0) / list.length) : Number.NaN);
    const usable = points && usableRangeNm ? points.filter((p) => p.zNm >= usableRangeNm[0] && p.zNm <= usableRangeNm[1]) : [];
    return {
      stack: s.name,
      xNm: (column + b.shift[2] + 0.5) * pixelSizeNm,
      yNm: (row + b.shift[1] + 0.5) * pixelSizeNm,
      photons: b.photons,
      backgroundPhotons: b.background,
      ...(registered ? { shiftNm: { x: b.shift[2] * pixelSizeNm, y: b.shift[1] * pixelSizeNm, z: b.shift[0] * zStepNm } } : {}),
      ...(b.shape !== undefined ? { shapeResidual: b.shape } : {}),
      kept: b.reason === undefined,
      ...(b.reason ? { reason: b.reason } : {}),
      ...(points ? { leaveOneOut: { rmsNm: rms(points), meanNm: points.reduce((t, p) => t + p.errorNm, 0) / Math.max(1, points.length), frames: points.length, usableRmsNm: rms(usable), usableFrames: usable.length } } : {}),
    };
  });
  const leftOut: Record<string, number> = {};
  for (const b of beads) if (b.reason) leftOut[b.reason.split(':')[0].split(' ')[0]] = (leftOut[b.reason.split(':')[0].split(' ')[0]] ?? 0) + 1;
  const overlapping = stacks.reduce((t, s) => t + (s.overlapping ?? 0), 0);
  if (overlapping > 0) leftOut.overlapping = overlapping;
  const nearEdge = stacks.reduce((t, s) => t + (s.nearEdge ?? 0), 0);
  if (nearEdge > 0) leftOut['near the edge'] = nearEdge;
  return { spline, psf: model.psf, box: P, planes, planeZNm, focusStageZNm, originStageZNm, zOrigin, beads: reports, leaveOneOut, usableRangeNm, zErrorRmsNm, zErrorByDepth, beadZErrorByDepth, smoothZNm, leftOut, messages };
}

/**
 * The planes every bead covers after registration: a bead resampled at `out(k) = src(k + shift)`
 * reads beyond its first plane for k < −shift and beyond its last for k > frames − 1 − shift
 * (where {@link shiftVolume} repeats the end sample), so the low end loses ⌈max(−shift)⌉ planes
 * and the high end ⌈max(shift)⌉, a shift of at most `tolerance` planes counting as none (the end
 * plane is then off by that fraction of a plane's change, and the beads' shifts average out).
 * @param shifts - the beads' z shifts, planes
 * @param frames - planes in the stack
 * @param tolerance - planes of shift that need no crop
 * @returns the first plane kept and the count
 */
function commonPlanes(shifts: readonly number[], frames: number, tolerance: number): { cropZ: number; planes: number } {
  const need = (s: number) => (s > tolerance ? Math.ceil(s - tolerance) : 0);
  const low = need(Math.max(0, ...shifts.map((s) => -s)));
  const high = need(Math.max(0, ...shifts));
  return { cropZ: low, planes: frames - low - high };
}

/** "3 saturated, 1 dim": the beads left out, by the first word of their reason. */
function summarise(beads: readonly Bead[]): string {
  const counts = new Map<string, number>();
  for (const b of beads) if (b.reason) counts.set(b.reason.split(':')[0], (counts.get(b.reason.split(':')[0]) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

/**
 * Mark the beads whose shape differs from the others' average by more than median + k·MAD of
 * the beads' differences (RMS of the difference over the box and common planes, relative to the
 * average's RMS). Needs 4 beads.
 */
function shapeOutliers(set: Bead[], cropZ: number, planes: number, margin: number, P: number, W: number, k: number): void {
  const area = W * W;
  const sum = new Float64Array(planes * P * P);
  const at = (b: Bead, z: number, r: number, c: number) => b.aligned[(cropZ + z) * area + (margin + r) * W + margin + c];
  for (const b of set) for (let z = 0; z < planes; z++) for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) sum[(z * P + r) * P + c] += at(b, z, r, c);
  for (const b of set) {
    if (set.length < 2) break;
    let diff = 0, energy = 0;
    for (let z = 0; z < planes; z++) {
      for (let r = 0; r < P; r++) {
        for (let c = 0; c < P; c++) {
          const v = at(b, z, r, c);
          const others = (sum[(z * P + r) * P + c] - v) / (set.length - 1);
          diff += (v - others) ** 2;
          energy += others ** 2;
        }
      }
    }
    b.shape = Math.sqrt(diff / Math.max(energy, 1e-300));
  }
  if (set.length < 4) return;
  const values = set.map((b) => b.shape ?? 0).sort((a, b) => a - b);
  const median = values[values.length >> 1];
  const mad = values.map((v) => Math.abs(v - median)).sort((a, b) => a - b)[values.length >> 1] * 1.4826;
  for (const b of set) if ((b.shape ?? 0) > median + k * Math.max(mad, 0.05 * median)) b.reason = `shape: differs from the others' average by ${((b.shape ?? 0) * 100).toFixed(0)} % RMS (beads' median ${(median * 100).toFixed(0)} %)`;
}

/**
 * The PSF of a set of registered beads: their mean over the box and the common planes, smoothed
 * along z (Gaussian, σ in planes, the kernel renormalised at the ends), normalised
 * so that the brightest plane sums to 1.
 */
function psfVolume(set: readonly Bead[], cropZ: number, planes: number, margin: number, P: number, W: number, sigmaPlanes: number, degree: 0 | 2): { psf: Float64Array } {
  const area = W * W;
  const mean = new Float64Array(planes * P * P);
  for (const b of set) {
    for (let z = 0; z < planes; z++) for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) mean[(z * P + r) * P + c] += b.aligned[(cropZ + z) * area + (margin + r) * W + margin + c] / set.length;
  }
  let psf = mean;
  if (sigmaPlanes > 0) {
    psf = new Float64Array(mean.length);
    smoothAlongZ(mean, planes, P * P, sigmaPlanes, degree, psf);
  }
  let top = 0;
  for (let z = 0; z < planes; z++) {
    let s = 0;
    for (let p = 0; p < P * P; p++) s += psf[z * P * P + p];
    top = Math.max(top, s);
  }
  if (top > 0) for (let i = 0; i < psf.length; i++) psf[i] /= top;
  return { psf };
}

/** The plane of the highest pixel, refined by a parabola through it and its neighbours (planes). */
function focusPlane(psf: Float64Array, planes: number, P: number): number {
  const peaks = new Float64Array(planes);
  for (let z = 0; z < planes; z++) for (let p = 0; p < P * P; p++) peaks[z] = Math.max(peaks[z], psf[z * P * P + p]);
  let k = 0;
  for (let z = 1; z < planes; z++) if (peaks[z] > peaks[k]) k = z;
  if (k === 0 || k === planes - 1) return k;
  const curvature = peaks[k - 1] - 2 * peaks[k] + peaks[k + 1];
  return curvature < 0 ? k + Math.max(-0.5, Math.min(0.5, (peaks[k - 1] - peaks[k + 1]) / (2 * curvature))) : k;
}

/** The intensity centroid of plane `plane` (and its two neighbours), px: column, row. */
function centroid(psf: Float64Array, plane: number, planes: number, P: number): [number, number] {
  let s = 0, sx = 0, sy = 0;
  for (let z = Math.max(0, plane - 1); z <= Math.min(planes - 1, plane + 1); z++) {
    for (let r = 0; r < P; r++) {
      for (let c = 0; c < P; c++) {
        const v = psf[(z * P + r) * P + c];
        s += v;
        sx += v * c;
        sy += v * r;
      }
    }
  }
  return s > 0 ? [sx / s, sy / s] : [(P - 1) / 2, (P - 1) / 2];
}

/**
 * The spline of a PSF volume (planes in stage order), stored from the highest z down, its sides
 * padded to `side` samples by repeating each plane's border samples outwards
 * ({@link PSF_CALIBRATION_DEFAULTS}.splineSidePx: the beads tell nothing beyond their box, and
 * the spline read 0 there, where a window shifted to the frame's edge holds the spot's tails).
 */
function splineOf(psf: Float64Array, planes: number, P: number, planeZNm: readonly number[], zStepNm: number, side: number): SplinePsf {
  const rising = zStepNm > 0;
  // Padded evenly on both sides (the centre stays at (S − 1)/2): S has P's parity.
  const S = Math.max(side + ((side - P) & 1), P);
  const m = (S - P) >> 1;
  const clamp = (i: number) => Math.min(P - 1, Math.max(0, i - m));
  const volume = new Float64Array(planes * S * S);
  for (let z = 0; z < planes; z++) {
    const from = (rising ? planes - 1 - z : z) * P * P;
    for (let r = 0; r < S; r++) for (let c = 0; c < S; c++) volume[(z * S + r) * S + c] = psf[from + clamp(r) * P + clamp(c)];
  }
  return buildSpline(volume, S, S, planes, -Math.abs(zStepNm), { zStartNm: rising ? planeZNm[planes - 1] : planeZNm[0] });
}
