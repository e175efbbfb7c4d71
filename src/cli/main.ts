import { printable } from '../errors/printable.js';
import { softwareVersion } from '../softwareVersion.js';
import { describeError, EXIT } from './describeError.js';
import { UsageError } from './UsageError.js';

/** What a command module exports. */
export interface CommandModule {
  /** The command's --help text. */
  readonly help: string;
  /** Run it; returns the exit code. */
  run(argv: string[], out: (line: string) => void): number | Promise<number>;
  /** The command's flag for each library option path (to name the flag in option errors). */
  readonly optionFlags?: Readonly<Record<string, string>>;
  /** The command's flags that take a value (to name the flag that gave a missing file). */
  readonly valueFlags?: ReadonlySet<string>;
}

/** The commands, loaded when used (so `--version` and `--help` load none of them). */
const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CommandModule> }>> = {
  localize: { summary: 'find and fit every spot of a TIFF stack; write CSV + JSON sidecar', load: () => import('./localizeCommand.js') },
  simulate: { summary: 'write a simulated blinking stack and its ground truth', load: () => import('./simulateCommand.js') },
  evaluate: { summary: 'compare localizations with the ground truth (Jaccard, RMSE, bias)', load: () => import('./evaluateCommand.js') },
  render: { summary: 'draw a super-resolution image (PNG) from a localization CSV', load: () => import('./renderCommand.js') },
  'calibrate-3d': { summary: 'calibrate an astigmatic PSF (3-D) from a z-stack of beads', load: () => import('./calibrate3dCommand.js') },
  drift: { summary: 'estimate the drift of a localization CSV (AIM) and correct it', load: () => import('./driftCommand.js') },
  merge: { summary: 'merge the blinks of each molecule in consecutive frames into one row', load: () => import('./mergeCommand.js') },
  filter: { summary: 'keep the rows of a localization CSV where an expression is true', load: () => import('./filterCommand.js') },
  export: { summary: "write a localization CSV in Picasso's HDF5 format", load: () => import('./exportCommand.js') },
  worker: { summary: 'take chunk jobs of localize --queue from a Redis job queue (many machines)', load: () => import('./workerCommand.js') },
  'fit-demo': { summary: 'simulate patches, fit them, compare with the truth and the CRLB', load: () => import('./fitDemo.js') },
};

/** The command names' column in --help: the longest name and two spaces. */
const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;

const HELP = `smlm-stream — single-molecule localization: TIFF frames to localizations, streamed.

Usage:
  smlm-stream <command> [options]
  smlm-stream help <command> | --help | --version

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)}${c.summary}`).join('\n')}

Run 'smlm-stream <command> --help' for a command's options.
`;

/**
 * Run the command line. Every error ends in one line on stderr, never a stack trace
 * (`SMLM_STREAM_DEBUG=1` adds it): user errors exit with 2, failures during a run (a write
 * error, a stack cut off) with 1.
 * @param argv - the arguments after `smlm-stream`
 * @param write - where the commands' output lines go @default process.stdout
 * @returns the process exit code
 */
export async function main(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  // Every line through printable: a file name's escape sequences never reach the terminal.
  const out = (text: string) => write(`${text.split('\n').map((line) => printable(line, Infinity)).join('\n')}\n`);
  const [command, ...rest] = argv;
  let module: CommandModule | undefined;
  try {
    if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
      process.stdout.write(HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === '--version' || command === '-v') {
      out(softwareVersion());
      return EXIT.ok;
    }
    const name = command === 'help' ? rest[0] : command;
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command '${name}' (see smlm-stream --help)`);
    module = await entry.load();
    if (command === 'help' || rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(module.help);
      return EXIT.ok;
    }
    return await module.run(rest, out);
  } catch (error) {
    const { message, code, picture } = describeError(error, module?.optionFlags, rest, module?.valueFlags);
    process.stderr.write(`smlm-stream: ${message}\n${picture ? `${picture}\n` : ''}`);
    if (code !== EXIT.usage && process.env.SMLM_STREAM_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return code;
  }
}

