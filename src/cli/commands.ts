import { FlagTable } from './FlagTable.js';

/** What a command module exports. */
export interface CommandModule {
  /** The command's --help text. */
  readonly help: string;
  /** The command's flags: its parser, the options part of its help, its table in docs/cli.md. */
  readonly flags: FlagTable;
  /** Run it; returns the exit code (one of EXIT, describeError.ts). */
  run(argv: string[], out: (line: string) => void): number | Promise<number>;
  /** The command's flag for each library option path (to name the flag in option errors). */
  readonly optionFlags?: Readonly<Record<string, string>>;
  /** The command's flags that take a value (to name the flag that gave a missing file). */
  readonly valueFlags?: ReadonlySet<string>;
}

/** The commands, in the order --help lists them, loaded when used (so `--version` and `--help` load none). */
export const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandModule> }>> = {
  localize: { summary: 'find and fit every spot of a TIFF stack; write CSV + JSON sidecar', load: () => import('./localizeCommand.js') },
  simulate: { summary: 'write a simulated blinking stack and its ground truth', load: () => import('./simulateCommand.js') },
  evaluate: { summary: 'compare localizations with the ground truth (Jaccard, RMSE, bias)', load: () => import('./evaluateCommand.js') },
  render: { summary: 'draw a super-resolution image (PNG) from a localization CSV', load: () => import('./renderCommand.js') },
  'calibrate-3d': { summary: 'calibrate an astigmatic PSF (3-D) from a z-stack of beads', load: () => import('./calibrate3dCommand.js') },
  'calibrate-camera': { summary: 'calibrate an sCMOS camera: offset, variance and gain maps from dark and flat stacks', load: () => import('./calibrateCameraCommand.js') },
  'calibrate-psf': { summary: "calibrate an experimental PSF (a spline, Picasso's HDF5) from bead z-stacks", load: () => import('./calibratePsfCommand.js') },
  drift: { summary: 'estimate the drift of a localization CSV (AIM) and correct it', load: () => import('./driftCommand.js') },
  merge: { summary: 'merge the blinks of each molecule in consecutive frames into one row', load: () => import('./mergeCommand.js') },
  filter: { summary: 'keep the rows of a localization CSV where an expression is true', load: () => import('./filterCommand.js') },
  export: { summary: "write a localization CSV in Picasso's HDF5 format", load: () => import('./exportCommand.js') },
  view: { summary: 'a local web page: open a stack, tune detection on its frames, run, watch the image form', load: () => import('./viewCommand.js') },
  worker: { summary: 'take chunk jobs of localize --queue from a Redis job queue (many machines)', load: () => import('./workerCommand.js') },
  'fit-demo': { summary: 'simulate patches, fit them, compare with the truth and the CRLB', load: () => import('./fitDemo.js') },
};

/** The flags of `smlm-stream` itself, before any command. */
export const TOP_LEVEL_FLAGS = new FlagTable([
  ['Options', [
    { name: 'help', short: 'h', help: "this help; after a command (or as 'help COMMAND'), the command's" },
    { name: 'version', short: 'v', help: 'the version' },
  ]],
]);

/** The command names' column in --help: the longest name and two spaces. */
const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;

/** How `smlm-stream` is called, one way a line. */
export const TOP_LEVEL_USAGE = ['smlm-stream <command> [options]', 'smlm-stream help <command> | --help | --version'] as const;

/** `smlm-stream --help`. */
export const TOP_LEVEL_HELP = `smlm-stream — single-molecule localization: TIFF frames to localizations, streamed.

Usage:
${TOP_LEVEL_USAGE.map((line) => `  ${line}`).join('\n')}

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)}${c.summary}`).join('\n')}

${TOP_LEVEL_FLAGS.help()}
Run 'smlm-stream <command> --help' for a command's options.
`;
