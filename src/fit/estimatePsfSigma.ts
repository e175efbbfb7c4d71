import { createFitResults } from './FitResults.js';
import { fitPatches } from './fitPatches.js';
import { resolveFitOptions } from './FitOptions.js';
import { FitStatus } from './FitStatus.js';

/**
 * The rules of {@link estimatePsfSigma}, stated once.
 * - `maxRelativeUncertainty`: a spot counts when its σ̂ is known to this fraction (√CRLB(σ)/σ̂):
 *   bright spots only. Dim spots bias the median (the MLE of σ is biased at low photon counts, and
 *   a neighbour under the noise widens them unseen). At b = 20 photons/px and σ = 1.3 px, 0.06
 *   takes spots of about 1 200 photons and more.
 * - `maxCentreOffsetPx`: the fitted centre lies within this of the patch centre (the candidate
 *   the patch was cut around), so the fit is of that spot and not of a neighbour.
 * - `chiSquareSigmas`: a fit whose Pearson χ² exceeds its degrees of freedom by more than this
 *   many standard deviations √(2·dof), or the spots' median χ² by as much, holds more than one
 *   spot (or a hot pixel) and is left out.
 * - `minSpots`: fewer usable spots give no estimate (the median of fewer is too noisy to trust).
 * - `skewStandardErrors`: when the median σ̂ exceeds the mode of σ̂ (the median of the shortest
 *   half) by more than this many standard errors of the median, the σ̂ are skewed wide (blends
 *   with undetected neighbours on crowded frames) and the mode is returned instead. Two standard
 *   errors: an unskewed sample switches rarely, and then to a value as close to the truth.
 */
export const PSF_SIGMA_ESTIMATE = {
  maxRelativeUncertainty: 0.06,
  maxCentreOffsetPx: 1,
  chiSquareSigmas: 4,
  minSpots: 8,
  skewStandardErrors: 2,
} as const;

/** σ of the PSF measured from spots (see {@link estimatePsfSigma}). */
export interface PsfSigmaEstimate {
  /**
   * σ of the spots used, px (of the pixel-integrated Gaussian the fit models): their median σ̂,
   * or the mode of σ̂ when the median is skewed wide (crowded frames, see {@link PSF_SIGMA_ESTIMATE}).
   */
  readonly sigmaPx: number;
  /** The spread of σ̂ over those spots, px (1.4826 · median absolute deviation). */
  readonly sigmaSdPx: number;
  /** The standard error of the median, px (1.2533 · spread / √spots). */
  readonly sigmaSePx: number;
  /** Spots whose σ̂ was used. */
  readonly spots: number;
  /** Patches fitted. */
  readonly fitted: number;
}

/**
 * Estimate the PSF width from spots: fit each patch with a free σ (Poisson MLE of x, y, N, b, σ
 * of the pixel-integrated Gaussian, the fit's own model, docs/design.md §3), keep the fits that
 * converged to a spot at the patch centre, bright enough that σ̂ is known within
 * {@link PSF_SIGMA_ESTIMATE}.maxRelativeUncertainty, with σ̂ inside the allowed range and a χ² of
 * one spot, and return the median σ̂ (the mode when σ̂ is skewed wide) and its spread. The caller chooses the patches (isolated
 * candidates: no other candidate in the window); the χ² test drops the overlaps it missed.
 *
 * @param patches - box×box patches back to back, photons (with the camera's shift in `shift`)
 * @param count - patches to use
 * @param box - patch width, px (odd; wide enough for the widest σ looked for: 2⌈2σ⌉ + 1)
 * @param options - `startSigmaPx`: σ to start each fit from, px; `noiseScale`: F²/QE of the
 *   camera @default 1; `shift`: the camera's shift of each patch pixel, photons @default none
 * @returns the estimate, or undefined with fewer than {@link PSF_SIGMA_ESTIMATE}.minSpots usable spots
 */
export function estimatePsfSigma(
  patches: Float64Array,
  count: number,
  box: number,
  options: { startSigmaPx: number; noiseScale?: number; shift?: Float64Array },
): PsfSigmaEstimate | undefined {
  if (count === 0) return undefined;
  // The JavaScript reference whatever the run's engine: the σ, and so every fit of the run,
  // does not depend on --fit-engine (a few hundred fits: milliseconds).
  const fitOptions = resolveFitOptions({ box, sigmaPx: options.startSigmaPx, fitSigma: true, noiseScale: options.noiseScale, engine: 'js' });
  const out = fitPatches(patches, fitOptions, { count, shift: options.shift, out: createFitResults(count) });
  const { sigmaMinPx, sigmaMaxPx } = fitOptions;
  const centre = box / 2;
  const rules = PSF_SIGMA_ESTIMATE;
  const scale = fitOptions.noiseScale;
  const dof = box * box - 5;
  // First pass: converged single spots at the centre, σ̂ inside its range (not at a bound).
  const candidates: number[] = [];
  for (let p = 0; p < count; p++) {
    const s = out.sigma[p];
    if (out.status[p] !== FitStatus.converged) continue;
    if (!(s > sigmaMinPx * 1.01 && s < sigmaMaxPx * 0.99)) continue;
    if (Math.abs(out.x[p] - centre) > rules.maxCentreOffsetPx || Math.abs(out.y[p] - centre) > rules.maxCentreOffsetPx) continue;
    if (!(out.uncertaintySigma[p] / s <= rules.maxRelativeUncertainty)) continue;
    candidates.push(p);
  }
  if (candidates.length < rules.minSpots) return undefined;
  // χ² per spot in units of the camera's noise; the limit is the larger of the χ² distribution's
  // and the spots' own (a real PSF is not exactly Gaussian: bright spots all exceed dof a little).
  const chi = candidates.map((p) => out.chiSquare[p] / scale);
  const limit = rules.chiSquareSigmas * Math.sqrt(2 * dof) + Math.max(dof, median(chi));
  const sigmas = candidates.filter((_, k) => chi[k] <= limit).map((p) => out.sigma[p]);
  if (sigmas.length < rules.minSpots) return undefined;
  const middle = median(sigmas);
  const sigmaSdPx = 1.4826 * median(sigmas.map((s) => Math.abs(s - middle)));
  const sigmaSePx = (1.2533 * sigmaSdPx) / Math.sqrt(sigmas.length);
  // Crowded frames: spots blended with an undetected neighbour pass as single wide spots and
  // skew σ̂ to the wide side only; the median follows them (+5 % at 3 emitters/µm², σ 130 nm,
  // +15 % at σ 160 nm) while the mode of the single spots stays. When the median lies above the
  // mode by more than its own standard errors, the mode is the estimate.
  const mode = shortestHalfMedian(sigmas);
  const sigmaPx = middle - mode > rules.skewStandardErrors * sigmaSePx ? mode : middle;
  return { sigmaPx, sigmaSdPx, sigmaSePx, spots: sigmas.length, fitted: count };
}

/**
 * The mode of a sample as the median of its shortest half (the densest ⌊n/2⌋ + 1 values in
 * sorted order; Rousseeuw & Leroy's shorth): unmoved by a tail on one side.
 */
function shortestHalfMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length >> 1) + 1;
  let start = 0;
  for (let i = 1; i + h - 1 < sorted.length; i++) {
    if (sorted[i + h - 1] - sorted[i] < sorted[start + h - 1] - sorted[start]) start = i;
  }
  return median(sorted.slice(start, start + h));
}

/** The median of a list (not modified). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
