import type { CameraMaps } from '../src/camera/CameraModel.js';
import { saturationLevel } from '../src/camera/CameraModel.js';
import type { FrameSourceOptions } from '../src/io/framesFromTiff.js';
import type { StackMetadata } from '../src/io/TiffStack.js';
import type { ResolvedLocalizeOptions } from '../src/pipeline/LocalizeOptions.js';
import { softwareVersion } from '../src/softwareVersion.js';
import { splineCalibrationRecord } from '../src/astig/SplineCalibration.js';
import type { RunSettings } from './estimateRunSettings.js';
import type { LocalizeStackRun, LocalizeStackSummary } from './LocalizeStackRun.js';
import { mergeParameters } from './mergeParameters.js';

/**
 * The JSON sidecar of a run: the software, the input's metadata, where the rows are, the
 * engines, the resolved parameters, whether the run is complete, the counts, the medians and
 * the timing.
 * @param summary - the run's outcome
 * @param metadata - the stack's metadata
 * @param options - the run's resolved options
 * @param run - what was asked for (frame range, merge, all fits)
 * @param output - where the rows are (the CSV, or its `.partial` after a write error)
 * @param startedAt - the run's start, ISO 8601
 * @param error - the error that ended the run early, if any
 */
export function runRecord(
  summary: LocalizeStackSummary,
  metadata: StackMetadata,
  options: ResolvedLocalizeOptions,
  run: LocalizeStackRun,
  output: string,
  startedAt: string,
  error: Error | undefined,
): Record<string, unknown> {
  const { stats } = summary;
  return {
    software: { name: 'smlm-stream', version: softwareVersion() },
    input: metadata,
    output,
    engines: stats.engines,
    cluster: summary.cluster,
    parameters: {
      ...options,
      // A spline calibration without its coefficients (millions of numbers); absent in other runs.
      spline: options.spline && splineCalibrationRecord(options.spline),
      camera: { ...options.camera, saturationAdu: saturationLevel(options.camera, metadata.sampleType), maps: mapsRecord(options.camera.maps), ...cameraSourceRecord(summary.settings) },
      psfSigma: psfSigmaRecord(summary.settings),
      frames: framesRecord(run.frames),
      includeAllFits: run.includeAllFits ?? false,
      workers: summary.workers,
      merge: run.merge ? mergeParameters(run.merge, summary.merged?.output) : undefined,
    },
    complete: error === undefined && summary.complete && output === run.output,
    stopReason: summary.stopReason,
    error: error?.message,
    counts: {
      frames: summary.frames,
      candidates: stats.candidates,
      fits: stats.fits,
      converged: stats.converged,
      saturated: stats.saturated,
      duplicates: stats.duplicates,
      otherFailures: stats.fits - stats.converged - stats.saturated - stats.duplicates,
      nonFinitePixels: stats.nonFinitePixels,
      framesWithNonFinitePixels: stats.framesWithNonFinite,
      localizationsWritten: summary.localizations,
      mergedMolecules: summary.merged?.molecules,
      warmStarts: stats.warmStarts,
      iterationHistogram: stats.iterationHistogram,
      multiEmitterTried: stats.multiEmitterTried,
      // Fits by the emitters of their model: index 1 single fits, index K windows of K.
      fitsByEmitters: stats.emitterFits,
    },
    medians: summary.medians,
    timing: {
      wallSeconds: summary.seconds,
      // Stage times are summed over workers (CPU seconds); read and write run on this thread.
      readSeconds: summary.readSeconds,
      cameraSeconds: stats.ms.camera / 1000,
      detectSeconds: stats.ms.detect / 1000,
      fitSeconds: stats.ms.fit / 1000,
      writeSeconds: summary.writeSeconds,
    },
    started: startedAt,
    finished: new Date().toISOString(),
  };
}

/**
 * The frame range as the sidecar records it: 1-based and inclusive, as `--frames A:B` takes it
 * (`first`, `last`; `last` absent for "to the end"), with the channel, the step and follow mode
 * when set. (Sidecars before this recorded the library's `{start, end}`: 0-based start,
 * exclusive end.)
 */
function framesRecord(frames: FrameSourceOptions | undefined): Record<string, unknown> {
  if (!frames) return { first: 1 };
  const { channel, start, end, step, follow, idleTimeoutMs, pollIntervalMs } = frames;
  return {
    channel,
    first: (start ?? 0) + 1,
    last: end !== undefined && Number.isFinite(end) ? end : undefined,
    step: step !== undefined && step !== 1 ? step : undefined,
    follow: follow || undefined,
    idleTimeoutMs: follow ? idleTimeoutMs : undefined,
    pollIntervalMs: follow ? pollIntervalMs : undefined,
  };
}

/** What the sidecar says of the camera's maps: their size, origin and files, not their pixels. */
function mapsRecord(maps: CameraMaps | undefined): Record<string, unknown> | undefined {
  if (!maps) return undefined;
  const sources = (maps as { sources?: unknown }).sources;
  return {
    width: maps.width,
    height: maps.height,
    originX: maps.originX ?? 0,
    originY: maps.originY ?? 0,
    given: { offset: maps.offsetAdu !== undefined, variance: maps.varianceAdu2 !== undefined, gain: maps.gainAduPerElectron !== undefined },
    ...(sources ? { files: sources } : {}),
  };
}


/**
 * Where the camera's conversion comes from: `source: 'estimated'` with the estimate's values and
 * uncertainties (with an unknown EM gain, an effective gain: photon counts per F²), or
 * `source: 'given'` with the estimate it was checked against.
 */
function cameraSourceRecord(settings: RunSettings | undefined): Record<string, unknown> {
  if (!settings) return {};
  const { source, kept, estimate, reason } = settings.camera;
  const e = estimate && {
    baselineAdu: estimate.baselineAdu,
    baselineSdAdu: estimate.baselineSdAdu,
    photonsPerAdu: estimate.photonsPerAdu,
    photonsPerAduSd: estimate.photonsPerAduSd,
    readNoiseElectrons: estimate.readNoiseElectrons,
    readNoiseSdElectrons: estimate.readNoiseSdElectrons,
    effectiveGain: estimate.effectiveGain,
    offsetIdentified: estimate.offsetIdentified,
    frames: estimate.frames,
    pixelsUsed: estimate.pixelsUsed,
    method: estimate.method,
    warnings: estimate.warnings,
  };
  const perF2 = estimate?.effectiveGain ? { photonCounts: 'per F² (EM gain unknown: an effective gain; positions and uncertainties are right)' } : {};
  if (source === 'estimated' && estimate) {
    // The values used stand beside (baselineAdu, photonsPerAdu, readNoiseElectrons); their uncertainties here.
    const { baselineSdAdu, photonsPerAduSd, readNoiseSdElectrons, effectiveGain } = estimate;
    const onMaps = settings.camera.lessOffsetMap ? { estimatedOn: 'the frames less the offset map (maps without a gain map): the gain' } : {};
    return { source, baselineSdAdu, photonsPerAduSd, readNoiseSdElectrons, effectiveGain, ...perF2, ...onMaps, given: kept.length ? kept : undefined, estimate: e };
  }
  return { source, estimate: e, estimateSkipped: reason };
}

/** The PSF σ's source and its measurement on spots (nm). */
function psfSigmaRecord(settings: RunSettings | undefined): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const { source, sigmaNm, estimate } = settings.psfSigma;
  return { source, sigmaNm, measured: estimate && { ...estimate, frames: settings.frames } };
}
