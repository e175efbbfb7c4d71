import type { DuplicateFits } from '../fit/DuplicateFits.js';
/** Counters and stage timings of a run (what the summary and the sidecar report). */
export interface LocalizeStats {
  frames: number;
  candidates: number;
  /** Fits that converged. */
  converged: number;
  /** Fits of patches holding a saturated pixel (status `saturated`). */
  saturated: number;
  /** Converged fits of an emitter another fit of the frame found too (status `duplicate`, {@link DuplicateFits}). */
  duplicates: number;
  /** Pixels that were NaN or infinite (float stacks), and the frames that held any. */
  nonFinitePixels: number;
  framesWithNonFinite: number;
  /** All fits (every status). */
  fits: number;
  /** Fits started from the previous frame's localization. */
  warmStarts: number;
  /** Iterations of warm-started and of cold-started converged fits. */
  iterationsWarm: number;
  iterationsCold: number;
  convergedWarm: number;
  convergedCold: number;
  /** Histogram of iterations of converged fits (index = iterations, last bin = more). */
  iterationHistogram: number[];
  /** Candidates whose single fit was ambiguous, tried with more emitters. */
  multiEmitterTried: number;
  /** Fits by the number of emitters of their model (index = emitters; index 1: single fits). */
  emitterFits: number[];
  /** Milliseconds spent per stage. */
  ms: { camera: number; detect: number; fit: number };
  /** The engines that ran ('wasm' or 'js'; '' before the first frame). */
  engines: { fit: string; detect: string };
}


/** Zeroed counters. */
export function createLocalizeStats(): LocalizeStats {
  return {
    frames: 0,
    candidates: 0,
    converged: 0,
    saturated: 0,
    duplicates: 0,
    nonFinitePixels: 0,
    framesWithNonFinite: 0,
    fits: 0,
    warmStarts: 0,
    iterationsWarm: 0,
    iterationsCold: 0,
    convergedWarm: 0,
    convergedCold: 0,
    iterationHistogram: new Array<number>(21).fill(0),
    multiEmitterTried: 0,
    emitterFits: new Array<number>(11).fill(0),
    ms: { camera: 0, detect: 0, fit: 0 },
    engines: { fit: '', detect: '' },
  };
}

/**
 * Add the counters of `from` to `into` (stage times add up across workers: they are CPU time,
 * not wall time).
 */
export function addLocalizeStats(into: LocalizeStats, from: LocalizeStats): void {
  into.frames += from.frames;
  into.candidates += from.candidates;
  into.converged += from.converged;
  into.saturated += from.saturated;
  into.duplicates += from.duplicates;
  into.nonFinitePixels += from.nonFinitePixels;
  into.framesWithNonFinite += from.framesWithNonFinite;
  into.fits += from.fits;
  into.warmStarts += from.warmStarts;
  into.iterationsWarm += from.iterationsWarm;
  into.iterationsCold += from.iterationsCold;
  into.convergedWarm += from.convergedWarm;
  into.convergedCold += from.convergedCold;
  from.iterationHistogram.forEach((v, i) => {
    into.iterationHistogram[i] += v;
  });
  into.multiEmitterTried += from.multiEmitterTried;
  from.emitterFits.forEach((v, i) => {
    into.emitterFits[i] += v;
  });
  into.ms.camera += from.ms.camera;
  into.ms.detect += from.ms.detect;
  into.ms.fit += from.ms.fit;
  into.engines.fit = mergeEngine(into.engines.fit, from.engines.fit);
  into.engines.detect = mergeEngine(into.engines.detect, from.engines.detect);
}

/** 'wasm' and 'wasm' → 'wasm'; 'wasm' and 'js' (frames of two sizes) → 'wasm+js'. */
function mergeEngine(a: string, b: string): string {
  if (a === '' || a === b) return b || a;
  if (b === '') return a;
  return [...new Set([...a.split('+'), ...b.split('+')])].sort().reverse().join('+');
}
