import { FitStatus } from '../src/fit/FitStatus.js';
import type { LocalizeStats } from '../src/pipeline/LocalizeStats.js';
import type { LocalizationBatch } from '../src/table/LocalizationBatch.js';
import { LogHistogram } from '../src/table/LogHistogram.js';
import type { RunMedians } from './LocalizeStackRun.js';

/**
 * What a run watches in its batches as they are written: the medians of the converged
 * localizations (what a microscopist checks first), and, once each, the warnings of saturated
 * and non-finite pixels, from the frame where they first occur.
 */
export class RunTally {
  private readonly uncertainty = new LogHistogram();
  private readonly photons = new LogHistogram();
  private readonly background = new LogHistogram();
  private warnedSaturated = false;
  private warnedNonFinite = false;

  /**
   * @param input - the stack's file, named in the warnings
   * @param saturationAdu - the camera's saturation level, ADU
   * @param warn - told the warnings
   */
  constructor(
    private readonly input: string,
    private readonly saturationAdu: number,
    private readonly warn: (message: string) => void,
  ) {}

  /** Take one frame's batch, the run's counters as they stand after it. */
  add(batch: LocalizationBatch, stats: LocalizeStats): void {
    for (let i = 0; i < batch.count; i++) {
      if (batch.status[i] !== FitStatus.converged) continue;
      this.uncertainty.add(batch.uncertainty[i]);
      this.photons.add(batch.intensity[i]);
      this.background.add(batch.offset[i]);
    }
    if (stats.saturated > 0 && !this.warnedSaturated) {
      this.warnedSaturated = true;
      this.warn(`${this.input}: spots with saturated pixels (at or above ${this.saturationAdu} ADU) from frame ${batch.frame} on: their fits are left out of the CSV (status ${FitStatus.saturated}; --all-fits keeps them); lower the exposure or the EM gain, or set --saturation`);
    }
    if (stats.nonFinitePixels > 0 && !this.warnedNonFinite) {
      this.warnedNonFinite = true;
      this.warn(`${this.input}: NaN or infinite pixels from frame ${batch.frame} on: spots touching them are not fitted (status ${FitStatus.badData}); the summary counts them`);
    }
  }

  /** The medians so far (NaN when no localization converged). */
  medians(): RunMedians {
    return { uncertaintyNm: this.uncertainty.quantile(0.5), photons: this.photons.quantile(0.5), backgroundPhotons: this.background.quantile(0.5) };
  }
}
