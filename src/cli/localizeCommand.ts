import { basename, dirname, extname, join } from 'node:path';
import type { LocalizeStackSummary } from '../../pipelines/localizeStack.js';
import { localizeStack } from '../../pipelines/localizeStack.js';
import type { LocalizeOptions } from '../pipeline/LocalizeOptions.js';
import { describeError } from './describeError.js';
import { parseCommandArgs } from './parseCommandArgs.js';
import { parseNumber } from './parseNumber.js';
import { formatDuration, ProgressReporter } from './ProgressReporter.js';
import { UsageError } from './UsageError.js';

export const help = `smlm-stream localize STACK.tif [options]

Finds and fits every spot of a TIFF stack; writes a ThunderSTORM-compatible CSV (positions in nm
from the image's top-left corner, frames from 1) and a JSON sidecar describing the run. No
output may be the stack or another output; Ctrl-C keeps the rows of every finished frame.

Output:
  -o, --output FILE        CSV to write (default: STACK.csv next to the stack); the sidecar is
                           FILE with .json
      --all-fits           also write fits that did not converge (see the status column)
Camera (ThunderSTORM's names):
      --pixel-size NM      pixel size (default: from the file's metadata)
      --baseline ADU       base level / offset (default 100)
      --photons-per-adu E  photoelectrons per A/D count (default 1)
      --em-gain G          EM gain, 1 without EM (default 1)
      --qe Q               quantum efficiency (default 1)
      --saturation ADU     pixels at or above this are saturated; spots on them get status 5
                           (default: the sample type's largest value, 65535 for 16 bits)
PSF, detection and fit:
      --psf-sigma NM       PSF standard deviation (default 130)
      --box PX             fitting window, odd (default 2*ceil(2*sigma/pixel)+1, at least 5)
      --threshold K        detection threshold, K*std(Wave.F1) (default 1.15)
      --fit-sigma          fit the PSF sigma too
      --no-warm-start      start every fit from its own pixels
Preview:
      --preview PNG        rewrite a super-resolution preview every --preview-every frames
      --preview-every N    frames between preview refreshes (default 200)
Frames:
      --frames A:B         frames A to B, 1-based, inclusive (A: or :B open-ended)
      --follow             keep reading while the file grows (live acquisition)
      --idle-timeout S     with --follow: stop after S seconds without a new frame (default 10)
Running:
      --workers N          worker threads (default: all cores, one per 512 frames at most,
                           so short stacks run on one thread; 1 with --follow); at most the cores
      --quiet              no progress and no summary
`;

/** The flag of each library option, for error messages. */
export const optionFlags: Readonly<Record<string, string>> = {
  'camera.pixelSizeNm': '--pixel-size',
  'camera.baselineAdu': '--baseline',
  'camera.photonsPerAdu': '--photons-per-adu',
  'camera.emGain': '--em-gain',
  'camera.qe': '--qe',
  'camera.saturationAdu': '--saturation',
  psfSigmaNm: '--psf-sigma',
  box: '--box',
  'detect.threshold': '--threshold',
  workers: '--workers',
};

/** Exit codes after a signal: 128 + the signal's number, as shells report them. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** Parse "A:B" (1-based, inclusive) into a 0-based start and exclusive end. */
function parseFrameRange(text: string): { start: number; end?: number } {
  const m = /^(\d*):(\d*)$/.exec(text.trim());
  if (!m) throw new UsageError(`--frames needs A:B (1-based, inclusive; A: or :B allowed), got '${text}'`);
  const a = m[1] ? Number(m[1]) : 1;
  const b = m[2] ? Number(m[2]) : undefined;
  if (a < 1) throw new UsageError(`--frames starts at frame 1, got ${a}`);
  if (b !== undefined && b < a) throw new UsageError(`--frames ${text}: the last frame is before the first`);
  return { start: a - 1, end: b };
}

