/**
 * smlm-stream's public API: `import { localize, fitPatches, … } from 'smlm-stream'`.
 *
 * The pipeline stages, in the order frames meet them: reading stacks (io), the camera model,
 * detection, patches, the fit, the localization table, exports and images; then the stream
 * layer (pipeline) and the ready pipelines (pipelines/). Simulation and evaluation against a
 * ground truth are public too, for tests of your own.
 */

// Reading stacks
export { TiffStack, FOLLOW_DEFAULTS } from './io/TiffStack.js';
export type { FrameStack, StackMetadata, FrameRangeOptions } from './io/TiffStack.js';
export { openStack } from './io/openStack.js';
export { selectChannel } from './io/selectChannel.js';
export type { OpenedStack } from './io/openStack.js';
export { StackSeries, tiffFiles } from './io/StackSeries.js';
export type { SeriesKind } from './io/StackSeries.js';
export { parseOme } from './io/parseOme.js';
export type { OmeDescription, OmePlane } from './io/parseOme.js';
export { framesFromTiff, readFrames } from './io/framesFromTiff.js';
export type { FrameSourceOptions } from './io/framesFromTiff.js';
export { TiffError } from './io/TiffError.js';
export type { TiffProblem } from './io/TiffError.js';
export { TiffWriter, writeTiff } from './io/TiffWriter.js';
export type { TiffWriterOptions } from './io/TiffWriter.js';
export { FrameBufferPool } from './io/FrameBufferPool.js';
export { frameView, pixelArray, sampleTypeOf, SAMPLE_BYTES } from './io/Frame.js';
export type { Frame, PixelArray, SampleType } from './io/Frame.js';

// Camera
export { CAMERA_DEFAULTS, resolveCamera, toPhotons, saturationLevel, baselineWarning, frameCamera, PHOTONS } from './camera/CameraModel.js';
export { checkCameraSettings } from './camera/checkCameraSettings.js';
export { estimatePsfSigma, PSF_SIGMA_ESTIMATE } from './fit/estimatePsfSigma.js';
export type { CameraMaps, CameraModel, CameraOptions, FrameCamera, PhotonConversion } from './camera/CameraModel.js';
export { readCameraMaps } from './camera/readCameraMaps.js';
export type { CameraMapFiles } from './camera/readCameraMaps.js';

// Detection
export { SpotDetector } from './detect/SpotDetector.js';
export { Candidates } from './detect/Candidates.js';
export { DETECT_DEFAULTS, resolveDetectOptions } from './detect/DetectOptions.js';
export type { DetectEngine, DetectOptions, ResolvedDetectOptions } from './detect/DetectOptions.js';
export { WaveletFilter } from './detect/WaveletFilter.js';
export { FILTER_KERNELS, foldedWeights } from './detect/FilterKernel.js';
export type { FilterKernel, FilterKind, FoldedWeights } from './detect/FilterKernel.js';

// Patches and the fit
export { extractPatches, defaultBox } from './patches/extractPatches.js';
export { fitPatches } from './fit/fitPatches.js';
export type { FitPatchesOptions } from './fit/fitPatches.js';
export { FitStatus, FIT_STATUS_WORDS } from './fit/FitStatus.js';
export type { FitStatusCode } from './fit/FitStatus.js';
export { FIT_DEFAULTS, BOX_RANGE_PX, resolveFitOptions } from './fit/FitOptions.js';
export type { FitEngine, FitOptions, FitSolver, ResolvedFitOptions } from './fit/FitOptions.js';
export { createFitResults } from './fit/FitResults.js';
export type { FitResults, FitStartValues } from './fit/FitResults.js';
export { FitWorkspace } from './fit/FitWorkspace.js';
export { PatchLikelihood, PassMode } from './fit/PatchLikelihood.js';
export { GaussianAxis } from './fit/GaussianAxis.js';
export { erf, erfc } from './fit/erf.js';

// The localization table
export { LOCALIZATION_COLUMNS, CSV_HEADER } from './table/columns.js';
export type { Column } from './table/columns.js';
export { createLocalizationBatch } from './table/LocalizationBatch.js';
export type { LocalizationBatch } from './table/LocalizationBatch.js';

