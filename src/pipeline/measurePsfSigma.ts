import type { FrameCamera } from '../camera/CameraModel.js';
import { Candidates } from '../detect/Candidates.js';
import type { ResolvedDetectOptions } from '../detect/DetectOptions.js';
import { SpotDetector } from '../detect/SpotDetector.js';
import type { PsfSigmaEstimate } from '../fit/estimatePsfSigma.js';
import { estimatePsfSigma, PSF_SIGMA_ESTIMATE } from '../fit/estimatePsfSigma.js';
import { BOX_RANGE_PX } from '../fit/FitOptions.js';
import type { Frame } from '../io/Frame.js';
import { defaultBox, extractPatches } from '../patches/extractPatches.js';
import { spectralPsfSigma } from './spectralPsfSigma.js';

/**
 * The widest σ the measurement looks for, as a multiple of the σ it starts from: its windows
 * are the default box of this σ (2⌈2σ⌉ + 1 px), so a PSF up to 1.5× wider than the start still
 * fits in them (100 nm pixels, start 130 nm: 9×9 px windows, σ up to 195 nm).
 */
export const PSF_SIGMA_SEARCH_FACTOR = 1.5;

/**
 * Most isolated spots fitted: the median of 500 has a standard error near 0.2 nm (spread
 * 4 nm at σ 130 nm, 100 nm pixels), and 500 JavaScript fits take about 0.1 s.
 */
export const PSF_SIGMA_MAX_SPOTS = 500;

/** What {@link measurePsfSigma} found: the spots' estimate, σ and its error from `method`. */
export interface MeasuredPsfSigma extends PsfSigmaEstimate {
  /**
   * `spots`: the median of the isolated spots' σ̂ (sigmaSePx its standard error); `spectrum`: the
   * spots' σ̂ spread too wide (blends), σ from the frames' power spectrum (spectralPsfSigma),
   * sigmaSePx the jackknife's over groups of frame pairs; spots and sigmaSdPx stay the spots'.
   */
  method: 'spots' | 'spectrum';
}

/**
 * Measure the PSF σ on frames (the settings step of a run, before its options are resolved):
 * detect candidates in each frame, keep the isolated ones — no other candidate within a window
 * width, the window inside the frame — cut their windows, and fit them with a free σ
 * ({@link estimatePsfSigma}, which keeps the bright single spots and returns the median σ̂),
 * at most {@link PSF_SIGMA_MAX_SPOTS}, from the first frames on.
 *
 * On crowded frames most "isolated" spots are blends with a neighbour no candidate marks (at
 * 4 emitters/µm², 57 of 67 had a second emitter within 300 nm), and their σ̂ is wide: 176 and
 * 193 nm for 130 at 4 and 6 /µm², which cost 17 and 15 points of Jaccard and made most false
 * positives. Blends show as a spread of σ̂ beyond what the fits' precision allows (single spots
 * are admitted with σ̂ known to {@link PSF_SIGMA_ESTIMATE}.maxRelativeUncertainty; measured
 * spreads 2.5–5 % on sparse stacks, 10–30 % on crowded ones): then σ comes from the power
 * spectrum of frame differences ({@link spectralPsfSigma}), which blends do not bias, if it is
 * narrower (blends only widen).
 *
 * @param frames - the first frames of the run (ADU)
 * @param camera - their camera (converts ADU to photons, the shift of the likelihood)
 * @param detect - the detector's options
 * @param startSigmaPx - σ the fits start from, px (the given or default σ)
 * @returns the estimate (px) and the method that gave σ: the spots', or the spectrum's when no
 *   spot is isolated and bright enough to fit; undefined when neither gives one (frames without
 *   spots, frames smaller than a window)
 */
export function measurePsfSigma(frames: readonly Frame[], camera: FrameCamera, detect: ResolvedDetectOptions, startSigmaPx: number): MeasuredPsfSigma | undefined {
  if (frames.length === 0) return undefined;
  const { width, height } = frames[0];
  const box = Math.min(BOX_RANGE_PX[1], defaultBox(PSF_SIGMA_SEARCH_FACTOR * startSigmaPx));
  if (width < box || height < box) return undefined;
  const area = box * box;
  const detector = new SpotDetector(width, height, detect, camera);
  const found = new Candidates();
  const chosen: { frame: Frame; row: number; column: number }[] = [];
  const half = box >> 1;
  for (const frame of frames) {
    if (chosen.length >= PSF_SIGMA_MAX_SPOTS) break;
    if (frame.width !== width || frame.height !== height) continue;
    detector.detect(frame.data, found, camera);
    // Once enough spots are chosen the frame's other candidates are not tested (the test is
    // quadratic in the candidates: 8 400 in a 2048×2048 px frame at 0.2 emitters/µm²).
    for (let i = 0; i < found.count && chosen.length < PSF_SIGMA_MAX_SPOTS; i++) {
      const r = found.row[i];
      const c = found.column[i];
      if (r < half || c < half || r >= height - half || c >= width - half) continue;
      let alone = true;
      for (let j = 0; j < found.count && alone; j++) {
        if (j !== i && (found.row[j] - r) ** 2 + (found.column[j] - c) ** 2 < box * box) alone = false;
      }
      if (alone) chosen.push({ frame, row: r, column: c });
    }
  }
  if (chosen.length === 0) return fromSpectrum(frames, 0);
  const patches = new Float64Array(chosen.length * area);
  const shift = new Float64Array(chosen.length * area);
  const one = new Candidates(1);
  const originColumn = new Int32Array(1);
  const originRow = new Int32Array(1);
  chosen.forEach((spot, p) => {
    one.count = 0;
    one.push(spot.row, spot.column, 0);
    extractPatches(spot.frame.data, width, height, one, box, { patches: patches.subarray(p * area, (p + 1) * area), originColumn, originRow, shift: shift.subarray(p * area, (p + 1) * area) }, camera);
  });
  const estimate = estimatePsfSigma(patches, chosen.length, box, { startSigmaPx, noiseScale: camera.noiseScale, shift });
  if (!estimate) return fromSpectrum(frames, chosen.length);
  const spots = { ...estimate, method: 'spots' as const };
  if (!(spots.sigmaSdPx > PSF_SIGMA_ESTIMATE.maxRelativeUncertainty * spots.sigmaPx)) return spots;
  const spectral = spectralPsfSigma(frames);
  return spectral && spectral.sigmaPx < spots.sigmaPx ? { ...spots, sigmaPx: spectral.sigmaPx, sigmaSePx: spectral.sigmaSePx, method: 'spectrum' } : spots;
}

/**
 * σ from the frames' power spectrum alone, when no spot is isolated and bright enough to fit
 * (a stack so crowded that every spot has a neighbour: Deep-STORM's demo at 6 emitters/µm² gave
 * none, and the run fell back to the 130 nm default for a 110 nm PSF, 8.7 points of Jaccard).
 * No spots were used: `spots` 0, their spread NaN.
 * @param frames - the frames σ is measured on
 * @param fitted - windows that were fitted (none kept)
 */
function fromSpectrum(frames: readonly Frame[], fitted: number): MeasuredPsfSigma | undefined {
  const spectral = spectralPsfSigma(frames);
  return spectral && { sigmaPx: spectral.sigmaPx, sigmaSdPx: Number.NaN, sigmaSePx: spectral.sigmaSePx, spots: 0, fitted, method: 'spectrum' };
}