/**
 * `smlm-stream localize`: run the standard pipeline with progress on stderr and a summary on
 * stdout. SIGINT, SIGTERM and SIGHUP stop it cleanly (the frames in flight are finished, the
 * rows kept, the sidecar says why), and it exits with 128 + the signal's number; a second
 * signal quits at once.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @returns exit code (0 on success)
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    output: { type: 'string', short: 'o' },
    'all-fits': { type: 'boolean', default: false },
    'pixel-size': { type: 'string' },
    baseline: { type: 'string' },
    'photons-per-adu': { type: 'string' },
    'em-gain': { type: 'string' },
    qe: { type: 'string' },
    saturation: { type: 'string' },
    'psf-sigma': { type: 'string' },
    box: { type: 'string' },
    threshold: { type: 'string' },
    'fit-sigma': { type: 'boolean', default: false },
    'no-warm-start': { type: 'boolean', default: false },
    frames: { type: 'string' },
    follow: { type: 'boolean', default: false },
    'idle-timeout': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    workers: { type: 'string' },
    preview: { type: 'string' },
    'preview-every': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`localize needs one stack, got ${positionals.length} (see smlm-stream localize --help)`);
  const input = positionals[0];
  const output = values.output ?? join(dirname(input), `${basename(input, extname(input))}.csv`);
  const optional = (text: string | undefined, name: string, limits = {}) => (text === undefined ? undefined : parseNumber(text, name, limits));
  const options: LocalizeOptions = {
    camera: {
      pixelSizeNm: optional(values['pixel-size'], '--pixel-size'),
      baselineAdu: optional(values.baseline, '--baseline'),
      photonsPerAdu: optional(values['photons-per-adu'], '--photons-per-adu'),
      emGain: optional(values['em-gain'], '--em-gain'),
      qe: optional(values.qe, '--qe'),
      saturationAdu: optional(values.saturation, '--saturation'),
    },
    psfSigmaNm: optional(values['psf-sigma'], '--psf-sigma'),
    box: optional(values.box, '--box', { integer: true }),
    detect: { threshold: optional(values.threshold, '--threshold') },
    fitSigma: values['fit-sigma'],
    warmStart: !values['no-warm-start'],
  };
  const range = values.frames ? parseFrameRange(values.frames) : { start: 0 };
  const idle = optional(values['idle-timeout'], '--idle-timeout', { min: 0 }) ?? 10;
  const quiet = values.quiet ?? false;
  const progress = new ProgressReporter(process.stderr);
  const stop = new AbortController();
  let exitCode = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      progress.done();
      process.stderr.write(`smlm-stream: ${signal} again: quitting now; the rows so far are in ${output}.partial\n`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    exitCode = SIGNAL_EXIT[signal] ?? 1;
    progress.done();
    process.stderr.write(`smlm-stream: ${signal}: finishing the frames in flight (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again quits at once)\n`);
    stop.abort(new Error(`interrupted by ${signal}`));
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  let summary: LocalizeStackSummary;
  try {
    summary = await localizeStack({
      input,
      output,
      options,
      frames: { ...range, follow: values.follow, idleTimeoutMs: idle * 1000 },
      includeAllFits: values['all-fits'],
      workers: optional(values.workers, '--workers', { integer: true, min: 1 }),
      preview: values.preview !== undefined ? { path: values.preview, everyFrames: optional(values['preview-every'], '--preview-every', { integer: true, min: 1 }) } : undefined,
      signal: stop.signal,
      onProgress: quiet ? undefined : (p) => progress.update(p),
      onWarning: (message) => {
        progress.done();
        process.stderr.write(`smlm-stream: warning: ${message}\n`);
      },
    });
  } catch (error) {
    progress.done();
    const partial = (error as { summary?: LocalizeStackSummary }).summary;
    if (!partial) throw error;
    // The error in one line (the CLI's boundary words it), then what was kept.
    process.stderr.write(`smlm-stream: ${describeError(error, optionFlags).message}\n`);
    process.stderr.write(`smlm-stream: ${keptLine(partial)}\n`);
    return 1;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  progress.done();
  if (summary.stopReason !== undefined) {
    process.stderr.write(`smlm-stream: ${summary.stopReason}: ${keptLine(summary)}\n`);
    if (!quiet) for (const line of summaryLines(summary)) out(line);
    return exitCode || 1;
  }
  if (!quiet) for (const line of summaryLines(summary)) out(line);
  return 0;
}

/** What a run that ended early kept, and where. */
function keptLine(s: LocalizeStackSummary): string {
  return `kept ${s.localizations} localizations of the ${s.frames} completed frames in ${s.output} (see ${s.sidecar})`;
}

/** The end-of-run summary a person reads (Gpufit's example summary is the model). */
function summaryLines(s: LocalizeStackSummary): string[] {
  const st = s.stats;
  const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)} %` : 'n/a');
  const count = (v: number) => v.toLocaleString('en-US');
  const histogram = st.iterationHistogram;
  let median = 0;
  for (let acc = 0, i = 0; i < histogram.length; i++) {
    acc += histogram[i];
    if (acc * 2 >= st.converged) {
      median = i;
      break;
    }
  }
  const warmMean = st.convergedWarm ? (st.iterationsWarm / st.convergedWarm).toFixed(1) : 'n/a';
  const coldMean = st.convergedCold ? (st.iterationsCold / st.convergedCold).toFixed(1) : 'n/a';
  const sec = (v: number) => `${v.toFixed(2)} s`;
  const m = s.medians;
  const digits = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const lines = [
    `smlm-stream localize: ${s.input} → ${s.output}${s.complete ? '' : ' (incomplete)'}`,
    `  frames              ${count(s.frames)}`,
    `  localizations       ${count(s.localizations)} written (${count(st.candidates)} candidates; converged ${pct(st.converged, st.fits)} of fits)`,
    `  precision (median)  ${digits(m.uncertaintyNm, 1)} nm uncertainty, ${digits(m.photons, 0)} photons, background ${digits(m.backgroundPhotons, 1)} photons/px`,
    `  not converged       ${st.fits === st.converged ? 'none' : `${count(st.saturated)} saturated, ${count(st.fits - st.converged - st.saturated)} other fits (left out of the CSV unless --all-fits)`}`,
  ];
  if (st.nonFinitePixels > 0) lines.push(`  non-finite pixels   ${count(st.nonFinitePixels)} NaN or infinite in ${count(st.framesWithNonFinite)} frames`);
  lines.push(
    `  median iterations   ${st.converged ? median : 'n/a'} (mean ${warmMean} warm-started, ${coldMean} cold)`,
    `  warm starts         ${pct(st.warmStarts, st.fits)} of fits started from the previous frame`,
    `  throughput          ${count(Math.round(s.frames / s.seconds))} frames/s, ${count(Math.round(s.localizations / s.seconds))} localizations/s`,
    `  wall time           ${s.seconds < 60 ? sec(s.seconds) : formatDuration(s.seconds)} (reading ${sec(s.readSeconds)}, writing ${sec(s.writeSeconds)})`,
    `  CPU time by stage   camera ${sec(st.ms.camera / 1000)}, detect ${sec(st.ms.detect / 1000)}, fit ${sec(st.ms.fit / 1000)} on ${s.workers} ${s.workers === 1 ? 'thread' : 'workers'}`,
    `  output              ${s.output} (run record: ${s.sidecar})`,
  );
  return lines;
}