// Outputs
export { LocalizationCsvWriter, partialPath } from './export/LocalizationCsvWriter.js';
export type { CsvWriterOptions } from './export/LocalizationCsvWriter.js';
export type { FileSink } from './io/FileSink.js';
export { writeSidecar, sidecarPath } from './export/writeSidecar.js';
export { writePicasso, picassoYamlPath } from './export/writePicasso.js';
export type { PicassoInfo } from './export/writePicasso.js';
export { checkOutputPaths } from './export/checkOutputPaths.js';
export type { NamedPath } from './export/checkOutputPaths.js';
export { CALIBRATION_RECORD, checkRecordPath, RUN_RECORD } from './export/checkRecordPath.js';
export type { RecordKind } from './export/checkRecordPath.js';

// After localization: tables, drift, merging, filtering
export { readTable, readLocalizationTable, selectRows, columnName, findColumn, positions } from './table/LocalizationTable.js';
export { writeLocalizationTable } from './export/writeLocalizationTable.js';
export type { LocalizationTable } from './table/LocalizationTable.js';
export { tableFromBatches } from './table/tableFromBatches.js';
export { DETECTIONS_HEADER } from './table/columns.js';
export { TableCsvWriter } from './export/TableCsvWriter.js';
export { CsvFile } from './export/CsvFile.js';
export { writeStepSidecar, readPreviousRecord } from './export/writeStepSidecar.js';
export type { StepRecord } from './export/writeStepSidecar.js';
export { estimateDriftAim, CausalAim, AIM_DEFAULTS, MIN_SEGMENT_LOCALIZATIONS } from './post/estimateDriftAim.js';
export type { AimOptions, SegmentPoints } from './post/estimateDriftAim.js';
export { interpolateDrift } from './post/DriftTrajectory.js';
export type { DriftSegment, DriftTrajectory } from './post/DriftTrajectory.js';
export { correctDrift } from './post/correctDrift.js';
export { LiveDriftCorrector } from './post/LiveDriftCorrector.js';
export { driftPath, DRIFT_HEADERS, DRIFT_CSV_HEADER } from './table/driftPath.js';
export { readDriftTrajectory } from './post/readDriftTrajectory.js';
export { plotDrift } from './post/plotDrift.js';
export { BlinkMerger, MERGE_DEFAULTS } from './post/BlinkMerger.js';
export type { MergeOptions } from './post/BlinkMerger.js';
export { BatchMerger } from './post/BatchMerger.js';
export { mergeBlinks } from './post/mergeBlinks.js';
export { mergeDistanceWarning } from './post/mergeDistanceWarning.js';
export { compileFilter, FilterExpressionError } from './post/compileFilter.js';
export { filterTable } from './post/filterTable.js';
export type { RowTest } from './post/filterTable.js';

// Resolution
export { estimateNena, estimateNenaOfColumns, resolveNenaOptions, refuseMergedTable, NENA_DEFAULTS, NENA_MIN_PAIRS } from './post/estimateNena.js';
export type { NenaOptions, NenaResult } from './post/estimateNena.js';
export { nextFrameDistances } from './post/nextFrameDistances.js';
export { fitPairDistances } from './post/fitPairDistances.js';
export type { PairDistanceFit } from './post/fitPairDistances.js';
export { estimateFrc, estimateFrcOfColumns, resolveFrcOptions, frcPixelNm, frcCrossing, FRC_DEFAULTS } from './post/estimateFrc.js';
export type { FrcOptions, FrcResult, FrcSplit, ResolvedFrcOptions } from './post/estimateFrc.js';
export { RadixTwoFft } from './camera/RadixTwoFft.js';

// The run report
export { makeRunReport, REPORT_DEFAULTS } from './report/makeRunReport.js';
export { buildReportHtml } from './report/buildReportHtml.js';
export { readRunRecord } from './report/readRunRecord.js';
export type { RunRecordChain } from './report/readRunRecord.js';
export { REPORT_SECTIONS } from './report/ReportContent.js';
export type { ReportContent } from './report/ReportContent.js';

// Images
export { SuperResolutionImage } from './render/SuperResolutionImage.js';
export type { RenderMode, RenderOptions } from './render/SuperResolutionImage.js';
export { encodePng } from './render/encodePng.js';
export type { Colormap, PngOptions } from './render/encodePng.js';
export { addBatch } from './render/addBatch.js';
export { chooseScaleBar, SCALE_BAR_DEFAULTS } from './render/chooseScaleBar.js';
export type { ScaleBar } from './render/chooseScaleBar.js';
export { annotateImage, layoutAnnotation, ANNOTATION_DEFAULTS } from './render/annotateImage.js';
export type { AnnotationLayout, ImageAnnotation } from './render/annotateImage.js';
export { pixelFromPrecision, PIXEL_FROM_PRECISION } from './render/pixelFromPrecision.js';
export { accumulateImage } from './pipeline/accumulateImage.js';

// The stream layer
export { localize } from '../pipelines/localize.js';
export type { FrameSource, LocalizeStreamOptions } from '../pipelines/localize.js';
export { localizeStream, chooseWorkers, defaultWorkers, CHUNKS_PER_WORKER } from './pipeline/localizeStream.js';
export type { StreamOptions, WorkerChoice } from './pipeline/localizeStream.js';
export { LOCALIZE_DEFAULTS, resolveLocalizeOptions, checkFrameSize, PLAUSIBLE_PIXEL_SIZE_NM, cameraSourceOf, psfSigmaIsAuto } from './pipeline/LocalizeOptions.js';
export type { CameraSource } from './pipeline/LocalizeOptions.js';
export type { LocalizeFitOptions, LocalizeOptions, MetadataPixelSize, ResolvedLocalizeOptions } from './pipeline/LocalizeOptions.js';
export { FrameLocalizer } from './pipeline/FrameLocalizer.js';
export { localizeFrames } from './pipeline/localizeFrames.js';
export { createLocalizeStats, addLocalizeStats } from './pipeline/LocalizeStats.js';
export { mergeBlinksOperator } from './pipeline/mergeBlinksOperator.js';
export { correctDriftOperator } from './pipeline/correctDriftOperator.js';
export { filterOperator } from './pipeline/filterOperator.js';
export { operatorOf } from './pipeline/operatorOf.js';
export type { StreamStep } from './pipeline/operatorOf.js';
export type { LocalizeStats } from './pipeline/LocalizeStats.js';

// Ready pipelines
export { localizeStack } from '../pipelines/localizeStack.js';
export { PREVIEW_DEFAULTS } from '../pipelines/LocalizeStackRun.js';
export type { LocalizeStackRun, LocalizeStackSummary, Progress, RunMedians } from '../pipelines/LocalizeStackRun.js';
export { liveLocalize } from '../pipelines/liveLocalize.js';
export { localizeMergeDrift } from '../pipelines/localizeMergeDrift.js';
export type { LocalizeMergeDriftRun, LocalizeMergeDriftSummary } from '../pipelines/localizeMergeDrift.js';
export type { LiveLocalizeRun } from '../pipelines/liveLocalize.js';

// Simulation and evaluation against a ground truth
export { simulateStack, resolveSimulateStackOptions, TRUTH_CSV_HEADER } from './simulate/simulateStack.js';
export { sensorMaps, SCMOS_SENSOR } from './simulate/simulateStack.js';
export type { SimulateStackOptions, SimulatedFrame, TruthRows, SensorMaps } from './simulate/simulateStack.js';
export { writeSimulation, mapPaths } from './simulate/writeSimulation.js';
export type { WriteSimulationOptions } from './simulate/writeSimulation.js';
export { Structure } from './simulate/Structure.js';
export type { StructureKind, StructureOptions } from './simulate/Structure.js';
export { Random } from './simulate/Random.js';
export { evaluateLocalizations } from './evaluate/evaluateLocalizations.js';
export { evaluateFiles } from './evaluate/evaluateFiles.js';
export type { Evaluation, MatchedPairs } from './evaluate/evaluateLocalizations.js';
export { readPointTable, pointTableChunks } from './evaluate/PointTable.js';
export { pointTableOf } from './evaluate/pointTableOf.js';
export { CsvTableReader } from './table/CsvTableReader.js';
export type { CsvChunk } from './table/CsvTableReader.js';
export type { PointTable } from './evaluate/PointTable.js';

// Errors
export { InvalidOptionError } from './errors/InvalidOptionError.js';
export { InputFileError } from './errors/InputFileError.js';
export { OutputPathError } from './errors/OutputPathError.js';
export { FileWriteError } from './errors/FileWriteError.js';
export { KernelLoadError } from './errors/KernelLoadError.js';

// The version
export { softwareVersion } from './softwareVersion.js';
